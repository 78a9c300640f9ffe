"""The checker must be able to fail: planted errors are rejected, correct gradients accepted, and its
report points at the planted entry. Thresholds come from the tolerance table, never from here."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs
from verification.compare.coordinate import check_gradient
from verification.compare.rule import allowance, relative_error
from verification.numeric.differences import central_difference
from verification.tolerances import ESTIMATE_FACTOR, Tolerance, tolerance_for

SEED = 7


@pytest.fixture(scope="module")
def question() -> tuple[Network, np.ndarray, np.ndarray]:
    """The question's network and glyph A as a one-sample batch."""
    data = load_glyphs()
    return Network.initialise((30, 5, 3), "sigmoid", seed=SEED), data.x[:1], data.y[:1]


def _loss(net: Network, x: np.ndarray, y: np.ndarray, loss: str = "mse"):  # type: ignore[no-untyped-def]
    return lambda p: net.with_parameters(p).loss(x, y, loss)


def _check(question, grads):  # type: ignore[no-untyped-def]
    net, x, y = question
    return check_gradient(_loss(net, x, y), net.parameters(), grads, method="central")


def _exact(question) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    net, x, y = question
    return backward(net, x, y, loss="mse")


def test_correct_gradient_matches(question) -> None:  # type: ignore[no-untyped-def]
    report = _check(question, _exact(question))
    assert report.matches, report.format_text()
    assert all(p.flagged == 0 and p.verdict == "matches" for p in report.parameters.values())
    assert report.max_relative_error <= tolerance_for(np.float64, "central").rtol


@pytest.mark.parametrize("name", ["W1", "W2"])
@pytest.mark.parametrize("size", [1e-4, 1e-6])
def test_planted_relative_error_on_one_entry_is_found(question, name: str, size: float) -> None:  # type: ignore[no-untyped-def]
    grads = _exact(question)
    # The entry with the largest magnitude, so that `size` relative is far above the numeric error.
    index = np.unravel_index(np.argmax(np.abs(grads[name])), grads[name].shape)
    grads[name][index] *= 1 + size
    report = _check(question, grads)
    bad = report.parameters[name]
    assert not report.matches and bad.verdict == "mismatch", report.format_text()
    assert bad.flagged == 1 and bad.worst[0].index == tuple(int(i) for i in index), report.format_text()
    other = "W2" if name == "W1" else "W1"
    assert report.parameters[other].verdict == "matches"


def test_sign_flip_is_a_mismatch_with_scale_minus_one(question) -> None:  # type: ignore[no-untyped-def]
    grads = _exact(question)
    grads["W2"] = -grads["W2"]
    p = _check(question, grads).parameters["W2"]
    assert p.verdict == "mismatch"
    assert p.cosine == pytest.approx(-1.0, abs=tolerance_for(np.float64, "central").rtol)
    assert p.scale == pytest.approx(-1.0, rel=tolerance_for(np.float64, "central").rtol)


def test_transposed_gradient_on_a_square_layer_is_a_mismatch() -> None:
    net = Network.initialise((3, 3, 2), "sigmoid", seed=SEED)
    x, y = np.array([[0.3, -1.2, 0.8]]), np.array([[1.0, 0.0]])
    grads = backward(net, x, y, loss="mse")
    grads["W1"] = grads["W1"].T.copy()
    report = check_gradient(_loss(net, x, y), net.parameters(), grads)
    assert report.parameters["W1"].verdict == "mismatch", report.format_text()
    assert report.parameters["W2"].verdict == "matches"


def test_doubled_gradient_matches_up_to_scale_two(question) -> None:  # type: ignore[no-untyped-def]
    grads = {k: 2 * v for k, v in _exact(question).items()}
    report = _check(question, grads)
    rtol = tolerance_for(np.float64, "central").rtol
    for p in report.parameters.values():
        assert p.verdict == "matches up to scale", report.format_text()
        assert p.scale == pytest.approx(2.0, rel=rtol)
    assert "matches up to scale c = 2" in report.format_text()


def test_shortcut_against_mse_is_rejected_with_a_large_relative_error(question) -> None:  # type: ignore[no-untyped-def]
    """For one sample, ∂L/∂W2 = a1ᵀ δ2 with the same a1 for both rules, so the relative error of W2 is
    ‖e ⊙ (1 − σ')‖ / ‖e‖ ≥ 1 − max σ' = 3/4 (σ' ≤ 1/4)."""
    net, x, y = question
    report = _check(question, backward(net, x, y, rule="shortcut"))
    assert report.parameters["W2"].verdict == "mismatch"
    assert report.parameters["W2"].relative_error >= 0.75 - tolerance_for(np.float64, "central").rtol


def test_numeric_error_estimate_bounds_the_true_error() -> None:
    """On f = Σ sin²(w) the exact gradient is sin(2w). The acceptance rule trusts the estimate up to
    ESTIMATE_FACTOR; the true error must stay within that. (The rounding part of the estimate assumes
    f is evaluated to a few ε|f|, true for sums of like-signed terms such as the catalog losses.)"""
    w = {"w": np.linspace(-3.0, 3.0, 13).reshape(13, 1)}
    num = central_difference(lambda p: float(np.sum(np.sin(p["w"]) ** 2)), w)
    err = np.abs(num.gradient["w"] - np.sin(2 * w["w"]))
    assert np.all(err <= ESTIMATE_FACTOR * num.error_estimate["w"]), np.c_[err, num.error_estimate["w"]]
    assert num.evaluations == 4 * 13 + 1


def test_step_is_exactly_representable() -> None:
    w = {"w": np.array([[0.1, 1e5, -3.3]])}
    h = central_difference(lambda p: float(np.sum(p["w"] ** 2)), w).step["w"]
    np.testing.assert_array_equal((w["w"] + h) - w["w"], h)


def test_relative_error_definition() -> None:
    assert relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])) == 0.0
    assert relative_error(np.array([3.0, 4.0]), np.array([0.0, 0.0])) == 1.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_the_allowance_is_symmetric_and_scales_with_the_larger_gradient() -> None:
    """atol + rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n, entry by entry: the larger of the
    two values, whichever side it is on, so that swapping them changes nothing."""
    tol = Tolerance(rtol=0.1, estimate_factor=10.0, order="test", atol=0.5)
    a, n, e = np.array([1.0, -4.0]), np.array([3.0, 2.0]), np.array([0.01, 0.02])
    expected = [0.5 + 0.1 * (3.0 + 2.0) + 10 * 0.01, 0.5 + 0.1 * (4.0 + 2.0) + 10 * 0.02]
    np.testing.assert_allclose(allowance(a, n, e, tol, 2.0), expected, rtol=1e-15)
    np.testing.assert_allclose(allowance(n, a, e, tol, 2.0), expected, rtol=1e-15)


@pytest.mark.parametrize(
    ("analytic", "message"),
    [
        ({"W1": np.zeros((30, 5))}, r"analytic gradient has parameters \['W1'\], expected \['W1', 'W2'\]"),
        ({"W1": np.zeros((5, 30)), "W2": np.zeros((5, 3))}, r"analytic gradient of W1 has shape \(5, 30\)"),
        (
            {"W1": np.full((30, 5), np.nan), "W2": np.zeros((5, 3))},
            "analytic gradient of W1 has a non-finite",
        ),
    ],
)
def test_bad_analytic_gradients_are_named(question, analytic, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        _check(question, analytic)


def test_bad_loss_and_parameters_are_named() -> None:
    with pytest.raises(InputError, match="the loss returned a non-finite value nan"):
        check_gradient(lambda p: float("nan"), {"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(InputError, match=r"returned an array of shape \(2,\); expected a real scalar"):
        check_gradient(lambda p: np.ones(2), {"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(InputError, match="parameter w has a non-finite value inf"):
        check_gradient(lambda p: 0.0, {"w": [1.0, np.inf]}, {"w": np.ones(2)})
    with pytest.raises(InputError, match="unknown method 'secant'"):
        check_gradient(lambda p: 0.0, {"w": np.ones(2)}, {"w": np.ones(2)}, method="secant")
