"""A catalog loss's gradient up to a small relative deviation: the stabilising constant of real code.

Hand-written loss derivatives often add a small constant where they divide, so that an output of
exactly 0 or 1 cannot overflow: ``(p − y) / (p (1 − p) + 1e-10)``, ``−y / (a + 1e-8)``. Such code is
the gradient of its loss for every practical purpose, yet it differs from it by a relative
``ε / (p (1 − p))``, orders of magnitude above the rounding the tolerance table allows a comparison
(complex-step differences: about ``2e-14``), so every tensor reads "mismatch" and no loss is identified.
A slip in a backward pass (a factor left out, a derivative at the wrong point, a transposed product)
changes the gradient by a relative amount of order one, not ``1e-10``.

So when the code consistently back-propagates one output error
(:mod:`verification.identification.output_error`: ``g = J_θᵀ e`` at every probe) and no catalog loss
fits at the table's tolerance, :func:`near_loss` fits each loss again, in the same gradients' space and
by the same acceptance rule, with the relative tolerance raised to
:data:`verification.tolerances.NEAR_MATCH_RTOL`. A constant in the forward pass itself (a softmax
``e / (Σe + ε)`` over scores shifted by their largest) reaches the forward pass's Jacobian as well, so
the output error is consistent only at the raised tolerance: :func:`shared_deviation` accepts that case
when the deviation is shared by every tensor, as a deviation of the output error is, and not confined
to some tensors, as an error in one entry of a gradient is. A loss that fits so with a positive scale
becomes the verdict, and the report prints the deviation measured (:func:`deviation`), so that a reader
sees it is not rounding and can find the constant. The per-tensor table keeps the strict tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.identification.comparison import loss_derivative
from verification.identification.output_error import (
    Equations,
    OutputError,
    applicable_losses,
    disagrees,
    of_loss,
    recover,
)
from verification.identification.verdicts import Verdict
from verification.tolerances import NEAR_MATCH_RTOL, Tolerance

Array = NDArray[Any]


def near_tolerance(tol: Tolerance) -> Tolerance:
    """``tol`` with its relative tolerance raised to :data:`~verification.tolerances.NEAR_MATCH_RTOL`
    (never lowered: a float32 code's own tolerance is already larger)."""
    return replace(tol, rtol=max(tol.rtol, NEAR_MATCH_RTOL))


def near_loss(
    takens: Sequence[dict[str, Equations]],
    order: Sequence[str],
    outputs: Sequence[tuple[Array, Array]],
    tol: Tolerance,
) -> tuple[str, float, float] | None:
    """The catalog loss whose gradient, times one positive scale over the probes, is the code's gradient
    to within :func:`near_tolerance` at every tensor and probe, with that scale and the deviation
    measured; None when none is.

    Parameters
    ----------
    takens : sequence of dict of str to Equations
        Each probe's equations ``C e = g`` per tensor (:func:`~verification.identification.output_error.
        equations`).
    order : sequence of str
        The tensors compared, output layer first.
    outputs : sequence of (ndarray, ndarray)
        Each probe's output ``a`` and labels ``y``, shape ``(n, m)``, float64.
    tol : Tolerance
        The table's tolerance of the comparison.

    Returns
    -------
    (str, float, float) or None
        ``(loss, scale, deviation)``: the scale a small fraction (``1``, ``2``, ``1/3``), since a scale
        fitted freely would take up the part of a constant's deviation common to every element; the
        deviation measured at that scale by :func:`deviation` (dimensionless).
    """
    near = near_tolerance(tol)
    loss, fitted = of_loss(takens, order, outputs, near)
    if loss is None or fitted is None or fitted <= 0:
        return None
    scale = float(Fraction(fitted).limit_denominator(1000))
    spec = dict(applicable_losses(outputs))[loss]
    with np.errstate(all="ignore"):
        errors = [scale * np.ravel(loss_derivative(spec, a, y)) for a, y in outputs]
    if any(disagrees(t[n], e, near) for t, e in zip(takens, errors, strict=True) for n in order):
        return None  # a scale fitted off every simple one would hide a constant's uniform part
    return loss, scale, deviation(takens, order, errors)


def shared_deviation(
    takens: Sequence[dict[str, Equations]],
    order: Sequence[str],
    outputs: Sequence[tuple[Array, Array]],
    tol: Tolerance,
) -> OutputError | None:
    """The output error of a code whose tensors agree on one output error only at
    :func:`near_tolerance`, with the loss :func:`near_loss` finds (its scale and deviation set), when
    every tensor in ``order`` deviates from that loss at ``tol``; None otherwise.

    A constant in the forward pass (``e / (Σe + ε)``) moves the output error every tensor is
    back-propagated from, so every tensor deviates; an error in some entries of one tensor's gradient
    leaves the others matching, and is a mismatch of that tensor, whatever its size (a single tensor
    cannot tell the two apart, so it gets None). Parameters as for :func:`near_loss`; the returned
    :class:`OutputError` is :func:`~verification.identification.output_error.recover`'s at the near
    tolerance, whose ``loss`` is replaced by the near loss.
    """
    if len(order) < 2:
        return None
    loose = recover(takens, order, outputs, near_tolerance(tol))
    near = near_loss(takens, order, outputs, tol) if loose.consistent else None
    if near is None:
        return None
    loss, scale, measured = near
    spec = dict(applicable_losses(outputs))[loss]
    with np.errstate(all="ignore"):
        errors = [scale * np.ravel(loss_derivative(spec, a, y)) for a, y in outputs]
    if not all(any(disagrees(t[n], e, tol) for t, e in zip(takens, errors, strict=True)) for n in order):
        return None
    return replace(loose, loss=loss, loss_scale=scale, deviation=measured)


def deviation(takens: Sequence[dict[str, Equations]], order: Sequence[str], errors: Sequence[Array]) -> float:
    """The largest relative deviation of the code's values from the output errors ``errors`` (one per
    probe, flattened) pushed through the equations: ``max_t ‖g_t − C_t e‖_∞ / max(‖g_t‖_∞, ‖C_t e‖_∞)``
    over the tensors ``t`` and probes (0 where both are 0)."""
    worst = 0.0
    for t, e in zip(takens, errors, strict=True):
        for n in order:
            predicted = t[n].rows @ e
            size = float(np.max(np.abs(np.concatenate([t[n].values, predicted])), initial=0.0))
            if size > 0:
                worst = max(worst, float(np.max(np.abs(t[n].values - predicted))) / size)
    return worst


def near_verdict(verdict: Verdict, found: OutputError, lr_known: bool) -> Verdict:
    """``verdict`` with the loss :func:`near_loss` found (``found.deviation`` set) as its verdict, when
    the strict comparison identified none and split nothing, and the code gives every tensor a gradient
    with no penalty; else ``verdict`` unchanged. A loss asked for matches when it is that loss, at scale
    1 (to within the near tolerance) when the learning rate is known."""
    if (
        verdict.identified is not None
        or verdict.split is not None
        or found.deviation is None
        or found.loss is None
        or found.loss_scale is None
        or found.left_out
        or found.penalty
    ):
        return verdict
    matches_asked = verdict.matches_asked
    if verdict.asked is not None:
        unit = abs(found.loss_scale - 1.0) <= NEAR_MATCH_RTOL or not lr_known
        matches_asked = verdict.asked == found.loss and unit
    return replace(
        verdict,
        identified=found.loss,
        scale=found.loss_scale,
        closest=found.loss,
        matches_asked=matches_asked,
        deviation=found.deviation,
    )
