"""A helper named like a gradient that returns the derivative of an activation (``_hidden_grad(z, a)``)
is no backward pass of the network: an array of at most one parameter's shape, it would leave every
other parameter without a gradient and make the verdict rest on a shape coincidence. Such a candidate
is passed over for the class's training step. The class is written for the test; its verdict is
derived by hand in the comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

# tanh hidden layers, softmax output; delta = (a − Y) / n at the output is ∂/∂z of the batch mean of
# −Σ y log softmax(z), and (delta Wᵀ) ⊙ (1 − a²) carries it down: train_batch descends cross_entropy;
# with the hidden derivative taken as 1 − a (no square) it is no loss's gradient
NETWORK = """
import numpy as np


class Network:
    def __init__(self, sizes, learning_rate=0.1):
        self.lr = learning_rate
        self.weights = [np.random.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(b) for b in sizes[1:]]

    def _hidden_grad(self, z, a):
        return HIDDEN

    def _out(self, z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def forward(self, X):
        a = X
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            a = self._out(z) if i == len(self.weights) - 1 else np.tanh(z)
        return a

    def train_batch(self, X, Y):
        zs, acts = [], [X]
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            zs.append(acts[-1] @ W + b)
            acts.append(self._out(zs[-1]) if i == len(self.weights) - 1 else np.tanh(zs[-1]))
        delta = (acts[-1] - Y) / X.shape[0]
        for i in reversed(range(len(self.weights))):
            gW, gb = acts[i].T @ delta, delta.sum(axis=0)
            if i > 0:
                delta = (delta @ self.weights[i].T) * self._hidden_grad(zs[i - 1], acts[i])
            self.weights[i] -= self.lr * gW
            self.biases[i] -= self.lr * gb


net = Network([4, 6, 5, 3])
"""


@pytest.mark.parametrize(("hidden", "identified"), [("1 - a ** 2", "cross_entropy"), ("1 - a", None)])
def test_an_activation_derivative_named_like_a_gradient_is_no_backward_pass(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "net.py"
    path.write_text(NETWORK.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.subject.endswith("train_batch"), report.result.subject
    assert report.result.identified == identified
