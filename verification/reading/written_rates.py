"""A learning rate written in a method's source: a local constant, the factor of its updates, or a
number it hands on to the calls that update the weights.

A network that composes layer objects often updates in each layer's backward pass, and its own
backward pass hands the rate on by keyword: ``layer.backward(dz, learning_rate=LEARNING_RATE)``, with
``LEARNING_RATE`` a number of its module (imported from a ``config.py`` beside it). The step's scale is
that number; without it every verdict is only up to the learning rate. :func:`handed_rate` reads it.

Nothing here runs the code: the source is parsed with :mod:`ast`, and the name is looked up among the
method's module-level globals.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from verification.reading.conventions import role
from verification.reading.source_trees import source_tree
from verification.reading.updates import local_learning_rate, update_rate


def written_rate(method: Any) -> tuple[str | None, list[str]]:
    """The learning-rate expression written in ``method`` and a note of where it was read, tried in turn:
    a local constant (``learn_rate = 0.1``, :func:`verification.reading.updates.local_learning_rate`),
    the one factor of its in-place updates (``self.W2 -= 0.1 * g``, :func:`verification.reading.updates.
    update_rate`), a number handed on by keyword (:func:`handed_rate`), the default of the argument that
    factor is (``epsilon=0.01``, the update ``self.W += -epsilon * dW``); ``(None, [])`` when none is."""
    name = getattr(method, "__name__", "")
    local = local_learning_rate(method)
    if local is not None:
        return repr(local[0]), [f"learning rate {local[0]:g} read from line {local[1]} of {name}"]
    written = update_rate(method, {})
    if written is not None:
        return written, [f"learning rate {written} read from the update in {name}"]
    handed = handed_rate(method)
    if handed is not None:  # layer.backward(dz, learning_rate=LEARNING_RATE)
        return repr(handed[0]), [f"learning rate {handed[0]:g} read from {handed[1]} in {name}"]
    defaults = numeric_defaults(method)
    factor = _default_factor(method, defaults)
    if factor is not None:  # def train(self, X, y, epsilon=0.01): … self.W += -epsilon * dW
        value = defaults[factor]
        return repr(value), [
            f"learning rate {value:g}: the default of {name}'s argument {factor}, its updates' factor"
        ]
    return None, []


def numeric_defaults(fn: Any) -> dict[str, float]:
    """The arguments of ``fn`` whose default is a positive number (not a bool), by name."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {
        p.name: float(p.default)
        for p in params
        if isinstance(p.default, int | float) and not isinstance(p.default, bool) and p.default > 0
    }


def handed_rate(fn: Any) -> tuple[float, str] | None:
    """The learning rate ``fn`` hands on by keyword, and how it is written.

    Parameters
    ----------
    fn : function
        A method or function; its source is parsed and its ``__globals__`` consulted.

    Returns
    -------
    (float, str) or None
        The rate and the keyword argument as written (``learning_rate=LEARNING_RATE``), when every call in
        ``fn`` that hands a keyword named like a learning rate (:func:`verification.reading.conventions.
        role` ``lr``) hands the same module-level number (a constant, or a global name bound to an int or
        float that is not a bool); None otherwise.
    """
    tree = source_tree(fn)
    names = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    if tree is None:
        return None
    found: dict[float, str] = {}
    for node in ast.walk(tree):
        for kw in node.keywords if isinstance(node, ast.Call) else []:
            if kw.arg is None or role(kw.arg, 1) != "lr":
                continue
            value: Any = None
            if isinstance(kw.value, ast.Constant):
                value = kw.value.value
            elif isinstance(kw.value, ast.Name):
                value = names.get(kw.value.id)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                return None  # a rate handed as an argument, an attribute or an expression: not read here
            found[float(value)] = f"{kw.arg}={ast.unparse(kw.value)}"
    return next(iter(found.items())) if len(found) == 1 else None


def _default_factor(fn: Any, defaults: dict[str, float]) -> str | None:
    """The one argument of ``defaults`` that multiplies every in-place update of an attribute of the
    object in ``fn`` (``self.W[i] += -epsilon * dW``; a local such as ``dW += reg_lambda * self.W[i]`` is
    no update of the weights); None when there is none or more than one."""
    tree = source_tree(fn) if defaults else None
    found = set()
    for node in ast.walk(tree) if tree is not None else []:
        if not (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub)):
            continue
        target: ast.expr = node.target
        while isinstance(target, ast.Subscript | ast.Attribute):
            target = target.value
        if not (isinstance(target, ast.Name) and target.id == "self" and node.target is not target):
            continue
        value = node.value
        for side in (
            (value.left, value.right)
            if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult)
            else ()
        ):
            side = side.operand if isinstance(side, ast.UnaryOp) and isinstance(side.op, ast.USub) else side
            if isinstance(side, ast.Name) and side.id in defaults:
                found.add(side.id)
    return found.pop() if len(found) == 1 else None
