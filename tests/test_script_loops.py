"""Top-level training loops of small teaching scripts: a single neuron of plain floats, and a loop that
stops when the error is small.

* **Floats.** ``w = 0.5; b = 1.0`` and ``y_pred = w * x + b``: one input, one output, one sample, all
  numbers; the inputs and labels are given as floats (layout ``scalar``), since an array would turn
  the weights into arrays at the first step.
* **Stopping tests.** ``if np.square(e) / 2 < 0.01: break`` ``else:`` ``<update>``: one step is checked,
  which does not stop, so the update in the ``else`` is the step.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.sentences import format_scale

SCALAR_NEURON = """
x = 2.0
y_true = 5.0
w = 0.5
b = 1.0
lr = 0.01
for step in range(100):
    y_pred = w * x + b
    loss = (y_pred - y_true) ** 2
    grad = 2 * (y_pred - y_true)
    w = w - lr * grad * x
    b = b - lr * BIAS
"""


@pytest.mark.parametrize(("bias", "identified"), [("grad", "mse"), ("grad * x", None)])
def test_a_neuron_of_plain_floats_is_checked_with_numbers(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``(y_pred − y)²`` without the ½ is 2 × mse; a bias stepped by the weight's gradient is no
    loss."""
    path = tmp_path / "neuron.py"
    path.write_text(textwrap.dedent(SCALAR_NEURON).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert "--layout scalar" in (report.command or ""), report.command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "2", r.scale


STOPPING = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


inputs = np.array([[0.35], [0.9]])
w1 = np.array([[0.1, 0.8], [0.4, 0.6]])
w2 = np.array([[0.3, 0.9]])
real = np.array([[0.5]])
for s in range(100):
    hidden = sigmoid(np.dot(w1, inputs))
    output = sigmoid(np.dot(w2, hidden))
    e = output - real
    if np.square(e) / 2 < 0.01:
        break
    else:
        delta = e * output * (1 - output)
        W1_STEP
        w2 = w2 - np.dot(delta, hidden.T)
"""


@pytest.mark.parametrize(
    ("w1_step", "identified"),
    [
        ("w1 = w1 - np.dot(np.dot(w2.T, delta) * hidden * (1 - hidden), inputs.T)", "mse"),
        ("w1 = w1 - np.dot(np.dot(w2.T, delta), inputs.T)", None),
    ],
)
def test_the_update_in_the_else_of_a_stopping_test_is_the_step(
    tmp_path: Path, w1_step: str, identified: str | None
) -> None:
    """The loop breaks when the error is small and else updates (columns, one sample, rate 1): the
    update is the step; a hidden layer stepped without its sigmoid's derivative is no loss."""
    path = tmp_path / "stopping.py"
    path.write_text(textwrap.dedent(STOPPING).replace("W1_STEP", w1_step), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
