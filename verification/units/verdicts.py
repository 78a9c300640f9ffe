"""Verdicts of a unit: per returned gradient (``dx``, ``dw``, …) at one setting, per setting, per unit.

Per gradient, the *elements* compared are the entries differentiated one by one and the directional
derivatives ``g·u`` (:class:`verification.units.vjp.Sample`), each with its floor
(:func:`verification.compare.rule.functional_floor`); they are accepted or rejected by the one rule of
:mod:`verification.compare.rule` through :func:`verification.compare.tensor.compare_parameter`, at the
tolerance of :mod:`verification.tolerances` for the method that ran, and flagged elements whose stencil
crossed a kink are examined by :mod:`verification.compare.kinks`. A gradient is

* ``matches`` when no element is flagged;
* ``kink`` when only elements on a kink are flagged (the analytic value a one-sided slope);
* ``mismatch`` otherwise, including a gradient of another shape (both shapes named), a non-finite
  one, and one that is a constant multiple ``c ≠ 1`` of the numeric gradient (``c = −1``: its sign
  flipped; ``c = N``: a sum where the forward takes a mean), which is reported as such;
* ``stub`` when the backward gives ``None`` for it.

A loss's derivative that mismatches only by a positive constant at each setting is read again as
``matches up to scale`` (:data:`SCALED`, by :func:`verification.units.run.check_unit`).

A setting's verdict is its worst gradient's (mismatch, then kink, then matches); a unit's is
``mismatch`` when any setting mismatches, else ``kink`` when any crossed a kink, else ``matches up to
scale`` when any setting is only a multiple, else ``refused`` when
a setting matches only under a convention of the caller (a backward that averages its parameters'
gradients over the batch: right only when the loss above passes a sum), else ``matches`` when any
setting was checked, else ``stub`` or ``refused`` (no setting could be checked).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.compare.kinks import classify_kinks
from verification.compare.reports import ParameterReport
from verification.compare.rule import allowance, excess, functional_floor, relative_error
from verification.compare.sampling import MISS_PROBABILITY, detectable
from verification.compare.tensor import compare_parameter
from verification.numeric.differences import relative_step
from verification.tolerances import Tolerance, tolerance_for
from verification.units.vjp import NumericVjp, Sample

Array = NDArray[Any]
SCALED = "matches up to scale"
"""A loss's derivative that is a positive constant ``c`` times the gradient of its value
(:func:`verification.units.run.check_unit`): the scale of a loss is a convention, as in the network
check's verdicts, and ``c`` is named."""
CHECKED = ("matches", "kink", "mismatch", SCALED)
"""Verdicts of a setting that was checked (the others: ``stub``, ``refused``, ``skipped``)."""


@dataclass(frozen=True)
class OutputCheck:
    """One returned gradient at one setting.

    Attributes
    ----------
    name : str
        The gradient as the code names it (``dx``, ``dgamma``, ``dweights``, ``self.grad``).
    verdict : str
        ``matches``, ``kink``, ``mismatch`` or ``stub``.
    report : ParameterReport or None
        The element-by-element comparison (None when the gradient could not be compared at all).
    problem : str
        Why it could not be compared (wrong shape, not finite, None), else empty.
    constant : float or None
        ``c`` when the gradient is ``c`` times the numeric one for some ``c ≠ 1``.
    fitted : float or None
        For a mismatch: the least-squares ``c`` of ``analytic ≈ c · numeric`` over the elements
        compared (None when the numeric gradient is zero), whether or not the rule accepts it.
    scaled_error : float or None
        With ``fitted``: the relative error of the gradient against ``fitted`` times the numeric one.
    detectable : float
        The smallest relative error of one entry of root-mean-square size the directions catch with
        probability ≥ ``1 −`` :data:`~verification.compare.sampling.MISS_PROBABILITY` (0 when every entry
        was checked one by one, inf when nothing can be said).
    checked : str
        ``54/54 entries`` or ``12/300 entries, 2 directions``.
    note : str
        What the comparison took as it is although it is not the input's form (a gradient of shape
        ``(1, M)`` for an input of shape ``(M,)``: its values are compared), else empty.
    """

    name: str
    verdict: str
    report: ParameterReport | None = None
    problem: str = ""
    constant: float | None = None
    fitted: float | None = None
    scaled_error: float | None = None
    detectable: float = 0.0
    checked: str = ""
    note: str = ""

    @property
    def relative_error(self) -> float | None:
        """Relative error over the elements compared, or None."""
        return None if self.report is None else self.report.relative_error


def _constant(
    analytic: Array, numeric: Array, estimate: Array, tol: Tolerance, floors: tuple[Array, Array]
) -> float | None:
    """``c`` with ``analytic ≈ c · numeric`` element by element under the acceptance rule, if ``c ≠ 1``."""
    nn = float(np.dot(numeric, numeric))
    if nn == 0 or not np.any(analytic):
        return None
    c = float(np.dot(analytic, numeric)) / nn
    floor = np.maximum(floors[0], abs(c) * floors[1])
    if not math.isfinite(c) or np.any(excess(analytic, c * numeric, abs(c) * estimate, tol, floor) > 0):
        return None
    if np.count_nonzero(numeric) < 2 and not _simple(c, tol.rtol):
        return None  # two numbers are always in some ratio: only a simple one (2, 1/2, −1) says something
    return c


def _fitted(analytic: Array, numeric: Array) -> float | None:
    """The least-squares ``c`` of ``analytic ≈ c · numeric``; None when ``numeric`` is zero."""
    nn = float(np.dot(numeric, numeric))
    c = float(np.dot(analytic, numeric)) / nn if nn else math.nan
    return c if math.isfinite(c) else None


def _simple(c: float, rtol: float) -> bool:
    """Whether ``c`` is ``p / q`` for small whole numbers (``|p| ≤ 8``, ``q ≤ 4``), to ``rtol``."""
    return any(
        abs(c * q - round(c * q)) <= rtol * abs(c * q) and 0 < abs(round(c * q)) <= 8 for q in (1, 2, 3, 4)
    )


def _elements(
    g: Array, sample: Sample, name: str, numeric: NumericVjp, rounding: Array | None
) -> tuple[Array, Array, Array, tuple[Array, Array]]:
    flat, dirs = sample.entries[name], sample.directions[name]
    k = flat.size
    values, estimates = numeric.values[name], numeric.estimates[name].copy()
    if rounding is not None:
        r = np.ravel(rounding)
        estimates += np.concatenate([r[flat], np.abs(dirs) @ r])
    analytic = np.concatenate([g[flat], dirs @ g])
    big_a = float(np.max(np.abs(g))) if g.size else 0.0
    big_n = float(np.max(np.abs(values[:k]))) if k else 0.0
    floors = (
        np.concatenate([np.full(k, big_a), functional_floor(dirs, g, big_a)]),
        np.concatenate([np.full(k, big_n), big_n * np.abs(dirs).sum(axis=1) + np.abs(values[k:])]),
    )
    return analytic, values, estimates, floors


def compare_output(
    label: str,
    analytic: Any,
    shape: tuple[int, ...],
    name: str,
    sample: Sample,
    numeric: NumericVjp,
    rounding: Array | None = None,
    floor: float = 0.0,
) -> OutputCheck:
    """Compare the gradient ``analytic`` the code gave for tensor ``name`` with the numeric ``Jᵀ dout``.

    Parameters
    ----------
    label : str
        How the code names the gradient (``dx``).
    analytic : array_like or None
        What the code gave.
    shape : tuple of int
        The shape of the tensor ``name`` (the gradient must have it).
    name : str
        The tensor among the numeric elements.
    sample : Sample
    numeric : NumericVjp
    rounding : ndarray, optional
        A bound on the code's own rounding per entry (a gradient recovered from an in-place update,
        ``ε (|W_before| + |W_after|) / lr``), added to the estimate.
    floor : float
        The size of the terms the code summed into the gradient, when known (else 0): the analytic
        side's floor is at least this.
    """
    if analytic is None:
        return OutputCheck(label, "stub", problem="the backward gives None")
    g = np.asarray(analytic)
    if g.dtype == object or not np.issubdtype(g.dtype, np.number) or np.iscomplexobj(g):
        return OutputCheck(
            label, "mismatch", problem=f"the backward gives {type(analytic).__name__} of dtype {g.dtype}"
        )
    note = ""
    if g.shape != tuple(shape) and _leading_ones(g.shape, tuple(shape)):
        note = f"shape {g.shape} for an input of shape {tuple(shape)}: compared by its values (it broadcasts)"
        g = g.reshape(shape)  # db of shape (1, M) for b of shape (M,): autograd's sum_to would take it
    if g.shape != tuple(shape):
        whose = "the input" if name == "x" else name  # db of shape () for b of shape (3,)
        return OutputCheck(
            label, "mismatch", problem=f"shape {g.shape}, but {whose} has shape {tuple(shape)}"
        )
    if not np.all(np.isfinite(g)):
        return OutputCheck(label, "mismatch", problem="not finite")
    tol = tolerance_for(np.float64, numeric.method, g.dtype if np.issubdtype(g.dtype, np.floating) else None)
    g = g.astype(np.float64).reshape(-1)
    flat, dirs = sample.entries[name], sample.directions[name]
    ana, num, est, floors = _elements(g, sample, name, numeric, rounding)
    floors = (np.maximum(floors[0], floor), floors[1])
    labels: list[tuple[int, ...] | str] = [tuple(int(i) for i in np.unravel_index(f, shape)) for f in flat]
    labels += [f"u{j}" for j in range(dirs.shape[0])]
    over = excess(ana, num, est, tol, np.maximum(*floors))
    kink = np.zeros(ana.size, dtype=bool)
    flagged = np.flatnonzero(over > 0)
    if flagged.size:
        step = np.maximum(numeric.steps[name][flagged], relative_step(np.zeros(flagged.size), 1 / 3))
        biggest = float(np.max(np.maximum(*floors)))
        found = classify_kinks(numeric.evaluator, name, flagged, step, ana[flagged], tol, biggest)
        kink[flagged[found.kink]] = True
    report = compare_parameter(label, ana, num, est, tol, kink, floors=floors, names=(labels, tuple(shape)))
    k = flat.size
    part = slice(0, k) if k else slice(None)  # over the entries, when any was checked one by one
    error = relative_error(ana[part], num[part])
    if floor > 0:  # relative to the terms summed into the gradient, which cancel (``a / a``)
        size = max(float(np.linalg.norm(ana[part])), float(np.linalg.norm(num[part])), floor)
        error = float(np.linalg.norm(ana[part] - num[part])) / size
    report = replace(report, relative_error=error)
    verdict = {"matches up to scale": "mismatch"}.get(report.verdict, report.verdict)
    constant = _constant(ana, num, est, tol, floors) if verdict == "mismatch" else None
    fitted = _fitted(ana, num) if verdict == "mismatch" else None
    return OutputCheck(
        label,
        verdict,
        report,
        constant=constant,
        fitted=fitted,
        scaled_error=None if fitted is None else relative_error(ana[part], fitted * num[part]),
        detectable=_detectable(g, ana, num, est, tol, floors, k, dirs),
        checked=_checked(k, int(np.prod(shape)), dirs.shape[0]),
        note=note,
    )


def _leading_ones(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether one shape is the other with axes of size 1 in front (``(1, M)`` and ``(M,)``): arrays
    that broadcast to each other entry for entry (the rule by which autograd's ``sum_to`` accepts a
    gradient)."""
    short, long = sorted((a, b), key=len)
    k = len(long) - len(short)
    return k > 0 and long[:k] == (1,) * k and long[k:] == short


def _detectable(
    g: Array,
    ana: Array,
    num: Array,
    est: Array,
    tol: Tolerance,
    floors: tuple[Array, Array],
    k: int,
    dirs: Array,
) -> float:
    if k >= g.size:
        return 0.0
    if not dirs.shape[0]:
        return math.inf
    allowed = allowance(ana[k:], num[k:], est[k:], tol, np.maximum(floors[0][k:], floors[1][k:]))
    rms = float(np.sqrt(np.mean(g**2)))
    return detectable([allowed], [rms], MISS_PROBABILITY)


def _checked(entries: int, size: int, directions: int) -> str:
    text = f"{entries}/{size} entries"
    return text + (
        f", {directions} direction{'s' if directions != 1 else ''}" if directions and entries < size else ""
    )


@dataclass
class SettingResult:
    """One setting of a unit: what was tried and what it gave.

    Attributes
    ----------
    setting : str
        The setting, e.g. ``stride 2, pad 1`` or ``operand used twice``.
    verdict : str
        ``matches``, ``kink``, ``mismatch``, ``stub``, ``refused`` or ``skipped``.
    outputs : list of OutputCheck
    reason : str
        Why it was not checked (stub, refused, skipped), or what the backward raised.
    method : str
        The difference method that ran (empty when none did).
    note : str
        Why complex step did not apply, or how the arguments were made.
    evaluations : int
        Forward passes spent on the numeric side.
    convention : bool
        Skipped because the backward matches only under a convention of its caller that the unit alone
        cannot tell (the batch mean taken in a layer's backward, the gradient taken at the scores).
    """

    setting: str
    verdict: str
    outputs: list[OutputCheck] = field(default_factory=list)
    reason: str = ""
    method: str = ""
    note: str = ""
    evaluations: int = 0
    convention: bool = False

    @classmethod
    def of_outputs(cls, setting: str, outputs: list[OutputCheck], **extra: Any) -> SettingResult:
        """The setting's verdict from its gradients: the worst of them, ``stub`` only if all are."""
        verdicts = {o.verdict for o in outputs}
        if "mismatch" in verdicts:
            verdict = "mismatch"
        elif verdicts == {"stub"} or not verdicts:
            verdict = "stub"
        elif "kink" in verdicts:
            verdict = "kink"
        else:
            verdict = "matches" if "stub" not in verdicts else "stub"
        return cls(setting, verdict, outputs, **extra)

    @property
    def differs(self) -> list[str]:
        """The gradients that mismatch."""
        return [o.name for o in self.outputs if o.verdict == "mismatch"]


def unit_verdict(settings: list[SettingResult]) -> str:
    """A unit's verdict from its settings (see the module docstring)."""
    verdicts = [s.verdict for s in settings]
    if any(s.convention for s in settings) and not {"mismatch", "kink"} & set(verdicts):
        return "refused"  # right at one sample, at a batch only if the caller passes a sum: not a match
    for verdict in ("mismatch", "kink", SCALED, "matches"):
        if verdict in verdicts:
            return verdict
    if "stub" in verdicts:
        return "stub"
    return "refused"
