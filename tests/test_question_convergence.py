"""The default command ends with one line from the convergence study over seeds 0–999, computed when
it runs, and its JSON carries the same numbers under ``convergence``."""

from __future__ import annotations

import json

import pytest

from verification.cli import main
from verification.convergence.report import percent
from verification.convergence.study import run_study


def _separated() -> dict[str, float]:
    study = run_study(rules=[("chain", None), ("shortcut", None)], uphill=False)
    return {o.rule: float(o.separated.mean()) for o in study.outcomes}


def test_text_ends_with_the_study_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    separated = _separated()
    last = out.rstrip().split("\n\n")[-1]  # the last paragraph, however the width wrapped it
    assert " ".join(last.split("\n")) == (
        "Over seeds 0–999 (same training), chain separates the three letters in "
        f"{percent(separated['chain'])} of starts and shortcut in {percent(separated['shortcut'])}; see "
        "'backprop-verify converge'."
    )


def test_json_has_the_study_under_convergence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "--seed", "3"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["convergence"] == {
        "first_seed": 0,
        "seeds": 1000,
        "learning_rate": 0.1,
        "epochs": 100,
        "separated": _separated(),
    }
