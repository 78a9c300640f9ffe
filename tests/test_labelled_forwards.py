"""A backward of no arguments after a forward that takes optional labels (``forward(self, x,
y_true=None)``, which with labels computes the loss its loss layer keeps): the check runs the forward
again with the labels before the backward (:meth:`verification.adapters.method_context.MethodContext.
labelled`). Before, the backward read the loss layer as construction left it, the same gradient for
every label, and the check was refused as blind to the labels.

The network is written for the test in that style (layer objects composed by hand in a class, a loss
object that keeps its inputs, gradients read from the layers); each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

NET = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_out, n_in) * 0.5
        self.b = np.zeros((n_out, 1))

    def forward(self, x):
        self.x = x
        return self.W @ x + self.b

    def backward(self, dout):
        self.dW = dout @ self.x.T
        self.db = np.sum(dout, axis=1, keepdims=True)
        return self.W.T @ dout


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * SIGMOID_DERIVATIVE


class HalfSquaredError:
    def forward(self, y_pred, y_true):
        self.y_pred, self.y_true = y_pred, y_true
        return 0.5 * np.sum((y_pred - y_true) ** 2)

    def backward(self):
        return self.y_pred - self.y_true


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size):
        self.fc1 = Linear(input_size, hidden_size)
        self.act1 = Sigmoid()
        self.fc2 = Linear(hidden_size, output_size)
        self.act2 = Sigmoid()
        self.loss_fn = HalfSquaredError()

    def forward(self, x, y_true=None):
        out = self.act2.forward(self.fc2.forward(self.act1.forward(self.fc1.forward(x))))
        if y_true is not None:
            return out, self.loss_fn.forward(out, y_true)
        return out

    def backward(self):
        dout = self.loss_fn.backward()
        dout = self.fc2.backward(self.act2.backward(dout))
        self.fc1.backward(self.act1.backward(dout))

    def get_params_and_grads(self):
        params = [self.fc1.W, self.fc1.b, self.fc2.W, self.fc2.b]
        return params, [self.fc1.dW, self.fc1.db, self.fc2.dW, self.fc2.db]
"""


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        # σ'(z) = a(1 − a) at both sigmoids: the backward is the gradient of ½ Σ (a − y)², summed over
        # the columns of a batch
        ("self.out * (1 - self.out)", "mse"),
        # the derivative left out: the output delta a − y passed through as it is, the gradient of no loss
        # of these sigmoid outputs (it is bce's at the output, but the hidden layer drops σ' too)
        ("1", None),
    ],
)
def test_the_forward_is_given_the_labels_before_a_backward_of_no_arguments(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "two_layer.py"
    path.write_text(textwrap.dedent(NET).replace("SIGMOID_DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert "net.forward(x, y_true=y); net.backward()" in (report.command or ""), report.command
    assert report.result.identified == identified, report.command
