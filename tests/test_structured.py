"""Structured coordinate mode: the vectorised shifts give the plain loop's losses to rounding, hence the
same gradients within the methods' own error estimates, and the checker built on it finds planted
errors and kinks the same way."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward
from verification.compare.coordinate import check_network
from verification.numeric.methods import METHODS
from verification.numeric.network_evaluator import NetworkEvaluator, loop_evaluator
from verification.tolerances import ESTIMATE_FACTOR, tolerance_for

CASES = {
    "tanh-sigmoid-mse-bias": ((4, 3, 2), ("tanh", "sigmoid"), True, "mse"),
    "sigmoid-softplus-softmax-ce-bias": (
        (3, 4, 5, 3),
        ("sigmoid", "softplus", "softmax"),
        True,
        "cross_entropy",
    ),
    "sigmoid-bce-single-layer": ((3, 2), ("sigmoid",), False, "bce"),
    "exp-poisson": ((2, 3, 2), ("tanh", "exp"), True, "poisson_nll"),
}


def _case(key: str, seed: int = 5) -> tuple[Network, np.ndarray, np.ndarray, str]:
    sizes, acts, bias, loss = CASES[key]
    rng = np.random.default_rng(seed)
    net = Network.initialise(sizes, acts, seed=seed, bias=bias, scale=0.5)
    x = rng.standard_normal((4, sizes[0]))
    if loss == "cross_entropy":
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 4)]
    elif loss == "poisson_nll":
        y = rng.poisson(1.0, (4, sizes[-1])).astype(float)
    else:
        y = rng.uniform(0, 1, (4, sizes[-1]))
    return net, x, y, loss


@pytest.mark.parametrize("key", CASES)
def test_shifted_losses_equal_the_loop_to_rounding(key: str) -> None:
    net, x, y, loss = _case(key)
    fast, slow = NetworkEvaluator(net, x, y, loss), loop_evaluator(net, x, y, loss)
    rounding = tolerance_for(np.float64, "rounding").rtol
    assert fast.value == pytest.approx(slow.value, rel=rounding, abs=0)
    rng = np.random.default_rng(0)
    for name, w in fast.params.items():
        flat = np.arange(w.size)
        for delta in (rng.standard_normal(w.size) * 0.1, 1j * rng.uniform(1e-20, 1e-10, w.size)):
            a, b = fast.shifted(name, flat, delta), slow.shifted(name, flat, delta)
            np.testing.assert_allclose(a.real, b.real, rtol=rounding, atol=0, err_msg=f"{key} {name}")
            np.testing.assert_allclose(
                a.imag,
                b.imag,
                rtol=rounding,
                atol=rounding * np.max(np.abs(b.imag)),
                err_msg=f"{key} {name} imaginary part",
            )


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("key", CASES)
def test_every_scheme_agrees_with_the_loop_within_its_error_estimate(key: str, method: str) -> None:
    net, x, y, loss = _case(key)
    fast = METHODS[method](NetworkEvaluator(net, x, y, loss))
    slow = METHODS[method](loop_evaluator(net, x, y, loss))
    floor = tolerance_for(np.float64, "rounding").rtol
    for name in slow.gradient:
        g_fast, g_slow = fast.gradient[name], slow.gradient[name]
        allowed = ESTIMATE_FACTOR * (fast.error_estimate[name] + slow.error_estimate[name])
        allowed = allowed + floor * np.max(np.abs(g_slow))
        assert np.all(np.abs(g_fast - g_slow) <= allowed), (key, method, name)
        np.testing.assert_array_equal(fast.step[name], slow.step[name])
    assert fast.evaluations == slow.evaluations


@pytest.mark.parametrize("key", CASES)
def test_exact_backprop_matches_in_structured_mode(key: str) -> None:
    net, x, y, loss = _case(key)
    report = check_network(net, x, y, loss, backward(net, x, y, loss=loss))
    assert report.mode == "structured" and report.method == "complex-step"
    assert report.matches and report.verdict == "matches", report.format_text()


@pytest.mark.parametrize("size", [1e-4, 1e-6])
def test_planted_error_on_one_entry_is_found(size: float) -> None:
    net, x, y, loss = _case("tanh-sigmoid-mse-bias")
    grads = backward(net, x, y, loss=loss)
    k = int(np.argmax(np.abs(grads["b1"])))
    grads["b1"].flat[k] *= 1 + size
    report = check_network(net, x, y, loss, grads)
    assert report.parameters["b1"].verdict == "mismatch" and report.parameters["b1"].flagged == 1
    assert report.parameters["b1"].worst[0].index == (k,)
    assert all(report.parameters[n].verdict == "matches" for n in ("W1", "W2", "b2"))


def test_transposed_and_scaled_gradients() -> None:
    net = Network.initialise((3, 3, 2), "tanh", seed=2, bias=True)
    x, y = np.array([[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]]), np.array([[0.2, -0.3], [0.5, 0.1]])
    grads = backward(net, x, y, loss="mse")
    grads["W1"] = grads["W1"].T.copy()
    grads["W2"] = 0.5 * grads["W2"]
    report = check_network(net, x, y, "mse", grads)
    assert report.parameters["W1"].verdict == "mismatch"
    assert report.parameters["W2"].verdict == "matches up to scale"
    assert report.parameters["W2"].scale == pytest.approx(0.5, rel=report.tolerance.rtol)


def test_relu_kink_is_found_in_structured_mode() -> None:
    x, y = np.array([[1.0, 2.0, 0.0]]), np.array([[1.0, 0.0]])
    net = Network.initialise((3, 4, 2), ("relu", "sigmoid"), seed=11)
    w1 = net.weights[0].copy()
    w1[:, 0] = [2.0, -1.0, 0.5]
    net = Network([w1, net.weights[1]], net.activations)
    report = check_network(net, x, y, "mse", backward(net, x, y, loss="mse"))
    assert report.method == "richardson" and report.parameters["W1"].verdict == "kink", report.format_text()


def test_unknown_parameter_is_named() -> None:
    net, x, y, loss = _case("sigmoid-bce-single-layer")
    with pytest.raises(InputError, match="unknown parameter 'W7'"):
        NetworkEvaluator(net, x, y, loss).shifted("W7", np.array([0]), np.array([0.1]))
