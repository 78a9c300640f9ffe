"""The gradients a training step names before it updates the weights with them.

A step whose update is no multiple of the gradient (AdaGrad, RMSprop, Adam: the gradient divided by a
running scale of itself; Duchi, Hazan & Singer 2011, Tieleman & Hinton 2012, Kingma & Ba 2015) keeps
state between calls, so no gradient can be read off its change. Such code usually names the gradient
of each weight first and updates with it::

    dw2 = ((o2 - t.T) * (1 - o2) * o2).dot(o1.T)
    cache2 += dw2 ** 2
    w2 += - rho * dw2 / (np.sqrt(cache2) + eps)

:func:`named_gradients` reads, for every weight the step updates, the one name its update reads that
the step computed before it, outside any running state: assigned plainly (never ``cache2 += …``, nor
``v = beta * v + …``, whose value at the first call is a multiple of the gradient, not the gradient),
and reads the sign it enters the change with (``w += -rho * dw`` and ``w -= lr * dw`` descend along
``dw``: it is the gradient; ``w += lr * dw`` ascends along it: it is minus the gradient). The factors
it is multiplied and divided by are taken as positive (a rate, a running scale's root); the names
among them are given (:attr:`NamedGradients.rates`) for the caller to read their signs where it can
(``eta = -0.01`` with ``W -= eta * grad`` ascends along ``grad``). Nothing is run here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NamedGradients:
    """What a step names as its gradients.

    Attributes
    ----------
    before : list of ast.stmt
        The step's statements before its first update of a weight: they compute the gradients.
    gradients : dict of str to str
        ``{weight: expression of its gradient}`` (``"dw2"``, or ``"-dw2"`` for a name the step ascends
        along), one per weight updated.
    """

    before: list[ast.stmt]
    gradients: dict[str, str]
    rates: dict[str, list[str]] = field(default_factory=dict)


def named_gradients(body: list[ast.stmt], weights: list[str]) -> NamedGradients | None:
    """The :class:`NamedGradients` of a step ``body`` that updates ``weights`` (see the module
    docstring); None unless every weight has exactly one such name, of a known sign."""
    first = next((k for k, s in enumerate(body) if updated_name(s) in weights), None)
    if first is None:
        return None
    before = body[:first]
    plain = {n for s in before for n in _plain(s)}
    running = {n for s in body for n in _running(s)}
    found: dict[str, str] = {}
    rates: dict[str, list[str]] = {}
    for s in body:
        weight = updated_name(s)
        if weight not in weights or weight in found:
            continue
        change = weight_change(s, weight)
        read = {n.id for n in ast.walk(change) if isinstance(n, ast.Name)} if change is not None else set()
        names = read & (plain - running - set(weights))
        if len(names) != 1:
            return None
        name = names.pop()
        sign = _sign(change, name) if change is not None else None
        if sign is None or change is None:
            return None
        found[weight] = name if sign < 0 else f"-{name}"
        rates[weight] = [ast.unparse(f) for f in _factors(change, name) if isinstance(f, ast.Name)]
    return NamedGradients(before, found, rates) if set(found) == set(weights) else None


def updated_name(stmt: ast.stmt) -> str | None:
    """The plain name ``stmt`` updates: ``w += …``, ``w -= …``, ``w = w - …``."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name = stmt.targets[0].id
        value = stmt.value
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add | ast.Sub):
            if isinstance(value.left, ast.Name) and value.left.id == name:
                return name
    return None


def weight_change(stmt: ast.stmt, weight: str) -> ast.expr | None:
    """The change ``stmt`` makes to ``weight``, as an expression (``-e`` for ``w -= e``)."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add | ast.Sub):
        value = stmt.value
        return value if isinstance(stmt.op, ast.Add) else ast.UnaryOp(ast.USub(), value)
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.BinOp):
        right = stmt.value.right
        return right if isinstance(stmt.value.op, ast.Add) else ast.UnaryOp(ast.USub(), right)
    return None


def _plain(stmt: ast.stmt) -> list[str]:
    """Names ``stmt`` assigns plainly (``dw2 = …``), never from themselves."""
    if not (
        isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
    ):
        return []
    name = stmt.targets[0].id
    reads = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}
    return [] if name in reads else [name]


def _running(stmt: ast.stmt) -> list[str]:
    """Names ``stmt`` accumulates: ``cache += …``, ``v = beta * v + …``."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name = stmt.targets[0].id
        return [name] if name in {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)} else []
    return []


def _sign(expr: ast.expr, name: str) -> int | None:
    """+1 or −1: the sign ``name`` enters ``expr`` with, through products, quotients (as the
    numerator), sums, differences and negations; None when it enters otherwise (a power, a call, a
    denominator) or more than once."""
    if isinstance(expr, ast.Name):
        return 1 if expr.id == name else None
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub | ast.UAdd):
        inner = _sign(expr.operand, name)
        return None if inner is None else (-inner if isinstance(expr.op, ast.USub) else inner)
    if isinstance(expr, ast.BinOp):
        left = _holds(expr.left, name)
        right = _holds(expr.right, name)
        if left == right:  # in neither side, or in both
            return None
        if isinstance(expr.op, ast.Mult | ast.Div) and (left or isinstance(expr.op, ast.Mult)):
            inner = _sign(expr.left if left else expr.right, name)
            return None if inner is None else inner * _factor_sign(expr.right if left else expr.left)
        if isinstance(expr.op, ast.Add | ast.Sub):
            inner = _sign(expr.left if left else expr.right, name)
            flip = isinstance(expr.op, ast.Sub) and right
            return None if inner is None else (-inner if flip else inner)
    return None


def _factors(expr: ast.expr, name: str) -> list[ast.expr]:
    """The factors ``name`` is multiplied or divided by on its way into ``expr`` (as :func:`_sign`)."""
    if isinstance(expr, ast.UnaryOp):
        return _factors(expr.operand, name)
    if not isinstance(expr, ast.BinOp):
        return []
    left = _holds(expr.left, name)
    inner, other = (expr.left, expr.right) if left else (expr.right, expr.left)
    own = [other] if isinstance(expr.op, ast.Mult | ast.Div) else []
    return own + _factors(inner, name)


def _factor_sign(expr: ast.expr) -> int:
    """−1 for a negated factor (``-rho``) or a negative number, else +1 (a rate, a root)."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return -_factor_sign(expr.operand)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int | float) and expr.value < 0:
        return -1
    return 1


def _holds(expr: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))
