"""The sign of the output error a class hands its own backward pass, read at the call sites.

A backward that takes the output error (``backward(self, x, error)``) is given ``a − y`` or ``y − a``
by the class's own training code (``self.backward(X, y - output)``). Which one decides whether an
update it adds (``W += lr · dW``) descends the loss or climbs it, so the sign is read where the class
calls the method, not guessed from the update alone; :func:`error_sign` gives it.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from verification.reading import conventions as cv
from verification.reading.source_trees import source_tree


def error_sign(cls: type, method: str, parameter: str, position: int) -> int | None:
    """+1 when every call of ``method`` in the source of ``cls`` (``self.method(…)``) hands its error
    argument (``parameter``, at ``position`` after ``self``) as ``labels − output`` (``y - output``, or
    a name assigned only that in the class), −1 when every one hands ``output − labels``, None when no
    call says (no call, other expressions, or calls that disagree).

    Parameters
    ----------
    cls : type
    method : str
    parameter : str
        The name of the error argument.
    position : int
        Its position among the arguments a call passes (``self`` not counted).
    """
    tree = source_tree(cls)
    nodes = list(ast.walk(tree)) if tree is not None else []
    named: dict[str, set[int | None]] = {}  # error = output - y; self.backward(X, error)
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            named.setdefault(node.targets[0].id, set()).add(_sign(node.value))
    signs = set()
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != method or not (
            isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
        ):
            continue
        given = next((k.value for k in node.keywords if k.arg == parameter), None)
        given = given if given is not None or position >= len(node.args) else node.args[position]
        if isinstance(given, ast.Name) and len(named.get(given.id, ())) == 1:
            signs |= named[given.id]
        else:
            signs.add(_sign(given))
    return signs.pop() if len(signs) == 1 else None


def called_error_sign(cls: type, method: str, params: list[inspect.Parameter]) -> int | None:
    """:func:`error_sign` of the argument of ``method`` (its ``params``, ``self`` left out) whose name
    says it is the error; None when none does."""
    at = next((i for i, p in enumerate(params) if cv.role(p.name, i) == "error"), None)
    return None if at is None else error_sign(cls, method, params[at].name, at)


def _sign(expr: Any) -> int | None:
    """+1 for ``y − a``, −1 for ``a − y`` (by the names' roles), None for anything else."""
    if not (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Sub)):
        return None
    left, right = (_role(side) for side in (expr.left, expr.right))
    if left == "y" and right == "output":
        return 1
    if left == "output" and right == "y":
        return -1
    return None


def _role(expr: ast.expr) -> str | None:
    name = expr.attr if isinstance(expr, ast.Attribute) else expr.id if isinstance(expr, ast.Name) else None
    if name is None:
        return None
    role = cv.role(name, 1)
    return "output" if name.lower() in cv.lower(cv.OUTPUT_ARGS) else role
