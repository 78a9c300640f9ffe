"""The catalog: each activation's derivative and Jacobian, and each loss's ∂ℓ/∂a, against the
finite-difference oracle; domains and unknown ids. Parametrised over the registries, so a new entry
brings its tests with it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ffnn import ACTIVATIONS, LOSSES, InputError, get_activation, get_loss
from verification.compare.coordinate import check_gradient

SEED = 20261129


def _pre_activation(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    # Kept at least 0.5 away from 0 so relu's kink is never inside a finite-difference stencil.
    z = rng.standard_normal(shape)
    return np.sign(z) * (0.5 + np.abs(z))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_vjp_is_the_gradient_of_its_value(name: str) -> None:
    """⟨g, φ(z)⟩ has gradient vjp(z, φ(z), g) with respect to z: checks φ' and softmax's Jacobian."""
    act = get_activation(name)
    rng = np.random.default_rng(SEED)
    z, g = _pre_activation(rng, (3, 4)), rng.standard_normal((3, 4))

    def f(p: dict[str, np.ndarray]) -> float:
        return float(np.sum(g * act.value(p["z"])))

    report = check_gradient(f, {"z": z}, {"z": act.vjp(z, act.value(z), g)}, method="central")
    assert report.matches, f"{name}: vjp disagrees with finite differences\n{report.format_text()}"


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values_stay_in_output_range(name: str) -> None:
    act = get_activation(name)
    z = np.linspace(-15.0, 15.0, 61).reshape(1, -1)
    a = act.value(z)
    low, high = act.output_range
    # relu reaches its lower end 0; every other activation stays strictly inside for |z| ≤ 15,
    # where tanh and sigmoid are still below 1 in float64.
    inside = (a >= low) if name == "relu" else (a > low)
    assert np.all(inside & (a < high)), f"{name}: got values {a.min()}..{a.max()}, outside {act.output_range}"


def test_sigmoid_does_not_overflow_and_keeps_relative_precision() -> None:
    a = get_activation("sigmoid").value(np.array([[-800.0, -40.0, 0.0, 40.0, 800.0]]))
    np.testing.assert_array_equal(a[0, [0, 2, 4]], [0.0, 0.5, 1.0])
    # σ(−40) = e^(−40) / (1 + e^(−40)), computed without cancellation.
    np.testing.assert_allclose(a[0, 1], np.exp(-40.0) / (1.0 + np.exp(-40.0)), rtol=4 * np.finfo(float).eps)


def test_softmax_rows_are_probability_vectors() -> None:
    z = np.random.default_rng(SEED).standard_normal((5, 4)) * 50
    a = get_activation("softmax").value(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=4 * 4 * np.finfo(float).eps)


def _point_in_domain(name: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An activation a inside the loss's domain and labels y that fit it, shape (3, 4)."""
    if name == "mse":
        return rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    if name == "bce":
        return rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0.0, 1.0, (3, 4))
    if name == "cross_entropy":
        y = rng.uniform(0.0, 1.0, (3, 4))
        return get_activation("softmax").value(rng.standard_normal((3, 4))), y / y.sum(axis=1, keepdims=True)
    if name == "poisson_nll":
        return rng.uniform(0.5, 3.0, (3, 4)), rng.integers(0, 5, (3, 4)).astype(float)
    raise AssertionError(f"no domain sampler for catalog loss {name!r}: add one here")


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_grad_a_is_the_gradient_of_its_value(name: str) -> None:
    loss = get_loss(name)
    a, y = _point_in_domain(name, np.random.default_rng(SEED))
    loss.validate_labels(y)
    loss.validate_activation(a)

    def f(p: dict[str, np.ndarray]) -> float:
        return float(np.sum(loss.per_sample(p["a"], y)))

    report = check_gradient(f, {"a": a}, {"a": loss.grad_a(a, y)}, method="central")
    assert report.matches, f"{name}: grad_a disagrees with finite differences\n{report.format_text()}"


@pytest.mark.parametrize(
    ("name", "y", "message"),
    [
        ("bce", [[0.5, 1.5]], "outside [0, 1]"),
        ("bce", [[-0.1, 0.0]], "outside [0, 1]"),
        ("cross_entropy", [[0.5, 0.4]], "sums to"),
        ("cross_entropy", [[1.5, -0.5]], "negative"),
        ("poisson_nll", [[2.0, -1.0]], "negative"),
    ],
)
def test_labels_that_do_not_fit_the_loss_are_named(name: str, y: list[list[float]], message: str) -> None:
    with pytest.raises(InputError, match=f"labels y do not fit loss '{name}'.*{re.escape(message)}"):
        get_loss(name).validate_labels(np.array(y))


def test_activation_outside_loss_domain_is_named() -> None:
    with pytest.raises(
        InputError, match=r"'bce' needs output activations in \(0, 1\), got 1.5 at index \(0, 1\)"
    ):
        get_loss("bce").validate_activation(np.array([[0.5, 1.5]]))


@pytest.mark.parametrize(("lookup", "kind"), [(get_activation, "activation"), (get_loss, "loss")])
def test_unknown_catalog_ids_list_the_known_ones(lookup, kind) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=f"unknown {kind} 'swish'; known {kind}"):
        lookup("swish")


def test_relu_refuses_complex_input() -> None:
    with pytest.raises(InputError, match="relu is not analytic"):
        get_activation("relu").value(np.array([[1.0 + 1e-20j]]))


def test_tanh_derivative_keeps_relative_precision_where_tanh_saturates() -> None:
    """1 − tanh²z cancels to 0 for |z| ≳ 19; sech²z must stay accurate (reference: mpmath, 30 digits)."""
    import mpmath

    mpmath.mp.dps = 30
    z = np.array([[0.3, -2.0, 10.0, 20.0, -300.0]])
    want = np.array([[float(mpmath.sech(v) ** 2) for v in z[0]]])
    # Three roundings (exp, the square, the division) of a few ulps each.
    np.testing.assert_allclose(get_activation("tanh").derivative(z), want, rtol=8 * np.finfo(float).eps)
