"""Kinks: entries whose finite-difference stencil crossed a point where the loss is not differentiable.

A ReLU unit whose pre-activation lies within one step of 0 (and the like: ``max``, ``abs``) makes the
loss piecewise smooth along that entry. A difference stencil that straddles the kink returns a mix of
the two one-sided slopes, so a right analytic gradient looks wrong there (pytorch#114234; CS231n,
"Gradient checks: kinks in the objective"). Such entries are reported as ``kink``, not as failures.

Detection, by disagreement of one-sided differences at the method's step ``h`` and at ``h/2``::

    D₊(t) = (f(w + t) − f(w)) / t,          D₋(t) = (f(w) − f(w − t)) / t

For a smooth loss ``D₊(t) − D₋(t) = t f'' + O(t³)`` and ``D₊(t) + D₋(t) = 2f' + t² f'''/3 + O(t⁴)``, so::

    K₁ = [D₊(h) − D₋(h)] − 2 [D₊(h/2) − D₋(h/2)] = O(h³)
    K₂ = [D₊(h) + D₋(h)] − [D₊(h/2) + D₋(h/2)]   = h² f''' / 4 + O(h⁴)

A kink of jump ``J`` in the derivative at distance ``d < h`` makes ``K₁`` or ``K₂`` of order ``J``
(they cannot both vanish for ``0 ≤ d < h``). An entry is a kink when ``max(|K₁|, |K₂|)`` exceeds
``KINK_RTOL · max|D±|`` (Chainer's detector threshold, see :mod:`verification.tolerances`) plus the
rounding of the quotients, **and** the analytic value lies in the bracket of the one-sided slopes
(a subgradient; BVLC/caffe#1334): the four above and the extrapolated ``2 D±(h/2) − D±(h)``, each
extrapolated slope taken with the margin ``|D±(h) − D±(h/2)|`` of its side (which bounds its ``O(h²)``
error while ``h`` is in the asymptotic range), and the hull widened by the comparison tolerance. An
analytic value outside the bracket stays a mismatch: a kink does not excuse a wrong gradient.

Only entries that failed the comparison are examined, at 4 evaluations each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verification.numeric.differences import exact_offsets
from verification.numeric.evaluators import Array, Evaluator
from verification.tolerances import KINK_RTOL, Tolerance


@dataclass(frozen=True)
class KinkReport:
    """One-sided slopes of examined entries and which of them are kinks.

    Attributes
    ----------
    flat : ndarray of int, shape (m,)
        Flat indices examined.
    kink : ndarray of bool, shape (m,)
        True where the entry is a kink and the analytic value is a one-sided slope (subgradient).
    """

    flat: Array
    kink: Array


def classify_kinks(
    ev: Evaluator,
    name: str,
    flat: Array,
    step: Array,
    analytic: Array,
    tolerance: Tolerance,
    floor: float,
) -> KinkReport:
    """Which of the entries ``flat`` of ``params[name]`` sit on a kink within the step ``step``.

    Parameters
    ----------
    ev : Evaluator
        The evaluator the numeric gradient was computed on.
    name : str
        Parameter tensor.
    flat : ndarray of int, shape (m,)
        Flat indices to examine.
    step : ndarray, shape (m,)
        The method's (largest) step at each entry, ``> 0``.
    analytic : ndarray, shape (m,)
        The analytic gradient at those entries.
    tolerance : Tolerance
        The comparison tolerance, to widen the subgradient bracket.
    floor : float
        The tensor's largest gradient entry ``G`` (see :mod:`verification.tolerances`).

    Returns
    -------
    KinkReport
    """
    flat = np.asarray(flat, dtype=np.intp)
    if flat.size == 0:
        return KinkReport(flat, np.zeros(0, dtype=bool))
    eps = float(np.finfo(ev.dtype).eps)
    w = ev.params[name].ravel()[flat]
    h = np.asarray(step, dtype=np.float64)
    offsets = [exact_offsets(w, c * h, ev.dtype) for c in (1.0, 0.5, -0.5, -1.0)]
    values = ev.shifted(name, np.tile(flat, 4), np.concatenate(offsets))
    fp, fp2, fm2, fm = (values[k * flat.size : (k + 1) * flat.size] for k in range(4))
    f0 = ev.value
    dp, dp2 = (fp - f0) / offsets[0], (fp2 - f0) / offsets[1]
    dm2, dm = (f0 - fm2) / -offsets[2], (f0 - fm) / -offsets[3]
    k1 = (dp - dm) - 2 * (dp2 - dm2)
    k2 = (dp + dm) - (dp2 + dm2)
    fmax = np.maximum.reduce([np.abs(fp), np.abs(fp2), np.abs(fm2), np.abs(fm), np.full_like(fp, abs(f0))])
    rounding = 12 * eps * fmax / np.abs(offsets[1])
    raw = np.stack([dp, dp2, dm2, dm])
    size = np.max(np.abs(raw), axis=0)
    disagree = np.maximum(np.abs(k1), np.abs(k2)) > KINK_RTOL * size + tolerance.estimate_factor * rounding
    # Each side's extrapolated slope 2 D(h/2) − D(h) has an O(h²) error, bounded by that side's
    # first-order change |D(h) − D(h/2)| while h is in the asymptotic range.
    sp, sm = np.abs(dp - dp2), np.abs(dm - dm2)
    ep, em = 2 * dp2 - dp, 2 * dm2 - dm
    low = np.minimum(raw.min(axis=0), np.minimum(ep - sp, em - sm))
    high = np.maximum(raw.max(axis=0), np.maximum(ep + sp, em + sm))
    allowance = (
        tolerance.atol + tolerance.rtol * (np.abs(analytic) + floor) + tolerance.estimate_factor * rounding
    )
    inside = (analytic >= low - allowance) & (analytic <= high + allowance)
    return KinkReport(flat, disagree & inside)
