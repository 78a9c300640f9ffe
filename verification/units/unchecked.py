"""Gradient functions a check of units leaves out, named so the report does not read as the whole file.

A file of units is checked unit by unit: each backward against its forward's Jacobian. A script whose
network lives in module-level arrays and whose gradients are functions of no arguments (``dw1()``,
``dw2()`` reading globals) has no forward to hold them against, so only its activation pair is a unit.
"Checked 1 unit: 1 matches" would then be read as a verdict on the script; :func:`unchecked_gradients`
names the functions that compute gradients and were not checked, for the report's head and its JSON.
"""

from __future__ import annotations

import inspect
import re

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
