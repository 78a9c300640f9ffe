"""A step that takes a list of samples beside a forward pass of one sample is probed at a batch, given as
a list (:mod:`verification.adapters.sample_lists`): bugs that show only over several samples (momentum
carried from one sample to the next, a gradient overwritten over the list) are found, and online
gradient descent over the list keeps its verdict. The scripts are pure Python, so that no array layout
but one sample at a time can run them; each verdict is derived by hand in its comment."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from verification.adapters.method_calls import method_call
from verification.adapters.sample_lists import SAMPLES_X, SAMPLES_Y, listed_step
from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.sentences import verdict_sentence

# h = σ(W1 x), o = σ(W2 h); d2 = (o − t) ⊙ o(1 − o) is the output delta of ½‖o − t‖², so each sample's
# step −rate·d2 hᵀ, −rate·d1 xᵀ is the mse gradient's; at momentum 0 the list is stepped through one
# sample at a time, and at momentum μ > 0 the second sample's step adds μ times the first's
ONLINE = """
import math
import random


class Net:
    def __init__(self, n_in=3, n_hidden=4, n_out=2, rate=0.5, momentum=0.0):
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.rate, self.momentum = rate, momentum
        self.w1 = [[random.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_hidden)]
        self.w2 = [[random.uniform(-1, 1) for _ in range(n_hidden)] for _ in range(n_out)]
        self.v1 = [[0.0] * n_in for _ in range(n_hidden)]
        self.v2 = [[0.0] * n_hidden for _ in range(n_out)]

    def hidden(self, x):
        return [1 / (1 + math.exp(-sum(w * xi for w, xi in zip(row, x)))) for row in self.w1]

    def output(self, x):
        h = self.hidden(x)
        return [1 / (1 + math.exp(-sum(w * hi for w, hi in zip(row, h)))) for row in self.w2]

    def train(self, samples, targets):
        for x, t in zip(samples, targets):
            h, o = self.hidden(x), self.output(x)
            d2 = [(o[k] - t[k]) * o[k] * (1 - o[k]) for k in range(self.n_out)]
            d1 = [sum(self.w2[k][j] * d2[k] for k in range(self.n_out)) * h[j] * (1 - h[j])
                  for j in range(self.n_hidden)]
            for k in range(self.n_out):
                for j in range(self.n_hidden):
                    self.v2[k][j] = self.momentum * self.v2[k][j] - self.rate * d2[k] * h[j]
                    self.w2[k][j] += self.v2[k][j]
            for j in range(self.n_hidden):
                for i in range(self.n_in):
                    self.v1[j][i] = self.momentum * self.v1[j][i] - self.rate * d1[j] * x[i]
                    self.w1[j][i] += self.v1[j][i]
"""

# the per-sample deltas summed over the list and one step taken with the sum divided by the list's
# length: the gradient of the batch mean of ½‖o − t‖²
MEAN = """
import math
import random


class Net:
    def __init__(self, n_in=3, n_out=2, rate=0.5):
        self.rate = rate
        self.w = [[random.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)]

    def output(self, x):
        return [1 / (1 + math.exp(-sum(w * xi for w, xi in zip(row, x)))) for row in self.w]

    def train(self, samples, targets):
        g = [[0.0] * len(row) for row in self.w]
        for x, t in zip(samples, targets):
            o = self.output(x)
            for k, row in enumerate(self.w):
                for i in range(len(row)):
                    g[k][i] {op} (o[k] - t[k]) * o[k] * (1 - o[k]) * x[i]
        for k, row in enumerate(self.w):
            for i in range(len(row)):
                row[i] -= self.rate * g[k][i] / len(samples)
"""


def check(tmp_path: Path, body: str) -> CheckReport:
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return check_target(CheckRequest.parse(str(path)))  # type: ignore[arg-type]


def test_lists_of_one_sample_are_read_as_the_batchs_lists() -> None:
    assert listed_step("out = net.f(x); net.train([x], [y])") == (
        f"out = net.f(x); net.train({SAMPLES_X}, {SAMPLES_Y})"
    )
    assert listed_step("net.fit([(x, y)], 1, lr)") == f"net.fit(list(zip({SAMPLES_X}, {SAMPLES_Y})), 1, lr)"
    assert listed_step("net.train(x, y)") is None, "a step of one sample takes no list"


def test_online_steps_over_a_list_keep_their_verdict(tmp_path: Path) -> None:
    result = check(tmp_path, ONLINE).result
    assert result.layout.startswith("inputs and labels as 1-D arrays"), result.layout
    batch = result.verdict.batch
    assert batch is not None and (result.identified, batch.reduction) == ("mse", "sequential"), batch
    assert result.success


def test_momentum_carried_over_a_list_is_no_batch_gradient(tmp_path: Path) -> None:
    result = check(tmp_path, ONLINE.replace("momentum=0.0", "momentum=0.5")).result
    batch = result.verdict.batch
    assert result.identified == "mse", "the first sample's step, from zero velocity, is the mse step"
    assert batch is not None and batch.reduction == "inconsistent", batch
    assert not result.success
    assert "nor its own one-sample steps taken in turn" in verdict_sentence(result)


def test_a_mean_over_a_list_is_the_batch_mean(tmp_path: Path) -> None:
    result = check(tmp_path, MEAN.format(op="+=")).result
    batch = result.verdict.batch
    assert batch is not None and (result.identified, batch.reduction) == ("mse", "mean"), batch


def test_a_gradient_overwritten_over_a_list_is_no_batch_gradient(tmp_path: Path) -> None:
    # g[k][i] = … keeps the last sample's term only, divided by the list's length: at one sample
    # exactly the mse gradient, at n samples the last sample's over n
    result = check(tmp_path, MEAN.format(op="=")).result
    batch = result.verdict.batch
    assert result.identified == "mse"
    assert batch is not None and batch.reduction == "inconsistent", batch
    assert not result.success


# the same mean, taken over mini-batches of ``batch_size`` samples of the list. Its batch size is given
# the list's length, never 1: at 1 every mini-batch is one sample, and an accumulator overwritten (=)
# where it should be added to (+=) would pass as online gradient descent
MINI_BATCHES = """
import math
import random


class Net:
    def __init__(self, n_in=3, n_out=2, rate=0.5):
        self.rate = rate
        self.w = [[random.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)]

    def output(self, x):
        return [1 / (1 + math.exp(-sum(w * xi for w, xi in zip(row, x)))) for row in self.w]

    def train(self, samples, targets, batch_size):
        for start in range(0, len(samples), batch_size):
            chunk = list(zip(samples, targets))[start:start + batch_size]
            g = [[0.0] * len(row) for row in self.w]
            for x, t in chunk:
                o = self.output(x)
                for k, row in enumerate(self.w):
                    for i in range(len(row)):
                        g[k][i] {op} (o[k] - t[k]) * o[k] * (1 - o[k]) * x[i]
            for k, row in enumerate(self.w):
                for i in range(len(row)):
                    row[i] -= self.rate * g[k][i] / len(chunk)
"""


def test_a_mini_batch_size_is_given_the_lists_length() -> None:
    params = list(inspect.signature(lambda samples, targets, batch_size: None).parameters.values())
    made = method_call("net", "train", params, {"samples": "1"}, training=True, dataset=True)
    assert made is not None and made[0] == "net.train([x], [y], len([x]))", made


def test_a_mini_batch_accumulator_overwritten_is_no_batch_gradient(tmp_path: Path) -> None:
    right = check(tmp_path, MINI_BATCHES.format(op="+=")).result
    assert right.verdict.batch is not None and right.verdict.batch.reduction == "mean", right.verdict.batch
    wrong = check(tmp_path, MINI_BATCHES.format(op="=")).result
    assert wrong.identified == "mse", "at one sample the overwrite is exact"
    assert wrong.verdict.batch is not None and wrong.verdict.batch.reduction == "inconsistent"
    assert not wrong.success


# one sigmoid output of a tanh layer, labels one number per sample: dz = p − y is ∂/∂z of the binary
# cross-entropy, stepped one sample at a time. Given labels of the wrong layout first (one-hot rows),
# the step makes the weights' entries arrays of unequal shapes: that reading fails by name, and the
# labels as numbers are read next.
SCALAR_LABELS = """
import math
import random


class TinyNet:
    def __init__(self, n_in=2, n_hidden=3, lr=0.1):
        self.w1 = [[random.gauss(0, 1) for _ in range(n_in)] for _ in range(n_hidden)]
        self.w2 = [random.gauss(0, 1) for _ in range(n_hidden)]
        self.lr = lr

    def forward(self, x):
        self.h = [math.tanh(sum(w * v for w, v in zip(row, x))) for row in self.w1]
        return 1.0 / (1.0 + math.exp(-sum(w * h for w, h in zip(self.w2, self.h))))

    def train(self, samples, labels):
        for x, y in zip(samples, labels):
            dz = self.forward(x) - y
            for j in range(len(self.w2)):
                dh = dz * self.w2[j] * (1 - self.h[j] ** 2)
                self.w2[j] -= self.lr * dz * self.h[j]
                for i in range(len(x)):
                    self.w1[j][i] -= self.lr * dh * x[i]
"""


def test_labels_that_make_the_weights_ragged_are_a_failed_reading(tmp_path: Path) -> None:
    result = check(tmp_path, SCALAR_LABELS).result
    batch = result.verdict.batch
    assert result.identified == "bce"
    assert batch is not None and batch.reduction == "sequential", batch


# a forward pass of one 1-D sample with a bias input prepended (np.concatenate of a 1 and the sample,
# axis 0), beside a training method that takes the data set as a matrix and prepends a column of ones;
# tanh layers, d_out = (y − a) ⊙ (1 − a²) added to the weights: the mse step on each sample, its samples
# taken in turn
MATRIX_FIT = """
import numpy as np


class Net:
    def __init__(self, sizes):
        rng = np.random.default_rng(5)
        first = rng.uniform(-1, 1, (sizes[0] + 1, sizes[1]))
        self.weights = [first, rng.uniform(-1, 1, (sizes[1], sizes[2]))]

    def predict(self, x):
        a = np.concatenate((np.ones(1), np.array(x)), axis=0)
        for w in self.weights:
            a = np.tanh(a @ w)
        return a

    def fit(self, X, y, learning_rate=0.2, epochs=100):
        X = np.concatenate((np.ones((X.shape[0], 1)), X), axis=1)
        for k in range(epochs):
            for i in range(X.shape[0]):
                a = [X[i]]
                for w in self.weights:
                    a.append(np.tanh(a[-1] @ w))
                delta = (y[i] - a[-1]) * (1 - a[-1] ** 2)
                hidden = (delta @ self.weights[1].T) * HIDDEN
                self.weights[1] += learning_rate * np.outer(a[1], delta)
                self.weights[0] += learning_rate * np.outer(a[0], hidden)
"""


def test_a_matrix_training_method_beside_a_one_sample_forward_pass(tmp_path: Path) -> None:
    """The step is handed the sample as a matrix of one row (``np.array([x])``), and a batch as the
    matrix of its rows: stepped through one sample at a time; with the hidden derivative left out, no
    loss's."""
    for hidden, identified in (("(1 - a[1] ** 2)", "mse"), ("1", None)):
        path = tmp_path / "matrix_fit.py"
        path.write_text(textwrap.dedent(MATRIX_FIT).replace("HIDDEN", hidden), encoding="utf-8")
        report = check_target(CheckRequest.parse(str(path)))
        assert report.result.identified == identified, report.command
        assert "np.array([x])" in str(report.command), report.command
        if identified is not None:
            batch = report.result.verdict.batch
            assert batch is not None and batch.reduction == "sequential", batch
