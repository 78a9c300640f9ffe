"""Finite-difference gradients of a scalar loss with respect to named parameter arrays.

The loss is any callable ``f(params) -> float`` that takes a dict of parameter arrays (the names and
shapes of ``params``). Each entry ``w`` of each array is perturbed in turn in a copy; the caller's
arrays are never modified.

Central difference (Press et al., *Numerical Recipes*, 3rd ed., §5.7)::

    D(h) = (f(w + h) − f(w − h)) / (2h),        error  h² f'''(w) / 6 + O(ε |f| / h)

The step is ``h = ε^(1/3) · max(1, |w|)``, rounded so that ``(w + h) − w == h`` exactly (the step
actually taken is the one divided by). The error estimate of each entry is the sum of

* truncation: ``|D(h) − D(2h)| / 3``, since ``D(2h) − D(h) ≈ 3 · h² f''' / 6``;
* rounding: ``ε · max(|f(w ± h)|, |f(w ± 2h)|) / h``, the cancellation error of the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, check_finite

Array = NDArray[Any]
LossFunction = Callable[[dict[str, Array]], Any]


@dataclass(frozen=True)
class NumericGradient:
    """A finite-difference gradient with its error estimate.

    Attributes
    ----------
    gradient : dict of str to ndarray
        ``∂f/∂w`` per parameter, same shapes as the parameters, float64.
    error_estimate : dict of str to ndarray
        Estimated absolute error of each entry of ``gradient`` (same units as the gradient).
    step : dict of str to ndarray
        The step ``h`` used for each entry.
    method : str
        Name of the difference scheme.
    evaluations : int
        Number of loss evaluations spent.
    """

    gradient: dict[str, Array]
    error_estimate: dict[str, Array]
    step: dict[str, Array]
    method: str
    evaluations: int


def as_parameters(params: Mapping[str, Any]) -> dict[str, Array]:
    """Copy ``params`` into float64 arrays, checking that each is numeric, non-empty and finite.

    Raises
    ------
    InputError
        Naming the parameter that is empty, not numeric or not finite.
    """
    if not params:
        raise InputError("params is empty: give at least one named parameter array")
    out: dict[str, Array] = {}
    for name, value in params.items():
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"parameter {name} is not a real numeric array: {exc}") from None
        if arr.size == 0:
            raise InputError(f"parameter {name} is empty (shape {arr.shape})")
        check_finite(f"parameter {name}", arr)
        out[str(name)] = arr
    return out


def central_step(w: Array) -> Array:
    """Central-difference steps for the entries ``w`` (float64): ``ε^(1/3) · max(1, |w|)``, made exact.

    Returns
    -------
    ndarray, same shape as ``w``
        Steps ``h > 0`` with ``(w + h) − w == h`` in floating point.
    """
    eps = np.finfo(np.float64).eps
    h = eps ** (1 / 3) * np.maximum(1.0, np.abs(w))
    return (w + h) - w


def _scalar(f: LossFunction, params: dict[str, Array]) -> float:
    value = f(params)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"the loss must return a real scalar, got {type(value).__name__}") from None
    if not np.isfinite(out):
        raise InputError(f"the loss returned a non-finite value {out}")
    return out


def central_difference(f: LossFunction, params: Mapping[str, Any]) -> NumericGradient:
    """Central-difference gradient of ``f`` with an error estimate for every entry.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``, the loss at the parameters (dict of str to ndarray, float64).
    params : mapping of str to array_like
        Where to differentiate; any shapes.

    Returns
    -------
    NumericGradient
        Spends ``4 · n_entries + 1`` evaluations of ``f``.

    Raises
    ------
    InputError
        If a parameter is empty or not finite, or ``f`` returns something that is not a finite real.
    """
    base = as_parameters(params)
    f0 = _scalar(f, base)
    gradient: dict[str, Array] = {}
    estimate: dict[str, Array] = {}
    steps: dict[str, Array] = {}
    evaluations = 1
    eps = np.finfo(np.float64).eps
    for name, w in base.items():
        h = central_step(w)
        g = np.empty_like(w)
        e = np.empty_like(w)
        work = dict(base)
        perturbed = w.copy()
        work[name] = perturbed
        for index in np.ndindex(w.shape):
            values = []
            for offset in (h[index], -h[index], 2 * h[index], -2 * h[index]):
                perturbed[index] = w[index] + offset
                values.append(_scalar(f, work))
            perturbed[index] = w[index]
            fp, fm, fp2, fm2 = values
            d1 = (fp - fm) / (2 * h[index])
            d2 = (fp2 - fm2) / (4 * h[index])
            g[index] = d1
            rounding = eps * max(abs(fp), abs(fm), abs(fp2), abs(fm2), abs(f0)) / h[index]
            e[index] = abs(d1 - d2) / 3 + rounding
        evaluations += 4 * w.size
        gradient[name], estimate[name], steps[name] = g, e, h
    return NumericGradient(gradient, estimate, steps, "central", evaluations)


METHODS: dict[str, Callable[[LossFunction, Mapping[str, Any]], NumericGradient]] = {
    "central": central_difference,
}
"""Difference schemes by name."""


def resolve_method(method: str) -> str:
    """The scheme that ``method`` names; ``auto`` picks the most accurate one available.

    Raises
    ------
    InputError
        If ``method`` is not a known scheme.
    """
    if method == "auto":
        return "central"
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; available: auto, {', '.join(METHODS)}")
    return method


def numeric_gradient(f: LossFunction, params: Mapping[str, Any], method: str = "auto") -> NumericGradient:
    """Finite-difference gradient of ``f`` at ``params`` by the scheme ``method`` (see :data:`METHODS`).

    Raises
    ------
    InputError
        On an unknown method or bad parameters (see the scheme's function).
    """
    return METHODS[resolve_method(method)](f, params)
