"""A backward pass that returns one gradient per sample of a batch, stacked along a leading axis
(``delta.reshape(b, -1, 1) @ a.reshape(b, 1, -1)``), which the code's own training step averages. The
sum of the per-sample gradients is the gradient of the batch's summed loss: compared so, and said so.
Only a stack of every parameter, of the batch's length, is read this way; any other shape is a
mismatch of that tensor's shape, as before.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.calls import PER_SAMPLE, validated_gradient
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.sentences import verdict_sentence

# sigmoid hidden layer, sigmoid output, rows of samples: delta = (a − y) ⊙ a(1 − a) is the output delta
# of ½ Σ (a − y)², back-propagated through W2 and the hidden sigmoid: the mse gradient of each sample;
# with the hidden derivative left out the hidden tensors are no loss's
STACKED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, sizes):
        rng = np.random.default_rng(1)
        self.weights = [rng.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(m) for m in sizes[1:]]

    def forward(self, x):
        self.h = sigmoid(x @ self.weights[0].T + self.biases[0])
        self.a = sigmoid(self.h @ self.weights[1].T + self.biases[1])
        return self.a

    def backprop(self, x, y):
        b = x.shape[0]
        a = self.forward(x)
        delta = (a - y) * a * (1 - a)
        g_out = delta.reshape(b, -1, 1) @ self.h.reshape(b, 1, -1)
        hidden = (delta @ self.weights[1]) * HIDDEN
        g_hidden = hidden.reshape(b, -1, 1) @ x.reshape(b, 1, -1)
        return [g_hidden, g_out], [hidden, delta]

    def train_step(self, x, y, lr):
        grad_w, grad_b = self.backprop(x, y)
        self.weights = [w - lr * g.mean(axis=0) for w, g in zip(self.weights, grad_w)]
        self.biases = [b - lr * g.mean(axis=0) for b, g in zip(self.biases, grad_b)]


net = Net([3, 4, 2])
"""


@pytest.mark.parametrize(("hidden", "identified"), [("self.h * (1 - self.h)", "mse"), ("1", None)])
def test_per_sample_gradients_are_summed_and_said_so(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "stacked.py"
    path.write_text(textwrap.dedent(STACKED).replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(f"{path}:Net.backprop"))
    result = report.result
    assert result.identified == identified, report.command
    if identified is not None:
        assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum"
        assert PER_SAMPLE in result.notes


def test_a_stack_of_only_some_parameters_is_a_shape_mismatch() -> None:
    """Two samples: a stacked weight gradient beside an unstacked bias gradient is no per-sample
    stack; the weight's shape is named."""
    params = {"W": np.zeros((3, 2)), "b": np.zeros(3)}
    grads = {"W": np.ones((2, 3, 2)), "b": np.ones(3)}
    notes: list[str] = []
    with pytest.raises(InputError, match=r"gradient of W with shape \(2, 3, 2\), expected \(3, 2\)"):
        validated_gradient("backprop", grads, params, samples=2, notes=notes)
    assert notes == []


def test_a_stack_of_every_parameter_is_summed_over_the_samples() -> None:
    params = {"W": np.zeros((3, 2)), "b": np.zeros(3)}
    rng = np.random.default_rng(0)
    grads = {"W": rng.normal(size=(4, 3, 2)), "b": rng.normal(size=(4, 3))}
    notes: list[str] = []
    out = validated_gradient("backprop", grads, params, samples=4, notes=notes)
    np.testing.assert_array_equal(out["W"], grads["W"].sum(axis=0))
    np.testing.assert_array_equal(out["b"], grads["b"].sum(axis=0))
    assert notes == [PER_SAMPLE]
    with pytest.raises(InputError, match="with shape"):  # a stack of another length is no batch's
        validated_gradient("backprop", grads, params, samples=3)


def test_a_stack_of_only_some_parameters_at_a_batch_is_a_verdict_for_one_sample(tmp_path: Path) -> None:
    """The weights' gradients stacked one per sample, the biases' summed over the batch: right at one
    sample; at a batch the weights' gradients have another shape than the weights', said with the
    shapes (the code runs: never "fails on a batch"), and the verdict is for one sample only."""
    path = tmp_path / "mixed.py"
    source = textwrap.dedent(STACKED).replace("HIDDEN", "self.h * (1 - self.h)")
    source = source.replace(
        "return [g_hidden, g_out], [hidden, delta]", "return [g_hidden, g_out], [hidden.sum(0), delta.sum(0)]"
    )
    path.write_text(source, encoding="utf-8")
    result = check_target(CheckRequest.parse(f"{path}:Net.backprop")).result
    assert result.identified == "mse"
    batch = result.verdict.batch
    assert batch is not None and batch.reduction is None and batch.first_mismatch == "weights[0]", batch
    sentence = verdict_sentence(result)
    assert "for one sample only: at a batch of" in sentence and "expected (4, 3)" in sentence, sentence
    assert "fails" not in sentence
