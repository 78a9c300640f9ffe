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
# h1, and ∂E/∂w1 = Σ_k (o_k − t_k) o_k (1 − o_k) w_(k) h1 (1 − h1) i1; the shared biases' ∂E/∂b2 = d1 + d2
# and ∂E/∂b1 = e1 + e2. Mazur holds the biases fixed (BIASES left empty): the output depends on them and
# they get no gradient, which no loss's gradient is.
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
    BIASES
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


TRAINED_BIASES = "b2 -= eta * (d1 + d2)\n    b1 -= eta * (e1 + e2)"


@pytest.mark.parametrize(
    ("hidden", "biases", "identified"),
    [
        ("h1 * (1 - h1)", TRAINED_BIASES, "mse"),
        ("h1", TRAINED_BIASES, None),  # the first hidden unit's σ'(z) left out: no loss's
        ("h1 * (1 - h1)", "", None),  # the biases held fixed: b1, b2 get no gradient
    ],
)
def test_a_network_with_a_name_per_weight_is_checked_through_its_loop(
    tmp_path: Path, hidden: str, biases: str, identified: str | None
) -> None:
    path = tmp_path / "step_by_step.py"
    path.write_text(TWO_OUTPUTS.replace("HIDDEN1", hidden).replace("BIASES", biases), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert sorted(report.result.coverage) == ["b1", "b2", *(f"w{k}" for k in range(1, 9))]
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
    source = (
        TWO_OUTPUTS.replace("HIDDEN1", "h1 * (1 - h1)")
        .replace("BIASES", TRAINED_BIASES)
        .replace("    print(epoch,", "    if epoch % 100 == 0:\n        print(epoch,")
    )
    assert "if epoch % 100 == 0:" in source
    loop = scalar_loop(ast.parse(source))
    assert loop is not None and not any("print" in line for line in loop.step), loop.step
    path = tmp_path / "reporting.py"
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse" and "print" not in (report.command or ""), report.command


# A 2-1-1 sigmoid network, its next weights named apart and assigned back after the pass, its loop
# counter named x: E = ½ (t − o)², so ∂E/∂w3 = (o − t) o (1 − o) h, ∂E/∂w1 = (o − t) o (1 − o) w3 h (1 − h)
# i1, and the bias's ∂E/∂b = (o − t) o (1 − o).
RENAMED = """
import math

eta = 0.3
i1 = 0.2
i2 = -0.4
t = 0.7
w1 = 0.1
w2 = -0.3
w3 = 0.6
b = 0.05

for x in range(500):
    h = 1 / (1 + math.exp(-(w1 * i1 + w2 * i2)))
    o = 1 / (1 + math.exp(-(w3 * h + b)))
    d = (o - t) * o * (1 - o)
    w3_new = w3 - eta * d * h
    w1_new = w1 - eta * d * W3 * h * (1 - h) * i1
    w2_new = w2 - eta * d * W3 * h * (1 - h) * i2
    b_new = b - eta * d
    w1 = w1_new
    w2 = w2_new
    w3 = w3_new
    b = b_new
"""


@pytest.mark.parametrize(("w3", "identified"), [("w3", "mse"), ("w3_new", None)])
def test_next_weights_named_apart_and_assigned_back_are_the_loops_updates(
    tmp_path: Path, w3: str, identified: str | None
) -> None:
    """``w3_new = w3 − eta · …`` then ``w3 = w3_new``: each weight is moved by the rate times its
    gradient, and the counter ``x`` is no input of the network (left unbound, it does not overwrite the
    probe's inputs). The hidden weights through the output weight before its step are mse's gradient;
    through the stepped one (``w3_new``), no loss's."""
    path = tmp_path / "renamed.py"
    path.write_text(RENAMED.replace("W3", w3), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert sorted(report.result.coverage) == ["b", "w1", "w2", "w3"], report.result.coverage
