"""Training loops that cut each batch's inputs and labels from one data array, and training functions
that drive a backward function returning deltas through an update function returning the weights.

The scripts are written for the tests in the style of course scripts; each verdict is derived by hand
in the comment above it (notation of DESIGN.md: a the output, y the labels, σ' = a(1 − a)).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.data_splits import split_data
from verification.reading.top_level_names import steppers, updates

# Inputs and labels side by side in one array loaded from a file, each batch cut in the inner loop:
# batch = data[i:i + 10]; X = batch[:, :3]; Y = batch[:, 3:]. Sigmoid layers; the output delta
# (out − Y) ⊙ σ'(out) and the updates W −= lr · (…) make the step that of mse, ½ Σ (a − y)², summed over
# the batch (no 1/n). With the delta written (out − Y) alone it is the step of bce, summed as well.
ONE_ARRAY = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

data = np.loadtxt("data.csv")
W1 = np.random.randn(3, 4) * 0.5
W2 = np.random.randn(4, 2) * 0.5
lr = 0.1
for epoch in range(100):
    np.random.shuffle(data)
    for i in range(0, len(data), 10):
        batch = data[i:i + 10]
        X = batch[:, :3]
        Y = batch[:, 3:]
        h = sigmoid(X @ W1)
        out = sigmoid(h @ W2)
        d2 = (out - Y) * out * (1 - out)
        d1 = d2 @ W2.T * h * (1 - h)
        W2 -= lr * h.T @ d2
        W1 -= lr * X.T @ d1
"""


@pytest.mark.parametrize(
    ("delta", "identified"),
    [("(out - Y) * out * (1 - out)", "mse"), ("(out - Y)", "bce"), ("(out - Y) * out", None)],
)
def test_inputs_and_labels_cut_from_one_array_in_the_loop_are_the_steps_data(
    tmp_path: Path, delta: str, identified: str | None
) -> None:
    path = tmp_path / "batches.py"
    path.write_text(ONE_ARRAY.replace("(out - Y) * out * (1 - out)", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None
    assert "batch" not in report.recipe.step and "data" not in report.recipe.setup  # the cut is out
    if identified:
        assert report.result.verdict.scale == pytest.approx(1.0)
        assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "sum"


def _body(source: str) -> tuple[list[ast.stmt], set[str]]:
    tree = ast.parse(textwrap.dedent(source))
    loop = tree.body[-1]
    assert isinstance(loop, ast.For)
    return loop.body, {"a", "m", "i", "w"}


def test_the_cut_takes_out_what_makes_the_pair_and_keeps_the_rest_of_the_head() -> None:
    body, data = _body(
        """
        for i in range(50):
            a = np.random.permutation(a)
            rate = 0.1 / (1 + i)
            offset = (i * 500) % m
            if offset >= m:
                offset = 0
            x = (a[offset:offset + 500, :3]).T
            y = (a[offset:offset + 500, -2:]).T
            w -= rate * x @ y.T
        """
    )
    split = split_data(body, data, {"w"})
    assert split is not None
    rest, pair, sources, form = split
    assert pair == ["x", "y"] and sources == ("a",) and form == "one-hot"  # a[…, -2:]: two columns
    assert [ast.unparse(s) for s in rest] == ["rate = 0.1 / (1 + i)", "w -= rate * x @ y.T"]


@pytest.mark.parametrize(
    "source",
    [
        "for i in range(3):\n    x = 1.0\n    y = 2.0\n    w -= x * y\n",  # made from constants: no data
        "for i in range(3):\n    x = a[i]\n    h = x * w\n    y = a[i]\n    w -= h * y\n",  # y after the step
        "for i in range(3):\n    x = a[i]\n    nxt = a[i + 1]\n    w -= x * nxt\n",  # no label name
    ],
)
def test_no_pair_cut_from_data_at_the_head_is_no_split(source: str) -> None:
    body, data = _body(source)
    assert split_data(body, data, {"w"}) is None


# Functions over separate weight arrays: backward_error returns the layers' deltas, update(…) returns
# the weights it moved, w_l + lr · δ_l a_{l−1}ᵀ, and the training function NNmodel loads its data from a
# file and cuts each batch (columns) from it. δ3 = (y − a3) ⊙ σ'(a3) added: the step of mse, summed over
# the batch. The backward function alone returns deltas that line up with no weight: it is the
# function that drives it, NNmodel, that is checked. The file also runs NNmodel at its top level, which
# the check never runs (it would read the missing file).
DRIVEN = """
import numpy as np

def data_reading(filename):
    return np.loadtxt(filename)

def parameters_initialization(n_x, n_h1, n_y):
    w1 = np.random.randn(n_h1, n_x) * 0.5
    w2 = np.random.randn(n_y, n_h1) * 0.5
    return w1, w2

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward_pass(w1, w2, x):
    a1 = sigmoid(np.dot(w1, x))
    a2 = sigmoid(np.dot(w2, a1))
    return a1, a2

def backward_error(a1, a2, w2, y):
    delta2 = a2 * (1 - a2) * (y - a2)
    delta1 = a1 * (1 - a1) * np.dot(w2.T, delta2)
    return delta1, delta2

def update(delta1, delta2, a1, w1, w2, x, learning_rate):
    w2 = w2 + learning_rate * np.dot(delta2, a1.T)
    w1 = w1 + learning_rate * np.dot(delta1, x.T)
    return w1, w2

def NNmodel():
    a = data_reading("data_cut.txt")
    learning_rate = 0.01
    n_x, n_h1, n_y, m = 3, 5, 2, 4999
    w1, w2 = parameters_initialization(n_x, n_h1, n_y)
    for i in range(50):
        offset = (i * 100) % m
        x = (a[offset:offset + 100, :3]).T
        y = (a[offset:offset + 100, -2:]).T
        a1, a2 = forward_pass(w1, w2, x)
        delta1, delta2 = backward_error(a1, a2, w2, y)
        w1, w2 = update(delta1, delta2, a1, w1, w2, x, learning_rate)
    return w1, w2

w1, w2 = NNmodel()
"""


@pytest.mark.parametrize(("delta", "identified"), [("a2 * (1 - a2) * (y - a2)", "mse"), ("(y - a2)", "bce")])
def test_a_backward_function_returning_deltas_is_checked_through_the_function_driving_it(
    tmp_path: Path, delta: str, identified: str
) -> None:
    path = tmp_path / "backprop.py"
    path.write_text(DRIVEN.replace("a2 * (1 - a2) * (y - a2)", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.lr == "learning_rate"
    assert "update(delta1, delta2, a1, w1, w2, x, learning_rate)" in (report.recipe.step or "")
    assert "NNmodel" not in report.recipe.setup and "data_reading" not in report.recipe.setup
    assert report.result.verdict.scale == pytest.approx(1.0)
    assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "sum"


def test_an_update_function_returning_the_weights_it_moved_is_a_stepper() -> None:
    tree = ast.parse(DRIVEN)
    assert steppers(tree) == {"update"}
    loop = next(n for n in ast.walk(tree) if isinstance(n, ast.For))
    assert updates(loop.body, steppers(tree))[0] == ["w1", "w2"]
    assert updates(loop.body)[0] == []  # without the function read, no update at all


# A backward function that reads the script's globals (w2 and a1, which only the top-level loop binds):
# paired with forward on its own it cannot run, and the check reads the loop that calls it instead. The
# bias is a column of ones, sigmoid layers, delta2 = z2 − y with no σ', the update lr · (1/m) · Δ: bce,
# a mean over the batch. With delta2 = (z2 − y) ⊙ σ'(a2), mse.
GLOBALS_READ = """
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_deriv(x):
    return sigmoid(x) * (1 - sigmoid(x))

def forward(x, w1, w2):
    a1 = np.matmul(x, w1)
    z1 = np.concatenate((np.ones((len(a1), 1)), sigmoid(a1)), axis=1)
    a2 = np.matmul(z1, w2)
    return a1, z1, a2, sigmoid(a2)

def backprop(a2, z0, z1, z2, y):
    delta2 = z2 - y
    Delta2 = np.matmul(z1.T, delta2)
    delta1 = (delta2.dot(w2[1:, :].T)) * sigmoid_deriv(a1)
    Delta1 = np.matmul(z0.T, delta1)
    return delta2, Delta1, Delta2

X = np.array([[1, 1, 0], [1, 0, 1], [1, 0, 0], [1, 1, 1]])
y = np.array([[1], [1], [0], [0]])
w1 = np.random.randn(3, 5)
w2 = np.random.randn(6, 1)
lr = 0.09
m = len(X)
for i in range(15000):
    a1, z1, a2, z2 = forward(X, w1, w2)
    delta2, Delta1, Delta2 = backprop(a2, X, z1, z2, y)
    w1 -= lr * (1 / m) * Delta1
    w2 -= lr * (1 / m) * Delta2
"""


@pytest.mark.parametrize(
    ("delta", "identified"), [("z2 - y", "bce"), ("(z2 - y) * sigmoid_deriv(a2)", "mse")]
)
def test_a_backward_function_that_reads_the_scripts_globals_is_checked_in_the_loop_calling_it(
    tmp_path: Path, delta: str, identified: str
) -> None:
    path = tmp_path / "xor.py"
    path.write_text(GLOBALS_READ.replace("delta2 = z2 - y", f"delta2 = {delta}"), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "backprop(a2, X, z1, z2, y)" in (report.recipe.step or "")
    assert report.result.verdict.scale == pytest.approx(1.0)
    assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "mean"


# With biases, the deltas a backward function returns (d1, d2) are shaped like the biases at one sample:
# lined up with b1 and b2, they left every weight matrix without a gradient, and the verdict was a "none"
# of the pair. Deltas that line up with the biases alone are no gradients: the training function that
# drives them through update(…) is checked. Linear output, d2 = ŷ − y, the update's mean over the batch:
# mse; with a sigmoid output and the same d2, bce.
DELTAS_WITH_BIASES = """
import numpy as np

def forward(x, w1, b1, w2, b2):
    h = np.tanh(x @ w1 + b1)
    return h, OUTPUT

def backward(y, h, yhat, w2):
    d2 = yhat - y
    d1 = (d2 @ w2.T) * (1 - h * h)
    return d1, d2

def update(d1, d2, h, w1, b1, w2, b2, x, lr):
    n = x.shape[0]
    w2 = w2 - lr * h.T @ d2 / n
    b2 = b2 - lr * d2.mean(axis=0)
    w1 = w1 - lr * x.T @ d1 / n
    b1 = b1 - lr * d1.mean(axis=0)
    return w1, b1, w2, b2

def model():
    data = np.genfromtxt('housing.csv', delimiter=',')
    w1 = np.random.randn(3, 7) * 0.5; b1 = np.zeros(7)
    w2 = np.random.randn(7, 1) * 0.5; b2 = np.zeros(1)
    lr = 0.01
    for e in range(3000):
        for i in range(0, len(data), 50):
            x = data[i:i + 50, :3]; y = data[i:i + 50, 3:4]
            h, yhat = forward(x, w1, b1, w2, b2)
            d1, d2 = backward(y, h, yhat, w2)
            w1, b1, w2, b2 = update(d1, d2, h, w1, b1, w2, b2, x, lr)
    return w1, b1, w2, b2

model()
"""


@pytest.mark.parametrize(
    ("output", "identified"), [("h @ w2 + b2", "mse"), ("1 / (1 + np.exp(-(h @ w2 + b2)))", "bce")]
)
def test_deltas_shaped_like_the_biases_are_no_gradients_and_the_driving_function_is_checked(
    tmp_path: Path, output: str, identified: str
) -> None:
    path = tmp_path / "regression.py"
    path.write_text(DELTAS_WITH_BIASES.replace("OUTPUT", output), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "update(d1, d2, h, w1, b1, w2, b2, x, lr)" in (
        report.recipe.step or ""
    )
    assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "mean"


def test_labels_cut_as_one_column_by_an_integer_are_given_one_value_per_sample(tmp_path: Path) -> None:
    """``Y = batch[:, 3]`` is 1-D: against a one-output column the error ``out − Y`` broadcasts to
    ``(n, n)`` and the update fails on any batch of two or more. Given labels as the cut makes them, the
    verdict is mse for one sample only, never a claim about batches the code cannot take."""
    path = tmp_path / "batches.py"
    source = ONE_ARRAY.replace("Y = batch[:, 3:]", "Y = batch[:, 3]").replace("randn(4, 2)", "randn(4, 1)")
    path.write_text(source, encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "mse"
    batch = result.verdict.batch
    assert batch is not None and batch.reduction is None and (batch.reason or "").startswith("the code fails")
    assert "labels one value per sample (1-D), as the script's own labels are" in result.notes


def test_labels_of_no_named_role_are_the_one_other_cut_of_the_inputs_array(tmp_path: Path) -> None:
    """``k = batch[:, 3:]`` beside ``X = batch[:, :3]``: ``k`` says nothing of its role, but it is the
    one other name cut from the array the inputs are cut from, and the error subtracts it: the labels.
    The step is mse's, summed over the batch, as with ``Y``."""
    path = tmp_path / "batches.py"
    path.write_text(
        ONE_ARRAY.replace("Y = batch[:, 3:]", "k = batch[:, 3:]").replace("(out - Y)", "(out - k)")
    )
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "mse"
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum"


def test_a_name_stored_just_before_the_error_is_not_the_output_it_divides(tmp_path: Path) -> None:
    """``m = X.shape[0]`` stored just before ``d2 = (out - Y) * … / m``: the output is the name the
    labels are subtracted from, ``out``, not the last name stored; the step is mse's, a mean."""
    path = tmp_path / "batches.py"
    source = ONE_ARRAY.replace(
        "        d2 = (out - Y) * out * (1 - out)\n",
        "        m = X.shape[0]\n        d2 = (out - Y) * out * (1 - out) / m\n",
    )
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert report.recipe is not None and report.recipe.forward.endswith("; out")
    assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "mean"
