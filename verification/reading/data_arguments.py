"""A constructor's data set, given data: ``NeuralNetwork(X, y, lr)`` that keeps its inputs and labels.

Code in the style of the short tutorials (Trask, "A Neural Network in 11 lines of Python", 2015, made
into a class) stores the training data in the object (``self.input = x``, ``self.y = y``) and reads its
shape for the weights (``x.shape[1]``); its forward and backward passes take no argument. Guessed as
sizes (``X=4``) such a class raises. :func:`data_guess` reads, without running anything, which arguments
are such data (named like inputs or labels, kept in an attribute or read as an array, and never a size)
and gives them a small data set; the probes put their own inputs in the attribute before every run
(:mod:`verification.adapters.forwards`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from verification.reading import conventions as cv
from verification.reading.expressions import Expression
from verification.reading.source_trees import source_tree

ARRAY_ATTRIBUTES = ("size", "shape", "ndim", "tolist", "astype")
"""Attributes of a numpy array a Python list lacks: a size list read through one is given as an array,
and a data argument read through one is data."""
DATA_INPUTS = Expression("(X_train := __import__('numpy').random.default_rng(0).standard_normal((6, 4)))")
"""A constructor's data set (``NeuralNetwork(X, y, lr)``): 6 samples of 4 features, as rows, bound to a
name too, so that the attribute the constructor keeps them in is found and the probes put their own
inputs there before every run."""
DATA_LABELS = (
    Expression("(y_train := __import__('numpy').eye(3)[__import__('numpy').arange(6) % 3])"),
    Expression("(y_train := (__import__('numpy').arange(6) % 2)[:, None] * 1.0)"),
)
"""Its labels: one-hot rows of 3 classes, then (code written for one output) a column of 0 and 1."""


DATA_NAMES = re.compile(
    r"^(x|y|data|dataset|x_?train|y_?train|train_?[xy]|targets?|labels?|training_?(data|inputs|labels|targets)"
    r"|inputs?_?data|input_?array|output_?array|features)$",
    re.I,
)
"""Names of a data set, never of a size (``input_layer``, ``inputNum`` and ``n_inputs`` are sizes)."""


def _kept_name(value: ast.expr) -> str | None:
    """The name a data set is kept from: ``x``, ``x.T``, ``np.array(x)``, ``np.asarray(x).T``,
    ``x.copy()``; None for any other expression."""
    if isinstance(value, ast.Attribute) and value.attr == "T":
        value = value.value
    if isinstance(value, ast.Call) and value.args and isinstance(value.func, ast.Attribute):
        if value.func.attr in ("array", "asarray", "matrix"):
            value = value.args[0]
    if isinstance(value, ast.Call) and not value.args and isinstance(value.func, ast.Attribute):
        if value.func.attr == "copy":
            value = value.func.value
    return value.id if isinstance(value, ast.Name) else None


def _pairs(node: ast.Assign) -> list[tuple[ast.expr, ast.expr]]:
    """``(target, value)`` of an assignment, a tuple assigned to a tuple of as many taken pairwise
    (``self.X, self.y = X, y``)."""
    out = []
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            if len(target.elts) == len(node.value.elts):
                out += list(zip(target.elts, node.value.elts, strict=True))
        else:
            out.append((target, node.value))
    return out


def data_guess(fn: Any, name: str, usage: Callable[[Any, str], str | None]) -> Expression | None:
    """:data:`DATA_INPUTS` or :data:`DATA_LABELS` for a constructor's argument named like a data set
    (:data:`DATA_NAMES`) of inputs or labels (:func:`verification.reading.conventions.role`) that it
    keeps in an attribute or reads as an array (``X.shape[1]``) and never as a size (``usage``,
    :func:`verification.reading.guesses.usage`, says how the code uses it); None for any other. An
    argument of inputs or labels read as an array (``self.inputs = inputs``, then
    ``self.inputs.shape[1]``) is data whatever its name: a size has no ``shape``."""
    kind = cv.role(name, 1)
    if not isinstance(fn, type) or kind not in ("x", "y"):
        return None
    tree = source_tree(vars(fn).get("__init__"))
    nodes = list(ast.walk(tree)) if tree is not None else []
    kept = {  # self.input_layer = X, self.x = x.T, self.x = np.array(x), self.X, self.y = X, y
        t.attr
        for n in nodes
        if isinstance(n, ast.Assign)
        for target, value in _pairs(n)
        if _kept_name(value) == name
        for t in [target]
        if isinstance(t, ast.Attribute)
    }
    shaped = any(  # X.shape[1], self.input_layer.shape[1]
        isinstance(n, ast.Attribute)
        and n.attr in ARRAY_ATTRIBUTES
        and (
            (isinstance(n.value, ast.Name) and n.value.id == name)
            or (isinstance(n.value, ast.Attribute) and n.value.attr in kept)
        )
        for n in nodes
    )
    if not shaped and (not kept or usage(fn, name) is not None or not DATA_NAMES.match(name)):
        return None
    return DATA_INPUTS if kind == "x" else DATA_LABELS[0]
