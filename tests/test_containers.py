"""Container classes given their layers from the modules beside them, and gradients collected from the
output layer down.

A common project layout keeps each layer in a module of its own and a container class that is handed
layers one by one (``net.add_layer(Linear(4, 5))``) in a file that imports none of them; its training
step makes the output error with its own loss object and returns what every layer's backward pass
returned, output layer first. Checked alone, the container file has no network: it is built from the
layers beside it, and the step that computes the error is the subject (not the backward pass that is
handed the error, which is squared error's gradient whatever the container trains with).
"""

from __future__ import annotations

import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.failures import Failed
from verification.adapters.matching import plan_matching
from verification.cli import main
from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.sentences import format_scale
from verification.identification.several import check_each
from verification.reading.guesses import guessed_arguments
from verification.reading.loader import load_script
from verification.reading.targets import SeveralSetups
from verification.units.check import units_target

PROJECT = {
    "dense.py": """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = 0.1 * np.random.randn(n_in, n_out)
        self.b = np.zeros((1, n_out))
        self.params = [self.W, self.b]

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.W + self.b

    def backward(self, upstream):
        dW = self.inputs.T @ upstream
        db = BIAS
        return upstream @ self.W.T, [dW, db]
""",
    "tanh_layer.py": """
import numpy as np


class TanhLayer:
    def __init__(self):
        self.params = []

    def forward(self, inputs):
        self.out = np.tanh(inputs)
        return self.out

    def backward(self, upstream):
        return upstream * (1 - self.out ** 2), []
""",
    "softmax_loss.py": """
import numpy as np


class SoftmaxLoss:
    def value(self, scores, labels):
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        self.probs = shifted / shifted.sum(axis=1, keepdims=True)
        return -np.log(self.probs[np.arange(len(labels)), labels]).mean()

    def gradient(self, scores, labels):
        g = self.probs.copy()
        g[np.arange(len(labels)), labels] -= 1
        return g / len(labels)
""",
    "model.py": """
import numpy as np
from softmax_loss import SoftmaxLoss


class Model:
    def __init__(self, criterion=SoftmaxLoss()):
        self.layers = []
        self.criterion = criterion

    def add_layer(self, layer):
        self.layers.append(layer)

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, upstream):
        grads = []
        for layer in reversed(self.layers):
            upstream, g = layer.backward(upstream)
            grads.append(g)
        return grads

    def train_step(self, X, labels):
        scores = self.forward(X)
        loss = self.criterion.value(scores, labels)
        return loss, self.backward(self.criterion.gradient(scores, labels))
""",
}


def _project(tmp_path: Path, bias: str) -> Path:
    for name, source in PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    return tmp_path / "model.py"


@pytest.mark.parametrize(
    ("bias", "identified", "batches"),
    [
        ("upstream.sum(axis=0)", "cross_entropy", True),
        ("upstream.sum(axis=0) * 2", None, True),
        ("upstream[0]", "cross_entropy", False),
    ],
)
def test_a_container_of_layers_from_beside_it_is_checked_through_its_training_step(
    tmp_path: Path, bias: str, identified: str | None, batches: bool
) -> None:
    """The container is built from the layers beside it (Dense 4 → 5, TanhLayer, Dense 5 → 3), and
    ``train_step`` — softmax cross-entropy with class-index labels, the mean over the batch — is the
    subject: the gradients come back output layer first, each layer's ``[dW, db]`` in order, the bias
    gradients as vectors for ``(1, n)`` biases. A bias gradient doubled is no loss; one read off the
    first sample only is the loss's for one sample and fails the batch."""
    report = check_target(CheckRequest.parse(str(_project(tmp_path, bias))))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == (identified, batches), report.command
    command = report.command or ""
    assert "--gradient 'out = net.forward(x); net.train_step(x, y)'" in command, command
    assert "net.add_layer(Dense(4, 5)); net.add_layer(TanhLayer()); net.add_layer(Dense(5, 3))" in command
    assert "--labels index" in command, command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "1", r.scale  # the mean over the batch


def test_gradients_listed_layer_by_layer_from_the_output_are_matched_to_their_parameters() -> None:
    """``[[dW2, db2], [], [dW1, db1]]`` for ``layers[0].W, layers[0].b, layers[2].W, layers[2].b``:
    layers in reverse, each layer's own in order; a ``(3,)`` gradient fits a ``(1, 3)`` bias."""
    rng = np.random.default_rng(5)
    params = {
        "layers[0].W": rng.standard_normal((4, 5)),
        "layers[0].b": rng.standard_normal((1, 5)),
        "layers[2].W": rng.standard_normal((5, 3)),
        "layers[2].b": rng.standard_normal((1, 3)),
    }
    returned = [[np.ones((5, 3)), np.ones(3)], [], [np.ones((4, 5)), np.ones(5)]]
    plan = plan_matching("backward", returned, params)
    assert plan == {"layers[2].W": 0, "layers[2].b": 1, "layers[0].W": 2, "layers[0].b": 3}


def test_gradients_of_activations_returned_by_name_are_left_aside_and_no_parameters_gradient() -> None:
    """``{"dW1", "db1", "dA0", "dA1"}`` for a network of three layers: the activations' gradients are
    set aside and ``W2``, ``b2`` … get none (a mismatch, later). Rows of a gradient kept as a list
    (``dW2[0]``) or a bias gradient named unlike its parameter are a parameter's: no match by name."""
    rng = np.random.default_rng(6)
    params = {
        k: rng.standard_normal(s) for k, s in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)))
    }
    returned = {
        "dA1": np.ones((5, 1)),
        "dW1": np.ones((5, 4)),
        "db1": np.ones((5, 1)),
        "dA0": np.ones((4, 1)),
    }
    assert plan_matching("backward", returned, params) == {"W1": 1, "b1": 2}
    rows = {"dW1": np.ones((5, 4)), "db1": np.ones((5, 1)), "dW2": [np.ones(5)] * 3}
    with pytest.raises(Failed, match="neither by name, nor by order"):
        plan_matching("backward", rows, params)


def test_gradients_returned_partly_as_expressions_go_by_their_place_where_it_agrees_with_the_names() -> None:
    """``return dz1 @ x.T, dz1, dW2, db2``: the first two have no name (placeholders), so the order of the
    parameters places them; read by the two names alone, ``W1`` and ``b1`` got nothing. An order that
    puts a named gradient elsewhere than its name says is not taken."""
    rng = np.random.default_rng(7)
    params = {
        k: rng.standard_normal(s) for k, s in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)))
    }
    returned = (np.ones((5, 4)), np.ones((5, 1)), np.ones((3, 5)), np.ones((3, 1)))
    placed = ["_returned_0", "_returned_1", "dW2", "db2"]
    assert plan_matching("backward", returned, params, placed) == {"W1": 0, "b1": 1, "W2": 2, "b2": 3}
    square = {k: np.zeros((3, 3)) for k in ("W1", "W2", "W3")}
    three = (np.ones((3, 3)),) * 3
    assert plan_matching("backward", three[:2], dict(list(square.items())[:2]), ["dW2", "_returned_1"]) == {
        "W2": 0,
        "W1": 1,
    }
    with pytest.raises(Failed, match="neither by name, nor by order"):  # dW2 first: in no order of the three
        plan_matching("backward", three, square, ["dW2", "_returned_1", "_returned_2"])


def test_a_gradient_named_for_its_parameter_and_of_another_shape_is_named_in_the_refusal() -> None:
    """``db1 = np.sum(dZ1, axis=0, keepdims=True)`` over units, not samples: ``(1, 1)`` for ``b1 (5, 1)``;
    the refusal says so, not that nothing lines up."""
    params = {k: np.zeros(s) for k, s in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)))}
    returned = {
        "dW1": np.ones((5, 4)),
        "db1": np.ones((1, 1)),
        "dW2": np.ones((3, 5)),
        "db2": np.ones((3, 1)),
    }
    with pytest.raises(Failed, match=r"of the wrong shape for b1 \(\(1, 1\), expected \(5, 1\)\)$"):
        plan_matching("backward", returned, params)


def test_gradients_that_fit_several_orders_are_refused() -> None:
    """Square layers of one size: the code's order, the reverse and the layer-by-layer reverse all fit
    the shapes, and nothing names the arrays, so no order is guessed."""
    params = {f"layers[{i}].{n}": np.zeros((3, 3) if n == "W" else (3,)) for i in (0, 1) for n in "Wb"}
    returned = [np.ones((3, 3)), np.ones(3), np.ones((3, 3)), np.ones(3)]
    with pytest.raises(Failed, match="more than one order"):
        plan_matching("backward", returned, params)


TUTORIAL_PROJECT = {
    "base.py": """
class Base:
    def forward_pass(self, data):
        raise NotImplementedError

    def backward_pass(self, grad_out, rate):
        raise NotImplementedError
""",
    "fully_connected.py": """
import numpy as np
from base import Base


class FullyConnected(Base):
    def __init__(self, n_in, n_out):
        self.w = np.random.rand(n_in, n_out) - 0.5
        self.b = np.random.rand(1, n_out) - 0.5

    def forward_pass(self, data):
        self.data = data
        return np.dot(data, self.w) + self.b

    def backward_pass(self, grad_out, rate):
        grad_in = np.dot(grad_out, self.w.T)
        self.w -= rate * np.dot(self.data.T, grad_out)
        self.b -= rate * BIAS
        return grad_in
""",
    "activation_layer.py": """
from base import Base


class ActivationLayer(Base):
    def __init__(self, activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward_pass(self, data):
        self.data = data
        return self.activation(data)

    def backward_pass(self, grad_out, rate):
        return self.activation_prime(self.data) * grad_out
""",
    "functions.py": """
import numpy as np


def tanh(v):
    return np.tanh(v)


def tanh_prime(v):
    return 1 - np.tanh(v) ** 2


def mse(target, pred):
    return np.mean((target - pred) ** 2)


def mse_prime(target, pred):
    return 2 * (pred - target) / target.size
""",
    "network.py": """
class Network:
    def __init__(self):
        self.layers = []
        self.loss = None
        self.loss_prime = None

    def add(self, layer):
        self.layers.append(layer)

    def use(self, loss, loss_prime):
        self.loss = loss
        self.loss_prime = loss_prime

    def predict(self, input_data):
        result = []
        for i in range(len(input_data)):
            output = input_data[i]
            for layer in self.layers:
                output = layer.forward_pass(output)
            result.append(output)
        return result

    def fit(self, x_train, y_train, epochs, learning_rate):
        for epoch in range(epochs):
            for j in range(len(x_train)):
                output = x_train[j]
                for layer in self.layers:
                    output = layer.forward_pass(output)
                error = self.loss_prime(y_train[j], output)
                for layer in reversed(self.layers):
                    error = layer.backward_pass(error, learning_rate)
""",
}


@pytest.mark.parametrize("loss", ["mse", "half_sse"])
@pytest.mark.parametrize(("bias", "identified"), [("grad_out", "mse"), ("grad_out * 0.5", None)])
def test_a_container_that_is_handed_its_layers_and_its_loss_is_trained_one_sample_at_a_time(
    tmp_path: Path, bias: str, identified: str | None, loss: str
) -> None:
    """The widely copied tutorial layout: ``Network.add(layer)``, ``Network.use(loss, loss_prime)`` and
    ``fit(x_train, y_train, epochs, learning_rate)`` taking each sample as a ``(1, n)`` row, with a
    dense layer and an activation layer handed ``tanh`` and ``tanh_prime`` in modules beside it. The
    network is built of them and handed ``mse`` and ``mse_prime``; the loss object the network keeps
    (``self.loss_prime``) is no method to check. 2 (a − y) / 3 is 2/3 × the squared error's gradient of
    one sample of 3 outputs; a bias stepped by half its gradient is no loss. A loss named like none of
    the catalog's (``half_sse``) is handed on all the same."""
    for name, source in TUTORIAL_PROJECT.items():
        text = textwrap.dedent(source).replace("BIAS", bias).replace("def mse", f"def {loss}")
        (tmp_path / name).write_text(text, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    r = report.result
    assert r.identified == identified, (r.identified, report.command)
    command = report.command or ""
    assert (
        "net.add(ActivationLayer(tanh, tanh_prime))" in command
        and f"net.use({loss}, {loss}_prime)" in command
    )
    assert "net.fit(x[:, None], y[:, None], 1, lr)" in command, command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "2/3", r.scale


SETUP_PROJECT = {
    "layers.py": """
        import numpy as np

        class Dense:
            def __init__(self, n_in, n_out):
                self.weight = np.random.randn(n_in, n_out) * 0.5
                self.bias = np.zeros((1, n_out))
                self.grad = None

            def __call__(self, x):
                self.x = x
                return x @ self.weight + self.bias

            def backward(self, g):
                self.grad = (self.x.T @ g, g.sum(axis=0, keepdims=True))
                return g @ self.weight.T
        """,
    "loss.py": """
        class MSELoss:
            def __call__(self, out, target):
                self.out, self.target = out, target
                return ((out - target) ** 2).mean()

            def backward(self):
                return SCALE * (self.out - self.target) / self.out.shape[0]
        """,
    "model.py": """
        from layers import Dense
        from loss import MSELoss

        class Model:
            def __init__(self):
                self.layers = []
                self.lr = None
                self.loss_fn = None

            def setup(self, lr, loss_fn):
                self.lr = lr
                self.loss_fn = loss_fn

            def add(self, layer):
                self.layers.append(layer)

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x

            def train(self, X, Y, n_epochs=50):
                for epoch in range(n_epochs):
                    self.loss_fn(self.forward(X), Y)
                    g = self.loss_fn.backward()
                    for layer in reversed(self.layers):
                        g = layer.backward(g)
                    for layer in self.layers:
                        layer.weight -= self.lr * layer.grad[0]
                        layer.bias -= self.lr * layer.grad[1]
        """,
}


@pytest.mark.parametrize(("scale", "identified"), [("1", "mse"), ("2", "mse")])
def test_a_container_handed_its_rate_and_loss_object_by_a_setup_method_is_trained(
    tmp_path: Path, scale: str, identified: str
) -> None:
    """``Model.setup(lr, loss_fn)`` hands the container its learning rate and a loss object: it is
    called with 0.1 and the loss class beside it, after the layers are added. (a − y)/m is the mean
    squared error's gradient; 2 (a − y)/m twice it, which the scale says."""
    for name, source in SETUP_PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("SCALE", scale), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "model.py")))
    r = report.result
    assert (r.identified, r.verdict.scale) == (identified, float(scale)), report.command
    assert "net.setup(0.1, MSELoss())" in (report.command or ""), report.command


ABSTRACT_LOSS = """
    class Loss:
        def __call__(self, out, target):
            raise NotImplementedError

        def backward(self):
            raise NotImplementedError

"""


def test_a_loss_base_class_the_others_derive_from_is_not_handed_to_the_container(tmp_path: Path) -> None:
    """Beside ``MSELoss(Loss)`` the project keeps its abstract base ``Loss`` (each method raises
    NotImplementedError): the container is handed the loss that derives from it, not the base."""
    for name, source in SETUP_PROJECT.items():
        source = textwrap.dedent(source).replace("SCALE", "1")
        if name == "loss.py":
            source = textwrap.dedent(ABSTRACT_LOSS) + source.replace("class MSELoss:", "class MSELoss(Loss):")
        (tmp_path / name).write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "model.py")))
    assert report.result.identified == "mse", report.command
    assert "net.setup(0.1, MSELoss())" in (report.command or ""), report.command


class PairsOfSizes:
    def __init__(self, layer_size):
        self.layers = [np.zeros((pair[0], pair[1])) for pair in layer_size]


class UnpackedPairs:
    def __init__(self, dims):
        self.weights = [np.zeros((n_in, n_out)) for n_in, n_out in dims]


class NamedByLayer:
    def __init__(self, input_layer_size, hidden_layer_size, output_layer_size):
        self.W1 = np.zeros((input_layer_size, hidden_layer_size))
        self.W2 = np.zeros((hidden_layer_size, output_layer_size))


class CountedLayers:
    def __init__(self, input_size, hidden_sizes, output_size, num_layers):
        assert len(hidden_sizes) == num_layers - 1
        self.sizes = [input_size, *hidden_sizes, output_size]


class ThetaTopology:
    def __init__(self, topology, epsilon, numLabels):
        self.theta = [
            np.random.default_rng(0).random((topology[k], topology[k - 1] + 1)) * 2 * epsilon - epsilon
            for k in range(1, len(topology))
        ]
        self.numLabels = numLabels


def test_a_count_of_labels_is_the_output_size_and_an_initial_range_epsilon_a_half() -> None:
    """``numLabels`` is the number of outputs, the last of the size list; ``epsilon`` the half-width of
    the uniform initial weights, ``U(−ε, ε)`` (Ng's course), not a tolerance: weights of size 0.5."""
    guessed = guessed_arguments(ThetaTopology)[0]
    assert guessed == {"topology": [4, 5, 5, 3], "epsilon": 0.5, "numLabels": 3}
    assert ThetaTopology(**guessed).numLabels == guessed["topology"][-1]


def test_constructor_arguments_are_guessed_from_how_the_constructor_uses_them() -> None:
    """A size list whose elements are indexed (``pair[0]``, ``pair[1]``) is a list of ``(in, out)``
    pairs; a count of layers is that of the 4-5-3 network's weight layers, consistent with one hidden
    size."""
    assert guessed_arguments(PairsOfSizes)[0] == {"layer_size": [(4, 5), (5, 5), (5, 3)]}
    assert guessed_arguments(UnpackedPairs)[0] == {"dims": [(4, 5), (5, 5), (5, 3)]}
    assert guessed_arguments(CountedLayers)[0] == {
        "input_size": 4,
        "hidden_sizes": [5],
        "output_size": 3,
        "num_layers": 2,
    }
    assert CountedLayers(**guessed_arguments(CountedLayers)[0]).sizes == [4, 5, 3]
    assert guessed_arguments(NamedByLayer)[0] == {  # one layer's size, not a list of them
        "input_layer_size": 4,
        "hidden_layer_size": 5,
        "output_layer_size": 3,
    }


class SizesAsArray:
    def __init__(self, n, h=0.1):
        self.L = n.size - 1
        self.W = self.make_weights(n)

    def make_weights(self, units):
        return [np.zeros((units[i + 1], units[i])) for i in range(self.L)]


def test_a_size_list_read_as_an_array_in_a_method_the_constructor_calls_is_given_as_one() -> None:
    """``MLNN(n)`` measures ``n.size`` and hands ``n`` to ``make_weights(units)``, which indexes it: a
    list of sizes (read in the method it is handed to, under the method's own name), given as a numpy
    array (a list has no ``size``), written so that it reads in a setup."""
    guessed = guessed_arguments(SizesAsArray)
    assert [str(g["n"]) for g in guessed] == [
        "__import__('numpy').array([4, 5, 5, 3])",
        "__import__('numpy').array([4, 5, 5, 1])",
        "__import__('numpy').array([4, 5, 3])",
        "__import__('numpy').array([4, 5, 1])",
    ]
    net = eval(f"SizesAsArray(n={guessed[0]['n']})")  # the setup as the checker runs it
    assert [w.shape for w in net.W] == [(5, 4), (5, 5), (3, 5)]


GRADIENTS_DICT = """
import numpy as np


class TwoLayer:
    def __init__(self, input_size, hidden_size, output_size):
        self.params = {
            "W1": 0.3 * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": 0.3 * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }

    def forward(self, X):
        self.outputs = {}
        scores = np.zeros((X.shape[0], self.params["b2"].size))
        for i in range(X.shape[0]):
            h = np.tanh(X[i] @ self.params["W1"] + self.params["b1"])
            s = h @ self.params["W2"] + self.params["b2"]
            e = np.exp(s - s.max())
            self.outputs["x_" + str(i)] = X[i]
            self.outputs["h_" + str(i)] = h
            self.outputs["p_" + str(i)] = e / e.sum()
            scores[i] = e / e.sum()
        return scores

    def backward(self, y):
        self.gradients = {k: np.zeros_like(v) for k, v in self.params.items()}
        n = y.shape[0]
        loss = 0.0
        for i in range(n):
            p = self.outputs["p_" + str(i)]
            loss -= np.log(p[int(y[i])])
            d = p.copy()
            d[int(y[i])] -= 1
            d /= n
            h = self.outputs["h_" + str(i)]
            self.gradients["W2"] += np.outer(h, d)
            self.gradients["b2"] += d
            dh = (self.params["W2"] @ d) * (1 - h ** 2)
            self.gradients["W1"] += np.outer(self.outputs["x_" + str(i)], dh)
            self.gradients["b1"] += DB1
        return loss / n
"""


@pytest.mark.parametrize(("db1", "identified"), [("dh", "cross_entropy"), ("dh * 0.5", None)])
def test_gradients_kept_under_the_parameters_own_keys_in_a_dict_named_for_them_are_read(
    tmp_path: Path, db1: str, identified: str | None
) -> None:
    """``backward(y)`` returns the loss and leaves the gradients in ``self.gradients["W1"]`` beside
    ``self.params["W1"]``; the forward pass keeps per-sample entries in ``self.outputs``. Labels are
    class indices (``p[int(y[i])]``), so a wrong bias gradient is no loss, not an ambiguity about the
    labels' form. Softmax outputs, the mean over the batch."""
    path = tmp_path / "two_layer.py"
    path.write_text(textwrap.dedent(GRADIENTS_DICT).replace("DB1", db1), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == (identified, True), report.command
    assert "net.backward(y)" in (report.command or "") and "--labels index" in (report.command or "")
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "1", r.scale


HANDED_FUNCTIONS = """
import numpy as np


def tanh(z):
    return np.tanh(z)


def tanh_prime(z):
    return 1 - np.tanh(z) ** 2


class Net:
    def __init__(self, sizes, activation_function, activation_derivative):
        self.f, self.df = activation_function, activation_derivative
        self.W = [np.random.randn(a, b) * 0.5 for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        self.zs, self.hs = [], [x]
        for W in self.W:
            self.zs.append(self.hs[-1] @ W)
            self.hs.append(self.f(self.zs[-1]))
        return self.hs[-1]

    def backward(self, x, y):
        delta = (self.forward(x) - y) * self.df(self.zs[-1])
        grads = []
        for i in reversed(range(len(self.W))):
            grads.insert(0, self.hs[i].T @ delta)
            delta = delta @ self.W[i].T * DERIVATIVE
        return grads
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("self.df(self.zs[i - 1]) if i else 0", "mse"), ("1", None)]
)
def test_a_constructor_handed_an_activation_and_its_derivative_gets_the_projects(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``Net(sizes, activation_function, activation_derivative)`` is built with the file's ``tanh`` and
    ``tanh_prime``; a hidden layer back-propagated without the derivative is no loss."""
    path = tmp_path / "handed.py"
    path.write_text(textwrap.dedent(HANDED_FUNCTIONS).replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    command = report.command or ""
    assert "activation_function=tanh, activation_derivative=tanh_prime" in command, command


COLLECTING = {
    "dense.py": PROJECT["dense.py"],
    "tanh_layer.py": PROJECT["tanh_layer.py"],
    "squares.py": """
class HalfSquares:
    def forward(self, out, target):
        return 0.5 * ((out - target) ** 2).sum() / out.shape[0]

    def backward(self, out, target):
        return (out - target) / out.shape[0]
""",
    "stack.py": """
class Stack:
    def __init__(self, criterion):
        self.criterion = criterion
        self.layers = []

    def add_layer(self, layer):
        self.layers.append(layer)

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def train_step(self, X, target):
        out = self.forward(X)
        g = self.criterion.backward(out, target)
        collected = []
        for layer in reversed(self.layers):
            g, own = layer.backward(g)
            collected.append(own)
        return collected
""",
}


@pytest.mark.parametrize(
    ("bias", "identified", "batches"),
    [
        ("upstream.sum(axis=0)", "mse", True),
        ("upstream.mean(axis=0)", "mse", False),
        ("-upstream.sum(axis=0)", None, True),
    ],
)
def test_a_training_step_that_returns_what_its_layers_give_back_is_checked_as_gradients(
    tmp_path: Path, bias: str, identified: str | None, batches: bool
) -> None:
    """``train_step(X, target)`` runs its loss object's and layers' backward passes itself and returns
    what they give back: tried as returned gradients, not only as an update (it updates nothing). Half
    the squared error over the batch mean is mse; a bias gradient averaged where the loss already
    divided by the batch is mse's for one sample and fails the batch; one with its sign flipped is no
    loss."""
    for name, source in COLLECTING.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "stack.py")))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == (identified, batches), report.command
    assert "net = Stack(criterion=HalfSquares())" in (report.command or ""), report.command


TRAINER_PROJECT = {
    "layers.py": """
import numpy as np


class Linear:
    def __init__(self, in_dims, units):
        self.W = np.random.randn(in_dims, units) * np.sqrt(1 / in_dims)
        self.b = np.zeros((1, units))

    def forward(self, X):
        self.X = X
        return X @ self.W + self.b

    def backward(self, dZ):
        self.dW = self.X.T @ dZ
        self.db = BIAS
        return dZ @ self.W.T
""",
    "activations.py": """
import numpy as np


class Sigmoid:
    def forward(self, Z):
        self.A = 1 / (1 + np.exp(-Z))
        return self.A

    def backward(self, dA):
        return dA * self.A * (1 - self.A)
""",
    "losses.py": """
import numpy as np


class BinaryCE:
    def forward(self, y_hat, y):
        self.y_hat, self.y = y_hat, y
        return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))

    def backward(self):
        return (self.y_hat - self.y) / (self.y_hat * (1 - self.y_hat)) / self.y.shape[0]
""",
    "train_loop.py": """
import numpy as np


def train(model, loss_func, X, y, epochs=100, batch_size=32, lr=0.01):
    history = []
    for epoch in range(epochs):
        for i in range(0, X.shape[0], batch_size):
            A = X[i:i + batch_size]
            for layer in model:
                A = layer.forward(A)
            history.append(loss_func.forward(A, y[i:i + batch_size]).mean())
            grad = loss_func.backward()
            for layer in reversed(model):
                grad = layer.backward(grad)
            for layer in model:
                if hasattr(layer, "W"):
                    layer.W -= lr * layer.dW
                    layer.b -= lr * layer.db
    return history
""",
}


@pytest.mark.parametrize(("bias", "batches"), [("dZ.sum(axis=0, keepdims=True)", True), ("dZ[:1]", False)])
def test_a_training_function_over_a_list_of_layers_and_a_loss_object_is_run_on_the_projects(
    tmp_path: Path, bias: str, batches: bool
) -> None:
    """``train(model, loss_func, X, y, epochs, batch_size, lr)`` with the forward pass written inside
    it and a loss object (``BinaryCE()``, whose ``forward`` takes the output and the labels): run on a
    list of the project's layers (Linear 4 → 5 → 3, Sigmoid after each) with its loss object, the data
    as arrays. The mean over the batch is bce's gradient; a bias gradient of the first sample alone is
    bce's for one sample and fails the batch."""
    for name, source in TRAINER_PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "train_loop.py")))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == ("bce", batches), report.command
    command = report.command or ""
    assert "network = [Linear(4, 5), Sigmoid(), Linear(5, 3), Sigmoid()]" in command, command
    assert "loss_func=BinaryCE()" in command and report.result.subject == "train", command


OWN_LOSS_PROJECT = {
    "blocks.py": """
import numpy as np


class Affine:
    def __init__(self, n_in, n_out, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.weights = np.random.normal(0.0, 0.5, (n_in, n_out))
        self.biases = np.zeros(n_out)

    def forward(self, inputs):
        return inputs @ self.weights + self.biases

    def backward(self, inputs, grad_output):
        grad_input = grad_output @ self.weights.T
        self.weights = self.weights - self.learning_rate * inputs.T @ grad_output
        self.biases = self.biases - self.learning_rate * BIAS
        return grad_input


class Rectifier:
    def forward(self, inputs):
        return np.maximum(0, inputs)

    def backward(self, inputs, grad_output):
        return grad_output * (inputs > 0)
""",
    "network.py": """
import numpy as np


def forward(network, X):
    activations, current = [], X
    for layer in network:
        current = layer.forward(current)
        activations.append(current)
    return activations


def train(network, X, y):
    activations = forward(network, X)
    inputs = [X] + activations
    logits = activations[-1]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(len(y)), y] -= 1
    grad /= len(y)
    for index in reversed(range(len(network))):
        grad = network[index].backward(inputs[index], grad)
""",
}


@pytest.mark.parametrize(
    ("bias", "identified"),
    [("grad_output.sum(axis=0)", "cross_entropy"), ("grad_output.sum(axis=0) * 2", None)],
)
def test_a_trainer_with_its_own_loss_over_layers_from_beside_it_is_checked(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``train(network, X, y)`` makes the softmax cross-entropy's error itself, and ``forward(network,
    X)`` returns every layer's activation: the network is the project's ``Affine`` layers with its
    ``Rectifier`` between them only (a rectifier on the output can zero every gradient), its output the
    last activation; class-index labels, the mean over the batch. A doubled bias step is no loss."""
    for name, source in OWN_LOSS_PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == identified, report.command
    command = report.command or ""
    assert "network = [Affine(4, 5), Rectifier(), Affine(5, 3)]" in command, command
    assert "forward(network, x)[-1]" in command and "--labels index" in command, command


LIBRARY = {
    "layers.py": """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = BIAS
        return grad @ self.W.T
""",
    "activations.py": """
import numpy as np


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, grad):
        return grad * self.out * (1 - self.out)
""",
    "network.py": """
class Network:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def train(self, X, y, optimizer, epochs=100):
        for _ in range(epochs):
            out = self.forward(X)
            self.backward(out - y)
            optimizer.step(self.layers)
""",
}


@pytest.mark.parametrize(
    ("bias", "identified", "batches"),
    [
        ("grad.sum(axis=0, keepdims=True)", "mse", True),
        ("grad.mean(axis=0, keepdims=True)", "mse", False),
        ("2 * grad.sum(axis=0, keepdims=True)", None, True),
    ],
)
def test_a_container_whose_layers_live_in_modules_it_does_not_import_is_checked_as_a_network(
    tmp_path: Path, bias: str, identified: str | None, batches: bool
) -> None:
    """``network.py`` chains layers that a script elsewhere builds from ``layers.py`` and
    ``activations.py``: the file is no file of layer units (its ``backward(grad)`` stores nothing of
    its own) but a network, built from the layers beside it and checked as one. Handed the error
    ``a − y``, as its own training method hands it, the layers back-propagate the summed squared error;
    a bias gradient averaged over the batch while the weights' is summed is right for one sample only;
    one doubled is no loss."""
    for name, source in LIBRARY.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    path = tmp_path / "network.py"
    assert units_target(str(path), None) is None
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == (identified, batches), report.command
    assert "Dense(4, 5)" in (report.command or "")


def test_a_container_handed_an_error_it_does_not_say_by_a_loss_object_is_refused(tmp_path: Path) -> None:
    """The same network whose training method hands its backward pass ``loss_fn.grad(out, y)``, a loss
    object's value the check cannot read, and that takes an optimiser the check cannot make: what the
    backward pass is handed is unknown, so the check is refused as ambiguous, not made with ``a − y``."""
    for name, source in LIBRARY.items():
        source = source.replace("optimizer, epochs", "loss_fn, optimizer, epochs")
        source = source.replace("self.backward(out - y)", "self.backward(loss_fn.grad(out, y))")
        (tmp_path / name).write_text(
            textwrap.dedent(source).replace("BIAS", "grad.sum(axis=0)"), encoding="utf-8"
        )
    with pytest.raises(InputError) as caught:
        check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert getattr(caught.value, "cause", None) == "ambiguous"


SIZED_ADDER = """
import numpy as np


class Layer:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_out, n_in) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        self.a = np.tanh(self.W @ x + self.b)
        return self.a


class NN:
    def __init__(self, input_size):
        self.input_size = input_size
        self.layers = []

    def add_layer(self, num_neurons):
        n_in = self.layers[-1].W.shape[0] if self.layers else self.input_size
        self.layers.append(Layer(n_in, num_neurons))

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, y_true, lr=0.1):
        sigma = (self.layers[-1].a - y_true) * (1 - self.layers[-1].a ** 2)
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            below = (layer.W.T @ sigma) * (1 - layer.x ** 2) if i > 0 else None
            layer.W -= lr * np.outer(sigma, layer.x)
            layer.b -= lr * BIAS
            sigma = below
"""


@pytest.mark.parametrize(("bias", "identified"), [("sigma", "mse"), ("sigma * layer.x[0]", None)])
def test_a_container_that_makes_its_layers_from_a_number_of_units_is_built_4_5_5_3(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``NN(input_size)`` and ``add_layer(num_neurons)``: the container makes each layer itself from its
    number of units, so it is built as ``NN(input_size=4); add_layer(5); add_layer(5); add_layer(3)``
    and its one-sample backward pass checked; a bias step scaled by an input is no loss."""
    path = tmp_path / "sized.py"
    path.write_text(SIZED_ADDER.replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.add_layer(5); net.add_layer(5); net.add_layer(3)" in (report.command or "")


PAIRED_ADDER = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Layer:
    def __init__(self, n_inputs, n_units):
        self.weights = np.empty((n_units, n_inputs))
        self.biases = np.empty(n_units)


class Network:
    def __init__(self):
        self.layers = []

    def add_layer(self, n_inputs, n_units):
        self.layers.append(Layer(n_inputs, n_units))

    def init_weights(self):
        for layer in self.layers:
            layer.weights = np.random.uniform(-1, 1, layer.weights.shape)
            layer.biases = np.random.uniform(-1, 1, layer.biases.shape)

    def feed(self, inputs):
        for layer in self.layers:
            layer.activations = sigmoid(layer.weights @ inputs + layer.biases)
            inputs = layer.activations

    def get_output(self):
        return self.layers[-1].activations

    def train_step(self, inputs, target, rate):
        deltas = [None] * len(self.layers)
        out = self.layers[-1]
        deltas[-1] = (out.activations - target) * out.activations * (1 - out.activations)
        for i in range(len(self.layers) - 2, -1, -1):
            a = self.layers[i].activations
            deltas[i] = (self.layers[i + 1].weights.T @ deltas[i + 1]) * a * (1 - a)
        for i, layer in enumerate(self.layers):
            below = inputs if i == 0 else self.layers[i - 1].activations
            UPDATE
"""

UPDATES = {
    "after every delta": "layer.weights -= rate * np.outer(deltas[i], below)\n            "
    "layer.biases -= rate * deltas[i]",
    "bias with the input": "layer.weights -= rate * np.outer(deltas[i], below)\n            "
    "layer.biases -= rate * deltas[i] * below.sum()",
}


@pytest.mark.parametrize(
    ("update", "identified"), [("after every delta", "mse"), ("bias with the input", None)]
)
def test_a_container_whose_adder_takes_inputs_and_units_is_built_then_initialised(
    tmp_path: Path, update: str, identified: str | None
) -> None:
    """``Network()``, ``add_layer(n_inputs, n_units)`` and ``init_weights()`` (the layers are made with
    ``np.empty``), a forward pass that returns nothing and ``get_output()`` that reads the last layer's
    activations: built 4-5-3 and initialised, its output read by its accessor. The step is ½ Σ (a − y)²'s
    (output delta (a − y) σ'(z), deltas all taken before any update); a bias step scaled by the input's
    sum is no loss's."""
    path = tmp_path / "paired.py"
    path.write_text(PAIRED_ADDER.replace("UPDATE", UPDATES[update]), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net = Network(); net.add_layer(4, 5); net.add_layer(5, 3); net.init_weights()" in (
        report.command or ""
    )
    assert "net.get_output()" in (report.command or "")


ANNOTATED_COSTS = """
import numpy as np


class Cost:
    @staticmethod
    def delta(z, a, y):
        raise NotImplementedError


class SquaredCost(Cost):
    @staticmethod
    def delta(z, a, y):
        return (a - y) * SIGMOID_PRIME
"""

ANNOTATED_NET = """
import numpy as np
import costs


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, sizes, cost: costs.Cost):
        self.weights = [np.random.randn(m, n) for n, m in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.random.randn(m, 1) for m in sizes[1:]]
        self.cost = cost

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def backprop(self, x, y):
        zs, activations = [], [x]
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_w, nabla_b = [delta @ activations[-2].T], [delta]
        for i in range(2, len(self.weights) + 1):
            s = sigmoid(zs[-i])
            delta = (self.weights[-i + 1].T @ delta) * s * (1 - s)
            nabla_w.insert(0, delta @ activations[-i - 1].T)
            nabla_b.insert(0, delta)
        return nabla_b, nabla_w
"""


@pytest.mark.parametrize(
    ("prime", "identified"),
    [("np.exp(-z) / (1 + np.exp(-z)) ** 2", "mse"), ("np.exp(-z)", None)],
)
def test_a_constructor_argument_annotated_with_a_cost_base_class_gets_its_one_subclass(
    tmp_path: Path, prime: str, identified: str | None
) -> None:
    """``Net(sizes, cost: costs.Cost)``: the annotation names the interface, and the project's one
    subclass of it (``costs.SquaredCost``) is what the network is given; its delta with the sigmoid's
    derivative makes ``backprop`` the squared error's gradient, a wrong derivative no loss. With a
    second subclass, each is another network, checked on its own (``a − y`` on sigmoid outputs: bce).
    (Each project names its cost module differently: a module imported in this process stays
    imported.)"""
    module = f"costs_{identified}"
    (tmp_path / f"{module}.py").write_text(ANNOTATED_COSTS.replace("SIGMOID_PRIME", prime), encoding="utf-8")
    (tmp_path / "net.py").write_text(ANNOTATED_NET.replace("costs", module), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "net.py")))
    assert report.result.identified == identified, report.command
    assert f"cost={module}.SquaredCost()" in (report.command or ""), report.command
    second = "\n\nclass OtherCost(Cost):\n    @staticmethod\n    def delta(z, a, y):\n        return a - y\n"
    two = tmp_path / "two"
    two.mkdir()
    (two / f"{module}_two.py").write_text(ANNOTATED_COSTS.replace("SIGMOID_PRIME", prime) + second, "utf-8")
    (two / "net.py").write_text(ANNOTATED_NET.replace("costs", f"{module}_two"), encoding="utf-8")
    with pytest.raises(SeveralSetups) as caught:
        check_target(CheckRequest.parse(str(two / "net.py")))
    each = check_each(CheckRequest.parse(str(two / "net.py")), caught.value)
    assert [(n, r.result.identified) for n, r in each.checked if isinstance(r, CheckReport)] == [
        ("Net with cost=SquaredCost()", identified),
        ("Net with cost=OtherCost()", "bce"),
    ]


def test_an_entry_script_whose_builder_returns_the_network_is_checked_through_it(tmp_path: Path) -> None:
    """``main.py`` defines no class: its ``build()`` assembles a ``Model`` from the project's layers and
    loss and returns it, and its ``__main__`` block trains it. The network is built with ``net =
    build()``, and the class of what it returns is checked."""
    for name, source in SETUP_PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("SCALE", "1"), encoding="utf-8")
    (tmp_path / "main.py").write_text(
        "import numpy as np\nfrom model import Model\nfrom layers import Dense\nfrom loss import MSELoss\n\n"
        "def build():\n    net = Model()\n    net.add(Dense(3, 4))\n    net.add(Dense(4, 2))\n"
        "    net.setup(0.05, MSELoss())\n    return net\n\n"
        "if __name__ == '__main__':\n    build().train(np.ones((8, 3)), np.ones((8, 2)), n_epochs=10)\n",
        encoding="utf-8",
    )
    report = check_target(CheckRequest.parse(str(tmp_path / "main.py")))
    assert (report.result.identified, report.result.verdict.scale) == ("mse", 1.0), report.command
    assert "--setup 'net = build()'" in (report.command or ""), report.command


FLAG_LOSS_PROJECT = {
    "layers.py": """
        import numpy as np

        class Linear:
            def __init__(self, n_in, n_out):
                self.weights = np.random.randn(n_in, n_out) * 0.5

            def forward(self, x):
                self.x = x
                return x @ self.weights

            def backward(self, g, learning_rate):
                back = g @ self.weights.T
                self.weights -= learning_rate * self.x.T @ g
                return back
        """,
    "loss.py": """
        def mse(Y, Y_hat, prime=False):
            if not prime:
                return 0.5 * ((Y_hat - Y) ** 2).sum()
            return Y_hat - Y
        """,
    "network.py": """
        class Network:
            def __init__(self):
                self.layers = []
                self.loss_function = None

            def set_loss_function(self, loss_function):
                self.loss_function = loss_function

            def add_layer(self, layer):
                self.layers.append(layer)

            def predict(self, x):
                for layer in self.layers:
                    x = layer.forward(x)
                return x

            def train(self, X, Y, learning_rate, epochs):
                for _ in range(epochs):
                    out = self.predict(X)
                    g = self.loss_function(Y, out, prime=True)
                    for layer in reversed(self.layers):
                        g = layer.backward(g, learning_rate)
        """,
}


@pytest.mark.parametrize(
    ("second", "identified"), [("", "mse"), ("ce", None)], ids=["one-loss", "two-losses"]
)
def test_a_container_handed_its_loss_function_gets_the_projects_one_loss(
    tmp_path: Path, second: str, identified: str | None
) -> None:
    """``set_loss_function(loss_function)`` and a loss function whose derivative is a flag
    (``mse(Y, Y_hat, prime=False)``) beside it: the one such function is handed on. With two (``mse``
    and ``ce``) the verdict would be of a choice made here, so none is, and the check is refused."""
    files = dict(FLAG_LOSS_PROJECT)
    if second:
        files["loss.py"] += "\n        def ce(Y, Y_hat, prime=False):\n            return Y_hat - Y\n"
    for name, source in files.items():
        (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    if identified is None:
        with pytest.raises(InputError):
            check_target(CheckRequest.parse(str(tmp_path / "network.py")))
        return
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == identified, report.command
    assert "net.set_loss_function(mse)" in (report.command or "")


# A container handed its layers, its loss object and its learning rate, with the layers and the loss
# in modules beside it that it does not import; each layer steps itself with the rate. MSELoss's
# backward (a − y)/N and the dense layer's X.T @ grad give the gradient of mse, mean over the batch.
RATED = {
    "layers.py": """
        import numpy as np


        class FullyConnected:
            def __init__(self, nin, nout):
                self.W = np.random.randn(nin, nout) * 0.5
                self.b = np.zeros(nout)

            def forward(self, X):
                self.X = X
                return X @ self.W + self.b

            def backward(self, grad, lr):
                back = grad @ self.W.T
                self.W -= lr * self.X.T @ grad
                self.b -= lr * grad.sum(axis=0)
                return back


        class Tanh:
            def forward(self, X):
                self.out = np.tanh(X)
                return self.out

            def backward(self, grad, lr):
                return grad * (1 - self.out ** 2)
        """,
    "loss.py": """
        class MSELoss:
            def forward(self, y_pred, y):
                self.diff = y_pred - y
                return 0.5 * (self.diff ** 2).sum() / len(y)

            def backward(self):
                return self.diff / len(self.diff)
        """,
    "model.py": """
        class Model:
            def __init__(self, layers, loss, learning_rate):
                self.layers = layers
                self.loss = loss
                self.learning_rate = learning_rate

            def predict(self, X):
                for layer in self.layers:
                    X = layer.forward(X)
                return X

            def train(self, X, y):
                self.loss.forward(self.predict(X), y)
                grad = self.loss.backward()
                for layer in reversed(self.layers):
                    grad = layer.backward(grad, self.learning_rate)
        """,
}


def test_a_container_handed_its_layers_loss_and_learning_rate_is_built_with_a_rate_its_name_gives(
    tmp_path: Path,
) -> None:
    for name, source in RATED.items():
        (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "model.py")))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None and "loss=MSELoss(), learning_rate=0.1)" in report.recipe.setup


# A network handed its activation, its cost and their derivatives from a module beside it, with early
# stopping's patience and tolerance: the cost's derivative (a − y)/(a(1 − a)) times the sigmoid's
# derivative is a − y at the output, the gradient of bce (the step is per sample).
HANDED_COST = {
    "common.py": """
        import numpy as np


        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def sigmoid_prime(x):
            return sigmoid(x) * (1 - sigmoid(x))


        def binary_x_entropy(y_hat, y):
            return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


        def binary_x_entropy_prime(y_hat, y):
            return (y_hat - y) / (y_hat * (1 - y_hat))
        """,
    "mlp.py": """
        import numpy as np


        class ShallowNetwork:
            def __init__(self, input_size, hidden_size, output_size, eta, patience, tolerance,
                         activation_func, activation_func_prime, cost_func, cost_func_prime):
                self.W1 = np.random.randn(input_size, hidden_size) * 0.5
                self.W2 = np.random.randn(hidden_size, output_size) * 0.5
                self.eta, self.patience, self.tolerance = eta, patience, tolerance
                self.f, self.f_prime = activation_func, activation_func_prime
                self.cost, self.cost_prime = cost_func, cost_func_prime

            def output(self, x):
                return self.f(self.f(x @ self.W1) @ self.W2)

            def train_step(self, x, y):
                z1 = x @ self.W1
                a1 = self.f(z1)
                z2 = a1 @ self.W2
                d2 = self.cost_prime(self.f(z2), y) * self.f_prime(z2)
                d1 = (d2 @ self.W2.T) * self.f_prime(z1)
                self.W2 -= self.eta * a1.T @ d2
                self.W1 -= self.eta * x.T @ d1
        """,
}


def test_a_network_handed_its_cost_function_and_its_derivative_gets_the_projects(tmp_path: Path) -> None:
    for name, source in HANDED_COST.items():
        (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "mlp.py")))
    assert report.result.identified == "bce", report.command
    assert report.recipe is not None
    assert "cost_func=binary_x_entropy, cost_func_prime=binary_x_entropy_prime" in report.recipe.setup
    assert "patience=10, tolerance=0.0" in report.recipe.setup


PAIRED_BY_HAND = """
import numpy as np


class NeuralNetwork:
    def __init__(self, layers):
        self.weights = []
        for i in range(1, len(layers) - 1):
            self.weights.append(0.5 * np.random.randn(layers[i - 1] + 1, layers[i] + 1))
            self.weights.append(0.5 * np.random.randn(layers[i] + 1, layers[i + 1]))

    def forward(self, X):
        self.a = [np.hstack([X, np.ones((len(X), 1))])]
        for W in self.weights:
            self.a.append(np.tanh(self.a[-1] @ W))
        return self.a[-1]

    def gradients(self, X, y):
        out = self.forward(X)
        delta = (out - y) * (1 - out ** 2)
        grads = []
        for l in range(len(self.weights) - 1, -1, -1):
            grads.insert(0, self.a[l].T @ delta)
            delta = (delta @ self.weights[l].T) * HIDDEN
        return grads
"""


@pytest.mark.parametrize(("hidden", "identified"), [("(1 - self.a[l] ** 2)", "mse"), ("1", None)])
def test_a_network_that_pairs_its_layers_by_hand_is_built_with_one_hidden_layer(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """Its constructor appends two weights per hidden layer (``range(1, len(layers) - 1)``), a chain
    only for three sizes: ``[4, 5, 5, 3]`` fails in the forward pass and ``[4, 5, 3]`` is taken."""
    path = tmp_path / "bp.py"
    path.write_text(textwrap.dedent(PAIRED_BY_HAND).replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.command is not None and "NeuralNetwork(layers=[4, 5, 3])" in report.command


STARRED_SIZES = """
import numpy as np


class Network:
    def __init__(self, *sizes):
        self.weights = [np.random.randn(m, n) * 0.5 for n, m in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        self.acts = [x]
        for w in self.weights:
            self.acts.append(1 / (1 + np.exp(-(self.acts[-1] @ w.T))))
        return self.acts[-1]

    def gradient(self, x, y):
        out = self.forward(x)
        delta = OUTPUT_DELTA
        grads = []
        for i in range(len(self.weights) - 1, -1, -1):
            grads.insert(0, delta.T @ self.acts[i])
            a = self.acts[i]
            delta = (delta @ self.weights[i]) * a * (1 - a)
        return grads
"""


@pytest.mark.parametrize(
    ("delta", "identified"), [("out - y", "bce"), ("(out - y) * out * (1 - out)", "mse")]
)
def test_a_constructor_that_takes_its_sizes_one_by_one_is_given_them_starred(
    tmp_path: Path, delta: str, identified: str
) -> None:
    """``Network(*sizes)``: built as ``Network(*[4, 5, 5, 3])``. Sigmoid layers, no biases: the output
    delta ``a − y`` is binary cross-entropy's, ``(a − y) a (1 − a)`` squared error's."""
    assert guessed_arguments(
        type("Net", (), {"__init__": lambda self, *nodes: None})  # only its signature is read
    )[0] == {"*nodes": [4, 5, 5, 3]}
    path = tmp_path / "starred.py"
    path.write_text(STARRED_SIZES.replace("OUTPUT_DELTA", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net = Network(*[4, 5, 5, 3])" in (report.command or "")


LISTED_GRADIENTS = """
import numpy as np


class MLP:
    def __init__(self, input_size=784, dim_hidden=[256, 64], output_size=10):
        sizes = [input_size, *dim_hidden, output_size]
        self.weights = [np.random.randn(m, n) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n) for n in sizes[1:]]

    def forward(self, x):
        self.data = [x]
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            self.data.append(np.tanh(self.data[-1] @ w + b))
        z = self.data[-1] @ self.weights[-1] + self.biases[-1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        self.pred = e / e.sum(axis=1, keepdims=True)
        return self.pred

    def backward(self, labels):
        self.grad_weights, self.grad_biases = [], []
        dz = (self.pred - labels) / labels.shape[0]
        for i in range(len(self.weights) - 1, -1, -1):
            self.grad_weights.insert(0, self.data[i].T @ dz)
            self.grad_biases.insert(0, dz.sum(axis=0))
            if i:
                dz = (dz @ self.weights[i].T) * HIDDEN
"""


@pytest.mark.parametrize(
    ("hidden", "identified"), [("(1 - self.data[i] ** 2)", "cross_entropy"), ("self.data[i]", None)]
)
def test_gradients_stored_in_lists_beside_the_parameters_lists_are_read(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """``backward(labels)`` returns nothing and stores ``self.grad_weights[i]`` beside ``self.weights[i]``:
    read by index. The hidden widths default to a list of large ones (``dim_hidden=[256, 64]``), given
    as small ones ``[5, 5]`` first. Softmax output, ``(p − y) / N``: mean cross-entropy's gradient; a
    tanh derivative written ``a`` instead of ``1 − a²`` is no loss's."""
    assert guessed_arguments(load_script_from(tmp_path, LISTED_GRADIENTS).MLP)[0] == {
        "input_size": 4,
        "dim_hidden": [5, 5],
    }
    path = tmp_path / "listed.py"
    path.write_text(LISTED_GRADIENTS.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.backward(y); {" in (report.command or "") and ": net.grad_weights[0]" in (
        report.command or ""
    )


def load_script_from(tmp_path: Path, source: str) -> types.ModuleType:
    """The module a source defines, loaded as the check loads files."""
    path = tmp_path / "module.py"
    path.write_text(source.replace("HIDDEN", "1"), encoding="utf-8")
    return load_script(path).module


# layers handed their sizes and an activation object, in a container handed the layers; its train hands
# backward the error a − y: a sigmoid output's delta a − y is the gradient of BCE, a softmax output's
# that of cross-entropy (each output activation a network of its own); a backward that ignores the
# activation's derivative in the hidden layer is the gradient of no loss
ACTIVATION_OBJECTS = """
import numpy as np


class Sigmoid:
    def forward(self, z):
        return 1 / (1 + np.exp(-z))

    def derivative(self, a):
        return a * (1 - a)


class Softmax:
    def forward(self, z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def derivative(self, a):
        return np.ones_like(a)


class Layer:
    def __init__(self, fan_in, fan_out, activation_function):
        self.W = np.random.randn(fan_in, fan_out) * 0.5
        self.act = activation_function

    def forward(self, h):
        self.h = h
        self.a = self.act.forward(h @ self.W)
        return self.a

    def backward(self, delta):
        self.dW = self.h.T @ delta
        return (delta @ self.W.T) * HIDDEN


class MLP:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train(self, x, y, lr=0.1):
        delta = self.forward(x) - y
        for i, layer in enumerate(reversed(self.layers)):
            delta = layer.backward(delta)
        for layer in self.layers:
            layer.W -= lr * layer.dW
"""


@pytest.mark.parametrize(
    ("hidden", "verdicts"),
    [("self.h * (1 - self.h)", ["bce", "cross_entropy"]), ("1", ["none", "none"])],
    ids=["right", "no hidden derivative"],
)
def test_layers_handed_their_sizes_and_an_activation_object_are_built_with_the_projects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hidden: str, verdicts: list[str]
) -> None:
    path = tmp_path / "objects.py"
    path.write_text(ACTIVATION_OBJECTS.replace("HIDDEN", hidden), encoding="utf-8")
    main(["check", str(path), "-q"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["MLP ending in Sigmoid()", "MLP ending in Softmax()"]
    got = [line.split("gradient of ")[1].split()[0].rstrip(":") for line in lines]
    assert got == verdicts, lines
