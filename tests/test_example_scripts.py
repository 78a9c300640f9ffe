"""Networks whose module says nothing of how to build them, built as the project around it does: an
example script beside the module constructs the class (its layers from the modules beside it), a
constructor that takes file paths and a flag to load from them makes its weights when the paths name
no file, and a forward pass named ``test``. The scripts are written for the tests in the styles of
course projects, with the verdict derived by hand in each comment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.cli import main
from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.several import check_each
from verification.reading.activation_objects import activation_objects, loss_object_choices
from verification.reading.guesses import NO_FILE, guessed_arguments
from verification.reading.loader import load_script
from verification.reading.sibling_constructions import sibling_construction
from verification.reading.targets import SeveralSetups

# Layers as objects; the backward pass of a dense layer returns Wᵀ δ with W *before* its update, and the
# loss layer's gradient is a − y: each step is the gradient step of mse (½ Σ (a − y)²), one sample (a
# column) at a time. The network's forward pass is `test`; its constructor takes the list of layers.
LAYERS = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_out, n_in)
        self.b = np.random.randn(n_out, 1)

    def forward(self, x):
        self.x = x
        return self.W @ x + self.b

    def backward(self, grad, lr):
        back = self.W.T @ grad
        self.W -= lr * grad @ self.x.T
        self.b -= lr * grad
        return back


class Tanh:
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, grad, lr):
        return grad * (1 - np.tanh(self.x) ** 2)
"""

NETWORK = """
import numpy as np


class Network:
    def __init__(self, layers):
        self.layers = layers

    def train(self, x, y, learning_rate):
        grad = self.test(x) - y
        for layer in reversed(self.layers):
            grad = layer.backward(grad, learning_rate)

    def test(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x
"""

EXAMPLE = """
import numpy as np
from layers import Dense, Tanh
from network import Network

X = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1))
Y = np.reshape([[0], [1], [1], [0]], (4, 1, 1))
model = Network([Dense(2, 3), Tanh(), Dense(3, 1), Tanh()])
for epoch in range(1000):
    for x, y in zip(X, Y):
        model.train(x, y, 0.1)
"""


def _project(folder: Path, dense_backward: str | None = None) -> Path:
    layers = (
        LAYERS
        if dense_backward is None
        else LAYERS.replace(
            LAYERS[LAYERS.index("    def backward") : LAYERS.index("class Tanh")], dense_backward
        )
    )
    (folder / "layers.py").write_text(layers, encoding="utf-8")
    (folder / "xor_example.py").write_text(EXAMPLE, encoding="utf-8")
    path = folder / "network.py"
    path.write_text(NETWORK, encoding="utf-8")
    return path


def test_a_class_built_by_the_example_script_beside_it_is_built_that_way(tmp_path: Path) -> None:
    path = _project(tmp_path)
    setup = sibling_construction(path, "Network")
    assert setup is not None
    assert setup[0] == (
        "from layers import Dense, Tanh; model = Network([Dense(2, 3), Tanh(), Dense(3, 1), Tanh()])"
    )
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.result.verdict.scale == pytest.approx(1.0)
    assert report.recipe is not None and report.recipe.forward.endswith(".test(x)")


# The same layers put into a container one call at a time, and finished by a loss object that the example
# names first (`loss = SquaredError()`, then `model.compile(loss)`); the example also imports a data set
# from a module that reads its file when imported. The setup keeps the assignment the finishing call
# reads, each of the repeated `model.add(Tanh())`, and no import the construction does not read: the data
# module is never run. The loss object's gradient is a − y through tanh: mse, scale 1.
COMPILED_NETWORK = """
class Network:
    def __init__(self):
        self.layers = []

    def add(self, layer):
        self.layers.append(layer)

    def compile(self, loss):
        self.loss = loss

    def train(self, x, y, learning_rate):
        grad = self.loss.backward(self.test(x), y)
        for layer in reversed(self.layers):
            grad = layer.backward(grad, learning_rate)

    def test(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x
"""
COMPILED_EXAMPLE = """
from layers import Dense, Tanh
from network import Network
from losses import SquaredError
from data import X, Y

model = Network()
model.add(Dense(2, 3))
model.add(Tanh())
model.add(Dense(3, 1))
model.add(Tanh())
loss = SquaredError()
model.compile(loss)
for x, y in zip(X, Y):
    model.train(x, y, 0.1)
"""


def test_an_example_finishing_the_network_with_an_object_it_names_keeps_its_assignment_not_its_data(
    tmp_path: Path,
) -> None:
    (tmp_path / "layers.py").write_text(LAYERS, encoding="utf-8")
    (tmp_path / "losses.py").write_text(
        "class SquaredError:\n    def backward(self, a, y):\n        return a - y\n", encoding="utf-8"
    )
    (tmp_path / "data.py").write_text("X = open('mnist-images.bin', 'rb').read()\nY = X\n", encoding="utf-8")
    (tmp_path / "example.py").write_text(COMPILED_EXAMPLE, encoding="utf-8")
    path = tmp_path / "network.py"
    path.write_text(COMPILED_NETWORK, encoding="utf-8")
    setup = sibling_construction(path, "Network")
    assert setup == (
        "from layers import Dense, Tanh; from losses import SquaredError; model = Network(); "
        "model.add(Dense(2, 3)); model.add(Tanh()); model.add(Dense(3, 1)); model.add(Tanh()); "
        "loss = SquaredError(); model.compile(loss)",
        "model",
    )
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.result.verdict.scale == pytest.approx(1.0)


def test_no_example_script_means_no_construction_read(tmp_path: Path) -> None:
    path = _project(tmp_path)
    (tmp_path / "xor_example.py").write_text(EXAMPLE.replace("from network import", "from other import"))
    (tmp_path / "other.py").write_text("class Network:\n    pass\n", encoding="utf-8")
    assert sibling_construction(path, "Network") is None


# The same layers, but the dense layer updates W before it returns Wᵀ δ: the hidden layer's gradient is
# taken through the *updated* output weights, so the step is the gradient of mse only to first order in
# the rate. At lr = 0.1 and lr = 0.01 its change divided by the rate differs: it is no gradient step of
# any loss at the rate it runs with (none), and the report says why; the correct layers get no such note.
UPDATED_FIRST = """    def backward(self, grad, lr):
        self.W -= lr * grad @ self.x.T
        self.b -= lr * grad
        return self.W.T @ grad


"""


@pytest.mark.parametrize(("backward", "identified"), [(None, "mse"), (UPDATED_FIRST, None)])
def test_a_step_that_back_propagates_through_weights_it_already_updated_is_no_gradient_step(
    tmp_path: Path, backward: str | None, identified: str | None
) -> None:
    path = _project(tmp_path, backward)
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    noted = [n for n in report.result.notes if n.startswith("the step is no gradient step")]
    assert len(noted) == (0 if backward is None else 1)
    if noted:
        assert "differs between lr = 0.1 and lr = 0.01 by" in noted[0]


# A constructor of sizes, paths and a flag: weights made unless `load_existing` and both files exist.
# backward returns (dW, db) of the output delta (a − y) σ'(z): the gradient of mse. The forward pass
# returns x (its input, overwritten) first: backward's own x is the input, never that output.
LOADING = """
import pathlib
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Network:
    def __init__(self, sizes, weight_path, bias_path, load_existing):
        self.sizes = sizes
        self.wpath = pathlib.Path.cwd() / weight_path
        self.bpath = pathlib.Path.cwd() / bias_path
        if load_existing and self.wpath.exists() and self.bpath.exists():
            self.weights = np.load(self.wpath, allow_pickle=True)
            self.biases = np.load(self.bpath, allow_pickle=True)
        else:
            self.weights = [np.random.randn(m, n) for n, m in zip(sizes[:-1], sizes[1:])]
            self.biases = [np.random.randn(m, 1) for m in sizes[1:]]

    def forward(self, x):
        x = x.reshape(x.shape[0], 1)
        activations, zs = [x], []
        for W, b in zip(self.weights, self.biases):
            z = W @ x + b
            x = sigmoid(z)
            zs.append(z)
            activations.append(x)
        return x, activations, zs

    def backward(self, x, y):
        out, activations, zs = self.forward(x)
        dW = [None] * len(self.weights)
        db = [None] * len(self.biases)
        delta = (out - y) * out * (1 - out)
        for l in range(len(self.weights) - 1, -1, -1):
            dW[l] = delta @ activations[l].T
            db[l] = delta
            if l:
                a = activations[l]
                delta = (self.weights[l].T @ delta) * a * (1 - a)
        return dW, db
"""


def test_paths_name_no_file_and_a_loading_flag_is_off(tmp_path: Path) -> None:
    path = tmp_path / "nn.py"
    path.write_text(LOADING, encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(compile(LOADING, str(path), "exec"), namespace)
    (guess, *_) = guessed_arguments(namespace["Network"])
    assert guess["weight_path"] == NO_FILE and guess["load_existing"] is False
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None and report.recipe.gradient is not None
    assert report.recipe.gradient.endswith("net.backward(x, y)")


# A constructor that keeps its data set (Sirajology style): NeuralNetwork(X, y, lr) stores X and y,
# reads X.shape[1] for the first layer's width, and forward() and backward() take no argument.
# backward's 2 (a − y) σ'(z) summed over the batch is 2 × the gradient of mse, summed.
KEEPS_DATA = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class NeuralNetwork:
    def __init__(self, X, y, lr):
        self.input_layer = X
        self.W1 = np.random.randn(self.input_layer.shape[1], 3)
        self.W2 = np.random.randn(3, 1)
        self.y = y
        self.lr = lr

    def forward(self):
        self.hidden = sigmoid(self.input_layer @ self.W1)
        self.output = sigmoid(self.hidden @ self.W2)
        return self.output

    def backward(self):
        d_out = 2 * (self.output - self.y) * self.output * (1 - self.output)
        d_W2 = self.hidden.T @ d_out
        d_W1 = self.input_layer.T @ ((d_out @ self.W2.T) * self.hidden * (1 - self.hidden))
        self.W1 -= self.lr * d_W1
        self.W2 -= self.lr * d_W2
"""


def test_a_constructor_that_keeps_its_data_set_is_given_one(tmp_path: Path) -> None:
    path = tmp_path / "sirajology.py"
    path.write_text(KEEPS_DATA, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.result.verdict.scale == pytest.approx(2.0)
    assert report.recipe is not None and "X_train :=" in report.recipe.setup


# The same style, one sample a column: ANN(x, y) keeps x.T and y.T and reads the widths from them;
# forward() and backward() take no argument and backward() steps. δ2 = (a − y) σ'(z2), gradients a mean
# over the columns: the gradient step of mse, a mean over the batch. Without σ'(z1) in δ1 (the bug) the
# hidden layer's gradients are no loss's.
KEEPS_COLUMNS = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class ANN:
    def __init__(self, x, y, hidden=4, lr=0.5):
        self.x = x.T
        self.y = y.T
        self.w1 = np.random.randn(hidden, self.x.shape[0]) * 0.5
        self.b1 = np.zeros((hidden, 1))
        self.w2 = np.random.randn(self.y.shape[0], hidden) * 0.5
        self.lr = lr

    def forward(self):
        self.a1 = sigmoid(self.w1 @ self.x + self.b1)
        self.a2 = sigmoid(self.w2 @ self.a1)
        return self.a2

    def backward(self):
        m = self.x.shape[1]
        dz2 = (self.a2 - self.y) * self.a2 * (1 - self.a2)
        dz1 = (self.w2.T @ dz2) * self.a1 * (1 - self.a1)
        self.w2 -= self.lr * dz2 @ self.a1.T / m
        self.w1 -= self.lr * dz1 @ self.x.T / m
        self.b1 -= self.lr * dz1.sum(axis=1, keepdims=True) / m
"""


@pytest.mark.parametrize(("delta", "identified"), [("", "mse"), (" * 0 + self.w2.T @ dz2", None)])
def test_a_constructor_that_keeps_its_data_set_transposed_is_given_its_columns(
    tmp_path: Path, delta: str, identified: str | None
) -> None:
    path = tmp_path / "ann.py"
    source = KEEPS_COLUMNS.replace("* self.a1 * (1 - self.a1)", f"* self.a1 * (1 - self.a1){delta}")
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.forward == "net.x = x.T; net.forward()"
    assert report.recipe.step is not None and report.recipe.step.startswith("net.y = y.T; ")
    matched = {t: loss for t, (loss, _) in report.result.verdict.per_tensor.items()}
    assert matched == {"w2": "mse", "w1": identified, "b1": identified}


# Activation classes in a module beside the network's, which the network's module never imports; their
# methods take no self (the project passes the classes). Softmax.backward(a, y) returns a − y, the
# output delta of the cross-entropy on a softmax output; grads are means over the batch: the gradient of
# cross_entropy. Only Softmax fits the output's backward(a, y); Sigmoid is the hidden one (first choice).
ACTIVATION_CLASSES = """
import numpy as np


class Relu:
    def forward(X):
        return np.maximum(X, 0)

    def backward(X):
        return (X > 0) * 1.0


class Sigmoid:
    def forward(X):
        return 1 / (1 + np.exp(-X))

    def backward(X):
        s = 1 / (1 + np.exp(-X))
        return s * (1 - s)


class Softmax:
    def forward(X):
        e = np.exp(X - X.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward(A, y):
        return A - y
"""

TAKES_ACTIVATIONS = """
import numpy as np


class NeuralNetwork:
    def __init__(self, input_layer_dim, hidden_layer_dim, output_layer_dim, activation, output_activation):
        self.W1 = np.random.randn(input_layer_dim, hidden_layer_dim) * 0.5
        self.b1 = np.zeros((1, hidden_layer_dim))
        self.W2 = np.random.randn(hidden_layer_dim, output_layer_dim) * 0.5
        self.b2 = np.zeros((1, output_layer_dim))
        self.activation = activation
        self.output_activation = output_activation

    def forward_pass(self, X):
        self.X = X
        self.Z1 = X @ self.W1 + self.b1
        self.A1 = self.activation.forward(self.Z1)
        self.A2 = self.output_activation.forward(self.A1 @ self.W2 + self.b2)
        return self.A2

    def backward_pass(self, y):
        m = y.shape[0]
        dZ2 = self.output_activation.backward(self.A2, y)
        dZ1 = (dZ2 @ self.W2.T) * self.activation.backward(self.Z1)
        return {"W1": self.X.T @ dZ1 / m, "b1": dZ1.sum(axis=0, keepdims=True) / m,
                "W2": self.A1.T @ dZ2 / m, "b2": dZ2.sum(axis=0, keepdims=True) / m}
"""


def test_activation_objects_from_a_module_beside_are_given_by_the_methods_called_on_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "activation.py").write_text(ACTIVATION_CLASSES, encoding="utf-8")
    path = tmp_path / "nn.py"
    path.write_text(TAKES_ACTIVATIONS, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command
    assert report.recipe is not None
    assert "activation=Sigmoid" in report.recipe.setup and "output_activation=Softmax" in report.recipe.setup


# One activation object per layer, iterated beside the weights; objects with evaluate and prime, defined
# in the file itself. The output delta (a − y) ⊙ f'(z) is the gradient of mse; per sample (columns).
ACTIVATION_LIST = """
import numpy as np


class Tanh:
    def evaluate(self, z):
        return np.tanh(z)

    def prime(self, z):
        return 1 - np.tanh(z) ** 2


class Sigmoid:
    def evaluate(self, z):
        return 1 / (1 + np.exp(-z))

    def prime(self, z):
        s = self.evaluate(z)
        return s * (1 - s)


class Network:
    def __init__(self, sizes, activations):
        if len(sizes) != len(activations) + 1:
            raise ValueError("one activation per layer")
        self.W = [np.random.randn(m, n) for n, m in zip(sizes[:-1], sizes[1:])]
        self.b = [np.random.randn(m, 1) for m in sizes[1:]]
        self.activations = activations

    def feedforward(self, a):
        for W, b, f in zip(self.W, self.b, self.activations):
            a = f.evaluate(W @ a + b)
        return a

    def backprop(self, x, y):
        a, zs, acts = x, [], [x]
        for W, b, f in zip(self.W, self.b, self.activations):
            z = W @ a + b
            a = f.evaluate(z)
            zs.append(z)
            acts.append(a)
        delta = (a - y) * self.activations[-1].prime(zs[-1])
        dW, db = [None] * len(self.W), [None] * len(self.b)
        for l in range(len(self.W) - 1, -1, -1):
            dW[l], db[l] = delta @ acts[l].T, delta
            if l:
                delta = (self.W[l].T @ delta) * self.activations[l - 1].prime(zs[l - 1])
        return dW, db
"""


def test_a_list_of_activation_objects_gets_one_per_layer_of_the_preferred_class(tmp_path: Path) -> None:
    path = tmp_path / "network.py"
    path.write_text(ACTIVATION_LIST, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert (
        report.recipe is not None and "activations=[Sigmoid(), Sigmoid(), Sigmoid()]" in report.recipe.setup
    )


# The activations given as a list and appended among the layers, one after each dense layer but the
# last (a softmax there); the network runs its layers in turn, forward and in reverse. The softmax's
# backward passes its gradient on, the step hands it a − y: the gradient of cross-entropy, summed over
# the batch (rows). A dropout layer among them takes forward(x, training): its arguments are not the
# activations'.
APPENDED_ACTIVATIONS = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.weights = np.random.randn(n_in, n_out) * 0.5
        self.bias = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.weights + self.bias

    def backward(self, grad):
        self.weights_grad = self.x.T @ grad
        self.bias_grad = grad.sum(axis=0, keepdims=True)
        return grad @ self.weights.T


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, grad):
        return grad * SIGMOID_PRIME


class Softmax:
    def forward(self, x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.out = e / e.sum(axis=1, keepdims=True)
        return self.out

    def backward(self, grad):
        return grad


class Dropout:
    def forward(self, x, training=False):
        return x

    def backward(self, grad):
        return grad


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Dense(layer_sizes[i], layer_sizes[i + 1]))
            if i < len(layer_sizes) - 2:
                self.layers.append(activations[i])
                self.layers.append(Dropout())
            else:
                self.layers.append(Softmax())

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x, False) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def train_step(self, x, y):
        self.backward(self.forward(x) - y)
"""


@pytest.mark.parametrize(
    ("prime", "identified"), [("self.out * (1 - self.out)", "cross_entropy"), ("1", None)]
)
def test_activation_objects_appended_among_the_layers_are_given_by_the_methods_the_layers_get(
    tmp_path: Path, prime: str, identified: str | None
) -> None:
    path = tmp_path / "network.py"
    path.write_text(APPENDED_ACTIVATIONS.replace("SIGMOID_PRIME", prime), encoding="utf-8")
    script = load_script(path)
    given = activation_objects(script.get("NeuralNetwork"), script)
    assert given == {"activations": "[Sigmoid(), Sigmoid(), Sigmoid()]"}, given
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


# Layers given as (size, activation name) pairs by annotation; the code compares names with "sigmoid",
# "relu" and "softmax". Hidden sigmoid layers and a softmax output of 3: the output delta a − y, means
# over the batch (columns), is the gradient of the mean cross-entropy.
SIZED_LAYERS = """
from typing import List, Tuple

import numpy as np


class DeepNet:
    def __init__(self, layers: List[Tuple[int, str]]):
        self.dims, self.acts = map(list, zip(*layers))
        self.W = [np.random.randn(m, n) * 0.5 for n, m in zip(self.dims[:-1], self.dims[1:])]
        self.b = [np.zeros((m, 1)) for m in self.dims[1:]]

    def activate(self, z, name):
        if name == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if name == "relu":
            return np.maximum(z, 0)
        if name == "softmax":
            e = np.exp(z - z.max(axis=0))
            return e / e.sum(axis=0)
        raise ValueError(name)

    def forward(self, X):
        self.A = [X]
        for W, b, name in zip(self.W, self.b, self.acts[1:]):
            self.A.append(self.activate(W @ self.A[-1] + b, name))
        return self.A[-1]

    def backward(self, Y):
        m = Y.shape[1]
        dZ = self.A[-1] - Y
        dW, db = [None] * len(self.W), [None] * len(self.b)
        for l in reversed(range(len(self.W))):
            dW[l] = dZ @ self.A[l].T / m
            db[l] = dZ.sum(axis=1, keepdims=True) / m
            if l:
                s = self.A[l]
                dZ = (self.W[l].T @ dZ) * s * (1 - s)
        return dW, db
"""


def test_layers_given_as_sizes_with_activation_names_get_sigmoid_hidden_layers_and_a_softmax_output(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep.py"
    path.write_text(SIZED_LAYERS, encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(compile(SIZED_LAYERS, str(path), "exec"), namespace)
    several, one = guessed_arguments(namespace["DeepNet"])
    assert several["layers"] == [(4, "sigmoid"), (5, "sigmoid"), (5, "sigmoid"), (3, "softmax")]
    assert one["layers"] == [(4, "sigmoid"), (5, "sigmoid"), (5, "sigmoid"), (1, "sigmoid")]
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command


# A cost object the network asks for its output delta (Nielsen, ch. 3): the interface and two costs in a
# module beside it. Each cost is another network, checked on its own, never the interface, whose delta
# raises: the quadratic cost's (a − y) σ'(z) is the gradient of mse, the cross-entropy cost's a − y on
# sigmoid outputs that of bce.
COSTS = """
import numpy as np


class Cost:
    def delta(self, z, a, y):
        raise NotImplementedError


class QuadraticCost(Cost):
    def delta(self, z, a, y):
        s = 1 / (1 + np.exp(-z))
        return (a - y) * s * (1 - s)


class CrossEntropyCost(Cost):
    def delta(self, z, a, y):
        return a - y
"""

TAKES_A_COST = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Network:
    def __init__(self, sizes, cost):
        self.W = [np.random.randn(m, n) for n, m in zip(sizes[:-1], sizes[1:])]
        self.b = [np.random.randn(m, 1) for m in sizes[1:]]
        self.cost = cost

    def feedforward(self, a):
        for W, b in zip(self.W, self.b):
            a = sigmoid(W @ a + b)
        return a

    def backprop(self, x, y):
        acts, zs = [x], []
        for W, b in zip(self.W, self.b):
            zs.append(W @ acts[-1] + b)
            acts.append(sigmoid(zs[-1]))
        delta = self.cost.delta(zs[-1], acts[-1], y)
        dW, db = [None] * len(self.W), [None] * len(self.b)
        for l in range(len(self.W) - 1, -1, -1):
            dW[l], db[l] = delta @ acts[l].T, delta.sum(axis=1, keepdims=True)
            if l:
                delta = (self.W[l].T @ delta) * acts[l] * (1 - acts[l])
        return dW, db
"""


def test_a_cost_object_makes_one_network_per_loss_class_of_the_project_each_checked(tmp_path: Path) -> None:
    (tmp_path / "costs.py").write_text(COSTS, encoding="utf-8")
    path = tmp_path / "network.py"
    path.write_text(TAKES_A_COST, encoding="utf-8")
    script = load_script(path)
    choices = loss_object_choices(script.module.Network, script)
    assert choices == [{"cost": "QuadraticCost()"}, {"cost": "CrossEntropyCost()"}]
    with pytest.raises(SeveralSetups) as caught:
        check_target(CheckRequest.parse(str(path)))
    each = check_each(CheckRequest.parse(str(path)), caught.value)
    assert [(n, r.result.identified) for n, r in each.checked if isinstance(r, CheckReport)] == [
        ("Network with cost=QuadraticCost()", "mse"),
        ("Network with cost=CrossEntropyCost()", "bce"),
    ]


@pytest.mark.parametrize(
    ("delta", "second"), [("a - y", "bce"), ("(a - y) * a", None)], ids=["right", "wrong"]
)
def test_the_command_line_reports_each_cost_and_fails_when_one_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, delta: str, second: str | None
) -> None:
    """From the command line: one line per cost, ``classes`` in ``--json``; a cost whose delta is wrong
    (``(a − y) a`` on sigmoid outputs is no loss's) makes the exit status 1, whatever the other says."""
    (tmp_path / "costs.py").write_text(COSTS.replace("return a - y", f"return {delta}"), encoding="utf-8")
    path = tmp_path / "network.py"
    path.write_text(TAKES_A_COST, encoding="utf-8")
    code = main(["check", str(path), "--json"])
    found = json.loads(capsys.readouterr().out)
    assert code == (0 if second else 1)
    assert [(c["class"], c["identified"]) for c in found["classes"]] == [
        ("Network with cost=QuadraticCost()", "mse"),
        ("Network with cost=CrossEntropyCost()", second),
    ]
    main(["check", str(path)])
    assert f"Checked 2 setups of one network class in {path}:" in capsys.readouterr().out


def test_an_activation_object_whose_derivative_the_code_writes_itself_is_not_given(tmp_path: Path) -> None:
    """A network that calls only ``forward`` on its activation and writes the derivative itself
    (``A1 * (1 - A1)``) goes with one activation, the author's, which nothing names: giving it any
    class could make right code look wrong. Such an argument is left unguessed."""
    (tmp_path / "activation.py").write_text(ACTIVATION_CLASSES, encoding="utf-8")
    path = tmp_path / "nn.py"
    source = TAKES_ACTIVATIONS.replace("self.activation.backward(self.Z1)", "self.A1 * (1 - self.A1)")
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    assert activation_objects(script.module.NeuralNetwork, script) == {"output_activation": "Softmax"}


def test_a_cost_object_the_script_gives_itself_is_the_one_checked(tmp_path: Path) -> None:
    """The script builds its network with the cross-entropy cost: that network is checked (bce), not one
    per cost of the project."""
    (tmp_path / "costs.py").write_text(COSTS, encoding="utf-8")
    path = tmp_path / "network.py"
    built = "\nfrom costs import CrossEntropyCost\n\nnet = Network([4, 5, 3], CrossEntropyCost())\n"
    path.write_text(TAKES_A_COST + built, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command


# Layer objects and a network that takes its loss through use(loss, loss_prime), in the style of a much
# copied tutorial: dense layers step their own weights after computing the error they pass back, an
# activation layer multiplies by its derivative. The example script beside it finishes the network with
# use(bce, bce_prime) and a sigmoid output: each step is the gradient of bce, one sample at a time.
USING_LAYERS = """
import numpy as np


class FCLayer:
    def __init__(self, n_in, n_out):
        self.W = np.random.rand(n_in, n_out) - 0.5
        self.b = np.random.rand(1, n_out) - 0.5

    def forward_propagation(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward_propagation(self, err, rate):
        back = err @ self.W.T
        self.W -= rate * self.x.T @ err
        self.b -= rate * err
        return back


class ActivationLayer:
    def __init__(self, activation, activation_prime):
        self.f, self.f_prime = activation, activation_prime

    def forward_propagation(self, x):
        self.x = x
        return self.f(x)

    def backward_propagation(self, err, rate):
        return self.f_prime(self.x) * err


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


"""

USING_LOSSES = """
import numpy as np


def bce(y, a):
    return float(np.mean(-y * np.log(a) - (1 - y) * np.log(1 - a)))


def bce_prime(y, a):
    return (a - y) / (a * (1 - a))
"""

USING_NETWORK = """
class Network:
    def __init__(self, layers):
        self.layers = list(layers)
        self.loss = self.loss_prime = None

    def use(self, loss, loss_prime):
        self.loss, self.loss_prime = loss, loss_prime

    def predict(self, samples):
        out = []
        for x in samples:
            for layer in self.layers:
                x = layer.forward_propagation(x)
            out.append(x)
        return out

    def fit(self, x_train, y_train, epochs, learning_rate):
        for epoch in range(epochs):
            for x, y in zip(x_train, y_train):
                for layer in self.layers:
                    x = layer.forward_propagation(x)
                err = self.loss_prime(y, x)
                for layer in reversed(self.layers):
                    err = layer.backward_propagation(err, learning_rate)
"""

USING_EXAMPLE = """
import numpy as np
from layers import FCLayer, ActivationLayer, sigmoid, sigmoid_prime
from losses import bce, bce_prime
from network import Network

x_train = np.array([[[0, 0]], [[0, 1]], [[1, 0]], [[1, 1]]], dtype=float)
y_train = np.array([[[0]], [[1]], [[1]], [[0]]], dtype=float)
act = ActivationLayer(sigmoid, sigmoid_prime)
net = Network([FCLayer(2, 3), act, FCLayer(3, 1), ActivationLayer(sigmoid, sigmoid_prime)])
net.use(bce, bce_prime)
net.fit(x_train, y_train, epochs=1000, learning_rate=0.5)
"""


@pytest.mark.parametrize("example", [True, False], ids=["with-example", "alone"])
def test_an_example_script_that_finishes_the_network_is_followed_and_a_guess_that_breaks_it_refused(
    tmp_path: Path, example: bool
) -> None:
    """With the example, the network is built and finished (``net.use(bce, bce_prime)``) as it does:
    bce. Alone, the network is guessed from the layers beside it, and the guess ends at a dense layer:
    the code back-propagates bce's output error on outputs that are no probabilities, so no verdict of
    none is printed (``ambiguous``) where the author's network is bce's gradient."""
    (tmp_path / "layers.py").write_text(USING_LAYERS, encoding="utf-8")
    (tmp_path / "losses.py").write_text(USING_LOSSES, encoding="utf-8")
    if example:
        (tmp_path / "xor.py").write_text(USING_EXAMPLE, encoding="utf-8")
    path = tmp_path / "network.py"
    path.write_text(USING_NETWORK, encoding="utf-8")
    if not example:
        with pytest.raises(InputError, match="outputs in the loss's domain: bce's output error") as caught:
            check_target(CheckRequest.parse(str(path)))
        assert getattr(caught.value, "cause", None) == "ambiguous"
        return
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    assert report.recipe is not None and "net.use(bce, bce_prime)" in report.recipe.setup


# A container that the project fills with layers somewhere this copy does not show: the network module
# and a layers module of one Dense class. Composed by guess, Dense(4, 5) then Dense(5, 3), the network is
# linear, and the loss gradient (a − y)/n it back-propagates is that of mse; but the file names its loss
# cross_entropy_gradient: the project's own network ends in a softmax layer that passes the gradient on,
# which makes the same code cross_entropy's. No verdict: refused as ambiguous. A file that names no
# activation and no such loss (loss_gradient) means the linear network: mse, with the linear note. With
# an activation layer beside Dense, the composition has a sigmoid at the output, and (a − y)/n through σ'
# is the gradient of mse, a mean over the batch.
CONTAINER = """
import numpy as np


def loss_gradient(y_true, y_pred):
    return (y_pred - y_true) / y_true.shape[0]


class Network:
    def __init__(self):
        self.layers = []

    def add(self, layer):
        self.layers.append(layer)

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train(self, x_train, y_train, epochs, learning_rate):
        for _ in range(epochs):
            grad = loss_gradient(y_train, self.predict(x_train))
            for layer in reversed(self.layers):
                grad = layer.backward(grad, learning_rate)
"""
DENSE = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad, lr):
        dx = grad @ self.W.T
        self.W -= lr * self.x.T @ grad
        self.b -= lr * grad.sum(axis=0, keepdims=True)
        return dx
"""
SIGMOID_LAYER = """

class Sigmoid:
    def forward(self, x):
        self.a = 1 / (1 + np.exp(-x))
        return self.a

    def backward(self, grad, lr):
        return grad * self.a * (1 - self.a)
"""


def test_a_network_composed_by_guess_that_comes_out_linear_is_refused_as_ambiguous(tmp_path: Path) -> None:
    named = CONTAINER.replace("loss_gradient", "cross_entropy_gradient")
    (tmp_path / "network.py").write_text(named, encoding="utf-8")
    (tmp_path / "layers.py").write_text(DENSE, encoding="utf-8")
    with pytest.raises(InputError, match="composed by guess of Dense and has no activation") as caught:
        check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert getattr(caught.value, "cause", None) == "ambiguous"
    assert caught.value.hint is not None and "net.add(Dense(4, 5)); net.add(Dense(5, 3))" in caught.value.hint
    (tmp_path / "network.py").write_text(CONTAINER, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == "mse", report.command
    assert any("linear in its inputs" in n for n in report.result.notes)
    (tmp_path / "network.py").write_text(named, encoding="utf-8")
    (tmp_path / "layers.py").write_text(DENSE + SIGMOID_LAYER, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None and report.recipe.setup.endswith("net.add(Sigmoid())")


# A container whose train takes the loss and its derivative and calls them itself, in a module that
# defines neither (the script that names them is elsewhere). Handed the catalog's mse and a − y in the
# order train calls the derivative, correct layers step along the gradient of mse, summed over the
# batch; a bias step that takes the mean over the batch where the weights sum is right for one sample
# only (no verdict of a loss at a batch).
HANDED = """
import numpy as np


class Network:
    def __init__(self):
        self.layers = []

    def add(self, layer):
        self.layers.append(layer)

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train(self, X, y, epochs, learning_rate, loss_fn, loss_fn_deriv):
        for _ in range(epochs):
            output = self.predict(X)
            error = loss_fn_deriv(CALLED)
            for layer in reversed(self.layers):
                error = layer.backward(error, learning_rate)
"""


@pytest.mark.parametrize("called", ["y, output", "output, y"])
@pytest.mark.parametrize(
    ("bias", "reduction"),
    [("grad.sum(axis=0, keepdims=True)", "sum"), ("grad.mean(axis=0, keepdims=True)", "inconsistent")],
)
def test_a_training_method_handed_a_loss_and_its_derivative_gets_the_catalogs_mse(
    tmp_path: Path, called: str, bias: str, reduction: str
) -> None:
    (tmp_path / "network.py").write_text(HANDED.replace("CALLED", called), encoding="utf-8")
    layers = DENSE.replace("grad.sum(axis=0, keepdims=True)", bias) + SIGMOID_LAYER
    (tmp_path / "layers.py").write_text(layers, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == "mse", report.command
    assert report.result.verdict.batch is not None
    assert report.result.verdict.batch.reduction == reduction
    order = "y_true, y_pred" if called.startswith("y") else "y_pred, y_true"
    notes = report.result.notes
    assert any(f"its derivative a − y (loss_fn_deriv({order})" in n for n in notes), notes


# The same container going through its data set one sample at a time, each a column of a stack
# (n, d, 1), and calling the derivative with the sample's label (loss_fn_deriv(yi, out)): handed mse,
# correct column layers step along its gradient, one sample after another; a hidden layer that steps
# its weights before it passes the gradient on is no gradient step at the rate it runs with.
BY_SAMPLE = HANDED.replace(
    """            output = self.predict(X)
            error = loss_fn_deriv(CALLED)
            for layer in reversed(self.layers):
                error = layer.backward(error, learning_rate)""",
    """            for xi, yi in zip(X, y):
                output = self.predict(xi)
                error = loss_fn_deriv(yi, output)
                for layer in reversed(self.layers):
                    error = layer.backward(error, learning_rate)""",
)
COLUMN_DENSE = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_out, n_in) * 0.5
        self.b = np.zeros((n_out, 1))

    def forward(self, x):
        self.x = x
        return self.W @ x + self.b

    def backward(self, grad, lr):
        dx = self.W.T @ grad
        self.W -= lr * grad @ self.x.T
        self.b -= lr * grad
        return dx
"""


@pytest.mark.parametrize(("first", "identified"), [(False, "mse"), (True, None)])
def test_a_container_stepping_through_stacked_columns_gets_them_one_at_a_time(
    tmp_path: Path, first: bool, identified: str | None
) -> None:
    (tmp_path / "network.py").write_text(BY_SAMPLE, encoding="utf-8")
    layers = COLUMN_DENSE + SIGMOID_LAYER
    if first:  # the update before the gradient passed on, which then uses the new W
        layers = layers.replace("        dx = self.W.T @ grad\n", "").replace(
            "        return dx", "        return self.W.T @ grad"
        )
    (tmp_path / "layers.py").write_text(layers, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "net.train(x.T[:, :, None], y.T[:, :, None], 1, lr" in (
        report.recipe.step or ""
    )
    assert any("(d, 1) column, stacked" in n for n in report.result.notes)


# A class with no forward pass of its own: fit(self, X, Y) runs the forward pass, the backward pass and
# the update inline, in its own epoch loop. Its body is read as a script (self the object the class's
# setup builds): tanh hidden units, a softmax output, δ2 = (p − Y)/n and δ1 = δ2 W2ᵀ ⊙ (1 − h²), the
# gradient step of the cross-entropy, a mean over the batch. Without (1 − h²) it is no loss's.
FIT_ONLY = """
import numpy as np


class MLP:
    def __init__(self, n_in, n_hidden, n_out, lr=0.1, epochs=100):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)
        self.lr = lr
        self.epochs = epochs

    def fit(self, X, Y):
        for epoch in range(self.epochs):
            h = np.tanh(X @ self.W1 + self.b1)
            z = h @ self.W2 + self.b2
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d2 = (p - Y) / X.shape[0]
            d1 = (d2 @ self.W2.T) * (1 - h ** 2)
            self.W2 -= self.lr * h.T @ d2
            self.b2 -= self.lr * d2.sum(axis=0)
            self.W1 -= self.lr * X.T @ d1
            self.b1 -= self.lr * d1.sum(axis=0)
        return self
"""


@pytest.mark.parametrize(("derivative", "identified"), [("(1 - h ** 2)", "cross_entropy"), ("1", None)])
def test_a_class_whose_fit_does_everything_inline_is_read_as_a_script_of_its_body(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(FIT_ONLY.replace("(1 - h ** 2)", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.lr == "model.lr"
    assert (report.recipe.step or "").endswith("model.b1 -= model.lr * d1.sum(axis=0)")
    batch = report.result.verdict.batch  # probed only when one sample gives a verdict
    assert (batch.reduction if batch is not None else None) == ("mean" if identified else None)


# A script that drives layer objects of modules named like their classes (from nn import nn), sized by
# data it loads from a file that is not there (nn(X.shape[1], 10)): the loader is left out and the
# size made small. The loop steps each layer by its own update(lr): δ = (p − Y)/n on sigmoid outputs is
# the mean bce's output delta, so stepping both layers is bce's gradient step; forgetting the output
# layer's update leaves its weights unchanged by the step: no loss.
LAYER_MODULES = {
    "nn.py": """
import numpy as np


class nn:
    def __init__(self, n_in, n_out):
        self.w = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.w + self.b

    def backward(self, g):
        self.dw = self.x.T @ g
        self.db = g.sum(axis=0)
        return g @ self.w.T

    def update(self, lr):
        self.w -= lr * self.dw
        self.b -= lr * self.db
""",
    "sigmoid.py": """
import numpy as np


class sigmoid:
    def forward(self, z):
        self.a = 1 / (1 + np.exp(-z))
        return self.a

    def backward(self, g):
        return g * self.a * (1 - self.a)
""",
    "train.py": """
import numpy as np
from nn import nn
from sigmoid import sigmoid

data = np.loadtxt("blobs.txt")
X, labels = data[:, :-1], data[:, -1].astype(int)
Y = np.eye(3)[labels]

hidden = nn(X.shape[1], 10)
act1 = sigmoid()
output = nn(10, 3)
act2 = sigmoid()

lr = 0.1
for epoch in range(1000):
    h = act1.forward(hidden.forward(X))
    p = act2.forward(output.forward(h))
    delta = (p - Y) / len(X)
    g = output.backward(delta)
    g = act1.backward(g)
    hidden.backward(g)
    hidden.update(lr)
    output.update(lr)
""",
}


@pytest.mark.parametrize(("forgotten", "identified"), [(False, "bce"), (True, None)])
def test_a_loop_that_steps_its_layer_objects_is_checked_as_its_step(
    tmp_path: Path, forgotten: bool, identified: str | None
) -> None:
    for name, text in LAYER_MODULES.items():
        if name == "train.py" and forgotten:
            text = text.replace("    output.update(lr)\n", "")
        (tmp_path / name).write_text(text, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "train.py")))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.step is not None and report.recipe.lr == "lr"
    assert report.recipe.setup.startswith("hidden = nn(4, 10)")
    if forgotten:
        assert report.result.verdict.per_tensor["output.w"][0] is None
        assert any("output.w, output.b: never changed by the step" in n for n in report.result.notes)
