"""The outcome of identification: per loss, per tensor, and the verdict in words and JSON.

Verdict per loss and tensor, over all probes:

* ``matches``: every probe matches;
* ``matches up to scale`` ``c``: with the pooled least-squares ``c = Σ⟨g_a, g_n⟩ / Σ⟨g_n, g_n⟩`` over the
  probes, ``g_a / c`` matches ``g_n`` at every probe. One ``c`` for all probes is what tells a factor
  (``2`` for ``Σ(a − y)²`` without the ½, ``1/n`` for a mean) from a coincidence: near ``a = 0.5`` the
  ``bce`` gradient of one sigmoid output is about 4 × the ``mse`` one, but the ratio ``a (1 − a)``
  changes from probe to probe and between outputs, so no single ``c`` fits;
* ``mismatch`` otherwise; ``not applicable`` when the outputs leave the loss's domain.

A loss is *identified* when every tensor matches it with one common scale (1 for an exact match). When
no loss fits every tensor but each tensor matches some loss, and not all the same, the verdict is a
*split* (e.g. ``W2`` matches ``bce`` while ``W1`` matches ``mse``). When the gradient is recovered from
an update whose learning rate is unknown, a scale cannot be told from the learning rate: matches are
reported up to scale and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ffnn.losses import get_loss
from verification.compare.reports import ParameterReport
from verification.identification.coverage import TensorCoverage

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
    notes : list of str
        What the adapter assumed.
    rtol : float
        The relative tolerance of the comparisons.
    coverage : dict of str to TensorCoverage
        What was checked of each tensor.
    method_note : str
        Why the method was chosen (e.g. why complex step does not apply).
    lr_known : bool
        False when the gradient came from an update with an unknown learning rate.
    layout : str
        How inputs and labels were given to the code.
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
    coverage: dict[str, TensorCoverage] = field(default_factory=dict)
    method_note: str = ""
    lr_known: bool = True
    layout: str = ""

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
        """Whether the asked loss matches exactly, or up to scale when the learning rate of an update is
        unknown (None when none was asked)."""
        if self.asked is None:
            return None
        accepted = ("matches",) if self.lr_known else ("matches", "matches up to scale")
        return self.candidate(self.asked).verdict in accepted

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


def to_dict(result: IdentificationReport) -> dict[str, Any]:
    """The JSON object of ``backprop-verify check`` (field names stable, see DESIGN.md)."""
    parameters = {}
    for n in result.backward_order:
        loss, scale = result.parameter_identified(n)
        # the relative error against the identified loss, else against the closest one (named)
        errors = {c.loss: c.parameters[n].max_relative_error for c in result.candidates if n in c.parameters}
        closest = loss if loss else min(errors, key=errors.__getitem__, default=None)
        parameters[n] = {
            "identified": loss,
            "scale": scale,
            "max_relative_error": None if closest is None else errors[closest],
            "against": closest,
        }
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
        "coverage": {n: c.to_dict() for n, c in result.coverage.items()},
        "method_note": result.method_note or None,
        "lr_known": result.lr_known,
        "layout": result.layout or None,
    }


def verdict_sentence(result: IdentificationReport) -> str:
    """One line saying what the code is the gradient of."""
    rtol = result.rtol
    if result.identified is not None:
        formula = get_loss(result.identified).formula
        if result.also:
            formula += f" (also matches {', '.join(result.also)}: the losses differ by a constant here)"
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
    return f"{result.subject} is the gradient of none of the catalog losses (nor a multiple of one)"
