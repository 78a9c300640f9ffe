"""``d``: the desired output (Haykin's notation) or an error handed in; the method says which.

In Haykin's *Neural Networks and Learning Machines* (3rd ed., §4.4) the error of output ``j`` is
``e_j = d_j − y_j``, ``d`` the desired response; many courses write ``train(self, x, d)`` so. Elsewhere
``d`` is the error a backward pass is handed. A method that runs the forward pass itself and then
subtracts ``d`` computes the error from it: ``d`` is the labels. Read as an error, a correct step was
called no loss's gradient. The verdict below is derived by hand: a sigmoid network whose output delta is
``(d − y) ⊙ y(1 − y)``, added to the weights, is the gradient of ½ Σ (y − d)².
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.desired_outputs import desired_outputs
from verification.reading.loader import load_script
from verification.units.check import wants_units

HAYKIN = """
import numpy as np


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


class Perceptron:
    def __init__(self, n_in=3, n_hidden=4, n_out=2, eta=0.1):
        self.eta = eta
        self.w1 = np.random.randn(n_in, n_hidden)
        self.w2 = np.random.randn(n_hidden, n_out)

    def forward(self, x):
        self.h = sigmoid(x @ self.w1)
        return sigmoid(self.h @ self.w2)

    def train(self, x, d):
        y = self.forward(x)
        e = (d - y) * OUTPUT_FACTOR
        back = (e @ self.w2.T) * self.h * (1 - self.h)
        self.w2 += self.eta * self.h.T @ e
        self.w1 += self.eta * x.T @ back
"""


@pytest.mark.parametrize(("factor", "identified"), [("y * (1 - y)", "mse"), ("y", None)])
def test_the_desired_output_d_is_the_labels(tmp_path: Path, factor: str, identified: str | None) -> None:
    """``train(x, d)`` with ``e = (d − y) σ'``: the squared error's gradient, at the class's rate; with
    ``y`` in place of ``σ'`` no loss's."""
    path = tmp_path / "haykin.py"
    path.write_text(HAYKIN.replace("OUTPUT_FACTOR", factor), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.train(x, y)" in (report.command or ""), report.command


def test_an_error_handed_to_a_backward_pass_stays_an_error() -> None:
    """``backward(self, d)`` that runs no forward pass, and ``train(self, x, d)`` that subtracts
    nothing, are handed an error; only the method that computes one from ``d`` takes labels there."""

    class Net:
        def forward(self, x):  # pragma: no cover - read, not run
            return x

        def backward(self, d):  # pragma: no cover
            self.g = d - 0

        def step(self, x, d):  # pragma: no cover
            self.g = self.forward(x) * d

        def train(self, x, d):  # pragma: no cover
            y = self.forward(x)
            self.g = d - y

    assert desired_outputs(Net.backward) == {}
    assert desired_outputs(Net.step) == {}
    assert desired_outputs(Net.train) == {"d": "y"}


DESIRED_BACKWARD = """
import numpy as np


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


class Net:
    def __init__(self, n_in=3, n_hidden=4, n_out=2):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)

    def forward(self, x):
        self.x = x
        self.h = sigmoid(x @ self.W1)
        self.out = sigmoid(self.h @ self.W2)
        return self.out

    def backward(self, d):
        e = d - self.out
        delta2 = -e * OUTPUT_FACTOR
        delta1 = (delta2 @ self.W2.T) * self.h * (1 - self.h)
        return {"W1": self.x.T @ delta1, "W2": self.h.T @ delta2}
"""


@pytest.mark.parametrize(("factor", "identified"), [("self.out * (1 - self.out)", "mse"), ("1.0", "bce")])
def test_a_backward_handed_the_desired_output_is_a_networks(
    tmp_path: Path, factor: str, identified: str
) -> None:
    """``backward(self, d)`` with ``e = d − self.out``, returning its gradients by name: not a layer's
    backward of an upstream gradient (read so, it was called a mismatch), but the network's, handed the
    labels after its forward pass. With ``σ'`` in the output delta it is the squared error's gradient,
    without it binary cross-entropy's."""
    path = tmp_path / "desired_backward.py"
    path.write_text(DESIRED_BACKWARD.replace("OUTPUT_FACTOR", factor), encoding="utf-8")
    assert wants_units(load_script(path), None) is None, "read as a layer of units, not as a network"
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.backward(y)" in (report.command or ""), report.command


HANDED_ON = """
import numpy as np


class MLP:
    def __init__(self, m0=3, m1=5, m2=2, eta=0.05):
        self.w1 = np.random.randn(m1, m0) * 0.5
        self.w2 = np.random.randn(m2, m1) * 0.5
        self.eta = eta

    def forward(self, x):
        self.y1 = np.tanh(self.w1 @ x)
        return self.w2 @ self.y1

    def corrections(self, x, d):
        e = d - self.forward(x)
        delta1 = HIDDEN_FACTOR * (self.w2.T @ e)
        return self.eta * np.outer(delta1, x), self.eta * np.outer(e, self.y1)

    def train(self, x, d):
        dw1, dw2 = self.corrections(x, d)
        self.w1 += dw1
        self.w2 += dw2
"""


@pytest.mark.parametrize(("factor", "identified"), [("(1 - self.y1 ** 2)", "mse"), ("self.y1", None)])
def test_a_desired_output_handed_on_to_the_method_that_uses_it_is_the_labels(
    tmp_path: Path, factor: str, identified: str | None
) -> None:
    """``train(x, d)`` hands ``d`` to ``corrections(x, d)``, which computes ``e = d − y``: ``d`` is the
    labels of the training step (read as an error, correct code was called no loss's gradient). With
    ``tanh'`` in the hidden delta the step is the squared error's gradient at the class's rate."""
    path = tmp_path / "handed_on.py"
    path.write_text(HANDED_ON.replace("HIDDEN_FACTOR", factor), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.train(x, y)" in (report.command or ""), report.command


class Converted:
    """``teach`` made an array before it is subtracted from the output the forward pass kept; ``grad``
    only multiplied: the labels, and an upstream gradient."""

    def forward(self, x: object) -> object:
        self.out = x
        return x

    def backward(self, teach: object) -> object:
        import numpy as np

        return self.out - np.array(teach, dtype=float)

    def backward_layer(self, grad: object) -> object:
        return grad * self.out  # type: ignore[operator]


def test_labels_converted_to_an_array_before_the_subtraction_are_the_labels() -> None:
    assert desired_outputs(Converted.backward) == {"teach": "y"}
    assert desired_outputs(Converted.backward_layer) == {}


# A training function that runs the forward pass itself and takes the labels under the name Out
# (backProp(Inp, Out, hl1, hl2, iter): ErrorOut = Out − A2). It is never handed the network's output,
# whatever the name says: Out is the labels. Bias columns, sigmoid layers, the update hl += Alpha · (…) with
# the error Out − A2 through σ'(A2): mse, summed over the batch; with the hidden error taken through
# σ(z) where σ'(a) belongs, no loss's gradient.
OWN_FORWARD = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def sigmoid_der(a):
    return a * (1 - a)

def forwardProp(Inp, hl1, hl2):
    Inp = np.c_[np.ones(Inp.shape[0]), Inp]
    A1 = np.c_[np.ones(Inp.shape[0]), sigmoid(np.dot(Inp, hl1))]
    return A1, sigmoid(np.dot(A1, hl2))

def backProp(Inp, Out, hl1, hl2, iter):
    for i in range(iter):
        A1, A2 = forwardProp(Inp, hl1, hl2)
        ErrorOut = Out - A2
        ErrorL2 = ErrorOut * sigmoid_der(A2)
        delL1 = ErrorL2.dot(hl2[1:, :].T) * sigmoid_der(A1[:, 1:])
        hl2 += Alpha * A1.T.dot(ErrorL2)
        hl1 += Alpha * np.c_[np.ones(Inp.shape[0]), Inp].T.dot(delL1)
    return A2

hl1 = np.random.random((3, 2))
hl2 = np.random.random((3, 1))
Alpha = 0.5
"""


@pytest.mark.parametrize(("hidden", "identified"), [("sigmoid_der(A1[:, 1:])", "mse"), ("A1[:, 1:]", None)])
def test_a_function_that_runs_its_own_forward_pass_takes_the_labels_under_any_name(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "xor.py"
    path.write_text(OWN_FORWARD.replace("sigmoid_der(A1[:, 1:])", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "backProp(x, y, hl1, hl2, 1)" in (report.recipe.step or "")
    assert report.recipe.lr == "Alpha"
