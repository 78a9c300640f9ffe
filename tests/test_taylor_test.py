"""The Taylor remainder test: slope ≈ 2 for a right gradient, ≈ 1 for a wrong one."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs
from verification.compare.taylor import taylor_test
from verification.tolerances import TAYLOR_SLOPE_THRESHOLD


@pytest.fixture(scope="module")
def question():  # type: ignore[no-untyped-def]
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=4)
    return net, data.x, data.y, (lambda p: net.with_parameters(p).loss(data.x, data.y, "mse"))


def test_right_gradient_has_slope_two(question) -> None:  # type: ignore[no-untyped-def]
    net, x, y, f = question
    result = taylor_test(f, net.parameters(), backward(net, x, y, loss="mse"), seed=1)
    assert result.verdict == "matches", result.format_text()
    # Slope 2 is the exponent of h²; the fit is over steps whose remainder is far above rounding.
    assert all(abs(s - 2) < 2 - TAYLOR_SLOPE_THRESHOLD for s in result.slopes), result.slopes
    assert result.to_dict()["seed"] == 1


@pytest.mark.parametrize(
    "plant",
    ["sign-flip", "scaled", "one-entry-1e-4", "bce-gradient"],
)
def test_wrong_gradient_has_slope_one(question, plant: str) -> None:  # type: ignore[no-untyped-def]
    net, x, y, f = question
    grads = backward(net, x, y, loss="mse")
    if plant == "sign-flip":
        grads["W2"] = -grads["W2"]
    elif plant == "scaled":
        grads = {k: 0.5 * v for k, v in grads.items()}
    elif plant.startswith("one-entry"):
        # The largest entry: along a random direction a single-entry error is diluted by √n
        # (see the module docstring), so a 1e-6 error on it is below the rounding floor.
        k = int(np.argmax(np.abs(grads["W1"])))
        grads["W1"].flat[k] *= 1 + 1e-4
    else:
        grads = backward(net, x, y, loss="bce")
    result = taylor_test(f, net.parameters(), grads, seed=1)
    assert result.verdict == "mismatch", result.format_text()
    assert all(abs(s - 1) < TAYLOR_SLOPE_THRESHOLD - 1 for s in result.slopes), result.slopes


def test_a_wrong_gradient_whose_slope_lies_between_the_orders_is_a_mismatch(question) -> None:  # type: ignore[no-untyped-def]
    """W2 off by a relative 3e-7: over the fitted steps the remainder passes from the h of the error to
    the h² of the curvature, so a slope falls between 1 and the threshold; that is still a mismatch."""
    net, x, y, f = question
    grads = backward(net, x, y, loss="mse")
    grads["W2"] = grads["W2"] * (1 + 3e-7)
    result = taylor_test(f, net.parameters(), grads, seed=1)
    assert any(1.05 < s < TAYLOR_SLOPE_THRESHOLD for s in result.slopes), result.slopes  # the harness
    assert all(s > 1.05 for s in result.slopes), result.slopes
    assert result.verdict == "mismatch", result.format_text()


def test_bad_input_is_named(question) -> None:  # type: ignore[no-untyped-def]
    net, x, y, f = question
    with pytest.raises(InputError, match="directions must be a whole number ≥ 1"):
        taylor_test(f, net.parameters(), backward(net, x, y, loss="mse"), directions=0)
    with pytest.raises(InputError, match="analytic gradient of W1 has shape"):
        taylor_test(f, net.parameters(), {"W1": np.zeros(3), "W2": np.zeros((5, 3))})
