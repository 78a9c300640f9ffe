"""Training methods with reporting switches: ``train(X, Y, iterations, alpha, verbose=True, graph=True,
step=100)`` checks ``step <= iterations`` only when it reports, so the one-iteration step the check runs
is called with the switches off; and a switch named like the error it returns (``return_error=True``)
is no output error handed in; a gradient clipping bound (``max_norm=1.0``) is switched off, since a
clipped step is the gradient scaled by a factor of the probe's own gradient. The networks are written for
the tests in those styles (a course's class with validated arguments, a per-sample fit), each verdict
derived by hand in its comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.call_arguments import CLIPPING, INTERVAL, REPORTING

# columns are samples; a sigmoid output and dZ = A − Y averaged over the m samples: the gradient of bce
# (mean over the batch); dZ = (A − Y) · A (1 − A) would be that of mse
VALIDATED = """
import numpy as np


class Neuron:
    def __init__(self, nx):
        if type(nx) is not int:
            raise TypeError("nx must be an integer")
        self.__W = np.random.randn(1, nx)
        self.__b = 0.0

    @property
    def W(self):
        return self.__W

    def forward_prop(self, X):
        self.__A = 1 / (1 + np.exp(-(self.__W @ X + self.__b)))
        return self.__A

    def train(self, X, Y, iterations=5000, alpha=0.05, verbose=True, graph=True, step=100):
        if type(iterations) is not int or iterations <= 0:
            raise ValueError("iterations must be a positive integer")
        if verbose or graph:
            if step <= 0 or step > iterations:
                raise ValueError("step must be positive and <= iterations")
        m = X.shape[1]
        for _ in range(iterations):
            A = self.forward_prop(X)
            dZ = DZ
            self.__W = self.__W - alpha * (dZ @ X.T) / m
            self.__b = self.__b - alpha * np.sum(dZ) / m
        return self.__A
"""

# one sample at a time, rows; a tanh hidden layer, a linear output and e = out − t: the gradient of mse
PER_SAMPLE = """
import numpy as np


class MLP:
    def __init__(self, n_features, hidden_neurons):
        self.w1 = np.random.randn(n_features, hidden_neurons) * 0.5
        self.w2 = np.random.randn(hidden_neurons, 1) * 0.5

    def predict(self, x):
        return np.tanh(x @ self.w1) @ self.w2

    def fit(self, inputs, targets, iterations, learning_rate, return_error=True):
        errors = []
        for _ in range(iterations):
            for x, t in zip(inputs, targets):
                x, t = x.reshape(1, -1), t.reshape(1, -1)
                h = np.tanh(x @ self.w1)
                e = h @ self.w2 - t
                d_h = (e @ self.w2.T) * (1 - h ** 2)
                self.w2 -= learning_rate * h.T @ e
                self.w1 -= learning_rate * x.T @ d_h
                errors.append(float(np.sum(e ** 2)))
        if return_error:
            return errors
"""


def _check(tmp_path: Path, text: str) -> object:
    path = tmp_path / "net.py"
    path.write_text(text, encoding="utf-8")
    return check_target(CheckRequest.parse(str(path)))


@pytest.mark.parametrize(("dz", "identified"), [("A - Y", "bce"), ("(A - Y) * A * (1 - A)", "mse")])
def test_a_training_method_is_run_with_its_reporting_switches_off(
    tmp_path: Path, dz: str, identified: str
) -> None:
    report = _check(tmp_path, VALIDATED.replace("DZ", dz))
    assert report.result.identified == identified
    assert report.recipe is not None and "net.train(x, y, 1, lr, False, False, 1)" in report.recipe.step


def test_a_switch_named_like_an_error_is_no_error_handed_in(tmp_path: Path) -> None:
    report = _check(tmp_path, PER_SAMPLE)
    assert report.result.identified == "mse"
    assert report.recipe is not None and "net.fit(x, y, 1, lr)" in report.recipe.step


def test_only_reporting_switches_are_turned_off() -> None:
    assert all(REPORTING.match(n) for n in ("verbose", "graph", "plot_cost", "print_cost", "show"))
    assert not any(REPORTING.match(n) for n in ("shuffle", "bias", "use_bias", "normalize", "train"))


def test_a_report_interval_checked_even_when_quiet_is_given_one_iteration(tmp_path: Path) -> None:
    # the same neuron, its check of step run whatever the switches say: step=100 > 1 iteration raised
    always = VALIDATED.replace("DZ", "A - Y").replace(
        "        if verbose or graph:\n            if step <= 0", "        if True:\n            if step <= 0"
    )
    report = _check(tmp_path, always)
    assert report.result.identified == "bce"
    assert report.recipe is not None and "False, False, 1)" in report.recipe.step
    assert not any(INTERVAL.match(n) for n in ("alpha", "lr", "step_size", "learning_rate"))


# rows, a tanh hidden layer and a linear output, e = out − t: each sample's gradient is mse's; the step
# scales it by min(1, max_norm / ‖g‖) over all the tensors (global-norm clipping), which at weights
# drawn large is below 1 and differs from probe to probe: the gradient of no loss unless switched off
CLIPPED = """
import numpy as np


class ClipNet:
    def __init__(self, n_in=3, n_h=4, n_out=2):
        self.W1 = np.random.normal(0, 2, (n_in, n_h))
        self.W2 = np.random.normal(0, 2, (n_h, n_out))

    def forward(self, x):
        return np.tanh(x @ self.W1) @ self.W2

    def train(self, X, Y, epochs=100, lr=0.05, max_norm=1.0):
        for _ in range(epochs):
            for x, y in zip(X, Y):
                h = np.tanh(x @ self.W1)
                e = h @ self.W2 - y
                g = {"W1": np.outer(x, (self.W2 @ e) * (1 - h * h)), "W2": np.outer(h, e)}
                norm = np.sqrt(sum(np.sum(v ** 2) for v in g.values()))
                scale = min(1.0, max_norm / (norm + 1e-12))
                self.W1 = self.W1 - lr * scale * g["W1"]
                self.W2 = self.W2 - lr * scale * g["W2"]
"""


def test_gradient_clipping_is_switched_off_and_said(tmp_path: Path) -> None:
    report = _check(tmp_path, CLIPPED)
    assert report.result.identified == "mse"
    assert report.recipe is not None and "net.train(x, y, 1, lr, 1e12)" in report.recipe.step
    assert any("clipping (max_norm) switched off" in n for n in report.recipe.notes), report.recipe.notes


def test_only_clipping_bounds_are_switched_off() -> None:
    assert all(CLIPPING.match(n) for n in ("max_norm", "clip", "clip_value", "grad_clip", "max_grad_norm"))
    assert not any(CLIPPING.match(n) for n in ("norm", "normalize", "lr", "momentum", "lambda_"))
