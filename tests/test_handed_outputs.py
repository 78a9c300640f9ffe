"""A method that takes the network's output, and no call in the files to say what it is handed.

``backward(self, y_pred, y_true)`` with ``dz = y_pred − y_true`` on a forward pass that ends at the
scores is three gradients, by what its caller hands it (derived by hand for the class below, hidden
layer ``h = tanh(x W1)``, scores ``s = h W2``, ``dW2 = hᵀ dz``, ``dW1 = xᵀ (dz W2ᵀ ⊙ (1 − h²))``):

* the scores as they are: ``dz = s − y = ∂/∂s ½‖s − y‖²``, squared error;
* their sigmoid: ``dz = σ(s) − y = ∂/∂s bce(σ(s), y)``, BCE on the scores;
* their softmax: ``dz = softmax(s) − y = ∂/∂s CE(softmax(s), y)`` for one-hot ``y``, cross-entropy.

With no call of the method in the files, the check must refuse (cause ``ambiguous``) rather than print
the first; when the file's own code hands the scores as they are, squared error is the verdict.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import numpy as np
import pytest

from verification.adapters.handed_outputs import handed_as_is, handed_call, handed_step
from verification.adapters.layouts import Layout
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.setups import Ambiguous

SCORES = """
import numpy as np

class Net:
    def __init__(self, n_in=4, n_hidden=5, n_out=2):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)

    def forward(self, x):
        self.x = x
        self.h = np.tanh(x @ self.W1)
        return self.h @ self.W2

    def backward(self, y_pred, y_true):
        dz = y_pred - y_true
        dh = dz @ self.W2.T * (1 - self.h ** 2)
        return {"W1": self.x.T @ dh, "W2": self.h.T @ dz}
"""

CALLED_AS_IS = """

net = Net()
X, Y = np.random.randn(8, 4), np.random.randn(8, 2)
for epoch in range(100):
    out = net.forward(X)
    grads = net.backward(out, Y)
    net.W1 -= 0.01 * grads["W1"]
    net.W2 -= 0.01 * grads["W2"]
"""

STEP = "out = net.forward(x); net.backward(out, y)"


def test_the_output_handed_on_is_wrapped_in_the_reading_in_the_codes_own_numpy() -> None:
    assert handed_step(STEP, "net.forward(x)", "sigmoid", Layout(), {"np": np}, []) == (
        "out = net.forward(x); out = 1 / (1 + np.exp(-out)); net.backward(out, y)"
    )
    columns = handed_step(STEP, "net.forward(x)", "softmax", Layout(inputs="column"), {"numpy": np}, [])
    assert columns == (
        "out = net.forward(x); out = numpy.exp(out - numpy.max(out, axis=0, keepdims=True)); "
        "out = out / numpy.sum(out, axis=0, keepdims=True); net.backward(out, y)"
    )


def test_no_other_reading_without_numpy_a_handed_output_or_a_layout_of_samples() -> None:
    assert handed_step(STEP, "net.forward(x)", "sigmoid", Layout(), {}, []) is None
    assert handed_step("net.backward(x, y)", "net.forward(x)", "sigmoid", Layout(), {"np": np}, []) is None
    assert handed_step(STEP, "net.forward(x)", "softmax", Layout(inputs="list"), {"np": np}, []) is None


@pytest.mark.parametrize(
    "caller, as_is",
    [
        ("net.backward(net.forward(X), Y)", True),
        ("def train(self, x, y):\n    o = self.forward(x)\n    self.backward(o, y)", True),
        ("o = net.forward(X)\nnet.backward(sigmoid(o), Y)", False),
        ("def fit(self, x, y):\n    o = self.forward(x)\ndef other(o, y):\n    net.backward(o, y)", False),
        ("net.backward(Y, net.forward(X))", False),
    ],
)
def test_the_codes_own_calls_say_whether_the_output_is_handed_as_it_is(caller: str, as_is: bool) -> None:
    assert handed_call(STEP, "net") == ("backward", 0)
    assert handed_call("out = net.forward(x); net.backward(x, np.subtract(out, y))", "net") is None
    assert handed_as_is([ast.parse(caller)], "backward", 0, "forward") is as_is


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_scores_handed_to_a_method_no_file_calls_are_refused_as_ambiguous(tmp_path: Path) -> None:
    with pytest.raises(Ambiguous) as caught:
        check_target(CheckRequest.parse(write(tmp_path, SCORES)))
    found = {
        a.option.split(" --")[0] + (" handed" if "--gradient" in a.option else ""): a.verdict
        for a in caught.value.alternatives
    }
    assert found["as detected"] == "mse", found
    assert found["--output sigmoid handed"] == "bce", found
    assert found["--output softmax handed"] == "cross_entropy", found
    assert (found["--output sigmoid"], found["--output softmax"]) == ("none", "none"), found
    hint = caught.value.hint or ""
    assert "--output" in hint and "out = net.forward(x); out = " in hint, hint
    assert hint.endswith("; --output as-is keeps the reading as detected"), hint


def test_scores_the_files_own_loop_hands_as_they_are_are_read_so(tmp_path: Path) -> None:
    report = check_target(CheckRequest.parse(write(tmp_path, SCORES + CALLED_AS_IS)))
    assert report.result.identified == "mse", report.result.notes


def test_the_option_of_a_handed_reading_of_a_step_carries_its_learning_rate(tmp_path: Path) -> None:
    """The update in place at ``self.lr``: the option printed repeats the rate detection found, so that
    typing it checks the same step at the same scale."""
    stepping = SCORES.replace(
        '        return {"W1": self.x.T @ dh, "W2": self.h.T @ dz}',
        "        self.W1 -= self.lr * self.x.T @ dh\n        self.W2 -= self.lr * self.h.T @ dz",
    ).replace(
        "        self.W2 = np.random.randn(n_hidden, n_out)",
        "        self.W2 = np.random.randn(n_hidden, n_out)\n        self.lr = 0.1",
    )
    with pytest.raises(Ambiguous) as caught:
        check_target(CheckRequest.parse(write(tmp_path, stepping)))
    handed = [a.option for a in caught.value.alternatives if "--step" in a.option]
    assert handed and all(o.endswith(" --lr net.lr") for o in handed), handed


def test_scores_handed_as_they_are_under_the_softmax_reading_are_not_called_only_inconsistent(
    tmp_path: Path,
) -> None:
    """``--output softmax`` with the scores handed as they are: the code back-propagates ``s − y`` at the
    scores, which no error of the softmax output gives (the softmax's Jacobian sends the ones per sample
    to zero, and ``s − y`` does not sum to zero), so no output error explains the tensors; the report
    says that this, and not only an inconsistent backward pass, can be why."""
    from verification.adapters.options import Options
    from verification.identification.report import format_check

    report = check_target(CheckRequest.parse(write(tmp_path, SCORES), options=Options(output="softmax")))
    assert report.result.identified is None, report.command
    text = " ".join(format_check(report, width=400).split())
    assert "an error of the scores that does not sum to zero per sample (s − y handed on as it is)" in text, (
        text
    )
