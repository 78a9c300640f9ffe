"""Container classes given their layers from the modules beside them, and gradients collected from the
output layer down.

A common project layout keeps each layer in a module of its own and a container class that is handed
layers one by one (``net.add_layer(Linear(4, 5))``) in a file that imports none of them; its training
step makes the output error with its own loss object and returns what every layer's backward pass
returned, output layer first. Checked alone, the container file has no network: it is built from the
layers beside it, and the step that computes the error is the subject (not the backward pass that is
handed the error, which is squared error's gradient whatever the container trains with).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from verification.adapters.failures import Failed
from verification.adapters.matching import plan_matching
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.sentences import format_scale

PROJECT = {
    "dense.py": """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = 0.1 * np.random.randn(n_in, n_out)
        self.b = np.zeros((1, n_out))
        self.params = [self.W, self.b]

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.W + self.b

    def backward(self, upstream):
        dW = self.inputs.T @ upstream
        db = BIAS
        return upstream @ self.W.T, [dW, db]
""",
    "tanh_layer.py": """
import numpy as np


class TanhLayer:
    def __init__(self):
        self.params = []

    def forward(self, inputs):
        self.out = np.tanh(inputs)
        return self.out

    def backward(self, upstream):
        return upstream * (1 - self.out ** 2), []
""",
    "softmax_loss.py": """
import numpy as np


class SoftmaxLoss:
    def value(self, scores, labels):
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        self.probs = shifted / shifted.sum(axis=1, keepdims=True)
        return -np.log(self.probs[np.arange(len(labels)), labels]).mean()

    def gradient(self, scores, labels):
        g = self.probs.copy()
        g[np.arange(len(labels)), labels] -= 1
        return g / len(labels)
""",
    "model.py": """
import numpy as np
from softmax_loss import SoftmaxLoss


class Model:
    def __init__(self, criterion=SoftmaxLoss()):
        self.layers = []
        self.criterion = criterion

    def add_layer(self, layer):
        self.layers.append(layer)

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, upstream):
        grads = []
        for layer in reversed(self.layers):
            upstream, g = layer.backward(upstream)
            grads.append(g)
        return grads

    def train_step(self, X, labels):
        scores = self.forward(X)
        loss = self.criterion.value(scores, labels)
        return loss, self.backward(self.criterion.gradient(scores, labels))
""",
}


def _project(tmp_path: Path, bias: str) -> Path:
    for name, source in PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    return tmp_path / "model.py"


@pytest.mark.parametrize(
    ("bias", "identified", "batches"),
    [
        ("upstream.sum(axis=0)", "cross_entropy", True),
        ("upstream.sum(axis=0) * 2", None, True),
        ("upstream[0]", "cross_entropy", False),
    ],
)
def test_a_container_of_layers_from_beside_it_is_checked_through_its_training_step(
    tmp_path: Path, bias: str, identified: str | None, batches: bool
) -> None:
    """The container is built from the layers beside it (Dense 4 → 5, TanhLayer, Dense 5 → 3), and
    ``train_step`` — softmax cross-entropy with class-index labels, the mean over the batch — is the
    subject: the gradients come back output layer first, each layer's ``[dW, db]`` in order, the bias
    gradients as vectors for ``(1, n)`` biases. A bias gradient doubled is no loss; one read off the
    first sample only is the loss's for one sample and fails the batch."""
    report = check_target(CheckRequest.parse(str(_project(tmp_path, bias))))
    r = report.result
    assert (r.identified, r.verdict.holds_for_batches) == (identified, batches), report.command
    command = report.command or ""
    assert "--gradient 'out = net.forward(x); net.train_step(x, y)'" in command, command
    assert "net.add_layer(Dense(4, 5)); net.add_layer(TanhLayer()); net.add_layer(Dense(5, 3))" in command
    assert "--labels index" in command, command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "1", r.scale  # the mean over the batch


def test_gradients_listed_layer_by_layer_from_the_output_are_matched_to_their_parameters() -> None:
    """``[[dW2, db2], [], [dW1, db1]]`` for ``layers[0].W, layers[0].b, layers[2].W, layers[2].b``:
    layers in reverse, each layer's own in order; a ``(3,)`` gradient fits a ``(1, 3)`` bias."""
    rng = np.random.default_rng(5)
    params = {
        "layers[0].W": rng.standard_normal((4, 5)),
        "layers[0].b": rng.standard_normal((1, 5)),
        "layers[2].W": rng.standard_normal((5, 3)),
        "layers[2].b": rng.standard_normal((1, 3)),
    }
    returned = [[np.ones((5, 3)), np.ones(3)], [], [np.ones((4, 5)), np.ones(5)]]
    plan = plan_matching("backward", returned, params)
    assert plan == {"layers[2].W": 0, "layers[2].b": 1, "layers[0].W": 2, "layers[0].b": 3}


def test_gradients_that_fit_several_orders_are_refused() -> None:
    """Square layers of one size: the code's order, the reverse and the layer-by-layer reverse all fit
    the shapes, and nothing names the arrays, so no order is guessed."""
    params = {f"layers[{i}].{n}": np.zeros((3, 3) if n == "W" else (3,)) for i in (0, 1) for n in "Wb"}
    returned = [np.ones((3, 3)), np.ones(3), np.ones((3, 3)), np.ones(3)]
    with pytest.raises(Failed, match="more than one order"):
        plan_matching("backward", returned, params)
