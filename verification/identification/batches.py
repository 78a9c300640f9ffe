"""Batches: does the gradient found for one sample hold for a batch, and as a mean or a sum?

Code written one sample at a time is often also called on batches, and some bugs show only there: a
gradient accumulator overwritten (``=``) where it should be added to (``+=``) over the samples of a
batch gives the gradient of the last sample alone, which at one sample is exactly right. So once a loss
is identified at one sample, one more probe point of :data:`BATCH` samples is drawn and every tensor is
compared, at the scale found, with the numeric gradient of the batch *mean* (scale ``c``) and of the
batch *sum* (scale ``BATCH · c``; the loss of a batch in the catalog is the mean, DESIGN.md):

* ``mean``: the code averages over the batch; ``sum``: it sums (the report says ``× n at a batch of
  n``); ``twice-divided``: it divides by the batch size twice (``1/n²`` of the sum: a loss derivative
  that averages, handed to layers that average again), still a loss's gradient, at a scale that
  depends on the batch size, which the report says;
* ``sequential``: neither, but the code's step on the batch is the same as its own one-sample steps
  taken in turn (online gradient descent: ``p ← p − lr g(p; x_i, y_i)`` for ``i = 1 … n``); the
  one-sample verdict stands for every step, and the report says the batch is stepped through;
* ``mini-batches``: the code's step on the batch is its own steps on consecutive mini-batches of ``b``
  samples taken in turn (a ``fit`` with a batch size of its own, smaller than the batch), and its step
  on a batch of ``b`` is the mean or the sum over it: the verdict holds, and the report says so;
* ``one``: the code's step on the batch is its own step on one of the samples alone (an accumulator
  overwritten where it should be added to gives the last; a sample drawn by a draw not read, any):
  the verdict does not hold for the batch, and the report names the sample;
* ``inconsistent``: none of these: the code is the gradient of that loss for one sample, not for a
  batch; the first tensor that differs is named. Code that draws a subset of its samples itself
  (:func:`verification.reading.sample_orders.subset_draws`) is not judged so: its step is on the
  samples it drew, and which they were is not known (no reduction, the reason says so).

Code that takes one sample at a time (1-D inputs or lists), or that fails on a batch, is not probed so;
the report says which.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.calls import WrongShape
from verification.adapters.sample_lists import sample_forward_subject, sample_list_subject
from verification.adapters.sample_passes import loop_batch_subject
from verification.adapters.subject import CodeSubject, Subject
from verification.identification.near_match import near_tolerance
from verification.identification.probes import Probe
from verification.identification.probing import ProbeRun
from verification.identification.request import Probing
from verification.identification.verdicts import BatchCheck, Verdict
from verification.identification.weight_decay import penalized_reduction
from verification.reading.sample_orders import subset_draws
from verification.tolerances import tolerance_for

BATCH = 3
"""Samples in the batch probe: the smallest batch whose sum is not its mean, with a sample to spare; a
larger one when the network has as many inputs or outputs, so that no shape of the batch can be read
both ways (:func:`batch_size`)."""


def batch_size(subject: Subject) -> int:
    """:data:`BATCH`, or the next size that differs from the network's input and output widths."""
    n = BATCH
    while n in (subject.n_inputs, subject.n_outputs):
        n += 1
    return n


BATCH_BUDGET = 512
"""Entries checked one by one at the batch probe (with every entry along random directions): the scale is
known by then, and one probe of a known scale needs no more to tell a mean, a sum or neither."""

ACCEPTED = ("matches", "kink")

ONE_PASS = "the step is one pass of the script's loop over its samples"
"""Why a one-pass loop step whose passes cannot all be run is not probed at a batch."""


def check_batches(subject: Subject, probing: Probing, verdict: Verdict) -> BatchCheck | None:
    """The :class:`BatchCheck` of ``verdict`` (None when there is nothing to check: no loss found, or
    the probes were batches already). A verdict found only to within the near tolerance
    (:mod:`verification.identification.near_match`) is checked at a batch to within it too.

    Raises
    ------
    InputError
        Never for code that fails on a batch (that is a ``reason``); only as :class:`ProbeRun` raises
        for the code's other failures.
    """
    if probing.samples > 1 or (
        verdict.identified is None and verdict.split is None and not verdict.penalized
    ):
        return None
    script = getattr(subject, "script", None)
    drawn = ", ".join(f"{d.call}, line {d.line}" for d in subset_draws(script.tree)) if script else ""
    if getattr(subject.recipe, "one_sample", False):  # unless every pass can be run: for x in X
        passes = loop_batch_subject(subject)
        if passes is None:
            return BatchCheck(
                BATCH, None, reason="the step is one pass of the script's loop over its samples"
            )
        subject = passes
    if subject.layout.one_sample_only:  # unless its step takes a list of samples: f([x], [y])
        listed = sample_list_subject(subject)
        if listed is None:
            return BatchCheck(
                BATCH, None, reason=f"the code takes one sample at a time ({subject.layout.inputs})"
            )
        subject = listed
    losses = {
        t: (verdict.identified, verdict.scale) if verdict.identified else verdict.per_tensor[t]
        for t in subject.backward_order
    }
    n = batch_size(subject)
    ran, note = _batch_point(subject, probing, n), None
    flat = _flat_labels(subject) if isinstance(ran, BatchCheck) else None
    if flat is not None and not isinstance(again := _batch_point(flat, probing, n), BatchCheck):
        subject, ran, note = flat, again, FLAT_LABELS  # y of shape (n,) beside an output of shape (n,)
    if isinstance(ran, BatchCheck):
        return ran
    run, point = ran
    tol = run.tol if verdict.deviation is None else near_tolerance(run.tol)  # known once a point ran
    if verdict.penalized and verdict.output_error is not None:  # a loss plus an L2 penalty
        tensors = [t for t in subject.backward_order if t not in verdict.output_error.left_out]
        return BatchCheck(n, penalized_reduction(point, tensors, verdict.output_error, tol, n), reason=note)
    reduction = _reduction(point, losses, tol, n)
    if reduction is not None:
        return BatchCheck(n, reduction, reason=note)
    if (per := sample_forward_subject(subject)) is not None:  # a forward pass written for one sample
        again = _batch_point(per, probing, n)
        if not isinstance(again, BatchCheck) and (found := _reduction(again[1], losses, tol, n)) is not None:
            return BatchCheck(n, found, reason=SAMPLE_FORWARD)
    if (
        subject.recipe is not None
        and subject.recipe.kind != "returned"
        and (order := _stepped_through(subject, point.probe)) is not None
    ):
        return BatchCheck(n, "sequential", order=order)
    if subject.recipe is not None and subject.recipe.kind != "returned":
        chunked = _in_mini_batches(subject, probing, verdict, losses, point.probe)
        if chunked is not None:
            return BatchCheck(n, "mini-batches", order=(chunked[0],), reason=chunked[1])
    if drawn:  # idx = np.random.choice(n, batch_size): a step on the samples drawn, not on the batch
        return BatchCheck(
            n, None, reason=f"the step draws its own samples at random ({drawn}): which it took is not known"
        )
    if subject.recipe is not None and (alone := _one_alone(subject, point.probe)) is not None:
        return BatchCheck(n, "one", order=(alone,))
    for name, (loss, scale) in losses.items():
        if loss not in point.compared:
            return BatchCheck(n, None, reason=f"{loss} does not apply at the batch's outputs")
        report = point.compared[loss][name].report(name, tol, scale or 1.0)
        if report.verdict not in ACCEPTED:
            return BatchCheck(
                n, "inconsistent", name, report.relative_error, reason=_mixed(point, losses, tol, n)
            )
    return BatchCheck(n, "inconsistent")


def _mixed(point: Any, losses: dict[str, tuple[str | None, float | None]], tol: Any, n: int) -> str | None:
    """When every tensor is either the batch mean or the batch sum of its loss, but not all alike: which
    are which (``W1 is the batch mean, W2 the sum``: divided by the batch size in some tensors only);
    None otherwise."""
    kinds: dict[str, list[str]] = {"mean": [], "sum": []}
    for t, (loss, scale) in losses.items():
        found = [
            k
            for k, factor in (("mean", 1.0), ("sum", float(n)))
            if loss in point.compared
            and point.compared[loss][t].report(t, tol, factor * (scale or 1.0)).verdict in ACCEPTED
        ]
        if len(found) != 1:
            return None
        kinds[found[0]].append(t)
    if not kinds["mean"] or not kinds["sum"]:
        return None
    return f"{', '.join(kinds['mean'])} the batch mean, {', '.join(kinds['sum'])} the sum"


SAMPLE_FORWARD = "the forward pass is written for one sample: the batch's output is each sample's"
"""Why a batch's output was taken sample by sample (:class:`~verification.adapters.sample_lists.
SampleForwardSubject`): the forward pass given the batch mixes its samples (a softmax over the whole
array), while the step takes the batch."""
FLAT_LABELS = "labels one value per sample (1-D) at the batch, as the code's output is"
"""Why a batch of a one-output network was probed with 1-D labels (:func:`_flat_labels`)."""


def _batch_point(subject: Subject, probing: Probing, n: int) -> tuple[ProbeRun, Any] | BatchCheck:
    """The batch probe's run and point at ``n`` samples, or the :class:`BatchCheck` saying why none
    could be had (a gradient of another shape, code that fails)."""
    run = ProbeRun(subject, _at(probing, n), None)
    try:
        return run, run.point(0)
    except WrongShape as exc:  # runs, and gives a gradient of another shape: written for one sample
        given = str(exc)[str(exc).find("gave a gradient of") :]
        return BatchCheck(n, None, exc.tensor, reason=f"at a batch of {n} samples the code {given}")
    except InputError as exc:
        reshaped = getattr(exc, "reshaped", None)  # W = W - lr * g with g of another shape: broadcast
        if reshaped is not None:
            return BatchCheck(n, "reshaped", reshaped, reason=f"at a batch of {n} samples {exc}")
        return BatchCheck(n, None, reason=f"the code fails on a batch of {n}: {exc}")


def _flat_labels(subject: Subject) -> Subject | None:
    """A copy of a one-output ``subject`` given its labels as one value per sample, ``(n,)``, where it
    was given a column ``(n, 1)``: a forward pass that returns one value per sample (``H @ v``, shape
    ``(n,)``) subtracts labels of that shape, and a column broadcasts against it to ``(n, n)``. At one
    sample both run, so only a batch tells them apart. None for any other subject."""
    layout = subject.layout
    if not isinstance(subject, CodeSubject) or subject.n_outputs != 1 or layout.labels != "one-hot":
        return None
    if layout.one_sample_only:
        return None
    made = copy.copy(subject)
    made.layout = replace(layout, labels="index")
    made.recipe = replace(subject.recipe, layout=made.layout)
    return made


def _at(probing: Probing, n: int) -> Probing:
    """The batch probe's settings at ``n`` samples: its own seed, the batch budget."""
    return replace(
        probing, seed=probing.seed + 1, samples=n, budget=min(probing.budget, BATCH_BUDGET), full=False
    )


def _reduction(
    point: Any, losses: dict[str, tuple[str | None, float | None]], tol: Any, n: int
) -> str | None:
    """``mean`` or ``sum`` when every tensor of the batch ``point`` of ``n`` samples matches its loss at
    the one-sample scale (``mean``) or ``n`` times it (``sum``); ``twice-divided`` at ``1/n`` of it (the
    batch size divided out twice: a loss derivative that takes the mean handed to layers that do too);
    None when none of these."""
    for reduction, factor in {"mean": 1.0, "sum": float(n), "twice-divided": 1.0 / n}.items():
        if all(
            loss in point.compared
            and point.compared[loss][t].report(t, tol, factor * (scale or 1.0)).verdict in ACCEPTED
            for t, (loss, scale) in losses.items()
        ):
            return reduction
    return None


def _in_mini_batches(
    subject: Subject,
    probing: Probing,
    verdict: Verdict,
    losses: dict[str, tuple[str | None, float | None]],
    probe: Probe,
) -> tuple[int, str] | None:
    """``(b, reduction)`` when the code's step on the batch ``probe`` is its own steps on the consecutive
    mini-batches of ``b`` samples taken in turn (a ``fit`` that slices ``X[s:s + batch_size]`` with a
    batch size of its own, smaller than the probe's; the samples in order, or rotated as a draw read in
    order rotates them), and its step on one mini-batch of ``b`` samples is
    the ``reduction`` (mean or sum) of the loss over it, checked by a probe of ``b`` samples; None when
    no ``b`` from 2 to the batch's size less one does both. Mini-batch gradient descent: Goodfellow,
    Bengio and Courville, *Deep Learning*, §8.1.3."""
    n = len(probe.x)
    for b in range(2, n):
        rotations = (  # the samples in order, or rotated as a fixed draw is (reading.sample_orders)
            replace(probe, x=np.roll(probe.x, -r, axis=0), y=np.roll(probe.y, -r, axis=0)) for r in range(n)
        )
        if all(_stepped_through(subject, rotated, chunk=b) is None for rotated in rotations):
            continue
        run = ProbeRun(subject, _at(probing, b), None)
        try:
            point = run.point(0)
        except InputError:
            return None
        tol = run.tol if verdict.deviation is None else near_tolerance(run.tol)
        reduction = _reduction(point, losses, tol, b)
        return None if reduction is None else (b, reduction)
    return None


ORDERS = 5
"""Up to this many samples in a batch, every order of them is tried as the order of a code that shuffles
its samples before stepping through them (at most 5! orders, their common beginnings stepped once)."""


def _stepped_through(subject: Subject, probe: Probe, chunk: int = 1) -> tuple[int, ...] | None:
    """The order in which the code's own one-sample steps, taken in turn, give the update recovered at
    the batch ``probe``; None when no order does. With ``chunk`` > 1 the steps are the code's own on
    the consecutive slices of ``chunk`` samples, in the samples' order (the last may be shorter), and
    the order returned is that of the slices' first samples.

    From ``p_0`` = the probe's parameters, ``p_i = p_{i-1} − lr g_{π(i)}`` with ``g_j`` the code's
    gradient at ``p_{i-1}`` for sample ``j`` alone; the batch's recovered gradient must equal
    ``(p_0 − p_n) / lr``. The order π is the samples' own first, then (for up to :data:`ORDERS`
    samples, code that shuffles them) every other, depth first. Both sides are recovered from
    updates, so they differ by the rounding bounds the subject gives for each (summed over the steps,
    twice: the code's own step and the one retaken here round alike), plus the ``rounding`` rtol of
    the code's precision on the size of the steps (a step taken at a point rounded from the code's own
    moves the next gradient by that much).

    Raises
    ------
    InputError
        Never: code that fails on one of the samples is not stepping through them (None).
    """
    lr = getattr(subject, "lr", 1.0)
    start = {n: np.array(v, dtype=np.float64) for n, v in probe.params.items()}
    rounding = {n: np.array(probe.rounding[n], dtype=np.float64) for n in start}
    size = {n: np.abs(probe.gradient[n]) for n in start}
    rtol = tolerance_for(subject.precision, "rounding").rtol
    n_samples = len(probe.x)

    def search(state: tuple[dict, dict, dict], taken: tuple[int, ...]) -> tuple[int, ...] | None:
        params, allowed, grown = state
        if len(taken) == len(range(0, n_samples, chunk)):
            with np.errstate(all="ignore"):
                close = all(
                    bool(
                        np.all(
                            np.abs((probe.params[n] - params[n]) / lr - probe.gradient[n])
                            <= allowed[n] + rtol * grown[n]
                        )
                    )
                    for n in params
                )
            return taken if close else None
        rest = [i for i in range(0, n_samples, chunk) if i not in taken]
        tried = rest[:1] if chunk > 1 else rest if n_samples <= ORDERS or not taken else rest[:1]
        for i in tried:
            try:
                step, r = subject.gradient(params, probe.x[i : i + chunk], probe.y[i : i + chunk])
            except InputError:
                return None
            moved = (
                {n: params[n] - lr * step[n] for n in params},
                {n: allowed[n] + 2 * r[n] for n in params},  # the code's step and the one retaken here
                {n: grown[n] + np.abs(step[n]) for n in params},
            )
            found = search(moved, (*taken, i))
            if found is not None:
                return found
            if n_samples > ORDERS or chunk > 1:
                return None
        return None

    return search((start, rounding, size), ())


def _one_alone(subject: Subject, probe: Probe) -> int | None:
    """The one sample of the batch ``probe`` whose gradient, the code's own at the probe's parameters
    for that sample alone, is the gradient recovered at the batch, to within the rounding bounds of
    both (twice the subject's, plus the ``rounding`` rtol of its precision on the gradient's size);
    None when no sample's is, or more than one's (samples alike)."""
    start = {n: np.array(v, dtype=np.float64) for n, v in probe.params.items()}
    rtol = tolerance_for(subject.precision, "rounding").rtol
    found = []
    for i in range(len(probe.x)):
        try:
            alone, r = subject.gradient(start, probe.x[i : i + 1], probe.y[i : i + 1])
        except InputError:
            return None
        with np.errstate(all="ignore"):
            if all(
                np.all(
                    np.abs(alone[n] - probe.gradient[n])
                    <= 2 * (r[n] + probe.rounding[n]) + rtol * np.abs(alone[n])
                )
                for n in start
            ):
                found.append(i)
    return found[0] if len(found) == 1 else None
