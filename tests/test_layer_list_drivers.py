"""A driver script that defines nothing: it imports the project's layer classes, its loss and the
training function of the project's ``network.py``, writes its own list of layers and trains it
(``train(network, mse, mse_prime, X, Y, epochs=…, learning_rate=…)``), as a much-copied tutorial's
``xor.py`` does. The training function imported from the project is the one run, once, on the file's
own list (:mod:`verification.drivers.layer_lists`); before, the driver was refused as defining nothing.

The project is written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest

PROJECT = {
    "dense.py": """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.weights = np.random.randn(n_out, n_in)
        self.bias = np.random.randn(n_out, 1)

    def forward(self, x):
        self.x = x
        return self.weights @ x + self.bias

    def backward(self, grad, learning_rate):
        input_grad = self.weights.T @ grad
        self.weights -= learning_rate * grad @ self.x.T
        self.bias -= learning_rate * grad
        return input_grad
""",
    "activations.py": """
import numpy as np


class Tanh:
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, grad, learning_rate):
        return grad * SLOPE
""",
    "losses.py": """
import numpy as np


def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / np.size(y_true)
""",
    "network.py": """
def predict(network, x):
    out = x
    for layer in network:
        out = layer.forward(out)
    return out


def train(network, loss, loss_prime, x_train, y_train, epochs=1000, learning_rate=0.01):
    for epoch in range(epochs):
        for x, y in zip(x_train, y_train):
            out = predict(network, x)
            grad = loss_prime(y, out)
            for layer in reversed(network):
                grad = layer.backward(grad, learning_rate)
""",
    "xor.py": """
import numpy as np
from dense import Dense
from activations import Tanh
from losses import mse, mse_prime
from network import train

X = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1))
Y = np.reshape([[0], [1], [1], [0]], (4, 1, 1))
network = [Dense(2, 3), Tanh(), Dense(3, 1), Tanh()]
train(network, mse, mse_prime, X, Y, epochs=10000, learning_rate=0.1)
""",
}


def checked(tmp_path: Path, project: dict[str, str], slope: str = "") -> CheckReport:
    """The report of checking ``xor.py`` of ``project`` written into ``tmp_path`` (its folder taken
    back from ``sys.path``, its modules from ``sys.modules``)."""
    for name, source in project.items():
        (tmp_path / name).write_text(source.replace("SLOPE", slope), encoding="utf-8")
    before = list(sys.path)
    try:
        return check_target(CheckRequest.parse(str(tmp_path / "xor.py")))
    finally:
        sys.path[:] = before
        for module in ("dense", "activations", "losses", "network"):
            sys.modules.pop(module, None)


@pytest.mark.parametrize(
    ("slope", "identified"),
    [
        # tanh' = 1 − tanh²: each sample's step is 2/n × the gradient of ½ Σ (a − y)²
        ("(1 - np.tanh(self.x) ** 2)", "mse"),
        # 1 − x² of the tanh's input: the gradient of no loss
        ("(1 - self.x ** 2)", None),
    ],
)
def test_a_driver_of_an_imported_training_function_is_checked_on_its_own_list(
    tmp_path: Path, slope: str, identified: str | None
) -> None:
    report = checked(tmp_path, PROJECT, slope)
    assert report.result.identified == identified, report.command
    assert "--setup 'network = [Dense(2, 3), Tanh(), Dense(3, 1), Tanh()]'" in (report.command or "")


# the project offers squared error first, and the driver trains with binary cross-entropy on sigmoid
# outputs: (a − y) / (a (1 − a)) times σ' = a − y at the output, the gradient of bce (per sample). Run
# with the project's first loss in its place, the same step read as a multiple of mse's gradient.
HANDED = {
    **PROJECT,
    "activations.py": """
import numpy as np


class Sigmoid:
    def forward(self, x):
        self.a = 1 / (1 + np.exp(-x))
        return self.a

    def backward(self, grad, learning_rate):
        return grad * self.a * (1 - self.a)
""",
    "losses.py": PROJECT["losses.py"]
    + """

def binary_cross_entropy(y_true, y_pred):
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


def binary_cross_entropy_prime(y_true, y_pred):
    return ((1 - y_true) / (1 - y_pred) - y_true / y_pred) / np.size(y_true)
""",
    "xor.py": PROJECT["xor.py"]
    .replace("Tanh", "Sigmoid")
    .replace(
        "from losses import mse, mse_prime",
        "from losses import binary_cross_entropy, binary_cross_entropy_prime",
    )
    .replace(
        "train(network, mse, mse_prime,", "train(network, binary_cross_entropy, binary_cross_entropy_prime,"
    ),
}


def test_the_loss_the_driver_hands_its_training_is_the_one_used(tmp_path: Path) -> None:
    report = checked(tmp_path, HANDED)
    assert "loss=binary_cross_entropy, loss_prime=binary_cross_entropy_prime" in (report.command or "")
    assert report.result.identified == "bce", report.command


# the training function takes the data set as one pair and unpacks it (x_train, y_train = training_data)
PAIRED = {
    **PROJECT,
    "network.py": PROJECT["network.py"].replace(
        "def train(network, loss, loss_prime, x_train, y_train, epochs=1000, learning_rate=0.01):\n",
        "def train(network, loss, loss_prime, training_data, epochs=1000, learning_rate=0.01):\n"
        "    x_train, y_train = training_data\n",
    ),
    "xor.py": PROJECT["xor.py"].replace("mse, mse_prime, X, Y,", "mse, mse_prime, (X, Y),"),
}


def test_a_data_set_the_training_function_unpacks_into_inputs_and_labels_is_handed_as_a_pair(
    tmp_path: Path,
) -> None:
    report = checked(tmp_path, PAIRED, "(1 - np.tanh(self.x) ** 2)")
    assert "training_data=(" in (report.command or "")
    assert report.result.identified == "mse", report.command
