"""The pair table: verdicts on the shortcut δ ≡ a − y, counterexamples checked by substitution,
domains, and the softmax Jacobian at every size k."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from ffnn.validation import InputError
from verification.symbolic.catalog import A, Y, Z, activation_expr, activation_range, loss_term, softmax_exprs
from verification.symbolic.pairs import (
    SOFTMAX_SIZES,
    derive_pair,
    derive_table,
    softmax_components,
    softmax_delta_z,
    vector_symbols,
)

CANONICAL = {"mse-identity", "bce-sigmoid", "cross_entropy-softmax", "poisson_nll-exp"}
"""The canonical-link pairs (Bishop 2006, §4.3.6): where the shortcut holds."""

OUTSIDE = {
    "bce-identity", "bce-tanh", "bce-relu", "bce-softplus", "bce-exp",
    "cross_entropy-identity", "cross_entropy-sigmoid", "cross_entropy-tanh", "cross_entropy-relu",
    "cross_entropy-softplus", "cross_entropy-exp",
    "poisson_nll-identity", "poisson_nll-tanh", "poisson_nll-relu",
}  # fmt: skip
"""Pairs whose activation leaves the loss's domain (by the catalog's domain rule)."""

PAIRS = [(lo, ac) for lo in LOSSES for ac in ACTIVATIONS]
IDS = [f"{lo}-{ac}" for lo, ac in PAIRS]


@pytest.mark.parametrize(("loss", "activation"), PAIRS, ids=IDS)
def test_shortcut_verdict(loss: str, activation: str) -> None:
    pair = derive_pair(loss, activation)
    expected = None if pair.name in OUTSIDE else pair.name in CANONICAL
    assert pair.shortcut is expected, f"{pair.name}: got shortcut {pair.shortcut}, but should be {expected}"


@pytest.mark.parametrize(("loss", "activation"), PAIRS, ids=IDS)
def test_outside_pairs_are_reported_not_derived(loss: str, activation: str) -> None:
    pair = derive_pair(loss, activation)
    if pair.name in OUTSIDE:
        assert pair.domain_note and pair.delta is None and pair.delta_z is None, pair
    else:
        assert pair.domain_note is None and pair.delta is not None, pair


def _shortcut_expr(activation: str) -> tuple[list[sp.Expr], list[sp.Symbol], list[sp.Symbol]]:
    """``a − y`` built here from the catalog, with the symbols the pair's ``delta_z`` uses."""
    if activation == "softmax":
        z, y = list(vector_symbols("z", 2)), list(vector_symbols("y", 2))
        return [s - yj for s, yj in zip(softmax_exprs(z), y, strict=True)], z, y
    return [activation_expr(activation, Z) - Y], [Z], [Y]


@pytest.mark.parametrize(
    ("loss", "activation"),
    [p for p, name in zip(PAIRS, IDS, strict=True) if name not in OUTSIDE | CANONICAL],
    ids=[name for name in IDS if name not in OUTSIDE | CANONICAL],
)
def test_counterexample_differs_when_substituted(loss: str, activation: str) -> None:
    pair = derive_pair(loss, activation)
    ce = pair.counterexample
    assert ce is not None and pair.delta_z is not None, f"{pair.name}: a false verdict needs a counterexample"
    shortcut, z, y = _shortcut_expr(activation)
    point = dict(zip(z, ce.z, strict=True)) | dict(zip(y, ce.y, strict=True))
    differences = [sp.simplify((d - s).subs(point)) for d, s in zip(pair.delta_z, shortcut, strict=True)]
    assert any(d.is_zero is False for d in differences), (
        f"{pair.name}: δ − (a − y) = {differences} at {point}"
    )
    # The labels of the point are labels the loss accepts.
    LOSSES[loss].validate_labels(np.array([[float(v) for v in ce.y]]))


@pytest.mark.parametrize("name", sorted(CANONICAL - {"cross_entropy-softmax"}))
def test_canonical_elementwise_delta_is_exactly_a_minus_y(name: str) -> None:
    loss, activation = name.split("-")
    phi = activation_expr(activation, Z)
    derivative = sp.diff(loss_term(loss, phi, Y), Z)
    assert sp.simplify(derivative - (phi - Y)) == 0, f"{name}: ∂ℓ/∂z = {derivative}"


@pytest.mark.parametrize(
    ("loss", "activation"),
    [p for p in PAIRS if f"{p[0]}-{p[1]}" not in OUTSIDE and p[1] not in ("softmax", "relu")],
    ids=[n for n in IDS if n not in OUTSIDE and not n.endswith(("softmax", "relu"))],
)
def test_delta_in_a_reproduces_the_derivative(loss: str, activation: str) -> None:
    """The formula in a and y, with a = φ(z) put back, is SymPy's ∂ℓ/∂z (recomputed here)."""
    pair = derive_pair(loss, activation)
    assert pair.delta is not None and pair.delta.free_symbols <= {A, Y}, f"{pair.name}: {pair.delta}"
    phi = activation_expr(activation, Z)
    derivative = sp.diff(loss_term(loss, phi, Y), Z)
    assert sp.simplify(pair.delta.subs(A, phi) - derivative) == 0, f"{pair.name}: {pair.delta}"


def test_relu_delta_is_piecewise_and_keeps_z_only_in_its_condition() -> None:
    pair = derive_pair("mse", "relu")
    assert pair.piecewise and isinstance(pair.delta, sp.Piecewise), pair
    (positive, cond_positive), (other, cond_other) = pair.delta.args
    assert (positive, cond_positive, other, cond_other) == (A - Y, Z > 0, 0, sp.true), pair.delta


def _rational_point(k: int, loss: str, shift: int) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """Exact e^{z_j} (positive rationals) and labels fitting ``loss``."""
    e = [sp.Rational(j + shift, j + 2) for j in range(k)]
    y = [sp.Rational(1, k)] * k if loss == "cross_entropy" else [sp.Rational(j % 2) for j in range(k)]
    return e, y


@pytest.mark.parametrize("k", SOFTMAX_SIZES)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_softmax_formula_equals_derivative_at_exact_points(loss: str, k: int) -> None:
    """Every component of the general formula equals SymPy's ∂ℓ/∂z_i, in exact rational arithmetic."""
    z, y, a = vector_symbols("z", k), vector_symbols("y", k), vector_symbols("a", k)
    formula = softmax_components(loss, k)
    derived = softmax_delta_z(loss, k)
    for shift in (1, 3):
        e, labels = _rational_point(k, loss, shift)
        subs_z = {zj: sp.log(ej) for zj, ej in zip(z, e, strict=True)} | dict(zip(y, labels, strict=True))
        probabilities = [ej / sum(e) for ej in e]
        subs_a = dict(zip(a, probabilities, strict=True)) | dict(zip(y, labels, strict=True))
        for i in range(k):
            got, want = formula[i].subs(subs_a), derived[i].subs(subs_z)
            assert sp.simplify(got - want) == 0, (
                f"{loss}-softmax k={k} δ_{i + 1}: got {got}, but should be {want}"
            )


def test_cross_entropy_softmax_shortcut_needs_labels_summing_to_one() -> None:
    """With y = (1, 1) the derivative is a_i Σ y − y_i ≠ a − y: the label rule is what makes it exact."""
    z, y = vector_symbols("z", 2), vector_symbols("y", 2)
    point = {z[0]: 1, z[1]: -1, y[0]: 1, y[1]: 1}
    derived = softmax_delta_z("cross_entropy", 2)
    shortcut = [s - yj for s, yj in zip(softmax_exprs(z), y, strict=True)]
    assert sp.simplify((derived[0] - shortcut[0]).subs(point)) != 0


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_activation_range_agrees_with_the_catalog(activation: str) -> None:
    low, high = ACTIVATIONS[activation].output_range
    interval = activation_range(activation)
    assert (float(interval.start), float(interval.end)) == (low, high), interval
    assert bool(interval.left_open) is (activation != "relu"), f"{activation}: {interval} (relu reaches 0)"


def test_table_filters_and_order() -> None:
    assert [p.name for p in derive_table()] == IDS
    assert [p.name for p in derive_table(loss="bce")] == [f"bce-{ac}" for ac in ACTIVATIONS]
    assert [p.name for p in derive_table(activation="exp")] == [f"{lo}-exp" for lo in LOSSES]
    assert derive_pair("mse", "tanh") is derive_pair("mse", "tanh"), "derivations are cached"


@pytest.mark.parametrize(("loss", "activation"), [("l2", "sigmoid"), ("mse", "swish")])
def test_unknown_ids_raise_input_error(loss: str, activation: str) -> None:
    with pytest.raises(InputError, match="unknown"):
        derive_pair(loss, activation)
