"""Readings of a setup that a guess hid or missed, in scripts written here (none is a copy), with the
verdicts derived by hand in their comments: a label argument whose name says nothing, dropout switched
off by a guess, and scores with class-index labels together."""

from __future__ import annotations

import textwrap
from pathlib import Path

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.desired_outputs import desired_outputs
from verification.reading.loader import load_script


def check(tmp_path: Path, source: str) -> tuple[str | None, str]:
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    return report.result.identified, report.command or ""


# rate = exp(z), dz = rate − counts = ∂/∂z Σ (rate − counts · log rate): Poisson's negative log
# likelihood, summed over the batch; ``counts`` is subtracted from the forward pass's output, so it
# is the labels, not an upstream gradient handed to a layer
COUNTS = """
import numpy as np

class CountNet:
    def __init__(self, n_features, n_hidden=5):
        self.W1 = np.random.randn(n_features, n_hidden) * 0.3
        self.w2 = np.random.randn(n_hidden, 1) * 0.3

    def forward(self, X):
        self.X = X
        self.H = np.tanh(X @ self.W1)
        self.rate = np.exp(self.H @ self.w2)
        return self.rate

    def backward(self, counts):
        dz = self.rate - counts
        dH = dz @ self.w2.T * (1 - self.H ** 2)
        return {"W1": self.X.T @ dH, "w2": self.H.T @ dz}
"""


def test_an_argument_of_no_known_role_subtracted_from_the_output_is_the_labels(tmp_path: Path) -> None:
    path = tmp_path / "counts.py"
    path.write_text(textwrap.dedent(COUNTS), encoding="utf-8")
    assert desired_outputs(load_script(path).get("CountNet").backward) == {"counts": "y"}
    assert check(tmp_path, COUNTS)[0] == "poisson_nll"


# inverted dropout on the hidden layer (keep probability 0.8 by default) from NumPy's generator; the
# backward pass forgets the mask, so dW1 = Xᵀ(dA1 ⊙ relu'(Z1)) lacks the factor D1/0.8 that the
# forward pass applied: the hidden layer's gradient is no loss's. With MASK the mask is applied and
# dz = out − Y back-propagates ½‖out − y‖²: mse.
DROPOUT = """
import numpy as np

class DropoutNet:
    def __init__(self, n_in, n_hidden, n_out, keep_prob=0.8):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.keep_prob = keep_prob

    def forward(self, X):
        self.X = X
        self.Z1 = X @ self.W1
        self.D1 = np.random.rand(*self.Z1.shape) < self.keep_prob
        self.A1 = np.maximum(self.Z1, 0) * self.D1 / self.keep_prob
        self.out = self.A1 @ self.W2
        return self.out

    def backward(self, Y):
        dout = self.out - Y
        dA1 = dout @ self.W2.T MASK
        dZ1 = dA1 * (self.Z1 > 0)
        return {"W1": self.X.T @ dZ1, "W2": self.A1.T @ dout}
"""


def test_dropout_is_checked_as_the_author_sets_it_so_a_forgotten_mask_is_caught(tmp_path: Path) -> None:
    identified, command = check(tmp_path, DROPOUT.replace("MASK", ""))
    assert identified is None, command
    identified, command = check(tmp_path, DROPOUT.replace("MASK", "* self.D1 / self.keep_prob"))
    assert identified == "mse", command
    assert "keep_prob" not in command, command  # the author's 0.8, not a guess that switches it off


# scores out of forward; the loss takes class indices (``probs[np.arange(n), y]``) and returns
# dlogits = (softmax(s) − onehot(y)) / n, the gradient of the mean cross-entropy on softmax(s): only
# labels given as indices *and* the loss applied to the softmax read it so
INDEXED_SCORES = """
import numpy as np

class TwoLayer:
    def __init__(self, n_in=4, n_hidden=5, n_out=3):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.W1)
        return self.h @ self.W2

    def train_step(self, Xb, yb, lr):
        s = self.forward(Xb)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        yb = yb.astype(np.int64)
        p[np.arange(len(yb)), yb] -= 1
        p /= len(yb)
        dh = p @ self.W2.T * (1 - self.h ** 2)
        self.W2 -= lr * self.h.T @ p
        self.W1 -= lr * self.X.T @ dh
"""


def test_scores_and_class_indices_are_read_together(tmp_path: Path) -> None:
    identified, command = check(tmp_path, INDEXED_SCORES)
    assert identified == "cross_entropy", command
    assert "--labels index" in command and "--output softmax" in command, command


# Nielsen's pairs with a forward that makes a column of whatever sample it is given: the labels must be
# (k, 1) columns too, so one-hot labels run only when the pairs are columns, never as the (1, k) rows
# of the layout detected first. Sigmoid output, output delta a − y: the gradient of bce of each
# sample; the step takes the mean over the pairs
COLUMN_PAIRS = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def as_column(v):
    v = np.array(v)
    return v.reshape(v.size, 1)

class Net:
    def __init__(self, sizes):
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]

    def feed(self, x, keep=False):
        a = as_column(x)
        seen = [a]
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
            seen.append(a)
        return seen if keep else a

    def learn(self, pairs, rate):
        sums = [np.zeros(w.shape) for w in self.weights], [np.zeros(b.shape) for b in self.biases]
        for x, y in pairs:
            seen = self.feed(x, True)
            delta = seen[-1] - y
            for l in range(len(self.weights) - 1, -1, -1):
                sums[0][l] += delta @ seen[l].T
                sums[1][l] += delta
                if l:
                    delta = (self.weights[l].T @ delta) * seen[l] * (1 - seen[l])
        self.weights = [w - rate / len(pairs) * g for w, g in zip(self.weights, sums[0])]
        self.biases = [b - rate / len(pairs) * g for b, g in zip(self.biases, sums[1])]
"""


def test_labels_that_run_only_as_columns_are_found_with_the_pairs_in_that_layout(tmp_path: Path) -> None:
    identified, command = check(tmp_path, COLUMN_PAIRS)
    assert identified == "bce", command
    assert "--labels one-hot" in command or "--labels" not in command, command


# the same network with a forward that returns the log-rate o; the backward hands on exp(o) − counts,
# the gradient of the Poisson negative log-likelihood Σ (exp(o) − counts · o) of the log-rate:
# poisson_nll on a = exp(o)
LOG_RATE = COUNTS.replace("self.rate = np.exp(self.H @ self.w2)", "self.rate = self.H @ self.w2").replace(
    "dz = self.rate - counts", "dz = np.exp(self.rate) - counts"
)


def test_a_log_rate_output_is_read_as_the_rate_a_poisson_loss_sees(tmp_path: Path) -> None:
    identified, command = check(tmp_path, LOG_RATE)
    assert identified == "poisson_nll", command
    assert "--output exp" in command, command
