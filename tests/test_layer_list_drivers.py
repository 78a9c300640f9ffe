"""A driver script that defines nothing: it imports the project's layer classes, its loss and the
training function of the project's ``network.py``, writes its own list of layers and trains it
(``train(network, mse, mse_prime, X, Y, epochs=…, learning_rate=…)``), as a much-copied tutorial's
``xor.py`` does. The training function imported from the project is the one run, once, on the file's
own list (:mod:`verification.adapters.layer_lists`); before, the driver was refused as defining nothing.

The project is written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

PROJECT = {
    "dense.py": """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.weights = np.random.randn(n_out, n_in)
        self.bias = np.random.randn(n_out, 1)

    def forward(self, x):
        self.x = x
        return self.weights @ x + self.bias

    def backward(self, grad, learning_rate):
        input_grad = self.weights.T @ grad
        self.weights -= learning_rate * grad @ self.x.T
        self.bias -= learning_rate * grad
        return input_grad
""",
    "activations.py": """
import numpy as np


class Tanh:
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, grad, learning_rate):
        return grad * SLOPE
""",
    "losses.py": """
import numpy as np


def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / np.size(y_true)
""",
    "network.py": """
def predict(network, x):
    out = x
    for layer in network:
        out = layer.forward(out)
    return out


def train(network, loss, loss_prime, x_train, y_train, epochs=1000, learning_rate=0.01):
    for epoch in range(epochs):
        for x, y in zip(x_train, y_train):
            out = predict(network, x)
            grad = loss_prime(y, out)
            for layer in reversed(network):
                grad = layer.backward(grad, learning_rate)
""",
    "xor.py": """
import numpy as np
from dense import Dense
from activations import Tanh
from losses import mse, mse_prime
from network import train

X = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1))
Y = np.reshape([[0], [1], [1], [0]], (4, 1, 1))
network = [Dense(2, 3), Tanh(), Dense(3, 1), Tanh()]
train(network, mse, mse_prime, X, Y, epochs=10000, learning_rate=0.1)
""",
}


@pytest.mark.parametrize(
    ("slope", "identified"),
    [
        # tanh' = 1 − tanh²: each sample's step is 2/n × the gradient of ½ Σ (a − y)²
        ("(1 - np.tanh(self.x) ** 2)", "mse"),
        # 1 − x² of the tanh's input: the gradient of no loss
        ("(1 - self.x ** 2)", None),
    ],
)
def test_a_driver_of_an_imported_training_function_is_checked_on_its_own_list(
    tmp_path: Path, slope: str, identified: str | None
) -> None:
    for name, source in PROJECT.items():
        (tmp_path / name).write_text(source.replace("SLOPE", slope), encoding="utf-8")
    before = list(sys.path)
    try:
        report = check_target(CheckRequest.parse(str(tmp_path / "xor.py")))
    finally:
        sys.path[:] = before
        for module in ("dense", "activations", "losses", "network"):
            sys.modules.pop(module, None)
    assert report.result.identified == identified, report.command
    assert "--setup 'network = [Dense(2, 3), Tanh(), Dense(3, 1), Tanh()]'" in (report.command or "")
