"""An argument named like the labels that is the upstream gradient (``backward(self, y)`` of a layer).

A layer's backward takes the gradient of the loss with respect to its output; some code names it ``y``
(``def backward(self, y): return np.dot(y, self.w.T)``), the name a network's ``backward(self, y)`` gives
its labels. The method tells which (:func:`passed_back`): labels are compared with an output or index it;
an upstream gradient is only multiplied, reshaped or transposed and handed back. Nothing is run: the
syntax tree is read.

A class whose forward pass multiplies by two or more of its own weights (``X @ self.W1`` … ``h @
self.W2``) is a network, not one layer, and its backward's one argument is then the labels unless it is
named like a gradient (:func:`network_labels`): ``backward(self, Y)`` doing ``dp = -Y / self.p`` or
``backward(self, counts)`` handing ``poisson_grad(self.rate, counts)`` on is passed back as a layer's
upstream gradient would be, but the class is no layer.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading.conventions import LR_NAMES
from verification.reading.desired_outputs import unsubscripted
from verification.reading.source_trees import source_tree


def passed_back(fn: Any) -> bool:
    """Whether the first argument of the method ``fn`` (the only one, or beside a learning rate) is an
    upstream gradient whatever its name says: a layer's ``backward(self, y)`` or ``backward(self, y,
    lr)`` that only multiplies, reshapes or transposes it and returns what it makes of it (``return
    np.dot(y, self.w.T)``, ``return np.multiply(y, self.x * (1 - self.x))``).
    Labels are compared with an output (``self.out - y``, ``1 - y``), picked by (``p[range(n), y]``) or
    tested, never only handed back: any of these, or a return that does not use it, says labels."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef) or len(first.args.args) < 2:
        return False
    if any(a.arg.lower() not in LR_NAMES for a in first.args.args[2:]):
        return False  # backward(self, y, lr): a rate beside it, the layer updating itself
    name = first.args.args[1].arg
    made = {name}  # the names bound to what the method makes of it (g = y * mask; dx[i] += g; return dx)
    for node in ast.walk(first):
        if isinstance(node, ast.Assign | ast.AugAssign) and _reads(node.value, made):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            made |= {t.id for t in (unsubscripted(t) for t in targets) if isinstance(t, ast.Name)}
    for node in ast.walk(first):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            sides = [node.left, node.right]  # self.out - y, never W - lr * x.T @ y (an update)
        else:
            sides = [node.value] if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Sub) else []
        if any(_reads(unsubscripted(side), {name}) and _direct(side) for side in sides):
            return False
        if isinstance(node, ast.Compare) and _reads(node, {name}):
            return False
        if isinstance(node, ast.Subscript) and _reads(node.slice, {name}):
            return False
    returns = [n for n in ast.walk(first) if isinstance(n, ast.Return) and n.value is not None]
    return bool(returns) and all(_reads(r.value, made) for r in returns if r.value is not None)


GRADIENT_NAME = re.compile(
    r"^(d\w*|grad\w*|g|gy|delta\w*|err\w*|upstream\w*|\w*_?grad(ient)?s?|\w*_?errors?|\w*_?diff|\w*_?deltas?)$",
    re.I,
)
"""Names of an upstream gradient (``dout``, ``grad_output``, ``delta``, ``output_error``, ``top_diff``)."""


def network_labels(forward: Any, backward: Any) -> bool:
    """Whether ``backward``'s first argument is a network's labels: ``forward`` multiplies by two or more
    weights of ``self`` it does not itself assign (:func:`own_weights`), and the argument is not named
    like a gradient (:data:`GRADIENT_NAME`)."""
    tree = source_tree(backward)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef) or len(first.args.args) < 2:
        return False
    return len(own_weights(forward)) >= 2 and not GRADIENT_NAME.match(first.args.args[1].arg)


def own_weights(forward: Any) -> set[str]:
    """The attributes of ``self`` that ``forward`` multiplies by (``@``, ``np.dot``, ``np.matmul``) and
    does not assign: its weights (``self.W1``), never a value it keeps (``self.h``)."""
    tree = source_tree(forward)
    if tree is None:
        return set()
    kept = {
        t.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign | ast.AugAssign)
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(t, ast.Attribute)
    }
    operands: list[ast.expr] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
            operands += [n.left, n.right]
        elif isinstance(n, ast.Call) and getattr(n.func, "attr", "") in ("dot", "matmul"):
            operands += [*n.args, *([n.func.value] if isinstance(n.func, ast.Attribute) else [])]
    return {
        o.attr
        for o in operands
        for o in [o.value if isinstance(o, ast.Attribute) and o.attr == "T" else o]
        if isinstance(o, ast.Attribute) and isinstance(o.value, ast.Name) and o.value.id == "self"
    } - kept


def _direct(side: ast.expr) -> bool:
    """Whether ``side`` of a difference is an argument itself, picked (``y[i]``) or converted."""
    return isinstance(unsubscripted(side), ast.Name)


def _reads(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))
