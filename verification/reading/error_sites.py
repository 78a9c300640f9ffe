"""What a class hands its own backward pass as the output error, read at the call sites.

A backward that takes the output error (``backward(self, x, error)``) is given ``a − y`` or ``y − a``
by the class's own training code (``self.backward(X, y - output)``). Which one decides whether an
update it adds (``W += lr · dW``) descends the loss or climbs it, so the sign is read where the class
calls the method, not guessed from the update: :func:`error_sign` reads plain differences of the
labels and the output (``y - out``, ``np.subtract(y, out)``, ``-(out - y)``, the forward's own call
``y - self.forward(X)``), through names and attributes assigned them anywhere in the class
(``self.err = self.output - y`` in another method; ``error *= -1`` flips it), and the labels handed
where the method names an error (``backprop(X, err)`` called with ``y``). An attribute named like the
output is the output only when the forward pass returns it: ``self.output = h @ W2`` beside ``return
sigmoid(self.output)`` holds the pre-activation. A call it cannot read (a
helper's return value, a scaled or thresholded difference), or calls that disagree, make the sign
:data:`UNREAD`: the verdict would rest on a guess, so the check is refused as ambiguous.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable
from typing import Any

from verification.reading import conventions as cv
from verification.reading.source_trees import source_tree

UNREAD = 0
"""The class calls the method, but no sign can be read from the calls (or they disagree)."""
LABELS = 2
"""The class hands the labels themselves where the method names an error."""


def error_sign(
    cls: type, method: str, parameter: str, position: int, forwards: Iterable[str] = ()
) -> int | None:
    """What the calls ``self.method(…)`` in the source of ``cls`` hand as the argument ``parameter``
    (at ``position``, ``self`` not counted): +1 for ``labels − output`` at every call, −1 for
    ``output − labels``, :data:`LABELS` for the labels, :data:`UNREAD` when some call cannot be read
    or the calls disagree, None when the class never calls the method.

    Parameters
    ----------
    cls : type
    method : str
    parameter : str
        The name of the error argument.
    position : int
        Its position among the arguments a call passes.
    forwards : iterable of str
        Methods whose call is the output (the forward pass the check runs): ``y - self.forward(X)``.
    """
    tree = source_tree(cls)
    nodes = list(ast.walk(tree)) if tree is not None else []
    reader = _Reader(nodes, set(forwards))
    signs: set[int | None] = set()
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != method or not (
            isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
        ):
            continue
        given = next((k.value for k in node.keywords if k.arg == parameter), None)
        if given is None and position < len(node.args):
            given = node.args[position]
        if given is not None:  # a call that leaves the argument to its default hands no error
            signs.add(reader.sign(given))
    if not signs:
        return None
    return signs.pop() if len(signs) == 1 and None not in signs else UNREAD


def called_error_sign(
    cls: type, method: str, params: list[inspect.Parameter], forwards: Iterable[str] = ()
) -> tuple[str, int | None] | None:
    """The argument of ``method`` (its ``params``, ``self`` left out) whose name says it is the error,
    and :func:`error_sign` of it; None when no argument is named so."""
    at = next((i for i, p in enumerate(params) if cv.role(p.name, i) == "error"), None)
    return None if at is None else (params[at].name, error_sign(cls, method, params[at].name, at, forwards))


class _Reader:
    """Signs of expressions, through the names and ``self`` attributes the class assigns."""

    def __init__(self, nodes: list[ast.AST], forwards: set[str]) -> None:
        self.forwards = forwards
        self.assigned: dict[str, list[ast.expr]] = {}
        self.flips: dict[str, int] = {}
        self.touched: set[str] = set()  # changed in place otherwise: unreadable
        self.kept, self.returned = _forward_keys(nodes, forwards)
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and (key := _key(node.targets[0])):
                self.assigned.setdefault(key, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and (key := _key(node.target)):
                minus_one = isinstance(node.op, ast.Mult) and _constant(node.value) == -1
                if minus_one:
                    self.flips[key] = self.flips.get(key, 0) + 1
                else:
                    self.touched.add(key)

    def sign(self, expr: ast.expr, depth: int = 0) -> int | None:
        if depth > 4:
            return None
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            inner = self.sign(expr.operand, depth + 1)
            return -inner if inner in (1, -1) else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Sub):
            return _difference(self.role(expr.left), self.role(expr.right))
        if (
            isinstance(expr, ast.Call)
            and _called(expr) in ("np.subtract", "numpy.subtract")
            and len(expr.args) == 2
        ):
            return _difference(self.role(expr.args[0]), self.role(expr.args[1]))
        if isinstance(expr, ast.Call) and _loss_derivative(expr):
            return -1  # mse_prime(y, out): ∂ℓ/∂a, the sign of a − y
        key = _key(expr)
        if key is not None and key in self.assigned and key not in self.touched:
            found = {self.sign(v, depth + 1) for v in self.assigned[key]}
            if len(found) == 1 and (s := found.pop()) in (1, -1):
                return s * (-1) ** self.flips.get(key, 0)
            return None
        if self.role(expr) == "y":
            return LABELS
        return None

    def role(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Subscript):  # y[i:i + 1], one sample of the labels
            return self.role(expr.value)
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in self.forwards
        ):
            return "output"  # y - self.forward(X): the output the check runs
        key = _key(expr)
        values = self.assigned.get(key, []) if key is not None else []
        called = [
            v.func.attr for v in values if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute)
        ]
        if called:  # out = self.forward(X) is the output; out = self.predict(X) may round it
            return "output" if all(c in self.forwards for c in called) else None
        if key in self.kept and self.returned and key not in self.returned:
            return None  # self.output = h @ W2; return sigmoid(self.output): not what the forward gives
        name = (
            expr.attr if isinstance(expr, ast.Attribute) else expr.id if isinstance(expr, ast.Name) else None
        )
        if name is None:
            return None
        if name.lower() in cv.lower(cv.OUTPUT_ARGS):
            return "output"
        if cv.role(name, 1) == "y" or (name[-1:] == "i" and cv.role(name[:-1].rstrip("_"), 1) == "y"):
            return "y"  # yi, y_i: a sample's labels in a loop
        return None


LOSS_DERIVATIVE_FUNCTION = re.compile(
    r"^(loss|cost|mse|bce|ce|nll|cross_?entropy|log_?loss|sse|quadratic)_?(prime|grad|gradient|derivative|deriv)$",
    re.I,
)
"""Functions named for a loss's derivative (``mse_prime``, ``loss_grad``, ``cross_entropy_derivative``)."""


def _loss_derivative(call: ast.Call) -> bool:
    """A call of a function named for a loss's derivative (:data:`LOSS_DERIVATIVE_FUNCTION`,
    ``mse_prime(y, out)``): its value is ``∂ℓ/∂a`` of the loss its name says, so it is handed as ``a − y``
    is. A method of a loss object the training is handed (``loss_fn.grad(out, y)``) is not read so: which
    loss it is is unknown, and the training method is checked with the project's loss class in its place,
    or the check is refused."""
    return isinstance(call.func, ast.Name) and bool(LOSS_DERIVATIVE_FUNCTION.match(call.func.id))


def _forward_keys(nodes: list[ast.AST], forwards: set[str]) -> tuple[set[str], set[str | None]]:
    """The names and ``self`` attributes the forward methods assign, and what they return (a key, or
    None for any other expression)."""
    kept: set[str] = set()
    returned: set[str | None] = set()
    for fn in nodes:
        if not (isinstance(fn, ast.FunctionDef) and fn.name in forwards):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                kept |= {k for t in node.targets if (k := _key(t)) is not None}
            elif isinstance(node, ast.Return) and node.value is not None:
                returned.add(_key(node.value))
    return kept, returned


def _difference(left: str | None, right: str | None) -> int | None:
    if (left, right) == ("y", "output"):
        return 1
    if (left, right) == ("output", "y"):
        return -1
    return None


def _key(expr: ast.expr) -> str | None:
    """``name`` for a name, ``self.name`` for an attribute of ``self``; None otherwise."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return f"self.{expr.attr}"
    return None


def _called(call: ast.Call) -> str:
    f = call.func
    return f"{f.value.id}.{f.attr}" if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""


def _constant(expr: ast.expr) -> Any:
    if (
        isinstance(expr, ast.UnaryOp)
        and isinstance(expr.op, ast.USub)
        and isinstance(expr.operand, ast.Constant)
    ):
        value = expr.operand.value
        return -value if isinstance(value, int | float) else None
    return expr.value if isinstance(expr, ast.Constant) else None
