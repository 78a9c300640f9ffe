"""Random draws of the samples a training method takes, made fixed: a shuffled or resampled batch is
the same gradient, and the batch probe must see the samples it gave. The networks are written for the
tests; their verdicts are derived by hand in the comments."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import numpy as np
import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.sample_orders import in_order


def rewritten(source: str) -> tuple[dict[str, object], list[tuple[int, str]]]:
    stmt = ast.parse(textwrap.dedent(source)).body[0]
    made, draws = in_order(stmt)
    namespace: dict[str, object] = {"np": np}
    exec(compile(ast.Module(body=[made], type_ignores=[]), "<test>", "exec"), namespace)
    return namespace, [(d.line, d.call) for d in draws]


def test_permutations_shuffles_and_choices_of_samples_are_read_in_order_each_rotated_by_its_count() -> None:
    namespace, draws = rewritten(
        """
        def draws(rng, data):
            order = rng.permutation(5)
            rng.shuffle(data)
            picked = np.random.choice(4, 6, replace=True)
            taken = rng.choice(data, size=2)
            mask = np.random.choice([0, 1], size=3)
            weighted = rng.choice(3, 2, p=[0.2, 0.3, 0.5])
            return order, data, picked, taken, mask, weighted
        """
    )
    order, data, picked, taken, mask, weighted = namespace["draws"](np.random.default_rng(0), [9, 8, 7])  # type: ignore[operator]
    assert order.tolist() == [1, 2, 3, 4, 0] and data == [7, 9, 8]  # the first draw by 1, the second by 2
    assert picked.tolist() == [3, 0, 1, 2, 3, 0] and taken.tolist() == [9, 8]
    assert len(mask) == 3 and len(weighted) == 2  # a mask of a list, draws with weights: the code's own
    assert draws == [(3, "rng.permutation"), (4, "rng.shuffle"), (5, "np.random.choice"), (6, "rng.choice")]


# mini-batches of 2 in an order drawn each epoch; (out − y) σ'(z) averaged over each mini-batch: the
# mean of ½ Σ (a − y)² over the mini-batch, stepped through mini-batch by mini-batch. Accumulated with
# = instead of += in the bias of the output layer, only the mini-batch's last sample counts there
SHUFFLED = """
import numpy as np


class MiniBatchMLP:
    def __init__(self, n_in, n_hidden, n_out, batch_size=2, seed=0):
        self.rng = np.random.default_rng(seed)
        self.W1 = self.rng.normal(0, 0.5, (n_in, n_hidden))
        self.W2 = self.rng.normal(0, 0.5, (n_hidden, n_out))
        self.b2 = np.zeros(n_out)
        self.batch_size = batch_size

    def forward(self, X):
        return 1 / (1 + np.exp(-(np.tanh(X @ self.W1) @ self.W2 + self.b2)))

    def fit(self, X, Y, epochs=10, lr=0.1):
        for epoch in range(epochs):
            order = self.rng.permutation(len(X))
            for start in range(0, len(X), self.batch_size):
                idx = order[start:start + self.batch_size]
                xb, yb = X[idx], Y[idx]
                h = np.tanh(xb @ self.W1)
                out = 1 / (1 + np.exp(-(h @ self.W2 + self.b2)))
                d2 = (out - yb) * out * (1 - out)
                d1 = (d2 @ self.W2.T) * (1 - h ** 2)
                self.W2 -= lr * h.T @ d2 / len(xb)
                gb = np.zeros_like(self.b2)
                for row in d2:
                    gb ACCUMULATE row
                self.b2 -= lr * gb / len(xb)
                self.W1 -= lr * xb.T @ d1 / len(xb)
        return self
"""


@pytest.mark.parametrize(("accumulate", "batches"), [("+=", True), ("=", False)])
def test_a_fit_that_shuffles_its_samples_is_checked_at_a_batch_in_order(
    tmp_path: Path, accumulate: str, batches: bool
) -> None:
    path = tmp_path / "shuffled.py"
    path.write_text(SHUFFLED.replace("ACCUMULATE", accumulate), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == "mse", report.command
    assert r.verdict.holds_for_batches is batches, r.verdict
    fixed = "random draws of samples made fixed (the samples in order, rotated): self.rng.permutation"
    assert f"{fixed} (line 18)" in r.notes, r.notes


# the inputs drawn in an order the labels are not (X[order] beside Y[start:…]), or by two draws of their
# own: the labels stepped with are not those of the samples, which the rotation of each draw shows at a
# batch. Right, one draw indexes both
PAIRED = """
import numpy as np


class Regressor:
    def __init__(self, n_in, n_hidden, n_out):
        rng = np.random.default_rng(0)
        self.A = rng.normal(0, 1, (n_in, n_hidden))
        self.B = rng.normal(0, 1, (n_hidden, n_out))

    def predict(self, X):
        return np.tanh(X @ self.A) @ self.B

    def train(self, X, Y, steps=500, lr=0.05):
        n = X.shape[0]
        for t in range(steps):
            DRAW
            H = np.tanh(Xb @ self.A)
            E = H @ self.B - Yb
            dH = (E @ self.B.T) * (1 - H ** 2)
            self.B -= lr * H.T @ E / n
            self.A -= lr * Xb.T @ dH / n
"""


@pytest.mark.parametrize(
    ("draw", "batches"),
    [
        ("idx = np.random.choice(n, n); Xb, Yb = X[idx], Y[idx]", True),
        ("Xb, Yb = X[np.random.choice(n, n)], Y[np.random.choice(n, n)]", False),
        ("Xb, Yb = X[np.random.permutation(n)], Y", False),
    ],
)
def test_inputs_and_labels_drawn_apart_are_not_read_as_drawn_together(
    tmp_path: Path, draw: str, batches: bool
) -> None:
    path = tmp_path / "paired.py"
    path.write_text(PAIRED.replace("DRAW", draw), encoding="utf-8")
    r = check_target(CheckRequest.parse(str(path))).result
    assert r.identified == "mse", r.verdict
    assert r.verdict.holds_for_batches is batches, r.verdict


def test_draws_after_a_seed_or_a_restored_state_are_rotated_as_the_draw_before_it() -> None:
    """Two shuffles with the generator seeded alike, or its state restored, between them shuffle alike
    (the inputs and the labels in unison); two shuffles in a row do not."""
    namespace, _ = rewritten(
        """
        def unison(a, b, c, d, e, f):
            state = np.random.get_state()
            np.random.shuffle(a)
            np.random.set_state(state)
            np.random.shuffle(b)
            np.random.seed(7)
            np.random.shuffle(c)
            np.random.seed(7)
            np.random.shuffle(d)
            np.random.shuffle(e)
            np.random.shuffle(f)
            return a, b, c, d, e, f
        """
    )
    arrays = [np.arange(4) for _ in range(6)]
    a, b, c, d, e, f = namespace["unison"](*arrays)  # type: ignore[operator]
    assert a.tolist() == b.tolist() == c.tolist() == d.tolist() == [1, 2, 3, 0]
    assert e.tolist() == [2, 3, 0, 1] and f.tolist() == [3, 0, 1, 2]  # rotated apart


# A class that keeps its data (self.X, self.Y = X, Y) and trains on all of it with a method of no
# arguments, shuffling inputs and labels in unison first (the saved generator state restored between
# the two shuffles): the mean over the batch of ½ Σ (a − y)², whatever the order. Without the restored
# state the labels are shuffled apart from their inputs: right for one sample, not for a batch.
UNISON = """
import numpy as np


class Trainer:
    def __init__(self, X, Y, lr=0.1):
        self.X, self.Y = X, Y
        rng = np.random.default_rng(0)
        self.W1 = rng.normal(0, 0.5, (X.shape[1], 5))
        self.W2 = rng.normal(0, 0.5, (5, 1))  # one output; the labels' shape is never read
        self.lr = lr

    def predict(self, X):
        return np.tanh(X @ self.W1) @ self.W2

    def train(self):
        state = np.random.get_state()
        np.random.shuffle(self.X)
        RESTORE
        np.random.shuffle(self.Y)
        H = np.tanh(self.X @ self.W1)
        E = (H @ self.W2 - self.Y) / len(self.X)
        dH = (E @ self.W2.T) * (1 - H ** 2)
        self.W2 -= self.lr * H.T @ E
        self.W1 -= self.lr * self.X.T @ dH
"""


@pytest.mark.parametrize(("restore", "batches"), [("np.random.set_state(state)", True), ("pass", False)])
def test_inputs_and_labels_kept_and_shuffled_in_unison_stay_paired(
    tmp_path: Path, restore: str, batches: bool
) -> None:
    """Each probe hands the class copies of its inputs and labels (the class shuffles what it keeps in
    place; the probe's own must stay as drawn) and puts them where the class keeps them."""
    path = tmp_path / "unison.py"
    path.write_text(UNISON.replace("RESTORE", restore), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert "net.X = x" in (report.recipe.step or ""), report.command
    assert r.identified == "mse" and r.verdict.holds_for_batches is batches, r.verdict


# A random mini-batch smaller than the data (np.random.choice(len(X), batch_size)): each step is on the
# samples it draws, the mean cross-entropy over them; at a batch probe which samples it took is not
# known, so the batch is not judged (neither "holds" nor "fails").
MINI_BATCH = """
import numpy as np


class Softmax:
    def __init__(self, n_in, n_classes, lr=0.1, batch_size=2):
        self.W = np.random.default_rng(0).normal(0, 0.5, (n_in, n_classes))
        self.lr, self.batch_size = lr, batch_size

    def forward(self, X):
        z = X @ self.W
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def train(self, X, Y):
        idx = np.random.choice(len(X), self.batch_size, replace=False)
        xb, yb = X[idx], Y[idx]
        self.W -= self.lr * xb.T @ (self.forward(xb) - yb) / len(xb)
"""


def test_a_step_on_a_random_mini_batch_of_its_own_is_not_judged_at_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "mini.py"
    path.write_text(MINI_BATCH, encoding="utf-8")
    r = check_target(CheckRequest.parse(str(path))).result
    assert r.identified == "cross_entropy", r.verdict
    batch = r.verdict.batch
    assert batch is not None and batch.reduction is None and r.verdict.holds_for_batches, batch  # not failed
    assert "the step draws its own samples at random (np.random.choice, line 16)" in (batch.reason or "")
