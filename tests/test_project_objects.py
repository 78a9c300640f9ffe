"""A small framework split into modules, whose network trains with a loss object and an optimiser it is
handed: ``Network.train(self, X, y, loss_fn, optimizer, epochs=…)`` beside ``losses.py`` and
``optimizers.py``. The check runs that training method once, handed the project's own loss class and
its one plain gradient-descent optimiser, instead of refusing on the sign of ``loss_fn.grad(…)``.

Verdicts derived by hand: dense layers, a tanh between them, a sigmoid at the output; the loss
object's gradient ``2 (a − y) / N`` is twice the gradient of ½ Σ_k (a_k − y_k)² over a batch's mean,
so the step is 2 × the mse gradient, the mean over the batch. A tanh whose backward pass takes
1 − t for 1 − t² makes the first layer's gradient no loss's. An optimiser with state (Adam), or several
loss classes beside the network, are never guessed: the check is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_sources import LAYERS

from ffnn.validation import InputError
from verification.adapters.loss_objects import plain_descent
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

NETWORK = """
import numpy as np


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

    def train(self, X, y, loss_fn, optimizer, epochs=500, verbose=True):
        for epoch in range(epochs):
            out = self.forward(X)
            loss = loss_fn.loss(out, y)
            self.backward(loss_fn.grad(out, y))
            optimizer.step(self.layers)
            if verbose and epoch % 100 == 0:
                print(epoch, loss)
"""


LOSSES = """
import numpy as np


class MeanSquared:
    @staticmethod
    def loss(pred, target):
        return np.mean(np.sum((pred - target) ** 2, axis=1))

    @staticmethod
    def grad(pred, target):
        return 2 * (pred - target) / target.shape[0]
"""

CROSS_ENTROPY = """

class BinaryCrossEntropy:
    @staticmethod
    def loss(pred, target):
        return -np.mean(target * np.log(pred) + (1 - target) * np.log(1 - pred))

    @staticmethod
    def grad(pred, target):
        return (pred - target) / (pred * (1 - pred)) / target.shape[0]
"""

SGD = """

class SGD:
    def __init__(self, learning_rate=0.01):
        self.lr = learning_rate

    def step(self, layers):
        for layer in layers:
            if hasattr(layer, "W"):
                layer.W -= self.lr * layer.dW
                layer.b -= self.lr * layer.db
"""

ADAM = """
import numpy as np


class Adam:
    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.b1, self.b2, self.m, self.v = learning_rate, beta1, beta2, {}, {}

    def step(self, layers):
        for i, layer in enumerate(layers):
            if hasattr(layer, "W"):
                self.m[i] = (1 - self.b1) * layer.dW
                self.v[i] = (1 - self.b2) * layer.dW ** 2
                layer.W -= self.lr * self.m[i] / (np.sqrt(self.v[i]) + 1e-8)
"""


def _project(
    tmp_path: Path, tanh: str = "grad * (1 - self.t ** 2)", losses: str = LOSSES, optimizers: str = SGD
) -> Path:
    (tmp_path / "layers.py").write_text(LAYERS.replace("TANH_BACKWARD", tanh), encoding="utf-8")
    (tmp_path / "losses.py").write_text(losses, encoding="utf-8")
    (tmp_path / "optimizers.py").write_text(optimizers, encoding="utf-8")
    path = tmp_path / "network.py"
    path.write_text(NETWORK, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("tanh", "identified"), [("grad * (1 - self.t ** 2)", "mse"), ("grad * (1 - self.t)", None)]
)
def test_the_training_method_runs_with_the_projects_loss_and_optimiser(
    tmp_path: Path, tanh: str, identified: str | None
) -> None:
    report = check_target(CheckRequest.parse(str(_project(tmp_path, tanh))))
    result = report.result
    assert result.identified == identified, report.command
    assert "MeanSquared(), SGD(learning_rate=lr)" in (report.command or ""), report.command
    if identified is not None:
        assert result.scale == pytest.approx(2.0, rel=1e-9)  # 2 (a − y): twice ½ Σ (a − y)²'s gradient
        assert result.verdict.batch is not None and result.verdict.batch.reduction == "mean"
        assert any("SGD(learning_rate=lr) (from optimizers.py)" in n for n in result.notes), result.notes


@pytest.mark.parametrize(
    ("losses", "optimizers"),
    [(LOSSES, ADAM), (LOSSES + CROSS_ENTROPY, SGD)],
    ids=["an optimiser with state", "two loss classes"],
)
def test_no_optimiser_with_state_and_no_choice_of_loss_is_guessed(
    tmp_path: Path, losses: str, optimizers: str
) -> None:
    with pytest.raises(InputError) as refused:
        check_target(CheckRequest.parse(str(_project(tmp_path, losses=losses, optimizers=optimizers))))
    assert getattr(refused.value, "cause", None) == "ambiguous", refused.value


@pytest.mark.parametrize(
    ("name", "plain"),
    [("SGD", True), ("GradientDescent", True), ("MomentumSGD", False), ("SGDAdam", False), ("Adam", False)],
)
def test_only_a_plain_gradient_descent_is_handed(name: str, plain: bool) -> None:
    # a step that keeps state (momentum, moments) or divides by them is no multiple of the gradient
    def __init__(self: object, learning_rate: float = 0.1) -> None:
        pass

    def step(self: object, layers: list[object]) -> None:
        pass

    optimizer = type(name, (), {"__init__": __init__, "step": step})
    assert plain_descent(optimizer) is plain
