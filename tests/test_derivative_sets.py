"""A network's gradient written as one function per parameter (``derivative_w2(Z, T, Y)``), beside a
forward function that returns the output and the hidden activation (``return Y, Z``): checked as the
dict of the functions' values, each called with its arguments by name
(:mod:`verification.adapters.derivative_sets`).

The script is written for the tests, in the style of the course code that writes networks so: a
softmax output, one sigmoid hidden layer, rows of samples, one-hot labels ``T``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ffnn.validation import InputError
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


LOOP = """
import numpy as np

FUNCTIONS

def classification_rate(Y, P):
    return np.mean(Y == P)


def main():
    X = np.random.randn(60, 4)
    Y = np.random.randint(0, 3, 60)
    N = len(Y)
    T = np.zeros((N, 3))
    for i in range(N):
        T[i, Y[i]] = 1
    W1 = np.random.randn(4, 5); b1 = np.zeros(5)
    W2 = np.random.randn(5, 3); b2 = np.zeros(3)
    learning_rate = 1e-3
    for epoch in range(1000):
        pY, Z = forward(X, W1, b1, W2, b2)
        if epoch % 100 == 0:
            print(classification_rate(Y, np.argmax(pY, axis=1)))
        STEP


main()
"""
ALL_FIRST = """gW2, gb2 = derivative_W2(Z, T, pY), derivative_b2(T, pY)
        gW1, gb1 = derivative_W1(X, Z, T, pY, W2), derivative_b1(T, pY, W2, Z)
        W2 -= learning_rate * gW2; b2 -= learning_rate * gb2
        W1 -= learning_rate * gW1; b1 -= learning_rate * gb1"""
W2_FIRST = """W2 -= learning_rate * derivative_W2(Z, T, pY)
        b2 -= learning_rate * derivative_b2(T, pY)
        W1 -= learning_rate * derivative_W1(X, Z, T, pY, W2)
        b1 -= learning_rate * derivative_b1(T, pY, W2, Z)"""


@pytest.mark.parametrize(("step", "identified"), [(ALL_FIRST, "cross_entropy"), (W2_FIRST, None)])
def test_a_loop_over_the_derivative_functions_is_read_with_the_output_they_compare(
    tmp_path: Path, step: str, identified: str | None
) -> None:
    """``pY, Z = forward(…)``: the output is ``pY``, which ``derivative_W2(Z, T, Y)`` subtracts the
    labels from, not ``Z``; the labels are ``T``, which the step reads, not the class indices ``Y`` a
    reporting block compares. Updating ``W2`` before ``W1``'s gradient reads it is no gradient step,
    and a note says the step's change is not linear in its rate."""
    functions = (
        SCRIPT.replace("ERROR", "Y - T").replace("HIDDEN", "Z * (1 - Z)").replace("import numpy as np", "")
    )
    path = tmp_path / "loop.py"
    path.write_text(LOOP.replace("FUNCTIONS", functions).replace("STEP", step), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert "; pY'" in report.command and "T = y" in report.command
    assert report.result.identified == identified
    rate_note = any("no gradient step" in n for n in report.result.notes)
    assert rate_note == (identified is None)


def test_one_function_of_the_set_named_alone_is_refused(tmp_path: Path) -> None:
    # one parameter's gradient is no loss's gradient: a driver checked in its place would put the other
    # functions, and its update order, into a verdict said of the function named
    path = tmp_path / "derivatives.py"
    path.write_text(SCRIPT.replace("ERROR", "Y - T").replace("HIDDEN", "Z * (1 - Z)"), encoding="utf-8")
    with pytest.raises(InputError, match=r"derivative_W1 returns the gradient of one parameter") as refused:
        check_target(CheckRequest.parse(f"{path}:derivative_W1"))
    assert f"check {path}" in str(refused.value.hint)
