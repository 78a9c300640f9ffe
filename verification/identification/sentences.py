"""The sentences that state a verdict: what the code is the gradient of (a loss, a multiple of one, a
split, none, a flipped sign), whether that holds for a batch, what it matches instead, and the note on a
tolerance the caller gave; with the scales and expressions written as a reader expects them.

What the verdict is, is decided in :mod:`verification.identification.verdicts`; the text and JSON report
around these sentences is :mod:`verification.identification.report`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from ffnn.losses import LOSSES, get_loss
from verification.identification.outcome import IdentificationReport

FORMULAS = tuple(get_loss(name).formula for name in LOSSES)
"""The catalog's loss formulas: a verdict sentence is wrapped around them, never through them."""


def format_scale(c: float | None, rtol: float) -> str:
    """``c`` as a small fraction (``2``, ``1/3``) when it is one to within ``rtol``, else ``%.6g``."""
    if c is None:
        return "-"
    frac = Fraction(c).limit_denominator(1000)
    if abs(float(frac) - c) <= rtol * abs(c):
        return str(frac)
    return f"{c:.6g}"


def derived_result(result: IdentificationReport) -> IdentificationReport:
    """``result`` as the table's tolerance judges it (``result`` itself when no tolerance was given)."""
    if result.derived is None:
        return result
    return replace(result, verdict=result.derived, rtol=result.derived_rtol, atol=0.0, derived=None)


def override_note(result: IdentificationReport) -> str | None:
    """When the caller gave ``rtol`` or ``atol``: what was given, and what the table's tolerance
    concludes when that differs; None for the table's tolerance."""
    if result.derived is None:
        return None
    given = f"tolerance given: rtol {result.rtol:.1e}, atol {result.atol:.1e}"
    table = f"the derived tolerance (rtol {result.derived_rtol:.1e})"
    if result.derived == result.verdict:
        return f"{given}; {table} agrees"
    return f"{given}; {table} concludes instead: {verdict_sentence(derived_result(result))}"


def verdict_sentence(result: IdentificationReport) -> str:
    """One line saying what the code is the gradient of, and whether that holds for a batch; it starts
    with a capital when the code is named by a phrase (``The training loop is …``), never by changing a
    name in the code."""
    sentence = _verdict_sentence(result)
    return sentence[0].upper() + sentence[1:] if sentence.startswith("the ") else sentence


def _names_loss(result: IdentificationReport) -> bool:
    """Whether the verdict names a loss: one identified, a split, or one plus an L2 penalty."""
    return bool(result.identified or result.split or result.verdict.penalized)


def _what(result: IdentificationReport) -> str:
    """What the one-sample verdict is the gradient of, for a sentence on the batch."""
    found = result.verdict.output_error
    if result.verdict.penalized and found is not None:
        return f"{found.loss} plus an L2 penalty"
    return str(result.identified) if result.identified else "the losses its tensors match"


def _verdict_sentence(result: IdentificationReport) -> str:
    batch = result.verdict.batch
    if batch is not None and batch.reduction == "inconsistent":
        what = _what(result)
        where = f": {batch.first_mismatch} differs" if batch.first_mismatch else ""
        where = f": {batch.reason}" if batch.reason else where  # W1 the batch mean, W2 the sum
        return (
            f"{result.subject} is the gradient of {what} for one sample, but not for a batch: at a batch "
            f"of {batch.samples} samples its gradient is neither the mean nor the sum of the per-sample "
            f"gradients{where}{_steps(result)} (a gradient overwritten where it should be added up over the "
            f"samples, or divided by the batch size where the others are not{_carried(result)}?)"
        )
    if batch is not None and batch.reduction == "reshaped":
        return (
            f"{result.subject} is the gradient of {_what(result)} for one sample, but not for a batch: "
            f"{batch.reason}, so its step there is no gradient step (a gradient whose shape broadcasts "
            "against its weight's: labels of shape (n,) against outputs (n, 1)?)"
        )
    if batch is not None and batch.reduction == "one":
        what = _what(result)
        alone = (batch.order or (0,))[0]
        last = " (the last)" if alone == batch.samples - 1 else ""
        return (
            f"{result.subject} is the gradient of {what} for one sample, but not for a batch: at a batch of "
            f"{batch.samples} samples its step is that of sample {alone}{last} alone, the others left out "
            "(a gradient overwritten where it should be added up over the samples, or a step on one sample "
            "drawn at random?)"
        )
    labels = result.verdict.labels
    if labels is not None and labels.holds is False and result.identified:
        return (
            f"{result.subject} is the gradient of {result.identified} for one-hot labels only, not for "
            f"{labels.labels}, which {result.identified} also takes: there {labels.first_mismatch} differs "
            f"(relative error {labels.relative_error:.1e}; labels transformed, or read by their argmax?)"
        )
    sentence = _identified_sentence(result)
    if result.precision != "float64" and _names_loss(result):  # to its resolution only
        sentence += f" (to {result.precision}'s resolution, a relative {result.rtol:.1e})"
    if batch is not None and batch.reduction == "sum" and _names_loss(result):
        sentence += f"; summed over the batch (× n at a batch of n samples, checked at {batch.samples})"
    if batch is not None and batch.reduction == "twice-divided" and _names_loss(result):
        sentence += (
            f"; divided by the batch size twice (1/n² × the sum at a batch of n, checked at {batch.samples})"
        )
    failed = (
        batch is not None and batch.reduction is None and (batch.reason or "").startswith("the code fails")
    )
    if failed and batch is not None and _names_loss(result):
        sentence += f"; for one sample only: the code fails on a batch of {batch.samples}"
    shaped = batch is not None and batch.reduction is None and (batch.reason or "").startswith("at a batch")
    if shaped and batch is not None and _names_loss(result):  # per-sample gradients
        sentence += f"; for one sample only: {batch.reason}"
    if batch is not None and batch.reduction == "mini-batches" and _names_loss(result):
        size = (batch.order or (0,))[0]
        sentence += (
            f"; a batch is stepped through in mini-batches of {size}, each step the {batch.reason} over its "
            f"mini-batch (checked at {batch.samples})"
        )
    if batch is not None and batch.reduction == "sequential" and _names_loss(result):
        sentence += (
            f"; a batch is stepped through one sample at a time (online gradient descent, checked at "
            f"{batch.samples})"
        )
    return sentence


def _steps(result: IdentificationReport) -> str:
    """What else a step (not a returned gradient) was compared with at a batch."""
    return ", nor its own one-sample steps taken in turn" if _steps_taken(result) else ""


def _carried(result: IdentificationReport) -> str:
    """A cause only a step can have."""
    return ", or a step that carries momentum from one sample to the next" if _steps_taken(result) else ""


def _steps_taken(result: IdentificationReport) -> bool:
    return result.convention.startswith("update")


def _identified_sentence(result: IdentificationReport) -> str:
    rtol = result.rtol
    if result.identified is not None:
        formula = get_loss(result.identified).formula
        if result.reading != "as-is":
            formula += f", with a = {result.reading}(the output)"
        if result.also:
            why = (
                "within the tolerance given"
                if result.derived is not None
                else "the losses differ by a constant here"
            )
            formula += f" (also matches {', '.join(result.also)}: {why})"
        if result.verdict.deviation is not None:
            formula += f"; {near_text(result.verdict.deviation, rtol)}"
        if not result.lr_known:
            return (
                f"{result.subject} is proportional to the gradient of {result.identified} ({formula}): "
                f"{format_scale(result.scale, rtol)} × it if the update's learning rate is 1 (none was "
                "found; give --lr to pin the scale)"
            )
        if result.scale == 1.0:
            return f"{result.subject} is the gradient of {result.identified}: {formula}"
        return (
            f"{result.subject} is {format_scale(result.scale, rtol)} × the gradient of "
            f"{result.identified} ({formula})"
        )
    if result.split is not None:
        parts = ", ".join(f"{n} matches {loss}" for n, loss in result.split.items())
        return f"{result.subject} is a split: {parts}; it is the gradient of no one loss"
    found = result.verdict.output_error
    if found is not None and found.penalty and found.loss is not None and not found.left_out:
        times = format_scale(found.loss_scale, rtol).replace("-", "−", 1)
        return (
            f"{result.subject} is {'' if times == '1' else times + ' × '}the gradient of {found.loss} plus "
            f"an L2 penalty (weight decay) {penalty_text(found.penalty, found.penalty_error, rtol)}, and "
            "of none of the catalog losses alone"
        )
    flipped = (
        found is not None
        and found.loss is not None
        and found.loss_scale is not None
        and found.loss_scale < 0
        and not found.left_out
    )
    if flipped and found is not None:
        times = format_scale(found.loss_scale, rtol).replace("-", "−", 1)
        return (
            f"{result.subject} is the gradient of none of the catalog losses; it is {times} × the gradient "
            f"of {found.loss}: the sign is flipped (a step along it climbs the loss)"
        )
    if found is not None and found.loss is not None and found.left_out and (found.loss_scale or 0) > 0:
        return partial_sentence(result, found.loss, found.loss_scale, found.left_out)
    return f"{result.subject} is the gradient of none of the catalog losses (nor a multiple of one)"


def partial_sentence(
    result: IdentificationReport, loss: str, scale: float | None, left_out: tuple[str, ...]
) -> str:
    """The verdict on code that is the gradient of ``loss`` (times ``scale``) in every tensor it gives a
    gradient, and gives none for the tensors ``left_out`` that the output depends on (a forgotten update,
    or parameters held fixed on purpose): as a whole the gradient of no catalog loss, said with the loss
    the rest agree on, so that neither reading is lost (issue point 7: a tensor without a gradient is a
    mismatch, never a skip). With no learning rate found, the scale is the one at a rate of 1."""
    times = format_scale(scale, result.rtol) if scale is not None else "1"
    shown = ", ".join(left_out[:3]) + (f" and {len(left_out) - 3} more" if len(left_out) > 3 else "")
    count = "1 tensor" if len(left_out) == 1 else f"{len(left_out)} tensors"
    if not result.lr_known:
        rate = "" if times == "1" else f" ({times} × it if the update's learning rate is 1; give --lr)"
        claim = f"is proportional to the gradient of {loss}{rate}"
    else:
        claim = f"is {'' if times == '1' else times + ' × '}the gradient of {loss}"
    return (
        f"{result.subject} {claim} in every tensor it gives a gradient, and gives none for {count} the "
        f"output depends on ({shown}): a forgotten update, or parameters held fixed on purpose; as a whole "
        "it is the gradient of none of the catalog losses"
    )


def near_text(deviation: float, rtol: float) -> str:
    """The clause of a verdict found only to within the near tolerance
    (:mod:`verification.identification.near_match`): the deviation, against the rounding allowed."""
    return (
        f"to a relative {deviation:.1e}, more than rounding ({rtol:.0e}) and far less than a slip in a "
        "backward pass: a small constant in the code, such as an ε added where it divides"
    )


def penalty_text(penalty: dict[str, float], error: float, rtol: float) -> str:
    """``½ λ ‖θ‖², λ = 0.1 on W1, W2 (none on b1, b2)``: the penalty of
    :func:`verification.identification.weight_decay.penalized`, each λ as a fraction when it is one
    within its error bound ``error`` (or ``rtol``), and one λ when the tensors share it within that."""
    on = {n: v for n, v in penalty.items() if v}
    off = [n for n, v in penalty.items() if not v]
    values = list(on.values())

    def shown(v: float) -> str:
        return format_scale(v, max(rtol, error / abs(v)))

    if all(abs(v - values[0]) <= 2 * error + rtol * abs(values[0]) for v in values):
        said = f"λ = {shown(values[0])} on {', '.join(on)}"
    else:
        said = "λ = " + ", ".join(f"{shown(v)} on {n}" for n, v in on.items())
    return f"½ λ ‖θ‖², {said}" + (f" (none on {', '.join(off)})" if off else "")


def scaled_expression(expression: str, scale: float | None, rtol: float) -> str:
    """``c × (expression)`` as a reader expects it: ``a − y`` for 1, ``−(a − y)`` for −1, parentheses
    around a compound expression, the scale as :func:`format_scale` gives it."""
    text = "1" if scale is None else format_scale(scale, rtol)
    inner = f"({expression})" if " " in expression else expression
    if text == "1":
        return expression
    if text == "-1":
        return f"−{inner}"
    return f"{text.replace('-', '−', 1)} × {inner}"


def matches_instead(result: IdentificationReport) -> str:
    """What the code is the gradient of instead, as a clause: a loss, a multiple of one, a split, or none."""
    if result.identified is not None:
        if result.scale == 1.0:
            return f"it is the gradient of {result.identified}"
        return f"it is {format_scale(result.scale, result.rtol)} × the gradient of {result.identified}"
    if result.split is not None:
        return "tensors match different losses: " + ", ".join(
            f"{n} {loss}" for n, loss in result.split.items()
        )
    return "it matches no catalog loss, nor a multiple of one"


DOMAIN = re.compile(r"needs output activations in (?P<domain>\(.*?\)), got (?P<value>\S+?) at")
"""The reason :mod:`verification.identification.verdicts` gives for a loss left out: the domain its
formula needs, and the first output outside it."""


def not_applicable_line(result: IdentificationReport) -> str | None:
    """Why the losses marked ``not applicable`` in the table were not judged, in one line (``bce,
    cross_entropy need outputs in (0, 1); poisson_nll needs outputs in (0, inf); the forward returned
    -0.922``), a loss left out for another reason with that reason (``cross_entropy: labels y do not
    fit …``); None when every loss was judged."""
    left = [c for c in result.candidates if c.verdict == "not applicable"]
    domains: dict[str, list[str]] = {}
    value, others = None, []
    for c in left:
        found = DOMAIN.search(c.reason or "")
        if found is None:
            others.append(f"{c.loss}: {c.reason or 'not judged'}")
            continue
        domains.setdefault(found["domain"], []).append(c.loss)
        value = value or found["value"]
    parts = [
        f"{', '.join(losses)} {'need' if len(losses) > 1 else 'needs'} outputs in {d}"
        for d, losses in domains.items()
    ]
    if value is not None:
        parts[-1] += f"; the forward returned {float(value):.3g}"
    return f"  not applicable: {'; '.join(parts + others)}" if left else None
