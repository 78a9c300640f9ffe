"""One parameter tensor compared entry by entry, and every tensor of a gradient under one tolerance.

:func:`compare_parameter` applies the acceptance rule (:mod:`verification.compare.rule`) to each entry of
one tensor and decides its verdict (``matches``, ``kink``, ``matches up to scale`` ``c``, ``mismatch``:
the rule is in :mod:`verification.compare.coordinate`); :func:`compare_tensors` does it for every tensor
of a numeric gradient, examining the flagged entries for kinks first
(:mod:`verification.compare.kinks`). The coordinate checks and identification both compare through
here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.compare.kinks import classify_kinks
from verification.compare.reports import EntryReport, ParameterReport
from verification.compare.rule import excess, least_squares_scale, relative_error, tensor_floor
from verification.numeric.differences import NumericGradient, relative_step
from verification.numeric.evaluators import Evaluator
from verification.tolerances import SCALE_GAP, Tolerance

Array = NDArray[Any]
WORST_ENTRIES = 3
"""How many of the worst entries a parameter report keeps."""


def compare_parameter(
    name: str,
    analytic: Array,
    numeric: Array,
    estimate: Array | tuple[Array, Array],
    tolerance: Tolerance,
    kink: Array | None = None,
    *,
    floors: tuple[Array, Array] | None = None,
    names: tuple[list[tuple[int, ...] | str], tuple[int, ...]] | None = None,
) -> ParameterReport:
    """Compare one tensor entry by entry (see the module docstring for the rule).

    Parameters
    ----------
    name : str
    analytic, numeric : ndarray, same shape, float64
        Analytic gradient and numeric gradient.
    estimate : ndarray, or (ndarray, ndarray), same shape, float64
        The error estimate of their difference; or its two sides, the numeric gradient's error and the
        analytic gradient's own (its rounding, for a gradient read off an update): a scale ``c`` tried
        for ``matches up to scale`` multiplies the numeric side and its error, not the analytic side's.
    tolerance : Tolerance
    kink : ndarray of bool, same shape, optional
        Entries known to sit on a kink (excluded from the flagged count, the scale and the cosine).
    floors : (ndarray, ndarray), optional
        Per element, the floor ``G`` from the analytic side and from the numeric side (combined as
        ``max(G_a, c G_n)`` for a scale ``c``), when the elements are not the whole tensor: sampled
        entries, or directional derivatives ``g·u`` (:mod:`verification.identification`). By default ``G`` is
        the largest entry of either array.
    names : (list, tuple of int), optional
        How the elements are named in the report, and the tensor's shape there, when the elements are
        not the whole tensor (default: their index in ``analytic``, and its shape).
    """
    labels, shape = names if names is not None else (None, None)
    kink = np.zeros(analytic.shape, dtype=bool) if kink is None else np.asarray(kink, dtype=bool)
    diff = np.abs(analytic - numeric)

    def floor_at(c: float) -> Array | float:
        if floors is None:
            return tensor_floor(analytic, c * numeric)
        return np.maximum(floors[0], abs(c) * floors[1])

    if isinstance(estimate, tuple):  # the numeric side's error and the analytic side's own
        estimate, own = estimate[0] + estimate[1], estimate[1]
    else:
        own = np.zeros_like(estimate)

    def scaled_estimate(c: float) -> Array:
        """The error of ``analytic − c numeric`` for the least-squares ``c``: the numeric side's times
        ``c``, the analytic side's own, and ``c``'s own error times ``|numeric|``, since ``c`` was fitted
        to both (``|δc| ≤ Σ |n_i| (own_i + |c| e_i) / Σ n_i²`` over the smooth entries)."""
        side = abs(c) * (estimate - own) + own
        n = numeric[smooth]
        nn = float(np.sum(n * n))
        dc = float(np.sum(np.abs(n) * side[smooth])) / nn if nn > 0 else 0.0
        return side + dc * np.abs(numeric)

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
            and abs(scale - 1.0) >= SCALE_GAP  # 958/961: an ε added where the code divides, not a scale
            and not np.any(
                (excess(analytic, scale * numeric, scaled_estimate(scale), tolerance, floor_at(scale)) > 0)
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


def compare_tensors(
    arrays: dict[str, Array],
    numeric: NumericGradient,
    evaluator: Evaluator | None,
    tolerance: Tolerance,
    kinks: bool,
) -> dict[str, ParameterReport]:
    """Each tensor compared under ``tolerance``, its flagged entries examined for kinks."""
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
    return reports


def _kink_step(ev: Evaluator, name: str, flat: Array) -> Array:
    """At least the central step: complex step's tiny ``h`` would cross no kink worth naming."""
    return relative_step(ev.params[name].ravel()[flat], 1 / 3, ev.dtype)
