"""A method that sets the stored gradients to zero (``reset_gradients``, ``zero_grad``) is no gradient
method, and a candidate that returns zeros for every weight is no gradient: read back after a reset,
the zeros made a "none" verdict on a model whose loss the check never saw. The model is written for
the test: its training method iterates a list of ``(x, target)`` pairs, handed the probe's samples so;
its layers add up xᵀ·grad over the pairs for ½‖out − target‖², and the step subtracts lr times the
sum: mse, summed over the batch."""

from __future__ import annotations

from pathlib import Path

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

MODEL = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out)
        self.dW = np.zeros_like(self.W)

    def forward(self, x):
        self.x = x
        return x @ self.W

    def backward(self, grad):
        self.dW += self.x.T @ grad
        return grad @ self.W.T


class Tanh:
    def forward(self, x):
        self.a = np.tanh(x)
        return self.a

    def backward(self, grad):
        return grad * (1 - self.a ** 2)


class SquaredError:
    def forward(self, out, target):
        self.diff = out - target
        return 0.5 * np.sum(self.diff ** 2)

    def backward(self):
        return self.diff


class Model:
    def __init__(self, layers, loss):
        self.layers, self.loss = layers, loss

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def reset_gradients(self):
        for layer in self.layers:
            if hasattr(layer, "dW"):
                layer.dW[...] = 0.0

    def train(self, batch, lr):
        self.reset_gradients()
        for x, target in batch:
            self.loss.forward(self.forward(x), target)
            self.backward(self.loss.backward())
        for layer in self.layers:
            if hasattr(layer, "W"):
                layer.W -= lr * layer.dW


net = Model([Linear(3, 4), Tanh(), Linear(4, 2)], SquaredError())
"""


def test_a_reset_of_the_stored_gradients_is_never_the_gradient_checked(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(MODEL, encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.subject == "Model.train", result.subject
    assert result.identified == "mse"
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum"
