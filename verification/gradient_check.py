"""Compare an analytic gradient with a finite-difference one, per parameter tensor and per entry.

Per parameter tensor (DESIGN.md), with Frobenius norms::

    relative error = ‖g_a − g_n‖ / max(‖g_a‖, ‖g_n‖, tiny)

and per entry the same with absolute values. An entry is flagged when
``|g_a − g_n| > rtol · max(|g_a|, |g_n|) + estimate_factor · e_n`` (table and reasoning in
:mod:`verification.tolerances`; ``e_n`` is the numeric error estimate). A tensor ``matches`` when no
entry is flagged. Otherwise, when the direction agrees but the size does not, it ``matches up to scale``
``c``: the least-squares scale ``c = ⟨g_a, g_n⟩ / ⟨g_n, g_n⟩`` (so ``g_a ≈ c · g_n``) passes the same entry
test with ``c · g_n`` in place of ``g_n`` and ``c · e_n`` in place of ``e_n``, with ``c > 0`` (a negative
``c``, such as a sign flip, points the other way and is a ``mismatch``). Else it is a ``mismatch``. The practice of comparing per entry with a relative error
and of reporting the worst entries follows CS231n, "Gradient checks" (Karpathy), and the failure
reports of ``torch.autograd.gradcheck``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, check_finite
from verification.finite_differences import LossFunction, NumericGradient, as_parameters, numeric_gradient
from verification.tolerances import Tolerance, tolerance_for

Array = NDArray[Any]
TINY = float(np.finfo(np.float64).tiny)
WORST_ENTRIES = 3
"""How many of the worst entries a parameter report keeps."""


@dataclass(frozen=True)
class EntryReport:
    """One entry of a parameter tensor: where it is and both values.

    Attributes
    ----------
    index : tuple of int
    analytic, numeric : float
        The two gradient values.
    error_estimate : float
        The numeric oracle's estimate of its own absolute error.
    abs_error : float
        ``|analytic − numeric|``.
    """

    index: tuple[int, ...]
    analytic: float
    numeric: float
    error_estimate: float
    abs_error: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "index": list(self.index),
            "analytic": self.analytic,
            "numeric": self.numeric,
            "error_estimate": self.error_estimate,
            "abs_error": self.abs_error,
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
        Number of entries outside tolerance.
    worst : list of EntryReport
        The entries with the largest excess over their tolerance, worst first.
    cosine : float
        Cosine similarity ``⟨g_a, g_n⟩ / (‖g_a‖ ‖g_n‖)`` (0 when either is zero).
    scale : float
        Least-squares ``c`` with ``g_a ≈ c · g_n`` (nan when ``g_n`` is zero).
    verdict : str
        ``matches``, ``matches up to scale`` or ``mismatch``.
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "shape": list(self.shape),
            "relative_error": self.relative_error,
            "max_abs_error": self.max_abs_error,
            "flagged": self.flagged,
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
        The finite-difference scheme used.
    tolerance : Tolerance
        The thresholds applied.
    """

    parameters: dict[str, ParameterReport]
    method: str
    tolerance: Tolerance

    @property
    def matches(self) -> bool:
        """True when every parameter tensor matches."""
        return all(p.verdict == "matches" for p in self.parameters.values())

    @property
    def max_relative_error(self) -> float:
        """The largest per-tensor relative error."""
        return max(p.relative_error for p in self.parameters.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "method": self.method,
            "matches": self.matches,
            "max_relative_error": self.max_relative_error,
            "rtol": self.tolerance.rtol,
            "parameters": {n: p.to_dict() for n, p in self.parameters.items()},
        }

    def format_text(self) -> str:
        """A readable table: one line per tensor, then its worst entries when it does not match."""
        lines = [f"{'parameter':<10} {'shape':<10} {'rel. error':>10} {'flagged':>8}  verdict"]
        for p in self.parameters.values():
            shape = "x".join(map(str, p.shape))
            verdict = f"{p.verdict} c = {p.scale:.6g}" if p.verdict == "matches up to scale" else p.verdict
            lines.append(f"{p.name:<10} {shape:<10} {p.relative_error:>10.2e} {p.flagged:>8}  {verdict}")
            if p.verdict != "matches":
                for e in p.worst:
                    lines.append(
                        f"    {p.name}{list(e.index)}: analytic {e.analytic:.6e}, numeric {e.numeric:.6e} "
                        f"± {e.error_estimate:.1e}"
                    )
        return "\n".join(lines)


def relative_error(a: Array, b: Array) -> float:
    """Frobenius relative error ``‖a − b‖ / max(‖a‖, ‖b‖, tiny)`` of two arrays of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), TINY))


def _excess(analytic: Array, numeric: Array, estimate: Array, tolerance: Tolerance) -> Array:
    """How far each ``|g_a − g_n|`` lies beyond its allowance (positive means flagged)."""
    allowed = tolerance.rtol * np.maximum(np.abs(analytic), np.abs(numeric))
    return np.abs(analytic - numeric) - (allowed + tolerance.estimate_factor * estimate)


def least_squares_scale(analytic: Array, numeric: Array) -> tuple[float, float]:
    """Cosine similarity of two gradients and the least-squares scale ``c`` with ``analytic ≈ c · numeric``.

    Returns ``(cosine, c)``; the cosine is 0 when either is zero, ``c`` is nan when ``numeric`` is zero.
    """
    a, n = np.ravel(analytic), np.ravel(numeric)
    an, nn = float(np.dot(a, n)), float(np.dot(n, n))
    norms = float(np.linalg.norm(a) * np.linalg.norm(n))
    cosine = an / norms if norms > 0 else 0.0
    return cosine, (an / nn if nn > 0 else float("nan"))


def compare_parameter(
    name: str, analytic: Array, numeric: Array, estimate: Array, tolerance: Tolerance
) -> ParameterReport:
    """Compare one tensor entry by entry (see the module docstring for the rule)."""
    diff = np.abs(analytic - numeric)
    excess = _excess(analytic, numeric, estimate, tolerance)
    flagged = int(np.count_nonzero(excess > 0))
    cosine, scale = least_squares_scale(analytic, numeric)
    verdict = "matches"
    if flagged:
        scaled_ok = np.isfinite(scale) and scale > 0 and not np.any(
            _excess(analytic, scale * numeric, abs(scale) * estimate, tolerance) > 0
        )
        verdict = "matches up to scale" if scaled_ok else "mismatch"
    order = np.argsort(excess, axis=None)[::-1][:WORST_ENTRIES]
    worst = [
        EntryReport(
            index=tuple(int(i) for i in np.unravel_index(k, analytic.shape)),
            analytic=float(analytic.flat[k]),
            numeric=float(numeric.flat[k]),
            error_estimate=float(estimate.flat[k]),
            abs_error=float(diff.flat[k]),
        )
        for k in order
    ]
    return ParameterReport(
        name=name,
        shape=tuple(analytic.shape),
        relative_error=relative_error(analytic, numeric),
        max_abs_error=float(diff.max()),
        flagged=flagged,
        worst=worst,
        cosine=cosine,
        scale=scale,
        verdict=verdict,
    )


def compare_gradients(analytic: Mapping[str, Any], numeric: NumericGradient) -> GradientReport:
    """Compare an analytic gradient with a numeric one, tensor by tensor.

    Parameters
    ----------
    analytic : mapping of str to array_like
        The gradient under test, with the names and shapes of ``numeric.gradient``.
    numeric : NumericGradient
        The finite-difference gradient and its error estimate.

    Raises
    ------
    InputError
        If the names differ, a shape differs, or an analytic entry is not finite.
    """
    if set(analytic) != set(numeric.gradient):
        raise InputError(
            f"the analytic gradient has parameters {sorted(analytic)}, "
            f"expected {sorted(numeric.gradient)}"
        )
    tolerance = tolerance_for(np.float64, numeric.method)
    reports = {}
    for name, g_n in numeric.gradient.items():
        g_a = np.asarray(analytic[name])
        if g_a.shape != g_n.shape:
            raise InputError(f"analytic gradient of {name} has shape {g_a.shape}, expected {g_n.shape}")
        check_finite(f"analytic gradient of {name}", g_a)
        reports[name] = compare_parameter(
            name, g_a.astype(np.float64), g_n, numeric.error_estimate[name], tolerance
        )
    return GradientReport(reports, numeric.method, tolerance)


def check_gradient(
    f: LossFunction, params: Mapping[str, Any], analytic: Mapping[str, Any], *, method: str = "auto"
) -> GradientReport:
    """Check ``analytic`` against the finite-difference gradient of the loss ``f`` at ``params``.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``: the loss as a function of a dict of parameter arrays.
    params : mapping of str to array_like
        The point, any shapes; copied, never modified.
    analytic : mapping of str to array_like
        The claimed gradient ``∂f/∂params``, same names and shapes.
    method : str
        Difference scheme (see :func:`verification.finite_differences.numeric_gradient`).

    Returns
    -------
    GradientReport

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, or an unknown method.
    """
    base = as_parameters(params)
    return compare_gradients(analytic, numeric_gradient(f, base, method))
