"""A gradient that does not change with the labels is no loss's gradient the check can read
(:mod:`verification.identification.label_dependence`): the check is refused, never answered "none"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.identification.check import check_target
from verification.identification.label_dependence import other_labels
from verification.identification.request import CheckRequest
from verification.runs.exits import cause_of

# The forward pass keeps what the backward pass needs; the loss and the backward are run by a training
# function the check does not find, and get_params_and_grads() only reads what the last backward stored.
# Called after a forward pass alone, it returns the placeholders of construction time whatever the
# labels (placeholders of zeros are refused earlier, as no gradient at all).
GETTER = """
import numpy as np


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = np.random.randn(input_size, hidden_size) * 0.5
        self.W2 = np.random.randn(hidden_size, output_size) * 0.5
        self.dW1 = np.full_like(self.W1, 1e-3)  # a placeholder of the gradient's shape
        self.dW2 = np.full_like(self.W2, 1e-3)

    def forward(self, x):
        self.x = x
        self.h = np.tanh(x @ self.W1)
        self.out = self.h @ self.W2
        return self.out

    def backward(self, dout):
        self.dW2 = self.h.T @ dout
        self.dW1 = self.x.T @ ((dout @ self.W2.T) * (1 - self.h ** 2))

    def get_params_and_grads(self):
        return [self.W1, self.W2], [self.dW1, self.dW2]
"""


def explicit(gradient: str) -> Options:
    return Options(setup="net = TwoLayerNet(4, 5, 3)", forward="net.forward(x)", gradient=gradient)


def test_a_getter_of_stored_gradients_called_after_a_forward_pass_alone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "getter.py"
    path.write_text(GETTER, encoding="utf-8")
    grads = "dict(zip(['W1', 'W2'], net.get_params_and_grads()[1]))"
    request = CheckRequest.parse(str(path), options=explicit(f"out = net.forward(x); {grads}"))
    with pytest.raises(InputError, match="is the same for other labels") as caught:
        check_target(request)
    assert cause_of(caught.value) == "input"
    # with the backward run on the labels the same getter gives squared error's gradient
    request = CheckRequest.parse(
        str(path), options=explicit(f"out = net.forward(x); net.backward(out - y); {grads}")
    )
    assert check_target(request).result.identified == "mse"


def test_a_gradient_computed_now_that_ignores_the_labels_is_judged_a_bug(tmp_path: Path) -> None:
    """The backward pass is run on the current inputs, but handed a gradient of ones in place of the
    loss's (``out - y`` forgotten): it changes with the inputs and not with the labels, a bug of the
    code, which the verdict names (the gradient of no loss), not a reading the check failed."""
    path = tmp_path / "getter.py"
    path.write_text(GETTER, encoding="utf-8")
    grads = "dict(zip(['W1', 'W2'], net.get_params_and_grads()[1]))"
    forgot = f"out = net.forward(x); net.backward(np.ones_like(out)); {grads}"
    report = check_target(CheckRequest.parse(str(path), options=explicit(forgot)))
    assert report.result.identified is None
    assert report.result.verdict.output_error is not None


@pytest.mark.parametrize(
    "y",
    [
        np.eye(3)[[0, 2, 1]],
        np.eye(2)[[0, 1]],
        np.array([[0.0], [1.0]]),
        np.array([[0.5], [0.5]]),
        np.eye(3)[[1, 1]],
    ],
)
def test_other_labels_change_every_entry_and_the_sums_over_the_samples(y: np.ndarray) -> None:
    """Units dead at the draw hide the labels of their outputs; a gradient summed over the samples sees
    only the labels' sums where the output does not depend on the input (rows [1, 0] and [0, 1] rolled
    are the same two rows): one of the other labels changes every entry, one every sum."""
    moved, shifted, flipped = other_labels(y)
    assert not np.allclose(moved.sum(axis=0), y.sum(axis=0))
    assert np.all(shifted != y) and not np.allclose(shifted.sum(axis=0), y.sum(axis=0))
    assert np.all(flipped != y) or np.any(y == 0.5)


# an autoencoder: its backward takes the input as the target of its squared error, so the call the
# check detects (net.backward(x)) hands it no labels; judged against labels, it was called the gradient
# of no loss though it is mse's of the reconstruction
AUTOENCODER = """
import numpy as np


class Autoencoder:
    def __init__(self, n=4, code=2):
        self.We = np.random.randn(n, code) * 0.5
        self.Wd = np.random.randn(code, n) * 0.5

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.We)
        self.Xhat = self.h @ self.Wd
        return self.Xhat

    def backward(self, X):
        g = (self.Xhat - X) / len(X)
        dWd = self.h.T @ g
        dWe = self.X.T @ ((g @ self.Wd.T) * (1 - self.h ** 2))
        return dWe, dWd
"""


def test_a_call_that_hands_no_labels_to_a_gradient_blind_to_them_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "autoencoder.py"
    path.write_text(AUTOENCODER, encoding="utf-8")
    with pytest.raises(InputError, match="hands it none") as caught:
        check_target(CheckRequest.parse(str(path)))
    assert cause_of(caught.value) == "ambiguous"
    # handed the labels as its target, the same backward is squared error's gradient
    backward = "net.forward(x); net.backward(y)"
    given = Options(setup="net = Autoencoder()", forward="net.forward(x)", gradient=backward)
    assert check_target(CheckRequest.parse(str(path), options=given)).result.identified == "mse"
