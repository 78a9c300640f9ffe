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
