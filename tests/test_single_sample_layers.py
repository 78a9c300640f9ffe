"""A layer written for one sample at a time, in the style of an old course framework: derived from a
``Layer`` base, its forward asserts a column of one sample, its backward takes the layer's input and
the output's gradient under the name of an error (``backward(self, inputs, output_errors)``), and keeps
the parameters' gradients as ``g_weights``, ``g_biases``. It is a unit (a network's ``backward(x,
error)`` is handed its output error; a layer's, by its name or its base's, its output's gradient), its
batch of two is skipped as the layer takes one sample, and ``g_`` names a gradient. Before, such a file
was checked as a network of one layer.

The layer is written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.reading.loader import load_script
from verification.units.check import check_units, wants_units
from verification.units.layers import LayerUnit

LAYER = """
import numpy as np


class Layer:
    def forward(self, inputs):
        raise NotImplementedError

    def backward(self, inputs, output_errors):
        raise NotImplementedError


class Connected(Layer):
    def __init__(self, n_in, n_out):
        self.n_in, self.n_out = n_in, n_out
        self.weights = np.random.randn(n_out, n_in)
        self.biases = np.random.randn(n_out, 1)

    def forward(self, inputs):
        assert inputs.shape == (self.n_in, 1)
        return self.weights @ inputs + self.biases

    def backward(self, inputs, output_errors):
        self.g_biases = output_errors.copy()
        self.g_weights = WEIGHT_GRADIENT
        return self.weights.T @ output_errors

    def update(self, learning_rate):
        self.weights = self.weights - learning_rate * self.g_weights
        self.biases = self.biases - learning_rate * self.g_biases
"""


@pytest.mark.parametrize(
    ("gradient", "verdict"),
    [
        # ∂L/∂W = δ xᵀ for out = W x + b, δ the output's gradient
        ("output_errors @ inputs.T", "matches"),
        # δ xᵀ halved: wrong by a factor of two
        ("output_errors @ inputs.T / 2", "mismatch"),
    ],
)
def test_a_one_sample_layer_is_checked_as_a_unit(tmp_path: Path, gradient: str, verdict: str) -> None:
    path = tmp_path / "connected.py"
    path.write_text(textwrap.dedent(LAYER).replace("WEIGHT_GRADIENT", gradient), encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None and [u.name for u in units] == ["Connected"]
    assert isinstance(units[0], LayerUnit) and units[0].input_first
    (result,) = check_units(script, units, seed=0).results
    assert result.verdict == verdict
    two = next(s for s in result.settings if s.setting.startswith("batch of two"))
    if verdict == "matches":  # right at one sample, so the batch it cannot take is skipped, not refused
        assert two.verdict == "skipped" and "written for one sample at a time" in two.reason
