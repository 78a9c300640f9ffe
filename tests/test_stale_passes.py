"""A gradient that reads what an earlier call left is refused.

Derived by hand: ``forward`` appends each layer's activation to ``self.acts`` and ``backward`` reads
them by position from the start, so every call back-propagates through the first call's activations.
Checked on a fresh network, the first call is right (the mean squared error's gradient); in a training
loop each step after the first is another sample's. Resetting the list in ``forward`` makes it right at
every call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

STALE = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, sizes):
        rng = np.random.default_rng(0)
        self.weights = [rng.normal(0, 0.5, (m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
        self.acts = []

    def forward(self, x):
        START
        self.acts.append(x)
        for W in self.weights:
            x = sigmoid(W @ x)
            self.acts.append(x)
        return x

    def backward(self, x, y):
        out = self.forward(x)
        delta = (out - y) * out * (1 - out)
        grads = [None] * len(self.weights)
        for l in range(len(self.weights) - 1, -1, -1):
            grads[l] = delta @ self.acts[l].T
            delta = (self.weights[l].T @ delta) * self.acts[l] * (1 - self.acts[l])
        return grads

    def update(self, x, y, eta):
        self.weights = [W - eta * g for W, g in zip(self.weights, self.backward(x, y))]
"""


@pytest.mark.parametrize(("start", "identified"), [("self.acts = []", "mse"), ("pass", None)])
def test_a_gradient_through_an_earlier_calls_activations_is_refused(
    tmp_path: Path, start: str, identified: str | None
) -> None:
    path = tmp_path / "stale.py"
    path.write_text(STALE.replace("START", start), encoding="utf-8")
    if identified is not None:
        assert check_target(CheckRequest.parse(str(path))).result.identified == identified
        return
    with pytest.raises(InputError, match="after a call at other inputs: it reads what an earlier call left"):
        check_target(CheckRequest.parse(str(path)))
