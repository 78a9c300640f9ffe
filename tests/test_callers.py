"""A verdict on a backward pass holds for the training code of the file that calls it: a gradient
method is confirmed by the method that sums its gradients and steps. The networks are written for the
tests in the style of Nielsen's ``network.py`` (ch. 1–2); their verdicts are derived by hand in the
comments."""

from __future__ import annotations

from pathlib import Path

import pytest

import verification.identification.check as check_module
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.setups import Ambiguous

# columns; sigmoid hidden layer, softmax output written for one sample (the sum over the whole array);
# backprop's output delta a − y is the gradient of the cross-entropy of one sample; update_mini_batch
# adds the samples' gradients up and steps by lr / n: the batch mean
NETWORK = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


class Network:
    def __init__(self, sizes):
        rng = np.random.default_rng(0)
        self.biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
        self.weights = [rng.standard_normal((n, m)) for m, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases[:-1], self.weights[:-1]):
            a = sigmoid(w @ a + b)
        return softmax(self.weights[-1] @ a + self.biases[-1])

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        BIASES

    def backprop(self, x, y):
        activation, activations, zs = x, [x], []
        for b, w in zip(self.biases[:-1], self.weights[:-1]):
            zs.append(w @ activation + b)
            activation = sigmoid(zs[-1])
            activations.append(activation)
        delta = softmax(self.weights[-1] @ activation + self.biases[-1]) - y
        nabla_b, nabla_w = [delta], [delta @ activations[-1].T]
        for k in range(2, len(self.weights) + 1):
            s = sigmoid(zs[-k + 1])
            delta = (self.weights[-k + 1].T @ delta) * s * (1 - s)
            nabla_b.insert(0, delta)
            nabla_w.insert(0, delta @ activations[-k].T)
        return nabla_b, nabla_w
"""
STEPPED = "self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]"


def write(tmp_path: Path, biases: str) -> Path:
    path = tmp_path / "network.py"
    path.write_text(NETWORK.replace("BIASES", biases), encoding="utf-8")
    return path


def test_a_gradient_method_whose_caller_steps_every_gradient_is_checked_as_written(tmp_path: Path) -> None:
    """The forward pass mixes the samples of a batch (one softmax over all of them), the step does not:
    the batch's output is taken sample by sample, and the caller is the batch mean of the cross-entropy."""
    path = write(tmp_path, STEPPED)
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.subject, report.result.identified) == ("Network.backprop", "cross_entropy")
    caller = check_target(CheckRequest.parse(f"{path}:Network.update_mini_batch")).result
    assert caller.identified == "cross_entropy" and caller.verdict.holds_for_batches is True, caller.verdict


def test_the_caller_is_checked_on_the_network_the_method_was_checked_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller is built by the setup the backward pass was checked with, not guessed again: a class
    whose default sizes are wide (``sizes=[784, 784, 10]``) would otherwise be built and drawn at those
    sizes for every construction tried."""
    path = write(tmp_path, STEPPED)
    path.write_text(path.read_text() + "\nnet = Network([3, 4, 2])\n", encoding="utf-8")
    seen = []
    original = check_module.check_target

    def spy(request: CheckRequest) -> object:
        seen.append((request.target.name, request.options.setup))
        return original(request)

    monkeypatch.setattr(check_module, "check_target", spy)
    report = original(CheckRequest.parse(str(path)))
    assert report.result.subject == "Network.backprop"
    assert seen == [("Network.update_mini_batch", report.recipe.setup)], seen
    assert "Network([3, 4, 2])" in str(report.recipe.setup)


@pytest.mark.parametrize(
    ("biases", "called"),
    [
        ("pass  # the biases are never stepped", "none"),
        (STEPPED.replace("(eta / len(mini_batch))", "eta"), "cross_entropy for one sample, not at a batch"),
    ],
)
def test_a_caller_that_drops_or_misweighs_a_gradient_makes_the_verdict_ambiguous(
    tmp_path: Path, biases: str, called: str
) -> None:
    """``backprop`` alone is the cross-entropy's gradient; a caller that never steps the biases trains
    no loss, and one that steps them by the sum where the weights take the mean holds for one sample
    only. Named, ``FILE:Network.backprop`` is the function alone."""
    path = write(tmp_path, biases)
    with pytest.raises(Ambiguous) as e:
        check_target(CheckRequest.parse(str(path)))
    assert [(a.option.split(" (")[0].split(",")[0], a.verdict) for a in e.value.alternatives] == [
        ("Network.backprop alone", "cross_entropy"),
        ("Network.update_mini_batch", called),
    ]
    assert f"check it by name to see where: {path}:Network.update_mini_batch" in (e.value.hint or "")
    assert str(e.value).startswith("Network.backprop: the training code that calls it steps along another")
    assert check_target(CheckRequest.parse(f"{path}:Network.backprop")).result.identified == "cross_entropy"


# the course style: loss(X, y, reg) returns the loss and its gradients, train() draws a batch, hands it
# reg (5e-6 by default) and steps; the learning rate decays each epoch by learning_rate_decay. loss at
# reg = 0 is the batch mean of the cross-entropy of the softmax of the scores; train adds the L2 term
COURSE = """
import numpy as np


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, std=1e-1):
        rng = np.random.default_rng(0)
        self.params = {
            "W1": std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }

    def loss(self, X, y=None, reg=0.0):
        W1, b1, W2, b2 = self.params["W1"], self.params["b1"], self.params["W2"], self.params["b2"]
        h = np.maximum(0, X @ W1 + b1)
        scores = h @ W2 + b2
        if y is None:
            return scores
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(len(y)), y]).mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        p[np.arange(len(y)), y] -= 1
        p /= len(y)
        dh = p @ W2.T
        dh[h <= 0] = 0
        grads = {"W2": h.T @ p + 2 * reg * W2, "b2": p.sum(axis=0), "W1": X.T @ dh + 2 * reg * W1,
                 "b1": dh.sum(axis=0)}
        return loss, grads

    def train(self, X, y, learning_rate=1e-3, learning_rate_decay=0.95, reg=5e-6, num_iters=100,
              batch_size=200):
        for it in range(num_iters):
            idx = np.random.choice(X.shape[0], batch_size, replace=True)
            loss, grads = self.loss(X[idx], y=y[idx], reg=reg)
            for p in self.params:
                self.params[p] -= learning_rate * grads[p]
            if it % 100 == 0:
                learning_rate *= learning_rate_decay
"""


def test_a_caller_that_adds_weight_decay_confirms_the_loss_of_the_gradient_it_calls(tmp_path: Path) -> None:
    """train hands loss its own reg, and the cross-entropy plus that L2 penalty is what it steps along:
    the loss's gradient, confirmed; its learning_rate_decay is no learning rate."""
    path = tmp_path / "course.py"
    path.write_text(COURSE, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.subject, report.result.identified) == ("TwoLayerNet.loss", "cross_entropy")
    said = [n for n in report.result.notes if n.startswith("the training that calls it (TwoLayerNet.train")]
    assert len(said) == 1 and "cross_entropy plus an L2 penalty" in said[0], report.result.notes
    caller = check_target(CheckRequest.parse(f"{path}:TwoLayerNet.train"))
    assert caller.result.verdict.penalized, caller.result.verdict
    assert caller.command is not None and "net.train(x, y, lr, num_iters=1," in caller.command, caller.command


def test_the_training_set_size_beside_a_weight_decay_is_given_as_a_count_of_samples(tmp_path: Path) -> None:
    """Nielsen's ch. 3 signature ``update_mini_batch(mini_batch, eta, lmbda, n)``: ``n`` beside the
    weight decay ``lmbda`` is the number of training samples, so the caller can be run (``lmbda`` 0),
    and its biases never stepped are found."""
    source = NETWORK.replace(
        "def update_mini_batch(self, mini_batch, eta):",
        "def update_mini_batch(self, mini_batch, eta, lmbda, n):",
    )
    source = source.replace(
        "self.weights = [w - (eta / len(mini_batch)) * nw",
        "self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw",
    )
    path = tmp_path / "network2.py"
    path.write_text(source.replace("BIASES", "pass  # the biases are never stepped"), encoding="utf-8")
    with pytest.raises(Ambiguous, match=r"Network\.update_mini_batch, which calls it: none"):
        check_target(CheckRequest.parse(str(path)))


def test_a_weight_decay_the_caller_is_given_as_zero_is_named_in_the_verdict_on_the_backward_pass(
    tmp_path: Path,
) -> None:
    """The same ch. 3 signature, every tensor stepped: ``lmbda`` has no default, so the caller is run at
    0 and agrees with backprop's cross-entropy; the report on backprop says that the training's weight
    decay was switched off to get there, and is not checked (a verdict with no word of the L2 term the
    training adds would be read as the whole of it)."""
    source = NETWORK.replace(
        "def update_mini_batch(self, mini_batch, eta):",
        "def update_mini_batch(self, mini_batch, eta, lmbda, n):",
    ).replace(
        "self.weights = [w - (eta / len(mini_batch)) * nw",
        "self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw",
    )
    path = tmp_path / "network2.py"
    path.write_text(source.replace("BIASES", STEPPED), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert (result.subject, result.identified) == ("Network.backprop", "cross_entropy"), result.notes
    said = [n for n in result.notes if n.startswith("the training that calls it (Network.update_mini_batch")]
    assert len(said) == 1 and "agrees; update_mini_batch's lmbda (named like a weight decay" in said[0], said
    assert "given 0.0" in said[0] and "which is not checked" in said[0], said
    caller = check_target(CheckRequest.parse(f"{path}:Network.update_mini_batch")).result
    assert caller.identified == "cross_entropy", caller.notes
    assert any(n.startswith("update_mini_batch's lmbda (named like") for n in caller.notes), caller.notes


def test_a_caller_whose_weight_decay_falls_on_the_biases_alone_makes_the_verdict_ambiguous(
    tmp_path: Path,
) -> None:
    """The same course network with the L2 term written on the biases and not the weights: train steps
    along cross-entropy plus ½ λ ‖b‖², a penalty no one means (the decay misplaced), so the caller's
    reading differs from loss's own and the check is refused as ambiguous, naming both."""
    path = tmp_path / "course.py"
    moved = (
        COURSE.replace("h.T @ p + 2 * reg * W2", "h.T @ p")
        .replace("X.T @ dh + 2 * reg * W1", "X.T @ dh")
        .replace('"b2": p.sum(axis=0)', '"b2": p.sum(axis=0) + 2 * reg * b2')
        .replace('"b1": dh.sum(axis=0)', '"b1": dh.sum(axis=0) + 2 * reg * b1')
    )
    assert moved.count("2 * reg * b") == 2 and "2 * reg * W" not in moved
    path.write_text(moved, encoding="utf-8")
    with pytest.raises(Ambiguous) as e:
        check_target(CheckRequest.parse(str(path)))
    assert [a.verdict for a in e.value.alternatives] == [
        "cross_entropy",
        "cross_entropy with weight decay on the biases alone",
    ]
