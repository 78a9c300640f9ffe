"""Checking units: each over its settings, into one result per unit and one report per file.

For every setting of a unit (:mod:`verification.units.settings`) the unit makes a case
(:class:`~verification.units.cases.Case`) and :func:`~verification.units.cases.check_case` compares its
backward with the numeric ``Jᵀ dout``. A setting whose probe crossed a kink is drawn again (up to
:data:`REDRAWS` times, so inputs end up away from kinks), and keeps the ``kink`` verdict only if every
draw crosses one. After a stub at the first setting the others are not tried: the unit is not
implemented.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from ffnn.validation import InputError
from verification.tolerances import NEAR_MATCH_RTOL
from verification.units.cases import Case, NotChecked, check_case, refused_setting
from verification.units.losses import SHAPES
from verification.units.settings import Setting
from verification.units.verdicts import SCALED, OutputCheck, SettingResult, unit_verdict

REDRAWS = 2
"""Further draws of a setting whose probe crossed a kink."""


class Unit(Protocol):
    """A unit found in a file: a pair, a loss, a layer object or an engine operation."""

    @property
    def name(self) -> str:
        """The unit's name (``affine``, ``Dense``, ``Value.__mul__``)."""

    @property
    def kind(self) -> str:
        """``pair``, ``loss``, ``layer`` or ``op``."""

    @property
    def forward(self) -> str:
        """The forward as written in the file."""

    @property
    def backward(self) -> str | None:
        """The backward as written in the file (None where one function gives both)."""

    def settings(self) -> list[Setting]:
        """The settings to check it over."""

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The unit at one setting; raises :class:`~verification.units.cases.NotChecked` when it cannot
        be checked there."""


@dataclass
class FixedUnit:
    """A unit whose verdict is known without running it (an empty class: ``stub``)."""

    name: str
    kind: str
    forward: str
    backward: str | None
    verdict: str
    reason: str

    def settings(self) -> list[Setting]:
        """One setting, which is not checked."""
        return [Setting("default")]

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """Always raises :class:`NotChecked` with the known verdict."""
        raise NotChecked(self.verdict, self.reason)


@dataclass
class UnitResult:
    """One unit checked over its settings.

    Attributes
    ----------
    unit, kind, forward, backward : str
        As found in the file (``backward`` None where one function gives both).
    settings : list of SettingResult
    seconds : float
    """

    unit: str
    kind: str
    forward: str
    backward: str | None
    settings: list[SettingResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        """``matches``, ``mismatch``, ``kink``, ``stub`` or ``refused`` (:func:`unit_verdict`)."""
        return unit_verdict(self.settings)

    @property
    def differs(self) -> list[str]:
        """The gradients that mismatch at some setting, in order of first appearance."""
        out: list[str] = []
        for s in self.settings:
            out += [d for d in s.differs if d not in out and s.verdict != "skipped"]
        return out

    @property
    def max_relative_error(self) -> float | None:
        """The largest relative error of any gradient at any setting checked (None when none was)."""
        errors = [o.relative_error for s in self.settings for o in s.outputs if o.relative_error is not None]
        finite = [e for e in errors if math.isfinite(e)]
        return max(finite) if finite else None

    @property
    def reason(self) -> str:
        """Why the unit is a stub or refused, or what a mismatching setting raised; for a unit refused
        because every setting was skipped (a convention the unit cannot confirm), why the first was."""
        own = next((s.reason for s in self.settings if s.reason and s.verdict == self.verdict), "")
        if own or self.verdict != "refused":
            return own
        return next((s.reason for s in self.settings if s.reason and s.verdict == "skipped"), "")


def check_setting(
    unit: Unit, setting: Setting, seed: int, index: int, *, method: str, full: bool
) -> SettingResult:
    """One setting of a unit, redrawn while its probe crosses a kink (see the module docstring)."""
    if setting.skip:
        return SettingResult(setting.name, "skipped", reason=setting.skip)
    result = SettingResult(setting.name, "refused")
    for attempt in range(1 + REDRAWS):
        rng = np.random.default_rng([seed, index, attempt])
        try:
            case = unit.case(setting, rng)
            result = check_case(case, rng, method=method, full=full)
        except (NotChecked, InputError) as exc:
            return refused_setting(setting.name, exc)
        except Exception as exc:  # a failure of the checker on one unit: the others are still checked
            reason = f"the checker failed on this unit ({type(exc).__name__}: {exc}); please report it"
            return SettingResult(setting.name, "refused", reason=reason)
        if result.verdict != "kink":
            break
    return result


def check_unit(unit: Unit, seed: int = 0, *, method: str = "auto", full: bool = False) -> UnitResult:
    """Check ``unit`` over its settings.

    Parameters
    ----------
    unit : Unit
    seed : int
        Seeds every draw (``np.random.default_rng([seed, setting, attempt])``) and the generators the
        code under check draws from.
    method : str
        ``auto``, ``complex-step`` or ``richardson``.
    full : bool
        Every entry one by one, at every setting.
    """
    start = time.perf_counter()
    result = UnitResult(unit.name, unit.kind, unit.forward, unit.backward)
    try:
        settings = unit.settings()
    except InputError as exc:
        settings = []
        result.settings.append(SettingResult("default", "refused", reason=str(exc)))
    for index, setting in enumerate(settings):
        outcome = check_setting(unit, setting, seed, index, method=method, full=full)
        result.settings.append(outcome)
        if index == 0 and outcome.verdict == "stub":
            break
    read = _scaled_losses(_one_sample_at_a_time(_placeholders_that_ran(result.settings)), unit)
    result.settings = _shapes_not_taken(read, unit)
    result.seconds = time.perf_counter() - start
    return result


def _placeholders_that_ran(settings: list[SettingResult]) -> list[SettingResult]:
    """A setting judged ``stub`` (the backward raised or gave None, and its source keeps a ``pass``) is a
    ``mismatch`` when the same code ran at another setting: work that is done at one shape and fails at
    another is a bug of that shape, not a placeholder (course templates keep their ``pass`` lines after
    the code is written)."""
    if not any(s.verdict in ("matches", "kink", "mismatch") for s in settings):
        return settings
    return [replace(s, verdict="mismatch") if s.verdict == "stub" else s for s in settings]


def _one_sample_at_a_time(settings: list[SettingResult]) -> list[SettingResult]:
    """A layer written for one sample at a time, as the layers of per-sample SGD tutorials are, while
    it matches on a batch of one: its forward takes no batch of two in any shape (it asserts a column of
    one sample), its backward *raises* on a batch of two (``self.bias -= lr *
    output_error`` with a bias of one row), or its in-place update turns a parameter into one of the
    batch's shape (``self.bias = self.bias - lr * output_grad``). The batch setting is skipped, with
    what happened as the reason, not a mismatch. A wrong gradient of the right shape on a batch, and a
    gradient of the batch's shape that a backward returns or stores (a bias gradient not summed over
    the batch), stay mismatches."""
    one = [s for s in settings if s.setting.startswith("batch of one")]
    if not one or any(s.verdict not in ("matches", "kink") for s in one):
        return settings

    def per_sample(s: SettingResult) -> str | None:
        if (
            s.setting.startswith("batch of two")
            and s.verdict == "refused"
            and "every input shape" in s.reason
        ):
            return s.reason  # forward(x) asserting x.shape == (n_in, 1): it takes one sample
        if not s.setting.startswith("batch of two") or s.verdict != "mismatch":
            return None
        if not s.outputs and " raised " in s.reason:
            return s.reason
        wrong = [o for o in s.outputs if o.verdict == "mismatch"]
        if wrong and "from the update" in s.note and all(o.problem.startswith("shape") for o in wrong):
            return "; ".join(f"{o.name}: {o.problem}" for o in wrong)
        return None

    out = []
    for s in settings:
        what = per_sample(s)
        if what is None:
            out.append(s)
            continue
        why = f"written for one sample at a time: on a batch of two, {what}"
        out.append(replace(s, verdict="skipped", reason=why, note=f"{s.note}; {why}" if s.note else why))
    return out


def _shapes_not_taken(settings: list[SettingResult], unit: Unit) -> list[SettingResult]:
    """A loss (or an activation with its derivative) whose backward *raises* at one of the shapes a
    loss is checked at (:data:`~verification.units.losses.SHAPES`), after its forward ran there (or,
    for a function that gives both, where it raises), while it matches at every shape where it gives
    values, is written for the other shapes
    (``len(dvalues[0])`` in a loss written for batches, given one vector): the shape is skipped, with
    the error as the reason, not called a mismatch, since nothing it computes is wrong. Wrong values at
    any shape keep every raising shape a mismatch too. The settings of layers vary more than a shape (a
    padding of 0 that an unpadding ``[pad:-pad]`` empties), and a raise there stays a bug of that
    setting."""
    label = f"{unit.backward or unit.forward} raised "
    shapes = {name for name, _ in SHAPES}
    raised = [
        s
        for s in settings
        if s.setting in shapes and s.verdict == "mismatch" and not s.outputs and s.reason.startswith(label)
    ]
    rest = [s for s in settings if s not in raised and s.verdict != "skipped"]
    if not raised or not rest or any(s.verdict not in ("matches", "kink", SCALED) for s in rest):
        return settings
    out = []
    for s in settings:
        why = f"at {s.setting}, not a shape its backward takes: {s.reason}"
        out.append(replace(s, verdict="skipped", reason=why, note=why) if s in raised else s)
    return out


def _scaled_losses(settings: list[SettingResult], unit: Unit) -> list[SettingResult]:
    """A loss whose derivative is, at each shape, a positive constant ``c`` times the gradient of its
    value (``2 (a − y) / n_samples`` beside a mean over every entry: ``c`` the number of outputs; a batch
    mean's ``1 / N`` left out: ``c = N``) *matches up to scale* (:data:`SCALED`), as the network check's
    verdicts do, ``c`` named: the scale of a loss is a convention (½, a sum or a mean), and a positive
    factor on the output error scales every gradient below it alike, as a learning rate does; whether
    it is the scale the value promises is the reader's to judge. A negative ``c`` (the sign flipped:
    ascent), an error that is no constant multiple, and a layer's or an activation's multiple (which
    scales the gradients below it but not its own parameters') stay mismatches."""
    if unit.kind != "loss":
        return settings

    def scaled_output(o: OutputCheck) -> bool:  # c > 0 by the rule, or to a stabilising ε (near_outputs)
        near = o.scaled_error is not None and o.scaled_error <= NEAR_MATCH_RTOL
        return not o.problem and o.fitted is not None and o.fitted > 0 and (o.constant is not None or near)

    scaled = [
        s
        for s in settings
        if s.verdict == "mismatch"
        and s.outputs
        and all(o.verdict != "mismatch" or scaled_output(o) for o in s.outputs)
    ]
    if not scaled or any(s.verdict == "mismatch" and s.outputs for s in settings if s not in scaled):
        return settings  # (a shape where the derivative raised is left to _shapes_not_taken)
    out = []
    for s in settings:
        if s not in scaled:
            out.append(s)
            continue
        factors = ", ".join(
            f"{o.name} {o.constant or o.fitted:.6g}" for o in s.outputs if o.verdict == "mismatch"
        )
        why = f"{SCALED}: its derivative is c × the gradient of its value (c: {factors})"
        outputs = [
            replace(o, verdict=SCALED, report=replace(o.report, relative_error=o.scaled_error))
            if o.verdict == "mismatch" and o.report is not None and o.scaled_error is not None
            else o
            for o in s.outputs
        ]
        out.append(replace(s, verdict=SCALED, outputs=outputs, note=f"{s.note}; {why}" if s.note else why))
    return out


def status(results: list[UnitResult]) -> int:
    """Exit status of a file's check: 1 when a unit mismatches, 0 when every unit that could be checked
    matches (or crossed a kink, or is a loss that matches up to scale), 2 when none could be checked."""
    verdicts = {r.verdict for r in results}
    if "mismatch" in verdicts:
        return 1
    return 0 if verdicts & {"matches", "kink", SCALED} else 2


def summary(results: list[UnitResult]) -> dict[str, Any]:
    """Counts of units per verdict."""
    out: dict[str, Any] = {}
    for r in results:
        out[r.verdict] = out.get(r.verdict, 0) + 1
    return out
