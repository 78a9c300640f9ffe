"""A constructor argument that is a learning rate by use, whatever its name
(:mod:`verification.reading.used_rates`): kept in an attribute that multiplies the term an update
subtracts, it is given a learning rate, and a network built nowhere is checked instead of refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.guesses import guessed_arguments
from verification.reading.loader import load_script
from verification.reading.used_rates import used_as_rate


class Kept:
    def __init__(self, speed, paso, scale, n):
        self.speed, self.paso = speed, paso  # a tuple: not read as kept
        self.k = speed
        self.p = paso
        self.scale = scale
        self.n = n

    def step(self, w, g):
        w -= self.k * g  # speed: a rate
        w = w - g * self.p / self.n  # paso: a rate too; n divides the product: a count, not a rate
        return w * self.scale  # scale multiplies, but is subtracted from nothing


@pytest.mark.parametrize(("name", "rate"), [("speed", True), ("paso", True), ("scale", False), ("n", False)])
def test_an_argument_that_scales_a_subtracted_term_is_a_rate(name: str, rate: bool) -> None:
    assert used_as_rate(Kept, name) is rate


def test_a_function_or_a_class_without_source_has_no_rate() -> None:
    assert used_as_rate(dict, "x") is False
    assert used_as_rate(len, "x") is False  # type: ignore[arg-type]


NET = """
import numpy as np


class TinyNet:
    def __init__(self, n_inputs, n_hidden, n_outputs, learning_speed):
        self.speed = learning_speed
        self.w1 = np.random.randn(n_inputs, n_hidden)
        self.w2 = np.random.randn(n_hidden, n_outputs)

    def forward(self, x):
        self.h = 1 / (1 + np.exp(-x @ self.w1))
        self.o = 1 / (1 + np.exp(-self.h @ self.w2))
        return self.o

    def backward(self, x, y):
        d2 = (self.o - y) * OUTPUT_DERIVATIVE
        d1 = d2 @ self.w2.T * self.h * (1 - self.h)
        self.w2 = self.w2 - self.speed * self.h.T @ d2
        self.w1 = self.w1 - self.speed * x.T @ d1
"""


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        # (a − y) ⊙ σ'(z) at the output: the gradient of ½‖a − y‖²
        ("self.o * (1 - self.o)", "mse"),
        # (a − y) ⊙ σ'(z)²: the derivative taken twice, the gradient of no loss
        ("(self.o * (1 - self.o)) ** 2", None),
    ],
)
def test_a_network_whose_rate_is_named_by_nothing_is_checked(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``TinyNet(…, learning_speed)``, built nowhere: the rate's name is in no list, its use makes it
    one, and the step is checked (before, the construction was refused)."""
    assert guessed_arguments(TinyNet := _load(tmp_path, derivative))[0]["learning_speed"] == 0.1
    report = check_target(CheckRequest.parse(str(tmp_path / "tiny.py")))
    assert report.result.identified == identified, report.command
    assert "learning_speed=0.1" in (report.command or "")
    assert TinyNet.__name__ == "TinyNet"


def _load(tmp_path: Path, derivative: str) -> type:
    path = tmp_path / "tiny.py"
    path.write_text(textwrap.dedent(NET).replace("OUTPUT_DERIVATIVE", derivative), encoding="utf-8")
    cls = load_script(path).module.__dict__["TinyNet"]
    assert isinstance(cls, type)
    return cls
