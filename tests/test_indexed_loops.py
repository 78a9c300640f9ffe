"""Top-level training loops that walk the samples by an index: ``for i in range(len(X)):`` (or
``range(X.shape[0])``) and ``while j < len(X): … j += 1``, the body reading ``X[i]`` and its label
``T[i]``. The body is one sample's step, at the first index; at a batch every pass is run as written
and compared with the one-sample steps taken in turn, which is how a label read from the wrong sample
shows.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

# tanh hidden layer, softmax output, one-hot target built from a class index: dz = p − t is the output
# delta of −Σ t log p on the softmax, dh = (W2 dz) ⊙ (1 − h²) back-propagates it through tanh: the
# cross-entropy step; with the derivative written (1 − h) the hidden layer is no loss's
RANGED = """
import numpy as np

rng = np.random.default_rng(3)
X = rng.normal(size=(8, 3))
labels = rng.integers(0, 2, size=8)
W1 = rng.normal(0, 0.5, (3, 4)); b1 = np.zeros(4)
W2 = rng.normal(0, 0.5, (4, 2)); b2 = np.zeros(2)
eta = 0.2


def softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


for epoch in range(50):
    for i in RANGE:
        x = X[i]
        t = np.zeros(2)
        t[labels[LABEL]] = 1
        h = np.tanh(x @ W1 + b1)
        p = softmax(h @ W2 + b2)
        dz = p - t
        dh = (W2 @ dz) * DERIVATIVE
        W2 -= eta * np.outer(h, dz); b2 -= eta * dz
        W1 -= eta * np.outer(x, dh); b1 -= eta * dh
"""


def _write(tmp_path: Path, source: str, **parts: str) -> Path:
    for key, value in parts.items():
        source = source.replace(key.upper(), value)
    path = tmp_path / "indexed.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


@pytest.mark.parametrize("over", ["range(len(X))", "range(X.shape[0])", "range(0, len(X))"])
@pytest.mark.parametrize(("derivative", "identified"), [("(1 - h ** 2)", "cross_entropy"), ("(1 - h)", None)])
def test_a_loop_over_the_index_of_the_samples(
    tmp_path: Path, over: str, derivative: str, identified: str | None
) -> None:
    """The body's ``x = X[i]`` is one sample of the probe's batch, renamed off the check's own ``x``;
    a batch is stepped through one sample at a time."""
    path = _write(tmp_path, RANGED, range=over, label="i", derivative=derivative)
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "x_sample = X[i]" in str(report.command), report.command
    if identified is not None:
        batch = report.result.verdict.batch
        assert batch is not None and batch.reduction == "sequential", batch


# each sample stepped towards the previous sample's label: at the first index the label is the last
# sample's, so the one-pass step depends on which samples the batch holds; at batch 1 the last sample is
# the first, and the step is the cross-entropy step: only the batch tells the bug
def test_a_label_read_from_the_wrong_sample_is_caught_at_a_batch(tmp_path: Path) -> None:
    path = _write(tmp_path, RANGED, range="range(len(X))", label="i - 1", derivative="(1 - h ** 2)")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "cross_entropy"
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "inconsistent"
    assert not result.success


# a tanh network for regression: delta = (out − t) ⊙ (1 − out²) is the output delta of ½(out − t)² on a
# tanh output; the samples walked by a while loop and an index advanced at the end of the body
WHILE = """
import numpy as np

rng = np.random.default_rng(5)
X = rng.uniform(-1, 1, (6, 2))
Y = np.sin(X[:, :1])
V = rng.normal(0, 1, (2, 3)); c = np.zeros(3)
U = rng.normal(0, 1, (3, 1)); d = np.zeros(1)
lr = 0.05
for epoch in range(100):
    j = 0
    while j < len(X):
        x, t = X[j], Y[INDEX]
        hid = np.tanh(x @ V + c)
        out = np.tanh(hid @ U + d)
        delta = (out - t) * (1 - out ** 2)
        dhid = (U @ delta) * (1 - hid ** 2)
        U = U - lr * np.outer(hid, delta); d = d - lr * delta
        V = V - lr * np.outer(x, dhid); c = c - lr * dhid
        j += 1
"""


@pytest.mark.parametrize(("index", "reduction"), [("j", "sequential"), ("0", "inconsistent")])
def test_a_while_loop_over_the_index_of_the_samples(tmp_path: Path, index: str, reduction: str) -> None:
    """``while j < len(X): … j += 1`` is read as ``for j in range(len(X)):``. With every label read as
    ``Y[0]`` the one-pass step is still the mse step (the first sample's own label), and the bug shows
    at a batch."""
    path = _write(tmp_path, WHILE, index=index)
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "mse"
    assert result.verdict.batch is not None and result.verdict.batch.reduction == reduction
    assert result.success is (reduction == "sequential")


# the samples' count written out (range(6) over six samples), each sample made a column
# (data[i][None].T), its class written into a one-hot column (target[actual[i]][0] = 1); softmax
# output: l2 − target is the output delta of −Σ t log p, back-propagated through the sigmoid hidden
# layer: the cross-entropy step; with the derivative written l1 instead of l1 (1 − l1), no loss's
COUNTED_COLUMNS = """
import numpy as np

rng = np.random.default_rng(7)
data = rng.normal(size=(6, 4))
actual = rng.integers(0, 3, size=6)
syn0 = rng.normal(size=(5, 4)) / 2
syn1 = rng.normal(size=(3, 5)) / 2
rate = 0.1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


for epoch in range(100):
    for i in range(6):
        l0 = data[i][None].T
        l1 = sigmoid(syn0 @ l0)
        l2 = softmax(syn1 @ l1)
        target = np.zeros([3, 1])
        target[actual[i]][0] = 1
        error_hidden = (syn1.T @ (l2 - target)) * DERIVATIVE
        syn1 -= rate * np.outer(l2 - target, l1.T)
        syn0 -= rate * np.outer(error_hidden, l0.T)
"""


@pytest.mark.parametrize(("derivative", "identified"), [("l1 * (1 - l1)", "cross_entropy"), ("l1", None)])
def test_a_loop_whose_sample_count_is_written_out(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``for i in range(6):`` over six samples reads ``data[i]``: the samples walked by index; the
    labels, named ``actual``, are read as class indices written into a one-hot column."""
    path = _write(tmp_path, COUNTED_COLUMNS, derivative=derivative)
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    if identified is not None:
        batch = report.result.verdict.batch
        assert batch is not None and batch.reduction == "sequential", batch


@pytest.mark.parametrize(
    "over", ["range(1, len(X))", "range(len(X) - 1)", "range(X.shape[0] - 1)", "range(0, len(X), 2)"]
)
def test_a_loop_whose_range_leaves_samples_out_is_refused(tmp_path: Path, over: str) -> None:
    """On one sample such a loop takes no step (or, every other sample, leaves half the batch out): a
    verdict read off its body at index 0 would be about a step the code never takes."""
    path = _write(tmp_path, RANGED, range=over, label="i", derivative="(1 - h ** 2)")
    with pytest.raises(InputError, match=r"leaves some out \(for i in range"):
        check_target(CheckRequest.parse(str(path)))
