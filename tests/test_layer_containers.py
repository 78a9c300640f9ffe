"""A network class that only builds its list of layers, trained by a function in a folder of its own:
``MLP(sizes)`` keeps ``self.layers``; ``training/loop.py`` holds ``fit(model, loss_func, X, y, …)``,
which runs the layers forward and back and updates them. The check runs that function once on the
class's own layers, handed the project's one loss class.

Verdicts derived by hand: dense layers, tanh between them, a sigmoid output; the loss object's
gradient ``pred − y`` is that of ½ Σ_k (a_k − y_k)², summed over the batch (no division by it), so
the step is mse's gradient, summed. A tanh whose backward pass forgets its derivative is no loss's.
Two training functions over a layer list leave the choice open: nothing is guessed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_sources import LAYERS

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

CONTAINER = """
from layers import Dense, Tanh, Sigmoid


class MLP:
    def __init__(self, sizes):
        self.layers = []
        for i in range(len(sizes) - 1):
            self.layers.append(Dense(sizes[i], sizes[i + 1]))
            self.layers.append(Tanh() if i < len(sizes) - 2 else Sigmoid())
"""


LOSSES = """
import numpy as np


class SquaredError:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        return 0.5 * np.sum((pred - target) ** 2)

    def backward(self):
        return self.pred - self.target
"""

LOOP = """
def fit(model, loss_func, X, y, epochs=100, lr=0.1):
    for epoch in range(epochs):
        out = X
        for layer in model:
            out = layer.forward(out)
        loss_func.forward(out, y)
        grad = loss_func.backward()
        for layer in reversed(model):
            grad = layer.backward(grad)
        for layer in model:
            if hasattr(layer, "W"):
                layer.W -= lr * layer.dW
                layer.b -= lr * layer.db
"""


def _project(tmp_path: Path, tanh: str, loops: int = 1, losses: str = LOSSES) -> Path:
    (tmp_path / "layers.py").write_text(LAYERS.replace("TANH_BACKWARD", tanh), encoding="utf-8")
    (tmp_path / "losses.py").write_text(losses, encoding="utf-8")
    (tmp_path / "training").mkdir()
    (tmp_path / "training" / "loop.py").write_text(LOOP, encoding="utf-8")
    if loops > 1:  # a second way to train: which one the project means is not known
        (tmp_path / "training" / "other.py").write_text(
            LOOP.replace("def fit(", "def fit_fast("), encoding="utf-8"
        )
    path = tmp_path / "mlp.py"
    path.write_text(CONTAINER, encoding="utf-8")
    return path


@pytest.mark.parametrize(("tanh", "identified"), [("grad * (1 - self.t ** 2)", "mse"), ("grad", None)])
def test_the_projects_training_function_runs_the_containers_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tanh: str, identified: str | None
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))  # as the command line runs it: the script's folder first
    report = check_target(CheckRequest.parse(str(_project(tmp_path, tanh))))
    result = report.result
    assert result.identified == identified, report.command
    command = report.command or ""
    assert "from training.loop import fit; from losses import SquaredError" in command, command
    assert "network = net.layers" in command and "fit(model=network, loss_func=SquaredError()" in command
    if identified is not None:
        assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum"


ABSTRACT_BASE = """
class Loss:
    def forward(self, pred, target):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError
"""


def test_the_abstract_base_of_the_loss_class_is_not_a_second_loss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SquaredError(Loss)`` beside its base ``Loss``, whose methods raise NotImplementedError: the
    project has one loss class, the one that derives from the base, and the check runs with it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    losses = LOSSES.replace("class SquaredError:", ABSTRACT_BASE + "\n\nclass SquaredError(Loss):")
    report = check_target(
        CheckRequest.parse(str(_project(tmp_path, "grad * (1 - self.t ** 2)", losses=losses)))
    )
    assert report.result.identified == "mse", report.command
    assert "loss_func=SquaredError()" in (report.command or ""), report.command


def test_two_training_functions_are_not_chosen_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))  # as in the test above, where one function is run
    with pytest.raises(InputError, match="has no forward-pass method"):
        check_target(CheckRequest.parse(str(_project(tmp_path, "grad * (1 - self.t ** 2)", loops=2))))
