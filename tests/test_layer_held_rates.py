"""A network that only hands its learning rate to the layers it builds, each of which steps its own
weights in its backward pass (:mod:`verification.adapters.held_rates`); its backward pass takes the
labels (``backward(self, expected)``), so it is a network, not a layer; its sizes are named in camel
case (``inputNum``). The file's activation and its derivative beside it are helpers of that network,
not the units to check."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from verification.adapters.held_rates import held_rate
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.units.check import wants_units
from verification.units.construction import constructor_arguments

LAYERED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(a):
    return a * (1 - a)


class Stage:
    def __init__(self, fanIn, fanOut, learning_rate):
        self.w = np.random.randn(fanIn, fanOut)
        self.b = np.random.randn(fanOut)
        self.learning_rate = learning_rate

    def forward(self, x):
        self.x = x
        self.a = sigmoid(x @ self.w + self.b)
        return self.a

    def backward(self, error):
        delta = error * sigmoid_derivative(self.a)
        WEIGHTS_BACK
        self.w += self.learning_rate * np.outer(self.x, delta)
        self.b += self.learning_rate * delta
        return np.dot(delta, back.T)


class Net:
    def __init__(self, inputNum, hiddenNum, outputNum, learning_rate):
        self.stages = [Stage(inputNum, hiddenNum, learning_rate), Stage(hiddenNum, outputNum, learning_rate)]

    def forward(self, x):
        for stage in self.stages:
            x = stage.forward(x)
        return x

    def backward(self, expected):
        error = expected - self.stages[-1].a
        for stage in reversed(self.stages):
            error = stage.backward(error)
"""


@pytest.mark.parametrize(
    ("weights_back", "identified"),
    [("back = self.w.copy()", "mse"), ("back = self.w", None)],
)
def test_a_network_stepped_by_its_layers_at_the_rate_they_hold(
    tmp_path: Path, weights_back: str, identified: str | None
) -> None:
    """Each layer steps at the rate the network handed it: with the weights copied before the step, the
    error handed down is mse's (sigmoid outputs, ``expected − a``), at scale 1 since the rate is read
    off the layers; handing down through the updated weights (a view) is no loss's gradient."""
    path = tmp_path / "layered.py"
    path.write_text(LAYERED.replace("WEIGHTS_BACK", weights_back), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert r.lr_known, report.command
    assert "stages[0].learning_rate" in report.command, report.command
    assert r.scale == pytest.approx(1.0, rel=r.rtol) or identified is None, (r.scale, report.command)


class _Layer:
    def __init__(self, rate: float) -> None:
        self.rate = rate

    def step(self) -> float:
        return self.rate


def test_a_rate_is_held_by_the_network_or_shared_by_every_layer_it_keeps() -> None:
    shared = SimpleNamespace(layers=[_Layer(0.1), _Layer(0.1)])
    assert held_rate(shared, "net") == "net.layers[0].rate"
    assert held_rate(SimpleNamespace(layers=[_Layer(0.1), _Layer(0.2)]), "net") is None  # no one rate
    assert held_rate(SimpleNamespace(layers=[]), "net") is None


class _CamelLayer:
    def __init__(self, inputNum: int, outputNum: int) -> None:
        self.w = [[0.0] * outputNum for _ in range(inputNum)]


def test_sizes_named_in_camel_case_are_guessed_as_widths() -> None:
    """``inputNum`` is the inputs' width (four), ``outputNum`` the outputs' (three), as ``n_in``,
    ``n_out`` are."""
    assert constructor_arguments(_CamelLayer) == {"inputNum": 4, "outputNum": 3}


FLAGGED = """
import numpy as np


def relu(z):
    return np.maximum(0, z)


def relu_derivative(a):
    return np.where(a > 0, 1.0, 0.0)


class Unit:
    def __init__(self, inputNum, outputNum, learning_rate):
        self.weight = np.random.randn(inputNum + 1, outputNum)
        self.learning_rate = learning_rate
        self.last = False

    def forward(self, inputs):
        self.inputs = np.insert(inputs, 0, 1.0)
        self.out = relu(self.inputs @ self.weight)
        return self.out

    def backward(self, expected):
        error = expected - self.out if self.last else expected
        delta = error * relu_derivative(self.out)
        back = BACK
        self.weight += self.learning_rate * np.outer(self.inputs, delta)
        return back @ delta


class Perceptrons:
    def __init__(self, inputNum, hiddenNum, outputNum, learning_rate):
        self.units = [Unit(inputNum, hiddenNum, learning_rate), Unit(hiddenNum, outputNum, learning_rate)]
        self.units[-1].last = True

    def forward(self, inputs):
        for unit in self.units:
            inputs = unit.forward(inputs)
        return inputs

    def backward(self, expected):
        for unit in reversed(self.units):
            expected = unit.backward(expected)
        return expected
"""


@pytest.mark.parametrize(
    ("back", "identified"), [("self.weight[1:].copy()", "mse"), ("self.weight[1:]", None)]
)
def test_a_network_whose_backward_takes_the_labels_is_no_layer(
    tmp_path: Path, back: str, identified: str | None
) -> None:
    """``Perceptrons.backward(self, expected)`` hands the labels down to its last unit, which makes the
    error ``expected − out`` itself: read as a layer, its backward would be held to taking ``∂L/∂a``.
    Checked as a network, one sample a call, the rate the units hold: ReLU units with ``expected − out``
    through ReLU' and the weights copied before the step are mse's gradient; through the stepped
    weights (a view), no loss's."""
    path = tmp_path / "flagged.py"
    path.write_text(FLAGGED.replace("BACK", back), encoding="utf-8")
    assert wants_units(load_script(str(path)), None) is None  # the network, not its helpers and units
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "--step 'out = net.forward(x); net.backward(y)'" in report.command, report.command
