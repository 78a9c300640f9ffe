"""A network of functions trained by a function with its own weights, wide defaults and a shuffled
mini-batch loop (the style of many MNIST-from-scratch files)::

    def train(X, Y, n_input=784, n_hidden=64, n_out=10, lr=0.1, epochs=30, batch_size=32):
        theta1 = …; theta2 = …
        for epoch in range(epochs):
            perm = np.random.permutation(m); X_s = X[:, perm]; Y_s = Y[:, perm]
            for start in range(0, m, batch_size):
                … forward_prop(…) … back_prop(…)

is checked as the script of that function's body: its sizes made small (``n_input=784`` is a size, not
data), its epoch's reordering of the samples taken out so that the mini-batch loop is the step
(:func:`verification.reading.loop_bodies.unshuffled`), and found from the backward function it calls,
which alone has no weights to run on. Before, it was refused: "nothing makes the weights forward_prop
takes".

The script is written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loop_bodies import unshuffled

SCRIPT = """
import numpy as np


def forward_prop(X, theta1, theta2):
    Z1 = theta1 @ X
    A1 = np.tanh(Z1)
    Z2 = theta2 @ A1
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    return Z1, A1, E / E.sum(axis=0, keepdims=True)


def back_prop(X, Y, Z1, A1, A2, theta1, theta2, lr):
    m = X.shape[1]
    dZ2 = A2 - Y
    dtheta2 = dZ2 @ A1.T / m
    dZ1 = (theta2.T @ dZ2) * HIDDEN_DERIVATIVE
    dtheta1 = dZ1 @ X.T / m
    theta1 -= lr * dtheta1
    theta2 -= lr * dtheta2
    return theta1, theta2


def train_network(X, Y, n_input=784, n_hidden=64, n_out=10, lr=0.1, epochs=30, batch_size=32):
    m = X.shape[1]
    theta1 = np.random.randn(n_hidden, n_input) * 0.1
    theta2 = np.random.randn(n_out, n_hidden) * 0.1
    for epoch in range(epochs):
        perm = np.random.permutation(m)
        X_shuffled = X[:, perm]
        Y_shuffled = Y[:, perm]
        for start in range(0, m, batch_size):
            X_batch = X_shuffled[:, start:start + batch_size]
            Y_batch = Y_shuffled[:, start:start + batch_size]
            Z1, A1, A2 = forward_prop(X_batch, theta1, theta2)
            theta1, theta2 = back_prop(X_batch, Y_batch, Z1, A1, A2, theta1, theta2, lr)
        print("epoch", epoch)
    return theta1, theta2
"""


def test_the_epoch_reordering_is_taken_out_of_the_loop_body() -> None:
    loop = next(n for n in ast.walk(ast.parse(textwrap.dedent(SCRIPT))) if isinstance(n, ast.For))
    body = [ast.unparse(s) for s in unshuffled(loop.body)]
    assert body[:2] == ["X_shuffled = X", "Y_shuffled = Y"]  # perm = … dropped, the data taken in order
    assert body[2].startswith("for start in range(0, m, batch_size):")
    # reordered in place, both at once: read in the order they are in
    inplace = ast.parse("order = np.random.permutation(len(X))\nX, Y = X[order], Y[order]\nh = X @ W").body
    assert [ast.unparse(s) for s in unshuffled(inplace)] == ["X, Y = (X, Y)", "h = X @ W"]


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        # softmax output, a − y, tanh' = 1 − a²: the gradient of cross-entropy, the batch mean (÷ m)
        ("(1 - A1 ** 2)", "cross_entropy"),
        # tanh' taken of the pre-activation as if it were the activation: 1 − z², the gradient of no loss
        ("(1 - Z1 ** 2)", None),
    ],
)
def test_a_training_function_of_its_own_weights_is_found_from_its_backward(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "mnist_numpy.py"
    path.write_text(textwrap.dedent(SCRIPT).replace("HIDDEN_DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.subject == "the training loop of train_network", report.command
    assert "n_input = 4; n_hidden = 5; n_out = 3" in (report.command or ""), report.command
    assert report.result.identified == identified, report.command
    if identified is not None:
        assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "mean"
