"""Reports of a gradient check: per entry, per parameter tensor and overall, as text and JSON.

A :class:`GradientReport` holds one :class:`ParameterReport` per tensor (relative error, flagged and
kink counts, cosine, least-squares scale, verdict, worst entries as :class:`EntryReport` with index,
analytic value, numeric value and error estimate), the method and mode used, the tolerance applied
and the precisions involved. The comparison that fills them is :mod:`verification.compare.coordinate`.

A report is used as its verdict, the way ``torch.autograd.gradcheck`` returns ``True`` and
``numpy.testing`` asserts: ``bool(report)`` is :attr:`GradientReport.matches`, so
``assert check_gradient(...)`` fails on a mismatch; ``print(report)`` prints the readable table
(:meth:`GradientReport.format_text`); :class:`GradientCheckError` is what ``raise_exception=True``
raises, with that table as its message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from verification.tolerances import Tolerance


@dataclass(frozen=True)
class EntryReport:
    """One entry of a parameter tensor: where it is and both values.

    Attributes
    ----------
    index : tuple of int, or str
        The entry's index; a label such as ``u3`` for a directional derivative ``g·u``.
    analytic, numeric : float
        The two gradient values.
    error_estimate : float
        The numeric oracle's estimate of its own absolute error.
    abs_error : float
        ``|analytic − numeric|``.
    kink : bool
        True when the entry's stencil crossed a kink (see :mod:`verification.compare.kinks`).
    """

    index: tuple[int, ...] | str
    analytic: float
    numeric: float
    error_estimate: float
    abs_error: float
    kink: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "index": self.index if isinstance(self.index, str) else list(self.index),
            "analytic": self.analytic,
            "numeric": self.numeric,
            "error_estimate": self.error_estimate,
            "abs_error": self.abs_error,
            "kink": self.kink,
        }


@dataclass(frozen=True)
class ParameterReport:
    """The comparison of one parameter tensor.

    Attributes
    ----------
    name : str
    shape : tuple of int
    relative_error : float
        Frobenius relative error of the tensor.
    max_abs_error : float
        Largest ``|g_a − g_n|`` over its entries.
    flagged : int
        Number of entries outside tolerance, kinks excluded.
    worst : list of EntryReport
        The entries with the largest excess over their tolerance, worst first.
    cosine : float
        Cosine similarity ``⟨g_a, g_n⟩ / (‖g_a‖ ‖g_n‖)`` (0 when either is zero).
    scale : float
        Least-squares ``c`` with ``g_a ≈ c · g_n`` (nan when ``g_n`` is zero).
    verdict : str
        ``matches``, ``matches up to scale``, ``kink`` or ``mismatch``.
    kinks : int
        Number of entries whose stencil crossed a kink.
    """

    name: str
    shape: tuple[int, ...]
    relative_error: float
    max_abs_error: float
    flagged: int
    worst: list[EntryReport]
    cosine: float
    scale: float
    verdict: str
    kinks: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "shape": list(self.shape),
            "relative_error": self.relative_error,
            "max_abs_error": self.max_abs_error,
            "flagged": self.flagged,
            "kinks": self.kinks,
            "cosine": self.cosine,
            "scale": None if np.isnan(self.scale) else self.scale,
            "verdict": self.verdict,
            "worst": [e.to_dict() for e in self.worst],
        }


@dataclass(frozen=True)
class GradientReport:
    """The comparison of every parameter tensor.

    Attributes
    ----------
    parameters : dict of str to ParameterReport
    method : str
        The finite-difference method used (``auto`` is resolved: this names the method that ran).
    tolerance : Tolerance
        The thresholds applied.
    evaluation_dtype : str
        Precision the loss was evaluated in.
    analytic_dtype : str
        Precision of the analytic gradient (the lowest among its tensors).
    mode : str
        ``coordinate`` (plain loop) or ``structured`` (vectorised,
        :mod:`verification.numeric.network_evaluator`).
    evaluations : int
        Loss evaluations spent by the numeric gradient.
    step : float or None
        The fixed step ``h`` the caller gave (``eps``), or None for each method's own step.
    derived_verdict : str or None
        When the caller gave ``rtol`` or ``atol`` (``tolerance.given``): the overall verdict the
        table's tolerance gives on the same numbers; None otherwise.
    derived_rtol : float or None
        The table's ``rtol`` that ``derived_verdict`` was reached with.
    """

    parameters: dict[str, ParameterReport]
    method: str
    tolerance: Tolerance
    evaluation_dtype: str = "float64"
    analytic_dtype: str = "float64"
    mode: str = "coordinate"
    evaluations: int = 0
    step: float | None = None
    derived_verdict: str | None = None
    derived_rtol: float | None = None

    @property
    def matches(self) -> bool:
        """True when every parameter tensor matches (kink entries are not failures)."""
        return all(p.verdict in ("matches", "kink") for p in self.parameters.values())

    def __bool__(self) -> bool:
        """The verdict: :attr:`matches`, so that ``assert check_gradient(...)`` fails on a mismatch."""
        return self.matches

    def __str__(self) -> str:
        """The readable table of :meth:`format_text`."""
        return self.format_text()

    def __repr__(self) -> str:
        """One line: the verdict, the worst tensor and the method (the fields are attributes)."""
        worst = max(self.parameters.values(), key=lambda p: p.relative_error)
        return (
            f"<GradientReport {self.verdict}: worst {worst.name} relative error {worst.relative_error:.2e}, "
            f"method {self.method}>"
        )

    @property
    def verdict(self) -> str:
        """Overall: ``mismatch`` if any tensor mismatches, else ``matches up to scale`` if any, else
        ``kink`` if any, else ``matches``."""
        return overall_verdict(p.verdict for p in self.parameters.values())

    @property
    def override_note(self) -> str | None:
        """When the caller gave ``rtol`` or ``atol``: what was given and, when the table's tolerance
        reaches another verdict on the same numbers, that verdict; None for the table's tolerance."""
        if not self.tolerance.given:
            return None
        given = f"tolerance given: rtol {self.tolerance.rtol:.1e}, atol {self.tolerance.atol:.1e}"
        if self.derived_verdict is None or self.derived_verdict == self.verdict:
            return f"{given}; the derived tolerance (rtol {self.derived_rtol:.1e}) agrees"
        return (
            f"{given}; the derived tolerance (rtol {self.derived_rtol:.1e}) gives {self.derived_verdict}, "
            f"so the verdict {self.verdict} is the override's"
        )

    @property
    def max_relative_error(self) -> float:
        """The largest per-tensor relative error."""
        return max(p.relative_error for p in self.parameters.values())

    @property
    def precision_limited(self) -> bool:
        """True when float32 (loss or analytic gradient) limits what the verdict can resolve."""
        eps64 = np.finfo(np.float64).eps
        return bool(np.finfo(self.evaluation_dtype).eps > eps64 or np.finfo(self.analytic_dtype).eps > eps64)

    @property
    def precision_note(self) -> str:
        """One sentence on what limits the verdict's resolution."""
        if np.finfo(self.evaluation_dtype).eps > np.finfo(np.float64).eps:
            return (
                f"the loss evaluates only in {self.evaluation_dtype}: precision limits the verdict "
                f"(rtol {self.tolerance.rtol:.1e})"
            )
        if np.finfo(self.analytic_dtype).eps > np.finfo(np.float64).eps:
            return (
                f"loss evaluated in float64; the analytic gradient is {self.analytic_dtype}, whose "
                f"rounding limits the verdict (rtol {self.tolerance.rtol:.1e})"
            )
        return "float64 throughout"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "method": self.method,
            "mode": self.mode,
            "matches": self.matches,
            "verdict": self.verdict,
            "max_relative_error": self.max_relative_error,
            "rtol": self.tolerance.rtol,
            "estimate_factor": self.tolerance.estimate_factor,
            "evaluation_dtype": self.evaluation_dtype,
            "analytic_dtype": self.analytic_dtype,
            "precision_limited": self.precision_limited,
            "precision": self.precision_note,
            "evaluations": self.evaluations,
            "step": self.step,
            "atol": self.tolerance.atol,
            "tolerance_given": self.tolerance.given,
            "derived_verdict": self.derived_verdict,
            "derived_rtol": self.derived_rtol,
            "parameters": {n: p.to_dict() for n, p in self.parameters.items()},
        }

    def format_text(self) -> str:
        """A readable table: one line per tensor, then its worst entries when it does not match (each
        with how far apart the two values are, which seven digits may not show)."""
        lines = [f"{'parameter':<10} {'shape':<10} {'rel. error':>10} {'flagged':>8} {'kinks':>6}  verdict"]
        for p in self.parameters.values():
            shape = "x".join(map(str, p.shape)) or "()"
            verdict = f"{p.verdict} c = {p.scale:.6g}" if p.verdict == "matches up to scale" else p.verdict
            lines.append(
                f"{p.name:<10} {shape:<10} {p.relative_error:>10.2e} {p.flagged:>8} {p.kinks:>6}  {verdict}"
            )
            if p.verdict != "matches":
                for e in p.worst:
                    mark = " (kink)" if e.kink else ""
                    lines.append(
                        f"    {p.name}{_where(e.index)}: analytic {e.analytic:.6e}, numeric {e.numeric:.6e} "
                        f"± {e.error_estimate:.1e}, apart by {e.abs_error:.1e}{mark}"
                    )
        step = "" if self.step is None else f", fixed step {self.step:.1e}"
        lines.append(
            f"overall: {self.verdict} (method {self.method}{step}, {self.mode} mode, "
            f"{self.evaluations} evaluations; {self.precision_note})"
        )
        if self.override_note is not None:
            lines.append(self.override_note)
        return "\n".join(lines)


VERDICT_ORDER = ("mismatch", "matches up to scale", "kink", "matches")
"""Tensor verdicts from the worst to the best: the overall verdict is the worst of its tensors'."""


def overall_verdict(verdicts: Iterable[str]) -> str:
    """The worst of some tensor verdicts in :data:`VERDICT_ORDER` (``matches`` for none)."""
    seen = set(verdicts)
    return next((v for v in VERDICT_ORDER if v in seen), "matches")


class GradientCheckError(AssertionError):
    """A gradient check that did not match, raised by ``check_gradient(..., raise_exception=True)``.

    An :class:`AssertionError`, so a test that calls the check fails as on a failed ``assert``; the
    message is the report's table (:meth:`GradientReport.format_text`), and :attr:`report` holds the
    report itself.

    Parameters
    ----------
    report : GradientReport
    """

    def __init__(self, report: GradientReport) -> None:
        super().__init__(f"the gradient does not match ({report.verdict})\n{report.format_text()}")
        self.report = report


def _where(index: tuple[int, ...] | str) -> str:
    """``[3, 1]`` for an entry, `` along u2`` for a direction."""
    return f" along {index}" if isinstance(index, str) else str(list(index))
