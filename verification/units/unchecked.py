"""Gradient functions a check of units leaves out, named so the report does not read as the whole file;
and containers built empty, which a check of units must leave out too.

A file of units is checked unit by unit: each backward against its forward's Jacobian. A script whose
network lives in module-level arrays and whose gradients are functions of no arguments (``dw1()``,
``dw2()`` reading globals) has no forward to hold them against, so only its activation pair is a unit.
"Checked 1 unit: 1 matches" would then be read as a verdict on the script; :func:`unchecked_gradients`
names the functions that compute gradients and were not checked, for the report's head and its JSON.

A container of layers (``Sequential(*layers)``) built with no arguments holds an empty list: its forward
returns its input and its backward the gradient it is given, which "matches" the identity's Jacobian
exactly and says nothing of any layer; :func:`empty_container` names it, for a refusal.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np

from verification.reading.loader import LoadedScript
from verification.units.run import UnitResult

GRADIENT_FUNCTION = re.compile(
    r"^_*(d_?(w|b|weights?|bias(es)?|theta|params?)\w*|(grad|gradient)s?(_\w+)?|\w*backward\w*|\w*backprop\w*"
    r"|\w*_grad(ient)?s?)$",
    re.IGNORECASE,
)
"""Names of a function that computes a parameter's gradient or a backward pass (``dw1``, ``d_weights``,
``grad_W``, ``backprop``, ``layer_backward``, ``compute_grads``); an activation's derivative
(``sigmoid_prime``, ``relu_backward`` of a pair) is a unit and checked as one."""


def empty_container(layer: Any, x: Any, out: Any) -> str | None:
    """Why ``layer``, built, holds nothing to check: its forward gave back its input ``x`` unchanged as
    ``out`` and it holds an empty list or tuple (``self.layers = []``); None otherwise."""
    empty = [k for k, v in vars(layer).items() if isinstance(v, list | tuple) and not v]
    if not empty or np.shape(out) != np.shape(x) or not np.array_equal(out, x):
        return None
    return (
        f"returns its input unchanged, built with its {empty[0]} empty: a container of no layers, whose "
        "check would prove nothing (check the function or file that fills it)"
    )


def unchecked_gradients(script: LoadedScript, results: list[UnitResult]) -> list[str]:
    """The functions defined in ``script`` named like gradients (:data:`GRADIENT_FUNCTION`) that no unit
    checked covers as its forward or its backward, in the file's order."""
    covered: set[str] = set()
    for r in results:
        for text in (r.forward, r.backward):
            covered |= set(re.findall(r"[A-Za-z_]\w*", text or ""))
    names = []
    for name, value in vars(script.module).items():
        if not inspect.isfunction(value) or name in covered or not GRADIENT_FUNCTION.match(name):
            continue
        if value.__module__ != script.module.__name__:
            continue  # imported from a module beside it
        names.append(name)
    return names
