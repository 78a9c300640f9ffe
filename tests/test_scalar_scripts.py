"""Scripts whose weights are plain numbers (:mod:`verification.reading.scalar_loops`): the step-by-step
examples of back-propagation, one name per weight, inputs and targets bound to names, a loop that moves
each weight by the rate times its gradient. The scripts are the team's, written in the styles of that
lineage; each verdict is derived by hand in its comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.scalar_loops import scalar_loop

# A 2-2-2 sigmoid network, as in Mazur's worked example: E = ½ Σ (t − o)², so ∂E/∂w5 = (o1 − t1) o1 (1 − o1)
# h1, and ∂E/∂w1 = Σ_k (o_k − t_k) o_k (1 − o_k) w_(k) h1 (1 − h1) i1. The biases are not trained.
TWO_OUTPUTS = """
import math

def sigmoid(v):
    return 1 / (1 + math.exp(-v))

w1, w2, w3, w4 = 0.15, 0.20, 0.25, 0.30
w5, w6, w7, w8 = 0.40, 0.45, 0.50, 0.55
b1, b2 = 0.35, 0.60
i1, i2 = 0.05, 0.10
t1, t2 = 0.01, 0.99
eta = 0.5

for epoch in range(1000):
    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
    o1 = sigmoid(w5 * h1 + w6 * h2 + b2)
    o2 = sigmoid(w7 * h1 + w8 * h2 + b2)
    d1 = (o1 - t1) * o1 * (1 - o1)
    d2 = (o2 - t2) * o2 * (1 - o2)
    e1 = (d1 * w5 + d2 * w7) * HIDDEN1
    e2 = (d1 * w6 + d2 * w8) * h2 * (1 - h2)
    w5 -= eta * d1 * h1
    w6 -= eta * d1 * h2
    w7 -= eta * d2 * h1
    w8 -= eta * d2 * h2
    w1 -= eta * e1 * i1
    w2 -= eta * e1 * i2
    w3 -= eta * e2 * i1
    w4 -= eta * e2 * i2
    print(epoch, 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2)
"""

# One tanh output, trained until close enough; error = target − output, so the updates add. With the
# output's derivative taken at its pre-activation, ∂E/∂w_k = −error (1 − tanh²(z)) a_k: squared error.
UNTIL_CLOSE = """
import math
import random

w1, w2, w3 = random.uniform(-0.5, 0.5), random.uniform(-0.5, 0.5), random.uniform(-0.5, 0.5)
bias = 0.1
x1 = 0.4
x2 = -0.7
target = 0.3
rate = 0.2
steps = 0
while True:
    steps += 1
    hidden = math.tanh(w1 * x1 + w2 * x2)
    z = w3 * hidden + bias
    out = math.tanh(z)
    error = target - out
    if abs(error) < 1e-3:
        break
    grad_out = error * DERIVATIVE
    w1 = w1 + rate * grad_out * w3 * (1 - hidden ** 2) * x1
    w2 = w2 + rate * grad_out * w3 * (1 - hidden ** 2) * x2
    bias = bias + rate * grad_out
    w3 = w3 + rate * grad_out * hidden
"""


@pytest.mark.parametrize(
    ("hidden", "identified"),
    [("h1 * (1 - h1)", "mse"), ("h1", None)],  # the first hidden unit's σ'(z) left out: no loss's
)
def test_a_network_with_a_name_per_weight_is_checked_through_its_loop(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "step_by_step.py"
    path.write_text(TWO_OUTPUTS.replace("HIDDEN1", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "i1, i2 = x; t1, t2 = y" in (report.command or "")
    assert "array([o1, o2])" in (report.command or ""), report.command


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        ("(1 - math.tanh(z) ** 2)", "mse"),
        ("(1 - out)", None),  # not tanh's derivative at all
    ],
)
def test_a_loop_that_runs_until_close_enough_is_checked_for_one_pass(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """The exit (``if abs(error) < 1e-3: break``) and the step counter are left out of the step; the
    weights are those moved by the rate (``w3 = w3 + rate * …``), not ``steps += 1``."""
    source = UNTIL_CLOSE.replace("DERIVATIVE", derivative)
    path = tmp_path / "until_close.py"
    path.write_text(source, encoding="utf-8")
    loop = scalar_loop(ast.parse(source))
    assert loop is not None
    assert (loop.weights, loop.inputs, loop.labels, loop.outputs, loop.rate) == (
        ["w1", "w2", "bias", "w3"],
        ["x1", "x2"],
        ["target"],
        ["out"],
        "rate",
    )
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


def test_a_loop_without_a_label_compared_or_with_one_weight_is_no_scalar_loop() -> None:
    head = "w1, w2 = 0.1, 0.2\nx1 = 1.0\ntarget = 0.5\nlr = 0.1\nfor _ in range(3):\n"
    no_label = head + "    w1 -= lr * x1\n    w2 -= lr * w1\n"
    assert scalar_loop(ast.parse(no_label)) is None
    one_weight = head + "    out = w1 * x1\n    w1 -= lr * (out - target) * x1\n"
    assert scalar_loop(ast.parse(one_weight)) is None  # one weight: no network to speak of
    loop = scalar_loop(ast.parse(one_weight + "    w2 -= lr * (out - target)\n"))
    assert loop is not None and loop.weights == ["w1", "w2"]


def test_a_block_that_only_reports_is_left_out_of_the_step(tmp_path: Path) -> None:
    """``if epoch % 100 == 0: print(…)`` only reports: with the loop's counter pinned to 0 for one step it
    would print at every probe, so it is left out of the step as a bare print is."""
    source = TWO_OUTPUTS.replace("HIDDEN1", "h1 * (1 - h1)").replace(
        "    print(epoch,", "    if epoch % 100 == 0:\n        print(epoch,"
    )
    assert "if epoch % 100 == 0:" in source
    loop = scalar_loop(ast.parse(source))
    assert loop is not None and not any("print" in line for line in loop.step), loop.step
    path = tmp_path / "reporting.py"
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse" and "print" not in (report.command or ""), report.command
