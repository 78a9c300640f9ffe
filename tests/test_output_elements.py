"""The output among the values a forward method returns: ``return z1, a1, z2, yhat``.

A network of one sigmoid output unit often returns its output as a number beside arrays of the hidden
layer. Reading the last array (the hidden activation ``a1``) as the output made a correct network "the
gradient of none of the catalog losses", with the output layer's weights left out as not changing it.
The script is written for the test in that style, the verdict derived by hand in the comment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

# sigmoid hidden layer, one sigmoid output as a number; delta2 = −(y − yhat)·yhat(1 − yhat) is the
# gradient of ½(yhat − y)²: mse.
SCALAR_OUTPUT = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class TwoLayerNetwork:
    def __init__(self, n_inputs=2, n_hidden=3):
        rng = np.random.default_rng(0)
        self.W1 = rng.normal(0, 1, size=(n_hidden, n_inputs))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0, 1, size=n_hidden)
        self.b2 = 0.0

    def forward(self, x):
        z1 = self.W1 @ x + self.b1
        a1 = sigmoid(z1)
        z2 = self.W2 @ a1 + self.b2
        yhat = sigmoid(z2)
        return z1, a1, z2, yhat

    def backward(self, x, y, a1, yhat):
        delta2 = -(y - yhat) * yhat * (1 - yhat)
        delta1 = delta2 * self.W2 * a1 * (1 - a1)
        return np.outer(delta1, x), delta1, delta2 * a1, delta2
"""


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "network.py"
    path.write_text(SCALAR_OUTPUT, encoding="utf-8")
    return path


def test_the_element_named_as_the_output_is_read_even_when_it_is_a_number(tmp_path: Path) -> None:
    report = check_target(CheckRequest.parse(str(_script(tmp_path))))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None and report.recipe.forward == "net.forward(x)[-1]"
    assert {"W1", "b1", "W2", "b2"} <= set(report.result.verdict.per_tensor), report.result.verdict.per_tensor


def test_an_element_that_weights_do_not_reach_is_refused_as_the_output(tmp_path: Path) -> None:
    path = _script(tmp_path)
    options = Options(
        setup="net = TwoLayerNetwork(n_hidden=2)",
        forward="net.forward(x)[1]",
        gradient="z1, a1, z2, yhat = net.forward(x); net.backward(x, y, a1, yhat)",
        layout="flat",
    )
    request = CheckRequest.parse(str(path), options=options)
    with pytest.raises(InputError, match=r"W2, b2 change what the forward call returns but not the element"):
        check_target(request)
