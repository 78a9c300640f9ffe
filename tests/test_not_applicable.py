"""Why a loss was not judged: the text report says, under the table, which losses need outputs in which
domain and what the forward returned outside it (before, the table said "not applicable" and nothing
more; the reason was in the JSON alone)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from verification.identification.check import check_target
from verification.identification.report import format_check
from verification.identification.request import CheckRequest

# a tanh hidden layer and a linear output: a − y is the gradient of ½‖a − y‖², and an output of any
# sign leaves bce and cross_entropy (outputs in (0, 1)) and poisson_nll (outputs in (0, ∞)) undefined
LINEAR = """
import numpy as np


class Net:
    def __init__(self, sizes):
        self.W1 = np.random.randn(sizes[0], sizes[1])
        self.W2 = np.random.randn(sizes[1], sizes[2])

    def forward(self, x):
        self.h = np.tanh(x @ self.W1)
        return self.h @ self.W2

    def backward(self, x, y):
        d = self.forward(x) - y
        return {"W2": self.h.T @ d, "W1": x.T @ ((d @ self.W2.T) * (1 - self.h**2))}
"""


def test_the_losses_left_out_are_named_with_their_domain_and_the_value_outside_it(tmp_path: Path) -> None:
    path = tmp_path / "linear.py"
    path.write_text(textwrap.dedent(LINEAR), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse"
    left = sorted(c.loss for c in report.result.candidates if c.verdict == "not applicable")
    assert left == ["bce", "cross_entropy", "poisson_nll"]
    text = " ".join(format_check(report, width=200).split())
    found = re.search(
        r"not applicable: bce, cross_entropy need outputs in \(0, 1\); poisson_nll needs outputs in "
        r"\(0, inf\); the forward returned (?P<value>-?[0-9.e+-]+)",
        text,
    )
    assert found is not None, text
    assert float(found["value"]) <= 0.0  # outside both domains, as the line claims


def test_no_line_when_every_loss_was_judged(tmp_path: Path) -> None:
    path = tmp_path / "sigmoid.py"
    source = textwrap.dedent(LINEAR).replace(
        "return self.h @ self.W2", "return 1 / (1 + np.exp(-self.h @ self.W2))"
    )
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert not [c.loss for c in report.result.candidates if c.verdict == "not applicable"]
    assert "not applicable" not in format_check(report, width=200)


def test_a_loss_left_out_for_its_labels_is_given_its_own_reason() -> None:
    """A cross-entropy refused for labels whose rows do not sum to 1 (one 0/1 output) is named with
    that reason, not folded into a domain of outputs (the line read "needs outputs in labels y …")."""
    from types import SimpleNamespace

    from verification.identification.sentences import not_applicable_line

    labels = "labels y do not fit loss 'cross_entropy' (non-negative labels, each row summing to 1)"
    domain = "loss 'bce' needs output activations in (0, 1), got 1.5 at index (0, 0); pair it with …"
    result = SimpleNamespace(
        candidates=[
            SimpleNamespace(loss="mse", verdict="matches", reason=None),
            SimpleNamespace(loss="bce", verdict="not applicable", reason=domain),
            SimpleNamespace(loss="cross_entropy", verdict="not applicable", reason=labels),
        ]
    )
    line = not_applicable_line(result)  # type: ignore[arg-type]
    assert line == (
        f"  not applicable: bce needs outputs in (0, 1); the forward returned 1.5; cross_entropy: {labels}"
    )
