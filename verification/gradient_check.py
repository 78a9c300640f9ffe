"""Compare an analytic gradient with a finite-difference one, per parameter tensor and per entry.

Per parameter tensor (DESIGN.md), with Frobenius norms::

    relative error = ‖g_a − g_n‖ / max(‖g_a‖, ‖g_n‖, tiny)

and per entry the same with absolute values. An entry is flagged when
``|g_a − g_n| > rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n`` (table and reasoning in
:mod:`verification.tolerances`; ``e_n`` is the numeric error estimate, ``G`` the tensor's largest
entry). Flagged entries whose stencil crossed a point where the loss is not differentiable, with the
analytic value one of the one-sided slopes, are ``kink`` entries, not failures
(:mod:`verification.kinks`). Per tensor, the verdict is:

* ``matches`` when no entry is flagged;
* ``kink`` when the only flagged entries are kinks;
* ``matches up to scale`` ``c`` when the direction agrees but the size does not: the least-squares
  scale ``c = ⟨g_a, g_n⟩ / ⟨g_n, g_n⟩`` (so ``g_a ≈ c · g_n``) passes the same entry test with ``c · g_n``
  in place of ``g_n`` and ``c · e_n`` in place of ``e_n``, with ``c > 0`` (a negative ``c``, such as a sign
  flip, points the other way);
* ``mismatch`` otherwise.

Kink entries are left out of the cosine, the scale and the scaled test. The practice of comparing
per entry with a relative error and of reporting the worst entries follows CS231n, "Gradient
checks" (Karpathy), and the failure reports of ``torch.autograd.gradcheck``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, check_finite
from verification.finite_differences import (
    Evaluator,
    LoopEvaluator,
    LossFunction,
    NumericGradient,
    numeric_gradient_on,
    resolve_method,
)
from verification.kinks import classify_kinks
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
    kink : bool
        True when the entry's stencil crossed a kink (see :mod:`verification.kinks`).
    """

    index: tuple[int, ...]
    analytic: float
    numeric: float
    error_estimate: float
    abs_error: float
    kink: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "index": list(self.index),
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
        The finite-difference scheme used (``auto`` is resolved: this names the scheme that ran).
    tolerance : Tolerance
        The thresholds applied.
    evaluation_dtype : str
        Precision the loss was evaluated in.
    analytic_dtype : str
        Precision of the analytic gradient (the lowest among its tensors).
    mode : str
        ``coordinate`` (plain loop) or ``structured`` (vectorised, :mod:`verification.structured`).
    evaluations : int
        Loss evaluations spent by the numeric gradient.
    """

    parameters: dict[str, ParameterReport]
    method: str
    tolerance: Tolerance
    evaluation_dtype: str = "float64"
    analytic_dtype: str = "float64"
    mode: str = "coordinate"
    evaluations: int = 0

    @property
    def matches(self) -> bool:
        """True when every parameter tensor matches (kink entries are not failures)."""
        return all(p.verdict in ("matches", "kink") for p in self.parameters.values())

    @property
    def verdict(self) -> str:
        """Overall: ``mismatch`` if any tensor mismatches, else ``matches up to scale`` if any, else
        ``kink`` if any, else ``matches``."""
        verdicts = {p.verdict for p in self.parameters.values()}
        for v in ("mismatch", "matches up to scale", "kink"):
            if v in verdicts:
                return v
        return "matches"

    @property
    def max_relative_error(self) -> float:
        """The largest per-tensor relative error."""
        return max(p.relative_error for p in self.parameters.values())

    @property
    def precision_limited(self) -> bool:
        """True when float32 (loss or analytic gradient) limits what the verdict can resolve."""
        eps64 = np.finfo(np.float64).eps
        return bool(
            np.finfo(self.evaluation_dtype).eps > eps64 or np.finfo(self.analytic_dtype).eps > eps64
        )

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
            "parameters": {n: p.to_dict() for n, p in self.parameters.items()},
        }

    def format_text(self) -> str:
        """A readable table: one line per tensor, then its worst entries when it does not match."""
        lines = [f"{'parameter':<10} {'shape':<10} {'rel. error':>10} {'flagged':>8} {'kinks':>6}  verdict"]
        for p in self.parameters.values():
            shape = "x".join(map(str, p.shape))
            verdict = f"{p.verdict} c = {p.scale:.6g}" if p.verdict == "matches up to scale" else p.verdict
            lines.append(
                f"{p.name:<10} {shape:<10} {p.relative_error:>10.2e} {p.flagged:>8} {p.kinks:>6}  {verdict}"
            )
            if p.verdict != "matches":
                for e in p.worst:
                    mark = " (kink)" if e.kink else ""
                    lines.append(
                        f"    {p.name}{list(e.index)}: analytic {e.analytic:.6e}, numeric {e.numeric:.6e} "
                        f"± {e.error_estimate:.1e}{mark}"
                    )
        lines.append(
            f"overall: {self.verdict} (method {self.method}, {self.mode} mode, "
            f"{self.evaluations} evaluations; {self.precision_note})"
        )
        return "\n".join(lines)


def relative_error(a: Array, b: Array) -> float:
    """Frobenius relative error ``‖a − b‖ / max(‖a‖, ‖b‖, tiny)`` of two arrays of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), TINY)


def tensor_floor(analytic: Array, numeric: Array) -> float:
    """``G = max(‖g_a‖_∞, ‖g_n‖_∞)``, the rounding floor's scale (see :mod:`verification.tolerances`)."""
    return float(max(np.max(np.abs(analytic)), np.max(np.abs(numeric))))


def _excess(analytic: Array, numeric: Array, estimate: Array, tolerance: Tolerance, floor: float) -> Array:
    """How far each ``|g_a − g_n|`` lies beyond its allowance (positive means flagged)."""
    allowed = tolerance.rtol * (np.maximum(np.abs(analytic), np.abs(numeric)) + floor)
    return np.abs(analytic - numeric) - (allowed + tolerance.estimate_factor * estimate)


def least_squares_scale(analytic: Array, numeric: Array) -> tuple[float, float]:
    """Cosine similarity of two gradients and the least-squares scale ``c`` with ``analytic ≈ c · numeric``.

    Parameters
    ----------
    analytic, numeric : ndarray, same shape
        The two gradients of one tensor.

    Returns
    -------
    (cosine, c) : tuple of float
        ``cos = ⟨a, n⟩ / (‖a‖ ‖n‖)`` (0 when either is zero); ``c = ⟨a, n⟩ / ⟨n, n⟩`` (nan when ``numeric``
        is zero).
    """
    a, n = np.ravel(analytic), np.ravel(numeric)
    an, nn = float(np.dot(a, n)), float(np.dot(n, n))
    norms = float(np.linalg.norm(a) * np.linalg.norm(n))
    cosine = an / norms if norms > 0 else 0.0
    return cosine, (an / nn if nn > 0 else float("nan"))


def compare_parameter(
    name: str,
    analytic: Array,
    numeric: Array,
    estimate: Array,
    tolerance: Tolerance,
    kink: Array | None = None,
) -> ParameterReport:
    """Compare one tensor entry by entry (see the module docstring for the rule).

    Parameters
    ----------
    name : str
    analytic, numeric, estimate : ndarray, same shape, float64
        Analytic gradient, numeric gradient and the numeric error estimate.
    tolerance : Tolerance
    kink : ndarray of bool, same shape, optional
        Entries known to sit on a kink (excluded from the flagged count, the scale and the cosine).
    """
    kink = np.zeros(analytic.shape, dtype=bool) if kink is None else np.asarray(kink, dtype=bool)
    diff = np.abs(analytic - numeric)
    floor = tensor_floor(analytic, numeric)
    excess = _excess(analytic, numeric, estimate, tolerance, floor)
    bad = (excess > 0) & ~kink
    flagged = int(np.count_nonzero(bad))
    smooth = ~kink
    cosine, scale = least_squares_scale(analytic[smooth], numeric[smooth])
    verdict = "kink" if np.any(kink & (excess > 0)) else "matches"
    if flagged:
        scaled_floor = tensor_floor(analytic, scale * numeric) if np.isfinite(scale) else floor
        scaled_ok = bool(
            np.isfinite(scale)
            and scale > 0
            and not np.any(
                (_excess(analytic, scale * numeric, abs(scale) * estimate, tolerance, scaled_floor) > 0)
                & smooth
            )
        )
        verdict = "matches up to scale" if scaled_ok else "mismatch"
    order = np.argsort(np.where(kink, -np.inf, excess), axis=None)[::-1][:WORST_ENTRIES]
    if not flagged and np.any(kink):
        order = np.argsort(excess, axis=None)[::-1][:WORST_ENTRIES]
    worst = [
        EntryReport(
            index=tuple(int(i) for i in np.unravel_index(k, analytic.shape)),
            analytic=float(analytic.flat[k]),
            numeric=float(numeric.flat[k]),
            error_estimate=float(estimate.flat[k]),
            abs_error=float(diff.flat[k]),
            kink=bool(kink.flat[k]),
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
        kinks=int(np.count_nonzero(kink)),
    )


def _analytic_arrays(analytic: Mapping[str, Any], numeric: NumericGradient) -> tuple[dict[str, Array], str]:
    if not isinstance(analytic, Mapping) or set(analytic) != set(numeric.gradient):
        got = sorted(analytic) if isinstance(analytic, Mapping) else type(analytic).__name__
        raise InputError(f"the analytic gradient has parameters {got}, expected {sorted(numeric.gradient)}")
    out: dict[str, Array] = {}
    lowest = "float64"
    for name, g_n in numeric.gradient.items():
        g_a = np.asarray(analytic[name])
        if g_a.shape != g_n.shape:
            raise InputError(f"analytic gradient of {name} has shape {g_a.shape}, expected {g_n.shape}")
        if not np.issubdtype(g_a.dtype, np.number) or np.iscomplexobj(g_a):
            raise InputError(f"analytic gradient of {name} must be real numbers, got dtype {g_a.dtype}")
        check_finite(f"analytic gradient of {name}", g_a)
        if np.issubdtype(g_a.dtype, np.floating) and np.finfo(g_a.dtype).eps > np.finfo(lowest).eps:
            lowest = g_a.dtype.name
        out[name] = g_a.astype(np.float64)
    return out, lowest


def compare_gradients(
    analytic: Mapping[str, Any],
    numeric: NumericGradient,
    evaluator: Evaluator | None = None,
    *,
    kinks: bool = True,
    mode: str = "coordinate",
) -> GradientReport:
    """Compare an analytic gradient with a numeric one, tensor by tensor.

    Parameters
    ----------
    analytic : mapping of str to array_like
        The gradient under test, with the names and shapes of ``numeric.gradient`` (float64 or
        float32; a float32 gradient adds its rounding to the tolerance).
    numeric : NumericGradient
        The finite-difference gradient and its error estimate.
    evaluator : Evaluator, optional
        The evaluator ``numeric`` was computed on; needed to examine flagged entries for kinks.
    kinks : bool
        Examine flagged entries for kinks (:mod:`verification.kinks`) when an evaluator is given.
    mode : str
        Recorded in the report.

    Raises
    ------
    InputError
        If the names differ, a shape differs, or an analytic entry is not finite.
    """
    arrays, analytic_dtype = _analytic_arrays(analytic, numeric)
    tolerance = tolerance_for(numeric.evaluation_dtype, numeric.method, analytic_dtype)
    reports = {}
    for name, g_n in numeric.gradient.items():
        g_a, e_n = arrays[name], numeric.error_estimate[name]
        kink: Array | None = None
        if kinks and evaluator is not None:
            floor = tensor_floor(g_a, g_n)
            flagged = np.flatnonzero(_excess(g_a, g_n, e_n, tolerance, floor) > 0)
            if flagged.size:
                step = np.maximum(numeric.step[name].ravel()[flagged], _kink_step(evaluator, name, flagged))
                found = classify_kinks(
                    evaluator, name, flagged, step, g_a.ravel()[flagged], tolerance, floor
                )
                mask = np.zeros(g_a.size, dtype=bool)
                mask[found.flat[found.kink]] = True
                kink = mask.reshape(g_a.shape)
        reports[name] = compare_parameter(name, g_a, g_n, e_n, tolerance, kink)
    return GradientReport(
        reports,
        numeric.method,
        tolerance,
        evaluation_dtype=numeric.evaluation_dtype,
        analytic_dtype=analytic_dtype,
        mode=mode,
        evaluations=numeric.evaluations,
    )


def _kink_step(ev: Evaluator, name: str, flat: Array) -> Array:
    """At least the central step: complex step's tiny ``h`` would cross no kink worth naming."""
    from verification.finite_differences import relative_step

    return relative_step(ev.params[name].ravel()[flat], 1 / 3, ev.dtype)


def check_on(
    ev: Evaluator, analytic: Mapping[str, Any], *, method: str = "auto", kinks: bool = True,
    mode: str = "coordinate",
) -> GradientReport:
    """Check ``analytic`` against the numeric gradient computed on an evaluator (loop or structured).

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, or an unknown method.
    """
    numeric = numeric_gradient_on(ev, method)
    return compare_gradients(analytic, numeric, ev, kinks=kinks, mode=mode)


def check_gradient(
    f: LossFunction,
    params: Mapping[str, Any],
    analytic: Mapping[str, Any],
    *,
    method: str = "auto",
    kinks: bool = True,
) -> GradientReport:
    """Check ``analytic`` against the finite-difference gradient of the loss ``f`` at ``params``.

    Coordinate mode: every entry of every tensor is perturbed, one loss evaluation at a time.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``: the loss as a function of a dict of parameter arrays.
    params : mapping of str to array_like
        The point, any shapes, float64 or float32; copied, never modified. The loss is called with
        float64 copies (see :mod:`verification.finite_differences` for float32 losses).
    analytic : mapping of str to array_like
        The claimed gradient ``∂f/∂params``, same names and shapes.
    method : str
        ``auto`` (complex step when the loss evaluates on complex parameters, else Richardson),
        ``forward``, ``central``, ``richardson`` or ``complex-step``.
    kinks : bool
        Report flagged entries whose stencil crossed a non-differentiable point as ``kink``.

    Returns
    -------
    GradientReport

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, or an unknown method.
    """
    resolve_method(method)
    return check_on(LoopEvaluator(f, params), analytic, method=method, kinks=kinks)
