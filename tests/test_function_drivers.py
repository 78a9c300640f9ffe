"""A network written as functions whose pieces only its driver puts together: weight arguments made by
functions named for them (``weights = getWeights()``), a forward function that returns every layer's
pre-activations and activations (``return z_data, a_data``, an early ``return 'error'`` above it), and
a backward function handed those by position under names of the driver's own (``z_mat, a_mat =
feed_forward(…)``; ``back_prop(z_mat, a_mat, labels[n], weights)``). The input side of a weight matrix
as wide as an image's pixels is cut to a few inputs.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import numpy as np
import pytest

from verification.adapters.forward_returns import split_returned
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.function_scripts import training_functions
from verification.reading.loader import load_script
from verification.reading.returned_uses import returned_arguments
from verification.reading.updates import returned_names

# sigmoid layers 784 → 6 → 3, rows of weights as (inputs, outputs); δ = (a − y) σ'(z) at the output is
# the output delta of ½ Σ (a − y)², back-propagated through the hidden sigmoid: the mse gradient of one
# sample; with the hidden derivative left out, no loss's
DRIVEN = """
import numpy as np

RATE = 0.2


def getWeights():
    np.random.seed(42)
    return [np.random.randn(784, 6), np.random.randn(6, 3)]


def getBiases():
    np.random.seed(11)
    return [np.random.randn(6), np.random.randn(3)]


def sigmoid(x):
    return 1.0 / (1 + np.exp(-x))


def sig_prime(x):
    return sigmoid(x) * (1 - sigmoid(x))


def feed_forward(image, weights, biases, test=False):
    z_data = []
    a_data = [image]
    for l in range(len(weights)):
        z = a_data[l] @ weights[l] + biases[l]
        z_data.append(z)
        a_data.append(sigmoid(z))
    if test:
        if np.isnan(a_data[-1]).any():
            return 'error'
        return z_data, a_data, int(np.argmax(a_data[-1]))
    return z_data, a_data


def back_prop(z_matrix, a_matrix, label, weights):
    target = np.zeros(3)
    target[label] = 1
    delta = (a_matrix[-1] - target) * sig_prime(z_matrix[-1])
    del_w = [None, np.outer(a_matrix[1], delta)]
    del_b = [None, delta]
    delta = (weights[1] @ delta) * HIDDEN
    del_w[0] = np.outer(a_matrix[0], delta)
    del_b[0] = delta
    return del_w, del_b


def main(dataset, labels):
    weights = getWeights()
    biases = getBiases()
    for n in range(len(dataset)):
        z_mat, a_mat = feed_forward(dataset[n], weights, biases)
        del_w, del_b = back_prop(z_mat, a_mat, labels[n], weights)
        for i in range(len(weights)):
            weights[i] = weights[i] - RATE * del_w[i]
            biases[i] = biases[i] - RATE * del_b[i]
"""


@pytest.mark.parametrize(("hidden", "identified"), [("sig_prime(z_matrix[0])", "mse"), ("1", None)])
def test_a_network_put_together_by_its_driver(tmp_path: Path, hidden: str, identified: str | None) -> None:
    path = tmp_path / "driven.py"
    path.write_text(textwrap.dedent(DRIVEN).replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    command = str(report.command)
    assert "weights = getWeights(); biases = getBiases(); weights[0] = weights[0][:4]" in command, command
    assert "feed_forward(x, weights, biases)[1][-1]" in command, command


def test_the_driver_hands_the_backward_function_the_forward_functions_values_by_position() -> None:
    tree = ast.parse(textwrap.dedent(DRIVEN))
    params = ["z_matrix", "a_matrix", "label", "weights"]
    assert returned_arguments(tree, "feed_forward", "back_prop", params) == {"z_matrix": 0, "a_matrix": 1}
    assert returned_arguments(tree, "feed_forward", "getWeights", []) == {}


def test_the_last_return_in_the_source_names_the_values(tmp_path: Path) -> None:
    """The early returns nested deeper in the function come before the last one in the source."""
    path = tmp_path / "driven.py"
    path.write_text(textwrap.dedent(DRIVEN).replace("HIDDEN", "1"), encoding="utf-8")
    forward = load_script(path).module.__dict__["feed_forward"]
    assert returned_names(forward, placeholders=True) == ["z_data", "a_data"]


def test_every_layers_activations_returned_give_the_last_as_the_output() -> None:
    value = ([np.zeros(2), np.zeros(3)], [np.ones(4), np.ones(2), np.ones(3)])
    assert split_returned(value, ["z_data", "a_data"]) == ("1][-1", 0)
    assert split_returned(value, ["z_data", "a_data", "index"]) == ("1][-1", 0)
    assert split_returned(value, ["zs", "caches"]) == (None, None)  # no name of activations: unread


def test_a_forward_value_bound_first_and_unpacked_later_is_handed_on_by_place() -> None:
    tree = ast.parse(
        "def main(images, labels, weights, biases):\n"
        "    for img, d in zip(images, labels):\n"
        "        result = feed_forward(img, weights, biases)\n"
        "        if result == 'error':\n"
        "            continue\n"
        "        z_mat, a_mat = result\n"
        "        back_prop(z_mat, a_mat, d, weights)\n"
    )
    params = ["z_matrix", "a_matrix", "label", "weights"]
    assert returned_arguments(tree, "feed_forward", "back_prop", params) == {"z_matrix": 0, "a_matrix": 1}


# A forward and a backward function over a list of weights and a list of biases that nothing in the file
# makes (the project's driver does): W_list[l] of shape (n_l, n_{l−1}), b_list[l] a column, samples as
# columns, tanh layers. The backward pass sums over the samples the gradient of ½ (v − t)² at each,
# (1 − a²) (a − t) through the layers: mse, summed over the batch. With the output's tanh derivative left
# out, no loss's gradient. The check draws the two lists itself.
LISTS = """
import numpy as np


def forward_prop(W_list, b_list, x):
    for W, b in zip(W_list, b_list):
        x = np.tanh(np.dot(W, x) + b)
    return x


def backprop(W_list, b_list, x, v_target):
    A_list = [x]
    for W, b in zip(W_list, b_list):
        A_list.append(np.tanh(np.dot(W, A_list[-1]) + b))
    delta = (1 - A_list[-1] ** 2) * (A_list[-1] - v_target)
    grad_W, grad_b = [], []
    for i in range(len(W_list) - 1, -1, -1):
        grad_W.insert(0, delta @ A_list[i].T)
        grad_b.insert(0, delta.sum(axis=1, keepdims=True))
        delta = (1 - A_list[i] ** 2) * (W_list[i].T @ delta)
    return grad_W, grad_b
"""


@pytest.mark.parametrize(
    ("output_delta", "identified"),
    [("(1 - A_list[-1] ** 2) * (A_list[-1] - v_target)", "mse"), ("(A_list[-1] - v_target)", None)],
)
def test_lists_of_weights_and_biases_nothing_makes_are_drawn(
    tmp_path: Path, output_delta: str, identified: str | None
) -> None:
    path = tmp_path / "fastmath.py"
    path.write_text(
        LISTS.replace("(1 - A_list[-1] ** 2) * (A_list[-1] - v_target)", output_delta), encoding="utf-8"
    )
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "b_list = [np.random.randn(5, 1) * 0.1" in report.recipe.setup
    assert "W_list = [np.random.randn(5, 4)" in report.recipe.setup
    if identified:
        assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "sum"


# one training step as a function of the weights, no loop, no forward function: rows, a sigmoid hidden
# layer and output; d_out = (o − y) ⊙ o(1 − o) is the output delta of ½ Σ (o − y)², summed over the
# batch. The step is returned as named weights (W2 = W2 - …; return W1, W2) or as expressions (return
# W1 - lr * …, W2 - lr * …); a function that only applies given gradients (update(params, grads, lr))
# takes no inputs and labels, and is no such step
ONE_STEP = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def train(X, y, W1, W2, lr):
    hidden = sigmoid(X @ W1)
    output = sigmoid(hidden @ W2)
    d_output = (output - y) * output * (1 - output)
    d_hidden = (d_output @ W2.T) * HIDDEN
    RETURN


def update(W1, W2, dW1, dW2, lr):
    W1 = W1 - lr * dW1
    W2 = W2 - lr * dW2
    return W1, W2
"""
NAMED_STEP = "W2 = W2 - lr * hidden.T @ d_output\n    W1 = W1 - lr * X.T @ d_hidden\n    return W1, W2"
RETURNED_STEP = "return W1 - lr * X.T @ d_hidden, W2 - lr * hidden.T @ d_output"


@pytest.mark.parametrize("step", [NAMED_STEP, RETURNED_STEP], ids=["named", "returned"])
@pytest.mark.parametrize(("hidden", "identified"), [("hidden * (1 - hidden)", "mse"), ("1", None)])
def test_a_training_step_written_as_a_function_of_its_weights_is_checked(
    tmp_path: Path, step: str, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "step.py"
    path.write_text(ONE_STEP.replace("HIDDEN", hidden).replace("RETURN", step), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.result.subject == "the training step of train"
    assert [fn.name for fn in training_functions(load_script(path).tree)] == ["train"]


# the same step with columns as samples (W1 @ X): the weights an inlined function is given are drawn as
# rows first, at which its forward pass cannot run, then as columns
COLUMNS_STEP = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def train(X, Y, W1, W2, lr):
    hidden = sigmoid(W1 @ X)
    output = sigmoid(W2 @ hidden)
    d_output = (output - Y) * output * (1 - output)
    d_hidden = (W2.T @ d_output) * hidden * (1 - hidden)
    return W1 - lr * d_hidden @ X.T, W2 - lr * d_output @ hidden.T
"""


def test_a_training_step_of_columns_is_checked_with_its_weights_drawn_as_columns(tmp_path: Path) -> None:
    path = tmp_path / "columns.py"
    path.write_text(COLUMNS_STEP, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.result.layout.startswith("inputs and labels as columns"), report.result.layout


# a training loop in a function of weights whose names say nothing of their shapes, drawn by the caller
# just before it calls the function; the update adds (y − o) terms: the gradient of ½ Σ (o − y)² at a
# rate of 1 when the hidden delta carries h(1 − h), of no loss without it
CALLER_DRAWS = """
import numpy as np


def sigmoid(x, derivative=False):
    return x * (1 - x) if derivative else 1 / (1 + np.exp(-x))


def train(inputs, keys, first_weights, second_weights):
    for _ in range(1000):
        hidden = sigmoid(inputs @ first_weights)
        output = sigmoid(hidden @ second_weights)
        output_delta = (keys - output) * sigmoid(output, True)
        hidden_delta = (output_delta @ second_weights.T) * HIDDEN
        second_weights += hidden.T @ output_delta
        first_weights += inputs.T @ hidden_delta


def main():
    inputs = np.array([[0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]])
    keys = np.array([[0, 1, 1, 0]]).T
    first_weights = 2 * np.random.random((3, 4)) - 1
    second_weights = 2 * np.random.random((4, 1)) - 1
    train(inputs, keys, first_weights, second_weights)


if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize(("hidden", "identified"), [("sigmoid(hidden, True)", "mse"), ("1", None)])
def test_weights_a_training_function_is_given_are_drawn_as_its_caller_draws_them(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "caller_draws.py"
    path.write_text(CALLER_DRAWS.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "first_weights = 2 * np.random.random((3, 4)) - 1" in (report.command or ""), report.command


# a function named for training that only computes: loss and gradients from the weights it is handed,
# its output a local (Y) that the labels t are subtracted from; module-level weights, and a global T
# (the labels' data) that an attribute .T must not make a weight. Y − t at a sigmoid output is the
# output delta of BCE, summed over the batch; a hidden delta without tanh' is of no loss
RETURNS_GRADIENTS = """
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def train(x, t, V, W, bv, bw):
    A = np.dot(x, V) + bv
    Z = np.tanh(A)
    Y = sigmoid(np.dot(Z, W) + bw)
    Ew = Y - t
    Ev = HIDDEN * np.dot(Ew, W.T)
    loss = -np.sum(t * np.log(Y) + (1 - t) * np.log(1 - Y))
    return loss, (np.dot(x.T, Ev), np.dot(Z.T, Ew), Ev.sum(axis=0), Ew.sum(axis=0))


def predict(x, V, W, bv, bw):
    return (sigmoid(np.dot(np.tanh(np.dot(x, V) + bv), W) + bw) > 0.5).astype(int)


V = np.random.normal(scale=0.1, size=(4, 5))
W = np.random.normal(scale=0.1, size=(5, 3))
bv = np.zeros(5)
bw = np.zeros(3)
params = [V, W, bv, bw]
X = np.random.binomial(1, 0.5, (20, 4))
T = X[:, :3] ^ 1
for epoch in range(10):
    loss, grad = train(X, T, *params)
    for j in range(len(params)):
        params[j] -= 0.1 * grad[j]
"""


@pytest.mark.parametrize(("hidden", "identified"), [("(1 - np.tanh(A) ** 2)", "bce"), ("1", None)])
def test_a_training_function_that_returns_loss_and_gradients_is_checked_through_its_local_output(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "returns_gradients.py"
    path.write_text(RETURNS_GRADIENTS.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "__backprop_verify_local__(train, 'Y', x, y, V, W, bv, bw)" in (report.command or "").replace(
        "'\"'\"'", "'"
    ), report.command
