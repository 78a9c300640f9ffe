"""A training loop inside an outer loop that repeats the whole experiment, read as its first run.

Course scripts often run the experiment several times, building the data and the network anew in each
run, and train in a loop inside::

    for j in range(num_test):                  # the outer loop: runs of the experiment
        x_train = …; y_train = …               # the data of this run
        layer1 = nn_linear_layer(2, 4); …      # the network of this run
        for i in range(num_gd_step):           # the training loop
            …
        accuracy += …

No statement at the top level builds the network, so the training loop cannot be read off as it stands.
:func:`first_run` unrolls such an outer loop into its first run: its variable bound to 0 (or to the
first of the settings a sweep runs, ``for alpha in alphas:``), then its body, at the top level. The
statements keep their line numbers, so every message points into the file. Nothing is run here. A
script that trains under ``if __name__ == "__main__":`` is read with that block's body at the top
level, as Python runs it when the author runs the script.
"""

from __future__ import annotations

import ast

from verification.reading.training_loops import training_loop


def first_run(tree: ast.Module) -> ast.Module:
    """``tree`` with its first top-level ``for … in range(…)`` loop that holds a training loop unrolled
    into its first run (see the module docstring); ``tree`` itself when a training loop is read off it
    as it stands, or when no unrolled loop gives one."""
    if training_loop(tree) is not None:
        return tree
    main = _main_inlined(tree)  # the loop under if __name__ == "__main__": runs when the author runs it
    if main is not tree:
        read = first_run(main)  # main itself when its loop reads as it stands, or when none does
        if read is not main or training_loop(main) is not None:
            return read
    for index, stmt in enumerate(tree.body):
        first = _first_value(stmt, tree.body[:index])
        if first is None:
            continue
        assert isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name)
        bound = ast.copy_location(ast.Assign([ast.Name(stmt.target.id, ast.Store())], first), stmt)
        body = [*tree.body[:index], bound, *stmt.body, *tree.body[index + 1 :]]
        unrolled = ast.fix_missing_locations(ast.Module(body=body, type_ignores=tree.type_ignores))
        if training_loop(unrolled) is not None:
            return unrolled
    return tree


def _first_value(stmt: ast.stmt, before: list[ast.stmt]) -> ast.expr | None:
    """The first value of an outer loop ``stmt`` that holds a loop: ``0`` of ``range(…)``, the first
    entry of a list or tuple written out (``for alpha in [0.001, 0.01, 0.1]``) or bound to a name at the
    top level before it (``alphas = [0.001, 0.01, 0.1]``, then ``for alpha in alphas``: a sweep of a
    setting, each run training anew); None for any other statement."""
    if not (
        isinstance(stmt, ast.For)
        and isinstance(stmt.target, ast.Name)
        and any(isinstance(s, ast.For | ast.While) for s in stmt.body)
    ):
        return None
    it = stmt.iter
    if isinstance(it, ast.Call) and getattr(it.func, "id", "") == "range":
        return ast.Constant(0)
    if isinstance(it, ast.Name):
        bound = [
            s.value
            for s in before
            if isinstance(s, ast.Assign) and [getattr(t, "id", None) for t in s.targets] == [it.id]
        ]
        it = bound[-1] if bound else it
    if isinstance(it, ast.List | ast.Tuple) and it.elts and not isinstance(it.elts[0], ast.Starred):
        return it.elts[0]
    return None


def _main_inlined(tree: ast.Module) -> ast.Module:
    """``tree`` with the body of its ``if __name__ == "__main__":`` block at the top level, where the
    block stands (the statements keep their line numbers); ``tree`` itself when it has none."""
    body: list[ast.stmt] = []
    for stmt in tree.body:
        main = (
            isinstance(stmt, ast.If)
            and "__name__" in ast.unparse(stmt.test)
            and "__main__" in ast.unparse(stmt.test)
        )
        body += stmt.body if main else [stmt]  # type: ignore[attr-defined]
    if len(body) == len(tree.body) and all(a is b for a, b in zip(body, tree.body, strict=True)):
        return tree
    return ast.Module(body=body, type_ignores=tree.type_ignores)
