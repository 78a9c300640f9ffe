"""Layer objects whose backward keeps the weights' gradient under a name that says of no parameter whose
it is (``self.grads_update``), and whose own ``update(learning_rate)`` applies it: the gradient is read
off the update. Layers written here in that style (none is a copy); each constructor also takes the
layer's ``name``, a label the check gives as a name. The layer is ``y = x W``: ``∂L/∂W = xᵀ g`` and
``∂L/∂x = g Wᵀ`` for an upstream gradient ``g``."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.reading.loader import load_script
from verification.units.check import check_units
from verification.units.discovery import discover, select

LAYER = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out, name):
        self.name = name
        self.weights = np.random.normal(size=(n_in, n_out), scale=0.1)
        self.grads_update = 0

    def forward(self, inputs):
        self.x = inputs
        return self.x @ self.weights

    def backward(self, grads):
        self.grads_update = GRADIENT
        return grads @ self.weights.T

    def update(self, learning_rate):
        self.weights -= self.grads_update * learning_rate
"""


@pytest.mark.parametrize(
    ("gradient", "verdict"),
    [
        ("self.x.T @ grads", "matches"),
        ("self.x.T @ grads / 2", "mismatch"),
        ("-(self.x.T @ grads)", "mismatch"),
    ],
)
def test_a_gradient_kept_under_an_unsaid_name_is_read_off_the_layers_own_update(
    tmp_path: Path, gradient: str, verdict: str
) -> None:
    """``xᵀ g`` is W's gradient; half of it, or its negative,
    is not, and the update that applies it says so by the weights it moves."""
    path = tmp_path / "layers.py"
    path.write_text(LAYER.replace("GRADIENT", gradient), encoding="utf-8")
    script = load_script(path)
    (result,) = check_units(script, select(discover(script), "Dense")).results
    assert result.verdict == verdict, result
    notes = {s.note for s in result.settings if s.note}
    if verdict == "matches":
        assert any("from the update" in (n or "") for n in notes), notes
