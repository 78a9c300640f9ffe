"""Functions over a list of parameters, as a course's template asks for them: ``create_classifier(in_dim,
hid_dim, out_dim)`` returns ``[W, b, U, b_tag]``, ``classifier_output(x, params)`` the softmax of one
sample, ``predict`` its argmax, and ``loss_and_gradients(x, y, params)`` the loss and the gradients for a
class index ``y``. Checked alone, ``loss_and_gradients`` is a unit whose ``params`` nothing explains; the
file is then checked as the network the builder makes, the list kept whole (``params`` unpacked by the
forward, not by the setup), and the forward named for the output tried after ``predict``.

The file is written for the test; its verdicts are derived in its comments."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.request import CheckRequest
from verification.runs.jobs import check as check_job

# −log softmax(U tanh(Wx + b) + b')_y: the gradient at the scores is p − e_y, so gU = (p − e_y) hᵀ,
# gb' = p − e_y, and below them the tanh's 1 − h²: cross-entropy (which poisson_nll equals on a
# softmax). The bug replaces the hidden layer's 1 − h² by 1 − h: the gradient of no loss.
TEMPLATE = """
import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum()


def classifier_output(x, params):
    W, b, U, b_tag = params
    return softmax(U @ np.tanh(W @ x + b) + b_tag)


def predict(x, params):
    return np.argmax(classifier_output(x, params))


def loss_and_gradients(x, y, params):
    W, b, U, b_tag = params
    h = np.tanh(W @ x + b)
    probs = softmax(U @ h + b_tag)
    loss = -np.log(probs[y])
    d_out = probs.copy()
    d_out[y] -= 1
    d_hidden = (U.T @ d_out) * (1 - h ** DERIVATIVE)
    return loss, [np.outer(d_hidden, x), d_hidden, np.outer(d_out, h), d_out]


def create_classifier(in_dim, hid_dim, out_dim):
    W = np.random.randn(hid_dim, in_dim) * 0.5
    b = np.zeros(hid_dim)
    U = np.random.randn(out_dim, hid_dim) * 0.5
    b_tag = np.zeros(out_dim)
    params = [W, b, U, b_tag]
    return params
"""


def checked(path: Path) -> dict:
    """The JSON of ``backprop-verify check PATH --json``, the job run in this process (the folder it puts
    on ``sys.path`` taken back)."""
    before = list(sys.path)
    try:
        return check_job(CheckRequest.parse(str(path)).to_json())["json"]
    finally:
        sys.path[:] = before


@pytest.mark.parametrize(("derivative", "identified"), [("2", "cross_entropy"), ("1", None)])
def test_a_gradient_function_of_a_builders_parameter_list_is_checked_as_its_network(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "mlp1.py"
    path.write_text(TEMPLATE.replace("DERIVATIVE", derivative), encoding="utf-8")
    shown = checked(path)
    assert "units" not in shown, shown
    assert shown["identified"] == identified
    assert len(shown["parameters"]) == 4  # W, b, U, b_tag: every entry of the list
    assert shown["recipe"]["forward"] == "classifier_output(x, parameters)"


def test_gradients_returned_out_of_the_lists_order_are_refused_not_paired_by_shape(tmp_path: Path) -> None:
    """``[gU, gb_tag, gW, gb]`` for ``[W, b, U, b_tag]``: every array has some parameter's shape, and
    paired by shape the verdict was cross-entropy; a caller that steps ``params[k]`` by ``grads[k]``
    breaks on it (or, where the shapes broadcast, corrupts the weights)."""
    path = tmp_path / "mlp1.py"
    swapped = TEMPLATE.replace("DERIVATIVE", "2").replace(
        "[np.outer(d_hidden, x), d_hidden, np.outer(d_out, h), d_out]",
        "[np.outer(d_out, h), d_out, np.outer(d_hidden, x), d_hidden]",
    )
    path.write_text(swapped, encoding="utf-8")
    with pytest.raises(InputError, match="not in the list's order: parameters\\[0\\]"):
        checked(path)
