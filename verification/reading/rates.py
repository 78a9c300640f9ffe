"""The learning rate of a script's training loop, read off its syntax tree.

An update in place multiplies the gradient by it (``W -= lr * dW``, ``W1 += -Config.epsilon * dW1``:
:func:`loop_rate`); a loop that drives objects hands it to them by keyword
(``layer.update_parameters(gradient_step=gradient_step)``: :func:`rate_given`). A loop that updates
each weight at a rate of its own (``w1 -= 15.0 * grad_1``; ``w2 -= 10.0 * grad_2``) is read with one
name for every such rate (:func:`one_rate`), so that every gradient is read at its own rate. Nothing is
run here.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable

from verification.reading import conventions as cv
from verification.reading.top_level_names import iterated_lists, name_of

STEP_SIZE = re.compile(r"^(epsilon|eps|step_?size|l_?rate)$", re.I)
"""Names of a learning rate outside :data:`~verification.reading.conventions.LR_NAMES`, taken as the rate
only where they multiply a gradient in an update (``epsilon`` is more often a small constant)."""


def loop_rate(
    exprs: list[ast.expr], assigned: set[str], constants: dict[str, float] | None = None
) -> str | None:
    """The learning rate an update multiplies by: a constant or a top-level name named like a rate
    (``lr * g``, ``rate * h.T @ d``, ``-LEARNING_RATE * dW``, ``lr / m * dW``), or the number a name
    like a rate is given in the step itself (``constants``: ``learning_rate = 0.1`` between the
    backward pass and the update of a one-step script)."""
    for e in exprs:
        if isinstance(e, ast.Call):  # W2 = step(W2, dW2, learning_rate): the rate handed to the step
            handed = [
                a.id for a in e.args if isinstance(a, ast.Name) and a.id.lower() in cv.lower(cv.LR_NAMES)
            ]
            if handed and handed[0] in assigned:
                return handed[0]
        for node in ast.walk(e):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                for side, other in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(side, ast.UnaryOp) and isinstance(side.op, ast.USub):
                        side = side.operand
                    if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Div):
                        side = side.left  # lr / m * dW1: the rate, over the batch's size
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
                    if isinstance(side, ast.Name) and side.id.lower() in cv.lower(cv.LR_NAMES):
                        if side.id in (constants or {}):
                            return repr((constants or {})[side.id])
                    if (  # W1 += -epsilon * dW1: a step size by another name, scaling a gradient
                        isinstance(side, ast.Name)
                        and STEP_SIZE.match(side.id)
                        and side.id in assigned
                        and isinstance(other, ast.Name)
                        and cv.gradient_stem(other.id) != other.id
                    ):
                        return side.id
                    if (
                        isinstance(side, ast.Attribute)
                        and isinstance(side.value, ast.Name)
                        and (
                            side.attr.lower() in cv.lower(cv.LR_NAMES)
                            or (isinstance(other, ast.Name) and cv.gradient_stem(other.id) != other.id)
                        )
                    ):
                        return ast.unparse(side)  # Config.epsilon * dW1: a settings class's rate
    return None


def rate_given(body: list[ast.stmt], objects: list[str], assigned: set[str]) -> str | None:
    """The learning rate a loop that drives objects hands them by keyword
    (``layer.update_parameters(gradient_step=gradient_step)``), or by position as a name that says so
    (``layer.backward(grad, learning_rate)``, also to each item of a list of them): a number or a
    top-level name, the same in every such call; or the attribute an update of the objects' weights
    multiplies by (``net.W2 -= net.lr * dW2``); None otherwise."""
    driven = set(objects) | set(iterated_lists(body, set(objects)))
    calls = [
        n
        for s in body
        for n in ast.walk(s)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and name_of(n.func.value) in driven
    ]
    found = {
        ast.unparse(k.value)
        for n in calls
        for k in n.keywords
        if k.arg is not None
        and cv.role(k.arg, 1) == "lr"
        and (
            (isinstance(k.value, ast.Constant) and isinstance(k.value.value, int | float))
            or (isinstance(k.value, ast.Name) and k.value.id in assigned)
        )
    }
    found |= {
        a.id
        for n in calls
        for a in n.args
        if isinstance(a, ast.Name) and a.id in assigned and cv.role(a.id, 1) == "lr"
    }
    found |= {  # net.W2 -= net.lr * dW2: the rate the object keeps
        ast.unparse(f)
        for s in body
        for n in ast.walk(s)
        if isinstance(n, ast.AugAssign)
        and isinstance(n.target, ast.Attribute)
        and isinstance(n.value, ast.BinOp)
        for f in (n.value.left, n.value.right)
        if isinstance(f, ast.Attribute) and name_of(f.value) in driven and cv.role(f.attr, 1) == "lr"
    }
    return found.pop() if len(found) == 1 else None


def one_rate(stmts: list[ast.stmt], name: str = "lr") -> tuple[list[ast.stmt], list[float]] | None:
    """``stmts`` with the constant rate of every update in place (``w -= c * g``, ``w += -c * g``)
    replaced by ``name``, and the rates, when the updates use more than one; None when they use one rate
    or none (the rate is then read as :func:`loop_rate` reads it)."""
    rates: list[float] = []

    def rate_of(node: ast.AST) -> ast.Constant | None:
        value = node.value if isinstance(node, ast.AugAssign) else None
        if not (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Sub | ast.Add)):
            return None
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            value = value.operand
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
            for side in (value.left, value.right):
                if isinstance(side, ast.UnaryOp) and isinstance(side.op, ast.USub):
                    side = side.operand
                if isinstance(side, ast.Constant) and isinstance(side.value, int | float) and side.value != 2:
                    return side
        return None

    for s in stmts:
        for node in ast.walk(s):
            found = rate_of(node)
            if found is not None and isinstance(found.value, int | float) and found.value not in rates:
                rates.append(float(found.value))
    if len(rates) < 2:
        return None
    return [ast.fix_missing_locations(_Named(rate_of, name).visit(copy.deepcopy(s))) for s in stmts], rates


class _Named(ast.NodeTransformer):
    """Replaces the rate constant of each update (found by ``rate_of``) with the name ``name``."""

    def __init__(self, rate_of: Callable[[ast.AST], ast.Constant | None], name: str) -> None:
        self.rate_of, self.name = rate_of, name

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AugAssign:
        constant = self.rate_of(node)
        if constant is not None:
            node.value = _Swap(constant, self.name).visit(node.value)
        return node


class _Swap(ast.NodeTransformer):
    def __init__(self, constant: ast.Constant, name: str) -> None:
        self.constant, self.name = constant, name

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        return ast.copy_location(ast.Name(self.name, ast.Load()), node) if node is self.constant else node
