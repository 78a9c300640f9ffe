"""Richardson extrapolation: more accurate than central differences, with an error estimate that
bounds the true error."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs
from verification.compare.coordinate import check_gradient
from verification.compare.rule import relative_error
from verification.numeric.methods import numeric_gradient
from verification.numeric.richardson import richardson_derivative, tableau
from verification.tolerances import ESTIMATE_FACTOR, RICHARDSON_LEVELS, tolerance_for


def test_tableau_is_exact_for_even_polynomials_in_h() -> None:
    """D(h) = 1 + h² + h⁴ + h⁶ is extrapolated to 1 exactly by K = 4 levels (powers up to 2K − 2)."""
    h = 0.1 / 2.0 ** np.arange(RICHARDSON_LEVELS)
    table, _ = tableau(1 + h**2 + h**4 + h**6)
    assert table[-1, -1] == pytest.approx(1.0, abs=16 * np.finfo(np.float64).eps)


def test_question_gradient_is_accurate_and_estimated() -> None:
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=2)
    f = lambda p: net.with_parameters(p).loss(data.x, data.y, "bce")  # noqa: E731
    exact = backward(net, data.x, data.y, loss="bce")
    num = numeric_gradient(f, net.parameters(), "richardson")
    assert num.method == "richardson" and num.evaluations == 1 + 2 * RICHARDSON_LEVELS * 165
    floor = tolerance_for(np.float64, "rounding").rtol
    for name, g in exact.items():
        assert relative_error(num.gradient[name], g) <= tolerance_for(np.float64, "richardson").rtol
        err = np.abs(num.gradient[name] - g)
        assert np.all(err <= ESTIMATE_FACTOR * num.error_estimate[name] + floor * np.max(np.abs(g))), name


@pytest.mark.parametrize("plant", ["1e-4", "1e-6"])
def test_planted_entry_is_found(plant: str) -> None:
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=2)
    f = lambda p: net.with_parameters(p).loss(data.x, data.y, "mse")  # noqa: E731
    grads = backward(net, data.x, data.y, loss="mse")
    k = int(np.argmax(np.abs(grads["W2"])))
    grads["W2"].flat[k] *= 1 + float(plant)
    report = check_gradient(f, net.parameters(), grads, method="richardson")
    assert report.parameters["W2"].verdict == "mismatch" and report.parameters["W2"].flagged == 1


def test_scalar_helper() -> None:
    value, estimate = richardson_derivative(np.sin, 0.3, 0.05)
    assert abs(value - np.cos(0.3)) <= ESTIMATE_FACTOR * estimate
    with pytest.raises(InputError, match="need h0 > 0"):
        richardson_derivative(np.sin, 0.3, 0.0)


def test_the_entry_with_the_smallest_score_is_taken_not_the_last() -> None:
    """Central differences exact in ``h²`` except the last (smallest) step, spoiled as rounding spoils
    it: the tableau's entries from the clean rows score zero and give the derivative exactly, while
    the last entry, ``T[K−1][K−1]``, carries the spoiled value."""
    from verification.numeric.richardson import extrapolate, tableau

    levels = 4
    steps = 0.1 / 2.0 ** np.arange(levels)
    d = 1.0 + 3.0 * steps**2
    d[-1] += 1e-4
    value, estimate = extrapolate(d[:, None], steps[:, None], np.array([1.0]), 2.0**-52)
    last = tableau(d)[0][levels - 1, levels - 1]
    assert abs(last - 1.0) > 1e-5, "harness: the spoiled level must spoil the last entry"
    assert abs(value[0] - 1.0) < 1e-12, f"got {value[0]!r}, but should be 1 (a clean row's entry)"
    assert estimate[0] < 1e-12, f"got the estimate {estimate[0]:.1e}, but a clean entry scores 0"
