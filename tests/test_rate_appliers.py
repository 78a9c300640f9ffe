"""A backward pass that keeps its gradients in the layers, under a name that says nothing of which
parameter each is, and a method of the rate alone that applies them (``backward(dout)`` then
``descend(lr)``): the step is read off the update the applier makes
(:mod:`verification.adapters.rate_appliers`). Before, the backward's return value (the input's
gradient) was all there was to read, and the check was refused. The file's three classes all have
forward and backward methods; the container, whose forward runs a list of objects in turn, is the
network (:func:`verification.reading.targets.default_name`), where the check had asked which to take.

The framework is written for the test in that style; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.adapters.rate_appliers import rate_appliers
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script

FRAMEWORK = """
import numpy as np


class Chain:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def descend(self, lr):
        for layer in self.layers:
            layer.descend(lr)

    def set_rate(self, lr):
        self.lr = lr


class Affine:
    def __init__(self, n_in, n_out):
        self.w = np.random.randn(n_in, n_out)
        self.c = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.w + self.c

    def backward(self, g):
        self.kept = (self.x.T @ g, g.sum(axis=0))
        return g @ self.w.T

    def descend(self, lr):
        gw, gc = self.kept
        self.w -= lr * gw * WEIGHT_FACTOR
        self.c -= lr * gc


class Tanh:
    def forward(self, x):
        self.a = np.tanh(x)
        return self.a

    def backward(self, g):
        return g * (1 - self.a ** 2)

    def descend(self, lr):
        pass

"""


def _write(tmp_path: Path, factor: str) -> Path:
    path = tmp_path / "chain.py"
    path.write_text(textwrap.dedent(FRAMEWORK).replace("WEIGHT_FACTOR", factor), encoding="utf-8")
    return path


def test_the_methods_of_the_rate_alone_are_appliers(tmp_path: Path) -> None:
    script = load_script(_write(tmp_path, "1"))
    chain = script.module.__dict__["Chain"]([])
    assert rate_appliers(chain) == ["descend"]  # set_rate takes a rate too, but sets it


@pytest.mark.parametrize(
    ("factor", "identified"),
    [
        # a linear output handed a − y, tanh' = 1 − a²: the gradient of ½ Σ (a − y)²
        ("1", "mse"),
        # the weights stepped twice as far as the biases: the gradient of no loss
        ("2", None),
    ],
)
def test_a_step_applied_by_a_method_of_the_rate_is_checked(
    tmp_path: Path, factor: str, identified: str | None
) -> None:
    report = check_target(CheckRequest.parse(str(_write(tmp_path, factor))))
    assert "net.backward(out - y); net.descend(lr)" in (report.command or ""), report.command
    assert report.result.identified == identified, report.command
    assert report.result.subject == "Chain.backward"  # the step's gradient is the backward's, not descend's
