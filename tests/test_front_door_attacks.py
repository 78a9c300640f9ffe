"""The front door (``verification.__all__``) attacked with bad input: each call ends in one
:class:`~ffnn.validation.InputError` of one line naming the argument, never in a raw numpy or Python
exception from inside the checker.

The table is the attack as it was run. Rows marked ``was raw`` ended in a raw exception before their
guard (``TypeError: 'NoneType' object is not callable``, ``AttributeError: 'list' object has no
attribute 'items'``, numpy's ``inhomogeneous shape``, an overflow warning, ``vars() argument must have
__dict__``, ``unhashable type: 'list'``), or, for the colliding keys, silently checked one parameter
fewer. An exception that the loss ``f`` itself raises is the caller's, and propagates unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import verification as v
from ffnn import InputError, Network, backward

W = np.array([0.5, -1.0])
P, G = {"w": W}, {"w": 2 * W}
NET = Network.initialise((3, 2), "sigmoid", seed=0)
X, Y = np.ones((1, 3)), np.array([[0.0, 1.0]])


def square(p: dict[str, Any]) -> float:
    return float(np.sum(p["w"] ** 2))


ATTACKS: list[tuple[str, Callable[[], Any], str]] = [
    # was raw: the loss is not callable
    (
        "check_gradient f=None",
        lambda: v.check_gradient(None, P, G),
        "f must be callable: the loss f(params) -> float, got None (a NoneType)",
    ),
    (
        "check_gradient f=42",
        lambda: v.check_gradient(42, P, G),
        "f must be callable: the loss f(params) -> float, got 42 (an int)",
    ),
    (
        "numeric_gradient f=None",
        lambda: v.numeric_gradient(None, P),
        "f must be callable: the loss f(params) -> float, got None (a NoneType)",
    ),
    (
        "check_directions f=None",
        lambda: v.check_directions(None, P, G),
        "f must be callable: the loss f(params) -> float, got None (a NoneType)",
    ),
    (
        "taylor_test f=None",
        lambda: v.taylor_test(None, P, G),
        "f must be callable: the loss f(params) -> float, got None (a NoneType)",
    ),
    # was raw: params not a mapping
    (  # a list is one array to check_gradient (as to scipy's check_grad), so the named gradient is wrong
        "check_gradient params=list",
        lambda: v.check_gradient(square, [W], G),
        "params is one array, so the analytic gradient must be one array too, got a mapping of ['w']",
    ),
    (  # a list is one array here too, and the loss written for a dict fails on it: said so
        "numeric_gradient params=list",
        lambda: v.numeric_gradient(square, [W]),
        "params is one array, so f is called with that array, f(x), and it raised IndexError: only "
        "integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays "
        "are valid indices",
    ),
    (
        "check_gradient params=None",
        lambda: v.check_gradient(square, None, G),
        "params must be a mapping of names to arrays (a dict) or one array, got None (a NoneType)",
    ),
    # was silent: two keys that are one name
    (
        "check_gradient keys 1 and '1'",
        lambda: v.check_gradient(square, {1: W, "1": 2 * W}, {"1": 4 * W}),
        "params has the keys 1 and '1', which both name the parameter '1': "
        "one would replace the other; give each its own name",
    ),
    # was raw: a ragged analytic gradient
    (
        "check_gradient ragged analytic",
        lambda: v.check_gradient(square, P, {"w": [[1.0], [2.0, 3.0]]}),
        "analytic gradient of w is not a numeric array: setting an array element with a sequence.",
    ),
    # was raw: a step halved past float64
    (
        "taylor_test halvings=10000",
        lambda: v.taylor_test(square, P, G, halvings=10000),
        "halvings must be at most 1000, got 10000: "
        "h₀ / 2^k leaves float64's range of normal numbers past k ≈ 1000",
    ),
    # was raw: identify of something that is not a Subject
    (
        "identify(42)",
        lambda: v.identify(42),
        "subject must be a Subject (verification.adapters.detection.adapt makes one of code), "
        "got 42 (an int)",
    ),
    (
        "identify(None)",
        lambda: v.identify(None),
        "subject must be a Subject (verification.adapters.detection.adapt makes one of code), "
        "got None (a NoneType)",
    ),
    # was raw: assert_gradient_of of a value that holds no code, or options of another type
    (
        "assert_gradient_of(42)",
        lambda: v.assert_gradient_of(42),
        "42 (an int) is not code to check: give a class, instance, method, function, Subject, or None",
    ),
    (
        "assert_gradient_of('net')",
        lambda: v.assert_gradient_of("net"),
        "'net' (a string) is not code to check: give a class, instance, method, function, Subject, or None",
    ),
    (
        "assert_gradient_of options=dict",
        lambda: v.assert_gradient_of(NET, options={"setup": "x"}),
        "options must be an Options (verification.adapters.options), got {'setup': 'x'} (a dict)",
    ),
    # was misleading: the loss was named only after detection failed for another reason
    (
        "assert_gradient_of loss='hinge'",
        lambda: v.assert_gradient_of(NET, "hinge"),
        "unknown loss 'hinge'; known losses: mse, bce, cross_entropy, poisson_nll",
    ),
    (
        "assert_gradient_of seed=-1",
        lambda: v.assert_gradient_of(NET, seed=-1),
        "seed must be a whole number ≥ 0, got -1",
    ),
    (
        "assert_gradient_of probes=0",
        lambda: v.assert_gradient_of(NET, probes=0),
        "probes must be from 2 (to tell a scale from a coincidence) to 50, got 0",
    ),
    # was raw: an unhashable id
    (
        "derive_pair(['mse'], ...)",
        lambda: v.derive_pair(["mse"], "sigmoid"),
        "unknown loss ['mse']; known losses: mse, bce, cross_entropy, poisson_nll",
    ),
    (
        "derive_pair('mse', ['sigmoid'])",
        lambda: v.derive_pair("mse", ["sigmoid"]),
        "unknown activation ['sigmoid']; "
        "known activations: identity, sigmoid, tanh, relu, softplus, exp, softmax",
    ),
    # refused before too: kept so that the table is the whole attack
    (
        "check_gradient params={}",
        lambda: v.check_gradient(square, {}, {}),
        "params is empty: give at least one named parameter array",
    ),
    (
        "check_gradient analytic=None",
        lambda: v.check_gradient(square, P, None),
        "params maps names to arrays, so the analytic gradient must be a mapping with the names ['w'], "
        "got None (a NoneType)",
    ),
    (
        "check_gradient NaN analytic",
        lambda: v.check_gradient(square, P, {"w": np.array([np.nan, 1.0])}),
        "analytic gradient of w has a non-finite value nan at index (0,)",
    ),
    (
        "check_gradient NaN params",
        lambda: v.check_gradient(square, {"w": np.array([np.nan, 1.0])}, G),
        "parameter w has a non-finite value nan at index (0,)",
    ),
    (
        "check_gradient empty array",
        lambda: v.check_gradient(square, {"w": np.array([])}, {"w": np.array([])}),
        "parameter w is empty (shape (0,))",
    ),
    (
        "check_gradient method=None",
        lambda: v.check_gradient(square, P, G, method=None),
        "method must be a string, got NoneType",
    ),
    (
        "check_gradient loss NaN",
        lambda: v.check_gradient(lambda p: float("nan"), P, G),
        "the loss returned a non-finite value nan",
    ),
    (
        "check_network loss=None",
        lambda: v.check_network(NET, X, Y, None, {}),
        "unknown loss None; known losses: mse, bce, cross_entropy, poisson_nll",
    ),
    (
        "check_network x of 4 columns",
        lambda: v.check_network(NET, np.ones((1, 4)), Y, "mse", backward(NET, X, Y, rule="chain")),
        "x must have 3 columns, got shape (1, 4)",
    ),
    (
        "check_network x=None",
        lambda: v.check_network(NET, None, Y, "mse", backward(NET, X, Y, rule="chain")),
        "x must hold numbers, got dtype object",
    ),
    (
        "check_directions directions='3'",
        lambda: v.check_directions(square, P, G, directions="3"),
        "directions must be a whole number ≥ 1, got '3' (a string)",
    ),
    (
        "taylor_test first_step=nan",
        lambda: v.taylor_test(square, P, G, first_step=float("nan")),
        "first_step must be a finite number > 0, got nan",
    ),
    # the units' front door: what is called must be callable, and something must be differentiable
    (
        "check_vjp forward=None",
        lambda: v.check_vjp(None, lambda d, c: d, {"x": np.ones(2)}),
        "forward must be callable: the pass forward(*inputs), got None (a NoneType)",
    ),
    (
        "check_vjp inputs without floats",
        lambda: v.check_vjp(lambda x: x, lambda d, c: d, {"x": "a"}),
        "inputs hold no float array to differentiate (x: 'a' (a string))",
    ),
    (
        "assert_backward_matches backward=42",
        lambda: v.assert_backward_matches(lambda x: (x, None), 42, {"x": np.ones(2)}),
        "backward must be callable: the pass backward(dout, cache), got 42 (an int)",
    ),
]


@pytest.mark.parametrize(("call", "message"), [(c, m) for _, c, m in ATTACKS], ids=[n for n, _, _ in ATTACKS])
def test_bad_input_at_the_front_door_is_one_line_naming_the_argument(
    call: Callable[[], Any], message: str
) -> None:
    with pytest.raises(InputError) as info:
        call()
    text = str(info.value)
    assert "\n" not in text, text
    assert text.startswith(message), f"got {text!r}, but should start with {message!r}"


def test_the_table_covers_every_front_door_function() -> None:
    attacked = {re.match(r"\w+", name)[0] for name, _, _ in ATTACKS}  # type: ignore[index]
    assert attacked == set(v.__all__)


def test_an_exception_of_the_loss_itself_is_the_callers_and_propagates() -> None:
    def broken(p: dict[str, Any]) -> float:
        raise ZeroDivisionError("in the caller's loss")

    with pytest.raises(ZeroDivisionError, match="in the caller's loss"):
        v.check_gradient(broken, P, G)
