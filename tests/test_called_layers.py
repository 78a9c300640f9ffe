"""Layers whose base class keeps the input in ``__call__`` and then runs ``forward`` (``def __call__(self,
x): self.inputs = x; return self.forward(x)``), their backward reading ``self.inputs``: the unit's
forward pass is ``__call__``, as the project runs it (:func:`verification.units.discovery`). Before,
``forward`` was run alone, every backward raised for want of ``self.inputs``, and each correct layer was
reported as a mismatch, the base class as refused rather than as a stub.

The layers are written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.reading.loader import load_script
from verification.units.check import check_units, wants_units

LAYERS = """
import numpy as np


class Module:
    def __call__(self, x):
        self.inputs = x
        return self.forward(x)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


class Dense(Module):
    def __init__(self, n_in, n_out):
        self.params = {"w": np.random.randn(n_in, n_out), "b": np.random.randn(n_out)}

    def forward(self, x):
        return x @ self.params["w"] + self.params["b"]

    def backward(self, grad):
        self.grads = {"w": self.inputs.T @ grad, "b": grad.sum(axis=0)}
        return grad @ self.params["w"].T


class Softplus(Module):
    def forward(self, x):
        return np.log1p(np.exp(x))

    def backward(self, grad):
        return grad * SOFTPLUS_DERIVATIVE
"""


@pytest.mark.parametrize(
    ("derivative", "softplus"),
    [
        # d/dx log(1 + eˣ) = σ(x), of the input the call kept
        ("1 / (1 + np.exp(-self.inputs))", "matches"),
        # σ(−x): the derivative mirrored
        ("1 / (1 + np.exp(self.inputs))", "mismatch"),
    ],
)
def test_a_layer_run_through_its_call_is_checked_as_the_project_runs_it(
    tmp_path: Path, derivative: str, softplus: str
) -> None:
    path = tmp_path / "modules.py"
    path.write_text(textwrap.dedent(LAYERS).replace("SOFTPLUS_DERIVATIVE", derivative), encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None
    verdicts = {r.unit: r.verdict for r in check_units(script, units, seed=0).results}
    assert verdicts == {"Module": "stub", "Dense": "matches", "Softplus": softplus}
