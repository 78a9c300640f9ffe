"""Cost functions over an unrolled parameter vector, ``(J, grad)``: the style of exercise 4 of Andrew
Ng's Machine Learning course and of CS224n's ``forward_backward_prop``. The scripts are written for
the tests, in those styles, with the verdict derived by hand in each comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.units.check import wants_units

# exercise 4's style: a bias column prepended to each layer's input, labels 1..K turned into one-hot
# rows by Y[range(m), y - 1]; a sigmoid output and d3 = a3 − Y averaged over the m samples is the
# gradient of bce (mean). d3 = (a3 − Y)·a3(1 − a3) is that of mse (mean). A hidden delta that leaves
# out sigmoid'(z2) is the gradient of nothing. The regularisation term is added for the
# weights past the bias column, and lambda_ = 0 removes it.
EXERCISE_4 = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoidGradient(z):
    return sigmoid(z) * (1 - sigmoid(z))


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    Theta1 = np.reshape(nn_params[:hidden_layer_size * (input_layer_size + 1)],
                        (hidden_layer_size, input_layer_size + 1))
    Theta2 = np.reshape(nn_params[hidden_layer_size * (input_layer_size + 1):],
                        (num_labels, hidden_layer_size + 1))
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    a3 = sigmoid(a2 @ Theta2.T)
    Y = np.zeros((m, num_labels))
    LABELS
    J = -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = DELTA3
    d2 = (d3 @ Theta2)[:, 1:] * HIDDEN
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([Theta1_grad.ravel(), Theta2_grad.ravel()])
"""

FROM_ONE = "Y[np.arange(m), y - 1] = 1"
RANGE_FROM_ONE = "for k in range(1, num_labels + 1):\n        Y[:, k - 1] = (y == k)"
UNSAID_FROM_ONE = "Y[:] = (y[:, None] == np.arange(1, num_labels + 1))"
FROM_ZERO = "Y[np.arange(m), y] = 1"
SIGMOID_PRIME = "sigmoidGradient(z2)"  # a derivative named like a gradient function: no backward pass


def _check(tmp_path: Path, text: str, name: str = "nnCostFunction.py") -> object:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_target(CheckRequest.parse(str(path)))


@pytest.mark.parametrize(
    ("labels", "delta3", "hidden", "identified"),
    [
        (FROM_ONE, "a3 - Y", SIGMOID_PRIME, "bce"),
        (FROM_ONE, "(a3 - Y) * a3 * (1 - a3)", SIGMOID_PRIME, "mse"),
        (FROM_ONE, "a3 - Y", "1.0", None),
        (RANGE_FROM_ONE, "a3 - Y", SIGMOID_PRIME, "bce"),
        (UNSAID_FROM_ONE, "a3 - Y", SIGMOID_PRIME, "bce"),
        (FROM_ZERO, "a3 - Y", SIGMOID_PRIME, "bce"),
    ],
    ids=["bce", "mse", "hidden-derivative-left-out", "range-from-one", "unsaid-from-one", "from-zero"],
)
def test_a_cost_function_over_unrolled_parameters_is_checked(
    tmp_path: Path, labels: str, delta3: str, hidden: str, identified: str | None
) -> None:
    text = EXERCISE_4.replace("LABELS", labels).replace("DELTA3", delta3).replace("HIDDEN", hidden)
    report = _check(tmp_path, text)
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.forward.startswith(
        "__backprop_verify_local__(nnCostFunction, 'a3', params, 4, 5, 3, x, y"
    )
    assert report.recipe.gradient is not None and report.recipe.gradient.endswith(", 0.0)[1]")


def test_labels_counted_from_one_are_read_from_the_code_and_the_other_count_is_varied(tmp_path: Path) -> None:
    said = _check(
        tmp_path,
        EXERCISE_4.replace("LABELS", FROM_ONE).replace("DELTA3", "a3 - Y").replace("HIDDEN", SIGMOID_PRIME),
    )
    assert said.recipe is not None and "x, y + 1, 0.0" in said.recipe.gradient
    assert any("counted from 1 (the code subtracts 1" in n for n in said.recipe.notes)
    unsaid = (
        EXERCISE_4.replace("LABELS", UNSAID_FROM_ONE)
        .replace("DELTA3", "a3 - Y")
        .replace("HIDDEN", SIGMOID_PRIME)
    )
    kept = _check(tmp_path, unsaid, "unsaid.py")
    assert kept.recipe is not None and "x, y + 1, 0.0" in kept.recipe.gradient  # the reading that holds


# CS224n's style: the sizes as one list, weights and biases in the vector, one-hot labels, a softmax
# output and the cross-entropy summed over the batch: dz2 = out − labels, not divided by the batch.
CS224N = """
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward_backward_prop(data, labels, params, dimensions):
    ofs = 0
    Dx, H, Dy = dimensions[0], dimensions[1], dimensions[2]
    W1 = np.reshape(params[ofs:ofs + Dx * H], (Dx, H))
    ofs += Dx * H
    b1 = np.reshape(params[ofs:ofs + H], (1, H))
    ofs += H
    W2 = np.reshape(params[ofs:ofs + H * Dy], (H, Dy))
    ofs += H * Dy
    b2 = np.reshape(params[ofs:ofs + Dy], (1, Dy))
    h = sigmoid(data @ W1 + b1)
    out = softmax(h @ W2 + b2)
    cost = -np.sum(labels * np.log(out))
    dz2 = out - labels
    dh = dz2 @ W2.T
    dz1 = dh * h * (1 - h)
    grad = np.concatenate([(data.T @ dz1).ravel(), dz1.sum(axis=0).ravel(),
                           (h.T @ dz2).ravel(), dz2.sum(axis=0).ravel()])
    return cost, grad
"""


def test_a_cs224n_style_function_with_a_list_of_sizes_and_one_hot_labels(tmp_path: Path) -> None:
    report = _check(tmp_path, CS224N, "q2_neural.py")
    assert report.result.identified == "cross_entropy", report.command
    assert report.recipe is not None and "params, [4, 5, 3])" in report.recipe.gradient
    assert report.recipe.layout.labels == "one-hot"
    assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "sum"


def test_a_cost_function_over_unrolled_parameters_is_no_unit(tmp_path: Path) -> None:
    path = tmp_path / "nnCostFunction.py"
    path.write_text(
        EXERCISE_4.replace("LABELS", FROM_ONE).replace("DELTA3", "a3 - Y").replace("HIDDEN", "1.0")
    )
    assert wants_units(load_script(path), None) is None


# CS224n's files of 2017 are Python 2, and so are the helpers the script imports from beside it.
PYTHON2_SIGMOID = """
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sanity():
    print "sigmoid(0) =", sigmoid(0)
"""


def test_a_python_2_helper_beside_a_python_2_script_is_translated_as_it_is_imported(tmp_path: Path) -> None:
    (tmp_path / "q2_sigmoid.py").write_text(PYTHON2_SIGMOID, encoding="utf-8")
    own = CS224N.replace("def sigmoid(x):\n    return 1.0 / (1.0 + np.exp(-x))\n", "")
    own = own.replace("import numpy as np\n", "import numpy as np\nfrom q2_sigmoid import sigmoid\n")
    own += '\n\nif __name__ == "__main__":\n    print "Running sanity check..."\n'
    report = _check(tmp_path, own, "q2_neural.py")
    assert report.result.identified == "cross_entropy", report.command


# The cost and its gradient written apart, for scipy.optimize.minimize(cost, p0, jac=gradient): each
# function slices the vector into theta1, theta2 and reshapes them in statements of their own; labels
# 0..K−1 made one-hot with np.eye. The cost is bce (mean); the gradient accumulates the samples one by
# one, d3 = a3 − y, so it is bce's, averaged; a hidden delta without sigmoid'(z2) is no loss's.
APART = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def cost(p, input_size, hidden_size, num_labels, X, y):
    theta1 = p[: hidden_size * (input_size + 1)]
    theta2 = p[hidden_size * (input_size + 1) :]
    theta1 = theta1.reshape(hidden_size, input_size + 1)
    theta2 = theta2.reshape(num_labels, hidden_size + 1)
    m = X.shape[0]
    Y = np.eye(num_labels)[y]
    a1 = np.hstack([np.ones((m, 1)), X])
    a2 = np.hstack([np.ones((m, 1)), sigmoid(a1 @ theta1.T)])
    a3 = sigmoid(a2 @ theta2.T)
    return -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3)) / m


def cost_grad(p, input_size, hidden_size, num_labels, X, y):
    theta1 = p[: hidden_size * (input_size + 1)]
    theta2 = p[hidden_size * (input_size + 1) :]
    theta1 = theta1.reshape(hidden_size, input_size + 1)
    theta2 = theta2.reshape(num_labels, hidden_size + 1)
    m = X.shape[0]
    Y = np.eye(num_labels)[y]
    g1, g2 = np.zeros(theta1.shape), np.zeros(theta2.shape)
    for i in range(m):
        a1 = np.concatenate([[1.0], X[i]])
        z2 = theta1 @ a1
        a2 = np.concatenate([[1.0], sigmoid(z2)])
        a3 = sigmoid(theta2 @ a2)
        d3 = a3 - Y[i]
        d2 = (theta2[:, 1:].T @ d3) * HIDDEN
        g2 += np.outer(d3, a2)
        g1 += np.outer(d2, a1)
    return np.concatenate([g1.ravel(), g2.ravel()]) / m
"""


@pytest.mark.parametrize(
    ("hidden", "identified"), [("sigmoid(z2) * (1 - sigmoid(z2))", "bce"), ("sigmoid(z2)", None)]
)
def test_a_gradient_written_apart_from_its_cost_is_checked_with_the_costs_output(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "apart.py"
    path.write_text(APART.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "--gradient 'cost_grad(params" in report.command and "(cost, " in report.command, report.command


UNROLL_HELPER = """
def unroll(p, input_size, hidden_size, num_labels):
    cut = hidden_size * (input_size + 1)
    return p[:cut].reshape(hidden_size, input_size + 1), p[cut:].reshape(num_labels, hidden_size + 1)
"""


@pytest.mark.parametrize(
    ("hidden", "identified"), [("sigmoid(z2) * (1 - sigmoid(z2))", "bce"), ("sigmoid(z2)", None)]
)
def test_a_vector_sliced_by_a_helper_of_the_module_is_the_unrolled_one(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """The same pair, each slicing the vector through ``unroll(p, …)`` instead of by itself."""
    sliced = (
        "    theta1 = p[: hidden_size * (input_size + 1)]\n"
        "    theta2 = p[hidden_size * (input_size + 1) :]\n"
        "    theta1 = theta1.reshape(hidden_size, input_size + 1)\n"
        "    theta2 = theta2.reshape(num_labels, hidden_size + 1)\n"
    )
    assert APART.count(sliced) == 2
    source = APART.replace(sliced, "    theta1, theta2 = unroll(p, input_size, hidden_size, num_labels)\n")
    path = tmp_path / "helper.py"
    path.write_text(source.replace("HIDDEN", hidden) + UNROLL_HELPER, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "--gradient 'cost_grad(params" in report.command and "(cost, " in report.command, report.command
