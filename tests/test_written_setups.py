"""Networks built the way course and homework code builds them, read from what the file itself writes:
a forward pass that is the instance's ``__call__``, a constructor flag that picks a branch
(``init_flag == '1'``), constructor arguments that only the script's own call gives (inside
``main(args)``), and a list of layer objects driven by a training loop inside ``main()``, from a
module the script finds by putting its parent folder on ``sys.path``. The scripts are written for the
tests in those styles, with the verdict derived by hand in each comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.units.check import check_units, wants_units
from verification.units.discovery import discover

# __call__ is the forward pass: sigmoid hidden layer, softmax output, class-index label; sgd_step's
# output delta softmax(b) − onehot(y) is the gradient of the cross-entropy. The weights exist only
# for init_flag '1' or '2'; any other value raises. The data set class beside it is no network.
CALLED = """
import numpy as np


class DataSet:
    def __init__(self):
        self.labels, self.features = [], []

    def __len__(self):
        return len(self.labels)

    def append(self, label, feat):
        self.labels.append(label)
        self.features.append(feat)

    def __iter__(self):
        return iter(zip(self.labels, self.features))


class NN:
    def __init__(self, in_dim, hid_units, num_classes, lr, init_flag):
        if init_flag == '1':
            make = lambda shape: np.random.uniform(-0.1, 0.1, size=shape)
        elif init_flag == '2':
            make = np.zeros
        else:
            raise ValueError(init_flag)
        self.lr = lr
        self.alpha_w = make((hid_units, in_dim))
        self.alpha_b = np.zeros(hid_units)
        self.beta_w = make((num_classes, hid_units))
        self.beta_b = np.zeros(num_classes)

    def __call__(self, x):
        z = 1 / (1 + np.exp(-(self.alpha_w @ x + self.alpha_b)))
        e = np.exp(self.beta_w @ z + self.beta_b)
        return e / e.sum()

    def sgd_step(self, x, y):
        z = 1 / (1 + np.exp(-(self.alpha_w @ x + self.alpha_b)))
        e = np.exp(self.beta_w @ z + self.beta_b)
        d_b = e / e.sum()
        d_b[y] -= 1
        d_a = (d_b @ self.beta_w) * z * (1 - z)
        self.beta_w -= self.lr * np.outer(d_b, z)
        self.beta_b -= self.lr * d_b
        self.alpha_w -= self.lr * np.outer(d_a, x)
        self.alpha_b -= self.lr * d_a
"""


def test_a_class_whose_forward_pass_is_its_call_with_a_flag_that_picks_the_initialisation(
    tmp_path: Path,
) -> None:
    path = tmp_path / "neuralnet.py"
    path.write_text(CALLED, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command
    assert report.recipe is not None and report.recipe.forward == "net.__call__(x)"
    assert "init_flag='1'" in report.recipe.setup


# The constructor's activations are names only main's own call gives ('relu', 'softmax'); its sizes
# main reads off the data. ReLU hidden layer, softmax output: probs − onehot(y) per sample, stepped
# one sample at a time, is the gradient of the cross-entropy.
BUILT_IN_MAIN = """
import numpy as np


def relu(z):
    return np.maximum(0.0, z)


def relu_prime(z):
    return (z > 0).astype(float)


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


ACTIVATIONS = {'relu': (relu, relu_prime), 'softmax': (softmax, None)}


class MultiLayerPerceptron:
    def __init__(self, n_classes, n_features, hidden_size, learning_rate, activ_h, activ_o):
        self.W1 = np.random.normal(0.1, 0.1, (n_features, hidden_size))
        self.b1 = np.zeros(hidden_size)
        self.W2 = np.random.normal(0.1, 0.1, (hidden_size, n_classes))
        self.b2 = np.zeros(n_classes)
        self.activation = ACTIVATIONS[activ_h]
        self.output_activation = ACTIVATIONS[activ_o]
        self.lr = learning_rate

    def forward(self, x):
        return self.output_activation[0](self.activation[0](x @ self.W1 + self.b1) @ self.W2 + self.b2)

    def train_epoch(self, X, y):
        for x_i, y_i in zip(X, y):
            z1 = x_i @ self.W1 + self.b1
            h1 = self.activation[0](z1)
            probs = self.output_activation[0](h1 @ self.W2 + self.b2)
            g2 = probs.copy()
            g2[y_i] -= 1.0
            g1 = (g2 @ self.W2.T) * self.activation[1](z1)
            self.W2 -= self.lr * np.outer(h1, g2)
            self.b2 -= self.lr * g2
            self.W1 -= self.lr * np.outer(x_i, g1)
            self.b1 -= self.lr * g1


def main(args):
    data = np.load(args.data_path)
    X, y = data["X"], data["y"]
    model = MultiLayerPerceptron(np.unique(y).size, X.shape[1], hidden_size=20, learning_rate=0.001,
                                 activ_h='relu', activ_o='softmax')
    for epoch in range(args.epochs):
        model.train_epoch(X, y)
"""


def test_constructor_arguments_only_the_scripts_own_call_gives_are_taken_from_it(tmp_path: Path) -> None:
    path = tmp_path / "hw1_mlp.py"
    path.write_text(BUILT_IN_MAIN, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command
    assert report.recipe is not None and "activ_h='relu'" in report.recipe.setup


# Layer objects from a module one folder up (found through sys.path.insert of the script's parent's
# parent), chained by a training loop inside main(): LeakyReLU hidden layer, sigmoid output, the loop
# seeds 2(A − Y)/N and every layer steps itself with the learning rate it is handed: 2 × the gradient
# of mse, mean over the batch.
LAYERS = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, a):
        self.a = a
        return a @ self.W + self.b

    def backward(self, grad, lr):
        back = grad @ self.W.T
        self.W -= lr * self.a.T @ grad
        self.b -= lr * grad.sum(axis=0, keepdims=True)
        return back


class LeakyReLU:
    def forward(self, z):
        self.z = z
        return np.where(z > 0, z, 0.01 * z)

    def backward(self, grad, lr):
        return grad * np.where(self.z > 0, 1.0, 0.01)


class Sigmoid:
    def forward(self, z):
        self.out = 1 / (1 + np.exp(-z))
        return self.out

    def backward(self, grad, lr):
        return grad * self.out * (1 - self.out)
"""

XOR = """
import sys
from pathlib import Path

import pytest

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from capas import Dense, LeakyReLU, Sigmoid


def main():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    Y = np.array([[0], [1], [1], [0]])
    red = [Dense(2, 8), LeakyReLU(), Dense(8, 1), Sigmoid()]
    learning_rate = 0.3
    for epoch in range(1000):
        a = X
        for capa in red:
            a = capa.forward(a)
        gradiente = 2 * (a - Y) / Y.shape[0]
        for capa in reversed(red):
            gradiente = capa.backward(gradiente, learning_rate)


if __name__ == "__main__":
    main()
"""


def test_a_list_of_layer_objects_driven_by_a_loop_inside_main(tmp_path: Path) -> None:
    (tmp_path / "capas.py").write_text(LAYERS, encoding="utf-8")
    (tmp_path / "xor").mkdir()
    path = tmp_path / "xor" / "xor_gate.py"
    path.write_text(XOR, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.identified, report.result.verdict.scale) == ("mse", 2.0), report.command
    assert report.recipe is not None and report.recipe.lr == "learning_rate"


# Labels named as −1 or +1 (perceptron style). Code that maps them back to 0 and 1 before a sigmoid
# output, silently (TO_01 = "(y_pm1 + 1) / 2") or raising on a label of 0, has the output delta
# p − y01 of bce only when given 2y − 1; code that fits a tanh output to them (d = p − y_pm1,
# times 1 − p²) is the gradient of mse of the labels as given, and only so.
SIGNED = """
import numpy as np


class MlpTwoLayer:
    def __init__(self, input_dim, hidden_dim=3, lr=0.5):
        rng = np.random.default_rng(0)
        self.W1 = rng.normal(0, 0.5, (hidden_dim, input_dim))
        self.b1 = np.zeros(hidden_dim)
        self.w2 = rng.normal(0, 0.5, hidden_dim)
        self.b2 = 0.0
        self.lr = lr

    def forward(self, x):
        h = np.tanh(self.W1 @ x + self.b1)
        return OUTPUT(self.w2 @ h + self.b2)

    def step(self, x, y_pm1):
        CHECK
        h = np.tanh(self.W1 @ x + self.b1)
        p = OUTPUT(self.w2 @ h + self.b2)
        d = DELTA
        dh = d * self.w2 * (1 - h ** 2)
        self.w2 = self.w2 - self.lr * d * h
        self.b2 = self.b2 - self.lr * d
        self.W1 = self.W1 - self.lr * np.outer(dh, x)
        self.b1 = self.b1 - self.lr * dh
"""
SIGMOID = "(lambda z: 1 / (1 + np.exp(-z)))"
RAISES = 'if y_pm1 not in (-1, 1):\n            raise ValueError("y must be -1 or +1")'


@pytest.mark.parametrize(
    ("output", "check", "delta", "identified", "signed"),
    [
        (SIGMOID, "pass", "p - (y_pm1 + 1) / 2", "bce", True),
        (SIGMOID, RAISES, "p - (y_pm1 + 1) / 2", "bce", True),
        ("np.tanh", "pass", "(p - y_pm1) * (1 - p ** 2)", "mse", False),
    ],
    ids=["mapped-back", "raising-on-0", "fitted-to-plus-minus-one"],
)
def test_labels_named_as_minus_or_plus_one_are_read_both_ways(
    tmp_path: Path, output: str, check: str, delta: str, identified: str, signed: bool
) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(SIGNED.replace("OUTPUT", output).replace("CHECK", check).replace("DELTA", delta))
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and ("(2 * y - 1)" in (report.recipe.step or "")) == signed


# An entry script that defines nothing: its __main__ block builds the project's Network from layers
# beside it and trains it on data it loads. The network's train steps per sample with
# loss_prime(a, y) = a − y back through tanh and dense layers: the gradient of mse, one sample at a
# time.
PROJECT = {
    "network.py": """
import numpy as np


class Network:
    def __init__(self, loss, loss_prime):
        self.layers = []
        self.loss, self.loss_prime = loss, loss_prime

    def add_layer(self, layer):
        self.layers.append(layer)

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train(self, x_train, y_train, epochs, learning_rate):
        for _ in range(epochs):
            for x, y in zip(x_train, y_train):
                out = self.predict(x[None, :])
                grad = self.loss_prime(out, y[None, :])
                for layer in reversed(self.layers):
                    grad = layer.backward(grad, learning_rate)
""",
    "layers.py": """
import numpy as np


class FullyConnectedLayer:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad, lr):
        back = grad @ self.W.T
        self.W -= lr * self.x.T @ grad
        self.b -= lr * grad
        return back


class TanhLayer:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad, lr):
        return grad * (1 - self.out ** 2)
""",
    "util.py": """
import numpy as np


def mse(a, y):
    return 0.5 * np.sum((a - y) ** 2)


def mse_prime(a, y):
    return a - y
""",
    "classification.py": """
import numpy as np
from network import Network
from layers import FullyConnectedLayer, TanhLayer
from util import *

if __name__ == "__main__":
    data = np.loadtxt("ionosphere.csv", delimiter=",")
    x_train, y_train = data[:, :34], data[:, 34:]
    nn = Network(mse, mse_prime)
    nn.add_layer(FullyConnectedLayer(34, 8))
    nn.add_layer(TanhLayer())
    nn.add_layer(FullyConnectedLayer(8, max(2, 1)))  # a builtin read in the construction is no data
    nn.train(x_train, y_train, 300, 0.01)
""",
}


def test_a_network_built_in_the_main_block_of_a_script_that_defines_nothing(tmp_path: Path) -> None:
    for name, source in PROJECT.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "classification.py")))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None and report.recipe.setup.startswith(
        "nn = Network(mse, mse_prime); nn.add_layer("
    )


def test_a_loss_gradient_method_beside_the_training_method_is_never_taken_for_the_backward_pass(
    tmp_path: Path,
) -> None:
    """``loss_grad(self, out, y)`` returns the loss's derivative for the output, which ``train`` then
    back-propagates: checked as a backward pass it was called "none" for correct code."""
    project = dict(PROJECT)
    network = project["network.py"].replace(
        "                grad = self.loss_prime(out, y[None, :])",
        "                grad = self.loss_grad(out, y[None, :])",
    )
    network += "\n    def loss_grad(self, out, y):\n        return self.loss_prime(out, y)\n"
    project["network.py"] = network
    for name, source in project.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "classification.py")))
    assert report.result.identified == "mse", report.command
    assert report.result.subject == "Network.train", report.result.subject


# Layer classes and a main() that chains them, in one file: the network main() trains is checked, not
# each layer alone. The last layer's backward passes its gradient through (softmax and cross-entropy
# together), which is right for the network and no vector–Jacobian product of the layer's own.
LAYERS_IN_FILE = LAYERS.replace(
    "class Sigmoid:",
    """class Softmax:
    def forward(self, z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        self.out = e / e.sum(axis=1, keepdims=True)
        return self.out

    def backward(self, grad, lr):
        return grad


class Sigmoid:""",
)
MAIN_IN_FILE = """

def main():
    X = np.random.randn(6, 2)
    Y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    layers = [Dense(2, 8), LeakyReLU(), Dense(8, 3), Softmax()]
    learning_rate = 0.3
    for epoch in range(1000):
        a = X
        for layer in layers:
            a = layer.forward(a)
        grad = (a - Y) / Y.shape[0]
        for layer in reversed(layers):
            grad = layer.backward(grad, learning_rate)


if __name__ == "__main__":
    main()
"""


def test_layer_classes_that_a_main_function_chains_are_checked_as_that_network(tmp_path: Path) -> None:
    path = tmp_path / "layers_softmax.py"
    path.write_text(LAYERS_IN_FILE + MAIN_IN_FILE, encoding="utf-8")
    assert wants_units(load_script(path), None) is None
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command


# Layers and networks that draw their weights from a generator they are handed (``rng``), as code
# written for NumPy's Generator API is: a layer with a correct backward matches; a network of them
# whose output delta is softmax − onehot is the gradient of the cross-entropy.
HANDED_GENERATOR = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T
"""

NETWORK_WITH_GENERATOR = """
import numpy as np


class Net:
    def __init__(self, n_in, n_hidden, n_out, rng):
        self.W1 = rng.normal(0, 0.5, (n_in, n_hidden))
        self.W2 = rng.normal(0, 0.5, (n_hidden, n_out))

    def forward(self, x):
        self.h = np.tanh(x @ self.W1)
        s = self.h @ self.W2
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward(self, x, y):
        d2 = (self.forward(x) - y) / len(x)
        d1 = (d2 @ self.W2.T) * (1 - self.h ** 2)
        return x.T @ d1, self.h.T @ d2
"""


def test_a_layer_handed_its_random_generator_is_built_with_one(tmp_path: Path) -> None:
    path = tmp_path / "nn.py"
    path.write_text(HANDED_GENERATOR, encoding="utf-8")
    script = load_script(path)
    (result,) = check_units(script, discover(script, 0), seed=0).results
    assert result.verdict == "matches", result


def test_a_network_handed_its_random_generator_is_built_with_one(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(NETWORK_WITH_GENERATOR, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command
    assert (
        report.recipe is not None and "rng=__import__('numpy').random.default_rng(0)" in report.recipe.setup
    )


# A course network (10-601's style) handed the function its weights are drawn with: the project's
# random initialiser is given, not its zeros (whose equal hidden units would hide a bug between
# them). Sigmoid hidden layer, softmax output, one sample at a time; the step's output delta
# ŷ − onehot(y) is the gradient of the cross-entropy.
INITIALISED = """
import numpy as np


def random_init(shape):
    return np.random.uniform(-0.1, 0.1, size=shape)


def zero_init(shape):
    return np.zeros(shape)


class NN:
    def __init__(self, input_size, hidden_size, output_size, weight_init_fn, learning_rate):
        self.alpha = weight_init_fn((hidden_size, input_size))
        self.beta = weight_init_fn((output_size, hidden_size))
        self.lr = learning_rate

    def forward(self, x):
        self.z = 1 / (1 + np.exp(-(self.alpha @ x)))
        e = np.exp(self.beta @ self.z)
        return e / e.sum()

    def step(self, x, y):
        y_hat = self.forward(x)
        g_b = y_hat.copy()
        g_b[y] -= 1
        g_z = (self.beta.T @ g_b) * self.z * (1 - self.z)
        self.beta -= self.lr * np.outer(g_b, self.z)
        self.alpha -= self.lr * np.outer(g_z, x)
"""


def test_a_network_handed_its_weight_initialiser_gets_the_projects_random_one(tmp_path: Path) -> None:
    path = tmp_path / "neuralnet.py"
    path.write_text(INITIALISED, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command
    assert report.recipe is not None and "weight_init_fn=random_init" in report.recipe.setup


# A training method that runs its epochs as range(epochs + 1), given one epoch, trains twice: read as
# one step its update is no gradient, and correct code (mse through sigmoids, per sample) was called
# none. Its epoch loop is cut to one iteration like any other.
EPOCHS_PLUS_ONE = """
import numpy as np


class MLP:
    def __init__(self, layers):
        self.weights = [np.random.rand(a, b) for a, b in zip(layers[:-1], layers[1:])]
        self.activations = [np.zeros(n) for n in layers]
        self.derivatives = [np.zeros_like(w) for w in self.weights]

    def forward_propagate(self, inputs):
        a = self.activations[0] = inputs
        for i, w in enumerate(self.weights):
            a = self.activations[i + 1] = 1 / (1 + np.exp(-(a @ w)))
        return a

    def back_propagate(self, error):
        for i in reversed(range(len(self.derivatives))):
            a = self.activations[i + 1]
            delta = error * a * (1 - a)
            self.derivatives[i] = np.outer(self.activations[i], delta)
            error = delta @ self.weights[i].T

    def train(self, inputs, targets, epochs, learning_rate):
        for i in range(epochs + 1):
            for x, t in zip(inputs, targets):
                output = self.forward_propagate(x)
                self.back_propagate(t - output)
                for w, d in zip(self.weights, self.derivatives):
                    w += d * learning_rate
"""


def test_an_epoch_loop_of_one_more_than_its_count_runs_once(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(EPOCHS_PLUS_ONE, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command


# A training method that steps with RMSprop through a method of its layers: its first step divides the
# gradient by a running scale of it, nearly ±lr for every weight, but not quite when ε is not small
# against the gradient. No gradient can be read off it: refused, never "none" for correct code.
RMSPROP = """
import numpy as np


class Layer:
    def __init__(self, n_in, n_out):
        self.w = np.random.randn(n_out, n_in) * 0.5
        self.vdw = np.zeros_like(self.w)

    def apply_rmsprop(self, lr, beta, dw, epsilon=1e-3):
        self.vdw = beta * self.vdw + (1 - beta) * dw ** 2
        self.w -= lr / np.sqrt(self.vdw + epsilon) * dw


class NeuralNetwork:
    def __init__(self, sizes):
        self.layers = [Layer(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        self.inputs = []
        for layer in self.layers:
            self.inputs.append(x)
            x = 1 / (1 + np.exp(-(x @ layer.w.T)))
        return x

    def fit(self, x, y, lr=0.1, beta=0.9):
        delta = (self.forward(x) - y) / len(x)
        grads = []
        for layer, a_in in zip(reversed(self.layers), reversed(self.inputs)):
            grads.append(delta.T @ a_in)
            a = a_in
            delta = (delta @ layer.w) * a * (1 - a)
        for layer, dw in zip(reversed(self.layers), grads):
            layer.apply_rmsprop(lr, beta, dw)
"""


def test_a_step_through_an_adaptive_optimiser_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(RMSPROP, encoding="utf-8")
    with pytest.raises(InputError, match="adaptive optimiser"):
        check_target(CheckRequest.parse(str(path)))


# Functions over a dict whose name says nothing (W_and_bias), read only by string keys and handed on
# whole; the script fills the dict key by key after making it empty, and the training function runs
# num_ep epochs of its own. The output delta (a − y) σ'(z2) and the bias gradient summed over the batch:
# the gradient of mse, summed over the batch.
KEYED_DICT = """
import numpy as np


def sig(z):
    return 1 / (1 + np.exp(-z))


def sigp(z):
    return sig(z) * (1 - sig(z))


def forward(X, W_and_bias):
    z1 = W_and_bias["w1"] @ X + W_and_bias["b1"]
    A1 = sig(z1)
    z2 = W_and_bias["w2"] @ A1 + W_and_bias["b2"]
    return {"z1": z1, "z2": z2, "A1": A1, "A2": sig(z2)}


def back_and_grad(X, y, W_and_bias, learning_rate, num_ep):
    for i in range(num_ep):
        cache = forward(X, W_and_bias)
        delta2 = (cache["A2"] - y) * sigp(cache["z2"])
        delta1 = (W_and_bias["w2"].T @ delta2) * sigp(cache["z1"])
        W_and_bias["w2"] -= learning_rate * delta2 @ cache["A1"].T
        W_and_bias["b2"] -= learning_rate * np.sum(delta2, 1, keepdims=True)
        W_and_bias["w1"] -= learning_rate * delta1 @ X.T
        W_and_bias["b1"] -= learning_rate * np.sum(delta1, 1, keepdims=True)


W_and_bias = {}
W_and_bias["w2"] = np.random.rand(1, 2)
W_and_bias["w1"] = np.random.rand(2, 2)
W_and_bias["b2"] = np.random.rand(1, 1)
W_and_bias["b1"] = np.random.rand(2, 1)
X = np.array([[1, 1, 0, 0], [1, 0, 1, 0]])
y = np.array([1, 0, 0, 1])
back_and_grad(X, y, W_and_bias, 0.01, 1000000)
"""


def test_a_dict_of_weights_read_only_by_keys_and_filled_key_by_key_is_the_parameters(tmp_path: Path) -> None:
    path = tmp_path / "gate.py"
    path.write_text(KEYED_DICT, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None
    assert "W_and_bias['b1'] = np.random.rand(2, 1)" in report.recipe.setup
    assert "back_and_grad(x, y, W_and_bias, lr, 1)" in (report.recipe.step or "")


# The same dict made with a generator the script makes first, and trained by a function that returns
# it: the script's last assignment of the dict is the trained one (wb = train(X, y, wb, …)), which reads
# the data and runs every epoch; the one checked is the dict as made. train(X, y, wb, lr, num_ep) is
# given the probe's labels by their role. The tanh hidden layer's derivative 1 − A1² and a sigmoid output
# with delta A2 − y, means over the batch: the gradient of the mean bce.
TRAINED_DICT = """
import numpy as np

rng = np.random.default_rng(1)


def forward(X, wb):
    A1 = np.tanh(X @ wb["w1"] + wb["b1"])
    return A1, 1 / (1 + np.exp(-(A1 @ wb["w2"] + wb["b2"])))


def train(X, y, wb, lr, num_ep):
    m = X.shape[0]
    for ep in range(num_ep):
        A1, A2 = forward(X, wb)
        d2 = A2 - y
        d1 = d2 @ wb["w2"].T * (1 - A1 ** 2)
        wb["w2"] -= lr * A1.T @ d2 / m
        wb["b2"] -= lr * d2.sum(axis=0, keepdims=True) / m
        wb["w1"] -= lr * X.T @ d1 / m
        wb["b1"] -= lr * d1.sum(axis=0, keepdims=True) / m
    return wb


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
wb = {}
wb["w1"] = rng.normal(0, 0.5, size=(2, 4))
wb["b1"] = np.zeros((1, 4))
wb["w2"] = rng.normal(0, 0.5, size=(4, 1))
wb["b2"] = np.zeros((1, 1))
wb = train(X, y, wb, lr=0.5, num_ep=3000)
"""


def test_a_dict_the_script_trains_and_rebinds_is_set_up_as_made(tmp_path: Path) -> None:
    path = tmp_path / "xor.py"
    path.write_text(TRAINED_DICT, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    assert report.recipe is not None
    assert report.recipe.setup.startswith("rng = np.random.default_rng(1); wb = {}")
    assert "train(" not in report.recipe.setup
