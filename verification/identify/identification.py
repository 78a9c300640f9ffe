"""Which loss is a backward pass the gradient of? IdentificationReport by probing.

At several probe points (weights, inputs and labels drawn from ``np.random.default_rng(seed)``) the
gradient implied by the code under check (a :class:`verification.subjects.adapters.Subject`) is compared, per
parameter tensor, with the finite-difference gradient of every catalog loss whose domain holds the
network's outputs, the loss being the batch mean of :mod:`ffnn.losses` applied to the subject's own
forward pass. The comparison and its tolerances are those of :mod:`verification.compare.coordinate`.

Verdict per loss and tensor, over all probes:

* ``matches``: every probe matches;
* ``matches up to scale`` ``c``: with the pooled least-squares ``c = Σ⟨g_a, g_n⟩ / Σ⟨g_n, g_n⟩`` over the
  probes, ``g_a / c`` matches ``g_n`` at every probe. One ``c`` for all probes is what tells a factor
  (``2`` for ``Σ(a − y)²`` without the ½, ``1/n`` for a mean) from a coincidence: near ``a = 0.5`` the
  ``bce`` gradient of one sigmoid output is about 4 × the ``mse`` one, but the ratio ``a (1 − a)``
  changes from probe to probe and between outputs, so no single ``c`` fits;
* ``mismatch`` otherwise.

A loss is *identified* when every tensor matches it with one common scale (1 for an exact match). When
no loss fits every tensor but each tensor matches some loss, and not all the same, the verdict is a
*split* (e.g. ``W2`` matches ``bce`` while ``W1`` matches ``mse``).

Probe points are drawn by :mod:`verification.identify.probes`. A probe is redrawn when its outputs
come within :data:`verification.identify.probes.EDGE` of a bounded end of a loss's domain, when a
difference step crosses a kink, or when a step leaves a loss's domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES, get_loss
from ffnn.validation import InputError
from verification.compare.coordinate import compare_gradients, compare_parameter
from verification.compare.reports import GradientReport, ParameterReport
from verification.compare.rule import least_squares_scale
from verification.identify.probes import (
    MAX_DRAWS,
    CachedForward,
    Probe,
    draw_labels,
    draw_probe,
    well_conditioned,
)
from verification.numeric.differences import NumericGradient
from verification.numeric.evaluators import LoopEvaluator
from verification.numeric.methods import numeric_gradient_on
from verification.subjects.adapters import Subject
from verification.tolerances import Tolerance

Array = NDArray[Any]
Pair = tuple[dict[str, Array], NumericGradient, Tolerance]
"""One probe's analytic gradient, numeric gradient and the tolerance its comparison used."""
VERDICTS = ("matches", "matches up to scale", "mismatch", "not applicable")


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
        One per probe, from :func:`verification.compare.coordinate.compare_parameter`.
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


@dataclass(frozen=True)
class IdentificationReport:
    """The outcome of :func:`identify`.

    Attributes
    ----------
    subject : str
        Name of the code under check.
    convention : str
    seed, probes, samples : int
    method : str
    candidates : list of LossReport
        One per catalog loss, in catalog order.
    backward_order : list of str
        Parameter names, output layer first.
    asked : str or None
        The loss the caller asked about (None for automatic identification).
    """

    subject: str
    convention: str
    seed: int
    probes: int
    samples: int
    method: str
    candidates: list[LossReport]
    backward_order: list[str]
    asked: str | None = None
    notes: list[str] = field(default_factory=list)
    rtol: float = 0.0

    def candidate(self, loss: str) -> LossReport:
        """The candidate of catalog loss ``loss``."""
        return next(c for c in self.candidates if c.loss == get_loss(loss).name)

    @property
    def identified(self) -> str | None:
        """The loss every tensor matches with one scale: exact matches first, then scaled ones."""
        for verdict in ("matches", "matches up to scale"):
            for c in self.candidates:
                if c.verdict == verdict:
                    return c.loss
        return None

    @property
    def also(self) -> list[str]:
        """Other losses that match as well, e.g. ``poisson_nll`` next to ``cross_entropy`` on a softmax
        output, where ``Σ_k a_k = 1`` makes the two losses differ by a constant."""
        found = self.identified
        verdict = None if found is None else self.candidate(found).verdict
        return [c.loss for c in self.candidates if c.loss != found and c.verdict == verdict]

    @property
    def scale(self) -> float | None:
        """The scale of the identified loss (1.0 for an exact match), or None."""
        return None if self.identified is None else self.candidate(self.identified).scale

    def parameter_identified(self, name: str) -> tuple[str | None, float | None]:
        """The loss and scale tensor ``name`` matches on its own (exact first), or (None, None)."""
        for verdict in ("matches", "matches up to scale"):
            for c in self.candidates:
                if name in c.parameters and c.parameters[name].verdict == verdict:
                    return c.loss, c.parameters[name].scale
        return None, None

    @property
    def split(self) -> dict[str, str] | None:
        """Tensor → loss when no loss fits all tensors but each tensor matches some loss, not all one."""
        if self.identified is not None:
            return None
        per = {n: self.parameter_identified(n)[0] for n in self.backward_order}
        losses = set(per.values())
        if None in losses or len(losses) < 2:
            return None
        return {n: str(loss) for n, loss in per.items()}

    @property
    def matches_asked(self) -> bool | None:
        """Whether the asked loss matches exactly (None when none was asked)."""
        return None if self.asked is None else self.candidate(self.asked).verdict == "matches"

    def first_mismatch(self, loss: str) -> TensorReport | None:
        """The first tensor, output layer first, that does not match ``loss`` exactly."""
        c = self.candidate(loss)
        for n in self.backward_order:
            if n in c.parameters and c.parameters[n].verdict != "matches":
                return c.parameters[n]
        return None

    @property
    def success(self) -> bool:
        """Exit-status sense: the asked loss matches, or (automatic) some loss was identified."""
        return bool(self.matches_asked) if self.asked is not None else self.identified is not None


def format_scale(c: float | None, rtol: float) -> str:
    """``c`` as a small fraction (``2``, ``1/3``) when it is one to within ``rtol``, else ``%.6g``."""
    if c is None:
        return "-"
    frac = Fraction(c).limit_denominator(1000)
    if abs(float(frac) - c) <= rtol * abs(c):
        return str(frac)
    return f"{c:.6g}"


MAX_PROBES = 50
"""Most probe points :func:`identify` accepts: each probe costs a finite-difference gradient per loss,
and a scale is told from a coincidence by 2 or 3 already."""
MAX_SAMPLES = 1000
"""Most samples per probe batch :func:`identify` accepts (a batch factor shows with 2 or 3)."""


def _near_kink(c: Comparison) -> bool:
    """True when a perturbation of this probe crossed a kink (a ReLU at 0): the probe is redrawn."""
    return not isinstance(c, str) and any(p.kinks > 0 for p in c[2].parameters.values())


def _tensor_verdict(name: str, pairs: list[Pair], reports: list[ParameterReport]) -> TensorReport:
    worst = max(r.relative_error for r in reports)
    if all(r.verdict in ("matches", "kink") for r in reports):
        return TensorReport(name, "matches", 1.0, worst, reports)
    c = _pooled_scale(name, pairs)
    if c is not None and _matches_at(name, pairs, c):
        return TensorReport(name, "matches up to scale", c, worst, reports)
    return TensorReport(name, "mismatch", None, worst, reports)


def _pooled_scale(name: str, pairs: list[Pair]) -> float | None:
    g_a = np.concatenate([np.ravel(a[name]) for a, _, _ in pairs])
    g_n = np.concatenate([np.ravel(n.gradient[name]) for _, n, _ in pairs])
    _, c = least_squares_scale(g_a, g_n)
    return c if np.isfinite(c) and c > 0 else None


def _matches_at(name: str, pairs: list[Pair], c: float) -> bool:
    for analytic, numeric, tol in pairs:
        report = compare_parameter(
            name, analytic[name] / c, numeric.gradient[name], numeric.error_estimate[name], tol
        )
        if report.verdict != "matches":
            return False
    return True


Comparison = tuple[dict[str, Array], NumericGradient, GradientReport] | str
"""One probe against one loss: recovered and numeric gradients and the report, or why the loss does
not apply."""


def _compare(loss: str, probe: Probe, fwd: CachedForward, method: str) -> Comparison:
    """The recovered gradient of one probe against the finite-difference gradient of one loss."""
    spec = get_loss(loss)
    try:
        spec.validate_activation(probe.output)
        spec.validate_labels(probe.y)
    except InputError as exc:
        return str(exc)
    ev = LoopEvaluator(lambda params: spec.value(fwd(params), probe.y), probe.params)
    try:
        with np.errstate(all="ignore"):  # a non-finite loss is caught as InputError below
            numeric = numeric_gradient_on(ev, method)
    except InputError as exc:  # a step left the loss's domain: the probe is redrawn
        return _Unstable(f"finite differences of {loss} failed at a probe: {exc}")
    return probe.gradient, numeric, compare_gradients(probe.gradient, numeric, ev)


class _Unstable(str):
    """Why a probe could not be compared with a loss because a finite-difference step left its domain."""


def _candidate(loss: str, subject: Subject, compared: list[Comparison]) -> LossReport:
    reason = next((c for c in compared if isinstance(c, str)), None)
    if reason is not None:
        return LossReport(loss, "not applicable", None, reason=reason)
    pairs: dict[str, list[Pair]] = {n: [] for n in subject.parameters}
    reports: dict[str, list[ParameterReport]] = {n: [] for n in subject.parameters}
    for analytic, numeric, report in (c for c in compared if not isinstance(c, str)):
        for n in subject.parameters:
            pairs[n].append((analytic, numeric, report.tolerance))
            reports[n].append(report.parameters[n])
    tensors = {n: _tensor_verdict(n, pairs[n], reports[n]) for n in subject.parameters}
    rtol = pairs[next(iter(pairs))][0][2].rtol
    used = pairs[next(iter(pairs))][0][1].method
    if all(t.verdict == "matches" for t in tensors.values()):
        return LossReport(loss, "matches", 1.0, tensors, rtol=rtol, method=used)
    first = next(n for n in subject.backward_order if n in tensors)
    c = tensors[first].scale
    if (
        all(t.scale is not None for t in tensors.values())
        and c is not None
        and all(_matches_at(n, pairs[n], c) for n in tensors)
    ):
        return LossReport(loss, "matches up to scale", c, tensors, rtol=rtol, method=used)
    return LossReport(loss, "mismatch", None, tensors, rtol=rtol, method=used)


def identify(
    subject: Subject,
    loss: str = "auto",
    *,
    seed: int = 0,
    probes: int = 3,
    samples: int = 1,
    method: str = "auto",
) -> IdentificationReport:
    """Identify the loss that ``subject``'s backward pass is the gradient of.

    Parameters
    ----------
    subject : Subject
        The code under check (see :func:`verification.subjects.adapters.adapt`).
    loss : str
        ``"auto"`` to identify, or a catalog id to ask about (all losses are still compared, so the
        report says what the code matches instead).
    seed : int
        Seed of ``np.random.default_rng`` for the probe points.
    probes : int
        Number of probe points, ≥ 2 so a scale can be told from a coincidence.
    samples : int
        Samples per probe batch (1 for code written one sample at a time).
    method : str
        Finite-difference method (:func:`verification.numeric.methods.numeric_gradient`).

    Returns
    -------
    IdentificationReport

    Raises
    ------
    InputError
        On an unknown loss, probes outside 2 … :data:`MAX_PROBES`, samples outside 1 …
        :data:`MAX_SAMPLES`, complex step asked of a real-only subject, a loss that does not apply to
        the outputs, or code that fails (raises, wrong shapes, non-finite values).
    """
    asked = None if loss == "auto" else get_loss(loss).name
    if not 2 <= probes <= MAX_PROBES:
        raise InputError(
            f"probes must be from 2 (to tell a scale from a coincidence) to {MAX_PROBES}, got {probes}"
        )
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"samples must be from 1 to {MAX_SAMPLES}, got {samples}")
    if method == "complex-step" and subject.real_only:
        raise InputError(
            f"complex step does not apply to {subject.name}: code under check is run at real weights "
            "only (its outputs and gradients are read as real numbers); use auto, richardson or central"
        )
    rng = np.random.default_rng(seed)
    compared: dict[str, list[Comparison]] = {name: [] for name in LOSSES}
    for _ in range(probes):
        for attempt in range(MAX_DRAWS):
            last = attempt == MAX_DRAWS - 1
            params, x = draw_probe(subject, rng, samples)
            output = subject.forward(params, x)
            if not (well_conditioned(output) or last):
                continue
            y = draw_labels(rng, output.shape)
            probe = Probe(params, x, y, output, subject.gradient(params, x, y))
            fwd = CachedForward(subject, x)
            here = {name: _compare(name, probe, fwd, method) for name in LOSSES}
            if last or not any(_near_kink(c) or isinstance(c, _Unstable) for c in here.values()):
                break
        for name in LOSSES:
            compared[name].append(here[name])
    candidates = [_candidate(name, subject, compared[name]) for name in LOSSES]
    used = next((c.method for c in candidates if c.method is not None), method)
    result = IdentificationReport(
        subject.name,
        subject.convention,
        seed,
        probes,
        samples,
        used,
        candidates,
        subject.backward_order,
        asked,
        list(subject.notes),
        next((c.rtol for c in candidates if c.rtol is not None), 0.0),
    )
    if asked is not None and result.candidate(asked).verdict == "not applicable":
        raise InputError(result.candidate(asked).reason or f"loss {asked} does not apply")
    return result


def to_dict(result: IdentificationReport) -> dict[str, Any]:
    """The JSON object of ``backprop-verify check`` (field names stable, see DESIGN.md)."""
    parameters = {}
    for n in result.backward_order:
        loss, scale = result.parameter_identified(n)
        errors = [c.parameters[n].max_relative_error for c in result.candidates if n in c.parameters]
        against = (
            result.candidate(loss).parameters[n].max_relative_error if loss else min(errors, default=None)
        )
        parameters[n] = {"identified": loss, "scale": scale, "max_relative_error": against}
    candidates = []
    for c in result.candidates:
        first = result.first_mismatch(c.loss) if c.verdict != "not applicable" else None
        candidates.append(
            {
                "loss": c.loss,
                "verdict": c.verdict,
                "scale": c.scale,
                "max_relative_error": c.max_relative_error,
                "first_mismatch": None if first is None else first.name,
                "reason": c.reason,
                "parameters": {
                    n: {
                        "verdict": t.verdict,
                        "scale": t.scale,
                        "max_relative_error": t.max_relative_error,
                        "cosine": min(r.cosine for r in t.reports),
                    }
                    for n, t in c.parameters.items()
                },
            }
        )
    return {
        "command": "check",
        "code": result.subject,
        "convention": result.convention,
        "seed": result.seed,
        "probes": result.probes,
        "samples": result.samples,
        "method": result.method,
        "asked": result.asked,
        "matches_asked": result.matches_asked,
        "identified": result.identified,
        "scale": result.scale,
        "scale_text": format_scale(result.scale, result.rtol) if result.scale is not None else None,
        "verdict": verdict_sentence(result),
        "also": result.also,
        "split": result.split,
        "parameters": parameters,
        "candidates": candidates,
        "notes": result.notes,
    }


def verdict_sentence(result: IdentificationReport) -> str:
    """One line saying what the code is the gradient of."""
    rtol = result.rtol
    if result.identified is not None:
        formula = get_loss(result.identified).formula
        if result.also:
            formula += f" (also matches {', '.join(result.also)}: the losses differ by a constant here)"
        if result.scale == 1.0:
            return f"{result.subject} is the gradient of {result.identified}: {formula}"
        return (
            f"{result.subject} is {format_scale(result.scale, rtol)} × the gradient of "
            f"{result.identified} ({formula})"
        )
    if result.split is not None:
        parts = ", ".join(f"{n} matches {loss}" for n, loss in result.split.items())
        return f"{result.subject} is a split: {parts}; it is the gradient of no one loss"
    return f"{result.subject} is the gradient of none of the catalog losses (nor a multiple of one)"
