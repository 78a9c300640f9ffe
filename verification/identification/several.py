"""``check`` on a script that defines several networks: each class checked, each verdict reported.

Course files often hold two networks side by side (cs231n's ``fc_net.py``: ``TwoLayerNet`` and
``FullyConnectedNet``; a book's ``MultiLayerNet`` beside its ``MultiLayerNetExtend``), each with its
own forward pass and gradient. When no name is given and :func:`verification.reading.targets.default_name`
finds several such classes fitting equally (:class:`~verification.reading.targets.SeveralNetworks`),
:func:`check_each` checks every one of them as ``PATH:NAME`` would, and the report gives each verdict
in turn, then one line per class. A class that cannot be checked is listed with its refusal; the
command fails only when none can be.

Exit status, as for a file of units: 1 when a class checked is the gradient of no loss (or not of the
loss asked), else 0; a refusal of every class is a refusal (2).
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.reading.targets import SeveralSetups, Target
from verification.terminal_width import DEFAULT_WIDTH


@dataclass(frozen=True)
class SeveralReport:
    """The check of each network class of one script.

    Attributes
    ----------
    path : str
        The script, as given.
    checked : list of (str, CheckReport or InputError)
        Each class in the file's order, with its report or its refusal.
    """

    path: str
    checked: list[tuple[str, CheckReport | InputError]]

    @property
    def reports(self) -> list[CheckReport]:
        """The reports of the classes that could be checked."""
        return [r for _, r in self.checked if isinstance(r, CheckReport)]

    @property
    def success(self) -> bool:
        """Every class checked is the gradient of a loss (of the loss asked, when one was)."""
        return all(r.result.success for r in self.reports)

    @property
    def identified(self) -> str | None:
        """The loss every class was identified as, when each was checked, holds on batches and they
        agree; else None."""
        found = {r.result.identified for r in self.reports}
        every = len(self.reports) == len(self.checked) and self.success
        return found.pop() if len(found) == 1 and every else None


ALIKE = 3
"""Setups of one class that failed alike, in a row, after which its other setups are not tried."""


def _alike(last: list[tuple[str, CheckReport | InputError]], several: SeveralSetups, done: int) -> bool:
    """The last :data:`ALIKE` setups tried all failed with one message once their own setups are taken
    out of it (``--setup 'net = MLP(…, regularization='l2')' raised …`` for each flag value alike)."""
    if len(last) < ALIKE or not all(isinstance(r, InputError) for _, r in last):
        return False
    tried = several.alternatives[done - ALIKE : done]
    said = {
        functools.reduce(lambda text, setup: text.replace(setup, "…"), setups, str(r))
        for (_, r), setups in zip(last, tried, strict=True)
    }
    return len(said) == 1


def check_each(
    request: CheckRequest,
    names: list[str] | SeveralSetups,
    progress: Callable[[int, int], None] | None = None,
) -> SeveralReport:
    """Check each class of ``names`` in the script of ``request`` as ``PATH:NAME`` with the rest of
    ``request`` (:func:`verification.identification.check.check_target`). When ``names`` come from
    :class:`~verification.reading.targets.SeveralSetups` (``check_each(request, several)``), each is
    one setup of the same class, checked with ``--setup`` (the first of its alternatives that checks).

    Raises
    ------
    InputError
        When no class can be checked: each class with its refusal, in one line.
    """
    checked: list[tuple[str, CheckReport | InputError]] = []
    labels: list[str] = names.names if isinstance(names, SeveralSetups) else names
    worked = 0  # the place of the alternative that checked the setup before: the others are built alike
    for i, name in enumerate(labels):
        ones = [replace(request, target=Target(request.target.path, name))]
        if isinstance(names, SeveralSetups):  # one class, built one way each (its sizes tried in turn)
            ones = [
                replace(
                    request,
                    target=Target(request.target.path, names.cls),
                    options=replace(request.options, setup=setup),
                )
                for setup in names.alternatives[i]
            ]
        order = sorted(range(len(ones)), key=lambda k: k != worked)  # that one first, the rest in turn
        failures: list[tuple[int, InputError]] = []
        for k in order:
            try:
                checked.append((name, check_target(ones[k], progress)))
                worked = k
                break
            except InputError as exc:
                failures.append((k, exc))
        else:
            checked.append((name, min(failures, key=lambda f: f[0])[1]))  # the first's, as written
            if isinstance(names, SeveralSetups) and _alike(checked[-ALIKE:], names, len(checked)):
                left = len(labels) - len(checked)
                if left:  # a flag's other values fail as its first did: not run, and the refusal says so
                    checked.append(
                        (f"the other {left} setups", InputError("not tried: the setups before failed alike"))
                    )
                break
    report = SeveralReport(request.target.path, checked)
    if not report.reports:
        reasons = "; ".join(f"{name}: {exc}" for name, exc in checked)
        hint = (
            names.hint
            if isinstance(names, SeveralSetups)
            else f"name one after the path, e.g. {request.target.path}:{labels[0]}, with its explicit form"
        )
        raise InputError(
            f"could not check any of the {len(labels)} classes of {request.target.path}: {reasons}",
            hint=hint,
        )
    return report


def format_several(
    report: SeveralReport,
    format_one: Callable[[CheckReport], str],
    line_of: Callable[[CheckReport], str],
    quiet: bool = False,
    width: int = DEFAULT_WIDTH,
) -> str:
    """Each class's report (``format_one``) or refusal in turn, then one line per class
    (``line_of``: its verdict line), fitted to ``width`` columns; with ``quiet``, those lines alone."""
    lines = [
        (line_of(r) if n == r.target.name else f"{n}: {line_of(r)}")  # a class built one way of several
        if isinstance(r, CheckReport)
        else f"{n}: refused ({r})"
        for n, r in report.checked
    ]
    if quiet:
        return "\n".join(lines)
    parts = []
    for name, r in report.checked:
        parts.append(format_one(r) if isinstance(r, CheckReport) else f"{name}: refused: {r}")
    one = len({r.target.name for _, r in report.checked if isinstance(r, CheckReport)}) == 1 and all(
        isinstance(r, CheckReport) and n != r.target.name for n, r in report.checked
    )  # one class built several ways
    what = "setups of one network class" if one else "network classes"
    summary = [f"Checked {len(report.checked)} {what} in {report.path}:"]
    for line in lines:
        summary += textwrap.wrap(line, width, initial_indent="  ", subsequent_indent="    ")
    return "\n\n".join([*parts, "\n".join(summary)])


def several_json(
    report: SeveralReport,
    json_of: Callable[[CheckReport], dict[str, Any]],
    cause_of: Callable[[Exception], str],
) -> dict[str, Any]:
    """``{"target", "command", "identified", "classes"}``: ``classes`` holds each class's ``check``
    object (``json_of``) with its ``class``, or its refusal ``{class, error, cause, hint}``;
    ``identified`` is the loss all of them were identified as, or null."""
    classes = []
    for name, r in report.checked:
        if isinstance(r, CheckReport):
            classes.append({"class": name, **json_of(r)})
        else:
            classes.append({"class": name, "error": str(r), "cause": cause_of(r), "hint": r.hint})
    return {"target": report.path, "command": "check", "identified": report.identified, "classes": classes}
