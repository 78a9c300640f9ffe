"""A backward pass handed the output error, that adds its update to the weights (``W += lr · dW``): the
most common student network. What it stores (``self.dW2``) follows the sign of the error it is handed,
so the update, not the stored array, is what training does; and the sign is read where the class's own
training code calls it (``self.backward(X, y - output)``, or a name assigned ``output - y``).

The networks are written for the tests in that style; each verdict is derived by hand in its comment."""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.adapters.own_errors import handed_outside
from verification.cli import main
from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.sentences import verdict_sentence
from verification.reading import conventions as cv
from verification.units.check import units_target

# sigmoid layers, d_output = error ⊙ a(1 − a), W += lr · hᵀ d_output. With error = y − a the step is
# W − lr · ∂/∂W ½ Σ (a − y)²: descent on mse (summed over the batch). With error = a − y it climbs it.
NETWORK = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class NeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.5):
        self.learning_rate = learning_rate
        self.W1 = np.random.randn(input_size, hidden_size)
        self.W2 = np.random.randn(hidden_size, output_size)

    def forward(self, x):
        self.hidden = sigmoid(x @ self.W1)
        self.output = sigmoid(self.hidden @ self.W2)
        return self.output

    def backward(self, x, error):
        d_output = error * self.output * (1 - self.output)
        d_hidden = (d_output @ self.W2.T) * self.hidden * (1 - self.hidden)
        self.dW2 = self.hidden.T @ d_output
        self.dW1 = x.T @ d_hidden
        self.W2 += self.learning_rate * self.dW2
        self.W1 += self.learning_rate * self.dW1

    def train(self, X, y, epochs=10000):
        for epoch in range(epochs):
            output = self.forward(X)
            CALL
"""


def _check(tmp_path: Path, call: str) -> CheckReport:
    path = tmp_path / "net.py"
    path.write_text(NETWORK.replace("CALL", call), encoding="utf-8")
    return check_target(CheckRequest.parse(str(path)))


@pytest.mark.parametrize(
    "call",
    ["self.backward(X, y - output)", "error = y - output\n            self.backward(X, error)"],
    ids=["handed-y-minus-a", "named-y-minus-a"],
)
def test_stored_gradients_of_an_adding_update_are_read_from_the_update(tmp_path: Path, call: str) -> None:
    report = _check(tmp_path, call)
    assert report.result.identified == "mse" and report.result.scale == 1.0
    assert report.recipe is not None and report.recipe.step is not None  # the update, not self.dW2


@pytest.mark.parametrize(
    "call",
    ["self.backward(X, output - y)", "error = output - y\n            self.backward(X, error)"],
    ids=["handed-a-minus-y", "named-a-minus-y"],
)
def test_the_error_the_class_hands_its_adding_update_decides_the_sign(tmp_path: Path, call: str) -> None:
    report = _check(tmp_path, call)
    found = report.result.verdict.output_error
    assert report.result.identified is None
    assert found is not None and found.loss == "mse" and found.loss_scale == pytest.approx(-1.0)
    assert "the sign is flipped" in verdict_sentence(report.result)


# the same network, its error read through the forms the class's own code writes it in: an attribute
# set in another method, a flip in place, numpy's subtract, a negation, the forward called in the
# argument; each descends mse (y − a added) or climbs it (a − y added), as derived above
READ = [
    ("self.err = y - output\n            self.backward(X, self.err)", 1.0),
    ("error = output - y\n            error *= -1\n            self.backward(X, error)", 1.0),
    ("self.backward(X, np.subtract(y, output))", 1.0),
    ("self.backward(X, -(output - y))", 1.0),
    ("self.backward(X, y - self.forward(X))", 1.0),
    ("self.backward(X, np.subtract(output, y))", -1.0),
    ("self.backward(X, y[0:len(X)] - output)", 1.0),
]


@pytest.mark.parametrize(("call", "sign"), READ, ids=[f"read-{i}" for i in range(len(READ))])
def test_the_error_is_read_through_the_forms_the_class_writes_it_in(
    tmp_path: Path, call: str, sign: float
) -> None:
    result = _check(tmp_path, call).result
    if sign > 0:
        assert result.identified == "mse"
    else:
        found = result.verdict.output_error
        assert result.identified is None and found is not None and found.loss_scale == pytest.approx(-1.0)


@pytest.mark.parametrize(
    "call",
    [
        "self.backward(X, self.error_of(y, output))",  # a helper's return value
        "self.backward(X, 2 * (output - y) / len(X))",  # a scaled difference
        "self.backward(X, y - output)\n            self.backward(X, output - y)",  # calls that disagree
    ],
    ids=["helper", "scaled", "disagree"],
)
def test_an_error_the_calls_do_not_say_the_sign_of_is_refused_as_ambiguous(tmp_path: Path, call: str) -> None:
    # the calls are in a method that is no training method of inputs and labels (_repeat), so no step of
    # the class's own says which error it hands
    helper = "\n    def error_of(self, y, out):\n        return out - y\n"
    path = tmp_path / "net.py"
    path.write_text(NETWORK.replace("CALL", call + "\n" + helper).replace("def train(", "def _repeat("))
    with pytest.raises(InputError) as caught:
        check_target(CheckRequest.parse(str(path)))
    assert getattr(caught.value, "cause", None) == "ambiguous"
    assert "NeuralNetwork.backward takes the output error as error" in str(caught.value)
    # the hint is an explicit form that runs: the update adds lr · (y − a) terms, descent on mse
    form = shlex.split(str(caught.value.hint).split("explicit form: ", 1)[1].split(" (y - out")[0])
    assert "out = net.forward(x); net.backward(x, y - out)" in form
    assert main(["check", str(tmp_path / "net.py"), *form, "-q"]) == 0


@pytest.mark.parametrize(
    ("call", "scale"),
    [("self.backward(X, self.error_of(y, output))", -1.0), ("self.backward(X, 2 * (output - y))", -2.0)],
    ids=["helper", "scaled"],
)
def test_an_error_the_calls_do_not_say_the_sign_of_is_read_from_the_training_method(
    tmp_path: Path, call: str, scale: float
) -> None:
    # train(X, y) hands backward a − y (through a helper) or 2(a − y): its update adds lr · hᵀ((a − y) ⊙
    # a(1 − a)) times 1 or 2, which climbs mse; the training method is checked in place of a refusal
    helper = "\n    def error_of(self, y, out):\n        return out - y\n"
    report = _check(tmp_path, call + "\n" + helper)
    found = report.result.verdict.output_error
    assert report.recipe is not None and "net.train(" in (report.recipe.step or "")
    assert report.result.identified is None
    assert found is not None and found.loss == "mse" and found.loss_scale == pytest.approx(scale)


def test_an_error_of_an_attribute_the_forward_pass_does_not_return_is_refused(tmp_path: Path) -> None:
    # self.output holds the pre-activation z, the forward returns σ(z), and the class hands y − z: the
    # check's own y − a would make the update (d_output = error, no σ') descent on bce, a loss the
    # class never trains on; which error it back-propagates is not read, so the check is refused when
    # no training method of the class's own says it (train renamed _repeat), and with train(X, y) it is
    # that method's step: descent on ½‖z − y‖², the squared error of the pre-activation, no loss of a
    source = (
        NETWORK.replace(
            "        self.output = sigmoid(self.hidden @ self.W2)\n        return self.output",
            "        self.output = self.hidden @ self.W2\n        return sigmoid(self.output)",
        )
        .replace("error * self.output * (1 - self.output)", "error")
        .replace("CALL", "self.backward(X, y - self.output)")
    )
    (tmp_path / "net.py").write_text(source.replace("def train(", "def _repeat("), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_target(CheckRequest.parse(str(tmp_path / "net.py")))
    assert getattr(caught.value, "cause", None) == "ambiguous"
    (tmp_path / "net.py").write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "net.py")))
    assert report.recipe is not None and "net.train(" in (report.recipe.step or "")
    assert report.result.identified is None


def test_labels_handed_where_the_method_names_an_error_are_given_as_labels(tmp_path: Path) -> None:
    # backward(x, error) computes the delta itself as (output − error): handed y, it is a − y, and
    # W −= lr · hᵀ ((a − y) ⊙ a(1 − a)) descends mse
    text = (
        NETWORK.replace("d_output = error * self.output", "d_output = (self.output - error) * self.output")
        .replace("self.W2 += self.learning_rate", "self.W2 -= self.learning_rate")
        .replace("self.W1 += self.learning_rate", "self.W1 -= self.learning_rate")
        .replace("CALL", "self.backward(X, y)")
    )
    path = tmp_path / "net.py"
    path.write_text(text, encoding="utf-8")
    assert check_target(CheckRequest.parse(str(path))).result.identified == "mse"


# the forward returns softmax(z) and keeps the logits z in self.logits; train hands backward
# softmax(z) − Y, which is ∂/∂z of the cross-entropy −Σ y log softmax(z): the step descends cross_entropy
# (summed over the batch). Read as a layer, backward(delta) would be held to taking ∂L/∂softmax(z), a
# contract the class's own training never keeps; with the elementwise p(1 − p) of a sigmoid applied to
# the softmax in backward, the step is no loss's gradient.
LOGITS_KEPT = """
import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Classifier:
    def __init__(self, n_in, n_hidden, n_classes, lr=0.1):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_classes)
        self.lr = lr

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.W1)
        self.logits = self.h @ self.W2
        return softmax(self.logits)

    def backward(self, delta):
        delta = delta * FACTOR
        gW2 = self.h.T @ delta
        dh = (delta @ self.W2.T) * (1 - self.h ** 2)
        self.W2 -= self.lr * gW2
        self.W1 -= self.lr * (self.X.T @ dh)

    def train(self, X, Y):
        self.forward(X)
        self.backward(softmax(self.logits) - Y)
"""


@pytest.mark.parametrize(
    ("factor", "identified"),
    [("1", "cross_entropy"), ("softmax(self.logits) * (1 - softmax(self.logits))", None)],
)
def test_a_class_whose_training_hands_its_backward_the_logits_error_is_checked_as_a_network(
    tmp_path: Path, factor: str, identified: str | None
) -> None:
    path = tmp_path / "net.py"
    path.write_text(LOGITS_KEPT.replace("FACTOR", factor), encoding="utf-8")
    assert units_target(str(path), None) is None, "a network that trains itself, not a layer"
    report = check_target(CheckRequest.parse(str(path)))
    assert report.recipe is not None and "net.train(" in (report.recipe.step or ""), report.command
    assert report.result.identified == identified


# The same class keeping its data set: built on it (MultiLayer(X, Y)), trained by a method of no
# arguments on what it keeps (fit(self)). Its backward(delta) is no layer's either.
DATA_KEPT = (
    LOGITS_KEPT.replace(
        "def __init__(self, n_in, n_hidden, n_classes, lr=0.1):", "def __init__(self, X, Y, lr=0.1):"
    )
    .replace(
        "np.random.randn(n_in, n_hidden)", "np.random.randn(X.shape[1], 5)\n        self.data, self.Y = X, Y"
    )
    .replace("np.random.randn(n_hidden, n_classes)", "np.random.randn(5, Y.shape[1])")
    .replace(
        "def train(self, X, Y):\n        self.forward(X)", "def train(self):\n        self.forward(self.data)"
    )
    .replace("softmax(self.logits) - Y)", "softmax(self.logits) - self.Y)")
)


@pytest.mark.parametrize(
    ("factor", "identified"),
    [("1", "cross_entropy"), ("softmax(self.logits) * (1 - softmax(self.logits))", None)],
)
def test_a_class_that_trains_itself_on_the_data_it_keeps_is_a_network_not_a_layer(
    tmp_path: Path, factor: str, identified: str | None
) -> None:
    """Checked as a network, each probe puts its inputs where the class keeps them (``net.data = x``)
    as well as its labels: trained on the data set the setup made, the step would be compared with the
    Jacobian at the probe's inputs and no loss would match (a wrong "none" for the first factor)."""
    path = tmp_path / "net.py"
    path.write_text(DATA_KEPT.replace("FACTOR", factor), encoding="utf-8")
    assert "def train(self):" in DATA_KEPT and "self.data, self.Y = X, Y" in DATA_KEPT
    assert units_target(str(path), None) is None, "a network that trains itself, not a layer"
    report = check_target(CheckRequest.parse(str(path)))
    assert "net.data = x; net.train()" in (report.recipe.step or ""), report.command
    assert report.result.identified == identified, report.command


# backward returns the gradients of what it is handed; train hands it the output delta (o − y) ⊙ o(1 − o)
# (DELTA) and steps: descent on mse, summed over the batch. Checked as backward handed a − y it would be
# bce's gradient, a loss the class never trains on; handed d_loss = 2(o − y), with σ' applied inside
# backward, 2 × mse. What train hands is not read off its call, so train itself is checked.
RETURNING = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class SimpleNet:
    def __init__(self, n_in, n_hidden, n_out, lr=0.5):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)
        self.lr = lr

    def forward(self, X):
        self.X = X
        self.H = sigmoid(X @ self.W1)
        self.O = sigmoid(self.H @ self.W2)
        return self.O

    def backward(self, ARG):
        delta = ARG * INSIDE
        gW2 = self.H.T @ delta
        gW1 = self.X.T @ ((delta @ self.W2.T) * self.H * (1 - self.H))
        return gW1, gW2

    def train(self, X, Y):
        O = self.forward(X)
        gW1, gW2 = self.backward(HANDED)
        self.W1 -= self.lr * gW1
        self.W2 -= self.lr * gW2
"""


@pytest.mark.parametrize(
    ("arg", "inside", "handed", "scale"),
    [("delta", "1", "(O - Y) * O * (1 - O)", 1.0), ("d_loss", "self.O * (1 - self.O)", "2 * (O - Y)", 2.0)],
    ids=["delta", "d_loss"],
)
def test_a_returning_backward_handed_an_unread_error_is_checked_through_the_training_method(
    tmp_path: Path, arg: str, inside: str, handed: str, scale: float
) -> None:
    path = tmp_path / "net.py"
    source = RETURNING.replace("ARG", arg).replace("INSIDE", inside).replace("HANDED", handed)
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.recipe is not None and "net.train(" in (report.recipe.step or ""), report.command
    assert report.result.identified == "mse" and report.result.scale == pytest.approx(scale)


def test_an_argument_named_as_the_derivative_of_the_loss_or_output_is_the_error() -> None:
    # backward(self, d_loss) in first place is handed ∂L/∂(output), never the inputs
    assert [cv.role(n, 0) for n in ("d_loss", "dL", "d_out", "dA", "d_pred")] == ["error"] * 5
    assert cv.role("data", 0) == "x" and cv.role("d", 0) == "error"


# backward(err) handed err = t − out returns dW built from it: −∂/∂W ½ Σ (a − t)², the descent direction,
# which train adds (W += lr · dW): descent on mse, summed over the batch. Subtracting it instead climbs.
RETURNED_DESCENT = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Net:
    def __init__(self, sizes, lr=0.3):
        self.lr = lr
        self.W = [np.random.randn(m, n) * 0.5 for n, m in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        self.a = [x]
        for W in self.W:
            self.a.append(sigmoid(W @ self.a[-1]))
        return self.a[-1]

    def backward(self, err):
        dW = []
        delta = err * self.a[-1] * (1 - self.a[-1])
        for l in range(len(self.W) - 1, -1, -1):
            dW.insert(0, delta @ self.a[l].T)
            if l:
                delta = (self.W[l].T @ delta) * self.a[l] * (1 - self.a[l])
        return dW

    def train(self, x, t):
        out = self.forward(x)
        dW = self.backward(t - out)
        for i in range(len(self.W)):
            self.W[i] APPLY self.lr * dW[i]


if __name__ == "__main__":
    net = Net([2, 6, 1])
    X = np.random.randn(2, 50)
    for i in range(100):
        net.train(X, (X[:1] > 0).astype(float))
"""


@pytest.mark.parametrize(("apply", "identified"), [("+=", "mse"), ("-=", None)])
def test_gradients_returned_from_the_descent_direction_are_read_through_the_step(
    tmp_path: Path, apply: str, identified: str | None
) -> None:
    """``backward(t − out)`` returns the negative gradient, and ``train`` adds it: checked alone, the
    returned arrays read as "−1 × the gradient of mse: the sign is flipped" for correct code. The class's
    own step is checked in their place: descent on mse; a step that subtracts them climbs, no loss's."""
    path = tmp_path / "descent.py"
    path.write_text(RETURNED_DESCENT.replace("APPLY", apply), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.train(x, y)" in (report.command or ""), report.command


# a network whose backward pass takes the output error (dout) and stores its gradients, trained by a
# function of the file that hands it a loss object's derivative: the softmax cross-entropy's (p − Y) / n
# on logits. Handed a guessed out − y, any correct backward pass reads as squared error's gradient, so
# the check refuses as ambiguous and names what the training code hands; a train that hands out − y
# itself leaves the verdict to the check (mse: the backward pass back-propagates it correctly)
HANDED_ELSEWHERE = """
import numpy as np


class Net:
    def __init__(self, n_in=4, n_out=3):
        self.W = np.random.randn(n_in, n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W

    def backward(self, dout):
        self.dW = self.x.T @ dout


class SoftmaxCrossEntropy:
    def forward(self, logits, labels):
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        self.p, self.labels = e / e.sum(axis=1, keepdims=True), labels
        return -np.mean(np.log(self.p[np.arange(len(labels)), labels]))

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.labels)), self.labels] -= 1
        return d / len(self.labels)


def train(model, X, y, epochs=10, lr=0.1):
    criterion = SoftmaxCrossEntropy()
    for _ in range(epochs):
        out = model.forward(X)
        criterion.forward(out, y)
        model.backward(HANDED)
        model.W -= lr * model.dW
"""


def test_an_error_handed_by_the_files_training_function_that_is_no_difference_is_ambiguous(
    tmp_path: Path,
) -> None:
    path = tmp_path / "net.py"
    path.write_text(HANDED_ELSEWHERE.replace("HANDED", "criterion.backward()"), encoding="utf-8")
    with pytest.raises(InputError, match=r"hands it criterion\.backward\(\) \(line 34\)") as refused:
        check_target(CheckRequest.parse(str(path)))
    assert getattr(refused.value, "cause", None) == "ambiguous"
    path.write_text(HANDED_ELSEWHERE.replace("HANDED", "out - np.eye(3)[y]"), encoding="utf-8")
    assert check_target(CheckRequest.parse(str(path))).result.identified == "mse"


def test_layers_chained_in_a_loop_hand_their_own_backward_no_network_error() -> None:
    # grad = layer.backward(grad) over a list of layers calls each layer's backward, on a loop variable:
    # no error handed to a network's backward; model.backward(criterion.backward()) is one
    tree = ast.parse(
        "class Net:\n    def backward(self, dout):\n        pass\n"
        "def fit(layers, model, criterion, grad):\n"
        "    for layer in reversed(layers):\n        grad = layer.backward(grad)\n"
        "    model.backward(criterion.backward())\n"
    )
    found = handed_outside(tree, "Net", "backward")
    assert found is not None and ast.unparse(found) == "model.backward(criterion.backward())"
    tree.body[1].body.pop()  # type: ignore[attr-defined]
    assert handed_outside(tree, "Net", "backward") is None


# layers stepped in their own backward pass (W -= lr · dW), chained by a container whose backward takes
# the loss's derivative with respect to the output; its training method hands it the value of a function
# named for a loss's derivative, ∂ℓ/∂a, the sign of a − y: with the squared error's (a − y) the step
# descends mse. The value of a loss object's method, the object handed to the training method, names
# no loss
CONTAINER = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def mse_prime(y_true, y_pred):
    return y_pred - y_true


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out)

    def forward(self, x):
        self.x = x
        self.a = sigmoid(x @ self.W)
        return self.a

    def backward(self, output_gradient, lr):
        d = output_gradient * self.a * (1 - self.a)
        back = d @ self.W.T
        self.W -= lr * self.x.T @ d
        return back


class Net:
    def __init__(self):
        self.layers = [Dense(4, 5), Dense(5, 3)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, output_gradient, lr):
        for layer in reversed(self.layers):
            output_gradient = layer.backward(output_gradient, lr)

    def fit(self, X, y, epochs, lr, loss_fn):
        for epoch in range(epochs):
            output = self.forward(X)
            GRADIENT
            self.backward(gradient, lr)
"""


def test_the_value_of_a_function_named_for_a_losss_derivative_is_handed_as_its_gradient_is(
    tmp_path: Path,
) -> None:
    path = tmp_path / "net.py"
    path.write_text(CONTAINER.replace("GRADIENT", "gradient = mse_prime(y, output)"), encoding="utf-8")
    report = check_target(CheckRequest.parse(f"{path}:Net"))
    assert report.result.identified == "mse", report.command
    assert "net.backward(out - y, lr)" in report.command


def test_the_value_of_a_handed_loss_objects_derivative_is_not_guessed(tmp_path: Path) -> None:
    # fit(…, loss_fn) hands loss_fn.get_grad(output, y): which loss is unknown, and the file has no loss
    # class to hand fit, so nothing is guessed
    path = tmp_path / "net.py"
    path.write_text(CONTAINER.replace("GRADIENT", "gradient = loss_fn.get_grad(output, y)"), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        check_target(CheckRequest.parse(f"{path}:Net"))
    assert getattr(refused.value, "cause", None) == "ambiguous", refused.value
