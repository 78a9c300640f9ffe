"""The hostile runs of ``tests/hostile.py`` end with no internal error, no escaped process, no
non-strict JSON object and no warning line, each with the status its case expects. A few cheap cases
run by default; the whole table (about 140 runs, a few minutes) runs with ``-m slow``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile import Case, Outcome, cases, run_all

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")

CHEAP = ("spawn, result", "forge the result", "symlink loop", "a list", "lr 1e-20", "complex output")


def problems(outcomes: list[Outcome]) -> list[str]:
    found = []
    for o in outcomes:
        name = f"{o.case.family}/{o.case.name}{' --json' if o.as_json else ''}"
        if o.internal:
            found.append(f"{name}: internal error: {o.stderr[-300:]}")
        if o.escaped:
            found.append(f"{name}: processes {o.escaped} outlived the run")
        if o.strict_json is False:
            found.append(f"{name}: stdout is not one strict JSON object: {o.stdout[:200]!r}")
        if o.warnings:
            found.append(f"{name}: warnings on stderr: {o.warnings[:3]}")
        if o.status not in o.case.statuses:
            found.append(f"{name}: status {o.status}, expected one of {o.case.statuses}: {o.stderr[-300:]}")
    return found


def selected(names: tuple[str, ...] | None) -> list[Case]:
    return [c for c in cases() if names is None or c.name in names]


def test_the_cheap_hostile_cases_leave_nothing_to_count() -> None:
    chosen = selected(CHEAP)
    assert [c.name for c in chosen] == list(CHEAP)
    outcomes = list(run_all(chosen))
    assert len(outcomes) == 2 * len(CHEAP)  # each with and without --json
    assert problems(outcomes) == []


@pytest.mark.slow
def test_every_hostile_case_leaves_nothing_to_count() -> None:
    outcomes = list(run_all(selected(None)))
    assert problems(outcomes) == []
