"""Verdicts: every decision of identification, taken here and nowhere else.

Per tensor and loss, over all probes (:func:`tensor_verdict`):

* ``matches``: every probe matches;
* ``matches up to scale`` ``c``: with the pooled least-squares ``c = Σ⟨g_a, g_n⟩ / Σ⟨g_n, g_n⟩`` over the
  probes (``c > 0``), ``g_a / c`` matches ``g_n`` at every probe. One ``c`` for all probes is what tells a
  factor (``2`` for ``Σ(a − y)²`` without the ½, ``1/n`` for a mean) from a coincidence: near ``a = 0.5``
  the ``bce`` gradient of one sigmoid output is about 4 × the ``mse`` one, but the ratio ``a (1 − a)``
  changes from probe to probe and between outputs, so no single ``c`` fits;
* ``mismatch`` otherwise.

Per loss (:func:`loss_report`): ``matches`` when every tensor matches; ``matches up to scale`` when the
scale of the first tensor (output layer first) makes every tensor match at every probe; ``mismatch``
otherwise; ``not applicable`` when the outputs leave the loss's domain.

Over the losses (:func:`decide`, giving a :class:`Verdict`):

* **identified**: a loss every tensor matches with one common scale, exact matches before scaled ones
  (1 for an exact match); **also**: other losses that match the same way (``poisson_nll`` beside
  ``cross_entropy`` on a softmax output, where ``Σ_k a_k = 1`` makes them differ by a constant);
* **split**: no loss fits every tensor, but each tensor matches some loss, and not all the same one
  (``who`` matches ``mse`` while ``wih`` matches ``bce``). Tensors that match *one* loss at different
  scales are not a split: they are the gradient of no loss;
* **none** otherwise; the loss the most tensors match (then the smallest error) is the *closest*, the
  one a report shows differences from.

When a loss is asked about, it *matches* when its verdict is ``matches``, or ``matches up to scale``
when the learning rate of an update is unknown (the scale is then the learning rate's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from verification.compare.reports import ParameterReport
from verification.identification.comparison import Elements
from verification.identification.output_error import OutputError
from verification.tolerances import SCALE_GAP, Tolerance

EXACT, SCALED, MISMATCH, NOT_APPLICABLE = "matches", "matches up to scale", "mismatch", "not applicable"


@dataclass(frozen=True)
class TensorReport:
    """One parameter tensor against one loss over all probes.

    Attributes
    ----------
    name, verdict : str
    scale : float or None
        1.0 for ``matches``, ``c`` for ``matches up to scale``, None for a mismatch.
    max_relative_error : float
        Largest Frobenius relative error (unscaled) over the probes.
    reports : list of ParameterReport
        One per probe, from :func:`verification.compare.tensor.compare_parameter`.
    """

    name: str
    verdict: str
    scale: float | None
    max_relative_error: float
    reports: list[ParameterReport]


@dataclass(frozen=True)
class LossReport:
    """The code under check against one catalog loss."""

    loss: str
    verdict: str
    scale: float | None
    parameters: dict[str, TensorReport] = field(default_factory=dict)
    reason: str | None = None
    rtol: float | None = None
    method: str | None = None

    @property
    def max_relative_error(self) -> float | None:
        """Largest per-tensor relative error, or None when the loss does not apply."""
        return max((t.max_relative_error for t in self.parameters.values()), default=None)


def tensor_verdict(name: str, per_probe: list[Elements], tol: Tolerance) -> TensorReport:
    """The verdict of tensor ``name`` against one loss from its elements at every probe: ``matches``,
    ``matches up to scale`` at a pooled scale no nearer 1 than :data:`~verification.tolerances.SCALE_GAP`
    (the least-squares one, else the median ratio: :func:`median_scale`; every element must be within
    its allowance at it), or ``mismatch``."""
    reports = [el.report(name, tol) for el in per_probe]
    worst = max(r.relative_error for r in reports)
    if all(r.verdict in ("matches", "kink") for r in reports):
        return TensorReport(name, EXACT, 1.0, worst, reports)
    for c in dict.fromkeys((pooled_scale(per_probe), median_scale(per_probe))):
        plausible = c is not None and abs(c - 1.0) >= SCALE_GAP  # 958/961: an ε added somewhere, no scale
        if plausible and c is not None and all(e.report(name, tol, c).verdict == EXACT for e in per_probe):
            return TensorReport(name, SCALED, c, worst, reports)
    return TensorReport(name, MISMATCH, None, worst, reports)


def pooled_scale(per_probe: Sequence[Elements]) -> float | None:
    """``c = Σ⟨g_a, g_n⟩ / Σ⟨g_n, g_n⟩`` over the probes, or None when it is not finite and positive."""
    a = np.concatenate([el.analytic for el in per_probe])
    n = np.concatenate([el.numeric for el in per_probe])
    nn = float(np.dot(n, n))
    c = float(np.dot(a, n)) / nn if nn > 0 else float("nan")
    return c if np.isfinite(c) and c > 0 else None


def median_scale(per_probe: Sequence[Elements]) -> float | None:
    """The median of ``g_a / g_n`` over the entries where neither is zero, at every probe, or None when
    it is not finite and positive: a second candidate scale beside :func:`pooled_scale`'s least-squares
    one, which the few entries of a unit at a ReLU's kink pull (the code's derivative 0 there, the
    numeric one half a slope, within its wide error estimate) until the other entries fail at it."""
    a = np.concatenate([el.analytic[: el.entries] for el in per_probe])
    n = np.concatenate([el.numeric[: el.entries] for el in per_probe])
    both = (a != 0) & (n != 0)
    c = float(np.median(a[both] / n[both])) if np.any(both) else float("nan")
    return c if np.isfinite(c) and c > 0 else None


def loss_report(
    loss: str,
    order: list[str],
    compared: list[dict[str, Elements]],
    tol: Tolerance,
    method: str,
) -> LossReport:
    """The verdict of one loss from the elements of every tensor (``order``: output layer first) at
    every probe (``compared``: one dict of tensor → elements per probe)."""
    names = list(compared[0])
    tensors = {n: tensor_verdict(n, [probe[n] for probe in compared], tol) for n in names}
    if all(t.verdict == EXACT for t in tensors.values()):
        return LossReport(loss, EXACT, 1.0, tensors, rtol=tol.rtol, method=method)
    first = next(n for n in order if n in tensors)
    c = tensors[first].scale
    if c is not None and all(t.scale is not None for t in tensors.values()):
        dc = max(probe[first].scale_error(c) for probe in compared)  # c was fitted to the first tensor
        if all(
            probe[n].report(n, tol, c, scale_error=dc).verdict == "matches"
            for probe in compared
            for n in names
        ):
            return LossReport(loss, SCALED, c, tensors, rtol=tol.rtol, method=method)
    return LossReport(loss, MISMATCH, None, tensors, rtol=tol.rtol, method=method)


@dataclass(frozen=True)
class BatchCheck:
    """The gradient at a batch of samples (:data:`verification.identification.batches.BATCH`) against
    the one-sample verdict.

    Attributes
    ----------
    samples : int
    reduction : str or None
        ``mean``, ``sum``, ``twice-divided`` (``1/n²`` of the sum), ``sequential`` (one update per
        sample in turn), ``mini-batches`` (one update
        per mini-batch of ``order[0]`` samples in turn, each the mean or sum over it, as ``reason``
        says), ``one`` (the step of one of the samples alone: the others left out), ``reshaped`` (the
        step changed the shape of ``first_mismatch``, as ``reason`` says) or
        ``inconsistent``; None
        when no batch could be probed (see ``reason``).
    first_mismatch : str or None
        For ``inconsistent``: the first tensor (output layer first) that matches neither.
    relative_error : float or None
        Its relative error against the batch mean at the one-sample scale.
    reason : str or None
        Why no batch was probed; for ``mini-batches``, ``mean`` or ``sum``: each mini-batch's step.
    order : tuple of int or None
        For ``sequential``: the order the code took the samples in (``(2, 0, 1)`` when it shuffles them);
        for ``one``: the sample whose step it is; for ``mini-batches``: the mini-batch's size.
    """

    samples: int
    reduction: str | None
    first_mismatch: str | None = None
    relative_error: float | None = None
    reason: str | None = None
    order: tuple[int, ...] | None = None


REDUCTIONS = {
    "mean": "the mean over the batch",
    "sum": "the sum over the batch",
    "twice-divided": "the mean over the batch divided by the batch size again (1/n² × the sum)",
}
"""What the gradient at a batch is, for each :attr:`BatchCheck.reduction` that is a loss's gradient."""


@dataclass(frozen=True)
class LabelCheck:
    """The gradient at labels beyond one-hot against the verdict found with one-hot labels.

    Attributes
    ----------
    labels : str
        Which labels were drawn (:data:`verification.identification.label_probes.WIDER`):
        ``real-valued targets`` or ``multi-hot labels``.
    holds : bool or None
        Whether every tensor matches the verdict's loss at its scale there; None when the code could
        not be run on them (``reason`` says why).
    first_mismatch : str or None
        The first tensor (output layer first) that does not.
    relative_error : float or None
        Its relative error.
    reason : str or None
        Why no label probe ran.
    """

    labels: str
    holds: bool | None
    first_mismatch: str | None = None
    relative_error: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What identification concludes over all losses (see the module docstring).

    Attributes
    ----------
    identified : str or None
        The loss every tensor matches with one scale.
    scale : float or None
        Its scale (1.0 exact).
    also : list of str
        Other losses that match the same way.
    split : dict of str to str or None
        Tensor → loss, for a split.
    per_tensor : dict of str to (str or None, float or None)
        The loss and scale each tensor matches on its own (exact first).
    closest : str or None
        The loss to show differences from when none is identified.
    against : dict of str to str or None
        Per tensor, the loss its relative error is reported against: the one it matches, else the one
        it is closest to.
    asked : str or None
    matches_asked : bool or None
        Whether the asked loss matches (None when none was asked).
    batch : BatchCheck or None
        Whether the one-sample verdict holds for a batch, as a mean or a sum
        (:mod:`verification.identification.batches`); a verdict that does not is no success.
    output_error : OutputError or None
        What the code back-propagates (:mod:`verification.identification.output_error`): whether one
        output error explains every tensor, and which expression it is.
    deviation : float or None
        For a loss identified only to within :data:`~verification.tolerances.NEAR_MATCH_RTOL`
        (:mod:`verification.identification.near_match`): the relative deviation measured; else None.
    labels : LabelCheck or None
        Whether the verdict found with one-hot labels holds for the other labels its loss takes
        (:mod:`verification.identification.label_probes`); a verdict that does not is no success.
    """

    identified: str | None
    scale: float | None
    also: list[str]
    split: dict[str, str] | None
    per_tensor: dict[str, tuple[str | None, float | None]]
    closest: str | None
    against: dict[str, str | None] = field(default_factory=dict)
    asked: str | None = None
    matches_asked: bool | None = None
    batch: BatchCheck | None = None
    output_error: OutputError | None = None
    deviation: float | None = None
    labels: LabelCheck | None = None

    @property
    def holds_for_batches(self) -> bool:
        """False when a batch probe found the gradient neither the mean nor the sum over the batch."""
        return self.batch is None or self.batch.reduction not in ("inconsistent", "one", "reshaped")

    @property
    def penalized(self) -> bool:
        """No loss alone, but one catalog loss plus an L2 penalty explains every tensor
        (:mod:`verification.identification.weight_decay`), descending it."""
        e = self.output_error
        return (
            self.identified is None
            and self.split is None
            and e is not None
            and e.loss is not None
            and any(e.penalty.values())
            and not e.left_out
            and e.loss_scale is not None
            and e.loss_scale > 0
        )

    @property
    def success(self) -> bool:
        """Exit-status sense: the asked loss matches, or (automatic) some loss was identified, or one
        plus an L2 penalty whose batch probe holds; and the verdict holds for batches."""
        penalized = self.penalized and self.batch is not None and self.batch.reduction is not None
        found = (
            bool(self.matches_asked) if self.asked is not None else self.identified is not None or penalized
        )
        return found and self.holds_for_batches and self.holds_for_labels

    @property
    def holds_for_labels(self) -> bool:
        """False when the label probe found the verdict's loss not to hold beyond one-hot labels."""
        return self.labels is None or self.labels.holds is not False


def decide(
    candidates: Sequence[LossReport], order: Sequence[str], asked: str | None, lr_known: bool
) -> Verdict:
    """The :class:`Verdict` over ``candidates`` (one per catalog loss), tensors ``order`` output first."""
    identified = _identified(candidates)
    found = next((c for c in candidates if c.loss == identified), None)
    also = [c.loss for c in candidates if found is not None and c is not found and c.verdict == found.verdict]
    per_tensor = {n: _tensor_identified(candidates, n) for n in order}
    split = None
    if identified is None:
        losses = {loss for loss, _ in per_tensor.values()}
        if None not in losses and len(losses) >= 2:
            split = {n: str(loss) for n, (loss, _) in per_tensor.items()}
    matches_asked = None
    if asked is not None:
        accepted = (EXACT,) if lr_known else (EXACT, SCALED)
        matches_asked = next(c for c in candidates if c.loss == asked).verdict in accepted
    return Verdict(
        identified=identified,
        scale=None if found is None else found.scale,
        also=also,
        split=split,
        per_tensor=per_tensor,
        closest=identified or closest_loss(candidates),
        against={n: per_tensor[n][0] or _closest_for(candidates, n) for n in order},
        asked=asked,
        matches_asked=matches_asked,
    )


def _identified(candidates: Sequence[LossReport]) -> str | None:
    for verdict in (EXACT, SCALED):
        for c in candidates:
            if c.verdict == verdict:
                return c.loss
    return None


def _tensor_identified(candidates: Sequence[LossReport], name: str) -> tuple[str | None, float | None]:
    for verdict in (EXACT, SCALED):
        for c in candidates:
            if name in c.parameters and c.parameters[name].verdict == verdict:
                return c.loss, c.parameters[name].scale
    return None, None


def _closest_for(candidates: Sequence[LossReport], name: str) -> str | None:
    errors = {c.loss: c.parameters[name].max_relative_error for c in candidates if name in c.parameters}
    return min(errors, key=errors.__getitem__, default=None)


def closest_loss(candidates: Sequence[LossReport]) -> str | None:
    """The loss the most tensors match (exactly or up to scale), of those the one with the smallest
    relative error; None when no loss applies."""
    applicable = [c for c in candidates if c.parameters]
    if not applicable:
        return None
    matched = {c.loss: sum(t.verdict != MISMATCH for t in c.parameters.values()) for c in applicable}
    return max(applicable, key=lambda c: (matched[c.loss], -(c.max_relative_error or 0.0))).loss
