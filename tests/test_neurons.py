"""Networks built neuron by neuron (:mod:`verification.adapters.neurons`): a container given its
layers, each layer given its neurons, each neuron given its weights, its bias and its activation
function, the classes in modules of their own and the activation in the project's folder above."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

NEURON = """
import numpy as np


class Unit:
    def __init__(self, weights, bias, fun):
        self.weights = weights
        self.bias = bias
        self.fun = fun
        self.delta = 0.0

    def fire(self, inputs):
        self.out = self.fun(np.dot(inputs, self.weights) + self.bias)
        return self.out

    def set_delta(self, error):
        self.delta = error * DERIVATIVE

    def update(self, inputs, rate):
        for i in range(len(self.weights)):
            self.weights[i] += rate * self.delta * inputs[i]
        self.bias += rate * self.delta
"""

LAYER = """
class UnitLayer:
    def __init__(self, units):
        self.units = units

    def fire(self, inputs):
        self.outs = [u.fire(inputs) for u in self.units]
        return self.outs

    def back_last(self, targets):
        for u, t in zip(self.units, targets):
            u.set_delta(t - u.out)

    def back_inner(self, following):
        for i, u in enumerate(self.units):
            u.set_delta(sum(v.weights[i] * v.delta for v in following.units))

    def update(self, inputs, rate):
        for u in self.units:
            u.update(inputs, rate)
"""

NETWORK = """
class UnitNetwork:
    def __init__(self, layers):
        self.layers = layers

    def fire(self, inputs):
        for layer in self.layers:
            inputs = layer.fire(inputs)
        return inputs

    def learn(self, inputs, targets, rate=0.5):
        self.fire(inputs)
        self.layers[-1].back_last(targets)
        for i in range(len(self.layers) - 2, -1, -1):
            self.layers[i].back_inner(self.layers[i + 1])
        for layer in self.layers:
            layer.update(inputs, rate)
            inputs = layer.outs
"""

ACTIVATIONS = """
import numpy as np


def sigmoid(v):
    return 1 / (1 + np.exp(-v))
"""


def _project(tmp_path: Path, derivative: str, activations: str = ACTIVATIONS) -> Path:
    package = tmp_path / "units"
    package.mkdir()
    (package / "unit.py").write_text(textwrap.dedent(NEURON).replace("DERIVATIVE", derivative), "utf-8")
    (package / "unit_layer.py").write_text(textwrap.dedent(LAYER), "utf-8")
    (package / "unit_network.py").write_text(textwrap.dedent(NETWORK), "utf-8")
    (tmp_path / "activations.py").write_text(textwrap.dedent(activations), "utf-8")
    return package / "unit_network.py"


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [("self.out * (1 - self.out)", "mse"), ("self.out", None), ("(1 - self.out)", None)],
)
def test_a_network_of_layers_of_neurons_is_built_from_its_classes_and_the_projects_activation(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``UnitNetwork([UnitLayer([Unit(w, b, sigmoid) …]) …])``: the neuron class (weights, bias,
    activation function) and the layer class (a list of neurons) live beside the container, the one
    activation of the project in the folder above; the network is built 4 → 5 → 3 and ``learn``
    read as an update. With the sigmoid's derivative ``o(1 − o)`` it is the squared error's step;
    with half of that derivative missing it is no loss."""
    report = check_target(CheckRequest.parse(str(_project(tmp_path, derivative))))
    assert report.result.identified == identified, report.command
    command = report.command or ""
    assert "UnitLayer([Unit(_rng.standard_normal(4), float(_rng.standard_normal()), sigmoid)" in command
    assert any("sigmoid (from ../activations.py)" in n for n in report.result.notes), report.result.notes


def test_neurons_given_an_activation_are_not_built_when_the_project_has_two(tmp_path: Path) -> None:
    """With a sigmoid and a tanh in the project, which one the neuron's own derivative ``o(1 − o)``
    assumes is not known to the checker, and the choice would decide the verdict: the check is
    refused, naming the container, the neurons' argument and the functions found, never run on a
    guess."""
    both = ACTIVATIONS + "\n\ndef tanh(v):\n    return np.tanh(v)\n"
    with pytest.raises(InputError, match=r"UnitNetwork .*activation function .*defines 2 \(sigmoid, tanh\)"):
        check_target(CheckRequest.parse(str(_project(tmp_path, "self.out * (1 - self.out)", both))))


@pytest.mark.parametrize(
    ("weight_input", "identified"), [("inputs[i]", "mse"), ("inputs[i - 1]", None)], ids=["right", "shifted"]
)
def test_weights_kept_as_a_list_of_numpy_floats_are_checked(
    tmp_path: Path, weight_input: str, identified: str | None
) -> None:
    """``self.weights = list(weights)`` of the array it is given: a list of ``np.float64``, the
    neuron's parameters as much as a list of floats. A weight update that reads the input before its
    own is no loss even though every bias is stepped right; judged on the biases alone it was mse."""
    neuron = NEURON.replace("self.weights = weights", "self.weights = list(weights)")
    neuron = neuron.replace("rate * self.delta * inputs[i]", f"rate * self.delta * {weight_input}")
    path = _project(tmp_path, "self.out * (1 - self.out)")
    (path.parent / "unit.py").write_text(
        textwrap.dedent(neuron).replace("DERIVATIVE", "self.out * (1 - self.out)")
    )
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert any("weights" in name for name in report.result.backward_order), report.result.backward_order
