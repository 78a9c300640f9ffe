"""A forward pass's switch between training and inference (``predict(x, train_flg=False)``).

Batch normalisation and dropout compute another function in training mode: the batch's own statistics,
a mask of dropped units. A gradient is taken in training mode (Saito, *Deep Learning from Scratch*,
§6.3–6.4: ``gradient`` runs ``self.loss(x, t, train_flg=True)`` while ``predict(x, train_flg=False)``
serves inference), so the forward pass a gradient is checked against is the training one, unless a
forward pass of the file draws random numbers (a dropout mask): a training-mode forward is then another
network at every call, and the check keeps the inference forward, against which such a gradient is found
to change with the seed and refused (:func:`draws_in_forward`).
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from verification.reading.source_trees import source_tree

TRAINING_FLAG = re.compile(r"^(train_?flg|train_?flag|training|is_training|train_mode|train)$", re.I)
"""The name of an argument that switches training mode on."""


def training_arguments(fn: Any) -> dict[str, bool]:
    """``{flag: True}`` for each argument of the forward ``fn`` that switches training mode on
    (:data:`TRAINING_FLAG`), required or defaulting to off (``forward(x, is_training=False)``): the
    backward reads what the training forward makes (a dropout mask, the batch's statistics)."""
    try:
        found = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return {}
    return {p.name: True for p in found if TRAINING_FLAG.match(p.name) and p.default in (p.empty, False)}


FORWARDS = re.compile(r"forward|predict|__call__|fprop|feed", re.I)
"""The methods of a forward pass."""


def draws_in_forward(cls: type) -> bool:
    """Whether a forward method of a class of ``cls``'s module calls a random generator
    (``np.random.rand(*x.shape) > self.ratio``, ``rng.binomial``, ``random.random()``)."""
    module = inspect.getmodule(cls)
    tree = source_tree(module) if module is not None else None
    for fn in ast.walk(tree) if tree is not None else []:
        if isinstance(fn, ast.FunctionDef) and FORWARDS.search(fn.name):
            calls = [ast.unparse(c.func) for c in ast.walk(fn) if isinstance(c, ast.Call)]
            if any(re.search(r"\brandom\b|\brng\b|binomial|dropout", c, re.I) for c in calls):
                return True
    return False


def training_mode(params: list[inspect.Parameter], obj: Any) -> str:
    """``, train_flg=True`` for a forward pass whose training switch (:data:`TRAINING_FLAG`) is off by
    default (``False`` or ``None``), unless a forward pass of the file draws random numbers
    (:func:`draws_in_forward`); ``""`` for any other."""
    flag = next((p for p in params if TRAINING_FLAG.match(p.name) and p.default in (False, None)), None)
    return f", {flag.name}=True" if flag is not None and not draws_in_forward(type(obj)) else ""
