"""Arguments whose name says nothing, given the literal the file's own calls pass them, in scripts
written here in the course style of an L-layer network over a parameter dict (columns are samples).

``backward(AL, Y, caches, case)`` compares ``case`` with ``"softmax"`` and ``"sigmoid"``; the training
function calls it with ``"softmax"``. The output delta ``AL − Y`` on softmax outputs is the gradient
of cross-entropy; the step's ``/ m`` makes it the batch mean.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.adapters.call_site_literals import call_site_literals
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script

COURSE = """
import numpy as np


def init_params(dims):
    rng = np.random.default_rng(0)
    return {"W1": rng.standard_normal((dims[1], dims[0])) * 0.5, "b1": np.zeros((dims[1], 1)),
            "W2": rng.standard_normal((dims[2], dims[1])) * 0.5, "b2": np.zeros((dims[2], 1))}


def forward(X, params):
    A1 = np.tanh(params["W1"] @ X + params["b1"])
    Z2 = params["W2"] @ A1 + params["b2"]
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True), (X, A1)


def backward(AL, Y, caches, params, case):
    X, A1 = caches
    m = AL.shape[1]
    if case == "softmax":
        dZ2 = AL - Y
    elif case == "sigmoid":
        dZ2 = (AL - Y) * AL * (1 - AL)
    dZ1 = params["W2"].T @ dZ2 * (1 - A1 ** 2)
    return {"dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m,
            "dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m}


def train(X, Y, layer_dims, lr=0.1, iters=100):
    params = init_params(layer_dims)
    for _ in range(iters):
        AL, caches = forward(X, params)
        grads = backward(AL, Y, caches, params, CASE)
        for k in params:
            params[k] -= lr * grads["d" + k]
    return params
"""


def write(tmp_path: Path, case: str) -> Path:
    path = tmp_path / "course.py"
    path.write_text(textwrap.dedent(COURSE).replace("CASE", case), encoding="utf-8")
    return path


def test_an_argument_the_files_calls_pass_as_one_literal_is_given_that_literal(tmp_path: Path) -> None:
    path = write(tmp_path, '"softmax"')
    assert call_site_literals(load_script(path).get("backward")) == {"case": '"softmax"'}
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.result.notes
    assert report.command is not None and '"softmax")' in report.command, report.command


def test_an_argument_its_calls_pass_as_an_expression_is_not_guessed(tmp_path: Path) -> None:
    """``case`` handed on from a variable: no literal, so nothing is read off the calls."""
    path = write(tmp_path, "kind")
    path.write_text(
        path.read_text().replace("def train(X, Y, layer_dims,", "def train(X, Y, layer_dims, kind,")
    )
    assert call_site_literals(load_script(path).get("backward")) == {}


def test_two_calls_with_different_literals_give_no_value(tmp_path: Path) -> None:
    path = write(tmp_path, '"softmax"')
    assert call_site_literals(load_script(path).get("backward")) == {"case": '"softmax"'}  # read, kept
    path.write_text(
        path.read_text()
        + '\n\ndef other(AL, Y, caches, params):\n    return backward(AL, Y, caches, params, "sigmoid")\n'
    )
    assert call_site_literals(load_script(path).get("backward")) == {}
    with pytest.raises(InputError, match="case says nothing of its value"):
        check_target(CheckRequest.parse(f"{path}:backward"))
