"""Layer objects whose backward takes the layer's input before the upstream gradient,
``backward(self, input, grad_output)``: layers that keep no cache and are handed back what they were
given (a common course style). They are units, checked as the vector–Jacobian product of their forward
at the input their forward ran at; a backward that takes the input and the *labels* stays a network's.

The layers are written for the tests in that style, each verdict derived by hand in its comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.reading.loader import load_script
from verification.units.check import check_units, wants_units
from verification.units.discovery import discover
from verification.units.layers import LayerUnit

# Dense updates its weights in place at its own learning rate and returns the input's gradient:
# ∂L/∂x = g Wᵀ, ∂L/∂W = xᵀ g, ∂L/∂b = Σ_samples g (mean · n is that sum). ReLU passes g where x > 0.
LAYERS = """
import numpy as np


class Layer:
    def forward(self, input):
        return input

    def backward(self, input, grad_output):
        return np.dot(grad_output, np.eye(input.shape[1]))


class ReLU(Layer):
    def forward(self, input):
        return np.maximum(0, input)

    def backward(self, input, grad_output):
        return grad_output * (RELU_GRAD)


class Dense(Layer):
    def __init__(self, input_units, output_units, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.weights = np.random.randn(input_units, output_units) * 0.01
        self.biases = np.zeros(output_units)

    def forward(self, input):
        return np.dot(input, self.weights) + self.biases

    def backward(self, input, grad_output):
        grad_input = np.dot(grad_output, self.weights.T)
        grad_weights = GRAD_WEIGHTS
        grad_biases = grad_output.mean(axis=0) * input.shape[0]
        self.weights = self.weights - self.learning_rate * grad_weights
        self.biases = self.biases - self.learning_rate * grad_biases
        return grad_input
"""

RIGHT = {"RELU_GRAD": "input > 0", "GRAD_WEIGHTS": "np.dot(input.T, grad_output)"}


def _units(tmp_path: Path, **changes: str) -> dict[str, str]:
    source = LAYERS
    for key, value in {**RIGHT, **changes}.items():
        source = source.replace(key, value)
    path = tmp_path / "layers.py"
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None, "a file of layers whose backward takes the input is a file of units"
    assert all(isinstance(u, LayerUnit) and u.input_first for u in units)
    return {r.unit: r.verdict for r in check_units(script, units, seed=0).results}


def test_right_layers_match(tmp_path: Path) -> None:
    assert _units(tmp_path) == {"Layer": "matches", "ReLU": "matches", "Dense": "matches"}


@pytest.mark.parametrize(
    ("changes", "wrong"),
    [
        # the ReLU's mask taken from the upstream gradient, not from the input: wrong where they differ
        ({"RELU_GRAD": "grad_output > 0"}, "ReLU"),
        # ∂L/∂W halved: the update moves W by half of lr · xᵀ g
        ({"GRAD_WEIGHTS": "np.dot(input.T, grad_output) / 2"}, "Dense"),
    ],
    ids=["relu-mask-of-the-gradient", "weights-halved"],
)
def test_a_planted_bug_is_found_in_its_layer_alone(
    tmp_path: Path, changes: dict[str, str], wrong: str
) -> None:
    verdicts = _units(tmp_path, **changes)
    assert verdicts.pop(wrong) == "mismatch"
    assert set(verdicts.values()) == {"matches"}


def test_a_backward_that_takes_the_input_and_the_labels_is_a_network(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(
        LAYERS.replace("def backward(self, input, grad_output)", "def backward(self, input, target)"),
        encoding="utf-8",
    )
    assert not [u for u in discover(load_script(path), 0) if isinstance(u, LayerUnit)]


@pytest.mark.parametrize("upstream", ["gradients", "grads", "grad_outputs"])
def test_the_upstream_gradient_in_the_plural_is_still_an_upstream_gradient(
    tmp_path: Path, upstream: str
) -> None:
    # backward(self, inputs, gradients): the same layers, the arguments named in the plural (a course
    # lineage whose layers update themselves inside backward); the halved ∂L/∂W is still found
    source = LAYERS.replace("input", "inputs").replace("grad_output", upstream)
    source = source.replace("inputs_units", "input_units")
    for key, value in RIGHT.items():
        value = value.replace("input", "inputs").replace("grad_output", upstream)
        source = source.replace(key, value if key != "GRAD_WEIGHTS" else value + " / 2")
    path = tmp_path / "layers.py"
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None and all(isinstance(u, LayerUnit) and u.input_first for u in units)
    verdicts = {r.unit: r.verdict for r in check_units(script, units, seed=0).results}
    assert verdicts == {"Layer": "matches", "ReLU": "matches", "Dense": "mismatch"}
