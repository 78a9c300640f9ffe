"""State a class keeps from one training step to the next, which a fresh network at every probe cannot
show: gradients added up into ``self.dW`` whose reset (``zero_grad``) the file's own training code
calls only in the constructor, and a copy of a weight (``self.W2_old``) that the update sets before it
changes the weights and the backward pass reads. Both trained well enough to pass at one step from a
fresh network; from the second step on both follow another gradient. The classes are written for the
test; each outcome is derived in its comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

ACCUMULATED = """
import numpy as np


class Net:
    def __init__(self, n_in, n_h, n_out):
        self.W1 = np.random.randn(n_h, n_in) * 0.5
        self.W2 = np.random.randn(n_out, n_h) * 0.5
        self.zero_grad()

    def zero_grad(self):
        self.dW1 = np.zeros_like(self.W1)
        self.dW2 = np.zeros_like(self.W2)

    def forward(self, x):
        self.x = x
        self.a1 = np.tanh(self.W1 @ x)
        self.a2 = 1 / (1 + np.exp(-(self.W2 @ self.a1)))
        return self.a2

    def backward(self, y):
        d2 = self.a2 - y
        self.dW2 += d2 @ self.a1.T
        self.dW1 += ((self.W2.T @ d2) * (1 - self.a1 ** 2)) @ self.x.T

    def step(self, lr):
        self.W1 -= lr * self.dW1
        self.W2 -= lr * self.dW2
RESET

X = np.random.randn(3, 40)
Y = (np.random.rand(2, 40) > 0.5).astype(float)
net = Net(3, 5, 2)
for epoch in range(100):
    net.forward(X)
    net.backward(Y)
    net.step(0.05)
"""


def check(tmp_path: Path, source: str) -> str | None:
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    return check_target(CheckRequest.parse(str(path), seed=0)).result.identified


def test_gradients_added_up_whose_reset_the_training_code_calls_each_step_are_its_design(
    tmp_path: Path,
) -> None:
    # δ2 = a − y after a sigmoid: bce's gradient, reset before every step
    assert check(tmp_path, ACCUMULATED.replace("RESET", "        self.zero_grad()")) == "bce"


def test_gradients_added_up_whose_reset_only_the_constructor_calls_are_refused(tmp_path: Path) -> None:
    # the second step moves along the sum of both steps' gradients: no loss's, refused
    with pytest.raises(InputError, match="when asked again at the same weights and data"):
        check(tmp_path, ACCUMULATED.replace("RESET", ""))


LAGGING = """
import numpy as np


class MomentumNet:
    def __init__(self, n_in, n_h, n_out, mu=0.9):
        self.W1 = np.random.randn(n_h, n_in) * 0.5
        self.W2 = np.random.randn(n_out, n_h) * 0.5
        self.mu = mu
        self.vel = [np.zeros_like(self.W1), np.zeros_like(self.W2)]
        self.W2_old = self.W2.copy()

    def forward(self, x):
        self.x = x
        self.a1 = 1 / (1 + np.exp(-(self.W1 @ x)))
        self.a2 = self.W2 @ self.a1
        return self.a2

    def backward(self, y):
        d2 = self.a2 - y
        d1 = (READ.T @ d2) * self.a1 * (1 - self.a1)
        return [d1 @ self.x.T, d2 @ self.a1.T]

    def update(self, grads, lr):
        self.W2_old = self.W2.copy()
        for i, (p, g) in enumerate(zip([self.W1, self.W2], grads)):
            self.vel[i] = self.mu * self.vel[i] - lr * g
            p += self.vel[i]
"""


def test_a_copy_of_a_weight_taken_before_the_step_and_read_by_the_backward_pass_is_refused(
    tmp_path: Path,
) -> None:
    # W2_old equals W2 at construction only: after a step, δ1 = (W2_old.T δ2) ⊙ σ' uses last step's W2
    with pytest.raises(
        InputError, match=r"update sets .*W2_old, a copy of W2, before it changes the weights"
    ):
        check(tmp_path, LAGGING.replace("READ", "self.W2_old"))


def test_a_copy_of_a_weight_nothing_reads_leaves_the_verdict_alone(tmp_path: Path) -> None:
    # δ1 = (W2.T δ2) ⊙ σ'(z1), linear output: the squared error's gradient
    assert check(tmp_path, LAGGING.replace("READ", "self.W2")) == "mse"
