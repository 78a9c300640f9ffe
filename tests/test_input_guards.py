"""Public entry points refuse what they would otherwise turn silently into another question: complex
parameters whose imaginary part would be dropped, loss values that ``float()`` happens to accept, layer
sizes and counts that are strings, floats or bools. Each refusal is one line naming the argument."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs, train_sgd
from verification.compare.coordinate import check_gradient, check_network
from verification.compare.directional import check_directions
from verification.compare.taylor import taylor_test
from verification.numeric.evaluators import LoopEvaluator
from verification.numeric.methods import numeric_gradient
from verification.tolerances import tolerance_for

W = {"w": np.array([0.5, -1.0])}
GRAD = {"w": 2 * W["w"]}


def square(p: dict[str, Any]) -> float:
    return float(np.sum(p["w"] ** 2))


def one_line(error: pytest.ExceptionInfo[InputError]) -> str:
    text = str(error.value)
    assert "\n" not in text, f"message is not one line: {text!r}"
    return text


COMPLEX_PARAMS = {"w": np.array([0.5 + 1e-3j, -1.0])}


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_gradient(square, COMPLEX_PARAMS, GRAD),
        lambda: numeric_gradient(square, COMPLEX_PARAMS),
        lambda: LoopEvaluator(square, COMPLEX_PARAMS),
        lambda: check_directions(square, COMPLEX_PARAMS, GRAD),
        lambda: taylor_test(square, COMPLEX_PARAMS, GRAD),
    ],
    ids=["check_gradient", "numeric_gradient", "LoopEvaluator", "check_directions", "taylor_test"],
)
def test_complex_parameters_are_refused_not_cut_to_their_real_part(call: Any) -> None:
    with pytest.raises(InputError, match=r"parameter w is complex \(dtype complex128\); expected real") as e:
        call()
    assert "imaginary part would be dropped" in one_line(e)
    assert e.value.hint is not None and "np.real" in e.value.hint


def test_network_set_for_a_complex_step_is_refused_by_the_structured_check() -> None:
    net = Network.initialise((2, 2), "sigmoid", seed=0)
    complex_net = Network([w + 1e-3j for w in net.weights], net.activations)
    x, y = np.ones((1, 2)), np.full((1, 2), 0.5)
    with pytest.raises(InputError, match=r"parameter W1 is complex"):
        check_network(complex_net, x, y, "mse", {"W1": np.zeros((2, 2))})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.complex128(2.0 + 0j), r"returned the complex number \(2\+0j\) at real parameters; expected a"),
        (2.0 + 0j, r"returned the complex number"),
        (np.array([2.0 + 0j]), r"returned the complex number"),
        ("2.5", r"returned a string \('2\.5'\); expected a real scalar"),
        (True, r"returned a bool \(True\); expected a real scalar"),
        (np.bool_(False), r"returned a bool"),
        (np.ones(3), r"returned an array of shape \(3,\); expected a real scalar"),
        (np.ones((2, 2)), r"returned an array of shape \(2, 2\)"),
        (np.array([], dtype=float), r"returned an array of shape \(0,\)"),
        (np.array(["1"]), r"returned an array of dtype <U1"),
        (None, r"the loss returned None \(a NoneType\); expected a real scalar"),
    ],
    ids=[
        "np-complex",
        "complex",
        "complex-array",
        "numeric-str",
        "bool",
        "np-bool",
        "size-3",
        "2x2",
        "empty",
        "str-array",
        "none",
    ],
)
def test_loss_values_float_would_accept_are_refused(value: Any, message: str) -> None:
    with pytest.raises(InputError, match=message) as e:
        check_gradient(lambda p: value, W, GRAD)
    one_line(e)


@pytest.mark.parametrize(
    "value", [np.float32(1.5), np.array([[1.5]]), np.array(1.5), 3, np.int64(3)], ids=repr
)
def test_real_scalars_and_one_element_arrays_are_accepted(value: Any) -> None:
    assert LoopEvaluator(lambda p: value, W).value == float(np.asarray(value).reshape(-1)[0])


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ("32", r"sizes must be a sequence of layer widths such as \(30, 5, 3\), got '32' \(a string\)"),
        (32, r"sizes must be a sequence of layer widths .* got 32 \(an int\)"),
        ((2.5, 3), r"sizes\[0\] \(a layer width\) must be a whole number ≥ 1, got 2\.5 \(a float\)"),
        ((True, 2), r"sizes\[0\] \(a layer width\) must be a whole number ≥ 1, got True \(a bool\)"),
        ((3, 0), r"sizes\[1\] \(a layer width\) must be a whole number ≥ 1, got 0"),
        ((3, -1), r"sizes\[1\] \(a layer width\) must be a whole number ≥ 1, got -1"),
        ((3, "2"), r"sizes\[1\] .* got '2' \(a string\)"),
        ((3,), r"at least two layer widths ≥ 1, got \[3\]"),
    ],
    ids=["string", "int", "float", "bool", "zero", "negative", "string-entry", "one-size"],
)
def test_layer_sizes_must_be_whole_numbers_of_at_least_one(sizes: Any, message: str) -> None:
    with pytest.raises(InputError, match=message) as e:
        Network.initialise(sizes, "sigmoid", seed=0)
    one_line(e)


def test_numpy_integer_sizes_are_layer_widths() -> None:
    assert Network.initialise(np.array([3, 2]), "sigmoid", seed=0).sizes == (3, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bias": "yes"}, r"bias must be True or False, got 'yes' \(a string\)"),
        ({"scale": "1"}, r"scale must be a finite number, got '1' \(a string\)"),
        ({"scale": np.nan}, r"scale must be a finite number, got nan"),
    ],
    ids=["bias-string", "scale-string", "scale-nan"],
)
def test_initialise_options_are_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Network.initialise((3, 2), "sigmoid", seed=0, **kwargs)


def test_weights_given_as_lists_of_lists_are_float_matrices() -> None:
    net = Network([[[1, 0], [0, 1], [1, 1]]], "identity", [[0, 1]])
    assert net.weights[0].dtype == np.float64 and net.sizes == (3, 2)
    assert net.biases is not None and net.biases[0].dtype == np.float64
    assert net.activations == ("identity",)
    np.testing.assert_array_equal(net.forward(np.ones((1, 3))).output, [[2.0, 3.0]])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Network([[["a", "b"]]], ("sigmoid",)), r"W1 must hold real numbers, got dtype <U1"),
        (lambda: Network([[[1.0], [2.0, 3.0]]], ("sigmoid",)), r"W1 is not a numeric array"),
        (lambda: Network(np.ones((2, 2)), ("sigmoid",)), r"weights must be a list with one array per"),
        (lambda: Network([np.ones((2, 2))], ("sigmoid",), [[True, False]]), r"b1 must hold real numbers"),
    ],
    ids=["strings", "ragged", "one-array", "bool-bias"],
)
def test_bad_weight_containers_are_named(make: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 2.5}, r"epochs must be a whole number ≥ 0, got 2\.5 \(a float\)"),
        ({"epochs": True}, r"epochs must be a whole number ≥ 0, got True \(a bool\)"),
        ({"learning_rate": "0.1"}, r"learning_rate must be a finite number > 0, got '0\.1' \(a string\)"),
        ({"learning_rate": True}, r"learning_rate must be a finite number > 0, got True \(a bool\)"),
    ],
    ids=["epochs-float", "epochs-bool", "lr-string", "lr-bool"],
)
def test_training_counts_and_rates_are_checked(kwargs: dict[str, Any], message: str) -> None:
    data = load_glyphs()
    with pytest.raises(InputError, match=message):
        train_sgd(Network.initialise((30, 5, 3), "sigmoid", seed=0), data.x, data.y, **kwargs)


def test_train_sgd_and_backward_need_a_network() -> None:
    with pytest.raises(InputError, match=r"network must be an ffnn\.Network, got 'net' \(a string\)"):
        train_sgd("net", np.ones((1, 2)), np.ones((1, 2)))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"network must be an ffnn\.Network, got \[\] \(a list\)"):
        backward([], np.ones((1, 2)), np.ones((1, 2)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"directions": 2.5}, r"directions must be a whole number ≥ 1, got 2\.5 \(a float\)"),
        ({"directions": True}, r"directions must be a whole number ≥ 1, got True \(a bool\)"),
        ({"directions": 0}, r"directions must be a whole number ≥ 1, got 0"),
        ({"seed": -1}, r"seed must be a whole number ≥ 0, got -1"),
    ],
    ids=["float", "bool", "zero", "seed"],
)
def test_check_directions_counts_are_whole_numbers(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_directions(square, W, GRAD, **kwargs)


def test_complex_analytic_gradients_are_refused_by_the_directional_and_taylor_checks() -> None:
    grad = {"w": GRAD["w"] + 1e-3j}
    for check in (check_directions, taylor_test):
        with pytest.raises(InputError, match=r"analytic gradient of w is complex"):
            check(square, W, grad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"directions": 1.5}, r"directions must be a whole number ≥ 1, got 1\.5 \(a float\)"),
        ({"halvings": True}, r"halvings must be a whole number ≥ 2, got True \(a bool\)"),
        ({"halvings": 1}, r"halvings must be a whole number ≥ 2, got 1"),
        ({"first_step": 0.0}, r"first_step must be a finite number > 0, got 0\.0"),
        ({"first_step": "0.1"}, r"first_step must be a finite number > 0, got '0\.1' \(a string\)"),
    ],
    ids=["directions-float", "halvings-bool", "halvings-one", "step-zero", "step-string"],
)
def test_taylor_test_settings_are_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        taylor_test(square, W, GRAD, **kwargs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None, "central"), r"dtype must be a dtype such as np\.float64, got None"),
        (("float6", "central"), r"dtype must be a dtype .* got 'float6' \(a string\)"),
        ((np.float64, 3), r"method must be a string such as 'central', got 3 \(an int\)"),
        ((np.complex128, "central"), r"no tolerance for dtype complex128 with method 'central'"),
        ((np.float64, "central", "floatX"), r"analytic_dtype must be a dtype"),
    ],
    ids=["none", "typo", "method-int", "complex", "analytic-typo"],
)
def test_tolerance_for_names_what_it_has_no_entry_for(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        tolerance_for(*args)


def test_backward_of_a_network_from_lists_is_the_same_as_from_arrays() -> None:
    net = Network.initialise((3, 2), "sigmoid", seed=0)
    listed = Network([w.tolist() for w in net.weights], "sigmoid")
    x, y = np.ones((1, 3)), np.full((1, 2), 0.5)
    np.testing.assert_array_equal(
        backward(listed, x, y, loss="mse")["W1"], backward(net, x, y, loss="mse")["W1"]
    )
