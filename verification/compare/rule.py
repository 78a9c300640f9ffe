"""The acceptance rule, written once: when an analytic gradient entry agrees with a numeric one.

An entry of an analytic gradient ``g_a`` is accepted against the numeric one ``g_n`` when::

    |g_a − g_n| ≤ allowance = atol + rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n

with ``rtol`` and ``estimate_factor`` from the tolerance table (:mod:`verification.tolerances`, where
the rule is derived; ``atol`` is 0 there, and a caller's own ``rtol`` and ``atol`` replace the
table's through :func:`verification.tolerances.given_tolerance`), ``e_n`` the numeric oracle's own
error estimate for that entry, and ``G`` the tensor floor :func:`tensor_floor`, the largest entry of
either gradient of the tensor. Every check of
the project (coordinate, vectorised, directional, identification of someone's code) and the property
tests accept and reject by :func:`allowance` and :func:`excess`; nothing else compares numbers.

Also here: the Frobenius relative error reported per tensor (DESIGN.md) and the least-squares scale
with which ``matches up to scale`` is decided.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.tolerances import Tolerance

Array = NDArray[Any]
TINY = float(np.finfo(np.float64).tiny)
"""The smallest normal float64: the denominator of a relative error never falls below it."""


def relative_error(a: Array, b: Array) -> float:
    """Frobenius relative error ``‖a − b‖ / max(‖a‖, ‖b‖, tiny)`` of two arrays of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), TINY)


def tensor_floor(analytic: Array, numeric: Array) -> float:
    """``G = max(‖g_a‖_∞, ‖g_n‖_∞)``, the scale of the rounding floor (see :mod:`verification.tolerances`)."""
    return float(max(np.max(np.abs(analytic)), np.max(np.abs(numeric))))


def allowance(
    analytic: Array, numeric: Array, estimate: Array, tolerance: Tolerance, floor: float | Array
) -> Array:
    """How far each ``g_a`` may lie from ``g_n`` and still be accepted.

    Parameters
    ----------
    analytic, numeric, estimate : ndarray, same shape, float64
        The two gradients and the numeric error estimate ``e_n`` (absolute, in gradient units).
    tolerance : Tolerance
        ``rtol``, ``atol`` and ``estimate_factor`` of the method and dtype (or given by the caller).
    floor : float or ndarray
        ``G``, the tensor's largest entry (:func:`tensor_floor`); per element for elements that are
        not entries of one tensor (see :func:`functional_floor`).

    Returns
    -------
    ndarray, same shape
        ``atol + rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n``.
    """
    relative = tolerance.rtol * (np.maximum(np.abs(analytic), np.abs(numeric)) + floor)
    return tolerance.atol + relative + tolerance.estimate_factor * np.asarray(estimate)


def excess(
    analytic: Array, numeric: Array, estimate: Array, tolerance: Tolerance, floor: float | Array
) -> Array:
    """``|g_a − g_n| − allowance`` per entry: positive means the entry is flagged."""
    return np.abs(analytic - numeric) - allowance(analytic, numeric, estimate, tolerance, floor)


def least_squares_scale(analytic: Array, numeric: Array) -> tuple[float, float]:
    """Cosine similarity of two gradients and the least-squares scale ``c`` with ``analytic ≈ c · numeric``.

    Parameters
    ----------
    analytic, numeric : ndarray, same shape
        The two gradients of one tensor.

    Returns
    -------
    (cosine, c) : tuple of float
        ``cos = ⟨a, n⟩ / (‖a‖ ‖n‖)`` (0 when either is zero); ``c = ⟨a, n⟩ / ⟨n, n⟩`` (nan when ``numeric``
        is zero).
    """
    a, n = np.ravel(analytic), np.ravel(numeric)
    an, nn = float(np.dot(a, n)), float(np.dot(n, n))
    norms = float(np.linalg.norm(a) * np.linalg.norm(n))
    cosine = an / norms if norms > 0 else 0.0
    return cosine, (an / nn if nn > 0 else float("nan"))


def functional_floor(weights: Array, gradient: Array, floor: float) -> Array:
    """The floor of linear functionals ``m·g`` of a gradient, one per row of ``weights``.

    Each entry of a gradient is allowed ``rtol · (|g_i| + G)`` of rounding; a functional ``m·g`` then
    carries at most ``rtol · Σ_i |m_i| (|g_i| + G)``. So the entry rule applies to ``m·g`` with the
    floor ``Σ_i |m_i| |g_i| + G ‖m‖₁`` in place of ``G``; for ``m = e_i`` it is the entry rule itself
    (``|g_i| + G``, up to the ``max(|g_a|, |g_n|)`` term). Used for directional derivatives ``g·u``.

    Parameters
    ----------
    weights : ndarray, shape (k, n)
        The functionals ``m`` (directions ``u``), one per row.
    gradient : ndarray, shape (n,)
        The gradient whose entry sizes are used.
    floor : float
        ``G`` of the tensor.

    Returns
    -------
    ndarray, shape (k,)
    """
    absolute = np.abs(weights)
    return absolute @ np.abs(np.ravel(gradient)) + floor * absolute.sum(axis=1)
