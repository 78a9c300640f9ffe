"""A network class in a package module (``fnn/network.py``) whose only driver is a script beside the
package (``run.py``: ``from fnn import network``, ``net = network.Net(shape=…)`` in ``main()``), whose
module imports its own package (``from fnn import activation``), and whose only forward pass lives in
an evaluation method that returns the accuracy (``test(X, y)``): the construction is read from the
driver, the package is imported from the folder above it, and the output is read as ``test``'s local.
The network is written for the test in that style; its verdicts are derived by hand in the comments."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

ACTIVATION = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
"""

# sigmoid layers; dZ = (a − y) ⊙ a(1 − a) at the output and dZ Wᵀ ⊙ a(1 − a) below it, each dW = Aᵀ dZ / m:
# the gradient of the batch mean of ½‖a − y‖² (mse); with the hidden derivative left out, no loss's
NETWORK = """
import numpy as np

from fnn import activation


class Net:
    def __init__(self, shape, learning_rate):
        self.shape, self.learning_rate = shape, learning_rate
        self.W = [np.random.randn(shape[i], shape[i + 1]) for i in range(len(shape) - 1)]

    def test(self, X, y):
        a = X
        for W in self.W:
            a = activation.sigmoid(a.dot(W))
        return np.mean((a > 0.5) == y)

    def train(self, X, y):
        m = X.shape[0]
        A = [X]
        for W in self.W:
            A.append(activation.sigmoid(A[-1].dot(W)))
        dZ = (A[-1] - y) * A[-1] * (1 - A[-1])
        for i in reversed(range(len(self.W))):
            dW = A[i].T.dot(dZ) / m
            if i > 0:
                dZ = dZ.dot(self.W[i].T) * HIDDEN
            self.W[i] -= self.learning_rate * dW
"""

DRIVER = """
import numpy as np
from fnn import network


def main():
    data = np.loadtxt("data.csv", delimiter=",")
    X, y = data[:, :3], data[:, 3:]
    net = network.Net(shape=(3, 4, 2), learning_rate=0.1)
    for epoch in range(100):
        net.train(X, y)
    print(net.test(X, y))


main()
"""


def _project(tmp_path: Path, hidden: str, driver: bool = True) -> Path:
    package = tmp_path / "fnn"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "activation.py").write_text(textwrap.dedent(ACTIVATION), encoding="utf-8")
    (package / "network.py").write_text(textwrap.dedent(NETWORK).replace("HIDDEN", hidden), encoding="utf-8")
    if driver:
        (tmp_path / "run.py").write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    return package / "network.py"


@pytest.mark.parametrize(("hidden", "identified"), [("A[i] * (1 - A[i])", "mse"), ("1", None)])
def test_a_package_module_is_built_as_the_driver_beside_its_package_builds_it(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    report = check_target(CheckRequest.parse(str(_project(tmp_path, hidden))))
    assert report.result.identified == identified, report.command
    assert "Net(shape=(3, 4, 2), learning_rate=0.1)" in report.command
    assert report.recipe is not None and "net.test, 'a', x, y" in report.recipe.forward, "test's local a"


# test(X, y) keeps the scores z = h W2 and returns the accuracy of their argmax against class indices;
# train hands (softmax(z) − Y) / n back: ∂/∂z of the batch mean of −Σ y log softmax(z), so with the
# loss read on the softmax of the output (the output reading), cross_entropy
SCORED = """
import numpy as np


class Classifier:
    def __init__(self, dims, lr=0.1):
        n_in, n_hid, n_cls = dims
        self.W1 = np.random.randn(n_in, n_hid)
        self.W2 = np.random.randn(n_hid, n_cls)
        self.lr = lr

    def train(self, X, Y):
        h = np.tanh(X @ self.W1)
        scores = h @ self.W2
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        d_scores = (e / e.sum(axis=1, keepdims=True) - Y) / len(X)
        dz1 = (d_scores @ self.W2.T) * (1 - h ** 2)
        self.W2 -= self.lr * h.T @ d_scores
        self.W1 -= self.lr * X.T @ dz1

    def test(self, X, y):
        h = np.tanh(X @ self.W1)
        scores = h @ self.W2
        return np.mean(np.argmax(scores, axis=1) == y)


clf = Classifier((4, 6, 3))
"""


# the same, its evaluation named evaluate with a defaulted tolerance, the scores in a_o, the argmax a
# method of the array
EVALUATED = (
    SCORED.replace("def test(self, X, y):", "def evaluate(self, X, y, tol=0.5):")
    .replace(
        "        scores = h @ self.W2\n        return np.mean",
        "        a_o = h @ self.W2\n        return np.mean",
    )
    .replace("np.argmax(scores, axis=1) == y", "a_o.argmax(axis=1) == y")
)


@pytest.mark.parametrize(
    ("source", "read"), [(SCORED, "clf.test, 'scores'"), (EVALUATED, "clf.evaluate, 'a_o'")]
)
def test_the_scores_an_accuracy_takes_the_argmax_of_are_the_output(
    tmp_path: Path, source: str, read: str
) -> None:
    path = tmp_path / "scored.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    assert "a_o.argmax" in path.read_text(encoding="utf-8") or "scores" in read
    report = check_target(CheckRequest.parse(str(path)))
    assert report.recipe is not None and read in report.recipe.forward
    assert (report.result.identified, report.result.reading) == ("cross_entropy", "softmax")
