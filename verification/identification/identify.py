"""Which loss is a backward pass the gradient of? Identification by probing.

At several probe points (weights, inputs and one-hot labels drawn from ``np.random.default_rng(seed)``,
:mod:`verification.draws`) the gradient the code under check gives (a
:class:`verification.adapters.subject.Subject`) is compared, per parameter tensor, with the numeric
gradient of every catalog loss whose domain holds the network's outputs, the loss being the batch mean
of :mod:`ffnn.losses` applied to the code's own output.

One numeric Jacobian of the output per probe serves every loss
(:mod:`verification.identification.comparison`): by complex step when the code evaluates correctly at
complex parameters (detected once, :func:`verification.numeric.jacobian.supports_complex`), at rounding
accuracy and one forward pass per entry; by Richardson-extrapolated central differences otherwise. Past
a size budget a sample of entries is checked one by one and every entry jointly along random directions,
with a stated guarantee (:mod:`verification.identification.coverage`). Memory is bounded by the chosen
entries, never by the number of probes or losses.

:func:`identify` reads top to bottom: choose the method, probe (:class:`_Probing`: draw a point,
differentiate the output, compare every loss, redraw a point whose steps cross a kink), judge every loss
and decide (:mod:`verification.identification.verdicts`), state the coverage. A probe is redrawn when its
outputs come within :data:`verification.draws.EDGE` of a bounded end of a loss's domain, or (Richardson
only) when a difference step crosses a kink of the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES, get_loss
from ffnn.validation import InputError, described
from verification.adapters.subject import Subject
from verification.identification.batches import check_batches
from verification.identification.coverage import (
    MISS_PROBABILITY,
    TensorCoverage,
    detectable,
)
from verification.identification.label_dependence import refuse_label_blind
from verification.identification.label_probes import check_labels
from verification.identification.near_match import near_loss, near_verdict, shared_deviation
from verification.identification.outcome import IdentificationReport
from verification.identification.output_error import OutputError, equations, recover
from verification.identification.probing import Point, ProbeRun
from verification.identification.progress import OutOfTime
from verification.identification.request import Probing
from verification.identification.verdicts import NOT_APPLICABLE, LossReport, decide, loss_report
from verification.identification.weight_decay import penalized
from verification.tolerances import Tolerance

Array = NDArray[Any]


def identify(
    subject: Subject,
    loss: str = "auto",
    probing: Probing | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    batches: bool = True,
    **settings: Any,
) -> IdentificationReport:
    """Identify the loss that ``subject``'s backward pass is the gradient of.

    Parameters
    ----------
    subject : Subject
        The code under check (:func:`verification.adapters.detection.adapt`, or
        :func:`verification.adapters.reference.subject_from_network`).
    loss : str
        ``"auto"`` to identify, or a catalog id to ask about (all losses are still compared, so the
        report says what the code matches instead).
    probing : Probing, optional
        How to probe (:class:`verification.identification.request.Probing`: seed, probes, samples,
        method, full, budget, directions).
    progress : callable, optional
        ``progress(done, total)`` in forward evaluations, for a progress indicator.
    batches : bool
        Whether a verdict found at one sample is also checked on a batch
        (:mod:`verification.identification.batches`).
    **settings
        Fields of :class:`Probing` replacing those of ``probing`` (``seed=3, samples=2``).

    Returns
    -------
    IdentificationReport

    Raises
    ------
    InputError
        On a ``subject`` that is not a :class:`Subject`, an unknown loss, method or setting,
        out-of-range counts, complex step asked of code that is not complex-safe, an asked loss that
        does not apply to the outputs, or code that fails.
    """
    if not isinstance(subject, Subject):
        raise InputError(
            f"subject must be a Subject (verification.adapters.detection.adapt makes one of code), "
            f"got {described(subject)}"
        )
    probing = Probing.of(probing, **settings)
    asked = None if loss == "auto" else get_loss(loss).name
    if probing.samples > 1 and subject.layout.one_sample_only:
        raise InputError(
            f"{subject.name} takes one sample at a time ({subject.layout.inputs} inputs); use --samples 1"
        )
    run = ProbeRun(subject, probing, progress)
    points = _points(run, subject, asked)
    candidates = _judge(points, subject, run.tol, run.method)
    derived = None
    if run.tol.given:  # the caller's tolerance: what would the table's have concluded?
        judged = _judge(points, subject, run.derived_tol, run.method)
        derived = decide(judged, subject.backward_order, asked, subject.lr_known)
    if asked is not None and next(c for c in candidates if c.loss == asked).verdict == NOT_APPLICABLE:
        reason = next(c.reason for c in candidates if c.loss == asked)
        raise NotApplicable(
            reason or f"loss {asked} does not apply",
            hint="when the output is the scores and the softmax (or sigmoid) is inside the loss, read it "
            "so: --output softmax (Options(output='softmax') in Python)",
        )
    found = _output_error(points, subject, run.tol)
    verdict = near_verdict(
        replace(decide(candidates, subject.backward_order, asked, subject.lr_known), output_error=found),
        found,
        subject.lr_known,
    )
    verdict = replace(verdict, batch=check_batches(subject, probing, verdict) if batches else None)
    if batches:
        verdict = replace(verdict, labels=check_labels(subject, probing, verdict))
    return IdentificationReport(
        subject=subject.name,
        convention=_convention(subject),
        seed=probing.seed,
        probes=probing.probes,
        samples=probing.samples,
        method=run.method,
        candidates=candidates,
        backward_order=subject.backward_order,
        verdict=verdict,
        notes=list(subject.notes) + _precision_note(subject, run.derived_tol),
        precision=np.dtype(subject.precision).name,
        rtol=run.tol.rtol,
        atol=run.tol.atol,
        derived=derived,
        derived_rtol=run.derived_tol.rtol,
        coverage=_coverage(points, subject, probing.directions),
        method_note=run.method_note,
        lr_known=subject.lr_known,
        layout=subject.layout.describe(getattr(subject, "n_outputs", None)),
        reading=subject.layout.output,
    )


def _points(run: ProbeRun, subject: Subject, asked: str | None) -> list[Point]:
    """Every probe point of ``run``; at the check's stop before ``--timeout``, :class:`OutOfTime` saying
    what was done: the probes complete and what they conclude, which is no verdict (one needs every
    probe asked for).

    Raises
    ------
    OutOfTime
        At the stop (:mod:`verification.identification.progress`), with the message extended.
    """
    points: list[Point] = []
    try:
        for p in range(run.probing.probes):
            points.append(run.point(p))
            if p == 0:  # a gradient the labels do not change is no loss's: refused, not judged
                first = points[0].probe
                refuse_label_blind(subject, first.params, first.x, first.y, first.gradient)
    except OutOfTime as stop:
        asked_for = run.probing.probes
        if points:
            found = decide(
                _judge(points, subject, run.tol, run.method), subject.backward_order, asked, subject.lr_known
            )
            what = found.identified or "none of the catalog losses"
            if found.identified and found.scale not in (None, 1.0):
                what = f"{found.scale:.6g} × {what}"
            said = (
                f"{len(points)} of {asked_for} probes complete; at those, {subject.name} matches {what} "
                f"(not a verdict: that needs all {asked_for})"
            )
            hint = f"raise --timeout, or ask for the probes that fit (--probes {len(points)})"
        else:
            said = f"no probe of {asked_for} complete, so nothing is concluded"
            hint = "raise --timeout" + (
                "; --full checks every entry at the first probe" if run.probing.full else ""
            )
        stop.args = (f"{stop.args[0]}: {said}",)
        stop.hint = hint
        raise
    return points


class NotApplicable(InputError):
    """The loss asked about does not apply to the code's outputs (they leave its domain)."""


def _judge(points: list[Point], subject: Subject, tol: Tolerance, method: str) -> list[LossReport]:
    """Every catalog loss judged over all probes (not applicable where some probe left its domain)."""
    out = []
    for name in LOSSES:
        per_probe = [p.compared[name] for p in points if name in p.compared]
        if len(per_probe) < len(points):
            reason = next((p.reasons[name] for p in points if name in p.reasons), "outputs out of domain")
            out.append(LossReport(name, NOT_APPLICABLE, None, reason=reason))
        else:
            out.append(loss_report(name, subject.backward_order, per_probe, tol, method))
    return out


def _output_error(points: list[Point], subject: Subject, tol: Tolerance) -> OutputError:
    """What the code back-propagates at the probes (:mod:`verification.identification.output_error`),
    read off the tensors it gives a gradient for: one it leaves out (zero, see ``missing``) carries no
    output error and would make every other look inconsistent with it."""
    missing = getattr(subject, "missing", {})
    order = [n for n in subject.backward_order if n not in missing] or subject.backward_order
    per_probe = [
        {
            n: equations(p.probe.gradient[n], p.probe.rounding[n], p.derivatives[n], p.probe.params[n])
            for n in subject.parameters
        }
        for p in points
    ]
    outputs = [(p.probe.output, p.probe.y) for p in points]
    found = recover(per_probe, order, outputs, tol)
    if not found.consistent:
        found = penalized(per_probe, order, outputs, tol) or found
    if not found.consistent:  # a constant in the forward pass (e / (Σe + ε)) reaches its Jacobian too
        found = shared_deviation(per_probe, order, outputs, tol) or found
    elif found.loss is None and (near := near_loss(per_probe, order, outputs, tol)) is not None:
        found = replace(found, loss=near[0], loss_scale=near[1], deviation=near[2])
    return replace(found, left_out=tuple(n for n in subject.backward_order if n not in order))


def _coverage(points: list[Point], subject: Subject, directions: int) -> dict[str, TensorCoverage]:
    """What was checked of each tensor over all probes, with the stated guarantee."""
    out = {}
    for n in subject.parameters:
        allowances = [p.allowances[n] for p in points]
        rms = [_rms(p.probe.gradient[n]) for p in points]
        out[n] = TensorCoverage(
            name=n,
            size=int(subject.parameters[n].size),
            checked=[p.checked[n] for p in points],
            directions=directions,
            detectable=detectable(allowances, rms, MISS_PROBABILITY),
            allowances=tuple(allowances),
            rms=tuple(rms),
        )
    return out


def _rms(g: Array) -> float:
    flat = np.ravel(g)
    return float(np.sqrt(np.mean(flat * flat))) if flat.size else 0.0


def _precision_note(subject: Subject, tol: Tolerance) -> list[str]:
    """A note when the code computes in float32: its tolerances and rounding estimates are float32's,
    and a deviation below the tolerance's ``rtol`` (an ``ε`` of ``1e-4`` added where the code divides)
    cannot be told from its rounding."""
    if subject.precision == np.float64:
        return []
    eps = float(np.finfo(subject.precision).eps)
    name = np.dtype(subject.precision).name
    return [
        f"the code computes in {name}: compared at its precision (ε = {eps:.1e}); a relative deviation "
        f"below {tol.rtol:.1e} cannot be told from its rounding"
    ]


def _convention(subject: Subject) -> str:
    """How the code's gradient was taken, for the report: returned, or recovered from an update."""
    recipe = subject.recipe
    if recipe is None:
        return "function"
    if recipe.kind == "returned":
        return "returned gradients"
    lr = getattr(subject, "lr", None)
    if not subject.lr_known:
        return "update in place, learning rate unknown (taken as 1)"
    return f"update in place, lr = {lr:g}"
