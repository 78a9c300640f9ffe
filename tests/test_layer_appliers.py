"""Layer objects whose backward keeps the weights' gradient under a name that says of no parameter whose
it is (``self.grads_update``), and whose own ``update(learning_rate)`` applies it: the gradient is read
off the update. Layers written here in that style (none is a copy); each constructor also takes the
layer's ``name``, a label the check gives as a name. The layer is ``y = x W``: ``∂L/∂W = xᵀ g`` and
``∂L/∂x = g Wᵀ`` for an upstream gradient ``g``."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.reading.loader import load_script
from verification.units.check import UnitsReport, check_units, units_target
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


# an abstract base (ABC), a layer and an activation derived from it, and a loss layer that makes its
# own softmax: a file of layers, none of them a network; the loss layer makes another layer but is no
# container of the others, and the abstract base cannot be built, so it is no unit
FRAMEWORK = """
from abc import ABC, abstractmethod

import numpy as np


class Layer(ABC):
    def __init__(self, name):
        self.name = name

    @abstractmethod
    def forward(self, inputs):
        ...

    @abstractmethod
    def backward(self, grads):
        ...


class Dense(Layer):
    def __init__(self, n_in, n_out, name):
        super().__init__(name)
        self.W = np.random.normal(size=(n_in, n_out), scale=0.1)

    def forward(self, inputs):
        self.x = inputs
        return inputs @ self.W

    def backward(self, grads):
        self.dW = self.x.T @ grads
        return grads @ self.W.T


class Softmax(Layer):
    def forward(self, inputs):
        e = np.exp(inputs - inputs.max(axis=1, keepdims=True))
        self.p = e / e.sum(axis=1, keepdims=True)
        return self.p

    def backward(self, grads):
        return self.p * (grads - (grads * self.p).sum(axis=1, keepdims=True))


class SoftmaxWithLoss(Layer):
    def __init__(self, name):
        super().__init__(name)
        self.softmax = Softmax(name + "_softmax")

    def forward(self, inputs):
        scores, y = inputs
        self.p, self.y = self.softmax.forward(scores), y
        return -np.mean(np.sum(y * np.log(self.p), axis=1))

    def backward(self, grads=None):
        return (self.p - self.y) / len(self.y)
"""


def test_a_file_of_layers_with_a_loss_layer_and_an_abstract_base_is_checked_layer_by_layer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "layers.py"
    path.write_text(FRAMEWORK, encoding="utf-8")
    report = check_target_units(path)
    assert {r.unit: r.verdict for r in report.results if r.unit in ("Dense", "Softmax")} == {
        "Dense": "matches",
        "Softmax": "matches",
    }, report.results
    assert "Layer" not in [r.unit for r in report.results]  # Python cannot build it: no unit


def check_target_units(path: Path) -> UnitsReport:
    """The file checked as ``check FILE`` does it: its units, when it is a file of units."""
    found = units_target(str(path), None)
    assert found is not None, "checked as a network, not as units"
    return check_units(*found)
