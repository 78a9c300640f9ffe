"""A network class that takes its activations as functions, ``Net(input_size, output_size,
activation_function, activation_function_d, output_function)``, with the functions in a module of
activations beside it that the class's file does not import. Before, no construction was guessed (the
derivative's ``_d`` was not read as a derivative, and nothing gave the output function).

The files are written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

NETWORK = """
import numpy as np


class Net:
    def __init__(self, input_size, output_size, activation_function, activation_function_d, output_function):
        self.f, self.df, self.out = activation_function, activation_function_d, output_function
        self.W1 = np.random.randn(output_size, input_size)
        self.b1 = np.zeros((output_size, 1))
        self.W2 = np.random.randn(output_size, output_size)
        self.b2 = np.zeros((output_size, 1))

    def forward(self, X):
        self.Z1 = self.W1 @ X + self.b1
        self.A1 = self.f(self.Z1)
        self.A2 = self.out(self.W2 @ self.A1 + self.b2)
        return self.A2

    def backward(self, X, Y):
        m = X.shape[1]
        dZ2 = OUTPUT_DELTA
        dZ1 = self.W2.T @ dZ2 * self.df(self.Z1)
        return {
            "W1": dZ1 @ X.T / m,
            "b1": dZ1.sum(axis=1, keepdims=True) / m,
            "W2": dZ2 @ self.A1.T / m,
            "b2": dZ2.sum(axis=1, keepdims=True) / m,
        }
"""

ACTIVATIONS = """
import numpy as np


def tanh(Z):
    return np.tanh(Z)


def tanh_derivative(Z):
    return 1 - np.tanh(Z) ** 2


def softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
"""

SIGMOID = """

def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))
"""


def check(tmp_path: Path, delta: str, activations: str) -> str | None:
    (tmp_path / "activations.py").write_text(textwrap.dedent(activations), encoding="utf-8")
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(NETWORK).replace("OUTPUT_DELTA", delta), encoding="utf-8")
    return check_target(CheckRequest.parse(str(path), seed=0)).result.identified


@pytest.mark.parametrize(
    ("delta", "identified"),
    [
        # softmax output, δ = a − y: the gradient of cross-entropy (mean over the samples, columns)
        ("self.A2 - Y", "cross_entropy"),
        # δ = (a − y) ⊙ a(1 − a) on a softmax output: the gradient of no catalog loss
        ("(self.A2 - Y) * self.A2 * (1 - self.A2)", None),
    ],
)
def test_the_one_output_activation_beside_the_class_is_its_output_function(
    tmp_path: Path, delta: str, identified: str | None
) -> None:
    assert check(tmp_path, delta, ACTIVATIONS) == identified


def test_an_output_function_the_project_offers_two_of_is_not_chosen(tmp_path: Path) -> None:
    from ffnn.validation import InputError

    # softmax and sigmoid both beside: a − y is cross-entropy's gradient after one, BCE's after the other
    with pytest.raises(InputError, match="Net") as refused:
        check(tmp_path, "self.A2 - Y", ACTIVATIONS + SIGMOID)
    assert "output_function=softmax" not in str(refused.value) + str(refused.value.hint)
    assert "output_function=sigmoid" not in str(refused.value) + str(refused.value.hint)
