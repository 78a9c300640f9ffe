"""How finely the checker resolves: tests that fail when a tolerance or an error estimate is made 10×
looser (or tighter) than the project promises.

A checker that can fail proves little if nothing says *how small* an error it still sees. This module
pins the resolution from outside the tolerance table: :data:`RESOLUTION` is the project's promise,
per method and precision, of the single-entry error (as a fraction of the tensor's largest entry
``G``) that is always accepted and the one that is always flagged. The table of
:mod:`verification.tolerances` derives its ``rtol = 100 · C ε^p`` from error analysis; an entry is
allowed ``rtol · (|g| + G)`` plus ten error estimates, between ``rtol · G`` (a small entry) and
``2 rtol · G`` (the largest), so the promise brackets each ``rtol`` within a factor of ten: a table made
10× looser stops flagging the ``flagged`` error, one made 10× tighter starts flagging the ``accepted``
one. The same promise is stated in README.md ("The gradient checker").

The error estimates are pinned against the *actual* error of each method, measured where the exact
derivative is known: an estimate must bound the error it describes (times the estimate factor) and
must not exceed it by orders of magnitude.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ffnn import Network, backward, load_glyphs
from verification.compare.coordinate import check_gradient, compare_gradients
from verification.compare.kinks import classify_kinks
from verification.numeric.complex_step import supports_complex_step
from verification.numeric.evaluators import LoopEvaluator
from verification.numeric.methods import numeric_gradient
from verification.tolerances import tolerance_for

Array = np.ndarray
EPS64 = float(np.finfo(np.float64).eps)

RESOLUTION: dict[tuple[str, str, str], tuple[float, float]] = {
    # (loss dtype, method, analytic dtype): (always accepted, always flagged), as a fraction of G
    ("float64", "complex-step", "float64"): (1e-14, 1e-13),
    ("float64", "richardson", "float64"): (5e-12, 5e-11),
    ("float64", "central", "float64"): (1.5e-9, 1.5e-8),
    ("float64", "forward", "float64"): (7e-7, 7e-6),
    ("float32", "central", "float64"): (1e-3, 1e-2),
    ("float64", "complex-step", "float32"): (5e-6, 5e-5),
}
"""The resolution the project promises for a single wrong entry of a float64 (or float32) gradient."""


def well_scaled_case(seed: int = 3) -> tuple[Network, Array, Array]:
    """A well-scaled least-squares problem: glyph A through a 30-3 identity layer with small weights
    (seed ``seed``), mse against its one-hot label. The loss (≈ ½) and the gradient's largest entry
    (≈ 1) are of one size, so each method's rounding estimate ``ε |f| / h`` stays far below ``rtol · G``
    and the promise measures the table's ``rtol`` itself."""
    data = load_glyphs()
    return Network.initialise((30, 3), "identity", seed=seed, scale=0.01), data.x[:1], data.y[:1]


def loss_function(net: Network, x: Array, y: Array, dtype: str) -> Callable[[dict[str, Array]], Any]:
    """The batch mse of ``net``, computed in ``dtype`` (float32: parameters and value are rounded)."""

    def f(params: dict[str, Array]) -> Any:
        if dtype == "float32":
            cast = {k: np.asarray(v).astype(np.float32) for k, v in params.items()}
            return np.float32(net.with_parameters(cast).loss(x.astype(np.float32), y, "mse"))
        return net.with_parameters(params).loss(x, y, "mse")

    return f


def planted(grads: dict[str, Array], entry: str, fraction: float, dtype: str) -> dict[str, Array]:
    """``grads`` with one entry of ``W1`` moved by ``fraction · G``: the largest entry, or a small one."""
    out = {k: v.astype(dtype).astype(np.float64) for k, v in grads.items()}
    w1 = out["W1"]
    big = np.abs(w1).max()
    index = (
        int(np.argmax(np.abs(w1))) if entry == "largest" else int(np.argmin(np.abs(np.abs(w1) - 0.1 * big)))
    )
    w1.flat[index] += fraction * big
    return {k: v.astype(dtype) for k, v in out.items()}


@pytest.mark.parametrize("entry", ["largest", "small"])
@pytest.mark.parametrize("key", list(RESOLUTION), ids=lambda k: "-".join(k))
def test_resolution_promise(key: tuple[str, str, str], entry: str) -> None:
    loss_dtype, method, analytic_dtype = key
    accepted, flagged = RESOLUTION[key]
    net, x, y = well_scaled_case()
    grads = backward(net, x, y, rule="exact", loss="mse")
    f = loss_function(net, x, y, loss_dtype)
    below = check_gradient(
        f, net.parameters(), planted(grads, entry, accepted, analytic_dtype), method=method
    )
    above = check_gradient(f, net.parameters(), planted(grads, entry, flagged, analytic_dtype), method=method)
    assert below.method == method and below.evaluation_dtype == loss_dtype, "harness: method or dtype not run"
    assert below.parameters["W1"].verdict == "matches", (
        f"got {below.parameters['W1'].verdict} for a {accepted:g} G error, but should be accepted "
        f"[{key}, {entry} entry]\n{below.format_text()}"
    )
    assert above.parameters["W1"].verdict == "mismatch", (
        f"got {above.parameters['W1'].verdict} for a {flagged:g} G error, but should be flagged "
        f"[{key}, {entry} entry]\n{above.format_text()}"
    )


def test_resolution_promise_holds_in_the_vectorised_mode() -> None:
    """The structured mode applies the same rule: the complex-step promise, on every entry at once."""
    from verification.compare.coordinate import check_network

    accepted, flagged = RESOLUTION[("float64", "complex-step", "float64")]
    net, x, y = well_scaled_case()
    grads = backward(net, x, y, rule="exact", loss="mse")
    ok = check_network(
        net, x, y, "mse", planted(grads, "largest", accepted, "float64"), method="complex-step"
    )
    bad = check_network(
        net, x, y, "mse", planted(grads, "largest", flagged, "float64"), method="complex-step"
    )
    assert ok.matches and not bad.matches, (
        f"got {ok.verdict} and {bad.verdict}, but should be matches, mismatch"
    )


# --- the rule applies the table exactly -------------------------------------------------------------


@pytest.mark.parametrize("method", ["forward", "central", "richardson", "complex-step"])
def test_an_error_just_beyond_the_allowance_is_flagged_and_just_within_is_accepted(method: str) -> None:
    """With the numeric gradient and its estimates fixed, move the largest entry to 0.99 and 1.01 times
    its allowance ``rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n`` (values from the table; the
    margin of 1 % is far above the rounding of ``g_n + t``, half an ulp of ``G``)."""
    net, x, y = well_scaled_case()
    f = loss_function(net, x, y, "float64")
    numeric = numeric_gradient(f, net.parameters(), method)
    tol = tolerance_for("float64", method)
    g_n = numeric.gradient["W1"]
    k = int(np.argmax(np.abs(g_n)))
    big = float(np.abs(g_n).max())

    def moved(factor: float) -> dict[str, Array]:
        g = {n: v.copy() for n, v in numeric.gradient.items()}
        # |g_a − g_n| = t with g_a = g_n + t: allowance uses max(|g_a|, |g_n|) = |g_n| + t and G = big + t
        e = float(numeric.error_estimate["W1"].flat[k])
        t = factor * (tol.rtol * 2 * big + tol.estimate_factor * e) / (1 - 2 * tol.rtol)
        g["W1"].flat[k] += np.sign(g_n.flat[k]) * t
        return g

    within = compare_gradients(moved(0.99), numeric).parameters["W1"]
    beyond = compare_gradients(moved(1.01), numeric).parameters["W1"]
    assert within.flagged == 0, f"got {within.flagged} flagged, but should be 0 just within the allowance"
    assert beyond.flagged == 1, f"got {beyond.flagged} flagged, but should be 1 just beyond the allowance"


@pytest.mark.parametrize("method", ["central", "richardson", "forward"])
def test_the_oracle_gets_the_benefit_of_ten_error_estimates(method: str) -> None:
    """Where the numeric error estimate dominates the allowance (a loss offset by 10⁶, whose rounding
    ``ε |f| / h`` dwarfs ``rtol · G``), a difference of 3 estimates is accepted and one of 30 flagged:
    the promise behind the rule's ``estimate_factor`` of 10."""
    net, x, y = well_scaled_case()
    numeric = numeric_gradient(
        lambda p: 1e6 + net.with_parameters(p).loss(x, y, "mse"), net.parameters(), method
    )
    g_n, e_n = numeric.gradient["W1"], numeric.error_estimate["W1"]
    k = int(np.argmax(np.abs(g_n)))
    rtol_part = tolerance_for("float64", method).rtol * 2 * float(np.abs(g_n).max())
    assert rtol_part < 0.1 * e_n.flat[k], "harness: the estimate does not dominate the allowance here"

    def verdict(estimates: float) -> int:
        g = {n: v.copy() for n, v in numeric.gradient.items()}
        g["W1"].flat[k] += estimates * e_n.flat[k]
        return compare_gradients(g, numeric).parameters["W1"].flagged

    assert verdict(3.0) == 0, "got a difference of 3 error estimates flagged, but should be accepted"
    assert verdict(30.0) == 1, "got a difference of 30 error estimates accepted, but should be flagged"


# --- error estimates against actual errors ------------------------------------------------------------


def exponential_loss(
    k: float,
) -> tuple[Callable[[dict[str, Array]], Any], dict[str, Array], dict[str, Array]]:
    """``f(w) = Σ exp(k w)`` at ``w`` in [0.5, 1.5]: its derivative ``k exp(k w)`` is known exactly, and a
    large ``k`` gives large higher derivatives, so truncation dominates the finite-difference error."""
    w = np.linspace(0.5, 1.5, 7).reshape(1, 7)
    return (lambda p: np.sum(np.exp(k * p["w"]))), {"w": w}, {"w": k * np.exp(k * w)}


def oscillating_loss(
    k: float,
) -> tuple[Callable[[dict[str, Array]], Any], dict[str, Array], dict[str, Array]]:
    """``f(w) = Σ sin(k w)`` at ``w`` in [0.5, 1.5]: a loss of size one whose ``n``-th derivative grows
    like ``kⁿ``, so at ``k = 30`` truncation, not rounding, sets every method's error (Richardson's
    first step ``ε^(1/9) ≈ 0.018`` spans half a period of ``k h``)."""
    w = np.linspace(0.5, 1.5, 7).reshape(1, 7)
    return (lambda p: np.sum(np.sin(k * p["w"]))), {"w": w}, {"w": k * np.cos(k * w)}


@pytest.mark.parametrize("method", ["forward", "central", "richardson", "complex-step"])
@pytest.mark.parametrize(
    ("loss", "k"),
    [
        (exponential_loss, 1.0),
        (exponential_loss, 4.0),
        (exponential_loss, 12.0),
        # a loss of size one with large higher derivatives, where truncation dominates
        (oscillating_loss, 3.0),
        (oscillating_loss, 30.0),
    ],
    ids=["exp-1", "exp-4", "exp-12", "sin-3", "sin-30"],
)
def test_error_estimate_bounds_the_actual_error(method: str, loss: Callable[..., Any], k: float) -> None:
    """Each entry's actual error is within ``estimate_factor`` error estimates (plus the rounding of the
    exact value): the estimate is what the acceptance rule leans on, so it must not understate."""
    f, params, exact = loss(k)
    numeric = numeric_gradient(f, params, method)
    tol = tolerance_for("float64", method)
    actual = np.abs(numeric.gradient["w"] - exact["w"])
    bound = tol.estimate_factor * numeric.error_estimate["w"] + 4 * EPS64 * np.abs(exact["w"])
    assert np.all(actual <= bound), (
        f"got actual errors {actual.ravel()}, but should be within {bound.ravel()} [{method}, k = {k}]"
    )


@pytest.mark.parametrize("method", ["central", "richardson", "complex-step"])
@pytest.mark.parametrize("k", [1.0, 12.0])
def test_error_estimate_is_of_the_size_of_the_actual_error(method: str, k: float) -> None:
    """Relative to the derivative, the largest estimate is at most a hundred times the largest actual
    error (or the rounding ``ε`` where the method is exact): an estimate inflated by orders of magnitude
    would let real errors through the ``estimate_factor · e_n`` term of the rule."""
    f, params, exact = exponential_loss(k)
    numeric = numeric_gradient(f, params, method)
    size = np.abs(exact["w"])
    actual = float(np.max(np.abs(numeric.gradient["w"] - exact["w"]) / size))
    estimate = float(np.max(numeric.error_estimate["w"] / size))
    assert estimate <= 100 * max(actual, EPS64), (
        f"got a relative estimate {estimate:.3e} against a relative error {actual:.3e}, but should be at "
        f"most 100 times the larger of it and ε [{method}, k = {k}]"
    )


# --- kinks ---------------------------------------------------------------------------------------------


def kink_verdict(jump: float, analytic: float) -> str:
    """The checker's verdict on ``[analytic, 2]`` as the gradient of
    ``f(t) = t₀ + jump · max(t₀ − d, 0) + t₁ + t₁² / 2`` at ``t = (0, 1)``, with the kink at
    ``d = 0.3 h`` inside the central stencil (``h = ε^(1/3)``): slope 1 left of the kink, ``1 + jump``
    right of it; the second entry is smooth and right, so a scale cannot excuse the first."""
    d = 0.3 * float(np.finfo(np.float64).eps ** (1 / 3))

    def f(p: dict[str, Array]) -> Any:
        t0, t1 = p["t"]
        return float(t0 + jump * max(t0 - d, 0.0) + t1 + t1 * t1 / 2)

    params, claimed = {"t": np.array([0.0, 1.0])}, {"t": np.array([analytic, 2.0])}
    return check_gradient(f, params, claimed, method="central").verdict


def test_a_small_kink_is_recognised() -> None:
    """A derivative jump of 5 % inside the stencil is a kink when the analytic value lies among the
    one-sided slopes the differences see (Chainer's detector flags 1 % disagreement); here the true
    derivative at ``t₀ = 0``, left of the kink."""
    assert kink_verdict(0.05, 1.0) == "kink"


@pytest.mark.parametrize("analytic", [0.8, 1.3])
def test_a_value_outside_the_one_sided_slopes_is_a_mismatch_not_a_kink(analytic: float) -> None:
    """Below the left slope or above the right one: the bracket has a lower and an upper bound."""
    assert kink_verdict(0.05, analytic) == "mismatch"


def test_a_smooth_curve_is_not_a_kink() -> None:
    """Strong curvature is not a kink: ``exp(12 w)`` flagged with a wrong gradient stays a mismatch."""
    f, params, exact = exponential_loss(12.0)
    ev = LoopEvaluator(f, params)
    wrong = exact["w"].ravel() * 1.01
    tol = tolerance_for("float64", "central")
    found = classify_kinks(
        ev, "w", np.arange(7), np.full(7, 6e-6), wrong, tol, float(np.abs(exact["w"]).max())
    )
    assert not found.kink.any(), f"got kinks at {np.flatnonzero(found.kink)}, but exp(12 w) is smooth"


# --- complex-step detection ------------------------------------------------------------------------------


def test_a_loss_whose_real_part_changes_at_complex_points_is_not_complex_safe() -> None:
    """``Σ w² + 10³ Im(w)``: its imaginary part gives the right derivative ``2w``, but at ``w + ih`` its
    real part moves by ``10³ h``, so the code does not evaluate the same function there."""

    def f(p: dict[str, Array]) -> Any:
        w = p["w"]
        return np.sum(w * w) + 1e3 * np.sum((w - np.conj(w)).imag) / 2

    ev = LoopEvaluator(f, {"w": np.array([[0.5, -1.0, 2.0]])})
    assert not supports_complex_step(ev)


def test_a_loss_whose_complex_derivative_is_wrong_is_not_complex_safe() -> None:
    """``Σ |w|³`` written with ``abs``: complex-valued, real part right, imaginary part not the derivative."""

    def f(p: dict[str, Array]) -> Any:
        w = p["w"]
        return np.sum(w * w * np.sqrt(w * np.conj(w)))

    ev = LoopEvaluator(f, {"w": np.array([[0.5, -1.0, 2.0]])})
    assert not supports_complex_step(ev)


def test_an_analytic_loss_is_complex_safe() -> None:
    """Sanity check of the harness: ``Σ exp(w)`` passes the detection."""
    ev = LoopEvaluator(lambda p: np.sum(np.exp(p["w"])), {"w": np.array([[0.5, -1.0, 2.0]])})
    assert supports_complex_step(ev)
