"""Weights kept as NumPy arrays of objects, and integers the code never changes.

Since NumPy 1.24 refuses ragged arrays without ``dtype=object``, learners keep a list of layers as
``np.array([W1, W2], dtype=object)`` (a 1-D array of arrays) or three neurons' weight vectors as
``np.array([w1, w2, w3], dtype=object)`` (which NumPy makes a 2-D array of numbers). Both are the
network's weights and must be found and checked; a gradient returned the same way must be read. The
verdicts below are derived by hand: a sigmoid network whose output delta is ``(a − y) ⊙ a(1 − a)`` is
the gradient of the squared error ½ Σ (a − y)²; dropping the hidden layer's σ' factor is no loss's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.forward_returns import split_returned
from verification.adapters.integer_weights import set_once
from verification.adapters.matching import leaves
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

RAGGED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, sizes):
        shapes = zip(sizes[:-1], sizes[1:])
        self.weights = np.array([np.random.randn(a, b) for a, b in shapes], dtype=object)

    def forward(self, x):
        self.acts = [x]
        for w in self.weights:
            x = sigmoid(x @ w)
            self.acts.append(x)
        return x

    def backward(self, x, y):
        out = self.forward(x)
        delta = (out - y) * out * (1 - out)
        grads = np.empty(len(self.weights), dtype=object)
        for i in reversed(range(len(self.weights))):
            grads[i] = self.acts[i].T @ delta
            delta = (delta @ self.weights[i].T) HIDDEN_FACTOR
        return grads


if __name__ == "__main__":
    net = Net([3, 4, 2])
"""


@pytest.mark.parametrize(
    ("factor", "identified"), [("* self.acts[i] * (1 - self.acts[i])", "mse"), ("* 1.0", None)]
)
def test_ragged_layers_in_an_array_of_objects_are_the_weights(
    tmp_path: Path, factor: str, identified: str | None
) -> None:
    """Both layers of ``np.array([W1, W2], dtype=object)`` are checked; without σ' in the hidden delta
    the first layer's gradient is no loss's, and the verdict says so."""
    path = tmp_path / "ragged.py"
    path.write_text(RAGGED.replace("HIDDEN_FACTOR", factor), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert {"weights[0]", "weights[1]"} <= set(report.result.coverage), report.result.coverage


NEURONS = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_params():
    w1 = np.random.randn(3)
    w2 = np.random.randn(3)
    w3 = np.random.randn(3)
    return np.array([w1, w2, w3], dtype=object), BIAS


def forward(weights, b, x):
    a1 = np.tanh(weights[0].dot(x) + b)
    a2 = np.tanh(weights[1].dot(x) + b)
    h = np.array([1.0, a1, a2])
    a3 = sigmoid(weights[2].dot(h))
    return a3, {"x": x, "a1": a1, "a2": a2, "h": h, "a3": a3}


def backprop(weights, cache, y):
    d3 = (cache["a3"] - y) * cache["a3"] * (1 - cache["a3"])
    dw3 = d3 * cache["h"]
    dw1 = d3 * weights[2][1] * (1 - cache["a1"] ** 2) * cache["x"]
    dw2 = d3 * weights[2][2] * (1 - cache["a2"] ** 2) * cache["x"]
    return np.array([dw1, dw2, dw3], dtype=object)
"""


def test_an_array_of_equal_rows_of_objects_is_read_as_a_float_array() -> None:
    """``np.array([w1, w2, w3], dtype=object)`` of three rows of three is 2-D: one (3, 3) array of
    gradients; a ragged one is a list of its arrays."""
    rows = np.array([np.ones(3), np.zeros(3), np.full(3, 2.0)], dtype=object)
    assert rows.shape == (3, 3)
    ((_, read),) = leaves(rows)
    assert read.dtype == np.float64 and read[2, 0] == 2.0
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.ones((2, 3)), np.ones(4)
    assert [v.shape for _, v in leaves(ragged)] == [(2, 3), (4,)]


def test_one_output_unit_returned_as_a_number_beside_its_cache_is_the_output() -> None:
    """``return a3, cache`` with ``a3`` a NumPy float (one sigmoid unit, one sample): ``a3`` is the
    output, the dict the cache."""
    assert split_returned((np.float64(0.3), {"a1": 1.0}), ["a3", "cache"]) == (0, 1)


def test_an_integer_set_once_is_told_from_one_the_code_changes() -> None:
    """``b = 1`` and nothing else is set once; ``self.b2 = 0`` with ``self.b2 -= …`` later, or a second
    assignment, or a store into its entries, is changed."""
    assert set_once(ast.parse("def init():\n    b = 1\n    return b"), "b")
    assert not set_once(ast.parse("self.b2 = 0\ndef f(self):\n    self.b2 -= 0.1"), "b2")
    assert not set_once(ast.parse("b = 1\nb = b - 0.1"), "b")
    assert not set_once(ast.parse("b = [0]\nb[0] = 0.5"), "b")
    assert set_once(ast.parse("p = {}\np['b1'] = 0"), "params['b1']")
    assert set_once(ast.parse("def init():\n    return w, 1"), "b")


@pytest.mark.parametrize("bias", ["1.0", "1"])
def test_a_bias_given_no_gradient_is_no_loss_and_an_integer_set_once_is_refused(
    tmp_path: Path, bias: str
) -> None:
    """Weights as a 2-D array of objects and a bias returned by the initialisation. A float bias is a
    weight like any: no gradient is returned for it, so the verdict is no loss. An integer ``b = 1`` the
    file never changes may be a constant of the network (then the code is the squared error's gradient)
    or a weight left untrained (then it is no loss's): the check refuses and names it."""
    path = tmp_path / "neurons.py"
    path.write_text(NEURONS.replace("BIAS", bias), encoding="utf-8")
    if bias == "1":
        with pytest.raises(InputError, match="b: an integer the file sets once and never changes"):
            check_target(CheckRequest.parse(str(path)))
        return
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified is None, report.command
    assert set(report.result.coverage) == {"b", "weights"}, report.result.coverage
