"""A network's gradient written as one function per parameter (``derivative_w2(Z, T, Y)``), beside a
forward function that returns the output and the hidden activation (``return Y, Z``): checked as the
dict of the functions' values, each called with its arguments by name
(:mod:`verification.adapters.derivative_sets`).

The script is written for the tests, in the style of the course code that writes networks so: a
softmax output, one sigmoid hidden layer, rows of samples, one-hot labels ``T``."""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

SCRIPT = """
import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def forward(X, W1, b1, W2, b2):
    Z = sigmoid(X.dot(W1) + b1)
    A = Z.dot(W2) + b2
    expA = np.exp(A - A.max(axis=1, keepdims=True))
    Y = expA / expA.sum(axis=1, keepdims=True)
    return Y, Z


def derivative_W2(Z, T, Y):
    return Z.T.dot(ERROR)


def derivative_b2(T, Y):
    return (ERROR).sum(axis=0)


def derivative_W1(X, Z, T, Y, W2):
    return X.T.dot((ERROR).dot(W2.T) * HIDDEN)


def derivative_b1(T, Y, W2, Z):
    return ((ERROR).dot(W2.T) * Z * (1 - Z)).sum(axis=0)
"""


def _check(tmp_path: Path, error: str = "Y - T", hidden: str = "Z * (1 - Z)", drop: str = "") -> object:
    text = SCRIPT.replace("ERROR", error).replace("HIDDEN", hidden)
    if drop:
        text = text[: text.index(f"def {drop}(")]
    path = tmp_path / "derivatives.py"
    path.write_text(text, encoding="utf-8")
    return check_target(CheckRequest.parse(str(path))).result


def test_the_dict_of_derivative_functions_is_checked_and_identified(tmp_path: Path) -> None:
    result = _check(tmp_path)
    assert result.subject == "the dict of derivative_W2, derivative_b2, derivative_W1, derivative_b1"
    assert result.identified == "cross_entropy" and result.success
    assert sorted(result.backward_order) == ["W1", "W2", "b1", "b2"]


def test_functions_of_the_log_likelihood_are_minus_the_gradient(tmp_path: Path) -> None:
    # the lineage's own sign: T − Y, which its training loop adds (gradient ascent)
    result = _check(tmp_path, error="T - Y")
    assert result.identified is None and not result.success
    found = result.verdict.output_error
    assert found.loss == "cross_entropy" and found.loss_scale == pytest.approx(-1.0, rel=1e-9)


def test_a_hidden_derivative_left_out_is_no_gradient(tmp_path: Path) -> None:
    result = _check(tmp_path, hidden="1")
    assert result.identified is None and not result.success


def test_a_parameter_with_no_derivative_function_is_left_out_not_passed(tmp_path: Path) -> None:
    result = _check(tmp_path, drop="derivative_b1")
    assert result.identified is None and not result.success
