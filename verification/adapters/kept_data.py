"""The attributes a constructor keeps its data set in, and how the probes put their own data there.

A class in the style of the short tutorials (Trask, "A Neural Network in 11 lines of Python", 2015,
made into a class) keeps the training data it is given (``self.x = x``) and its forward and backward
passes take no argument. Many keep them transposed, one sample a column (``self.x = x.T``), or as a
copy (``np.array(x)``). :func:`kept_data` finds, after the setup ran, the array attributes that hold
a data set the setup bound, and says whether the probes put theirs there as given or transposed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verification.reading import conventions as cv


def _form(value: np.ndarray, given: Any) -> str | None:
    """``""`` when ``value`` holds the data set ``given`` as given, ``".T"`` when transposed."""
    if not isinstance(given, np.ndarray) or given.size < 2:
        return None
    if value is given or (value.shape == given.shape and np.array_equal(value, given)):
        return ""
    if given.ndim == 2 and value.shape == given.T.shape and np.array_equal(value, given.T):
        return ".T"
    return None


def kept_data(obj: Any, namespace: dict[str, Any], bound: list[str], kind: str) -> list[tuple[str, str]]:
    """``(attribute, form)`` of each array attribute of ``obj`` named like ``kind`` (``"x"`` inputs,
    ``"y"`` labels: :func:`verification.reading.conventions.role`) that holds a data set a name in
    ``bound`` refers to, as given (form ``""``) or transposed (form ``".T"``); the probe then runs
    ``obj.attribute = x`` (or ``= x.T``) before its forward pass."""
    position = 0 if kind == "x" else 1
    found = []
    for attribute, value in vars(obj).items():
        if not isinstance(value, np.ndarray) or cv.role(attribute, position) != kind:
            continue
        forms = [f for f in (_form(value, namespace.get(n)) for n in bound) if f is not None]
        if forms:
            found.append((attribute, forms[0]))
    return found


def label_attribute(obj: Any, namespace: dict[str, Any], bound: list[str]) -> str | None:
    """``"labels = y"`` (or ``"labels = y.T"``) for the attribute the constructor kept its labels in
    (:func:`verification.adapters.kept_data.kept_data`); None when it kept none."""
    return next((f"{a} = y{form}" for a, form in kept_data(obj, namespace, bound, "y")), None)


def input_attribute(obj: Any, namespace: dict[str, Any], bound: list[str]) -> str | None:
    """``"data = x"`` (or ``"x = x.T"``) for the attribute the constructor kept its inputs in, as
    :func:`label_attribute` for the labels; None when it kept none. Only a data set the setup bound
    under an inputs' name (``X_train``) counts, kept under an inputs' name (not ``b1``, which a name in
    the first place would make inputs)."""
    data = [n for n in bound if cv.role(n, 1) == "x"]
    kept = [(a, form) for a, form in kept_data(obj, namespace, data, "x") if cv.role(a, 1) == "x"]
    return next((f"{a} = x{form}" for a, form in kept), None)
