"""``d``: the desired output (Haykin's notation) or an error handed in; the method says which.

In Haykin's *Neural Networks and Learning Machines* (3rd ed., §4.4) the error of output ``j`` is
``e_j = d_j − y_j``, ``d`` the desired response; many courses write ``train(self, x, d)`` so. Elsewhere
``d`` is the error a backward pass is handed. A method that runs the forward pass itself and then
subtracts ``d`` computes the error from it: ``d`` is the labels. Read as an error, a correct step was
called no loss's gradient. The verdict below is derived by hand: a sigmoid network whose output delta is
``(d − y) ⊙ y(1 − y)``, added to the weights, is the gradient of ½ Σ (y − d)².
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.desired_outputs import desired_outputs

HAYKIN = """
import numpy as np


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


class Perceptron:
    def __init__(self, n_in=3, n_hidden=4, n_out=2, eta=0.1):
        self.eta = eta
        self.w1 = np.random.randn(n_in, n_hidden)
        self.w2 = np.random.randn(n_hidden, n_out)

    def forward(self, x):
        self.h = sigmoid(x @ self.w1)
        return sigmoid(self.h @ self.w2)

    def train(self, x, d):
        y = self.forward(x)
        e = (d - y) * OUTPUT_FACTOR
        back = (e @ self.w2.T) * self.h * (1 - self.h)
        self.w2 += self.eta * self.h.T @ e
        self.w1 += self.eta * x.T @ back
"""


@pytest.mark.parametrize(("factor", "identified"), [("y * (1 - y)", "mse"), ("y", None)])
def test_the_desired_output_d_is_the_labels(tmp_path: Path, factor: str, identified: str | None) -> None:
    """``train(x, d)`` with ``e = (d − y) σ'``: the squared error's gradient, at the class's rate; with
    ``y`` in place of ``σ'`` no loss's."""
    path = tmp_path / "haykin.py"
    path.write_text(HAYKIN.replace("OUTPUT_FACTOR", factor), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.train(x, y)" in (report.command or ""), report.command


def test_an_error_handed_to_a_backward_pass_stays_an_error() -> None:
    """``backward(self, d)`` that runs no forward pass, and ``train(self, x, d)`` that subtracts
    nothing, are handed an error; only the method that computes one from ``d`` takes labels there."""

    class Net:
        def forward(self, x):  # pragma: no cover - read, not run
            return x

        def backward(self, d):  # pragma: no cover
            self.g = d - 0

        def step(self, x, d):  # pragma: no cover
            self.g = self.forward(x) * d

        def train(self, x, d):  # pragma: no cover
            y = self.forward(x)
            self.g = d - y

    assert desired_outputs(Net.backward) == {}
    assert desired_outputs(Net.step) == {}
    assert desired_outputs(Net.train) == {"d": "y"}
