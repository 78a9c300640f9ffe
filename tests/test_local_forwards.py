"""Networks whose only forward pass is inside the gradient function: the output read from its locals.

deeplearning.ai's ``propagate(w, b, X, Y) → cost, grads`` and scripts with a ``compute_gradients``
and no forward function: the scripts here are written for the tests, in those styles, with the
verdict derived by hand in each comment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.local_forwards import output_local
from verification.adapters.options import Options
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.reading.local_output import LOCAL_READER, local_value

# columns are samples; ReLU hidden layer, one sigmoid output; dz2 = a2 − y averaged over the m samples
# is the gradient of bce (mean); (a2 − y)·a2(1 − a2) that of mse (mean); dz1 using z1 in place of
# relu'(z1) is the gradient of nothing. predict thresholds the output, so it cannot be the forward pass.
PROPAGATE = """
import numpy as np


def initialize(n_0, n_1):
    w_1 = np.random.randn(n_1, n_0) * 0.5
    b_1 = np.zeros((n_1, 1))
    w_2 = np.random.randn(1, n_1) * 0.5
    b_2 = np.zeros((1, 1))
    return w_1, b_1, w_2, b_2


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def propagate(X, Y, w_1, b_1, w_2, b_2):
    m = X.shape[1]
    z1 = np.dot(w_1, X) + b_1
    a1 = np.maximum(0, z1)
    z2 = np.dot(w_2, a1) + b_2
    a2 = sigmoid(z2)
    cost = -np.mean(Y * np.log(a2) + (1 - Y) * np.log(1 - a2))
    dz2 = DZ2
    dw2 = np.dot(dz2, a1.T) / m
    db2 = np.sum(dz2, axis=1, keepdims=True) / m
    dz1 = np.dot(w_2.T, dz2) * DERIVATIVE
    dw1 = np.dot(dz1, X.T) / m
    db1 = np.sum(dz1, axis=1, keepdims=True) / m
    return cost, {"dw_1": dw1, "db_1": db1, "dw_2": dw2, "db_2": db2}


def predict(w_1, b_1, w_2, b_2, X):
    a2 = sigmoid(np.dot(w_2, np.maximum(0, np.dot(w_1, X) + b_1)) + b_2)
    return (a2 > 0.5).astype(int)
"""


@pytest.mark.parametrize(
    ("dz2", "derivative", "identified"),
    [
        ("a2 - Y", "(z1 > 0)", "bce"),
        ("(a2 - Y) * a2 * (1 - a2)", "(z1 > 0)", "mse"),
        ("a2 - Y", "z1", None),
    ],
    ids=["bce", "mse", "wrong-relu-derivative"],
)
def test_a_propagate_function_is_checked_with_its_output_read_from_its_locals(
    tmp_path: Path, dz2: str, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "logistic_course.py"
    path.write_text(PROPAGATE.replace("DZ2", dz2).replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert (
        report.recipe is not None
        and report.recipe.forward == "__backprop_verify_local__(propagate, 'a2', x, y, w_1, b_1, w_2, b_2)"
    )
    batch = report.result.verdict.batch
    if identified is not None:  # divided by m: the mean over the batch
        assert batch is not None and batch.reduction == "mean", batch


# no forward function at all: compute_gradients returns the loss and the gradients; y_hat is the output.
# Rows are samples; e = y_hat − Y summed over the rows is the gradient of mse (summed) on a linear output.
NO_FORWARD = """
import numpy as np

W1 = np.random.randn(3, 4)
W2 = np.random.randn(4, 2)


def compute_gradients(W1, W2, X, Y):
    h = np.tanh(X @ W1)
    y_hat = h @ W2
    e = y_hat - Y
    loss = 0.5 * np.sum(e ** 2)
    dW2 = h.T @ e
    dW1 = X.T @ ((e @ W2.T) * (1 - h ** 2))
    return loss, dW1, dW2
"""


def test_a_gradient_function_with_no_forward_function_is_read_through_its_output_local(
    tmp_path: Path,
) -> None:
    path = tmp_path / "no_forward.py"
    path.write_text(NO_FORWARD, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    batch = report.result.verdict.batch
    assert batch is not None and batch.reduction == "sum", batch
    assert (
        report.recipe is not None
        and report.recipe.forward == "__backprop_verify_local__(compute_gradients, 'y_hat', W1, W2, x, y)"
    )


@pytest.mark.parametrize(
    ("body", "local"),
    [
        ("a1 = f(x)\n    a2 = f(a1)\n    a3 = f(a2)\n    return a3", "a3"),  # the last activation
        ("a2 = f(x)\n    y_hat = a2\n    return y_hat", "y_hat"),  # named for the output
        ("A1 = f(x)\n    A10 = f(A1)\n    A2 = f(A10)\n    return A2", "A10"),  # by number, not by text
        ("z = f(x)\n    return z", None),
    ],
)
def test_the_output_local_is_named_for_the_output_or_the_last_activation(
    tmp_path: Path, body: str, local: str | None
) -> None:
    path = tmp_path / "locals.py"
    path.write_text(f"def f(v):\n    return v\n\ndef g(x):\n    {body}\n", encoding="utf-8")
    assert output_local(load_script(path).get("g")) == local


# deeplearning.ai's logistic regression: weights first (w, b), then the data; the output is the local
# A of propagate; A − Y averaged over the m columns is the mean bce's gradient; without the 1/m on dw
# alone, no loss's.
LOGISTIC = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (DZ).T) / m
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": db}, cost


def predict(w, b, X):
    return (sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float)
"""


@pytest.mark.parametrize(("dz", "identified"), [("A - Y", "bce"), ("(A - Y) * A", None)])
def test_logistic_regression_with_the_weights_first_is_read_through_its_activation(
    tmp_path: Path, dz: str, identified: str | None
) -> None:
    """``propagate(w, b, X, Y)``: ``w`` is first by its place but a weight by its name, never the
    inputs; ``predict`` thresholds, so the output is ``propagate``'s one activation ``A``."""
    path = tmp_path / "logistic.py"
    path.write_text(LOGISTIC.replace("DZ", dz), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None
    assert report.recipe.forward == "__backprop_verify_local__(propagate, 'A', w, b, x, y)"


def test_an_output_local_changed_in_place_by_the_backward_part_is_refused(tmp_path: Path) -> None:
    """``dZ2 = A2`` then ``dZ2 -= Y``: the local ``A2`` holds ``A2 − Y`` when ``propagate`` returns.
    Read as the output it would make correct code "none"; the output changes with the labels alone,
    so the reading is refused."""
    source = PROPAGATE.replace("DERIVATIVE", "(z1 > 0)").replace(
        "    dz2 = DZ2\n", "    dz2 = a2\n    dz2 -= Y\n"
    )
    path = tmp_path / "aliased_course.py"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InputError):
        check_target(CheckRequest.parse(str(path)))


@pytest.mark.parametrize("weights", ["", "W1 = np.random.randn(3, 4)\nW2 = np.random.randn(4, 2)\n"])
def test_weights_a_lone_gradient_function_takes_are_made_when_nothing_makes_them(
    tmp_path: Path, weights: str
) -> None:
    """``compute_gradients(W1, W2, X, Y)`` alone in its file, with or without top-level weights: when
    nothing makes them, weights are made for the shapes its code reads them in."""
    path = tmp_path / "alone.py"
    path.write_text(NO_FORWARD.replace("W1 = np.random.randn(3, 4)\nW2 = np.random.randn(4, 2)\n", weights))
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command


def test_an_initialisation_returning_an_unnamed_tuple_binds_the_weights_the_forward_takes(
    tmp_path: Path,
) -> None:
    """``return np.zeros((dim, 1)), 0.0``: no names to bind; the forward's weight arguments (``w, b``)
    are bound to it, as many as it returns."""
    source = LOGISTIC.replace("DZ", "A - Y").replace(
        "    w = np.zeros((dim, 1))\n    b = 0.0\n    return w, b\n", "    return np.zeros((dim, 1)), 0.0\n"
    )
    assert "return np.zeros((dim, 1)), 0.0" in source
    path = tmp_path / "unnamed.py"
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    assert (report.recipe.setup if report.recipe else "") == "w, b = initialize_with_zeros(dim=4)"


FORWARD_AT_ROOT = """
import numpy as np


def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.5, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.5, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters):
    A1 = np.tanh(parameters["W1"] @ X + parameters["b1"])
    A2 = 1 / (1 + np.exp(-(parameters["W2"] @ A1 + parameters["b2"])))
    return A2, {"A1": A1, "A2": A2}
"""

BACKWARD_IN_SRC = """
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - cache["A1"] ** 2)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ cache["A1"].T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
"""


def test_the_forward_pass_in_the_folder_above_a_src_folder_is_borrowed(tmp_path: Path) -> None:
    """``src/backward.py`` holds the backward function alone; the forward pass and the initialisation
    are in the project's root, the folder above: they are borrowed from there (bce, the shortcut)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "forward_at_root.py").write_text(FORWARD_AT_ROOT, encoding="utf-8")
    (tmp_path / "src" / "backward_in_src.py").write_text(BACKWARD_IN_SRC, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "src" / "backward_in_src.py")))
    assert report.result.identified == "bce", report.command


def test_weights_an_initialisation_beside_it_does_not_make_are_made_after_it(tmp_path: Path) -> None:
    """A module beside the file holds ``initialize_with_zeros(dim)`` returning ``w, b``, which is borrowed
    and tried first; it makes no ``W1, W2`` that ``compute_gradients(W1, W2, X, Y)`` takes, so weights
    are then made for the shapes its code reads (before, the borrowed setup alone was tried, and the
    check refused)."""
    (tmp_path / "helpers_beside.py").write_text(
        "import numpy as np\n\ndef initialize_with_zeros(dim):\n    w = np.zeros((dim, 1))\n    b = 0.0\n"
        "    return w, b\n",
        encoding="utf-8",
    )
    path = tmp_path / "lone_gradient.py"
    path.write_text(NO_FORWARD.replace("W1 = np.random.randn(3, 4)\nW2 = np.random.randn(4, 2)\n", ""))
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command


def _scored(X: np.ndarray, W: np.ndarray, y: np.ndarray) -> float:
    scores = X @ W
    return float(np.mean(np.argmax(scores, axis=1) == y))  # raises for labels of another format


def _layered(X: np.ndarray, Ws: list[np.ndarray]) -> np.ndarray:
    a = X
    for W in Ws:
        a = np.tanh(a @ W)  # raises at a layer whose width does not fit
    return a


def test_a_local_computed_whole_before_a_failing_score_is_read() -> None:
    """The score line fails after ``scores`` was computed whole: its value is the output; a failure at a
    layer inside the loop that assigns ``a`` leaves ``a`` half computed, and the failure stands."""
    X, W = np.ones((2, 3)), np.eye(3)
    assert np.array_equal(
        local_value(_scored, "scores", X, W, np.eye(3)[:2]), X @ W
    )  # one-hot: broadcast fails
    with pytest.raises(ValueError):
        local_value(_layered, "a", X, [np.ones((3, 4)), np.ones((5, 2))])


# a class whose loss(X, y) runs forward and backward and returns the loss with the gradients, and whose
# predict(X) returns the argmax of its output a2: the output is a2, read from predict's locals (the
# argmax is a class prediction). Sigmoid outputs with dz2 = a2 − y averaged over the batch: the mean
# bce gradient; with MASK = (a1 > 0) the ReLU derivative is right, with MASK = (a1 >= 0) it is 1
# everywhere (a1 is the ReLU's output) and the hidden layer's gradient is no loss's
SCORED = """
import numpy as np


class Net:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)

    def loss(self, X, y):
        a1 = np.maximum(X @ self.W1, 0)
        a2 = 1 / (1 + np.exp(-(a1 @ self.W2)))
        loss = -np.mean(np.sum(y * np.log(a2) + (1 - y) * np.log(1 - a2), axis=1))
        dz2 = (a2 - y) / len(X)
        dz1 = dz2 @ self.W2.T * MASK
        return loss, X.T @ dz1, a1.T @ dz2

    def predict(self, X):
        a1 = np.maximum(X @ self.W1, 0)
        a2 = 1 / (1 + np.exp(-(a1 @ self.W2)))
        y_pred = np.argmax(a2, axis=1)
        return y_pred
"""


@pytest.mark.parametrize(("mask", "identified"), [("(a1 > 0)", "bce"), ("(a1 >= 0)", None)])
def test_the_output_a_class_prediction_is_taken_of_is_the_forward_pass(
    tmp_path: Path, mask: str, identified: str | None
) -> None:
    path = tmp_path / "scored.py"
    path.write_text(SCORED.replace("MASK", mask), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.identified, report.result.split) == (identified, None), report.command
    assert report.recipe is not None and report.recipe.forward == f"{LOCAL_READER}(net.predict, 'a2', x)"


class TwoInputs:
    """``predict(x1, x2)``: two inputs, no labels; its second argument must not be handed the labels."""

    def predict(self, x1: float, x2: float) -> float:
        a2 = x1 + x2
        return a2


def test_a_predict_of_two_inputs_is_not_read_as_inputs_and_labels() -> None:
    from verification.adapters.local_forwards import evaluator_forwards

    assert evaluator_forwards(TwoInputs(), "net") == []


# A forward pass that returns every layer's pre-activations and activations as one list,
# output = [z, activation] (the input first among the activations), and a backprop method that takes them
# back by those names: the output is the last activation, and backprop(activation, y, z) is handed the
# two lists. Sigmoid layers, (a − y) ⊙ σ'(z) at the output: mse, one sample (a column) at a time. With
# σ'(z) written σ(z) at the output the code is no loss's gradient.
LISTED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigma_prime(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2


class Network:
    def __init__(self, layers):
        self.layers = layers
        self.weights = [np.random.randn(n, m) for m, n in zip(layers[:-1], layers[1:])]
        self.biases = [np.random.randn(n, 1) for n in layers[1:]]

    def feedForward(self, x):
        z = [None] * (len(self.layers) - 1)
        activation = [x] + [None] * (len(self.layers) - 1)
        for k in range(len(self.layers) - 1):
            z[k] = self.weights[k] @ activation[k] + self.biases[k]
            activation[k + 1] = sigmoid(z[k])
        output = [z, activation]
        return output

    def backprop(self, activation, y, z):
        delta = (activation[-1] - y) * sigma_prime(z[-1])
        nabla_w, nabla_b = [None] * len(self.weights), [None] * len(self.biases)
        for i in range(len(self.weights) - 1, -1, -1):
            nabla_w[i], nabla_b[i] = delta @ activation[i].T, delta
            if i > 0:
                delta = (self.weights[i].T @ delta) * sigma_prime(z[i - 1])
        return [nabla_w, nabla_b]
"""


@pytest.mark.parametrize(("prime", "identified"), [("sigma_prime(z[-1])", "mse"), ("sigmoid(z[-1])", None)])
def test_a_forward_returning_a_list_of_its_layers_lists_gives_the_last_activation(
    tmp_path: Path, prime: str, identified: str | None
) -> None:
    path = tmp_path / "my_network.py"
    path.write_text(LISTED.replace("sigma_prime(z[-1])", prime), encoding="utf-8")
    options = Options(setup="net = Network([4, 5, 3])")
    report = check_target(CheckRequest.parse(f"{path}:Network", options=options))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.forward == "net.feedForward(x)[1][-1]"
    assert "z, activation = net.feedForward(x); net.backprop(activation, y, z)" in (
        report.recipe.gradient or ""
    )
