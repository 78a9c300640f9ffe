"""The methods of a network object that may be its training step: by name, then by what they take.

Most training methods carry a name that says so (``train``, ``fit``, ``learn``, ``update_mini_batch``:
:data:`~verification.reading.conventions.TRAIN_NAMES` and :data:`TRAIN_WORDS`). Others do not
(``learn_step``, ``optimize``, ``update_params``, ``iterate``, ``epoch``, ``run``); what marks them is
what they take and do: the inputs and the labels by their names, and an update in place of what the
object holds (``self.W -= …``, ``w[i] += …``), themselves or through a method of the object they call.
:func:`training_methods` lists the named ones first, then those. Nothing is run here.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading import conventions as cv
from verification.reading.desired_outputs import desired_outputs
from verification.reading.source_trees import source_tree
from verification.reading.top_level_names import methods_called

TRAIN_WORDS = ("train", "fit", "_gd", "sgd", "descent", "mini_batch", "adapt")
"""Words in the name of a training method beyond :data:`~verification.reading.conventions.TRAIN_NAMES`
(``batch_gd``, ``run_sgd``, ``gradient_descent``, ``partial_fit``, ``update_mini_batch``, ``adapt``)."""
NOT_TRAINING = re.compile(
    r"predict|evaluat|test|accura|score|loss|cost|error|forward|feed|plot|show|save|load"
)
"""Names of methods that take inputs and labels to measure or show, not to train."""


def _function(fn: Any) -> ast.FunctionDef | None:
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    return first if isinstance(first, ast.FunctionDef) else None


def _updates_in_place(first: ast.FunctionDef) -> bool:
    """``self.W -= …``, ``w[i] += …``, ``self.W = self.W - …``: an update in place in ``first``."""
    for node in ast.walk(first):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
            if isinstance(node.target, ast.Attribute | ast.Subscript):
                return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp):
            target = node.targets[0] if len(node.targets) == 1 else None
            if isinstance(target, ast.Attribute) and ast.dump(target) == ast.dump(node.value.left):
                return True
    return False


def _trains(obj: Any, name: str) -> bool:
    """Whether method ``name`` of ``obj`` takes the inputs and the labels by their names and updates
    in place, itself or through a method of the object it calls."""
    fn = getattr(obj, name, None)
    first = _function(fn) if callable(fn) else None
    if first is None or not first.args.args or NOT_TRAINING.search(name):
        return False
    desired = desired_outputs(fn)  # epoch(X, d) with e = d - y, or zip(X, d): the labels
    roles = {"y" if a.arg in desired else cv.role(a.arg, i) for i, a in enumerate(first.args.args[1:])}
    if not {"x", "y"} <= roles:
        return False
    called = methods_called(first, {first.args.args[0].arg})  # self.backprop(x, d)
    inner = [f for f in (_function(getattr(obj, c, None)) for c in called if c != name) if f is not None]
    return _updates_in_place(first) or any(_updates_in_place(f) for f in inner)


def training_methods(obj: Any) -> list[str]:
    """The methods of ``obj`` named like training (:data:`~verification.reading.conventions.TRAIN_NAMES`,
    then :data:`TRAIN_WORDS`), then the others that take the inputs and the labels and update in place
    (the module docstring), each once."""
    named = cv.methods_by_preference(obj, cv.TRAIN_NAMES, TRAIN_WORDS)
    others = [
        n
        for n in sorted(dir(type(obj) if not isinstance(obj, type) else obj))
        if not n.startswith("_") and n not in named and _trains(obj, n)
    ]
    return [*named, *others]


def forwards_itself(fn: Any, forward: str) -> bool:
    """Whether method ``fn`` calls the object's forward pass ``forward`` itself (``self.forward(X)``
    anywhere in its body): run as it is, with no forward pass before it, so that a step that reads what
    an earlier forward pass left (``self.backward(X, y)`` before ``self.forward(X)``) is checked as its
    training code runs it."""
    first = _function(fn) if callable(fn) else None
    if first is None or not first.args.args:
        return False
    me = first.args.args[0].arg
    return forward in methods_called(first, {me})
