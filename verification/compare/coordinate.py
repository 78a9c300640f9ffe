"""Compare an analytic gradient with a finite-difference one, per parameter tensor and per entry.

Per parameter tensor (DESIGN.md), with Frobenius norms::

    relative error = ‖g_a − g_n‖ / max(‖g_a‖, ‖g_n‖, tiny)

and per entry the same with absolute values. An entry is flagged when
``|g_a − g_n| > rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n`` (table and reasoning in
:mod:`verification.tolerances`; ``e_n`` is the numeric error estimate, ``G`` the tensor's largest
entry). Flagged entries whose stencil crossed a point where the loss is not differentiable, with the
analytic value one of the one-sided slopes, are ``kink`` entries, not failures
(:mod:`verification.compare.kinks`). Per tensor, the verdict is:

* ``matches`` when no entry is flagged;
* ``kink`` when the only flagged entries are kinks;
* ``matches up to scale`` ``c`` when the direction agrees but the size does not: the least-squares
  scale ``c = ⟨g_a, g_n⟩ / ⟨g_n, g_n⟩`` (so ``g_a ≈ c · g_n``) passes the same entry test with ``c · g_n``
  in place of ``g_n`` and ``c · e_n`` in place of ``e_n``, with ``c > 0`` (a negative ``c``, such as a sign
  flip, points the other way);
* ``mismatch`` otherwise.

Kink entries are left out of the cosine, the scale and the scaled test. The practice of comparing
per entry with a relative error and of reporting the worst entries follows CS231n, "Gradient
checks" (Karpathy), and the failure reports of ``torch.autograd.gradcheck``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.network import Network
from ffnn.validation import InputError, one_line, validate_finite
from verification.compare.kinks import classify_kinks
from verification.compare.reports import EntryReport, GradientReport, ParameterReport
from verification.compare.rule import excess, least_squares_scale, relative_error, tensor_floor
from verification.numeric.differences import NumericGradient, relative_step
from verification.numeric.evaluators import Evaluator, LoopEvaluator, LossFunction
from verification.numeric.methods import numeric_gradient_on, resolve_method
from verification.numeric.network_evaluator import NetworkEvaluator
from verification.tolerances import Tolerance, tolerance_for

Array = NDArray[Any]
WORST_ENTRIES = 3
"""How many of the worst entries a parameter report keeps."""


def compare_parameter(
    name: str,
    analytic: Array,
    numeric: Array,
    estimate: Array,
    tolerance: Tolerance,
    kink: Array | None = None,
    *,
    floors: tuple[Array, Array] | None = None,
    labels: list[tuple[int, ...] | str] | None = None,
    shape: tuple[int, ...] | None = None,
) -> ParameterReport:
    """Compare one tensor entry by entry (see the module docstring for the rule).

    Parameters
    ----------
    name : str
    analytic, numeric, estimate : ndarray, same shape, float64
        Analytic gradient, numeric gradient and the error estimate of their difference.
    tolerance : Tolerance
    kink : ndarray of bool, same shape, optional
        Entries known to sit on a kink (excluded from the flagged count, the scale and the cosine).
    floors : (ndarray, ndarray), optional
        Per element, the floor ``G`` from the analytic side and from the numeric side (combined as
        ``max(G_a, c G_n)`` for a scale ``c``), when the elements are not the whole tensor: sampled
        entries, or directional derivatives ``g·u`` (:mod:`verification.identification`). By default ``G`` is
        the largest entry of either array.
    labels : list, optional
        How the worst elements are named in the report (default: their index in ``analytic``).
    shape : tuple of int, optional
        The tensor's shape for the report (default: ``analytic.shape``).
    """
    kink = np.zeros(analytic.shape, dtype=bool) if kink is None else np.asarray(kink, dtype=bool)
    diff = np.abs(analytic - numeric)

    def floor_at(c: float) -> Array | float:
        if floors is None:
            return tensor_floor(analytic, c * numeric)
        return np.maximum(floors[0], abs(c) * floors[1])

    over = excess(analytic, numeric, estimate, tolerance, floor_at(1.0))
    bad = (over > 0) & ~kink
    flagged = int(np.count_nonzero(bad))
    smooth = ~kink
    cosine, scale = least_squares_scale(analytic[smooth], numeric[smooth])
    verdict = "kink" if np.any(kink & (over > 0)) else "matches"
    if flagged:
        scaled_ok = bool(
            np.isfinite(scale)
            and scale > 0
            and not np.any(
                (excess(analytic, scale * numeric, abs(scale) * estimate, tolerance, floor_at(scale)) > 0)
                & smooth
            )
        )
        verdict = "matches up to scale" if scaled_ok else "mismatch"
    ranked = np.argsort(np.where(kink, -np.inf, over), axis=None)[::-1]
    if not flagged and np.any(kink):
        ranked = np.argsort(over, axis=None)[::-1]
    if labels is not None:  # entries first, then the worst direction: an entry is what a reader fixes
        entries = [k for k in ranked if not isinstance(labels[k], str)]
        others = [k for k in ranked if isinstance(labels[k], str)]
        ranked = np.array(entries[:WORST_ENTRIES] + others[:1], dtype=np.intp)
    order = ranked[: WORST_ENTRIES + (1 if labels is not None else 0)]
    worst = [
        EntryReport(
            index=labels[k]
            if labels is not None
            else tuple(int(i) for i in np.unravel_index(k, analytic.shape)),
            analytic=float(analytic.flat[k]),
            numeric=float(numeric.flat[k]),
            error_estimate=float(estimate.flat[k]),
            abs_error=float(diff.flat[k]),
            kink=bool(kink.flat[k]),
        )
        for k in order
    ]
    return ParameterReport(
        name=name,
        shape=tuple(analytic.shape) if shape is None else tuple(shape),
        relative_error=relative_error(analytic, numeric),
        max_abs_error=float(diff.max()),
        flagged=flagged,
        worst=worst,
        cosine=cosine,
        scale=scale,
        verdict=verdict,
        kinks=int(np.count_nonzero(kink)),
    )


def _analytic_arrays(analytic: Mapping[str, Any], numeric: NumericGradient) -> tuple[dict[str, Array], str]:
    if not isinstance(analytic, Mapping) or set(analytic) != set(numeric.gradient):
        got = sorted(analytic) if isinstance(analytic, Mapping) else type(analytic).__name__
        raise InputError(f"the analytic gradient has parameters {got}, expected {sorted(numeric.gradient)}")
    out: dict[str, Array] = {}
    lowest = "float64"
    for name, g_n in numeric.gradient.items():
        try:
            g_a = np.asarray(analytic[name])
        except (TypeError, ValueError) as exc:  # ragged lists and the like
            raise InputError(f"analytic gradient of {name} is not a numeric array: {one_line(exc)}") from None
        if g_a.shape != g_n.shape:
            raise InputError(f"analytic gradient of {name} has shape {g_a.shape}, expected {g_n.shape}")
        if not np.issubdtype(g_a.dtype, np.number) or np.iscomplexobj(g_a):
            raise InputError(f"analytic gradient of {name} must be real numbers, got dtype {g_a.dtype}")
        validate_finite(f"analytic gradient of {name}", g_a)
        if np.issubdtype(g_a.dtype, np.floating) and np.finfo(g_a.dtype).eps > np.finfo(lowest).eps:
            lowest = g_a.dtype.name
        out[name] = g_a.astype(np.float64)
    return out, lowest


def compare_gradients(
    analytic: Mapping[str, Any],
    numeric: NumericGradient,
    evaluator: Evaluator | None = None,
    *,
    kinks: bool = True,
    mode: str = "coordinate",
) -> GradientReport:
    """Compare an analytic gradient with a numeric one, tensor by tensor.

    Parameters
    ----------
    analytic : mapping of str to array_like
        The gradient under test, with the names and shapes of ``numeric.gradient`` (float64 or
        float32; a float32 gradient adds its rounding to the tolerance).
    numeric : NumericGradient
        The finite-difference gradient and its error estimate.
    evaluator : Evaluator, optional
        The evaluator ``numeric`` was computed on; needed to examine flagged entries for kinks.
    kinks : bool
        Examine flagged entries for kinks (:mod:`verification.compare.kinks`) when an evaluator is given.
    mode : str
        Recorded in the report.

    Raises
    ------
    InputError
        If the names differ, a shape differs, or an analytic entry is not finite.
    """
    arrays, analytic_dtype = _analytic_arrays(analytic, numeric)
    tolerance = tolerance_for(numeric.evaluation_dtype, numeric.method, analytic_dtype)
    reports = {}
    for name, g_n in numeric.gradient.items():
        g_a, e_n = arrays[name], numeric.error_estimate[name]
        kink: Array | None = None
        if kinks and evaluator is not None:
            floor = tensor_floor(g_a, g_n)
            flagged = np.flatnonzero(excess(g_a, g_n, e_n, tolerance, floor) > 0)
            if flagged.size:
                step = np.maximum(numeric.step[name].ravel()[flagged], _kink_step(evaluator, name, flagged))
                found = classify_kinks(evaluator, name, flagged, step, g_a.ravel()[flagged], tolerance, floor)
                mask = np.zeros(g_a.size, dtype=bool)
                mask[found.flat[found.kink]] = True
                kink = mask.reshape(g_a.shape)
        reports[name] = compare_parameter(name, g_a, g_n, e_n, tolerance, kink)
    return GradientReport(
        reports,
        numeric.method,
        tolerance,
        evaluation_dtype=numeric.evaluation_dtype,
        analytic_dtype=analytic_dtype,
        mode=mode,
        evaluations=numeric.evaluations,
    )


def _kink_step(ev: Evaluator, name: str, flat: Array) -> Array:
    """At least the central step: complex step's tiny ``h`` would cross no kink worth naming."""
    return relative_step(ev.params[name].ravel()[flat], 1 / 3, ev.dtype)


def check_on(
    ev: Evaluator,
    analytic: Mapping[str, Any],
    *,
    method: str = "auto",
    kinks: bool = True,
    mode: str = "coordinate",
) -> GradientReport:
    """Check ``analytic`` against the numeric gradient computed on an evaluator (loop or structured).

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, or an unknown method.
    """
    numeric = numeric_gradient_on(ev, method)
    return compare_gradients(analytic, numeric, ev, kinks=kinks, mode=mode)


def check_gradient(
    f: LossFunction,
    params: Mapping[str, Any],
    analytic: Mapping[str, Any],
    *,
    method: str = "auto",
    kinks: bool = True,
) -> GradientReport:
    """Check ``analytic`` against the finite-difference gradient of the loss ``f`` at ``params``.

    Coordinate mode: every entry of every tensor is perturbed, one loss evaluation at a time.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``: the loss as a function of a dict of parameter arrays.
    params : mapping of str to array_like
        The point, any shapes, float64 or float32; copied, never modified. The loss is called with
        float64 copies (see :mod:`verification.numeric.differences` for float32 losses).
    analytic : mapping of str to array_like
        The claimed gradient ``∂f/∂params``, same names and shapes.
    method : str
        ``auto`` (complex step when the loss evaluates on complex parameters, else Richardson),
        ``forward``, ``central``, ``richardson`` or ``complex-step``.
    kinks : bool
        Report flagged entries whose stencil crossed a non-differentiable point as ``kink``.

    Returns
    -------
    GradientReport

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, or an unknown method.
    """
    resolve_method(method)
    return check_on(LoopEvaluator(f, params), analytic, method=method, kinks=kinks)


def check_network(
    network: Network,
    x: Any,
    y: Any,
    loss: str,
    analytic: Mapping[str, Any],
    *,
    method: str = "auto",
    kinks: bool = True,
) -> GradientReport:
    """Check a claimed gradient of an ``ffnn`` network's loss in structured coordinate mode.

    Every entry of every parameter is checked, as in :func:`verification.compare.coordinate.check_gradient`,
    with the shifted losses evaluated vectorised (:mod:`verification.numeric.network_evaluator`).

    Parameters
    ----------
    network : Network
    x : array_like, shape (n_samples, n_0)
    y : array_like, shape (n_samples, n_L)
    loss : str
        Catalog loss id (batch mean).
    analytic : mapping of str to array_like
        Claimed ``∂L/∂W1 …``, ``∂L/∂b1 …``, shapes of ``network.parameters()``.
    method : str
        ``auto`` (complex step when every activation and the loss evaluate on complex parameters,
        detected, else Richardson), ``forward``, ``central``, ``richardson`` or ``complex-step``.
    kinks : bool
        Report entries whose stencil crossed a non-differentiable point as ``kink``.

    Returns
    -------
    GradientReport
        ``mode = "structured"``.

    Raises
    ------
    InputError
        On bad shapes, labels or names, or an unknown method.
    """
    return check_on(
        NetworkEvaluator(network, x, y, loss), analytic, method=method, kinks=kinks, mode="structured"
    )
