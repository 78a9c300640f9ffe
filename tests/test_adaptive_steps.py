"""A training loop whose change is no gradient step: an adaptive rule (AdaGrad, RMSprop) divides the gradient
by a running scale of it, keeps that scale between steps, and is no multiple of the gradient. The
gradients the step names before it updates with them are what is checked, each with the sign it enters
the change with; a step whose update reads no such name, or a running sum (momentum's velocity), is
refused as before.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from verification.adapters.script_steps import NAMED
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.named_gradients import named_gradients

# sigmoid hidden and output layers, rows of samples; d_out = (o − t) ⊙ o(1 − o) is the output delta of
# ½ Σ (o − t)², back-propagated through the hidden sigmoid: the mse gradients g2, g1, summed over the
# batch; with the hidden derivative left out, no loss's
ADAGRAD = """
import numpy as np

rng = np.random.default_rng(4)
X = rng.normal(size=(8, 3))
T = rng.uniform(size=(8, 2))
W1 = rng.normal(size=(3, 5))
W2 = rng.normal(size=(5, 2))
rho = 0.1
s1 = np.zeros_like(W1)
s2 = np.zeros_like(W2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for epoch in range(500):
    h = sigmoid(X @ W1)
    o = sigmoid(h @ W2)
    d_out = (o - T) * o * (1 - o)
    g2 = h.T @ d_out
    g1 = X.T @ ((d_out @ W2.T) * HIDDEN)
    UPDATE
"""

RULES = {
    "adagrad": "s2 += g2 ** 2\n    W2 += -rho * g2 / (np.sqrt(s2) + 1e-8)\n"
    "    s1 += g1 ** 2\n    W1 -= rho * g1 / (np.sqrt(s1) + 1e-8)",
    "rmsprop": "s2 = 0.9 * s2 + 0.1 * g2 ** 2\n    W2 = W2 - rho * g2 / np.sqrt(s2 + 1e-8)\n"
    "    s1 = 0.9 * s1 + 0.1 * g1 ** 2\n    W1 = W1 - rho * g1 / np.sqrt(s1 + 1e-8)",
}


def _write(tmp_path: Path, rule: str, hidden: str) -> Path:
    path = tmp_path / f"{rule}.py"
    source = textwrap.dedent(ADAGRAD).replace("HIDDEN", hidden).replace("UPDATE", RULES[rule])
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize(("hidden", "identified"), [("h * (1 - h)", "mse"), ("1", None)])
def test_the_gradients_an_adaptive_step_names_are_checked(
    tmp_path: Path, rule: str, hidden: str, identified: str | None
) -> None:
    report = check_target(CheckRequest.parse(str(_write(tmp_path, rule, hidden))))
    result = report.result
    assert result.identified == identified, report.command
    assert NAMED in result.notes
    command = str(report.command)  # shell-quoted: {'W2': g2 + 0 * W2, 'W1': g1 + 0 * W1}, as applied
    assert "--gradient" in command and ": g2 + 0 * W2, " in command and ": g1 + 0 * W1}" in command, command


def test_without_the_named_gradients_an_adaptive_step_is_refused(tmp_path: Path) -> None:
    """The step alone (the recipe of named gradients not made) keeps its running scale between
    calls: refused as a step that keeps state, never read as a gradient step."""
    source = _write(tmp_path, "adagrad", "h * (1 - h)").read_text(encoding="utf-8")
    inlined = source.replace("W2 += -rho * g2", "W2 += -rho * (h.T @ d_out)")  # no name for W2's gradient
    path = tmp_path / "inlined.py"
    path.write_text(inlined, encoding="utf-8")
    with pytest.raises(Exception, match="keeps state between calls"):
        check_target(CheckRequest.parse(str(path)))


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ("w -= lr * g", {"w": "g"}),
        ("w = w - lr * g", {"w": "g"}),
        ("w += -lr * g / (np.sqrt(c) + 1e-8)", {"w": "g"}),
        ("w += lr * g", {"w": "-g"}),  # ascends along g: g is minus the gradient
        ("w = w + lr * g", {"w": "-g"}),
        ("w -= lr * v", None),  # a velocity: a running sum, at the first call a multiple of g
        ("w -= lr * g ** 2", None),  # no sign can be read
        ("w -= lr * (g - g0)", None),  # two names
    ],
)
def test_the_gradient_named_for_each_weight_and_its_sign(
    update: str, expected: dict[str, str] | None
) -> None:
    body = ast.parse(f"g = x * 2\ng0 = x\nv = 0.9 * v + g\nc += g ** 2\n{update}").body
    named = named_gradients(body, ["w"])
    assert (None if named is None else named.gradients) == expected
    if named is not None:
        assert [ast.unparse(s) for s in named.before][:2] == ["g = x * 2", "g0 = x"]


# a dropout mask on the hidden layer, drawn anew at every step from NumPy's global generator: the step
# is refused (it draws numbers anew when run again), and the gradients it names are checked with the
# forward pass drawing the same mask (every run seeded alike); the mask applied in the backward pass
# too, d_out = o − t on a softmax output is the cross-entropy gradient; the mask left out of the
# backward pass, the hidden layer's gradient is no loss's
DROPOUT = """
import numpy as np

np.random.seed(3)
X = np.random.randn(6, 4)
labels = np.random.randint(0, 3, size=6)
W1 = np.random.randn(4, 5)
W2 = np.random.randn(5, 3)
lr = 0.1


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


for epoch in range(200):
    mask = (np.random.rand(len(X), 5) > 0.3) / 0.7
    h = np.tanh(X @ W1) * mask
    o = softmax(h @ W2)
    T = np.eye(3)[labels]
    d_out = o - T
    g2 = h.T @ d_out
    g1 = X.T @ ((d_out @ W2.T) * MASKED * (1 - np.tanh(X @ W1) ** 2))
    W2 -= lr * g2
    W1 -= lr * g1
"""


@pytest.mark.parametrize(("masked", "identified"), [("mask", "cross_entropy"), ("1", None)])
def test_a_step_that_draws_a_dropout_mask_is_checked_by_the_gradients_it_names(
    tmp_path: Path, masked: str, identified: str | None
) -> None:
    path = tmp_path / "dropout.py"
    path.write_text(textwrap.dedent(DROPOUT).replace("MASKED", masked), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert NAMED in report.result.notes
