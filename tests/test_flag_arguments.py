"""A constructor argument that picks a branch and that only its comparisons explain: compared in the
constructor (``if init_flag == '1':``) or kept in an attribute that another method compares
(``self.kind = kind`` … ``if self.kind == 'sig':``). The first constant compared is taken. The network
is written for the tests in that style; its verdict is derived by hand in the comment."""

from __future__ import annotations

from pathlib import Path

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.flags import compared_constant

# rows; the activation picked by name in set_function; output error (a − t) ⊙ f'(a) with f' written of
# the activation (s (1 − s) for 'sig'): the gradient of mse; an update with + lr · (t − a) terms
NETWORK = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_prime(s):
    return s * (1 - s)


def tanh_prime(t):
    return 1 - t ** 2


class MLP:
    def __init__(self, n_inputs, n_hidden_units, n_outputs, type_of_act_f):
        self.kind = type_of_act_f
        self.Wl = np.random.uniform(-0.5, 0.5, (n_inputs, n_hidden_units))
        self.Wu = np.random.uniform(-0.5, 0.5, (n_hidden_units, n_outputs))
        self.set_function()

    def set_function(self):
        if self.kind == 'sig':
            self.f, self.f_prime = sigmoid, sigmoid_prime
        elif self.kind == 'tanh':
            self.f, self.f_prime = np.tanh, tanh_prime

    def feedforward(self, x):
        self.x = x
        self.H = self.f(x @ self.Wl)
        self.O = self.f(self.H @ self.Wu)
        return self.O

    def backpropagation(self, target, learning_rate):
        gradient = (target - self.O) * self.f_prime(self.O)
        hidden = (gradient @ self.Wu.T) * self.f_prime(self.H)
        self.Wu += learning_rate * self.H.T @ gradient
        self.Wl += learning_rate * self.x.T @ hidden
"""


def test_a_flag_kept_in_an_attribute_is_given_the_first_value_compared(tmp_path: Path) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(NETWORK, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.recipe is not None and "type_of_act_f='sig'" in report.recipe.setup
    assert report.result.identified == "mse"


def test_a_comparison_in_another_function_is_not_read_as_the_arguments() -> None:
    def make(kind):  # compared nowhere: no value
        return kind

    assert compared_constant(make, "kind") is None
