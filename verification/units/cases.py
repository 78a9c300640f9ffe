"""One unit at one setting, ready to check, and its check: the backward's gradients against the numeric
``Jᵀ dout`` of its forward.

Each kind of unit (:mod:`verification.units.pairs`, :mod:`~verification.units.losses`,
:mod:`~verification.units.layers`, :mod:`~verification.units.engines`) turns a setting into a
:class:`Case`: the forward as a function of the tensors differentiated, the point and the upstream
gradients (a :class:`~verification.units.vjp.Problem`), and what the backward gave for each tensor. A
setting that cannot be made into a case raises :class:`NotChecked` with its verdict (``stub``,
``refused``, ``skipped``) and the reason. :func:`check_case` does the rest, the same for every kind.

Default mode (:func:`sample_for`): per tensor, its :data:`LARGEST` largest entries and a uniform draw
one by one, up to :data:`ENTRY_BUDGET` over all tensors, and :data:`DIRECTIONS` random directions
through all of its entries, with the chance that the directions miss one wrong entry stated
(:mod:`verification.compare.sampling`). ``full``: every entry one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.compare.sampling import choose_entries, draw_directions
from verification.tolerances import NEAR_MATCH_RTOL
from verification.units.verdicts import OutputCheck, SettingResult, compare_output
from verification.units.vjp import NumericVjp, Problem, Sample, choose_method, numeric_vjp

Array = NDArray[Any]

ENTRY_BUDGET = 16
"""Entries over all tensors of a unit checked one by one at a setting before entries are sampled."""
MIN_SAMPLE = 4
"""Fewest entries of a sampled tensor checked one by one."""
LARGEST = 2
"""The largest entries (by the code's gradient) of a sampled tensor are among those checked."""
DIRECTIONS = 2
"""Random directions per sampled tensor: with complex step one catches a single entry wrong by a
relative 10⁻⁸ with probability near one (the stated figure is per tensor in the report)."""


class NotChecked(Exception):
    """A setting that cannot be checked: ``stub``, ``refused`` or ``skipped``, with the reason."""

    def __init__(self, verdict: str, reason: str) -> None:
        super().__init__(reason)
        self.verdict = verdict
        self.reason = reason


@dataclass
class Case:
    """One unit at one setting.

    Attributes
    ----------
    setting : str
        The setting's name, e.g. ``stride 2, pad 1``.
    problem : Problem
        The forward as a function of the tensors differentiated, the point, the upstream gradients.
    analytic : dict of str to object
        What the backward gave for each tensor of ``problem.point`` (None when it gave nothing).
    labels : dict of str to str
        How the code names each gradient (``x`` → ``dx``, ``weights`` → ``dweights``).
    rounding : dict of str to ndarray
        The code's own rounding of a gradient recovered from an update, per tensor that has one.
    note : str
        How the case was made (arguments, conventions), for the report.
    problems : dict of str to str
        Tensors whose gradient is wrong before any number is compared (the backward gives none), and
        why.
    alternatives : list of (dict, str)
        Other readings of the code's gradients that are right when they match, and what each means (an
        activation's derivative written in terms of its output, an L2 term of the layer's coefficient):
        tried in order when the first mismatches.
    conventions : list of (dict, str)
        Readings of the code's gradients that are right only under a convention the unit alone cannot
        confirm (a layer that averages its parameter gradients over the batch, one whose backward takes
        the gradient at its pre-activation), and what each means: when the gradients mismatch and one
        reading matches, the setting is ``skipped`` with its reason, neither a match nor a mismatch.
    floors : dict of str to float
        The size of the terms the code summed into a gradient, where it is known to exceed the
        gradient's largest entry (an engine's contributions that cancel, as in ``a / a``): the floor
        of the acceptance rule (:mod:`verification.tolerances`).
    near : bool
        A loss's or an activation's derivative, which may add a stabilising constant where it divides:
        gradients that differ from the numeric ones by no more than
        :data:`~verification.tolerances.NEAR_MATCH_RTOL` match, with a note giving the deviation
        (:func:`near_outputs`).
    """

    setting: str
    problem: Problem
    analytic: dict[str, Any]
    labels: dict[str, str]
    rounding: dict[str, Array] = field(default_factory=dict)
    note: str = ""
    problems: dict[str, str] = field(default_factory=dict)
    alternatives: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    floors: dict[str, float] = field(default_factory=dict)
    conventions: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    near: bool = False


def _usable(value: Any, shape: tuple[int, ...]) -> Array:
    """The gradient as an array to choose entries by, or zeros when it cannot serve."""
    try:
        g = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return np.zeros(shape)
    return g if g.shape == shape and np.all(np.isfinite(g)) else np.zeros(shape)


def sample_for(case: Case, rng: np.random.Generator, full: bool) -> Sample:
    """The elements checked of each tensor (see the module docstring)."""
    point = case.problem.point
    if full:
        return Sample.every_entry(point)
    grads = {n: _usable(case.analytic.get(n), np.shape(w)) for n, w in point.items()}
    entries = choose_entries(grads, rng, budget=ENTRY_BUDGET, minimum=MIN_SAMPLE, largest=LARGEST)
    directions = draw_directions(grads, rng, DIRECTIONS)
    for n, w in point.items():
        if entries[n].size >= np.size(w):
            directions[n] = np.zeros((0, np.size(w)))
    return Sample(entries, directions)


def check_case(
    case: Case, rng: np.random.Generator, *, method: str = "auto", full: bool = False
) -> SettingResult:
    """Check one case: choose the method, differentiate the chosen elements, compare every gradient.

    Parameters
    ----------
    case : Case
    rng : numpy.random.Generator
        Draws the entries, directions and the complex-step probe (the check's printed seed).
    method : str
        ``auto``, ``complex-step`` or ``richardson``.
    full : bool
        Every entry one by one.

    Raises
    ------
    InputError
        When the forward fails at a shifted point or gives a non-finite value there.
    """
    problem = case.problem
    used, why = choose_method(problem, method, rng)
    sample = sample_for(case, rng, full)
    numeric = numeric_vjp(problem, sample, used)
    outputs = _compare(case, case.analytic, sample, numeric)
    note = case.note
    for reading, meaning in case.alternatives if any(o.verdict == "mismatch" for o in outputs) else []:
        other = _compare(case, reading, sample, numeric)
        if all(o.verdict in ("matches", "kink") for o in other):
            outputs, note = other, "; ".join(n for n in (note, meaning) if n)
            break
    if case.near:
        outputs, told = near_outputs(outputs)
        note = "; ".join(n for n in (note, told) if n)
    notes = [n for n in (note, f"complex step does not apply: {why}" if why else "") if n]
    for reading, reason in case.conventions if any(o.verdict == "mismatch" for o in outputs) else []:
        other = _compare(case, reading, sample, numeric)
        if all(o.verdict in ("matches", "kink") for o in other):
            note = "; ".join([*notes, f"{case.setting}: {reason}"])
            return SettingResult(
                case.setting, "skipped", other, reason, used, note, numeric.evaluations, True
            )
    return SettingResult.of_outputs(
        case.setting, outputs, method=used, note="; ".join(notes), evaluations=numeric.evaluations
    )


def near_outputs(outputs: list[OutputCheck]) -> tuple[list[OutputCheck], str]:
    """``outputs`` with every mismatch whose relative error is within
    :data:`~verification.tolerances.NEAR_MATCH_RTOL` read as a match, when all mismatches are, and the
    note saying so (the same reading as a network's, :mod:`verification.identification.near_match`);
    ``outputs`` unchanged and no note otherwise."""
    wrong = [o for o in outputs if o.verdict == "mismatch"]
    errors = [o.relative_error for o in wrong]
    if not wrong or any(
        e is None or not e <= NEAR_MATCH_RTOL or o.problem for e, o in zip(errors, wrong, strict=True)
    ):
        return outputs, ""
    deviation = max(e for e in errors if e is not None)
    read = [replace(o, verdict="matches") if o.verdict == "mismatch" else o for o in outputs]
    return read, (
        f"to a relative {deviation:.1e}, more than rounding and far less than a slip: a small constant "
        "in the code, such as an ε added where it divides"
    )


def _compare(case: Case, analytic: dict[str, Any], sample: Sample, numeric: NumericVjp) -> list[OutputCheck]:
    outputs = []
    for name, w in case.problem.point.items():
        label = case.labels.get(name, f"d{name}")
        if name in case.problems:
            outputs.append(OutputCheck(label, "mismatch", problem=case.problems[name]))
            continue
        outputs.append(
            compare_output(
                label,
                analytic.get(name),
                np.shape(w),
                name,
                sample,
                numeric,
                case.rounding.get(name),
                case.floors.get(name, 0.0),
            )
        )
    return outputs


def refused_setting(setting: str, exc: InputError | NotChecked) -> SettingResult:
    """The result of a setting that could not be checked."""
    if isinstance(exc, NotChecked):
        return SettingResult(setting, exc.verdict, reason=exc.reason)
    return SettingResult(setting, "refused", reason=str(exc))
