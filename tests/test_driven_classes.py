"""A demo script that defines nothing and trains a network of its project's class, imported from a module
beside it (:mod:`verification.drivers.driven_classes`): the class is checked with the script's own
construction as its setup, as ``check demo.py:Net`` would check it. Before, the script was read as a
training loop whose step was the author's whole ``fit`` on data the loader never made, and refused.

The project is written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

LAYERS = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad, lr):
        dx = grad @ self.W.T
        self.W -= lr * self.x.T @ grad
        self.b -= lr * grad.sum(axis=0)
        return dx


class Sigmoid:
    def forward(self, x):
        self.a = 1 / (1 + np.exp(-x))
        return self.a

    def backward(self, grad, lr):
        return grad * SIGMOID_DERIVATIVE
"""

NETWORK = """
class Net:
    def __init__(self):
        self.layers = []

    def add(self, layer):
        self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def predict(self, X):
        return self.forward(X)

    def fit(self, X, Y, epochs, lr):
        for _ in range(epochs):
            grad = self.forward(X) - Y
            for layer in reversed(self.layers):
                grad = layer.backward(grad, lr)
            print("loss", ((self.forward(X) - Y) ** 2).sum())
"""

STORAGE = """
import pickle


def save_model(model, path):
    with open(path, "wb") as f:
        pickle.dump(model, f)


def load_model(path):
    with open(path, "rb") as f:
        return pickle.load(f)
"""

DEMO = """
import numpy as np
from project.layers import Dense, Sigmoid
from project.network import Net
from project.storage import load_model, save_model



def load_split(path):
    data = np.loadtxt(path, delimiter=",")
    n = int(0.8 * len(data))
    return data[:n, :4], data[n:, :4], data[:n, 4:], data[n:, 4:]


X_train, X_test, Y_train, Y_test = load_split("training_data.csv")
net = Net()
net.add(Dense(4, 6))
net.add(Sigmoid())
net.add(Dense(6, 2))
net.add(Sigmoid())
net.fit(X_train, Y_train, epochs=2000, lr=0.5)
save_model(net, "model.pkl")
restored = load_model("model.pkl")
predicted = np.argmax(restored.predict(X_test), axis=1)
print("accuracy", np.mean(predicted == np.argmax(Y_test, axis=1)))
"""


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [
        # σ'(z) = a(1 − a) at both sigmoids, a − y at the output: the gradient of ½ Σ (a − y)²
        ("self.a * (1 - self.a)", "mse"),
        # the sigmoids pass the gradient through unchanged: a − y at the output is bce's, but the hidden
        # layer drops its σ' too, so the step is the gradient of no loss
        ("1", None),
    ],
)
def test_the_project_class_the_demo_trains_is_checked(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "__init__.py").write_text("", encoding="utf-8")
    layers = textwrap.dedent(LAYERS).replace("SIGMOID_DERIVATIVE", derivative)
    (tmp_path / "project" / "layers.py").write_text(layers, encoding="utf-8")
    (tmp_path / "project" / "network.py").write_text(textwrap.dedent(NETWORK), encoding="utf-8")
    (tmp_path / "project" / "storage.py").write_text(textwrap.dedent(STORAGE), encoding="utf-8")
    demo = tmp_path / "demo.py"
    demo.write_text(textwrap.dedent(DEMO), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(demo)))
    assert report.result.subject == "Net.fit", report.command
    assert "--setup 'net = Net(); net.add(Dense(4, 6)); net.add(Sigmoid());" in (report.command or "")
    assert report.result.identified == identified, report.command


# the same project driven from a def main() that loads its data and hands the network to a training
# function of the script, over mini-batches: the script's train is chosen for the file and cannot be
# checked alone (it makes no network); the class main() makes and drives is checked in its place
DRIVER = """
import numpy as np
from project.layers import Dense, Sigmoid
from project.network import Net


def batches(X, Y, size):
    order = np.random.permutation(len(X))
    return [(X[order[i:i + size]], Y[order[i:i + size]]) for i in range(0, len(X), size)]


def train(net, X_train, Y_train, batch_size, epochs, lr):
    for epoch in range(epochs):
        for X_batch, Y_batch in batches(X_train, Y_train, batch_size):
            net.fit(X_batch, Y_batch, epochs=1, lr=lr)
        print(epoch, ((net.predict(X_train) - Y_train) ** 2).mean())
    return net


def main():
    X_train = np.loadtxt("inputs.csv", delimiter=",")
    Y_train = np.loadtxt("targets.csv", delimiter=",")
    hidden = 6
    net = Net()
    net.add(Dense(X_train.shape[1], hidden))
    net.add(Sigmoid())
    net.add(Dense(hidden, Y_train.shape[1]))
    net.add(Sigmoid())
    net = train(net, X_train, Y_train, batch_size=32, epochs=20, lr=0.5)


if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize(("derivative", "identified"), [("self.a * (1 - self.a)", "mse"), ("1", None)])
def test_the_project_class_a_main_function_drives_is_checked_when_the_training_function_is_refused(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "__init__.py").write_text("", encoding="utf-8")
    layers = textwrap.dedent(LAYERS).replace("SIGMOID_DERIVATIVE", derivative)
    (tmp_path / "project" / "layers.py").write_text(layers, encoding="utf-8")
    (tmp_path / "project" / "network.py").write_text(textwrap.dedent(NETWORK), encoding="utf-8")
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(driver)))
    assert report.result.subject == "Net.fit", report.command
    assert report.result.identified == identified, report.command


# a container whose backward takes the output error, driven by a training function of main.py that
# hands it softmax(out) − y: the class alone would be handed a − y by the check and called the gradient
# of mse; the script's own error makes it cross-entropy's. Only a class that makes its error from the
# labels itself is judged through main(); this one is refused.
CONTAINER = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.1
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad):
        return grad * (1 - self.out ** 2)


class Model:
    def __init__(self):
        self.layers = []

    def add_layer(self, layer):
        self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
"""
SOFTMAX_DRIVER = """
import numpy as np
from project.model import Model, Linear, Tanh


def train(model, X, Y, epochs=10, lr=0.1):
    for epoch in range(epochs):
        scores = model.forward(X)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        model.backward((probs - Y) / len(X))
        for layer in model.layers:
            if isinstance(layer, Linear):
                layer.W -= lr * layer.dW
                layer.b -= lr * layer.db


def main():
    data = np.loadtxt("digits.csv", delimiter=",")
    X, Y = data[:, 1:], np.eye(10)[data[:, 0].astype(int)]
    model = Model()
    model.add_layer(Linear(X.shape[1], 16))
    model.add_layer(Tanh())
    model.add_layer(Linear(16, 10))
    train(model, X, Y)


if __name__ == "__main__":
    main()
"""


def test_a_driven_class_handed_its_error_by_the_script_is_refused_not_handed_the_checks(
    tmp_path: Path,
) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "project" / "model.py").write_text(textwrap.dedent(CONTAINER), encoding="utf-8")
    driver = tmp_path / "main.py"
    driver.write_text(textwrap.dedent(SOFTMAX_DRIVER), encoding="utf-8")
    with pytest.raises(InputError):
        check_target(CheckRequest.parse(str(driver)))


HANDED_PAIR_NETWORK = """
class Net:
    def __init__(self):
        self.layers = []

    def add(self, layer):
        self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad, lr):
        for layer in reversed(self.layers):
            grad = layer.backward(grad, lr)

    def train(self, X, Y, epochs, learning_rate, cost, cost_prime):
        for _ in range(epochs):
            out = self.forward(X)
            print("cost", cost(Y, out))
            self.backward(cost_prime(Y, out), learning_rate)
"""

COSTS = """
import numpy as np


def mse(y, a):
    return 0.5 * np.sum((a - y) ** 2)


def mse_prime(y, a):
    return a - y


def bce(y, a):
    return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))


def bce_prime(y, a):
    return (a - y) / (a * (1 - a))
"""

PAIR_DEMO = """
import numpy as np
from project.layers import Dense, Sigmoid
from project.network import Net
from project.costs import COST, COST_prime

X = np.random.rand(8, 3)
Y = (X.sum(axis=1, keepdims=True) > 1.5).astype(float)
net = Net()
net.add(Dense(3, 4))
net.add(Sigmoid())
net.add(Dense(4, 1))
net.add(Sigmoid())
net.train(X, Y, epochs=500, learning_rate=0.5, cost=COST, cost_prime=COST_prime)
"""


@pytest.mark.parametrize("cost", ["bce", "mse"])
def test_the_demo_trains_its_network_with_the_cost_it_hands_it(tmp_path: Path, cost: str) -> None:
    """The project defines two costs with their derivatives; the demo's own call hands ``train`` one
    pair, which ``train`` back-propagates through sigmoid layers whose derivatives are right: the step
    is that cost's gradient (``bce_prime`` through σ' gives ``a − y``, bce's; ``mse_prime`` through σ'
    gives mse's). Handing the backward pass the check's own ``a − y`` instead would call it mse's
    whichever the demo trains with."""
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "__init__.py").write_text("", encoding="utf-8")
    layers = textwrap.dedent(LAYERS).replace("SIGMOID_DERIVATIVE", "self.a * (1 - self.a)")
    (tmp_path / "project" / "layers.py").write_text(layers, encoding="utf-8")
    (tmp_path / "project" / "network.py").write_text(textwrap.dedent(HANDED_PAIR_NETWORK), encoding="utf-8")
    (tmp_path / "project" / "costs.py").write_text(textwrap.dedent(COSTS), encoding="utf-8")
    demo = tmp_path / "demo.py"
    demo.write_text(textwrap.dedent(PAIR_DEMO).replace("COST", cost), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(demo)))
    assert report.result.identified == cost, report.command
    assert f"cost={cost}, cost_prime={cost}_prime" in report.command, report.command


STORING_LAYERS = """
import numpy as np


class Affine:
    def __init__(self, n_in, n_out):
        self.weight = np.random.randn(n_in, n_out) * 0.5
        self.bias = np.zeros((1, n_out))
        self.grad_w = np.zeros_like(self.weight)
        self.grad_b = np.zeros_like(self.bias)

    def forward(self, x):
        self.x = x
        return x @ self.weight + self.bias

    def backward(self, delta):
        self.grad_w = self.x.T @ delta
        self.grad_b = delta.sum(axis=0, keepdims=True)
        return delta @ self.weight.T


class Tanh:
    def forward(self, z):
        self.a = np.tanh(z)
        return self.a

    def backward(self, delta):
        return delta * (1 - self.a ** 2)


class SquaredError:
    def forward(self, out, target):
        self.out, self.target = out, target
        return 0.5 * np.sum((out - target) ** 2)

    def backward(self):
        return self.out - self.target


class Descent:
    def __init__(self, learningRate):
        self.learningRate = learningRate

    def update(self, param, grad):
        param -= self.learningRate * grad
"""

CONFIGURED_MODEL = """
class Model:
    def __init__(self):
        self.stack = []
        self.costs = []
        self.optimizers = []

    def addLayer(self, layer):
        self.stack.append(layer)

    def addCost(self, cost):
        self.costs.append(cost)

    def addOptimizer(self, optimizer):
        self.optimizers.append(optimizer)

    def predict(self, x):
        for layer in self.stack:
            x = layer.forward(x)
        return x

    def train(self, dataX, dataT, epochs):
        for _ in range(epochs):
            self.costs[0].forward(self.predict(dataX), dataT)
            delta = self.costs[0].backward()
            for layer in self.stack[FROM_THE_TOP]:
                delta = layer.backward(delta)
            for layer in self.stack[::2]:
                self.optimizers[0].update(layer.weight, layer.grad_w)
                self.optimizers[0].update(layer.bias, layer.grad_b)
"""

CONFIGURING_DEMO = """
import numpy as np
import model as mdl
import layers as ly

if __name__ == "__main__":
    rate = 0.05
    net = mdl.Model()
    net.addLayer(ly.Affine(3, 4))
    net.addLayer(ly.Tanh())
    net.addLayer(ly.Affine(4, 2))
    net.addCost(ly.SquaredError())
    net.addOptimizer(ly.Descent(rate))
    x = np.array([[0.1, 0.5, -0.2]])
    t = np.array([[0.0, 1.0]])
    net.train(x, t, 2000)
    print(net.predict(x))
"""


@pytest.mark.parametrize("imported", ["import model as mdl", "from model import Model"])
@pytest.mark.parametrize(
    ("from_the_top", "identified"),
    [
        # every layer's backward from the last: a linear output, a − t from the cost: mse's gradient
        ("::-1", "mse"),
        # [:0:-1] stops before the first layer: its gradients stay the zeros it was made with
        (":0:-1", None),
    ],
)
def test_a_model_finished_by_configuring_calls_is_trained_by_the_demos_own_call(
    tmp_path: Path, from_the_top: str, identified: str | None, imported: str
) -> None:
    """The demo builds its model under ``if __name__ == "__main__":``, through the module it imports
    (``mdl.Model()``) or the class (``Model()``), finishes it with calls that add a cost and an
    optimiser holding the rate, and trains it with ``train(dataX, dataT, epochs)``: the step is that
    call, for one epoch, at the rate the optimiser holds (0.05)."""
    (tmp_path / "layers.py").write_text(textwrap.dedent(STORING_LAYERS), encoding="utf-8")
    model = textwrap.dedent(CONFIGURED_MODEL).replace("FROM_THE_TOP", from_the_top)
    (tmp_path / "model.py").write_text(model, encoding="utf-8")
    demo = tmp_path / "demo.py"
    source = textwrap.dedent(CONFIGURING_DEMO)
    if imported != "import model as mdl":
        source = source.replace("import model as mdl", imported).replace("mdl.Model()", "Model()")
    demo.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(demo)))
    r = report.result
    assert r.identified == identified, report.command
    assert "net.train(x, y, 1)" in report.command and "addOptimizer" in report.command, report.command
    assert r.lr_known and "optimizers[0].learningRate" in report.command, report.command
