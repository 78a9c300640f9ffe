"""The value an argument of a training function is given where the file calls it.

A training function that takes its weights as arguments under names that say nothing of their shapes
(``train(inputs, keys, layer_one_weights, layer_two_weights)``) is often called once, from ``main()``
or the top level, with weights drawn just before the call::

    layer_one_weights = 2 * np.random.random((3, 4)) - 1
    layer_two_weights = 2 * np.random.random((4, 1)) - 1
    train(inputs, keys, layer_one_weights, layer_two_weights)

:func:`caller_value` reads that draw, without running anything, so that the function's body can be
checked as a script (:mod:`verification.reading.function_scripts`) at the author's own shapes.
"""

from __future__ import annotations

import ast
import builtins
import copy


def caller_value(
    tree: ast.Module, fn: ast.FunctionDef, index: int, name: str, allowed: set[str], numbers: bool = False
) -> ast.expr | None:
    """The expression the file's first call of ``fn`` gives its argument ``name`` (at position
    ``index``): the argument itself when it is an expression of ``allowed`` names (numpy's alias, the
    file's functions) and builtins, else, for a plain name, the last assignment to that name before the
    call in the same body, on the same condition; with ``numbers``, also a number written out (``lr=0.5``);
    None otherwise (data read from a file, a name the caller was given)."""
    scopes: list[ast.Module | ast.FunctionDef] = [tree]
    scopes += [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n is not fn]
    for scope in scopes:
        for stmt in scope.body:
            for call in _calls(stmt):
                if not (isinstance(call.func, ast.Name) and call.func.id == fn.name):
                    continue
                given = next((k.value for k in call.keywords if k.arg == name), None)
                if given is None and index < len(call.args) and not isinstance(call.args[index], ast.Starred):
                    given = call.args[index]
                if isinstance(given, ast.Name):
                    given = _assigned(scope.body, given.id, call.lineno)
                if given is not None and (_drawn_from(given, allowed) or (numbers and _number(given))):
                    return copy.deepcopy(given)
                return None
    return None


def _calls(node: ast.AST) -> list[ast.Call]:
    """The calls in ``node`` outside the functions and classes it defines (each its own scope)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
        return []
    own = [node] if isinstance(node, ast.Call) else []
    return own + [c for child in ast.iter_child_nodes(node) for c in _calls(child)]


def _assigned(body: list[ast.stmt], name: str, before: int) -> ast.expr | None:
    """The value of the last ``name = …`` of ``body`` above line ``before``."""
    found = None
    for stmt in body:
        if stmt.lineno >= before:
            break
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            found = stmt.value
    return found


def _number(node: ast.expr) -> bool:
    """Whether ``node`` is a number written out (``0.5``, ``-0.5``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _drawn_from(value: ast.expr, allowed: set[str]) -> bool:
    """Whether every name ``value`` reads is ``allowed`` or a builtin (so it can be evaluated anew)."""
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    return bool(names) and names <= allowed | set(dir(builtins))
