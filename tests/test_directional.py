"""Directional mode: whole-tensor errors are caught with a few directions; what it misses is said in
its module docstring and shown here on purpose."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs
from verification.compare.coordinate import check_network
from verification.compare.directional import check_directions


@pytest.fixture(scope="module")
def question():  # type: ignore[no-untyped-def]
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=9)
    return net, data.x, data.y, (lambda p: net.with_parameters(p).loss(data.x, data.y, "mse"))


@pytest.mark.parametrize("method", ["auto", "central", "richardson"])
def test_right_gradient_matches(question, method: str) -> None:  # type: ignore[no-untyped-def]
    net, x, y, f = question
    report = check_directions(f, net.parameters(), backward(net, x, y, loss="mse"), method=method, seed=2)
    assert report.matches, report.format_text()
    assert report.method == ("complex-step" if method == "auto" else method)
    assert report.to_dict()["seed"] == 2 and report.directions == 4


def test_whole_tensor_errors_are_caught(question) -> None:  # type: ignore[no-untyped-def]
    net, x, y, f = question
    grads = backward(net, x, y, loss="mse")
    grads["W1"] = -grads["W1"]
    grads["W2"] = 3.0 * grads["W2"]
    report = check_directions(f, net.parameters(), grads)
    assert report.parameters["W1"].verdict == "mismatch"
    assert report.parameters["W2"].verdict == "matches up to scale"
    assert report.parameters["W2"].scale == pytest.approx(3.0, rel=report.tolerance.rtol)


def test_single_entry_error_is_diluted_by_the_size_of_the_tensor() -> None:
    """A 1e-6 error on one typical entry of n moves g·v by ≈ 1e-6 |g_i| |v_i| ≈ 1e-6 ‖g‖ / n. With
    n = 8000 that is ≈ 1e-10 ‖g‖: below the central-difference tolerance (≈ 4e-9), above the complex
    step one (≈ 2e-14). The structured coordinate mode finds it with either method."""
    rng = np.random.default_rng(0)
    net = Network.initialise((200, 40, 10), "sigmoid", seed=9, bias=True, scale=0.1)
    x, y = rng.uniform(0, 1, (4, 200)), np.eye(10)[rng.integers(0, 10, 4)]
    f = lambda p: net.with_parameters(p).loss(x, y, "mse")  # noqa: E731
    grads = backward(net, x, y, loss="mse")
    big = np.flatnonzero(np.abs(grads["W1"]) >= np.median(np.abs(grads["W1"])))
    k = int(rng.choice(big))
    grads["W1"].flat[k] *= 1 + 1e-6
    assert check_directions(f, net.parameters(), grads, method="central").matches  # the blind spot
    assert not check_directions(f, net.parameters(), grads, method="complex-step").matches
    report = check_network(net, x, y, "mse", grads, method="central")
    assert report.parameters["W1"].verdict == "mismatch" and report.parameters["W1"].flagged == 1


def test_bad_input_is_named(question) -> None:  # type: ignore[no-untyped-def]
    net, x, y, f = question
    with pytest.raises(InputError, match="directions must be a whole number ≥ 1"):
        check_directions(f, net.parameters(), backward(net, x, y, loss="mse"), directions=0)
    with pytest.raises(InputError, match="analytic gradient must have parameters"):
        check_directions(f, net.parameters(), {"W1": np.zeros((30, 5))})
