"""A loss derivative with a stabilising constant, ``(p − y) / (p (1 − p) + ε)``: the gradient of bce to a
relative ``ε / (p (1 − p) + ε)``, which the strict table calls a mismatch at every tensor. The verdict is
bce, with the deviation printed, while that stays within ``NEAR_MATCH_RTOL`` under the acceptance rule;
a constant large enough to move the gradient past it gets no verdict (a constant of ``1e-5`` is no
stabiliser but a change of the loss: 4e-5 of the gradient).

The script is written for the tests, in the style of real code (a class with a dict of gradients and a
loss derivative of its own). With one output unit and one sample per probe, the code's gradient of every
tensor is bce's times ``d / (d + ε)``, ``d = p (1 − p) ≤ 1/4``: its relative deviation is
``ε / (d + ε) ≥ ε / (1/4 + ε)`` at every probe, whatever the weights drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ffnn.backprop import backward
from ffnn.network import Network
from verification.adapters.reference import subject_from_network
from verification.identification.check import check_target
from verification.identification.identify import identify
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.tolerances import NEAR_MATCH_RTOL, tolerance_for

NETWORK = """
import numpy as np

EPS = CONSTANT


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def bce_prime(p, y):
    return (p - y) / (p * (1 - p) + EPS)


class Network:
    def __init__(self, n_inputs, n_hidden):
        self.W1 = np.random.randn(n_inputs, n_hidden) * 0.5
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, 1) * 0.5
        self.b2 = np.zeros((1, 1))

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.W1 + self.b1)
        self.out = sigmoid(self.h @ self.W2 + self.b2)
        return self.out

    def backward(self, y):
        d_out = bce_prime(self.out, y) * self.out * (1 - self.out)
        d_h = d_out @ self.W2.T * (1 - self.h ** 2)
        n = len(self.X)
        return {
            "W2": self.h.T @ d_out / n,
            "b2": d_out.sum(axis=0, keepdims=True) / n,
            "W1": self.X.T @ d_h / n,
            "b1": d_h.sum(axis=0, keepdims=True) / n,
        }
"""

ROUNDING = tolerance_for(np.float64, "rounding").rtol


def _check(tmp_path: Path, constant: float, loss: str = "auto") -> CheckReport:
    path = tmp_path / "network.py"
    path.write_text(NETWORK.replace("CONSTANT", repr(constant)), encoding="utf-8")
    return check_target(CheckRequest.parse(str(path), loss))


@pytest.mark.parametrize("eps", [1e-10, 1e-7])  # a constant of its own, the usual Keras epsilon
def test_a_stabilising_constant_keeps_the_verdict_and_its_deviation_is_printed(
    tmp_path: Path, eps: float
) -> None:
    report = _check(tmp_path, eps)
    result = report.result
    assert result.identified == "bce" and result.scale == 1.0 and result.success
    assert all(c.verdict == "mismatch" for c in result.candidates if c.loss == "bce")  # the strict table
    deviation = result.verdict.deviation
    assert deviation is not None
    assert eps / (0.25 + eps) - ROUNDING <= deviation <= NEAR_MATCH_RTOL
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "mean"


def test_the_loss_asked_for_matches_to_within_the_constant(tmp_path: Path) -> None:
    report = _check(tmp_path, 1e-10, "bce")
    assert report.result.matches_asked is True and report.result.success


def test_without_the_constant_the_match_is_exact(tmp_path: Path) -> None:
    result = _check(tmp_path, 0.0).result
    assert result.identified == "bce" and result.verdict.deviation is None


def test_a_constant_that_moves_the_gradient_past_the_near_tolerance_gets_no_verdict(tmp_path: Path) -> None:
    # ε = 1e-5 deviates by at least ε / (1/4 + ε) ≈ 4e-5 at every element: past the acceptance rule's
    # allowance of NEAR_MATCH_RTOL (max(|a|, |b|) + G) ≤ 2 NEAR_MATCH_RTOL, which a tolerance 10 times
    # looser would not be
    eps = 1e-5
    assert eps / (0.25 + eps) > 2 * NEAR_MATCH_RTOL
    result = _check(tmp_path, eps).result
    assert result.identified is None and result.verdict.deviation is None
    assert not result.success


# the constant in the forward pass itself: a softmax e / (Σe + ε) over the scores shifted by their largest,
# and a step on p − Y. The gradient of cross-entropy of that output is p − Y plus ε / (Σe + ε) at each
# sample's largest score (the shift is no longer free), so every tensor deviates by a relative of order ε,
# and the output error the layers carry, p − Y, is consistent only to that order too
SOFTMAX_EPS = """
import numpy as np


class SoftmaxMLP:
    def __init__(self, n_in=4, n_hidden=6, n_out=3, lr=0.1):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.lr = lr

    def predict_proba(self, X):
        self.h = np.tanh(X @ self.W1)
        z = self.h @ self.W2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / (e.sum(axis=1, keepdims=True) + CONSTANT)

    def fit(self, X, Y, epochs=100):
        for _ in range(epochs):
            p = self.predict_proba(X)
            dz = (p - Y) / len(X)
            dh = (dz @ self.W2.T) * (1 - self.h ** 2)
            self.W2 -= self.lr * self.h.T @ dz
            self.W1 -= self.lr * X.T @ dh
"""


@pytest.mark.parametrize(("eps", "identified"), [(1e-7, "cross_entropy"), (1e-3, None)])
def test_a_constant_in_the_forward_softmax_keeps_the_verdict_within_the_near_tolerance(
    tmp_path: Path, eps: float, identified: str | None
) -> None:
    # at ε = 1e-3 the deviation at the largest score, ε / (Σe + ε) ≥ 1e-3 / 4 over a gradient of order
    # one, is past the acceptance rule's 2 NEAR_MATCH_RTOL
    assert eps / 4 > 2 * NEAR_MATCH_RTOL or identified is not None
    path = tmp_path / "softmax.py"
    path.write_text(SOFTMAX_EPS.replace("CONSTANT", repr(eps)), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == identified
    assert (result.verdict.deviation is not None) == (identified is not None)


def test_an_error_in_one_entry_of_one_tensor_is_no_near_match() -> None:
    # the same size of deviation as the ε above, but in one entry of W1 alone: W2 matches mse at the
    # strict tolerance, so the deviation is not shared by every tensor and is W1's mismatch
    net = Network.initialise((4, 3, 2), ("sigmoid", "sigmoid"), seed=0)

    def grads(n: Network, x: Any, y: Any) -> dict[str, Any]:
        g = backward(n, x, y, rule="chain")
        w1 = np.array(g["W1"], copy=True)
        w1[1, 2] += 1e-7 * np.max(np.abs(w1))
        return {**g, "W1": w1}

    result = identify(subject_from_network(net, grads), seed=0)
    assert result.identified is None and result.verdict.deviation is None
    assert [r.parameters["W2"].verdict for r in result.candidates if r.loss == "mse"] == ["matches"]
