"""``check`` must not print a verdict its own setup does not support: each class of wrong verdict met on
code the team had not seen, in a script of that style written here (none is a copy), with the verdict
derived by hand in its comment.

The classes: labels or outputs of a guessed format (varied, and an ambiguous reading refused); a bug
that shows only on batches; gradients the code leaves out (a layer without a gradient, a weight the step
never updates, a vector bias given a scalar gradient); state carried from one probe to the next
(momentum); an input the forward pass ignores; the method named on the command line; float32 code;
hidden ReLU units dead at one draw.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.backprop import backward
from ffnn.network import Network
from ffnn.validation import InputError
from verification.adapters.reference import subject_from_network
from verification.adapters.subject import Subject
from verification.identification.check import check_target
from verification.identification.linearity import linear_note
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.sentences import verdict_sentence
from verification.identification.setups import Ambiguous

HEAD = """
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))
"""


def check(tmp_path: Path, body: str, target: str = "", **kwargs: object) -> CheckReport:
    path = tmp_path / "net.py"
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return check_target(CheckRequest.parse(f"{path}{target}", **kwargs))  # type: ignore[arg-type]


# scores out of forward, softmax inside the loss: dscores = softmax(s) − y is the gradient of
# cross_entropy on softmax(s), so the reading --output softmax is kept
LOGITS = """
class TwoLayer:
    def __init__(self, n_in=4, n_hidden=5, n_out=3):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)

    def scores(self, X):
        self.h = np.tanh(X @ self.W1)
        return self.h @ self.W2

    def backward(self, X, y):
        s = self.scores(X)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        p /= len(y)
        dh = p @ self.W2.T * (1 - self.h ** 2)
        return {"W1": X.T @ dh, "W2": self.h.T @ p}
"""


def test_scores_with_the_softmax_in_the_loss_read_as_cross_entropy_on_their_softmax(tmp_path: Path) -> None:
    report = check(tmp_path, LOGITS)
    assert (report.result.identified, report.result.reading) == ("cross_entropy", "softmax"), (
        report.result.notes
    )
    assert report.recipe is not None and "--output softmax" in report.command.split("--setup")[1], (
        report.command
    )


# with class indices the code one-hots them and back-propagates a − t (mse); given one-hot labels it
# back-propagates 2 (a − y): the verdict depends on the label format, and nothing in the file says which
AMBIGUOUS = """
class Net:
    def __init__(self):
        self.W = np.random.randn(3, 2)

    def forward(self, x):
        return x @ self.W

    def backward(self, x, y):
        a = self.forward(x)
        if np.ndim(y) == 1:
            e = a - np.eye(2)[y]
        else:
            e = 2 * (a - y)
        return x.T @ e / len(x)
"""


def test_readings_that_find_different_losses_are_refused_as_ambiguous(tmp_path: Path) -> None:
    with pytest.raises(Ambiguous) as caught:
        check(tmp_path, AMBIGUOUS)
    options = {a.option: a.verdict for a in caught.value.alternatives}
    assert caught.value.cause == "ambiguous"
    assert (options["as detected"], options["--labels index"]) == ("mse × 2", "mse"), options
    assert "--labels" in (caught.value.hint or ""), caught.value.hint


# labels taken as a batch of one-hot columns (B, C, 1) stacked by np.hstack, a form no layout gives: the
# code runs with class indices only, subtracting one index from every softmax output, and back-propagates
# a − k, which no function of the softmax output has as its gradient ("none" at that reading). The script
# never indexes with its labels nor compares them with a prediction, so that "none" is refused
STACKED = """
class Net:
    def __init__(self, sizes=(4, 5, 3)):
        self.W1 = np.random.randn(sizes[1], sizes[0])
        self.W2 = np.random.randn(sizes[2], sizes[1])

    def forward(self, inputs):
        self.x = np.array(inputs).T
        self.h = sigmoid(self.W1 @ self.x)
        z = self.W2 @ self.h
        e = np.exp(z - z.max(axis=0, keepdims=True))
        self.out = e / e.sum(axis=0, keepdims=True)
        return self.out

    def backward(self, expected):
        d2 = (self.out - np.hstack(expected)) / self.out.shape[1]
        d1 = (self.W2.T @ d2) * self.h * (1 - self.h)
        return {"W2": d2 @ self.h.T, "W1": d1 @ self.x.T}
"""


def test_no_loss_at_labels_read_as_indices_the_code_never_indexes_with_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Ambiguous) as caught:
        check(tmp_path, STACKED)
    options = {a.option: a.verdict for a in caught.value.alternatives}
    assert options == {"as detected (--labels index)": "none", "--labels one-hot": "did not run"}, options
    assert "nowhere uses its labels as indices" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("line", "indices"),
    [
        ("dscores[np.arange(N), y] -= 1", True),
        ("onehot = np.eye(10)[labels]", True),
        ("onehot[i, self.y[i]] = 1", True),
        ("acc = np.mean(np.argmax(out, axis=1) == y_test)", True),
        ("expected[row[-1]] = 1", True),
        ("one_hot_Y[np.arange(Y.size), Y] = 1", True),
        ("d = out - np.hstack(expected)", False),
        ("self.table[str(labels[i])]", False),
        ("err = targets[i] - self.ao[i]", False),
    ],
)
def test_what_counts_as_using_labels_as_indices(line: str, indices: bool) -> None:
    import ast

    from verification.reading.label_use import uses_labels_as_indices

    assert uses_labels_as_indices(ast.parse(line)) is indices, line


@pytest.mark.parametrize(
    ("line", "sized"),
    [
        ("one_hot_Y = np.zeros((Y.size, Y.max() + 1))", True),
        ("k = np.max(labels) + 1", True),
        ("n_classes = len(np.unique(y_train))", True),
        ("m = Y.shape[1]", False),
        ("top = np.max(out, axis=0) + 1", False),
    ],
)
def test_what_counts_as_sizing_by_the_labels_classes(line: str, sized: bool) -> None:
    """Code that sizes its one-hot encoding by the classes present is probed on batches holding every
    class: one sample of class 0 would broadcast against every output."""
    import ast

    from verification.reading.label_use import classes_from_labels

    assert classes_from_labels(ast.parse(line)) is sized, line


# per-sample loop that overwrites its accumulators (=, not +=): right at one sample, the gradient of the
# last sample only at a batch
OVERWRITE = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, X):
        return sigmoid(sigmoid(X @ self.W1) @ self.W2)

    def backward(self, X, Y):
        for x, y in zip(X, Y):
            a1 = sigmoid(x @ self.W1)
            a2 = sigmoid(a1 @ self.W2)
            d2 = (a2 - y) * a2 * (1 - a2)
            d1 = d2 @ self.W2.T * a1 * (1 - a1)
            dW1 = np.outer(x, d1)
            dW2 = np.outer(a1, d2)
        return dW1, dW2
"""


def test_a_gradient_overwritten_over_the_samples_of_a_batch_is_no_verdict(tmp_path: Path) -> None:
    """At a batch the gradient is the last sample's alone: said so, and no success."""
    result = check(tmp_path, OVERWRITE).result
    assert result.identified == "mse", "at one sample the code is the mse gradient"
    batch = result.verdict.batch
    assert batch is not None and batch.reduction == "one" and batch.order == (batch.samples - 1,), batch
    assert not result.success, "a verdict that fails on batches is no success"
    assert f"sample {batch.samples - 1} (the last) alone" in verdict_sentence(result)


# a step on one sample drawn at random from the batch it is given (stochastic gradient descent inside
# fit): mse at one sample; at a batch the step of the sample drawn, which one not known: not judged
RANDOM_SAMPLE = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, X):
        return sigmoid(sigmoid(X @ self.W1) @ self.W2)

    def fit(self, X, Y, lr=0.1):
        i = np.random.randint(len(X))
        x, y = X[i], Y[i]
        a1 = sigmoid(x @ self.W1)
        a2 = sigmoid(a1 @ self.W2)
        d2 = (a2 - y) * a2 * (1 - a2)
        d1 = d2 @ self.W2.T * a1 * (1 - a1)
        self.W1 -= lr * np.outer(x, d1)
        self.W2 -= lr * np.outer(a1, d2)
"""


def test_a_step_on_one_sample_drawn_from_the_batch_is_not_judged_at_a_batch(tmp_path: Path) -> None:
    """The draw is the code's own (np.random.randint in fit): the batch is probed, not judged; the same
    step with the sample taken by a fixed index instead is one sample's alone, which a batch names."""
    result = check(tmp_path, RANDOM_SAMPLE).result
    assert result.identified == "mse"
    batch = result.verdict.batch
    assert batch is not None and batch.reduction is None, batch
    assert (batch.reason or "").startswith("the step draws its own samples at random (np.random.randint"), (
        batch
    )
    fixed = check(tmp_path, RANDOM_SAMPLE.replace("np.random.randint(len(X))", "len(X) - 1")).result
    assert fixed.verdict.batch is not None and fixed.verdict.batch.reduction == "one", fixed.verdict.batch
    assert not fixed.verdict.holds_for_batches


def test_a_per_sample_sum_is_the_gradient_summed_over_the_batch(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        OVERWRITE.replace("dW1 = np.outer", "dW1 += np.outer")
        .replace("dW2 = np.outer", "dW2 += np.outer")
        .replace(
            "for x, y in zip",
            "dW1, dW2 = np.zeros_like(self.W1), np.zeros_like(self.W2)\n        for x, y in zip",
        ),
    ).result
    assert (result.identified, result.verdict.batch.reduction) == ("mse", "sum"), result.verdict.batch  # type: ignore[union-attr]


# online gradient descent: one update per sample, in turn; at a batch the update is neither the mean nor
# the sum of the per-sample gradients at the starting weights, but the code's own one-sample steps taken
# one after another, each of which is the mse gradient
ONLINE = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, X):
        return sigmoid(sigmoid(X @ self.W1) @ self.W2)

    def train(self, X, Y, lr=0.5):
        for x, y in zip(X, Y):
            a1 = sigmoid(x @ self.W1)
            a2 = sigmoid(a1 @ self.W2)
            d2 = (a2 - y) * a2 * (1 - a2)
            d1 = d2 @ self.W2.T * a1 * (1 - a1)
            self.W2 -= lr * np.outer(a1, d2)
            self.W1 -= lr * np.outer(x, d1)
"""


def test_online_updates_are_the_one_sample_steps_in_turn(tmp_path: Path) -> None:
    result = check(tmp_path, ONLINE).result
    assert (result.identified, result.verdict.batch.reduction) == ("mse", "sequential"), result.verdict.batch  # type: ignore[union-attr]
    assert result.success


def test_online_updates_from_stale_activations_are_inconsistent(tmp_path: Path) -> None:
    # the activations of the whole batch computed once, before the first step: each later step uses
    # activations of weights that have moved
    stale = ONLINE.replace(
        "        for x, y in zip(X, Y):\n"
        "            a1 = sigmoid(x @ self.W1)\n"
        "            a2 = sigmoid(a1 @ self.W2)",
        "        A1 = sigmoid(X @ self.W1)\n        A2 = sigmoid(A1 @ self.W2)\n"
        "        for x, y, a1, a2 in zip(X, Y, A1, A2):",
    )
    assert stale != ONLINE
    result = check(tmp_path, stale).result
    assert (result.identified, result.verdict.batch.reduction) == ("mse", "inconsistent"), (
        result.verdict.batch
    )  # type: ignore[union-attr]
    assert not result.success


# mini-batch gradient descent with a batch size of its own (2, a default the check keeps): at a batch of
# 5 the update is three steps, on samples 0-1, 2-3 and 4, each the cross-entropy gradient of the mean
# over its slice; a fit that slices the inputs but always takes the first slice's labels is right at one
# sample and at a batch of 2, and wrong from the second mini-batch on
MINI_BATCHES = """
class Net:
    def __init__(self, n_in=4, n_out=3, lr=0.1, batch_size=2):
        self.W = np.random.randn(n_in, n_out) * 0.3
        self.lr, self.batch_size = lr, batch_size

    def forward(self, X):
        e = np.exp(X @ self.W)
        return e / e.sum(axis=1, keepdims=True)

    def fit(self, X, Y, epochs=1):
        for epoch in range(epochs):
            for s in range(0, len(X), self.batch_size):
                xb, yb = X[s:s + self.batch_size], Y[s:s + self.batch_size]
                self.W -= self.lr * xb.T @ (self.forward(xb) - yb) / len(xb)
"""


@pytest.mark.parametrize(
    ("labels", "reduction"),
    [("Y[s:s + self.batch_size]", "mini-batches"), ("Y[: len(X[s:s + self.batch_size])]", "inconsistent")],
    ids=["own-mini-batches", "first-labels-only"],
)
def test_steps_on_mini_batches_of_the_codes_own_size_are_read_as_such(
    tmp_path: Path, labels: str, reduction: str
) -> None:
    result = check(tmp_path, MINI_BATCHES.replace("Y[s:s + self.batch_size]", labels)).result
    batch = result.verdict.batch
    assert (result.identified, batch.reduction) == ("cross_entropy", reduction), batch  # type: ignore[union-attr]
    assert result.success is (reduction == "mini-batches")
    if reduction == "mini-batches":
        assert (batch.order, batch.reason) == ((2,), "mean"), batch  # type: ignore[union-attr]
        assert "stepped through in mini-batches of 2, each step the mean" in verdict_sentence(result)


# labels beyond one-hot: squared error takes any real target, binary cross-entropy any 0/1 per output;
# a regressor that scales its targets by their largest magnitude (1 for one-hot labels) and a multi-label
# network that borrows the softmax idiom d[range(n), argmax] -= 1 (a − y exactly when a row has one 1)
# are the loss's gradient for one-hot labels only; the same networks written right hold for all
REGRESSOR = """
class Regressor:
    def __init__(self, n_in=3, n_out=2, lr=0.05):
        self.W = np.random.randn(n_in, n_out)
        self.lr = lr

    def forward(self, X):
        return np.tanh(X @ self.W)

    def train_step(self, X, Y):
        A = self.forward(X)
        Y = TARGETS
        self.W -= self.lr * X.T @ ((A - Y) * (1 - A**2))
"""
MULTI_LABEL = """
class MultiLabel:
    def __init__(self, n_in=4, n_tags=3):
        self.W = np.random.randn(n_in, n_tags)

    def forward(self, X):
        self.A = sigmoid(X @ self.W)
        return self.A

    def backward(self, X, Y):
        d = self.A.copy()
        DELTA
        return X.T @ d
"""


@pytest.mark.parametrize(
    ("source", "loss", "holds"),
    [
        (REGRESSOR.replace("TARGETS", "Y"), "mse", True),
        (REGRESSOR.replace("TARGETS", "Y / np.abs(Y).max()"), "mse", False),
        (MULTI_LABEL.replace("DELTA", "d -= Y"), "bce", True),
        (MULTI_LABEL.replace("DELTA", "d[np.arange(len(X)), Y.argmax(axis=1)] -= 1"), "bce", False),
    ],
    ids=["regressor", "targets-rescaled", "multi-label", "softmax-idiom"],
)
def test_a_verdict_holds_for_every_label_its_loss_takes_or_says_one_hot_only(
    tmp_path: Path, source: str, loss: str, holds: bool
) -> None:
    result = check(tmp_path, source).result
    labels = result.verdict.labels
    assert (result.identified, labels.labels, labels.holds) == (  # type: ignore[union-attr]
        loss,
        {"mse": "real-valued targets", "bce": "multi-hot labels"}[loss],
        holds,
    ), labels
    assert result.success is holds
    assert ("for one-hot labels only" in verdict_sentence(result)) is not holds
    if not holds:
        assert labels.first_mismatch == "W"  # type: ignore[union-attr]


def test_cross_entropy_and_class_index_labels_are_not_varied(tmp_path: Path) -> None:
    """Cross-entropy's ``a − y`` is its gradient only for labels that sum to one, so its labels stay
    one-hot: no label probe."""
    result = check(tmp_path, MINI_BATCHES).result
    assert (result.identified, result.verdict.labels) == ("cross_entropy", None)


# a class the script builds and trains on labels it makes itself: 1-D labels y (one per sample), which
# the update's A − y broadcasts against the (n, 1) output, so the code is bce's gradient at one sample
# and fails on a batch; the same script making its labels a column, (n, 1), or reshaping them to one
# after making them, holds for a batch; a call on a network built in the same expression,
# TinyNet().backward(X, y), hands the labels as a call on a named one does; the 1-D labels handed to
# its accuracy say nothing of those it trains on
FLAT_LABELS = """
class TinyNet:
    def __init__(self, n_features=3, lr=0.1):
        self.W = np.random.randn(n_features, 1)
        self.lr = lr

    def forward(self, X):
        self.A = sigmoid(X @ self.W)
        return self.A

    def backward(self, X, y):
        self.W -= self.lr * X.T @ (self.A - y) / X.shape[0]

    def accuracy(self, X, y):
        return np.mean((self.forward(X)[:, 0] > 0.5) == np.ravel(y))


if __name__ == "__main__":
    data = np.random.randn(100, 4)
    X = data[:, :3]
    y = LABELS
    labels_1d = data[:, 3] > 0
    net = TinyNet()
    for epoch in range(100):
        net.forward(X)
        net.backward(X, y)
    print(net.accuracy(X, y.ravel()), net.accuracy(X, labels_1d))
"""


@pytest.mark.parametrize(
    ("labels", "form", "reduction"),
    [
        ("(data[:, 3] > 0).astype(float)", "index", None),
        ("(data[:, 3:] > 0).astype(float)", "one-hot", "mean"),
        ("(data[:, 3] > 0).astype(float)\n    y = y.reshape(-1, 1)", "one-hot", "mean"),
        ("(data[:, 3] > 0).astype(float)", "index", None),
        ("(data[:, 3] > 0).astype(float)", "one-hot", "mean"),
    ],
    ids=["1-D", "column", "reshaped-to-a-column", "built-in-the-call", "handed-as-an-expression"],
)
def test_labels_the_script_hands_the_class_it_trains_are_given_in_their_form(
    tmp_path: Path, labels: str, form: str, reduction: str | None, request: pytest.FixtureRequest
) -> None:
    source = FLAT_LABELS.replace("LABELS", labels)
    if request.node.callspec.id == "built-in-the-call":
        source = source.replace(
            "    net = TinyNet()\n    for epoch in range(100):\n        net.forward(X)\n", ""
        )
        source = source.replace("        net.backward(X, y)", "    TinyNet().backward(X, y)")
        source = source.replace("    print(net.accuracy(X, y.ravel()), net.accuracy(X, labels_1d))\n", "")
        assert "net." not in source.split("__main__")[1]
    read = request.node.callspec.id != "handed-as-an-expression"
    if not read:  # the training call hands y[:, None], whose form is not read: the labels are detected
        source = source.replace("net.backward(X, y)", "net.backward(X, y[:, None])")
    report = check(tmp_path, source)
    result = report.result
    assert (result.identified, report.recipe.layout.labels) == ("bce", form)  # type: ignore[union-attr]
    assert any("as the script's own labels are" in n for n in result.notes) is read, result.notes
    batch = result.verdict.batch
    assert batch.reduction == reduction, batch  # type: ignore[union-attr]
    if reduction is None:
        assert batch.reason.startswith("the code fails on a batch of"), batch  # type: ignore[union-attr]


# fit one-hot encodes the class indices the script hands it (np.eye(k)[y]) before its backward pass:
# the 1-D form handed to fit is not the form backward takes, so it is not imposed on the check (imposed,
# backward alone read as none at index labels, and the check was refused as training "along another
# gradient" while both are mse)
ENCODING_FIT = """
class Net:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1, self.W2 = np.random.randn(n_in, n_hidden), np.random.randn(n_hidden, n_out)

    def forward(self, X):
        self.h = sigmoid(X @ self.W1)
        self.a = sigmoid(self.h @ self.W2)
        return self.a

    def backward(self, X, Y):
        d2 = (self.a - Y) * self.a * (1 - self.a) / len(X)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        self.W2 -= 0.5 * self.h.T @ d2
        self.W1 -= 0.5 * X.T @ d1

    def fit(self, X, y, epochs=10):
        Y = np.eye(self.W2.shape[1])[y]
        for epoch in range(epochs):
            self.forward(X)
            self.backward(X, Y)


if __name__ == "__main__":
    X = np.random.randn(40, 4)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    net = Net(4, 6, 3)
    net.fit(X, y)
"""


def test_labels_a_training_method_one_hot_encodes_are_not_the_form_of_its_backward_pass(
    tmp_path: Path,
) -> None:
    result = check(tmp_path, ENCODING_FIT).result
    assert (result.subject, result.identified) == ("Net.backward", "mse")
    assert not any("as the script's own labels are" in n for n in result.notes), result.notes


# a regressor whose forward pass returns one value per sample, shape (n,), and subtracts 1-D targets: a
# column of labels (n, 1) would broadcast to (n, n) at a batch; given 1-D labels there, as its output is,
# its gradients are the mean squared error's over the batch (tanh hidden layer, linear output)
FLAT_OUTPUT = """
class Regressor:
    def __init__(self, n_in=3, n_hidden=4):
        self.W = np.random.randn(n_in, n_hidden)
        self.v = np.random.randn(n_hidden)

    def forward(self, X):
        self.H = np.tanh(X @ self.W)
        return self.H @ self.v

    def gradients(self, X, y):
        r = self.forward(X) - y
        gv = self.H.T @ r / len(y)
        gW = X.T @ (np.outer(r, self.v) * (1 - self.H ** 2)) / len(y)
        return gW, gv
"""


def test_a_one_value_per_sample_output_is_probed_at_a_batch_with_labels_of_its_shape(tmp_path: Path) -> None:
    result = check(tmp_path, FLAT_OUTPUT).result
    batch = result.verdict.batch
    assert (result.identified, batch.reduction) == ("mse", "mean"), batch  # type: ignore[union-attr]
    assert batch.reason == "labels one value per sample (1-D) at the batch, as the code's output is"  # type: ignore[union-attr]
    assert result.success


# a training method that makes its weights anew at every call, from a fixed seed: its change is no
# gradient step of the weights it is given (whatever they are, it ends at the same place), so refused
REMADE = """
class Softmax:
    def __init__(self, lr=0.1):
        self.lr = lr
        self.W = np.zeros((4, 3))

    def forward(self, X):
        e = np.exp(X @ self.W)
        return e / e.sum(axis=1, keepdims=True)

    def fit(self, X, Y):
        self.W = np.random.RandomState(0).randn(X.shape[1], 3) * 0.01
        self.W -= self.lr * X.T @ (self.forward(X) - Y) / len(X)
"""


def test_a_step_that_makes_its_weights_anew_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="leaves W the same whatever weights it starts from"):
        check(tmp_path, REMADE)
    fixed = REMADE.replace("        self.W = np.random.RandomState(0).randn(X.shape[1], 3) * 0.01\n", "")
    assert check(tmp_path, fixed).result.identified == "cross_entropy"


# scikit-learn's style: fit maps the labels through classes_ = np.unique(y) and makes its weights in a
# helper from a fixed seed; its first call (the setup's, on data of every class) makes both, so that a
# probe's one sample keeps its class and the step starts from the weights the check sets: cross-entropy
SKLEARN_STYLE = """
class SoftmaxClassifier:
    def __init__(self, lr=0.1, n_iter=100):
        self.lr = lr
        self.n_iter = n_iter

    def _init_weights(self, n_features, n_classes):
        self.W = np.random.RandomState(0).randn(n_features, n_classes) * 0.01

    def predict_proba(self, X):
        S = X @ self.W
        E = np.exp(S - S.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        y_idx = np.searchsorted(self.classes_, y)
        self._init_weights(X.shape[1], len(self.classes_))
        for _ in range(self.n_iter):
            G = self.predict_proba(X)
            G[np.arange(len(X)), y_idx] -= 1
            self.W -= self.lr * X.T @ G / len(X)
        return self
"""


def test_a_fit_that_makes_its_weights_and_classes_in_its_first_call_is_checked_from_the_second(
    tmp_path: Path,
) -> None:
    report = check(tmp_path, SKLEARN_STYLE)
    assert report.result.identified == "cross_entropy", report.command
    assert "net.fit(_x, _y)" in (report.command or ""), report.command


# a step that divides one tensor's gradient by the batch size and not the other's: mse at one sample;
# at a batch W1 is the batch mean and W2 the sum, which the verdict says, so the reader knows which
# line to look at (the division is on W1's update)
HALF_AVERAGED = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)
        self.lr = 0.1

    def forward(self, X):
        self.h = sigmoid(X @ self.W1)
        return sigmoid(self.h @ self.W2)

    def train(self, X, Y):
        a = self.forward(X)
        d2 = (a - Y) * a * (1 - a)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        self.W2 -= self.lr * self.h.T @ d2
        self.W1 -= self.lr * X.T @ d1 / len(X)
"""


def test_a_batch_that_averages_some_tensors_and_sums_others_says_which(tmp_path: Path) -> None:
    result = check(tmp_path, HALF_AVERAGED).result
    batch = result.verdict.batch
    assert (result.identified, batch.reduction, batch.reason) == (  # type: ignore[union-attr]
        "mse",
        "inconsistent",
        "W1 the batch mean, W2 the sum",
    ), batch
    assert (
        "neither the mean nor the sum of the per-sample gradients: W1 the batch mean, W2 the sum"
        in verdict_sentence(result)
    )


# a float32 logistic regression whose bce derivative adds ε where it divides: ε = 1e-3 moves the gradient
# by about 3e-3 relative, above float32's Richardson tolerance (5.6e-4), and at one sample of one output
# the deviation is one factor per probe, which a fitted scale 0.997 absorbs; no code multiplies by 0.997,
# so it is a mismatch; without the ε the code is bce's gradient
FLOAT32_EPSILON = """
class LogReg:
    def __init__(self, n_in=3, lr=0.1):
        self.W = (np.random.randn(n_in, 1) * 0.5).astype(np.float32)
        self.lr = lr

    def forward(self, X):
        self.A = 1 / (1 + np.exp(-(X.astype(np.float32) @ self.W)))
        return self.A

    def backward(self, X, Y):
        A = self.A
        dA = -Y / (A + EPS) + (1 - Y) / (1 - A + EPS)
        return X.astype(np.float32).T @ (dA * A * (1 - A))
"""


@pytest.mark.parametrize(("eps", "identified"), [("1e-3", None), ("0", "bce")])
def test_a_scale_within_a_percent_of_one_is_no_constant_of_the_code(
    tmp_path: Path, eps: str, identified: str | None
) -> None:
    result = check(tmp_path, FLOAT32_EPSILON.replace("EPS", eps)).result
    assert result.identified == identified, verdict_sentence(result)
    assert result.candidate("bce").verdict == ("matches" if identified else "mismatch")
    assert any("cannot be told from its rounding" in n for n in result.notes), result.notes
    if identified:  # a float32 verdict holds to float32's resolution, and says so
        assert "(to float32's resolution, a relative 5.6e-04); summed" in verdict_sentence(result)


# the step goes through an optimiser object with a rate of its own (0.05); the network keeps self.lr = 0.1
# and reads it only in a logging line: net.lr is no rate of the step (its tenth moves the weights as
# far), so the rate is unknown and the verdict says proportional, never "1/2 × mse"; a network whose
# update reads its own self.lr keeps it
OPTIMISER_RATE = """
class SGD:
    def __init__(self, lr=0.05):
        self.lr = lr

    def step(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g


class LinearRegression:
    def __init__(self, n_in=3, lr=0.1):
        self.W = np.random.randn(n_in, 1) * 0.1
        self.lr = lr
        self.optimizer = SGD()

    def forward(self, X):
        return X @ self.W

    def train(self, X, Y):
        err = self.forward(X) - Y
        self.optimizer.step([self.W], [X.T @ err])
        self.log = (self.lr, float(np.sum(err ** 2)))
"""


def test_a_rate_the_step_does_not_read_is_no_rate(tmp_path: Path) -> None:
    result = check(tmp_path, OPTIMISER_RATE).result
    assert (result.identified, result.lr_known, result.scale) == ("mse", False, pytest.approx(0.05))
    assert any(
        "net.lr is not the rate the step moves with (at its tenth the step moves the weights 1 times" in n
        for n in result.notes
    ), result.notes
    capped = OPTIMISER_RATE.replace(  # the step's rate is min(self.lr, 0.05): its tenth moves 1/5 as far
        "self.optimizer.step([self.W], [X.T @ err])", "self.W -= min(self.lr, 0.05) * X.T @ err"
    )
    result = check(tmp_path, capped).result
    assert (result.identified, result.lr_known, result.scale) == ("mse", False, pytest.approx(0.05))
    assert any("moves the weights 0.2 times as far, not a tenth" in n for n in result.notes), result.notes
    own = OPTIMISER_RATE.replace(
        "self.optimizer.step([self.W], [X.T @ err])", "self.W -= self.lr * X.T @ err"
    )
    result = check(tmp_path, own).result
    assert (result.identified, result.lr_known, result.scale) == ("mse", True, 1.0)


# the weights live in a dict and the forward pass reads an alias of the dict's array; the step rebinds
# the entry (params[k] = params[k] − lr g), so the array the forward pass reads never changes: the step
# trains nothing, and is refused; updating the entry in place (-=) trains the alias too: bce
ALIASED = """
class Net:
    def __init__(self, n_in=3, n_out=2, lr=0.5):
        self.params = {"W": np.random.randn(n_in, n_out) * 0.5}
        self.W = self.params["W"]
        self.lr = lr

    def forward(self, X):
        self.a = sigmoid(X @ self.W)
        return self.a

    def train(self, X, Y):
        a = self.forward(X)
        grads = {"W": X.T @ (a - Y)}
        for k in self.params:
            self.params[k] = self.params[k] - self.lr * grads[k]
"""


def test_a_step_that_leaves_the_forward_pass_as_it_was_trains_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"changes params\['W'\] but not the output of net.forward\(x\)"):
        check(tmp_path, ALIASED)
    in_place = ALIASED.replace("self.params[k] = self.params[k] - self.lr", "self.params[k] -= self.lr")
    assert check(tmp_path, in_place).result.identified == "bce"


# a one-unit perceptron with its bias in column 0 of a 1 × (n_in + 1) weight, whose get_gradients
# returns the output's delta (the weight gradient is delta × input, formed in train): at one input the
# delta (1, 1) lines up with no weight (1, 2); at two inputs the squeezed weight broadcasts over both,
# gives two "outputs", and a delta of two values reshapes to the weight's 1 × 2 by accident; that width
# is never taken, and the method is refused for what it returned
DELTAS = """
class Perceptron:
    def __init__(self, input_count=1):
        self.weights = [np.random.uniform(-1, 1, (1, input_count + 1))]

    def predict(self, inputs):
        summation = np.dot(np.squeeze(self.weights[0][:, 1:]), np.squeeze(inputs)) + self.weights[0][:, 0]
        self.summation = summation
        return summation

    def get_gradients(self, label, prediction):
        return [np.vstack(np.ones_like(self.summation) * (label - prediction))]
"""


def test_returned_arrays_that_fit_a_weight_only_at_a_broadcast_width_are_refused(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"returned arrays of shapes \(1, 1\), which line up with the parameters"
    ):
        check(tmp_path, DELTAS)


# a backward pass that returns the input layer's gradient only: W2 gets none, so no loss fits W2
MISSING_LAYER = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        return sigmoid(self.h @ self.W2)

    def backprop(self, x, y):
        a = self.forward(x)
        d2 = (a - y) * a * (1 - a)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        return {"W1": x.T @ d1}
"""


def test_a_layer_without_a_gradient_is_a_mismatch_not_a_skip(tmp_path: Path) -> None:
    result = check(tmp_path, MISSING_LAYER).result
    assert result.identified is None and result.parameter_identified("W2") == (None, None), result.notes
    assert any("W2" in n and "no gradient returned" in n for n in result.notes), result.notes
    # W1 alone back-propagates mse's output error; the zero of W2 is left out of the equations, so the
    # report says the missing gradient fails, not that the layers are inconsistent
    error = result.verdict.output_error
    assert error is not None and error.consistent, error
    assert (error.loss, error.left_out) == ("mse", ("W2",)), error
    assert error.loss_scale == pytest.approx(1.0, rel=1e-9), error
    # the headline says both: the loss the rest agree on, and the tensor without a gradient
    assert verdict_sentence(result).startswith(
        "Net.backprop is the gradient of mse in every tensor it gives a gradient, and gives none for "
        "1 tensor the output depends on (W2)"
    ), verdict_sentence(result)


# a training step that updates the weights and never the biases (held fixed, or forgotten)
FROZEN_BIASES = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)
        self.b1, self.b2 = np.random.randn(4), np.random.randn(2)
        self.lr = 0.5

    def forward(self, x):
        self.h = np.tanh(x @ self.W1 + self.b1)
        return self.h @ self.W2 + self.b2

    def train(self, x, y):
        a = self.forward(x)
        d2 = a - y
        d1 = d2 @ self.W2.T * (1 - self.h ** 2)
        self.W2 -= self.lr * self.h.T @ d2
        self.W1 -= self.lr * x.T @ d1
"""


def test_a_step_that_never_updates_the_biases_names_the_loss_of_the_rest_and_the_biases(
    tmp_path: Path,
) -> None:
    result = check(tmp_path, FROZEN_BIASES).result
    assert result.identified is None, result.notes
    error = result.verdict.output_error
    assert error is not None and (error.loss, set(error.left_out)) == ("mse", {"b1", "b2"}), error
    sentence = verdict_sentence(result)
    assert (
        "is the gradient of mse in every tensor it gives a gradient, and gives none for 2 tensors" in sentence
    )
    assert "as a whole it is the gradient of none of the catalog losses" in sentence, sentence


# pure-Python units whose net input subtracts a threshold (a bias by another name) that the step never
# updates; the update adds rate · x · (y − a) · (1 − a²) with the rate inside the unit (no rate given
# to the step): proportional to the gradient of mse (½ × it at the rate 0.5 if read as 1) in the
# weights, none in the thresholds
THRESHOLDS = """
import math

class Unit:
    def __init__(self, n):
        self.weight = [0.1 * (i + 1) for i in range(n)]
        self.threshold = 0.05

    def calc(self, inputs):
        self.inputs = inputs[:]
        self.out = math.tanh(sum(w * v for w, v in zip(self.weight, inputs)) - self.threshold)
        return self.out

    def update(self, delta):
        self.weight = [w + 0.5 * delta * v for w, v in zip(self.weight, self.inputs)]

class Network:
    def __init__(self, n_in, n_hidden):
        self.hidden = [Unit(n_in) for _ in range(n_hidden)]
        self.top = Unit(n_hidden)

    def feedforward(self, inputs):
        self.h = [u.calc(inputs) for u in self.hidden]
        return [self.top.calc(self.h)]

    def train(self, inputs, targets):
        out = self.feedforward(inputs)[0]
        d = (targets[0] - out) * (1 - out ** 2)
        for u, w in zip(self.hidden, self.top.weight):
            u.update(d * w * (1 - u.out ** 2))
        self.top.update(d)
"""


def test_thresholds_a_step_never_updates_are_parameters_left_without_a_gradient(tmp_path: Path) -> None:
    result = check(tmp_path, THRESHOLDS).result
    error = result.verdict.output_error
    assert error is not None and error.loss == "mse", error
    assert error.left_out and all(n.endswith(".threshold") for n in error.left_out), error
    sentence = verdict_sentence(result)
    assert sentence.startswith(
        "Network.train is proportional to the gradient of mse (1/2 × it if the update's"
    ), sentence
    # one threshold per unit: the top unit's and each hidden unit's
    assert "top.threshold" in error.left_out and "hidden[0].threshold" in error.left_out, error
    told = f"in every tensor it gives a gradient, and gives none for {len(error.left_out)} tensors"
    assert told in sentence, sentence


def test_a_hidden_layer_that_back_propagates_a_wrong_derivative_breaks_there(tmp_path: Path) -> None:
    # the hidden delta drops the (1 − h) of σ'(z): W2 alone back-propagates mse's output error, W1 agrees
    # with no output error the output layer sends back
    broken = MISSING_LAYER.replace("* self.h * (1 - self.h)", "* self.h").replace(
        'return {"W1": x.T @ d1}', 'return {"W1": x.T @ d1, "W2": self.h.T @ d2}'
    )
    assert broken.count("self.h.T @ d2") == 1 and "* self.h\n" in broken
    error = check(tmp_path, broken).result.verdict.output_error
    assert error is not None and (error.consistent, error.first_mismatch) == (False, "W1"), error


def test_a_flipped_sign_is_named_as_such(tmp_path: Path) -> None:
    flipped = MISSING_LAYER.replace(
        'return {"W1": x.T @ d1}', 'return {"W1": -x.T @ d1, "W2": -self.h.T @ d2}'
    )
    assert flipped != MISSING_LAYER
    report = check(tmp_path, flipped)
    error = report.result.verdict.output_error
    assert report.result.identified is None and error is not None
    assert (error.loss, error.expression, error.left_out) == ("mse", "a − y", ()), error
    assert error.loss_scale == pytest.approx(-1.0, rel=1e-9), error
    assert "it is −1 × the gradient of mse: the sign is flipped" in verdict_sentence(report.result)


# the classic forgotten update: the step never changes W2
FORGOTTEN_UPDATE = """
class Net:
    def __init__(self, lr=0.5):
        self.W1, self.W2, self.lr = np.random.randn(3, 4), np.random.randn(4, 2), lr

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        return sigmoid(self.h @ self.W2)

    def train(self, x, y):
        a = self.forward(x)
        d2 = (a - y) * a * (1 - a)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        self.W1 -= self.lr * x.T @ d1
"""


def test_a_weight_the_step_never_updates_is_a_mismatch(tmp_path: Path) -> None:
    result = check(tmp_path, FORGOTTEN_UPDATE).result
    assert result.identified is None, f"got {result.identified}, but W2 is never trained"
    assert any("W2" in n and "never changed by the step" in n for n in result.notes), result.notes


# the bias gradient summed over everything: a numpy scalar for a vector bias
SCALAR_BIAS = """
class Net:
    def __init__(self):
        self.W = np.random.randn(3, 2)
        self.b = np.zeros(2)

    def forward(self, x):
        return sigmoid(x @ self.W + self.b)

    def backward(self, x, y):
        a = self.forward(x)
        d = (a - y) * a * (1 - a)
        return {"W": x.T @ d, "b": np.sum(d)}
"""


def test_a_scalar_gradient_for_a_vector_bias_is_a_mismatch(tmp_path: Path) -> None:
    result = check(tmp_path, SCALAR_BIAS).result
    assert result.identified is None and result.parameter_identified("b")[0] is None, result.notes


# momentum: the first step of every probe is −lr g, but a probe that saw an earlier probe's velocity
# would not be; every probe starts from the setup's state, so this is the mse gradient
MOMENTUM = """
class Net:
    def __init__(self, lr=0.1, mu=0.9):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)
        self.v1, self.v2 = np.zeros((3, 4)), np.zeros((4, 2))
        self.lr, self.mu = lr, mu

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        return sigmoid(self.h @ self.W2)

    def train(self, x, y):
        a = self.forward(x)
        d2 = (a - y) * a * (1 - a)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        self.v2 = self.mu * self.v2 - self.lr * self.h.T @ d2
        self.v1 = self.mu * self.v1 - self.lr * x.T @ d1
        self.W2 += self.v2
        self.W1 += self.v1
"""


def test_optimiser_state_never_leaks_from_one_probe_into_the_next(tmp_path: Path) -> None:
    result = check(tmp_path, MOMENTUM).result
    assert (result.identified, result.scale) == ("mse", 1.0), result.notes
    assert any("momentum μ = 0.9" in n for n in result.notes), result.notes


# the same step with what it keeps between calls made otherwise: gradients added up into the velocity
# and never reset (μ = 1: a second call from the same weights and data steps twice as far), a step
# counter that divides the rate (lr / t); neither is a gradient step from its second call on, and each
# is refused naming why. Reset at the start of every call, the kept gradient is the gradient: mse.
@pytest.mark.parametrize(
    ("mu", "extra", "refused"),
    [
        ("1.0", "", "adds up its gradients and never resets them"),
        ("0.0", "self.t = getattr(self, 't', 0) + 1; self.lr = 0.1 / self.t", "keeps state between calls"),
        ("0.0", "", None),
    ],
)
def test_a_step_that_keeps_state_between_calls_is_refused_unless_it_is_momentum(
    tmp_path: Path, mu: str, extra: str, refused: str | None
) -> None:
    body = MOMENTUM.replace("mu=0.9", f"mu={mu}").replace(
        "        a = self.forward(x)\n", f"        {extra or 'pass'}\n        a = self.forward(x)\n"
    )
    if refused is None:
        result = check(tmp_path, body).result
        assert result.identified == "mse" and not any("momentum" in n for n in result.notes), result.notes
        return
    with pytest.raises(InputError, match=refused):
        check(tmp_path, body)


# an output bias made as the integer 0, which the step rebinds to an array: it is no parameter, and
# what the step made of it must not reach the forward passes differentiated next
INTEGER_BIAS = """
class Net:
    def __init__(self):
        self.W1 = np.random.randn(5, 4)
        self.b1 = np.zeros((5, 1))
        self.W2 = np.random.randn(1, 5)
        self.b2 = 0

    def forward(self, X):
        self.A1 = 1 / (1 + np.exp(-(self.W1 @ X + self.b1)))
        self.A2 = 1 / (1 + np.exp(-(self.W2 @ self.A1 + self.b2)))
        return self.A2

    def gradient_descent(self, X, Y, alpha=0.05):
        m = X.shape[1]
        dz2 = self.A2 - Y
        dz1 = self.W2.T @ dz2 * self.A1 * (1 - self.A1)
        self.W2 = self.W2 - alpha * dz2 @ self.A1.T / m
        self.b2 = self.b2 - alpha * dz2.sum(axis=1, keepdims=True) / m
        self.W1 = self.W1 - alpha * dz1 @ X.T / m
        self.b1 = self.b1 - alpha * dz1.sum(axis=1, keepdims=True) / m
"""


def test_state_a_step_changes_besides_the_weights_never_reaches_the_numeric_side(tmp_path: Path) -> None:
    """Differentiated at the ``b2 = 0`` the step started from, not at the array the step made of it:
    the sigmoid output with ``a − y`` is binary cross-entropy's gradient, the mean over the batch."""
    result = check(tmp_path, INTEGER_BIAS).result
    assert (result.identified, result.scale) == ("bce", 1.0), result.notes


# a forward pass over scalar weights that reads x[0] and x[1] only: the width is 2, not the 3 a weight
# count would suggest
IGNORES_AN_INPUT = """
class Neuron:
    def __init__(self):
        self.w1, self.w2, self.b = 0.5, -0.3, 0.1

    def feedforward(self, x):
        return sigmoid(self.w1 * x[0] + self.w2 * x[1] + self.b)

    def gradient(self, x, y):
        a = self.feedforward(x)
        d = (a - y) * a * (1 - a)
        return {"w1": d * x[0], "w2": d * x[1], "b": d}
"""


def test_a_width_that_leaves_an_input_unread_is_not_taken(tmp_path: Path) -> None:
    report = check(tmp_path, IGNORES_AN_INPUT)
    assert report.result.identified == "mse"
    assert report.recipe is not None
    from verification.adapters.layouts import Layout

    assert isinstance(report.recipe.layout, Layout)


# samples as columns, one input: W1 @ X also runs on a row x of any width k (an outer product), the k
# "features" then read as k samples, and the mean over them divides the gradient by k. The code's own
# reading is columns: the mean squared error's gradient over the batch, its update read at eta.
ONE_INPUT_COLUMNS = """
W1 = np.random.randn(7, 1) * 0.5
b1 = np.random.randn(7, 1) * 0.5
W2 = np.random.randn(1, 7) * 0.5
b2 = np.random.randn(1, 1) * 0.5
eta = 0.2

def forward(X, W1, b1, W2, b2):
    Z1 = W1 @ X + b1
    A1 = np.maximum(0, Z1)
    A2 = W2 @ A1 + b2
    return A2, A1, Z1

def backward(X, Y, A2, A1, Z1, W1, W2, b1, b2, eta):
    m = X.shape[1]
    dZ2 = A2 - Y
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    W1 -= eta * (dZ1 @ X.T) / m
    b1 -= eta * dZ1.sum(axis=1, keepdims=True) / m
    W2 -= eta * (dZ2 @ A1.T) / m
    b2 -= eta * dZ2.sum(axis=1, keepdims=True) / m
    return W1, b1, W2, b2
"""


def test_a_row_that_runs_only_as_an_outer_product_is_not_the_inputs(tmp_path: Path) -> None:
    """Read as one row of 7 inputs (the hidden width), this code ran and was called 1/7 × the gradient
    of mse, for one sample only: the row reading is refused (its output is as wide as its input, and
    at one input it is one wide), and so is one input as a row (columns run on a batch)."""
    report = check(tmp_path, ONE_INPUT_COLUMNS)
    assert (report.result.identified, report.result.verdict.scale) == ("mse", 1.0), report.command
    assert report.recipe is not None and report.recipe.layout.inputs == "column"
    batch = report.result.verdict.batch
    assert batch is not None and batch.reduction == "mean", batch


TWO_METHODS = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        return sigmoid(self.h @ self.W2)

    def backward(self, x, y):
        a = self.forward(x)
        d2 = (a - y) * a * (1 - a)
        return {"W1": x.T @ (d2 @ self.W2.T * self.h * (1 - self.h)), "W2": self.h.T @ d2}

    def backward_buggy(self, x, y):
        a = self.forward(x)
        d2 = (a - y) * a * (1 - a)
        return {"W1": x.T @ (d2 @ self.W2.T), "W2": self.h.T @ d2}
"""


def test_the_method_named_is_the_one_checked(tmp_path: Path) -> None:
    buggy = check(tmp_path, TWO_METHODS, ":Net.backward_buggy").result
    assert (buggy.subject, buggy.identified) == ("Net.backward_buggy", None), buggy.subject
    right = check(tmp_path, TWO_METHODS, ":Net.backward").result
    assert (right.subject, right.identified) == ("Net.backward", "mse")


# a training step that runs the forward pass itself, after or before its backward pass: run as its training
# code runs it, with no forward pass of the check's before it. BEFORE is correct; AFTER back-propagates
# the activations an earlier forward pass left (of the previous batch, in its own fit)
TRAIN_STEP = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)
        self.h, self.a = np.zeros((1, 4)), np.zeros((1, 2))

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        self.a = sigmoid(self.h @ self.W2)
        return self.a

    def backward(self, x, y):
        d2 = (self.a - y) * self.a * (1 - self.a)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        self.W2 -= 0.1 * self.h.T @ d2
        self.W1 -= 0.1 * x.T @ d1

    def train_step(self, x, y):
        ORDER
"""


@pytest.mark.parametrize(("order", "identified"), [("BEFORE", "mse"), ("AFTER", None)])
def test_a_training_step_that_runs_the_forward_pass_itself_is_run_alone(
    tmp_path: Path, order: str, identified: str | None
) -> None:
    calls = ["self.forward(x)", "self.backward(x, y)"]
    body = TRAIN_STEP.replace("ORDER", "; ".join(calls if order == "BEFORE" else calls[::-1]))
    if identified is None:
        with pytest.raises(InputError, match="activations an earlier forward pass left"):
            check(tmp_path, body, ":Net.train_step")
        return
    report = check(tmp_path, body, ":Net.train_step")
    assert report.result.identified == identified
    assert "--step 'net.train_step(x, y)'" in report.command


@pytest.mark.parametrize("name", ["forward", "__init__"])
def test_the_forward_pass_or_the_constructor_named_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match=r"not a backward pass|the forward pass"):
        check(tmp_path, TWO_METHODS, f":Net.{name}")


FLOAT32 = """
class Net32:
    def __init__(self):
        self.W1 = np.random.randn(4, 5).astype(np.float32)
        self.W2 = np.random.randn(5, 3).astype(np.float32)

    def forward(self, x):
        x = np.asarray(x, dtype=np.float32)
        self.h = sigmoid(x @ self.W1.astype(np.float32))
        return sigmoid(self.h @ self.W2.astype(np.float32))

    def backward(self, x, y):
        x = np.asarray(x, dtype=np.float32)
        a = self.forward(x)
        d2 = ((a - y) * a * (1 - a)).astype(np.float32)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        return {"W1": x.T @ d1, "W2": self.h.T @ d2}
"""


def test_correct_float32_code_is_compared_at_its_precision(tmp_path: Path) -> None:
    result = check(tmp_path, FLOAT32).result
    assert result.identified == "mse", result.notes
    assert any("float32" in n for n in result.notes), result.notes


# a deep ReLU network over a dict: whichever units a draw kills, every parameter is compared
DEEP_RELU = """
def init(sizes):
    return {f"W{l}": np.random.randn(sizes[l - 1], sizes[l]) for l in range(1, len(sizes))}

def forward(X, params):
    a, cache = X, [X]
    for l in range(1, len(params)):
        a = np.maximum(0, a @ params[f"W{l}"])
        cache.append(a)
    return sigmoid(a @ params[f"W{len(params)}"]), cache

def backward(X, Y, params, cache):
    grads, L = {}, len(params)
    out = sigmoid(cache[-1] @ params[f"W{L}"])
    d = out - Y
    for l in range(L, 0, -1):
        grads[f"W{l}"] = cache[l - 1].T @ d / len(X)
        d = (d @ params[f"W{l}"].T) * (cache[l - 1] > 0)
    return grads
"""


def test_every_parameter_of_a_deep_relu_network_is_compared(tmp_path: Path) -> None:
    result = check(tmp_path, DEEP_RELU).result
    assert result.identified == "bce", result.notes
    built = {f"parameters['W{l}']" for l in (1, 2, 3)}  # init(sizes=[4, 5, 5, 3]): three layers
    assert set(result.backward_order) == built, result.backward_order
    assert not any("not checked" in n or "read as data" in n for n in result.notes), result.notes


def narrow_relu(widths: list[int]) -> str:
    """A class of ReLU layers of the given widths and a sigmoid output (bce's shortcut, no mean): with
    hidden layers two units wide, a draw often kills every unit of one of them."""
    layers = len(widths) - 1
    weights = "\n".join(
        f"        self.W{l} = np.random.randn({widths[l - 1]}, {widths[l]})" for l in range(1, layers + 1)
    )
    return f"""
class Deep:
    def __init__(self):
{weights}

    def forward(self, x):
        self.acts, a = [x], x
        for l in range(1, {layers}):
            a = np.maximum(0, a @ getattr(self, f"W{{l}}"))
            self.acts.append(a)
        return sigmoid(a @ self.W{layers})

    def backward(self, x, y):
        d, grads = self.forward(x) - y, {{}}
        for l in range({layers}, 0, -1):
            grads[f"W{{l}}"] = self.acts[l - 1].T @ d
            d = (d @ getattr(self, f"W{{l}}").T) * (self.acts[l - 1] > 0)
        return grads
"""


@pytest.mark.parametrize("widths", [[4, 2, 2, 3], [3, 2, 2, 2, 2]], ids=["4-2-2-3", "3-2-2-2-2"])
def test_no_parameter_of_a_narrow_relu_network_is_dropped_for_one_dead_draw(
    tmp_path: Path, widths: list[int]
) -> None:
    result = check(tmp_path, narrow_relu(widths)).result
    assert len(result.backward_order) == len(widths) - 1, result.backward_order
    assert not any("not checked" in n or "read as data" in n for n in result.notes), result.notes
    assert result.identified == "bce", result.notes


# an update with its learning rate under a name that says nothing (k = 0.01): the gradient read off the
# update is 1/100 × the gradient, and its rounding (ε |b| per entry, from b − (b − k g)) does not shrink
# with that scale; the first layer of a wide sigmoid net has gradients far smaller than its weights, so a
# scale that shrank the rounding too would call b1 a mismatch and the verdict "none"
HIDDEN_RATE = """
class Net:
    def __init__(self):
        self.W1, self.b1 = np.random.randn(4, 50), np.zeros(50)
        self.W2, self.b2 = np.random.randn(50, 100), np.zeros(100)
        self.W3, self.b3 = np.random.randn(100, 3), np.zeros(3)
        self.k = 0.01

    def forward(self, X):
        self.h1 = sigmoid(X @ self.W1 + self.b1)
        self.h2 = sigmoid(self.h1 @ self.W2 + self.b2)
        return sigmoid(self.h2 @ self.W3 + self.b3)

    def train(self, X, Y):
        out = self.forward(X)
        d3 = (out - Y) * out * (1 - out)
        d2 = d3 @ self.W3.T * self.h2 * (1 - self.h2)
        d1 = d2 @ self.W2.T * self.h1 * (1 - self.h1)
        self.W3 -= self.k * self.h2.T @ d3
        self.b3 -= self.k * d3.sum(axis=0)
        self.W2 -= self.k * self.h1.T @ d2
        self.b2 -= self.k * d2.sum(axis=0)
        self.W1 -= self.k * X.T @ d1
        self.b1 -= self.k * d1.sum(axis=0)
"""


def test_a_scale_up_to_the_learning_rate_keeps_the_rounding_of_the_update(tmp_path: Path) -> None:
    from verification.identification.sentences import format_scale

    r = check(tmp_path, HIDDEN_RATE).result
    assert r.identified == "mse" and not r.lr_known, verdict_sentence(r)
    assert format_scale(r.scale, r.rtol) == "1/100", r.scale


@pytest.mark.parametrize("seed", range(8))
def test_a_bug_of_one_class_is_met_by_the_probes(tmp_path: Path, seed: int) -> None:
    """The last class never gets its −1 (dscores of class 2 are softmax(s), not softmax(s) − onehot):
    wrong whenever a label is 2, right otherwise. Three probes of one sample draw the three classes, so
    no seed may call it cross_entropy (independent draws missed class 2 at (2/3)³ of the seeds)."""
    from course_net import course_net

    source = course_net().replace(
        "dscores[np.arange(N), y] -= 1", "hit = y < 2\n        dscores[np.arange(N)[hit], y[hit]] -= 1"
    )
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path), seed=seed))
    assert report.result.identified is None, verdict_sentence(report.result)


def test_the_class_cycle_draws_every_class_before_any_again() -> None:
    import numpy as np

    from verification.draws import ClassCycle

    cycle = ClassCycle(np.random.default_rng(0))
    first, second = cycle.take(5, 5), cycle.take(5, 5)
    assert sorted(first.tolist()) == list(range(5)) and sorted(second.tolist()) == list(range(5))
    assert sorted(ClassCycle(np.random.default_rng(1)).take(2, 1).tolist()) == [0, 1]


def test_a_negative_learning_rate_is_a_step_size_and_an_ascent_still_reads_as_the_sign_flipped(
    tmp_path: Path,
) -> None:
    """Gradient ascent with --lr −0.5 would read as descent if the gradient were ``(before − after) / lr``
    with the sign of the rate; it is read with the rate's size, so the ascent is the sign flipped."""
    from verification.adapters.options import Options

    ascent = """
class Net:
    def __init__(self):
        self.W = np.random.randn(3, 2)

    def forward(self, x):
        return sigmoid(x @ self.W)

    def step(self, x, y, lr):
        a = self.forward(x)
        self.W += lr * x.T @ ((a - y) * a * (1 - a))
"""
    options = Options(setup="net = Net()", forward="net.forward(x)", step="net.step(x, y, 0.5)", lr="-0.5")
    for report in (check(tmp_path, ascent, options=options), check(tmp_path, ascent)):
        found = report.result.verdict.output_error
        assert report.result.identified is None, verdict_sentence(report.result)
        assert found is not None and found.loss == "mse" and found.loss_scale is not None
        assert found.loss_scale < 0


# a notebook's straight-line loop whose rate is negative and whose error is ``Y − a``: the two signs
# cancel, each step descends the squared error; flipping either one makes it climb
NEGATIVE_RATE = """
import numpy as np
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)
learning_rate = -0.9
W1 = np.random.randn(2, 3)
W2 = np.random.randn(3, 1)
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
for i in range(1000):
    a1 = sigmoid(X.dot(W1))
    a2 = sigmoid(a1.dot(W2))
    err = Y - a2
    d2 = err * a2 * (1 - a2)
    d1 = d2.dot(W2.T) * a1 * (1 - a1)
    W2 -= learning_rate * a1.T.dot(d2)
    W1 -= learning_rate * X.T.dot(d1)
"""


@pytest.mark.parametrize(("update", "identified"), [("-=", "mse"), ("+=", None)])
def test_a_scripts_negative_rate_is_read_by_its_size_and_the_steps_direction_by_the_update(
    tmp_path: Path, update: str, identified: str | None
) -> None:
    path = tmp_path / "net.py"
    path.write_text(NEGATIVE_RATE.replace(" -= ", f" {update} "), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path), seed=0))
    assert report.result.identified == identified, verdict_sentence(report.result)
    assert any("-0.9: the gradient is read with its size 0.9" in n for n in report.result.notes)
    # run again at a tenth of the rate, sign kept: the same gradient, so no word of a non-gradient step
    assert not any("no gradient step" in n for n in report.result.notes), report.result.notes


# a linear model whose negative rate decays as it trains (a schedule: read off the gradient it names,
# ``grad``, not off its change); ``eta < 0`` with the error ``Y − pred`` descends, with ``pred − Y`` climbs
DECAYING_NEGATIVE_RATE = """
import numpy as np
X = np.random.randn(16, 3)
Y = np.random.randn(16, 2)
W = np.random.randn(3, 2)
eta = -0.01
for epoch in range(100):
    pred = X @ W
    grad = X.T @ (ERROR)
    W -= eta * grad
    eta *= 0.99
"""


@pytest.mark.parametrize(("error", "identified"), [("Y - pred", "mse"), ("pred - Y", None)])
def test_a_named_gradient_enters_with_the_sign_of_its_rate(
    tmp_path: Path, error: str, identified: str | None
) -> None:
    path = tmp_path / "fit.py"
    path.write_text(DECAYING_NEGATIVE_RATE.replace("ERROR", error), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path), seed=0))
    assert report.result.identified == identified, verdict_sentence(report.result)


# a training function whose rate defaults to −0.5 while the file calls it with +0.5: the rate the file
# runs it with decides the direction; with the error ``Y − a2`` and ``-=``, +0.5 climbs, −0.5 descends
CALLED_RATE = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def train(X, Y, W1, W2, epochs=1000, lr=-0.5):
    for _ in range(epochs):
        a1 = sigmoid(X @ W1)
        a2 = sigmoid(a1 @ W2)
        delta2 = (Y - a2) * a2 * (1 - a2)
        delta1 = delta2 @ W2.T * a1 * (1 - a1)
        W2 -= lr * a1.T @ delta2
        W1 -= lr * X.T @ delta1
    return W1, W2


X = np.random.rand(8, 3)
Y = np.random.rand(8, 2)
W1 = np.random.randn(3, 4)
W2 = np.random.randn(4, 2)
W1, W2 = train(X, Y, W1, W2, epochs=2000, lr=RATE)
"""


@pytest.mark.parametrize(("rate", "identified"), [("0.5", None), ("-0.5", "mse")])
def test_a_training_functions_rate_is_the_one_its_file_calls_it_with(
    tmp_path: Path, rate: str, identified: str | None
) -> None:
    path = tmp_path / "train.py"
    path.write_text(CALLED_RATE.replace("RATE", rate), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path), seed=0))
    assert report.result.identified == identified, verdict_sentence(report.result)


# a warm-up script of the kind tensor libraries start their tutorials with: ReLU, no ½ in the loss, so
# the step is 2 × the gradient of mse, at a learning rate of 1e-6 that puts the update's rounding
# (ε |W| / lr per entry) far above the method's rtol; the scale fitted to such gradients carries that
# rounding too, and must not turn a tensor that matches at 2 into a mismatch
WARM_UP = """
N, D_in, H, D_out = 16, 400, 50, 10
x = np.random.randn(N, D_in)
y = np.random.randn(N, D_out)
w1 = np.random.randn(D_in, H)
w2 = np.random.randn(H, D_out)
learning_rate = 1e-6
for t in range(500):
    h = x.dot(w1)
    h_relu = np.maximum(h, 0)
    y_pred = h_relu.dot(w2)
    loss = np.square(y_pred - y).sum()
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T.dot(grad_y_pred)
    grad_h = grad_y_pred.dot(w2.T)
    grad_h[h < 0] = 0
    grad_w1 = x.T.dot(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
"""


@pytest.mark.parametrize("seed", range(3))
def test_a_fitted_scale_carries_the_rounding_of_a_tiny_learning_rate(tmp_path: Path, seed: int) -> None:
    from verification.identification.sentences import format_scale

    r = check(tmp_path, WARM_UP, seed=seed).result
    assert r.identified == "mse", verdict_sentence(r)
    assert format_scale(r.scale, r.rtol) == "2", r.scale


INTEGER_WEIGHTS = """
class Unit:
    def __init__(self):
        self.w = np.random.randn(4, 1) * 0.5
        self.b = BIAS

    def forward(self, X):
        return X @ self.w + self.b

    def train_step(self, X, y, lr=0.1):
        d = self.forward(X) - y
        self.w = self.w - lr * X.T @ d
        self.b = self.b - lr * STEP
"""


@pytest.mark.parametrize("bias", ["0", "np.float64(0.0)", "np.zeros(1, dtype=int)"])
@pytest.mark.parametrize(("step", "identified"), [("d.sum()", "mse"), ("2 * d.sum()", None)])
def test_a_bias_started_as_an_integer_or_a_numpy_scalar_is_checked(
    tmp_path: Path, bias: str, step: str, identified: str | None
) -> None:
    """``self.b = 0`` (or ``np.float64(0.0)``, or an integer array) is a weight the first step makes a
    float: it is checked as one, so a doubled bias step is no loss, not a pass on the weights alone."""
    report = check(tmp_path, INTEGER_WEIGHTS.replace("BIAS", bias).replace("STEP", step))
    assert report.result.identified == identified, report.result.notes
    assert "b" in report.result.backward_order, report.result.backward_order


KEPT_GAIN = """
class Scaled:
    def __init__(self):
        self.W = np.random.randn(4, 3) * 0.5
        self.gain = 1.5

    def forward(self, X):
        self.Z = X @ self.W
        return self.gain * np.tanh(self.Z)

    def backward(self, X, Y):
        D = self.forward(X) - Y
        T = np.tanh(self.Z)
        return {"W": X.T @ (D * self.gain * (1 - T ** 2)), "gain": np.sum(D * T)}
"""


def test_a_gradient_returned_for_a_value_no_parameter_holds_is_refused(tmp_path: Path) -> None:
    """``gain`` is a float named like no weight: the check would leave its gradient out, so it is
    refused, naming it."""
    with pytest.raises(InputError, match="returns a gradient for gain"):
        check(tmp_path, KEPT_GAIN)


PYTHON2_MEAN = """
class Logistic:
    def __init__(self):
        self.W = np.random.randn(1, 4) * 0.5

    def forward(self, X):
        self.A = 1.0 / (1.0 + np.exp(-np.dot(self.W, X)))
        return self.A

    def backward(self, X, Y):
        m = X.shape[1]
        return {"dW": SCALE * np.dot(self.forward(X) - Y, X.T)}

print "loaded"
"""


@pytest.mark.parametrize(("scale", "batches"), [("1.0 / m", True), ("1 / m", False)])
def test_python_2_division_of_two_integers_floors(tmp_path: Path, scale: str, batches: bool) -> None:
    """In Python 2 ``1 / m`` is 0 for ``m ≥ 2``: the gradient is bce's for one sample and vanishes on a
    batch, as the code computes it; ``1.0 / m`` is the mean."""
    report = check(tmp_path, PYTHON2_MEAN.replace("SCALE", scale))
    result = report.result
    assert (result.identified, result.verdict.holds_for_batches) == ("bce", batches), result.notes


KEPT_GRADIENTS = """
class Kept:
    def __init__(self):
        self.W = np.random.randn(4, 3) * 0.5
        self.dW = np.zeros_like(self.W)

    def forward(self, X):
        return X @ self.W

    def backward(self, X, Y):
        self.dW += X.T @ (self.forward(X) - Y)
        return self.dW
RESET
"""


@pytest.mark.parametrize(
    ("reset", "identified"),
    [("", None), ("\n    def zero_grad(self):\n        self.dW[...] = 0.0\n", "mse")],
)
def test_gradients_added_up_across_calls_are_refused_unless_the_code_resets_them(
    tmp_path: Path, reset: str, identified: str | None
) -> None:
    """``self.dW += …`` never reset: a second call at the same weights and data returns twice the
    gradient, so what a training step gets depends on the steps before it (refused). With a
    ``zero_grad`` method, adding up is the design (as in autograd frameworks), and each call from a
    fresh network is checked."""
    body = KEPT_GRADIENTS.replace("RESET", reset)
    if identified is None:
        with pytest.raises(InputError, match="when asked again at the same weights and data"):
            check(tmp_path, body)
    else:
        assert check(tmp_path, body).result.identified == identified


UNREAD_BIAS = """
class Unread:
    def __init__(self):
        self.W1 = np.random.randn(4, 5) * 0.5
        self.b1 = np.random.randn(5) * 0.1
        self.W2 = np.random.randn(5, 3) * 0.5

    def forward(self, X):
        self.H = np.tanh(X @ self.W1)
        return self.H @ self.W2

    def backward(self, X, Y):
        D = self.forward(X) - Y
        dH = (D @ self.W2.T) * (1 - self.H ** 2)
        return {"W1": X.T @ dH, "b1": dH.sum(0), "W2": self.H.T @ D}
"""


def test_a_nonzero_gradient_for_a_weight_the_output_does_not_depend_on_is_refused(tmp_path: Path) -> None:
    """``b1`` is never added in the forward pass, so its gradient is 0; the backward pass gives one:
    refused, naming it, never a verdict on the other weights alone."""
    with pytest.raises(InputError, match="returns a nonzero gradient for b1"):
        check(tmp_path, UNREAD_BIAS)


HANDED_DATA = """
class Fed:
    def __init__(self):
        self.W1 = np.random.randn(5, 4) * 0.5
        self.W2 = np.random.randn(3, 5) * 0.5

    def add_input(self, values):
        self.input = np.array(values)

    def add_output(self, values):
        self.target = np.array(values)

    def feed_forward(self):
        self.hidden = sigmoid(self.W1 @ self.input)
        self.out = sigmoid(self.W2 @ self.hidden)
        return self.out

    def backpropagate(self):
        delta_out = (self.out - self.target) * self.out * (1 - self.out)
        delta_hidden = (self.W2.T @ delta_out) * HIDDEN
        return np.outer(delta_hidden, self.input), np.outer(delta_out, self.hidden)
"""


@pytest.mark.parametrize(
    ("hidden", "identified"), [("self.hidden * (1 - self.hidden)", "mse"), ("self.hidden", None)]
)
def test_inputs_and_labels_handed_over_by_setter_methods(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """``add_input(x)`` and ``add_output(y)`` store what ``feed_forward()`` and ``backpropagate()``,
    of no arguments, read: the check calls them before the passes. A hidden delta without the
    sigmoid's derivative is no loss."""
    report = check(tmp_path, HANDED_DATA.replace("HIDDEN", hidden))
    assert report.result.identified == identified, report.result.notes
    assert report.recipe is not None and "net.add_output(y)" in (report.recipe.gradient or ""), report.recipe


STANDARDISED = """
class Standardised:
    def __init__(self):
        self.mu = np.zeros(4) + 0.5
        self.sigma = np.ones(4) * 2.0
        self.W1 = np.random.randn(4, 5) * 0.3
        self.W2 = np.random.randn(5, 3) * 0.3
        self.lr = 0.01

    def forward(self, X):
        self.Xn = (X - self.mu) / self.sigma
        self.H = np.tanh(self.Xn @ self.W1)
        return self.H @ self.W2

    def train_step(self, X, Y):
        d = (self.forward(X) - Y) / X.shape[0]
        dH = d @ self.W2.T * (1 - self.H ** 2)
        self.W2 -= self.lr * self.H.T @ d
        self.W1 -= self.lr * self.Xn.T @ dH
"""


def test_statistics_the_network_reads_but_does_not_train_keep_their_values(tmp_path: Path) -> None:
    """``mu`` and ``sigma`` standardise the inputs and get no update: they are data, left out, and the
    values drawn for them while that was found out never reach the probes (the mean squared error's
    gradient, mean over the batch)."""
    result = check(tmp_path, STANDARDISED).result
    assert (result.identified, result.scale) == ("mse", 1.0), result.notes


DECAYING_RATE = """
class Decaying:
    def __init__(self):
        self.W = np.random.randn(4, 3) * 0.5
        self.lr = 0.05

    def forward(self, X):
        return X @ self.W

    def train(self, X, Y):
        d = (self.forward(X) - Y) / X.shape[0]
        DECAY
        self.W -= self.lr * X.T @ d
"""


@pytest.mark.parametrize(("decay", "refused"), [("self.lr *= 0.99", True), ("pass", False)])
def test_a_step_that_changes_its_own_learning_rate_is_refused(
    tmp_path: Path, decay: str, refused: bool
) -> None:
    """``self.lr *= 0.99`` inside the step: the rate read before it is not the one the update used
    (the scale would come out 99/100), so the step is refused, naming both rates; a constant rate is
    the mean squared error's gradient."""
    body = DECAYING_RATE.replace("DECAY", decay)
    if refused:
        with pytest.raises(InputError, match=r"changes its learning rate net\.lr from 0\.05 to 0\.0495"):
            check(tmp_path, body)
    else:
        assert check(tmp_path, body).result.identified == "mse"


HELPER_ONE_HOT = """
import numpy as np


def one_hot(Y, classes=3):
    encoded = np.zeros((classes, Y.size))
    encoded[Y, np.arange(Y.size)] = 1
    return encoded
"""

FUNCTIONS_WITH_HELPER = """
import numpy as np
import helpers


def init_params():
    W1 = np.random.randn(5, 4) * 0.5
    W2 = np.random.randn(3, 5) * 0.5
    return W1, W2


def forward_prop(W1, W2, X):
    A1 = np.tanh(W1 @ X)
    Z2 = W2 @ A1
    E = np.exp(Z2 - Z2.max(axis=0))
    return A1, E / E.sum(axis=0)


def backward_prop(A1, A2, W2, X, Y):
    m = Y.size
    dZ2 = A2 - helpers.one_hot(Y)
    dW2 = dZ2 @ A1.T / m
    dZ1 = W2.T @ dZ2 * DERIVATIVE
    dW1 = dZ1 @ X.T / m
    return dW1, dW2
"""


@pytest.mark.parametrize(("derivative", "identified"), [("(1 - A1 ** 2)", "cross_entropy"), ("A1", None)])
def test_labels_a_helper_module_uses_as_indices_count_as_the_codes_use(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``helpers.one_hot(Y)`` indexes with the labels in a module the script imports: class indices are
    the code's own form, so a verdict at them stands, the softmax cross-entropy's gradient or, for a
    wrong tanh derivative, no loss, rather than being refused as a reading nothing confirms."""
    (tmp_path / "helpers.py").write_text(textwrap.dedent(HELPER_ONE_HOT), encoding="utf-8")
    path = tmp_path / "functions.py"
    path.write_text(
        textwrap.dedent(FUNCTIONS_WITH_HELPER).replace("DERIVATIVE", derivative), encoding="utf-8"
    )
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == identified, result.notes


SCORES_NET = """
import numpy as np


class Net:
    def __init__(self, layers=LAYERS, input_dim=6, reg=REG):
        self.layers = layers
        self.reg = reg
        self.params = {}
        sizes = [input_dim] + list(layers)
        for i in range(len(layers)):
            self.params["W%d" % (i + 1)] = np.random.randn(sizes[i], sizes[i + 1]) * 0.3
            self.params["b%d" % (i + 1)] = np.random.randn(sizes[i + 1]) * 0.1

    def loss(self, X, y=None):
        h, caches = X, []
        n = len(self.layers)
        for i in range(n):
            z = h @ self.params["W%d" % (i + 1)] + self.params["b%d" % (i + 1)]
            caches.append((h, z))
            h = np.maximum(z, 0) if i < n - 1 else z
        if y is None:
            return h
        p = np.exp(h - h.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        m = X.shape[0]
        loss = -np.log(p[np.arange(m), y]).mean()
        d = p.copy()
        d[np.arange(m), y] -= 1
        d /= m
        grads = {}
        for i in reversed(range(n)):
            a, z = caches[i]
            if i < n - 1:
                d = d * (z > 0)
            grads["W%d" % (i + 1)] = a.T @ d + self.reg * self.params["W%d" % (i + 1)]
            grads["b%d" % (i + 1)] = d.sum(axis=0) + BIAS_DECAY
            d = d @ self.params["W%d" % (i + 1)].T
        return loss, grads

    def predict(self, X):
        return np.argmax(self.loss(X), axis=1)
"""


@pytest.mark.parametrize(
    ("reg", "bias_decay", "identified"),
    [("0.0", "0", "cross_entropy"), ("0.5", "0", None), ("0.0", "d[0]", None)],
)
def test_a_network_of_no_layers_by_default_is_built_with_guessed_layers_and_its_own_penalty(
    tmp_path: Path, reg: str, bias_decay: str, identified: str | None
) -> None:
    """``Net(layers=[], reg=…)``: by default no layer at all. The check builds it with a guessed size
    list, the penalty left as the author set it, reads the scores from ``loss(X)`` (``predict``
    returns class indices) and finds cross-entropy on their softmax when there is no penalty; with
    ``reg=0.5`` the code is the gradient of no catalog loss alone; a bias gradient of one sample's
    delta is no loss."""
    path = tmp_path / "scores_net.py"
    source = SCORES_NET.replace("BIAS_DECAY", bias_decay).replace("LAYERS", "[]").replace("REG", reg)
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "Net(layers=[4, 5, 5, 3])" in (report.command or ""), report.command


PAIRS_NET = """
import random
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, sizes):
        self.W = [np.random.randn(a, b) * 0.5 for a, b in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros((1, b)) for b in sizes[1:]]

    def predict(self, samples):
        out = []
        for s in samples:
            a = s
            for W, b in zip(self.W, self.b):
                a = sigmoid(a @ W + b)
            out.append(a)
        return out

    def evaluate(self, test_data):
        return sum(int(np.argmax(self.predict([x])[0]) == y) for x, y in test_data)

    def fit(self, training_data, epochs, mini_batch_size, learning_rate, test_data=None):
        n_test = len(test_data)
        for _ in range(epochs):
            random.shuffle(training_data)
            for k in range(0, len(training_data), mini_batch_size):
                gW = [np.zeros_like(W) for W in self.W]
                gb = [np.zeros_like(b) for b in self.b]
                for x, y in training_data[k:k + mini_batch_size]:
                    acts = [x]
                    for W, b in zip(self.W, self.b):
                        acts.append(sigmoid(acts[-1] @ W + b))
                    delta = (acts[-1] - y) * acts[-1] * (1 - acts[-1])
                    for l in range(len(self.W) - 1, -1, -1):
                        gW[l] += acts[l].T @ delta
                        gb[l] += BIAS
                        delta = delta @ self.W[l].T * acts[l] * (1 - acts[l])
                for l in range(len(self.W)):
                    self.W[l] -= learning_rate / mini_batch_size * gW[l]
                    self.b[l] -= learning_rate / mini_batch_size * gb[l]
            print(self.evaluate(test_data), "/", n_test)
"""


@pytest.mark.parametrize(("bias", "identified"), [("delta", "mse"), ("delta * 2", None)])
def test_a_training_method_over_pairs_with_a_test_set_and_a_forward_of_one_output_per_sample(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``fit(training_data, epochs, mini_batch_size, learning_rate, test_data=None)``: given the
    probe's samples as ``(1, n)`` row pairs, one mini-batch of them, and an empty test set (the code
    evaluates on it with class-index labels, and ``len(None)`` fails); ``predict`` returns one output
    per sample, stacked as the batch's rows. The mean of the per-sample squared-error gradients is mse
    at every batch; a bias gradient doubled is no loss."""
    path = tmp_path / "pairs_net.py"
    path.write_text(PAIRS_NET.replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == (identified, True), report.command
    command = report.command or ""
    assert "__backprop_verify_rows__(net.predict(x))" in command, command
    assert "net.fit(list(zip(x[:, None], y[:, None])), 1, x.shape[0], lr, [])" in command, command


PACKAGE = {
    "activations.py": """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)
""",
    "propagation.py": """
import numpy as np

from .activations import sigmoid, sigmoid_prime


def forward_propagation(X, params):
    A, caches = X, []
    for l in range(1, len(params) // 2 + 1):
        Z = params["W" + str(l)] @ A + params["b" + str(l)]
        caches.append((A, params["W" + str(l)], Z))
        A = sigmoid(Z)
    return A, caches


def one_layer_back_propagation(dA, cache):
    A_prev, W, Z = cache
    m = A_prev.shape[1]
    dZ = dA * sigmoid_prime(Z)
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def backward_propagation(AL, Y, caches):
    grads = {}
    L = len(caches)
    dA = -(Y / AL) + (1 - Y) / (1 - AL)
    for l in reversed(range(LAYERS)):
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = one_layer_back_propagation(dA, caches[l])
        grads["dA" + str(l)] = dA
    return grads
""",
}


@pytest.mark.parametrize(("layers", "identified"), [("L", "bce"), ("L - 1", None)])
def test_functions_of_a_package_that_imports_relatively_over_keys_made_from_the_layer_number(
    tmp_path: Path, layers: str, identified: str | None
) -> None:
    """``from .activations import sigmoid`` runs as in the package; the parameters are made for three
    layers under the keys the forward pass builds (``params["W" + str(l)]``), as columns; the backward
    pass called for the whole network is the one checked, not the one-layer step it calls; the
    gradients of the activations it also returns (``dA1``) are no parameters'. Mean BCE is right; a
    loop that leaves out the output layer leaves ``W3`` and ``b3`` without a gradient: no loss."""
    package = tmp_path / "net"
    package.mkdir()
    for name, source in PACKAGE.items():
        (package / name).write_text(textwrap.dedent(source).replace("LAYERS", layers), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(package / "propagation.py")))
    r = report.result
    assert (r.identified, r.subject) == (identified, "backward_propagation"), report.command
    assert len(r.backward_order) == 6, r.backward_order


NAMED_UNLIKE = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, n_in, n_hidden, n_out):
        self.weights1 = np.random.randn(n_hidden, n_in)
        self.biases1 = np.random.randn(n_hidden)
        self.weights2 = np.random.randn(n_out, n_hidden)
        self.biases2 = np.random.randn(n_out)

    def forward(self, x):
        self.x = x
        self.h = sigmoid(self.weights1 @ x + self.biases1)
        self.a = sigmoid(self.weights2 @ self.h + self.biases2)
        return self.a

    def backpropagate(self, y):
        delta_output = (self.a - y) * self.a * (1 - self.a)
        delta_hidden = self.weights2.T @ delta_output * self.h * (1 - self.h)
        delta_bias2 = delta_output
        delta_bias1 = BIAS
        delta_weights2 = np.outer(delta_output, self.h)
        delta_weights1 = np.outer(delta_hidden, self.x)
        return delta_weights1, delta_bias1, delta_weights2, delta_bias2
"""


@pytest.mark.parametrize(("bias", "identified"), [("delta_hidden", "mse"), ("delta_hidden * 3", None)])
def test_gradients_named_unlike_their_parameters_are_matched_by_place(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``delta_bias1`` is the gradient of ``biases1``: a stem that names no parameter exactly is no
    activation's gradient to leave aside, and the four arrays go by their place. Squared error is
    right; a hidden bias gradient tripled is no loss."""
    path = tmp_path / "named_unlike.py"
    path.write_text(NAMED_UNLIKE.replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert len(r.backward_order) == 4 and not [n for n in r.notes if "no gradient returned" in n], r.notes


WEIGHT_LIST = """
import numpy as np


def with_ones(a):
    return np.hstack((np.ones((a.shape[0], 1)), a))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def feed_forward(X, weights):
    acts = []
    a = X
    for W in weights:
        a = with_ones(a)
        acts.append(a)
        a = sigmoid(a @ W)
    acts.append(a)
    return acts


def back_propagation(X, Y, weights):
    acts = feed_forward(X, weights)
    m = X.shape[0]
    delta = acts[-1] - Y
    grads = [acts[-2].T @ delta / m]
    for i in range(2, len(acts)):
        delta = (delta @ weights[-i + 1].T[:, 1:]) * DERIVATIVE
        grads.insert(0, acts[-i - 1].T @ delta / m)
    return grads
"""


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [("acts[-i][:, 1:] * (1 - acts[-i][:, 1:])", "bce"), ("acts[-i][:, 1:]", None)],
)
def test_a_list_of_weight_matrices_with_the_bias_folded_in_is_made_for_the_forward_function(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``feed_forward(X, weights)`` indexes a list of matrices that the file never makes, each with a row
    for the bias (a column of ones before every layer's input): the list is made small, with that row,
    and the output delta ``a − y`` on sigmoid outputs is mean BCE's; a hidden delta without the
    sigmoid's derivative is no loss."""
    path = tmp_path / "weight_list.py"
    path.write_text(WEIGHT_LIST.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert "weights = [np.random.randn(5, 5)" in (report.command or ""), report.command


UPDATES_AND_RETURNS = """
import numpy as np


def feed_forward(X, weights):
    outs = [X]
    for k, W in enumerate(weights):
        Z = np.c_[np.ones(len(outs[-1])), outs[-1]] @ W
        outs.append(np.tanh(Z) if k < len(weights) - 1 else Z)
    return outs


def back_propagation(X, Y, weights, alpha=0.1):
    outs = feed_forward(X, weights)
    delta = outs[-1] - Y
    for k in range(len(weights) - 1, -1, -1):
        grad = np.c_[np.ones(len(outs[k])), outs[k]].T @ delta
        if k > 0:
            delta = (delta @ weights[k][1:].T) * DERIVATIVE
        weights[k] -= alpha * grad
    return outs[-1]
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - outs[k] ** 2)", "mse"), ("(1 - outs[k])", None)]
)
def test_a_backward_function_that_updates_its_weights_and_returns_the_output_is_an_update(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``weights[k] -= alpha * grad`` on the list it was handed, returning the output: an update, read
    as one (its return value is no gradient)."""
    path = tmp_path / "updates.py"
    path.write_text(UPDATES_AND_RETURNS.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


KEYED_BY_LAYER = """
import numpy as np


class Net:
    def __init__(self, sizes):
        self.L = len(sizes) - 1
        self.params = {}
        for i in range(1, self.L + 1):
            self.params["W" + str(i)] = np.random.randn(sizes[i], sizes[i - 1]) * 0.5
        self.saved = {}

    def forward_prop(self, X):
        A = X
        self.saved["A0"] = X
        for i in range(1, self.L + 1):
            A = np.tanh(self.params["W" + str(i)] @ A)
            self.saved["A" + str(i)] = A

    def predict(self, X):
        self.forward_prop(X)
        return self.saved["A" + str(self.L)] > 0

    def backward_prop(self, Y):
        dA = self.saved["A" + str(self.L)] - Y
        grads = {}
        for i in range(self.L, 0, -1):
            dZ = dA * DERIVATIVE
            grads["dW" + str(i)] = dZ @ self.saved["A" + str(i - 1)].T
            dA = self.params["W" + str(i)].T @ dZ
        return grads
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [('(1 - self.saved["A" + str(i)] ** 2)', "mse"), ("1", None)]
)
def test_an_output_kept_under_a_key_built_from_the_layer_count_is_read_where_predict_reads_it(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``forward_prop`` returns nothing and keeps every layer under ``'A' + str(i)``; ``predict`` reads
    ``self.saved['A' + str(self.L)]`` (and thresholds it): that entry is the output."""
    path = tmp_path / "keyed.py"
    path.write_text(KEYED_BY_LAYER.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "+ str(net.L)]" in (report.command or ""), report.command


BATCH_GD = """
import numpy as np


class Net:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, X):
        self.X = X
        self.a = 1 / (1 + np.exp(-(X @ self.W + self.b)))
        return self.a

    def batch_gd(self, X, Y, epochs, batch_size=None, lr=0.01):
        n = len(X)
        batch_size = batch_size or n
        for e in range(epochs):
            for i in range(0, n, batch_size):
                a = self.forward(X[i:i + batch_size])
                d = a - Y[i:i + batch_size]
                self.W -= lr * self.X.T @ d / batch_size
                self.b -= lr * BIAS / batch_size
"""


@pytest.mark.parametrize(("bias", "identified"), [("d.sum(axis=0)", "bce"), ("d.sum(axis=0) * 2", None)])
def test_a_training_method_named_for_gradient_descent_is_a_training_method(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``batch_gd(X, Y, epochs, batch_size=None, lr=0.01)`` trains: run for one epoch, its update is the
    mean BCE gradient on the sigmoid output (``a − y``); a bias step doubled is no loss."""
    path = tmp_path / "batch_gd.py"
    path.write_text(BATCH_GD.replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.batch_gd(" in (report.command or ""), report.command


# a float32 network whose training method is named fit_batch and whose rate is kept as np.float32(lr):
# the method is found by the word "fit", the rate read off the instance, and the update is the mean BCE
# gradient (a − y on the sigmoid output) at its float32 precision
FIT_BATCH = """
import numpy as np


class BinaryNet:
    def __init__(self, n_in=5, n_hidden=7, lr=0.05):
        self.W1 = np.random.randn(n_in, n_hidden).astype(np.float32) * 0.3
        self.W2 = np.random.randn(n_hidden, 1).astype(np.float32) * 0.3
        self.lr = np.float32(lr)

    def forward(self, X):
        self.h = np.tanh(X.astype(np.float32) @ self.W1)
        self.p = 1 / (1 + np.exp(-(self.h @ self.W2)))
        return self.p

    def fit_batch(self, X, y):
        g = (self.forward(X) - y.reshape(-1, 1)) / len(X)
        gh = (g @ self.W2.T) * (1 - self.h * self.h)
        self.W2 -= self.lr * self.h.T @ g
        self.W1 -= self.lr * X.astype(np.float32).T @ gh
"""


def test_a_method_named_fit_something_trains_and_a_float32_rate_is_read(tmp_path: Path) -> None:
    path = tmp_path / "fit_batch.py"
    path.write_text(FIT_BATCH, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.identified, report.result.scale) == ("bce", 1.0), report.command
    assert "net.fit_batch(" in (report.command or "") and "--lr net.lr" in (report.command or ""), (
        report.command
    )


GLOBAL_BATCH = """
import numpy as np

xtrain = np.random.rand(50, 4)
ytrain = np.random.randint(0, 3, 50)
ytrain_cat = np.zeros((ytrain.size, 3))
ytrain_cat[np.arange(ytrain.size), ytrain] = 1
X_train, Y_train = xtrain.T, ytrain_cat.T


def forward_pass(X, params):
    cache = {"Z1": params["W1"] @ X + params["b1"]}
    cache["A1"] = np.tanh(cache["Z1"])
    cache["Z2"] = params["W2"] @ cache["A1"] + params["b2"]
    e = np.exp(cache["Z2"] - cache["Z2"].max(axis=0))
    cache["A2"] = e / e.sum(axis=0)
    return cache


def back_propagate(X, Y, params, cache):
    dZ2 = cache["A2"] - Y
    dW2 = dZ2 @ cache["A1"].T / m_batch
    db2 = dZ2.sum(axis=1, keepdims=True) / m_batch
    dZ1 = params["W2"].T @ dZ2 * DERIVATIVE
    dW1 = dZ1 @ X.T / m_batch
    db1 = dZ1.sum(axis=1, keepdims=True) / m_batch
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


params = {
    "W1": np.random.randn(5, 4) * 0.5,
    "b1": np.zeros((5, 1)),
    "W2": np.random.randn(3, 5) * 0.5,
    "b2": np.zeros((3, 1)),
}
for epoch in range(10):
    for j in range(0, 50, 10):
        X, Y = X_train[:, j:j + 10], Y_train[:, j:j + 10]
        m_batch = X.shape[1]
        grads = back_propagate(X, Y, params, forward_pass(X, params))
        for k in params:
            params[k] -= 0.1 * grads["d" + k]
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - cache['A1'] ** 2)", "cross_entropy"), ("1", None)]
)
def test_functions_whose_backward_reads_the_batch_size_the_training_loop_sets(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``params`` is made from numpy alone, without the labels the script one-hot encodes by index
    before it; ``back_propagate`` divides by a global ``m_batch`` that only the training loop sets,
    given the batch's number of samples (columns here): mean cross-entropy on the softmax output."""
    path = tmp_path / "global_batch.py"
    path.write_text(GLOBAL_BATCH.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "m_batch = x.shape[1]" in (report.command or ""), report.command


@pytest.mark.parametrize(
    ("derivative", "identified"),
    [("acts[-i][:, 1:] * (1 - acts[-i][:, 1:])", "bce"), ("acts[-i][:, 1:]", None)],
)
def test_a_forward_function_imported_from_the_package_pairs_with_the_backward_beside_it(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``from .forward import feed_forward`` in ``back_propagation.py``: the forward function the file
    imports from its own package counts as its own, and pairs with its backward function."""
    package = tmp_path / "nnetwork"
    package.mkdir()
    source = WEIGHT_LIST.replace("DERIVATIVE", derivative)
    head, backward = source.split("def back_propagation", 1)
    (package / "forward.py").write_text(head, encoding="utf-8")
    (package / "back_propagation.py").write_text(
        "import numpy as np\n\nfrom .forward import feed_forward\n\n\ndef back_propagation" + backward,
        encoding="utf-8",
    )
    report = check_target(CheckRequest.parse(str(package / "back_propagation.py")))
    assert report.result.identified == identified, report.command


FLOAT32_STEP = """
import numpy as np


class Net32:
    def __init__(self, learning_rate=RATE):
        self.w1 = (np.random.randn(4, 8) * 0.5).astype(np.float32)
        self.b1 = np.zeros(8, dtype=np.float32)
        self.w2 = (np.random.randn(8, 2) * 0.5).astype(np.float32)
        self.b2 = np.zeros(2, dtype=np.float32)
        self.learning_rate = learning_rate

    def forward(self, x):
        self.x = np.asarray(x, dtype=np.float32)
        self.h = np.maximum(0, self.x @ self.w1 + self.b1)
        self.o = 1 / (1 + np.exp(-(self.h @ self.w2 + self.b2)))
        return self.o

    def train_step(self, x, y):
        o = self.forward(x)
        g_o = (o - np.asarray(y, dtype=np.float32)) * o * (1 - o)
        g_h = (g_o @ self.w2.T) * (self.h > 0)
        self.w2 -= self.learning_rate * self.h.T @ g_o
        self.b2 -= self.learning_rate * g_o.sum(0)
        self.w1 -= self.learning_rate * self.x.T @ g_h
        self.b1 -= self.learning_rate * g_h.sum(0)
"""


def test_an_update_of_float32_weights_is_read_at_their_precision(tmp_path: Path) -> None:
    """A float32 step recovers the gradient to ``2 ε₃₂ (|W_before| + |W_after|) / lr``: at a rate of 1e-2
    that is within the check's tolerance of mse's gradient; at 1e-4 the update is too small against
    float32 rounding to read any loss off, and the check says so instead of calling correct code wrong
    (with float64's ε it was "none of the catalog losses")."""
    path = tmp_path / "net32.py"
    path.write_text(FLOAT32_STEP.replace("RATE", "1e-2"), encoding="utf-8")
    assert check_target(CheckRequest.parse(str(path))).result.identified == "mse"
    path.write_text(FLOAT32_STEP.replace("RATE", "1e-4"), encoding="utf-8")
    with pytest.raises(InputError, match="cannot be recovered from an update that small"):
        check_target(CheckRequest.parse(str(path)))


# course functions: the backward takes the regularisation strength after the parameters, named only
# ``lambd``; given 0, the penalty's gradient term vanishes and the data term is checked. With
# dZ2 = A2 - Y on a sigmoid output and every gradient divided by m, it is the mean BCE's gradient; with
# the division left out of dW1 only, it is BCE's for one sample (m = 1) and for no batch.
COURSE_FUNCTIONS = """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    A2 = sigmoid(parameters["W2"] @ A1 + parameters["b2"])
    return A2, (X, A1)

def backward_propagation(A2, Y, caches, parameters, lambd):
    X, A1 = caches
    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m + lambd / m * parameters["W2"]
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / DIVISOR + lambd / m * parameters["W1"]
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
"""


@pytest.mark.parametrize(("divisor", "batches"), [("m", True), ("1", False)])
def test_a_regularisation_strength_a_backward_function_takes_is_given_zero(
    tmp_path: Path, divisor: str, batches: bool
) -> None:
    """``backward_propagation(A2, Y, caches, parameters, lambd)``: ``lambd`` is a regularisation
    strength (given 0: the loss's own gradient), so the function is called at all; it was refused
    as taking an argument whose name says nothing of its value."""
    report = check(tmp_path, COURSE_FUNCTIONS.replace("DIVISOR", divisor))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == ("bce", batches), report.command
    assert "backward_propagation(A2, y, cache, parameters, 0.0)" in (report.command or ""), report.command


# a network whose constructor's default gives every layer the identity: the hidden pre-activation
# handed on as the next layer's input (the bug) equals the activation there, so the step is the squared
# error's for this network; the report must say that activations were not exercised
IDENTITY_DEFAULT = """
def identity(z):
    return z

class Net:
    def __init__(self, sizes=(4, 5, 3), activation=ACTIVATION):
        self.W = [np.random.randn(m, n) * 0.5 for n, m in zip(sizes[:-1], sizes[1:])]
        self.f = activation

    def forward(self, x):
        self.zs, self.acts = [], [x]
        for W in self.W:
            self.zs.append(W @ self.acts[-1])
            self.acts.append(self.f(self.zs[-1]) if self.f is not identity else self.zs[-1])
        return self.acts[-1]

    def backward(self, x, y):
        out = self.forward(x)
        def slope(z):
            return np.ones_like(z) if self.f is identity else sigmoid(z) * (1 - sigmoid(z))

        delta = (out - y) * slope(self.zs[-1])
        grads = [delta @ self.zs[0].T, None]  # the pre-activation where the activation belongs
        delta = (self.W[1].T @ delta) * slope(self.zs[0])
        grads[1] = delta @ x.T
        return [grads[1], grads[0]]
"""


@pytest.mark.parametrize(
    ("activation", "noted"), [("identity", True), ("sigmoid", False), ("np.tanh", False)]
)
def test_a_network_built_linear_says_activations_were_not_exercised(
    tmp_path: Path, activation: str, noted: bool
) -> None:
    """With the identity everywhere the step is mse's (the pre-activation is the activation) and the
    report says the network is linear in its inputs; with a sigmoid or tanh the same bug shows (no
    loss) and nothing is said. A ReLU network is not taken for linear either (next test)."""
    report = check(tmp_path, IDENTITY_DEFAULT.replace("ACTIVATION", activation))
    r = report.result
    assert any("linear in its inputs" in n for n in r.notes) == noted, r.notes
    assert r.identified == ("mse" if noted else None), report.command


def test_a_relu_network_is_not_taken_for_a_linear_one() -> None:
    """ReLU is affine within one sign pattern of its units: the midpoint test over widely spread inputs
    still sees its kinks (a few dozen seeds, none taken for linear); the identity everywhere is."""

    def subject(activation: str, seed: int) -> Subject:
        net = Network.initialise((4, 5, 5, 3), activation, seed=seed, bias=True)
        return subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="chain"))

    assert [linear_note(subject("relu", s), seed=s) for s in range(30)] == [None] * 30
    assert linear_note(subject("identity", 0)) is not None


LOSS_HELPER = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)
        self.b2 = np.zeros((1, 2))
        self.lr = 0.1

    def _MSE_gradient(self, a, y):
        return a - y

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        self.a = sigmoid(self.h @ self.W2 + self.b2)
        return self.a

    def train(self, x, y, epochs):
        for _ in range(epochs):
            a = self.forward(x)
            d2 = self._MSE_gradient(a, y) * a * (1 - a)
            d1 = d2 @ self.W2.T * self.h * (1 - self.h)
            self.W2 -= self.lr * self.h.T @ d2
            self.b2 -= self.lr * d2.sum(axis=0, keepdims=True)
            self.W1 -= self.lr * x.T @ d1
"""


def test_a_loss_derivative_helper_is_never_taken_for_the_backward_pass(tmp_path: Path) -> None:
    """``_MSE_gradient(self, a, y)`` returns the loss's derivative at the output, the training method
    uses it: checked as the gradient method (what it returns has the output bias's shape) it made a
    correct network "none"; the training step is checked instead (the squared error's gradient)."""
    report = check(tmp_path, LOSS_HELPER)
    assert report.result.identified == "mse", report.command
    assert report.result.subject == "Net.train"


MODE_SWITCH = """
class Net:
    def __init__(self):
        self.W = np.random.randn(3, 2)
        self.training = True

    def is_train(self):
        self.training = True

    def forward(self, x):
        return sigmoid(x @ self.W)
"""


def test_a_mode_switch_named_for_training_is_no_training_step(tmp_path: Path) -> None:
    """``is_train()`` sets a flag: it is never run as a step (which left every weight unchanged and made
    that the refusal's reason); the refusal says there is no gradient or training method to call."""
    with pytest.raises(InputError, match="no method that returns gradients or updates its weights"):
        check(tmp_path, MODE_SWITCH)


LOSS_OBJECT = """
class Net:
    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, a):
        self.h = np.tanh(a @ self.W1)
        self.a = a
        z_last = self.h @ self.W2
        return z_last

    def backward(self, z_last, loss, label):
        delta = loss.func_derivative(z_last, label)
        dh = delta @ self.W2.T * (1 - self.h ** 2)
        return [self.a.T @ dh / len(z_last), self.h.T @ delta / len(z_last)]


class squared_loss:
    def func_derivative(self, z_last, y):
        return z_last - y.hat


class cross_entropy_loss:
    def func_derivative(self, z_last, y):
        p = np.exp(z_last - z_last.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[range(len(z_last)), y] -= 1
        return p
"""


def test_a_backward_pass_handed_a_loss_object_gets_each_loss_class_of_its_module(tmp_path: Path) -> None:
    """``backward(self, z_last, loss, label)``: the output the forward pass returns under that name, the
    loss as an object. Each loss class of the module is handed in turn; the squared loss raises (its
    derivative reads ``y.hat``), the cross-entropy one runs: its gradient on the scores' softmax, with
    a note naming the object."""
    report = check(tmp_path, LOSS_OBJECT)
    assert report.result.identified == "cross_entropy", report.command
    assert "backward is handed the loss object cross_entropy_loss()" in report.result.notes


MISSPELLED = """
class Dense:
    def __init__(self, n_in, n_out):
        self.weights = 0.5 * np.random.randn(n_in, n_out)
        self.biases = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        self.output = x @ self.weights + self.biases

    def backward(self, d):
        self.dweights = self.x.T @ d
        self.dbaises = BIAS
        self.dinputs = d @ self.weights.T


class Net:
    LEARNING_RATE = 0.5

    def __init__(self):
        self.l1, self.l2 = Dense(3, 4), Dense(4, 2)

    def forward(self, x):
        self.l1.forward(x)
        self.h = np.tanh(self.l1.output)
        self.l2.forward(self.h)
        return self.l2.output

    def backward(self, x, y):
        d = self.forward(x) - y
        self.l2.backward(d)
        self.l1.backward(self.l2.dinputs * (1 - self.h ** 2))
"""


@pytest.mark.parametrize(
    ("bias", "identified"), [("d.sum(axis=0, keepdims=True)", "mse"), ("d[:1] * 0", None)]
)
def test_a_gradient_stored_under_a_misspelled_name_is_read(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``self.dbaises`` beside ``self.biases`` (two letters swapped): the one array of the bias's size
    stored under a near spelling is its gradient, not a gradient left out (read as zero, it made
    correct code "none"); a bias gradient of zeros stays a mismatch."""
    report = check(tmp_path, MISSPELLED.replace("BIAS", bias))
    assert report.result.identified == identified, report.command


RASHID = """
class Net:
    LEARNING_RATE = 0.5

    def __init__(self):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        self.a = sigmoid(self.h @ self.W2)
        return self.a

    def train(self, x, y):
        a = self.forward(x)
        d2 = (a - y) * a * (1 - a)
        d1 = d2 @ self.W2.T * self.h * (1 - self.h)
        self.W2 -= self.LEARNING_RATE * self.h.T @ d2
        self.W1 -= self.LEARNING_RATE * x.T @ d1
"""


def test_a_learning_rate_kept_as_a_class_constant_is_the_rate(tmp_path: Path) -> None:
    """``LEARNING_RATE = 0.5`` in the class body, read as ``self.LEARNING_RATE``: the update is read at
    that rate (the squared error's gradient, not half of it with the rate left open)."""
    report = check(tmp_path, RASHID)
    assert (report.result.identified, report.result.verdict.scale) == ("mse", 1.0), report.command
    assert report.recipe is not None and report.recipe.lr == "net.LEARNING_RATE"


# no learning rate anywhere (W += J δ): every tensor is read up to one scale. The output delta
# 2 (y − a) a (1 − a) is 2 × mse's, so weights2 matches mse × 2; the hidden σ' is left out, so
# weights1 matches no loss at any scale: the report points at weights1, where the code breaks, not at
# weights2, which differs from mse by the unknown rate alone
NO_RATE = """
import numpy as np


class Net:
    def __init__(self):
        self.weights1 = np.random.randn(3, 4)
        self.weights2 = np.random.randn(4, 2)

    def feedforward(self, x):
        self.input = x
        self.layer1 = 1 / (1 + np.exp(-(x @ self.weights1)))
        self.output = 1 / (1 + np.exp(-(self.layer1 @ self.weights2)))
        return self.output

    def backprop(self, y):
        d2 = 2 * (y - self.output) * self.output * (1 - self.output)
        d1 = d2 @ self.weights2.T
        self.weights2 += self.layer1.T @ d2
        self.weights1 += self.input.T @ d1
"""


def test_with_no_rate_the_first_tensor_named_is_the_one_no_scale_explains(tmp_path: Path) -> None:
    from verification.identification.report import differing_entries

    path = tmp_path / "no_rate.py"
    path.write_text(NO_RATE, encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified is None and not result.lr_known
    assert result.parameter_identified("weights2")[0] == "mse"
    lines = differing_entries(result, "mse")
    assert lines and lines[0].startswith(
        "  first parameter that differs from mse (output layer first): weights1,"
    )


# a constructor spelt _init_: NN(4, 5, 3) raises and NN() has no weights, so every setup fails; the
# refusal names the misspelt method, whatever failure detection met last
MISSPELT = """
class NN:
    def NAME(self, n_in, n_hidden, n_out, lr):
        self.wih = np.random.randn(n_hidden, n_in)
        self.who = np.random.randn(n_out, n_hidden)
        self.lr = lr

    def query(self, x):
        return sigmoid(self.who @ sigmoid(self.wih @ x))

    def train(self, x, y):
        h = sigmoid(self.wih @ x)
        o = sigmoid(self.who @ h)
        e = (y - o) * o * (1 - o)
        self.wih += self.lr * ((self.who.T @ e) * h * (1 - h)) @ x.T
        self.who += self.lr * e @ h.T
"""


@pytest.mark.parametrize("name", ["_init_", "__init", "__inti__"])
@pytest.mark.parametrize("target", ["", ":NN"])
def test_a_misspelt_constructor_is_named_as_the_cause_of_the_refusal(
    tmp_path: Path, name: str, target: str
) -> None:
    with pytest.raises(InputError, match=rf"^NN defines {name}, not __init__: Python never calls it") as e:
        check(tmp_path, MISSPELT.replace("NAME", name), target)
    assert getattr(e.value, "cause", None) == "code-failed"
    assert e.value.hint == f"rename {name} to __init__, then check again"


def test_the_same_class_spelt_right_is_checked(tmp_path: Path) -> None:
    """The control: with ``__init__`` the class above is the summed mse gradient, stepped up by lr."""
    report = check(tmp_path, MISSPELT.replace("NAME", "__init__"))
    assert report.result.identified == "mse", report.command


# functions over arrays of columns; the backward returns its first two gradients as expressions and the
# last two by name. Softmax output, p − y: the gradient of cross-entropy. Read by the names alone, W1 and
# b1 got no gradient and the verdict was "none"
MIXED_RETURN = """
def forward(x, W1, b1, W2, b2):
    a1 = np.tanh(W1 @ x + b1)
    z2 = W2 @ a1 + b2
    e = np.exp(z2 - z2.max(axis=0, keepdims=True))
    return a1, e / e.sum(axis=0, keepdims=True)


def backward(x, y, a1, a2, W2):
    dz2 = a2 - y
    dW2 = dz2 @ a1.T
    db2 = dz2.sum(axis=1, keepdims=True)
    dz1 = (W2.T @ dz2) * HIDDEN
    return dz1 @ x.T, dz1.sum(axis=1, keepdims=True), dW2, db2


rng = np.random.default_rng(7)
W1 = rng.normal(size=(5, 4))
b1 = np.zeros((5, 1))
W2 = rng.normal(size=(3, 5))
b2 = np.zeros((3, 1))
"""


@pytest.mark.parametrize(("hidden", "identified"), [("(1 - a1 ** 2)", "cross_entropy"), ("a1", None)])
def test_gradients_returned_partly_unnamed_are_placed_by_their_order(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    report = check(tmp_path, MIXED_RETURN.replace("HIDDEN", hidden))
    assert report.result.identified == identified, report.command
    assert not any("no gradient returned" in note for note in report.result.notes), report.result.notes


# a backward function right for the labels it is given, called by the script's loop over stacked columns
# with the label of another sample (Y[i - 1]) or with no update of b1: the function alone is mse, the
# training that calls it is not (at a batch, or at all); the verdict must hold for both readings
CALLED_BY_A_LOOP = """
def forward(x, W1, b1, W2, b2):
    a1 = sigmoid(W1 @ x + b1)
    return a1, sigmoid(W2 @ a1 + b2)


def backward(x, y, a1, a2, W2):
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    return d1 @ x.T, d1, d2 @ a1.T, d2


X = np.reshape(np.linspace(-1.0, 1.0, 24), (8, 3, 1))
Y = np.array([0.0, 1.0] * 4)
rng = np.random.default_rng(1)
W1, b1, W2, b2 = rng.normal(size=(4, 3)), np.zeros((4, 1)), rng.normal(size=(1, 4)), np.zeros((1, 1))
lr = 0.5
for epoch in range(200):
    for i, x in enumerate(X):
        a1, a2 = forward(x, W1, b1, W2, b2)
        dW1, db1, dW2, db2 = backward(x, LABEL, a1, a2, W2)
        W1 -= lr * dW1
        UPDATE
        W2 -= lr * dW2
        b2 -= lr * db2
"""


@pytest.mark.parametrize(
    ("label", "bias", "looped"),
    [
        ("Y[i]", "b1 -= lr * db1", None),
        ("Y[i - 1]", "b1 -= lr * db1", "mse for one sample, not at a batch"),
        ("Y[i]", "pass  # b1 is never updated", "none"),
    ],
)
def test_a_backward_function_is_confirmed_by_the_loop_that_calls_it(
    tmp_path: Path, label: str, bias: str, looped: str | None
) -> None:
    body = CALLED_BY_A_LOOP.replace("LABEL", label).replace("UPDATE", bias)
    if looped is None:
        assert check(tmp_path, body).result.identified == "mse"
        return
    with pytest.raises(Ambiguous) as e:
        check(tmp_path, body)
    assert [(a.option.split(" (")[0], a.verdict) for a in e.value.alternatives] == [
        ("backward alone", "mse"),
        ("the training loop at line 23 that calls it", looped),
    ]
    assert check(tmp_path, body, ":backward").result.identified == "mse"  # named, the function alone


# inverted dropout inside the backward pass: its gradient is that of the network with the mask it drew,
# which the forward pass is not, and of no fixed loss of the data; with nothing dropped (keep = 1) the
# mask is 1 and (a − y) on a sigmoid output is the gradient of bce
DROPOUT = """
class DropNet:
    def __init__(self, n_in=3, n_h=6, n_out=2, keep=KEEP):
        rng = np.random.default_rng(0)
        self.W1 = rng.normal(0, 0.8, (n_h, n_in))
        self.W2 = rng.normal(0, 0.8, (n_out, n_h))
        self.keep = keep

    def predict(self, x):
        return sigmoid(self.W2 @ np.tanh(self.W1 @ x))

    def backprop(self, x, y):
        h = np.tanh(self.W1 @ x)
        mask = (np.random.rand(*h.shape) < self.keep) / self.keep
        a = sigmoid(self.W2 @ (h * mask))
        d2 = a - y
        d1 = (self.W2.T @ d2) * mask * (1 - h ** 2)
        return np.outer(d1, x), np.outer(d2, h * mask)
"""


def test_a_backward_pass_that_draws_a_dropout_mask_is_refused_not_read_as_none(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"under other random seeds.*draws random numbers") as e:
        check(tmp_path, DROPOUT.replace("KEEP", "0.8"))
    assert "W1, W2" in str(e.value)
    assert check(tmp_path, DROPOUT.replace("KEEP", "1.0")).result.identified == "bce"


# linear regression, one output as a column (n, 1); the labels flattened to (n,) before the error, so at
# one sample err is (1, 1) and the step is mse's, and at n samples err = y_hat − y broadcasts to (n, n):
# dW is (d, n) and W - lr * dW a (d, n) matrix. A step that changes a weight's shape is no gradient step
# at that batch: the verdict holds for one sample only, and the check fails. With the labels kept as a
# column the step is mse's at every batch (the mean)
FLATTENED = """
import numpy as np


class LinearRegressionGD:
    def __init__(self, n_features, lr=0.01):
        self.W = np.random.randn(n_features, 1) * 0.01
        self.b = np.zeros((1, 1))
        self.lr = lr

    def predict(self, X):
        return X @ self.W + self.b

    def fit(self, X, y, epochs=1000):
        for _ in range(epochs):
            y = np.asarray(y, dtype=float).RESHAPE
            err = self.predict(X) - y
            self.W = self.W - self.lr * X.T @ err / len(X)
            self.b = self.b - self.lr * np.sum(err) / len(X)
"""


@pytest.mark.parametrize(("reshape", "holds"), [("ravel()", False), ("reshape(-1, 1)", True)])
def test_a_step_that_changes_a_weights_shape_at_a_batch_holds_for_one_sample_only(
    tmp_path: Path, reshape: str, holds: bool
) -> None:
    result = check(tmp_path, FLATTENED.replace("RESHAPE", reshape)).result
    assert result.identified == "mse"
    batch = result.verdict.batch
    assert batch is not None and (batch.reduction == "reshaped") == (not holds), batch
    assert result.verdict.holds_for_batches is holds and result.success is holds
    if not holds:
        assert "the code changed the shape of W from (4, 1) to (4, 3)" in verdict_sentence(result)


# a layer whose forward takes no input: it reads module-level data, so no input can be varied; the
# refusal says so, where it said the class had no forward-pass method at all
NO_INPUT = """
X_DATA = np.ones((4, 2))

class Output:
    def __init__(self):
        self.W = np.random.randn(2, 3)

    def forward(self):
        self.a = sigmoid(X_DATA @ self.W)
        return self.a

    def backward(self, y):
        return {"W": X_DATA.T @ (self.a - y)}
"""


def test_a_forward_that_takes_no_input_is_named_as_such_in_the_refusal(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"Output\.forward takes no input \(it reads the data from elsewhere\)"
    ):
        check(tmp_path, NO_INPUT)
