"""A backward pass that adds weight decay is named as the gradient of its loss plus an L2 penalty, with
the penalty's λ per tensor; a wrong backward pass is not explained away as one, nor is a decay of the
wrong sign.

The scripts are written here in the style of course code (a parameter dict, ``loss(X, y=None, reg)``
returning the loss and its gradients); λ is derived by hand in each comment.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from course_net import course_net

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.sentences import verdict_sentence
from verification.tolerances import ESTIMATE_FACTOR, tolerance_for


def write(tmp_path: Path, reg: float, hidden: str = "(1 - h ** 2)", decay: str = "2") -> Path:
    path = tmp_path / "course_net.py"
    source = course_net(repr(reg), hidden, decay)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def own_gradient(tmp_path: Path, reg: float, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The script's own gradient of ``name`` and its value, at a 4-5-3 net and 3 drawn samples."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_net", tmp_path / "course_net.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    np.random.seed(0)  # noqa: NPY002 (the script draws its weights from the global generator)
    net = module.TwoLayerNet(4, 5, 3)
    _, grads = net.loss(np.random.default_rng(0).standard_normal((3, 4)), np.array([0, 2, 1]))
    return grads[name], net.params[name]


@pytest.mark.parametrize("reg", [0.05, 1e-3])
def test_weight_decay_is_named_with_its_lambda(tmp_path: Path, reg: float) -> None:
    report = check_target(CheckRequest.parse(str(write(tmp_path, reg))))
    found = report.result.verdict.output_error
    assert report.result.identified is None
    assert found is not None and found.consistent and found.loss == "cross_entropy", found
    # λ θ is fitted within the acceptance rule, rtol (|g| + G) per element, so λ is known to about
    # rtol · 2 ‖g‖ / (λ ‖θ‖): the code's gradient is larger than its penalty term by that ratio; the
    # checker's own bound on λ (from the least-squares problem's sensitivity) must hold and be that tight
    rtol = tolerance_for(np.float64, "complex-step").rtol
    for name in ("W1", "W2"):
        g, theta = own_gradient(tmp_path, reg, name)
        expected = rtol * 2 * np.linalg.norm(g) / (2 * reg * np.linalg.norm(theta))
        value = found.penalty[f"params['{name}']"]
        assert abs(value - 2 * reg) <= found.penalty_error, (value, found.penalty_error)
        assert found.penalty_error <= ESTIMATE_FACTOR * expected * 2 * reg, (found.penalty_error, expected)
    assert found.penalty["params['b1']"] == 0.0 and found.penalty["params['b2']"] == 0.0
    sentence = verdict_sentence(report.result)
    assert "the gradient of cross_entropy plus an L2 penalty" in sentence, sentence
    assert "(none on params['b2'], params['b1'])" in sentence, sentence


def test_without_decay_the_same_code_is_the_loss_itself(tmp_path: Path) -> None:
    report = check_target(CheckRequest.parse(str(write(tmp_path, 0.0))))
    assert report.result.identified == "cross_entropy"
    assert report.result.verdict.output_error is None or not report.result.verdict.output_error.penalty


def test_a_wrong_hidden_derivative_is_not_explained_as_a_penalty(tmp_path: Path) -> None:
    # tanh' taken as 1 − h instead of 1 − h²: the layers back-propagate inconsistently, decay or not
    report = check_target(CheckRequest.parse(str(write(tmp_path, 0.05, hidden="(1 - h)"))))
    found = report.result.verdict.output_error
    assert report.result.identified is None
    assert found is not None and not found.consistent and not found.penalty, found


def test_a_decay_of_the_wrong_sign_is_no_penalty(tmp_path: Path) -> None:
    # − 2 reg W: a step along it grows the weights, the gradient of no penalty
    report = check_target(CheckRequest.parse(str(write(tmp_path, 0.05, decay="-2"))))
    found = report.result.verdict.output_error
    assert report.result.identified is None
    assert found is not None and not found.penalty, found


def test_the_json_carries_the_penalty(tmp_path: Path) -> None:
    from verification.identification.report import check_json

    report = check_target(CheckRequest.parse(str(write(tmp_path, 0.05))))
    data = json.loads(json.dumps(check_json(report)))
    names = {"params['W1']", "params['b1']", "params['W2']", "params['b2']"}
    assert set(data["output_error"]["penalty"]) == names


def test_a_loss_plus_a_penalty_that_holds_at_a_batch_is_a_success(tmp_path: Path) -> None:
    # the course code divides the data term by N and adds 2 reg W undivided: at a batch of n the
    # data term is the batch mean, and the verdict (cross-entropy plus an L2 penalty) exits 0
    report = check_target(CheckRequest.parse(str(write(tmp_path, 0.05))))
    verdict = report.result.verdict
    assert verdict.penalized and verdict.batch is not None, verdict
    assert verdict.batch.reduction == "mean", verdict.batch
    assert report.result.success
    sentence = verdict_sentence(report.result)
    assert sentence.startswith("TwoLayerNet.loss is the gradient of cross_entropy plus an L2 penalty"), (
        sentence
    )


# one sample at a time over the batch, the gradient overwritten (=) where it should be added up (+=),
# plus weight decay λ W with λ = 1/20: at one sample the gradient of mse plus ½ λ ‖W‖², at a batch the
# last sample's alone, which no loss plus a penalty gives
OVERWRITTEN = """
import numpy as np


class Net:
    def __init__(self, n_in=4, n_hidden=5, n_out=3, lam=0.05):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)
        self.lam = lam

    def forward(self, X):
        self.H = np.tanh(X @ self.W1)
        return 1 / (1 + np.exp(-(self.H @ self.W2)))

    def gradients(self, X, Y):
        out = self.forward(X)
        for i in range(len(X)):
            d2 = (out[i:i + 1] - Y[i:i + 1]) * out[i:i + 1] * (1 - out[i:i + 1])
            d1 = d2 @ self.W2.T * (1 - self.H[i:i + 1] ** 2)
            dW2 = self.H[i:i + 1].T @ d2 + self.lam * self.W2
            dW1 = X[i:i + 1].T @ d1 + self.lam * self.W1
        return {"W1": dW1, "W2": dW2}
"""


def test_a_loss_plus_a_penalty_that_fails_at_a_batch_is_no_success(tmp_path: Path) -> None:
    path = tmp_path / "overwritten.py"
    path.write_text(OVERWRITTEN, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    verdict = report.result.verdict
    assert verdict.penalized and verdict.output_error is not None and verdict.output_error.loss == "mse"
    assert verdict.batch is not None and verdict.batch.reduction == "inconsistent", verdict.batch
    assert not report.result.success
    assert "for one sample, but not for a batch" in verdict_sentence(report.result)


# the data term divided by n + 0.04 instead of n: at one sample 1/1.04 of the gradient, at a batch of n
# n/(n + 0.04) of the batch mean's, a scale that drifts with the batch (by 3 % from one sample to 4,
# more than the 1 % a scale read as the batch's reduction may differ by): neither the mean nor the sum
DRIFTING = """
import numpy as np


class Net:
    def __init__(self, n_in=3, n_hidden=5, n_out=2, lam=0.05):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)
        self.lam = lam

    def forward(self, X):
        self.H = np.tanh(X @ self.W1)
        return self.H @ self.W2

    def gradients(self, X, Y):
        out = self.forward(X)
        d2 = (out - Y) / (len(X) + 0.04)
        d1 = d2 @ self.W2.T * (1 - self.H ** 2)
        return {"W1": X.T @ d1 + self.lam * self.W1, "W2": self.H.T @ d2 + self.lam * self.W2}
"""


def test_a_penalised_scale_that_drifts_with_the_batch_size_is_no_reduction(tmp_path: Path) -> None:
    path = tmp_path / "drifting.py"
    path.write_text(DRIFTING, encoding="utf-8")
    verdict = check_target(CheckRequest.parse(str(path))).result.verdict
    assert verdict.penalized and verdict.output_error is not None and verdict.output_error.loss == "mse"
    assert verdict.batch is not None and verdict.batch.reduction == "inconsistent", verdict.batch
