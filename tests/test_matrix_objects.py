"""A network of pure-Python matrix objects (weights as ``Matrix`` objects holding lists of lists, a
forward pass that returns ``[[a_1], [a_2]]``, one column of lists), in the style of the many ports of a
toy neural-network library: its output is read as the floats it holds, and a matrix method named
``hadamard`` is no call of the Adam optimiser. The network is written here; its verdicts are derived by
hand in the comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.adapters.step_checks import ADAPTIVE
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

NETWORK = """
import math
import random


class Matrix:
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.data = [[0.0] * cols for _ in range(rows)]

    def randomize(self):
        self.data = [[random.uniform(-1, 1) for _ in range(self.cols)] for _ in range(self.rows)]

    @staticmethod
    def from_array(values):
        m = Matrix(len(values), 1)
        m.data = [[float(v)] for v in values]
        return m

    def to_array(self):
        return [row[:] for row in self.data]

    @staticmethod
    def multiply(a, b):
        if a.cols != b.rows:
            return "columns of A must match rows of B"
        out = Matrix(a.rows, b.cols)
        out.data = [[sum(a.data[i][k] * b.data[k][j] for k in range(a.cols)) for j in range(b.cols)]
                    for i in range(a.rows)]
        return out

    @staticmethod
    def transpose(a):
        out = Matrix(a.cols, a.rows)
        out.data = [[a.data[i][j] for i in range(a.rows)] for j in range(a.cols)]
        return out

    def add(self, other):
        self.data = [[v + w for v, w in zip(r, s)] for r, s in zip(self.data, other.data)]

    def hadamard(self, other):
        self.data = [[v * w for v, w in zip(r, s)] for r, s in zip(self.data, other.data)]

    def scale(self, k):
        self.data = [[v * k for v in r] for r in self.data]

    def map(self, f):
        self.data = [[f(v) for v in r] for r in self.data]

    @staticmethod
    def subtract(a, b):
        out = Matrix(a.rows, a.cols)
        out.data = [[v - w for v, w in zip(r, s)] for r, s in zip(a.data, b.data)]
        return out


def sigmoid(v):
    return 1 / (1 + math.exp(-v))


class NeuralNetwork:
    def __init__(self, n_in, n_hidden, n_out):
        self.weights_ih, self.weights_ho = Matrix(n_hidden, n_in), Matrix(n_out, n_hidden)
        self.bias_h, self.bias_o = Matrix(n_hidden, 1), Matrix(n_out, 1)
        for m in (self.weights_ih, self.weights_ho, self.bias_h, self.bias_o):
            m.randomize()
        self.learning_rate = 0.1

    def layers(self, values):
        inputs = Matrix.from_array(values)
        hidden = Matrix.multiply(self.weights_ih, inputs)
        hidden.add(self.bias_h)
        hidden.map(sigmoid)
        output = Matrix.multiply(self.weights_ho, hidden)
        output.add(self.bias_o)
        output.map(sigmoid)
        return inputs, hidden, output

    def feedforward(self, values):
        return self.layers(values)[2].to_array()

    def train(self, values, targets):
        inputs, hidden, output = self.layers(values)
        output_errors = Matrix.subtract(Matrix.from_array(targets), output)
        gradient = Matrix.subtract(output, output)
        gradient.add(output)
        gradient.map(lambda a: a * (1 - a))
        gradient.hadamard(output_errors)
        hidden_errors = Matrix.multiply(Matrix.transpose(self.weights_ho), HIDDEN_ERROR)
        gradient.scale(self.learning_rate)
        self.weights_ho.add(Matrix.multiply(gradient, Matrix.transpose(hidden)))
        self.bias_o.add(gradient)
        hidden_gradient = Matrix.subtract(hidden, hidden)
        hidden_gradient.add(hidden)
        hidden_gradient.map(lambda h: h * (1 - h))
        hidden_gradient.hadamard(hidden_errors)
        hidden_gradient.scale(self.learning_rate)
        self.weights_ih.add(Matrix.multiply(hidden_gradient, Matrix.transpose(inputs)))
        self.bias_h.add(hidden_gradient)
"""


# gradient = (t − o) ⊙ o(1 − o) is minus the output delta of ½‖o − t‖², added times lr: descent on mse
# when the hidden errors back-propagate it (Wᵀ gradient); back-propagating the raw error t − o instead
# leaves out σ'(o), and the hidden layer descends bce while the output layer descends mse: a split
@pytest.mark.parametrize(("hidden_error", "identified"), [("gradient", "mse"), ("output_errors", None)])
def test_a_network_of_matrix_objects_is_read_through_their_lists(
    tmp_path: Path, hidden_error: str, identified: str | None
) -> None:
    path = tmp_path / "net.py"
    path.write_text(NETWORK.replace("HIDDEN_ERROR", hidden_error), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == identified
    if identified is None:
        assert result.verdict.split is not None, "output layer mse, hidden layer bce"


@pytest.mark.parametrize(
    ("name", "adaptive"),
    [
        ("hadamard", False),
        ("adamant", False),
        ("adam_step", True),
        ("AdamOptimizer", True),
        ("RMSpropOptimizer", True),
        ("updateAdam", True),
        ("rms_prop", True),
        ("Adagrad", True),
    ],
)
def test_an_optimiser_is_named_by_a_word_of_the_name(name: str, adaptive: bool) -> None:
    assert bool(ADAPTIVE.search(name)) is adaptive
