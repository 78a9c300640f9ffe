"""Which top-level statements of a script the check ran and which it did not
(:mod:`verification.identification.skipped_lines`): a training loop read off a script is run by the
check for one pass, and the report no longer lists it among the statements "not run"."""

from __future__ import annotations

import textwrap
from pathlib import Path

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.skipped_lines import skipped_lines, split_skipped
from verification.reading.loader import load_script

# an XOR script written for the test: data (lines 4, 5), weights (7, 8), the loop (10), a report (17)
SCRIPT = """
import numpy as np


X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])

w1 = np.random.rand(2, 3)
w2 = np.random.rand(3, 1)

for epoch in range(5000):
    h = 1 / (1 + np.exp(-X @ w1))
    o = 1 / (1 + np.exp(-h @ w2))
    d_o = (Y - o) * o * (1 - o)
    d_h = d_o @ w2.T * h * (1 - h)
    w2 += 0.5 * h.T @ d_o
    w1 += 0.5 * X.T @ d_h
print(o.round(2))
"""


def test_the_loop_and_the_weights_the_check_ran_are_not_listed_as_not_run(tmp_path: Path) -> None:
    path = tmp_path / "xor.py"
    path.write_text(textwrap.dedent(SCRIPT).lstrip("\n"), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    run, not_run = split_skipped(report.script, report.command)
    assert [s.line for s in run] == [7, 8, 10]  # the two draws and the loop, as the step
    assert [s.line for s in not_run] == [4, 5, 17]  # the data are the check's own; the print is not run
    said, _ = skipped_lines(report.script, report.command)
    assert said == [
        "Run by the check's setup and step (as: above): top-level statements at lines 7, 8, 10.",
        "Not run: top-level statements at lines 4, 5, 17.",
    ]


def test_without_a_command_every_skipped_statement_is_not_run(tmp_path: Path) -> None:
    path = tmp_path / "xor.py"
    path.write_text(textwrap.dedent(SCRIPT).lstrip("\n"), encoding="utf-8")
    script = load_script(path)
    run, not_run = split_skipped(script, None)
    assert run == [] and [s.line for s in not_run] == [4, 5, 7, 8, 10, 17]
