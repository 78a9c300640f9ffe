"""A container filled with ``net.add(…)`` calls: the network the script builds is the one checked, and
one built nowhere is checked once per output layer the project has.

Derived by hand: a softmax layer whose backward passes its gradient through (``return grad``) beside a
loss object handing ``(p − y) / n`` makes the step the mean cross-entropy's gradient, for a network that
ends in that softmax. The same container ending in a sigmoid back-propagates ``(a − y) / n`` through
``σ'`` there: the mean squared error's. Filled by the check with a layer of its own choosing, the
container was the sigmoid's, and the verdict was mse for a network the script builds ending in softmax.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.several import check_each
from verification.reading.targets import SeveralSetups

LAYERS = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = 0.5 * np.random.randn(n_in, n_out)
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW, self.db = self.x.T @ grad, grad.sum(axis=0)
        return grad @ self.W.T


class Sigmoid:
    def forward(self, x):
        self.s = 1 / (1 + np.exp(-x))
        return self.s

    def backward(self, grad):
        return grad * self.s * (1 - self.s)


class Softmax:
    def forward(self, x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward(self, grad):
        return grad  # the loss hands the gradient at the logits


class CrossEntropy:
    def forward(self, p, y):
        return -np.mean(np.sum(y * np.log(p), axis=1))

    def backward(self, p, y):
        return (p - y) / len(p)


class Network:
    def __init__(self):
        self.layers, self.loss = [], None

    def add(self, layer):
        self.layers.append(layer)

    def use(self, loss):
        self.loss = loss

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train_batch(self, x, y, learning_rate):
        grad = self.loss.backward(self.forward(x), y)
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        for layer in self.layers:
            if isinstance(layer, Dense):
                layer.W -= learning_rate * layer.dW
                layer.b -= learning_rate * layer.db
"""

FILLED = """net = Network()
net.add(Dense(4, 6))
net.add(Sigmoid())
net.add(Dense(6, 3))
net.add(OUTPUT)
net.use(CrossEntropy())
"""
TOP_LEVEL = "\n" + FILLED + "net.train_batch(np.ones((2, 4)), np.eye(3)[:2], 0.1)\n"
BUILDER = "\ndef build_net():\n" + textwrap.indent(FILLED, "    ") + "    return net\n"


@pytest.mark.parametrize("where", [TOP_LEVEL, BUILDER], ids=["top-level", "builder"])
@pytest.mark.parametrize(("output", "identified"), [("Softmax()", "cross_entropy"), ("Sigmoid()", "mse")])
def test_the_network_the_script_fills_is_the_one_checked(
    tmp_path: Path, where: str, output: str, identified: str
) -> None:
    path = tmp_path / "net.py"
    path.write_text(LAYERS + where.replace("OUTPUT", output), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert f"net.add(Dense(6, 3)); net.add({output}); net.use(CrossEntropy())" in (report.command or "")


def test_a_container_built_nowhere_is_checked_once_per_output_layer(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(LAYERS, encoding="utf-8")
    with pytest.raises(SeveralSetups) as raised:
        check_target(CheckRequest.parse(str(path)))
    each = check_each(CheckRequest.parse(str(path)), raised.value)
    assert [(n, r.result.identified) for n, r in each.checked if isinstance(r, CheckReport)] == [
        ("Network ending in Sigmoid()", "mse"),
        ("Network ending in Softmax()", "cross_entropy"),
    ], raised.value.setups
