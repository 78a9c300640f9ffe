"""Functions handed their activation by a function of the project that makes it by name, and weight
lists run from their end (the output layer's weights first). The networks are written for the tests in
that style; their verdicts are derived by hand in the comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

# columns as samples; the forward runs the list from its end (W[-1] is the first layer) and is handed
# its activation; the backward is handed the activation's derivative, of the pre-activation. The output
# layer is linear: the output delta a − y is the gradient of ½ Σ (a − y)², averaged over the batch.
# Without the derivative in the hidden layer it is the gradient of no loss.
HANDED = """
import numpy as np


def get_activation(kind):
    if kind.lower() == "relu":
        act = lambda z: np.maximum(z, 0)
        act_der = lambda z: (z > 0) * 1.0
    elif kind.lower() == "sigmoid":
        act = lambda z: 1 / (1 + np.exp(-z))
        act_der = lambda z: act(z) * (1 - act(z))
    else:
        raise ValueError(kind)
    return act, act_der


def forward(W, X, act):
    pre, post = [None] * len(W), [None] * (len(W) + 1)
    post[-1] = X
    for i in range(len(W) - 1, -1, -1):
        pre[i] = W[i] @ post[i + 1]
        post[i] = act(pre[i]) if i else pre[i]
    return post[0], pre, post


def backward(W, pre, post, Y, act_der):
    delta = (post[0] - Y) / Y.shape[1]
    grads = [None] * len(W)
    for i in range(len(W)):
        grads[i] = delta @ post[i + 1].T
        if i + 1 < len(W):
            delta = (W[i].T @ delta) * HIDDEN
    return grads
"""


@pytest.mark.parametrize(("hidden", "identified"), [("act_der(pre[i + 1])", "mse"), ("1", None)])
def test_an_activation_a_project_function_makes_by_name_is_handed_to_the_functions(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "handed.py"
    path.write_text(HANDED.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    command = (report.command or "").replace("'\"'\"'", "'")  # as the shell reads it
    assert report.result.identified == identified, command
    assert "forward(W, x, get_activation('sigmoid')[0])" in command, command
    assert "backward(W, pre, post, y, get_activation('sigmoid')[1])" in command, command


# the same order with a bias folded into each weight matrix (a row of ones under each layer's input):
# only weights listed output layer first, (3, 6), (5, 6), (5, 5), chain; the output is linear, a − y
# is the output delta of ½ Σ (a − y)² summed over the batch, and a hidden layer without σ' is of no loss
FOLDED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(W, X):
    zs = [None] * (len(W) + 1)
    zs[-1] = np.vstack((X, np.ones((1, X.shape[1]))))
    for i in range(len(W) - 1, -1, -1):
        a = W[i] @ zs[i + 1]
        zs[i] = a if i == 0 else np.vstack((sigmoid(a), np.ones((1, a.shape[1]))))
    return zs[0], zs


def backward(W, zs, Y):
    delta = zs[0] - Y
    grads = [None] * len(W)
    for i in range(len(W)):
        grads[i] = delta @ zs[i + 1].T
        if i + 1 < len(W):
            h = zs[i + 1][:-1]
            delta = (W[i][:, :-1].T @ delta) * HIDDEN
    return grads
"""


@pytest.mark.parametrize(("hidden", "identified"), [("h * (1 - h)", "mse"), ("1", None)])
def test_a_weight_list_run_from_its_end_is_drawn_output_layer_first(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "folded.py"
    path.write_text(FOLDED.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "][::-1]" in (report.command or ""), report.command
