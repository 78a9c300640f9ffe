"""Detecting a network written as a script: no class, no function, a training loop at the top level.

A network with no class and no function lives in a training loop at the top level
(``for j in range(60000): l1 = … ; l2 = … ; syn1 += …``). The recipe is read off the loop: the setup is
the top-level assignments before it, the step its body (with the data names bound to the probe's
inputs and labels, and its loop variables to the first sample), the forward pass the body up to the
first statement that reads the labels, whose output is the variable compared with them, the weights
the top-level arrays the body updates, the learning rate the constant or name the update multiplies
by. When the loop cannot be read so, the refusal prints the explicit form to fill in.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError
from verification.adapters.build import subject_for
from verification.adapters.failures import refusal
from verification.adapters.options import Options
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.adapters.trials import layouts, run_setup, widths
from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript


def _updates(stmts: list[ast.stmt]) -> tuple[list[str], list[ast.expr]]:
    """Names updated in place in ``stmts`` (``W += …``, ``W = W - …``, and ``p -= …`` over ``zip([W1, …],
    …)``), with the update expressions."""
    names: list[str] = []
    exprs: list[ast.expr] = []
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
            target: ast.expr = node.target
            while isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Name):
                names.append(target.id)
                exprs.append(node.value)
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            t, v = node.targets[0].id, node.value
            if (
                isinstance(v, ast.BinOp)
                and isinstance(v.op, ast.Add | ast.Sub)
                and isinstance(v.left, ast.Name)
                and v.left.id == t
            ):
                names.append(t)
                exprs.append(v.right)
        elif (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Call)
            and getattr(node.iter.func, "id", "") == "zip"
        ):
            first = node.iter.args[0] if node.iter.args else None
            if isinstance(first, ast.List | ast.Tuple) and any(
                isinstance(n, ast.AugAssign) for n in ast.walk(node)
            ):
                names += [e.id for e in first.elts if isinstance(e, ast.Name)]
    return list(dict.fromkeys(names)), exprs


def _training_loop(tree: ast.Module) -> tuple[int, list[ast.For], list[ast.stmt]] | None:
    """The first top-level ``for`` loop whose (innermost) body updates names in place: its index in the
    script, the chain of loops, and the body."""
    for index, stmt in enumerate(tree.body):
        if not isinstance(stmt, ast.For):
            continue
        chain = [stmt]
        body = stmt.body
        while True:
            inner = [
                s
                for s in body
                if isinstance(s, ast.For)
                and not _update_loop(s)
                and _updates(s.body)[0]
                and not _updates([t for t in body if t is not s])[0]
            ]
            if len(inner) == 1:
                chain.append(inner[0])
                body = inner[0].body
                continue
            break
        if _updates(body)[0]:
            return index, chain, body
    return None


def _update_loop(loop: ast.For) -> bool:
    """``for p, g in zip([W1, W2], [dW1, dW2]): p -= lr * g``: a loop over the parameters, part of one
    step."""
    call = loop.iter
    return (
        isinstance(call, ast.Call)
        and getattr(call.func, "id", "") == "zip"
        and bool(call.args)
        and isinstance(call.args[0], ast.List | ast.Tuple)
    )


def script_recipe(script: LoadedScript) -> tuple[Recipe, list[str]] | None:
    """The recipe read off a script's training loop, and its weight names (None when there is no such
    loop)."""
    found = _training_loop(script.tree)
    if found is None:
        return None
    index, chain, body = found
    before = script.tree.body[:index]
    assigned = {
        n.id
        for s in before
        if isinstance(s, ast.Assign | ast.AnnAssign)
        for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        for n in ast.walk(t)
        if isinstance(n, ast.Name)
    }
    weights, exprs = _updates(body)
    weights = [w for w in weights if w in assigned]
    if not weights:
        return None
    read = [
        n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    ]
    data = [n for n in dict.fromkeys(read) if n in assigned and n not in weights]
    # the labels: a data name in the first statement that compares the output with it (an error or a loss)
    label, output, cut = None, None, None
    stored: list[str] = []
    for k, s in enumerate(body):
        names = {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        hit = [d for d in data if d in names and d in stored_not(stored, d)]
        if hit and any(n in stored for n in names):
            label = hit[-1]
            output = next((n for n in reversed(stored) if n in names), None)
            cut = k
            break
        if isinstance(s, ast.Assign):
            stored += [n.id for t in s.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if label is None or output is None or cut is None:
        return None
    inputs = [
        d
        for d in data
        if d != label and any(isinstance(n, ast.Name) and n.id == d for s in body[:cut] for n in ast.walk(s))
    ]
    if len(inputs) != 1:
        return None
    bind = [f"{inputs[0]} = x"] if inputs[0] != "x" else []
    bind_y = [f"{label} = y"] if label != "y" else []
    for loop in chain:  # loop variables: the first sample
        if (
            isinstance(loop.target, ast.Name)
            and isinstance(loop.iter, ast.Call)
            and getattr(loop.iter.func, "id", "") == "range"
        ):
            bind.append(f"{loop.target.id} = 0")
    setup = "; ".join(
        ast.unparse(s)
        for s in before
        if isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr) and not _prints(s)
    )
    forward = "; ".join([*bind, *(ast.unparse(s) for s in body[:cut] if not _prints(s)), output])
    kept = [s for s in body if not _prints(s)]
    glue = "\n" if any(isinstance(s, ast.For) for s in kept) else "; "
    step = glue.join([*bind, *bind_y, *(ast.unparse(s) for s in kept)])
    lr = _rate(exprs, assigned)
    return Recipe(
        setup=setup,
        forward=forward,
        step=step,
        lr=lr,
        notes=(f"read off the training loop at line {chain[0].lineno}",),
    ), weights


def stored_not(stored: list[str], name: str) -> list[str]:
    """``[name]`` unless the body itself assigns ``name`` before (then it is no data)."""
    return [] if name in stored else [name]


def _prints(stmt: ast.stmt) -> bool:
    """Statements that only print or plot (or are loops and ifs, which a recipe leaves out)."""
    if isinstance(stmt, ast.For) and _update_loop(stmt):
        return False
    if isinstance(stmt, ast.If | ast.For | ast.While):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        return name in ("print", "show", "plot", "append", "seed", "savefig", "imshow", "title", "legend")
    return False


def _rate(exprs: list[ast.expr], assigned: set[str]) -> str | None:
    """The learning rate an update multiplies by: a constant or a top-level name named like a rate
    (``lr * g``, ``rate * h.T @ d``)."""
    for e in exprs:
        for node in ast.walk(e):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                for side in (node.left, node.right):
                    if (
                        isinstance(side, ast.Constant)
                        and isinstance(side.value, int | float)
                        and side.value != 2
                    ):
                        return repr(side.value)
                    if (
                        isinstance(side, ast.Name)
                        and side.id.lower() in cv.lower(cv.LR_NAMES)
                        and side.id in assigned
                    ):
                        return side.id
    return None


def detect_script(namespace: dict[str, Any], script: LoadedScript, options: Options) -> CodeSubject:
    """A subject for a network that lives in a script's training loop (see the module docstring).

    Raises
    ------
    InputError
        When the loop cannot be read or its recipe does not run; the hint is the explicit form.
    """
    from verification.reading.statements import top_level_refusal

    found = script_recipe(script)
    if found is None:
        what = (
            "no class or function" if not script.defined_names() else "no network class or backward function"
        )
        raise InputError(
            f"{script.path} defines {what} to check, and no training loop that could be read off",
            hint=top_level_refusal(script).hint,
        )
    recipe, weights = found
    try:
        run_setup(namespace, recipe.setup, script)
    except InputError as exc:
        raise InputError(
            f"the top-level setup of {script.path} did not run: {exc}", hint=_command(script, recipe)
        ) from None
    errors: list[InputError | str] = []
    slots = Slots(namespace, find_slots(namespace, weights))
    for layout in layouts(options):
        for n_in in widths(slots):
            try:
                return subject_for(
                    namespace,
                    replace(recipe, layout=layout),
                    weights,
                    script,
                    n_in,
                    f"the training loop of {script.path.name}",
                )
            except InputError as exc:
                errors.append(exc)
    raise refusal(
        f"the training loop of {script.path} could not be run as a recipe", errors, _command(script, recipe)
    )


def _command(script: LoadedScript, recipe: Recipe) -> str:
    return f"check it with the explicit form, edited as needed: {recipe.command(str(script.path))}"


__all__ = ["detect_script", "script_recipe"]
