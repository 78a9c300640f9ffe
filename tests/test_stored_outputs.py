"""A forward pass that returns nothing and keeps its output in a dict attribute, read by the class's own
code into a name it then subtracts the labels from (``A2 = self.cache["A2"]`` … ``dZ2 = A2 - Y``): that
entry is the output (:func:`verification.reading.dict_output.stored_output`). Before, only a subscript
subtracted directly (``self.cache["A2"] - Y``) was read so, and such a class was refused: its forward
"returned NoneType and stored no array".

The class is written for the test in that course style (columns are samples, the step in ``backward``,
the sample count handed to ``train``); each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.dict_output import stored_output
from verification.reading.loader import load_script

NET = """
import numpy as np


class Classifier:
    def __init__(self, n_in, n_hidden, n_out):
        self.params = {"W1": np.random.randn(n_hidden, n_in), "b1": np.zeros((n_hidden, 1)),
                       "W2": np.random.randn(n_out, n_hidden), "b2": np.zeros((n_out, 1))}
        self.lr = 0.5
        self.m = 0
        self.cache = {}

    def forward(self, X):
        Z1 = self.params["W1"] @ X + self.params["b1"]
        A1 = 1 / (1 + np.exp(-Z1))
        A2 = 1 / (1 + np.exp(-(self.params["W2"] @ A1 + self.params["b2"])))
        self.cache = {"Z1": Z1, "A1": A1, "A2": A2}

    def backward(self, X, Y):
        A1, A2 = self.cache["A1"], self.cache["A2"]
        A2 = self.cache["A2"]
        dZ2 = A2 - Y
        dZ1 = (self.params["W2"].T @ dZ2) * HIDDEN_DERIVATIVE
        grads = {"W2": dZ2 @ A1.T / self.m, "b2": dZ2.sum(axis=1, keepdims=True) / self.m,
                 "W1": dZ1 @ X.T / self.m, "b1": dZ1.sum(axis=1, keepdims=True) / self.m}
        self.params = {k: self.params[k] - self.lr * grads[k] for k in self.params}

    def train(self, X, Y, m, iterations=1000):
        self.m = m
        for _ in range(iterations):
            self.forward(X)
            self.backward(X, Y)
"""


def _write(tmp_path: Path, derivative: str) -> Path:
    path = tmp_path / "classifier.py"
    path.write_text(textwrap.dedent(NET).replace("HIDDEN_DERIVATIVE", derivative), encoding="utf-8")
    return path


def test_the_entry_read_into_a_name_the_labels_are_subtracted_from_is_the_output(tmp_path: Path) -> None:
    script = load_script(_write(tmp_path, "A1 * (1 - A1)"))
    net = script.module.__dict__["Classifier"](4, 5, 3)
    assert stored_output(net) == "self.cache['A2']"


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        # a sigmoid output and a − y: the gradient of bce, the mean over the columns (÷ m)
        ("A1 * (1 - A1)", "bce"),
        # the hidden σ'(z) left out: the gradient of no loss
        ("1", None),
    ],
)
def test_a_forward_that_keeps_its_output_in_a_dict_is_checked(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    report = check_target(CheckRequest.parse(str(_write(tmp_path, derivative))))
    assert report.result.identified == identified, report.command


# a forward that returns (output, hidden activation, hidden pre-activation) under names that say nothing
# of which is the output; the class's own step unpacks them as (prediction, a_h, z_h)
UNPACKED = """
import numpy as np


class Net:
    def __init__(self, n_hidden, lr):
        self.lr = lr
        self.w1 = np.random.randn(2, n_hidden)
        self.w2 = np.random.randn(n_hidden, 1)

    def sig(self, v):
        return 1 / (1 + np.exp(-v))

    def feedforward(self, X):
        layer_1 = X @ self.w1
        activated_1 = self.sig(layer_1)
        activated_2 = self.sig(activated_1 @ self.w2)
        return activated_2, activated_1, layer_1

    def gradients(self, x, prediction, y, a_h, z_h):
        d2 = prediction - y
        d1 = (d2 @ self.w2.T) * HIDDEN_DERIVATIVE
        return a_h.T @ d2, x.T @ d1

    def step(self, X, Y):
        for i in range(len(X)):
            x = X[i : i + 1]
            prediction, a_h, z_h = self.feedforward(x)
            g2, g1 = self.gradients(x, prediction, Y[i], a_h, z_h)
            self.w2 -= self.lr * g2
            self.w1 -= self.lr * g1
"""


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        # a sigmoid output and a − y: bce, one sample at a time
        ("self.sig(z_h) * (1 - self.sig(z_h))", "bce"),
        # σ'(z) taken of the activation: σ(a)(1 − σ(a)) for a(1 − a), the gradient of no loss
        ("self.sig(a_h) * (1 - self.sig(a_h))", None),
    ],
)
def test_the_output_is_the_element_the_class_unpacks_as_its_prediction(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "unpacked.py"
    path.write_text(textwrap.dedent(UNPACKED).replace("HIDDEN_DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert "net.feedforward(x)[0]" in (report.command or ""), report.command
    assert report.result.identified == identified, report.command
