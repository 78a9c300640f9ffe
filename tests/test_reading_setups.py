"""What the check reads off a class's own code to build and run it: data-file arguments given None,
which entry of a returned cache dict or tuple is the output, sizes by name and large sizes made small,
and an argument that bounds the epoch loop."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.forward_returns import split_returned
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.conventions import role
from verification.reading.dict_output import dict_output_key
from verification.reading.guesses import guessed_arguments, wide_defaults
from verification.reading.loader import load_script
from verification.reading.script_setup import with_small_layers, with_small_size_lists, without_data_files


class Loader:
    def __init__(self, sizes, data_path="train.csv", lr=0.1):
        self.sizes, self.data_path, self.lr = sizes, data_path, lr


def test_a_data_path_given_by_keyword_by_position_or_by_default_becomes_none() -> None:
    assert without_data_files("net = Loader([2, 3], data_path='mnist.pkl')", Loader) == (
        "net = Loader([2, 3], data_path=None)"
    )
    assert without_data_files("net = Loader([2, 3], 'mnist.pkl', 0.5)", Loader) == (
        "net = Loader([2, 3], None, 0.5)"
    )
    assert without_data_files("net = Loader([2, 3])", Loader) == "net = Loader([2, 3], data_path=None)"


def test_a_setup_without_a_data_path_to_replace_is_left_alone() -> None:
    assert without_data_files("net = Loader([2, 3], data_path=None)", Loader) is None
    assert without_data_files("net = Loader([2, 3], data_path=folder)", Loader) is None


class Cached:
    def __init__(self):
        self.L = 2

    def forward(self, x):
        return {"A1": x, "A2": x, "Z1": x, "Z2": x}

    def loss(self, cache, y):
        probs = cache[f"A{self.L}"]
        return -np.sum(y * np.log(probs))


class Unread:
    def forward(self, x):
        return {"A1": x, "Z1": x}


def test_the_output_entry_is_the_one_the_class_reads_as_its_output_not_the_last() -> None:
    """Entries grouped by kind put the pre-activation ``Z2`` last: the key comes from the code's use."""
    assert dict_output_key(Cached(), ["A1", "A2", "Z1", "Z2"]) == "A2"


def test_a_cache_whose_output_the_code_never_reads_has_no_output_key() -> None:
    assert dict_output_key(Unread(), ["A1", "Z1"]) is None


class Subtracted:
    def forward(self, x):
        return {"X": x, "A1": x, "A2": x}

    def backward(self, cache, Y):
        dZ2 = (cache["A2"] - Y) / Y.shape[0]
        return cache["A1"].T @ dZ2


class Predicted:
    def forward(self, x):
        return {"X": x, "h": x, "probs": x}

    def predict(self, X):
        cache = self.forward(X)
        return np.argmax(cache["probs"], axis=1)


def test_the_output_entry_is_the_one_the_labels_are_subtracted_from_or_a_class_taken_of() -> None:
    assert dict_output_key(Subtracted(), ["X", "A1", "A2"]) == "A2"
    assert dict_output_key(Predicted(), ["X", "h", "probs"]) == "probs"


class Sized:
    def __init__(self, sizes, hidden_dims=(64,)):
        self.sizes, self.hidden_dims = sizes, hidden_dims


def test_large_layer_sizes_of_the_scripts_own_construction_are_made_small() -> None:
    assert with_small_layers("model = Sized([784, 30, 10])", Sized) == "model = Sized([4, 30, 10])"
    assert with_small_layers("m = Sized([2, 3], hidden_dims=(512, 256))", Sized) == (
        "m = Sized([2, 3], hidden_dims=(4, 5))"
    )
    assert with_small_layers("m = Sized([4, 5, 3])", Sized) is None
    assert with_small_layers("m = Sized([(784, 'tanh'), (10, 'softmax')])", Sized) == (
        "m = Sized([(4, 'tanh'), (10, 'softmax')])"
    )
    assert with_small_layers("net = Sized(784, 128, 10)", Sized) == "net = Sized(4, 5, 10)"  # one by one
    assert with_small_layers("net = Sized(784, hidden_dims=10)", Sized) == "net = Sized(4, hidden_dims=10)"
    assert with_small_size_lists("dims = [12288, 20, 7, 5, 1]; p = init(dims)") == (
        "dims = [4, 20, 7, 5, 1]; p = init(dims)"
    )
    assert with_small_size_lists("dims = [5, 5, 5, 5, 1]") == "dims = [5, 5, 5, 5, 1]"


def test_a_size_list_bound_to_a_name_from_sizes_computed_before_it_is_made_small() -> None:
    # d = 784, hu = 392: the list is [784, 392, 392, 784], made [4, 5, 5, 4]; d and hu stay as written
    setup = "d = 28 ** 2; hu = d // 2; arch = [d, hu, hu, d]; nn = Sized(sizes=arch)"
    assert (
        with_small_layers(setup, Sized)
        == "d = 28 ** 2; hu = d // 2; arch = [4, 5, 5, 4]; nn = Sized(sizes=arch)"
    )
    assert (
        with_small_layers("d = 3; arch = [d, 5, 2]; nn = Sized(sizes=arch)", Sized) is None
    )  # small already
    assert with_small_layers("arch = [n, 500]; nn = Sized(sizes=arch)", Sized) is None  # n is no number here


class Dense:
    def __init__(self, n_inputs, n_neurons):
        self.shape = (n_inputs, n_neurons)


def test_a_large_size_is_made_the_same_small_size_in_every_call_so_layers_built_one_by_one_chain() -> None:
    """``Dense(2, 64)`` then ``Dense(64, 3)``: 64 is 5 in both (made small call by call it was 5 as an
    output and 4 as an input, and the layers no longer chained); across the classes given too."""
    assert (
        with_small_layers("d1 = Dense(2, 64); d2 = Dense(64, 3)", Dense)
        == "d1 = Dense(2, 5); d2 = Dense(5, 3)"
    )
    assert with_small_layers(
        "a = Dense(784, 128); b = Sized([128, 64]); c = Dense(64, 10)", [Dense, Sized]
    ) == ("a = Dense(4, 5); b = Sized([5, 5]); c = Dense(5, 10)")


def test_a_size_written_as_a_product_or_bound_to_a_name_is_made_small_too() -> None:
    """``Dense(28 * 28, 64)``: the input width of an image written as its product is 784, made small as
    784 written out is, and so is a size bound to a name (``hidden = 1000``); a product that reads a name
    bound to no number is left as written."""
    assert (
        with_small_layers("d1 = Dense(28 * 28, 64); d2 = Dense(64, 10)", Dense)
        == "d1 = Dense(4, 5); d2 = Dense(5, 10)"
    )
    assert with_small_layers("d1 = Dense(2 * n, 8)", Dense) is None
    assert (
        with_small_layers("hidden = 1000; d1 = Dense(3, hidden)", Dense) == "hidden = 1000; d1 = Dense(3, 5)"
    )


LAYER_MODULE = """
import numpy as np


class Layer:
    def __init__(self, n_in, n_out, kind):
        rng = np.random.default_rng(0)
        self.n_out, self.kind = n_out, kind
        self.W = rng.standard_normal((n_out, n_in)) * 0.1
        self.b = np.zeros((n_out, 1))

    def forward(self, x):
        self.x = x
        z = self.W @ x + self.b
        if self.kind == "softmax":
            e = np.exp(z - z.max())
            self.a = e / e.sum()
        else:
            self.a = np.maximum(z, 0.0)
        return self.a

    def backward(self, delta, lr):
        if self.kind != "softmax":
            delta = delta * (self.a > 0)
        back = self.W.T @ delta
        self.W -= lr * delta @ self.x.T
        self.b -= lr * delta
        return back
"""
# columns, one sample at a time; softmax output, the delta handed back first is yhat − y: the gradient of
# the cross-entropy; each layer computes W.T @ delta before it steps W
MAIN = """
import numpy as np

from layer import Layer


def main():
    data = np.loadtxt("mnist_train.csv", delimiter=",", skiprows=1)
    labels, x_train = data[:, 0].astype(int), data[:, 1:]
    num_classes = 10
    x_train = x_train.reshape(60000, -1, 1) / 255
    y_train = np.eye(num_classes)[labels].reshape(60000, -1, 1)
    layers = [Layer(28 * 28, 64, "relu"), Layer(64, num_classes, "softmax")]
    lr = 0.01
    for epoch in range(3):
        for i in range(len(x_train)):
            a = x_train[i]
            for layer in layers:
                a = layer.forward(a)
            delta = a - y_train[i]
            for layer in reversed(layers):
                delta = layer.backward(delta, lr)


if __name__ == "__main__":
    main()
"""


def test_a_main_function_that_loads_its_data_leaves_the_sizes_beside_it_to_the_network(
    tmp_path: Path,
) -> None:
    """``num_classes = 10`` is set in the same ``main()`` that loads the data, but is no data: the network
    built from it is kept, its layer sizes made small (``28 * 28`` too, in a class of the project's
    own module), and the verdict is the cross-entropy's."""
    (tmp_path / "layer.py").write_text(LAYER_MODULE, encoding="utf-8")
    (tmp_path / "main.py").write_text(MAIN, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "main.py")))
    assert report.result.identified == "cross_entropy", report.result.verdict
    assert "Layer(4, 5, 'relu'), Layer(5, num_classes, 'softmax')" in str(report.recipe.setup)


def initialise(n_x, n_h1, n_h2, n_y):
    return [np.zeros((n_h1, n_x)), np.zeros((n_h2, n_h1)), np.zeros((n_y, n_h2))]


def test_numbered_hidden_sizes_are_hidden_sizes() -> None:
    assert guessed_arguments(initialise)[0] == {"n_x": 4, "n_h1": 5, "n_h2": 5, "n_y": 3}


def deep_net(net_layers, model_dims, learning_rate=0.0075):
    return [np.zeros(n) for n in net_layers], model_dims


def test_a_size_list_named_for_the_network_is_a_size_list() -> None:
    """``net_layers``, ``model_dims``: the layer sizes of the network the name says, as ``layers``."""
    guessed = guessed_arguments(deep_net)[0]
    assert guessed["net_layers"] == [4, 5, 5, 3] and guessed["model_dims"] == [4, 5, 5, 3], guessed


def named_layer(n_inputs, n_outputs, name):
    return np.zeros((n_inputs, n_outputs)), name


def test_a_layers_name_is_given_a_name() -> None:
    assert guessed_arguments(named_layer)[0] == {"n_inputs": 4, "n_outputs": 3, "name": "layer"}


def scheduled(input_dim, hidden_layer_dim, output_dim, epochs, lr_min, lr_max, initial_lr):
    """A rate that decays from ``lr_max`` to ``lr_min`` over the epochs."""
    return lr_max * (lr_min / lr_max) ** (0 / epochs) + 0 * initial_lr


def test_the_ends_of_a_rate_schedule_are_rates() -> None:
    """``lr_min``, ``lr_max``, ``initial_lr``: the guessed rate at both ends, so the first step is plain
    gradient descent at 0.1 whatever the schedule between them."""
    assert guessed_arguments(scheduled)[0] == {
        "input_dim": 4,
        "hidden_layer_dim": 5,
        "output_dim": 3,
        "epochs": 1,
        "lr_min": 0.1,
        "lr_max": 0.1,
        "initial_lr": 0.1,
    }


def test_the_output_of_a_returned_tuple_of_numbered_activations_is_the_last() -> None:
    """``return a1, a2, a3, cost``: the output is ``a3``, the cost is no cache of arrays."""
    value = (np.zeros((5, 1)), np.zeros((5, 1)), np.zeros((3, 1)), np.float64(0.5))
    assert split_returned(value, ["a1", "a2", "a3", "cost"]) == (2, 3)
    assert split_returned((*value[:2], value[3]), ["out", "cache", "cost"]) == (0, 2)


NEURON = """
import numpy as np


class Neuron:
    def __init__(self):
        self.weights = np.random.default_rng(1).random((4, 1)) - 0.5

    def think(self, inputs):
        return inputs @ self.weights

    def train(self, inputs, outputs, num):
        for VARIABLE in range(num):
            output = self.think(inputs)
            self.weights += 0.01 * inputs.T @ (STEP)
"""


@pytest.mark.parametrize("variable", ["iteration", "_"])
@pytest.mark.parametrize(
    ("step", "identified"), [("outputs - output", "mse"), ("outputs - 2 * output", None)]
)
def test_an_argument_that_bounds_the_epoch_loop_is_given_one_iteration(
    tmp_path: Path, step: str, identified: str | None, variable: str
) -> None:
    """``train(inputs, outputs, num)``: nothing in ``num``'s name says what it is, but it bounds the
    epoch loop (``for iteration in range(num)``), so it is given 1 and the method is checked: a linear
    neuron stepping by ``0.01 · Xᵀ(y − a)`` follows squared error summed over the batch, at a rate the
    report leaves open (none is named)."""
    path = tmp_path / "neuron.py"
    source = NEURON.replace("STEP", step).replace("VARIABLE", variable)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.train(x, y, 1)" in (report.command or ""), report.command


def empty_defaults(layers=[], input_dim=10, reg=0.5, dropout=0.2, keep_prob=0.8, lr=0.3):  # noqa: B006
    return layers, input_dim, reg, dropout, keep_prob, lr


def test_defaults_that_build_no_network_are_replaced_and_dropout_is_kept_on() -> None:
    """``layers=[]`` builds no layer at all: a size list is guessed; dropout keeps the author's rate and
    keep probability (off, a forgotten mask would pass); other defaults (a small width, a penalty, a
    rate) keep the author's choice."""
    assert guessed_arguments(empty_defaults)[0] == {"layers": [4, 5, 5, 3]}


def wide_defaults_net(input_dim=784, hidden_dim=128, num_classes=10, seed=0):
    return input_dim, hidden_dim, num_classes, seed


def test_large_default_widths_are_made_small_first_then_tried_as_written() -> None:
    """784-128-10 as the defaults: 4 inputs and 5 hidden units by their names, then the author's."""
    assert guessed_arguments(wide_defaults_net) == [{"input_dim": 4, "hidden_dim": 5}, {}]
    assert wide_defaults(wide_defaults_net) and not wide_defaults(empty_defaults)


@pytest.mark.parametrize(
    ("name", "position", "expected"),
    [
        ("tdata", 1, "y"),
        ("t_list", 1, "y"),
        ("tgt", 1, "y"),
        ("idata", 0, "x"),
        ("test_data", 4, "held-out"),
        ("validation_set", 3, "held-out"),
        ("x_valid", 2, "x"),
        ("temperature", 1, None),
        ("L", 1, None),
        ("tanh_scale", 1, None),
        ("p", 0, None),
        ("params", 0, None),
        ("dC", 1, "error"),
        ("derivative_C", 0, "error"),
        ("yt", 2, "y"),
        ("Xb", 1, "x"),
        ("yb", 2, "y"),
        ("batch_x", 1, "x"),
        ("y_minibatch", 2, "y"),
        ("b", 2, None),
        ("ejemplos_entrada", 1, "x"),
        ("deseada", 1, "y"),
        ("ejemplos_salida", 2, "y"),
        ("lambda_wd", 4, "reg"),
        ("xTr", 1, "x"),
        ("yTr", 3, "y"),
        ("lmbda", 3, "reg"),
        ("l2_lambda", 3, "reg"),
        ("lambda_param", 3, None),
        ("lamda", 4, "reg"),
        ("dataX", 1, "x"),
        ("dataT", 2, "y"),
        ("entrada", 1, "x"),
    ],
)
def test_argument_roles_from_their_names(name: str, position: int, expected: str | None) -> None:
    """``backprop(idata, tdata)``: target data; a test set a training method evaluates on is no
    training data; a name that starts with ``t`` is not a target for that alone; ``L`` (a number of
    layers) is no label; ``train_step(Xb, yb, lr)``: a batch of inputs and of labels;
    ``backward_propagation(X, Y, cache, lambda_wd)``: a weight-decay strength (given 0)."""
    assert role(name, position) == expected


DRIVEN = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Dense:
    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias

    def forward(self, x):
        z = x @ self.weight + self.bias
        return z, sigmoid(z)


class Net:
    def __init__(self, w1, b1, w2, b2, rate):
        self.w1, self.b1, self.w2, self.b2, self.rate = w1, b1, w2, b2, rate
        self.hidden, self.out = Dense(w1, b1), Dense(w2, b2)

    def forward(self, x, l):
        self.z1, self.a1 = self.hidden.forward(x)
        self.z2, self.a2 = self.out.forward(self.a1)
        self.loss = -np.sum(l * np.log(self.a2) + (1 - l) * np.log(1 - self.a2))
        return self.loss, self.a2

    def backward(self, x, l):
        delta2 = OUTPUT_DELTA
        delta1 = (delta2 @ self.w2.T) * self.a1 * (1 - self.a1)
        self.w2 -= self.rate * self.a1.T @ delta2
        self.b2 -= self.rate * delta2.sum(axis=0)
        self.w1 -= self.rate * np.atleast_2d(x).T @ delta1
        self.b1 -= self.rate * delta1.sum(axis=0)


def main():
    n_in, n_hidden, n_out = 3, 6, 2
    w1 = np.random.randn(n_in, n_hidden)
    b1 = np.zeros((1, n_hidden))
    w2 = np.random.randn(n_hidden, n_out)
    b2 = np.zeros((1, n_out))
    net = Net(w1, b1, w2, b2, rate=0.05)
    data = np.loadtxt("points.csv")
    for epoch in range(100):
        for row in data:
            net.forward(row[:3], row[3:])
            net.backward(row[:3], row[3:])


if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize(("delta", "identified"), [("self.a2 - l", "bce"), ("(self.a2 - l) * self.a2", None)])
def test_a_network_built_in_a_driver_function_with_a_forward_that_takes_the_labels(
    tmp_path: Path, delta: str, identified: str | None
) -> None:
    """The network is built only inside ``main()`` from weights made there (the data it then reads
    from a file is not needed to build it), and its ``forward(x, l)`` computes the loss as well as the
    output, returned last: the construction is read off the driver, the forward given the labels.
    The shortcut ``a − y`` on sigmoid outputs is the binary cross-entropy's gradient; an extra factor
    of ``a`` is no loss."""
    path = tmp_path / "driven.py"
    path.write_text(DRIVEN.replace("OUTPUT_DELTA", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    command = report.command or ""
    assert "net = Net(w1, b1, w2, b2, rate=0.05)" in command and "net.forward(x, y)" in command, command


LOSS_FORWARD = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.weights = 0.5 * np.random.randn(n_in, n_out)
        self.biases = np.zeros((1, n_out))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = dvalues.sum(axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class SoftmaxLoss:
    def forward(self, scores, labels):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        self.output = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.log(self.output[range(len(labels)), labels]))

    def backward(self, labels):
        self.dinputs = self.output.copy()
        self.dinputs[range(len(labels)), labels] -= 1
        self.dinputs = self.dinputs / SAMPLES


class Model:
    def __init__(self):
        self.dense1, self.dense2, self.head = Dense(4, 6), Dense(6, 3), SoftmaxLoss()

    def forward(self, X, y):
        self.dense1.forward(X)
        self.dense2.forward(np.tanh(self.dense1.output))
        return self.head.forward(self.dense2.output, y)

    def train_step(self, X, y):
        loss = self.forward(X, y)
        self.head.backward(y)
        self.dense2.backward(self.head.dinputs)
        self.dense1.backward(self.dense2.dinputs * (1 - np.tanh(self.dense1.output) ** 2))
        return loss
"""


@pytest.mark.parametrize(
    ("samples", "reduction"),
    [
        ("len(labels)", "mean"),
        ("len(labels) ** 2", "twice-divided"),
        ("max(len(labels) - 1, 1)", "inconsistent"),
    ],
)
def test_a_forward_that_takes_the_labels_and_returns_the_loss_has_its_output_stored(
    tmp_path: Path, samples: str, reduction: str
) -> None:
    """``forward(X, y)`` returns the loss, a number: never the output (every loss would mismatch a
    number, and the verdict would say none of them for correct code). The output is what it stores,
    the softmax of the last layer; with the mean over the batch the step is the cross-entropy's
    gradient (one sample at a time the variants agree, so the others are told apart on a batch): divided
    by n², it is the gradient of 1/n² of the sum, a loss's still; divided by n − 1, of no loss at a batch
    (1/(n − 1) of the sum is neither the mean, nor the sum, nor 1/n² of it)."""
    path = tmp_path / "model.py"
    path.write_text(LOSS_FORWARD.replace("SAMPLES", samples), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    batches = reduction != "inconsistent"
    assert (r.identified, r.verdict.holds_for_batches) == ("cross_entropy", batches), report.command
    assert r.verdict.batch is not None and r.verdict.batch.reduction == reduction
    assert "net.forward(x, y); net.head.output" in (report.command or ""), report.command


COMMENTED_OUT = """\
import numpy as np


class Deep(object):
  def __init__(self, hidden_dims, input_dim=6, num_classes=3):
    self.num_layers = 1 + len(hidden_dims)
#   self.params['W1'] = np.random.normal(0, 1, [input_dim, hidden_dims])
    self.params = {}
"""


def test_a_size_list_is_read_through_code_commented_out_at_column_0(tmp_path: Path) -> None:
    """An editor's comment shortcut puts ``#`` at column 0 inside an indented constructor, which keeps
    its source from dedenting; ``hidden_dims`` is still read as a list (``len(hidden_dims)``): one
    hidden layer of 5, not the integer 5 (``len`` of which raised in the course's FullyConnectedNet)."""
    path = tmp_path / "commented_out.py"
    path.write_text(COMMENTED_OUT, encoding="utf-8")
    deep = load_script(path).get("Deep")
    assert guessed_arguments(deep)[0] == {"hidden_dims": [5]}


LOSS_AND_ACCURACY = """
import numpy as np


class TwoLayer:
    def __init__(self, input_size=6, hidden_size=5, num_classes=3):
        self.weights = {
            "W1": 0.5 * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": 0.5 * np.random.randn(hidden_size, num_classes),
            "b2": np.zeros(num_classes),
        }
        self.gradients = {}

    def forward(self, X, y):
        hidden = 1 / (1 + np.exp(-(X @ self.weights["W1"] + self.weights["b1"])))
        scores = hidden @ self.weights["W2"] + self.weights["b2"]
        exps = np.exp(scores - scores.max(axis=1, keepdims=True))
        softmax_out = exps / exps.sum(axis=1, keepdims=True)
        N = X.shape[0]
        loss = -np.log(softmax_out[range(N), y]).mean()
        accuracy = np.mean(softmax_out.argmax(axis=1) == y)
        d = softmax_out.copy()
        d[range(N), y] -= 1
        d /= N
        self.gradients["W2"] = hidden.T @ d
        self.gradients["b2"] = d.sum(axis=0)
        dh = (d @ self.weights["W2"].T) * HIDDEN_DERIVATIVE
        self.gradients["W1"] = X.T @ dh
        self.gradients["b1"] = dh.sum(axis=0)
        return loss, accuracy
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("hidden * (1 - hidden)", "cross_entropy"), ("(1 - hidden)", None)]
)
def test_a_forward_that_returns_loss_and_accuracy_and_fills_the_gradients_dict(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """A course template: ``forward(X, y)`` returns ``(loss, accuracy)``, keeps the softmax output in a
    local, and leaves the gradients in ``self.gradients``. The output is read from the local as the
    method returns, the gradients from the dict after the call: the mean cross-entropy's gradient, or
    no loss's with a wrong sigmoid derivative."""
    path = tmp_path / "template.py"
    path.write_text(LOSS_AND_ACCURACY.replace("HIDDEN_DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None
    assert report.recipe.forward == "__backprop_verify_local__(net.forward, 'softmax_out', x, y)"


SPANISH = """
import numpy as np


class Red:
    def __init__(self, entradas=3, ocultas=4, salidas=2, tasa_aprendizaje=0.5):
        self.pesos_1 = np.random.randn(entradas, ocultas)
        self.pesos_2 = np.random.randn(ocultas, salidas)
        self.tasa_aprendizaje = tasa_aprendizaje

    def propagacion_adelante(self, X):
        self.oculta = np.tanh(X @ self.pesos_1)
        self.salida = 1 / (1 + np.exp(-(self.oculta @ self.pesos_2)))
        return self.salida

    def retropropagacion(self, X, Y):
        delta = DELTA
        delta_oculta = (delta @ self.pesos_2.T) * (1 - self.oculta ** 2)
        self.pesos_2 -= self.tasa_aprendizaje * self.oculta.T @ delta / X.shape[0]
        self.pesos_1 -= self.tasa_aprendizaje * X.T @ delta_oculta / X.shape[0]
"""


@pytest.mark.parametrize(
    ("delta", "identified"),
    [("(self.salida - Y) * self.salida * (1 - self.salida)", "mse"), ("self.salida - Y", "bce")],
)
def test_a_network_named_in_spanish_is_checked_at_its_own_rate(
    tmp_path: Path, delta: str, identified: str
) -> None:
    """``retropropagacion`` is the backward pass and ``tasa_aprendizaje`` the learning rate: the update
    read at its rate is the mean squared error's gradient, or the mean binary cross-entropy's for the
    shortcut; never a multiple left open."""
    path = tmp_path / "red.py"
    path.write_text(SPANISH.replace("DELTA", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.identified, report.result.verdict.scale) == (identified, 1.0), report.command
    assert report.recipe is not None and report.recipe.lr == "net.tasa_aprendizaje"


RAGGED_RETURN = """
import numpy as np


class Net:
    def __init__(self):
        self.W1 = np.random.randn(3, 4)
        self.W2 = np.random.randn(4, 2)

    def forward(self, x):
        z1 = x @ self.W1
        h = np.tanh(z1)
        out = h @ self.W2
        return [x, h, out], [z1, out]

    def predict(self, x):
        return self.forward(x)[0][-1]

    def backward(self, x, y):
        (_, h, out), _ = self.forward(x)
        d = out - y
        return {"W2": h.T @ d, "W1": x.T @ ((d @ self.W2.T) * (1 - h ** 2))}
"""


def test_a_forward_that_returns_lists_of_activations_gives_way_to_predict(tmp_path: Path) -> None:
    """``return activations, zs``: lists of arrays of several shapes, no output by itself (telling whether
    such a tuple holds only numbers must not make an array of it, which raised); ``predict`` is then
    the forward pass."""
    path = tmp_path / "ragged.py"
    path.write_text(RAGGED_RETURN, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command


IN_PLACE = """
import numpy as np


class Net:
    def __init__(self, n_in=4, n_h=6, n_cls=3):
        self.W1 = 0.3 * np.random.randn(n_in, n_h)
        self.W2 = 0.3 * np.random.randn(n_h, n_cls)
        self.gradients = {}

    def forward(self, X, y):
        N = X.shape[0]
        h = np.tanh(X.dot(self.W1))
        logits = h.dot(self.W2)
        PROBS
        loss = -np.mean(np.log(probs[np.arange(N), y]))
        g = probs
        g[np.arange(N), y] -= 1
        g /= N
        self.gradients["W2"] = h.T.dot(g)
        self.gradients["W1"] = X.T.dot(g.dot(self.W2.T) * (1 - h * h))
        return loss, np.mean(np.argmax(logits, 1) == y)
"""


@pytest.mark.parametrize(
    ("probs", "identified"),
    [
        (
            "log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True)); probs = np.exp(log_probs)",
            "cross_entropy",
        ),
        ("probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)", "refused"),
    ],
    ids=["another-local", "no-other-local"],
)
def test_an_output_local_the_code_changes_with_the_labels_is_never_read(
    tmp_path: Path, probs: str, identified: str
) -> None:
    """``g = probs`` (no copy), then ``g[range(N), y] -= 1``: as the method returns, its local ``probs``
    holds ``p − onehot(y)``, which read as the output made correct code "none". A local that changes
    with the labels is passed over (the log-probabilities beside it are read, the softmax taken of
    them); with no other, the check is refused, never a verdict."""
    path = tmp_path / "aliased.py"
    path.write_text(IN_PLACE.replace("PROBS", probs), encoding="utf-8")
    if identified == "refused":
        with pytest.raises(InputError):
            check_target(CheckRequest.parse(str(path)))
        return
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


def dims(in_dim, hidden_dim, out_dim):
    return in_dim, hidden_dim, out_dim


def test_sizes_named_as_dimensions_are_guessed() -> None:
    """``TwoLayerNN(in_dim, hidden_dim=16)``: ``in_dim`` is the inputs' width and ``out_dim`` the
    outputs' (the constructor was refused, its arguments said nothing)."""
    assert guessed_arguments(dims)[0] == {"in_dim": 4, "hidden_dim": 5, "out_dim": 3}


def two_hidden_layers(num_inputs, num_hiddens, num_outputs):
    """A course's initialisation: ``num_hiddens`` is a list of two sizes, read at 0 and at 1."""
    return [(num_inputs, num_hiddens[0]), (num_hiddens[0], num_hiddens[1]), (num_hiddens[1], num_outputs)]


def hidden_list(n_inputs, hidden_sizes, n_outputs):
    """``hidden_sizes`` measured and iterated, never read at a constant index past 0."""
    return [n_inputs, *hidden_sizes[: len(hidden_sizes)], n_outputs]


def test_a_size_list_is_as_long_as_the_largest_index_the_code_reads_it_at() -> None:
    two = {"num_inputs": 4, "num_hiddens": [5, 5], "num_outputs": 3}
    assert guessed_arguments(two_hidden_layers)[0] == two
    assert guessed_arguments(hidden_list)[0] == {"n_inputs": 4, "hidden_sizes": [5], "n_outputs": 3}


class Initialised:
    """Stores its hidden sizes and reads them in a method it calls with no argument."""

    def __init__(self, in_dim, hidden_dim, out_dim):
        self.in_dim, self.hidden_dim, self.out_dim = in_dim, hidden_dim, out_dim
        self.dim: list[int] = []
        self.initial()

    def initial(self):
        self.dim.append(self.in_dim)
        self.dim.extend(self.hidden_dim)
        self.dim.append(self.out_dim)


def test_a_size_list_a_method_the_constructor_calls_extends_a_list_with_is_a_list() -> None:
    assert guessed_arguments(Initialised)[0] == {"in_dim": 4, "hidden_dim": [5], "out_dim": 3}


def hidden_or_every(n_neurons):
    """Reads its list at 0, -1 and by its length."""
    return n_neurons[0], n_neurons[-1], len(n_neurons)


EVERY_SIZE = """
import numpy as np


class Net:
    def __init__(self, n_neurons, lr=0.1):
        # n_neurons: the input width, the hidden widths, then 1 (one sigmoid output)
        if n_neurons[-1] != 1:
            raise ValueError("only one output is supported")
        self.lr = lr
        self.W = {}
        for l in range(1, len(n_neurons)):
            self.W[l] = np.random.randn(n_neurons[l], n_neurons[l - 1]) * 0.5

    def forward(self, X):
        A = [X.T]
        for l in range(1, len(self.W) + 1):
            A.append(1 / (1 + np.exp(-(self.W[l] @ A[-1]))))
        return A[-1].T, A

    def backward(self, X, y, A):
        dW = {}
        dZ = A[-1] - y.T  # BCE on a sigmoid: the output delta is a - y
        for l in range(len(self.W), 0, -1):
            dW[l] = dZ @ A[l - 1].T
            dZ = (self.W[l].T @ dZ) * A[l - 1] * (1 - A[l - 1])
        return dW
"""


def test_a_list_named_for_its_neurons_is_also_tried_as_every_layers_size(tmp_path: Path) -> None:
    """``n_neurons`` names hidden widths, but the code reads its first entry as the input width and
    its last as the output width: after one hidden layer of 5 (which the constructor rejects), the
    list of every layer's size is tried, and the one with one output builds the network."""
    guessed = guessed_arguments(hidden_or_every)
    assert guessed[0] == {"n_neurons": [5]}
    assert {"n_neurons": [4, 5, 5, 1]} in guessed
    path = tmp_path / "every_size.py"
    path.write_text(EVERY_SIZE, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    assert "Net(n_neurons=[4, 5, 5, 1])" in (report.command or ""), report.command


class TotalLayers:
    """Counts the input and output among its layers."""

    def __init__(self, numLayers, numUnits):
        if len(numUnits) != numLayers - 2:
            raise ValueError("the hidden units should number the layers minus 2")
        self.numUnits = numUnits


def test_a_count_of_layers_is_also_tried_counting_the_input_and_the_output() -> None:
    guessed = guessed_arguments(TotalLayers)
    assert guessed[0] == {"numLayers": 2, "numUnits": [5]}
    built = []
    for g in guessed:
        try:
            built.append(TotalLayers(**g).numUnits)
        except ValueError:
            continue
    assert built[0] == [5]
    assert {"numLayers": 3, "numUnits": [5]} in guessed
