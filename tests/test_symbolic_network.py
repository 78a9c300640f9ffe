"""Whole-network symbolic gradients: backprop formulas proven equal to the direct derivative on small
networks, and the lambdified 30-5-3 oracle against ffnn's backprop, finite differences and direct
substitution."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp

from ffnn import Network, backward, load_glyphs
from ffnn.validation import InputError
from verification.compare.rule import relative_error
from verification.numeric.differences import central_difference
from verification.symbolic.network import (
    backprop_gradient,
    build_network,
    direct_gradient,
    is_identically_zero,
    prove_backprop,
)
from verification.symbolic.oracle import direct_gradient_fast, gradient_oracle
from verification.symbolic.pairs import derive_table
from verification.tolerances import ESTIMATE_FACTOR

RELATIVE_AGREEMENT = 1e-12
"""The required agreement of the oracle with ffnn's backprop (relative, per tensor)."""

SMOOTH_PAIRS = [(p.loss, p.activation) for p in derive_table() if p.domain_note is None and not p.piecewise]
SIZES = [(2, 2, 2), (3, 2, 2)]


@pytest.mark.parametrize("bias", [False, True], ids=["no-bias", "bias"])
@pytest.mark.parametrize("sizes", SIZES, ids=["-".join(map(str, s)) for s in SIZES])
@pytest.mark.parametrize(("loss", "activation"), SMOOTH_PAIRS, ids=[f"{lo}-{ac}" for lo, ac in SMOOTH_PAIRS])
def test_backprop_formulas_equal_the_direct_derivative(
    loss: str, activation: str, sizes: tuple[int, ...], bias: bool
) -> None:
    proven = prove_backprop(sizes, ("sigmoid", activation), loss, bias)
    assert all(proven.values()), f"{loss}-{activation} {sizes} bias={bias}: not proven for {proven}"


def test_a_wrong_output_delta_is_not_proven() -> None:
    """Negative control: the shortcut a − y is not the gradient of mse through a sigmoid output."""
    net = build_network((2, 2, 2), ("sigmoid", "sigmoid"), "mse")
    wrong = backprop_gradient(net, delta=net.a[-1] - net.y)
    direct = direct_gradient(net)
    symbols = sorted(net.value.free_symbols, key=lambda s: s.name)
    point = {s: sp.Rational(n % 3 + 1, 2) for n, s in enumerate(symbols)}  # 1/2, 1, 3/2, 1/2, …
    difference = (direct["W2"][0, 0] - wrong["W2"][0, 0]).subs(point)
    assert abs(difference.evalf(50)) > 1e-3, f"the wrong delta agrees at {point}: {difference}"


@pytest.mark.parametrize("bias", [False, True], ids=["no-bias", "bias"])
@pytest.mark.parametrize("sizes", SIZES, ids=["-".join(map(str, s)) for s in SIZES])
def test_fast_gradient_is_the_direct_gradient(sizes: tuple[int, ...], bias: bool) -> None:
    net = build_network(sizes, ("tanh", "softmax"), "bce", bias)
    direct, fast = direct_gradient(net), direct_gradient_fast(net)
    for name in net.parameters:
        for d, f in zip(direct[name], fast[name], strict=True):
            assert is_identically_zero(d - f), f"{name}: direct {d} but fast {f}"


@pytest.fixture(scope="module")
def glyphs() -> tuple[np.ndarray, np.ndarray]:
    data = load_glyphs()
    return data.x, data.y


QUESTION = [("mse", "chain"), ("bce", "shortcut")]


@pytest.mark.parametrize(("loss", "rule"), QUESTION, ids=["mse-chain", "bce-shortcut"])
@pytest.mark.parametrize("seed", [0, 1])
def test_oracle_agrees_with_backprop(glyphs, loss: str, rule: str, seed: int) -> None:  # type: ignore[no-untyped-def]
    """The question: chain is the gradient of mse, shortcut of bce, on all three glyphs at once."""
    x, y = glyphs
    net = Network.initialise((30, 5, 3), "sigmoid", seed=seed)
    oracle = gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), loss)
    symbolic = oracle(net.parameters(), x, y)
    for name, analytic in backward(net, x, y, rule=rule, loss=loss).items():
        error = relative_error(symbolic[name], analytic)
        assert error <= RELATIVE_AGREEMENT, f"{name}: relative error {error:.3g} > {RELATIVE_AGREEMENT}"


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_oracle_agrees_with_central_differences(glyphs, loss: str) -> None:  # type: ignore[no-untyped-def]
    x, y = glyphs
    net = Network.initialise((30, 5, 3), "sigmoid", seed=3)
    symbolic = gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), loss)(net.parameters(), x, y)
    numeric = central_difference(lambda p: net.with_parameters(p).loss(x, y, loss), net.parameters())
    for name, g in symbolic.items():
        excess = np.abs(g - numeric.gradient[name]) - ESTIMATE_FACTOR * numeric.error_estimate[name]
        worst = np.unravel_index(np.argmax(excess), excess.shape)
        assert excess[worst] <= 0, (
            f"{name}{list(worst)}: symbolic {g[worst]!r}, central {numeric.gradient[name][worst]!r}, "
            f"step {numeric.step[name][worst]:.3g}, allowed {ESTIMATE_FACTOR} × estimate "
            f"{numeric.error_estimate[name][worst]:.3g}"
        )


def test_oracle_equals_direct_substitution() -> None:
    """The lambdified, cse-reduced function against sympy.diff of the full loss, substituted exactly."""
    net_sym = build_network((30, 5, 3), ("sigmoid", "sigmoid"), "mse")
    rng = np.random.default_rng(11)
    params = {"W1": rng.standard_normal((30, 5)), "W2": rng.standard_normal((5, 3))}
    x, y = rng.integers(0, 2, (1, 30)).astype(float), np.array([[0.0, 1.0, 0.0]])
    values = {
        s: sp.Float(v, 30)
        for name in ("W1", "W2")
        for s, v in zip(net_sym.parameters[name], params[name].ravel(), strict=True)
    }
    values |= {s: sp.Float(v, 30) for s, v in zip(net_sym.x, x.ravel(), strict=True)}
    values |= {s: sp.Float(v, 30) for s, v in zip(net_sym.y, y.ravel(), strict=True)}
    oracle = gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), "mse")(params, x, y)
    for name, (i, j) in [("W1", (0, 0)), ("W1", (29, 4)), ("W1", (13, 2)), ("W2", (4, 2)), ("W2", (0, 1))]:
        exact = float(sp.diff(net_sym.value, net_sym.parameters[name][i, j]).evalf(30, subs=values))
        got = oracle[name][i, j]
        assert abs(got - exact) <= RELATIVE_AGREEMENT * abs(exact), f"{name}[{i}, {j}]: {got!r} vs {exact!r}"


def test_no_symbol_can_collide_with_cse_temporaries() -> None:
    oracle = gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), "mse")
    names = [s.name for s in oracle.arguments]
    assert not [n for n in names if re.fullmatch(r"x\d+", n)], names
    assert len(set(names)) == len(names) == 30 * 5 + 5 * 3 + 30 + 3


def test_oracle_with_biases_agrees_with_backprop() -> None:
    rng = np.random.default_rng(5)
    net = Network.initialise((4, 3, 3), ("tanh", "softmax"), seed=5, bias=True)
    x = rng.standard_normal((6, 4))
    y = np.eye(3)[rng.integers(0, 3, 6)]
    symbolic = gradient_oracle((4, 3, 3), ("tanh", "softmax"), "cross_entropy", True)(net.parameters(), x, y)
    for name, analytic in backward(net, x, y, loss="cross_entropy").items():
        error = relative_error(symbolic[name], analytic)
        assert error <= RELATIVE_AGREEMENT, f"{name}: relative error {error:.3g} > {RELATIVE_AGREEMENT}"


def test_oracle_rejects_bad_parameters() -> None:
    oracle = gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), "mse")
    x, y = np.zeros((1, 30)), np.zeros((1, 3))
    with pytest.raises(InputError, match="W1"):
        oracle({"W1": np.zeros((5, 30)), "W2": np.zeros((5, 3))}, x, y)
    with pytest.raises(InputError, match="named"):
        oracle({"W1": np.zeros((30, 5))}, x, y)
    with pytest.raises(InputError, match="x"):
        oracle({"W1": np.zeros((30, 5)), "W2": np.zeros((5, 3))}, np.zeros((1, 29)), y)


@pytest.mark.parametrize(
    ("sizes", "activations", "loss", "message"),
    [
        ((2, 2), ("identity",), "bce", "outside"),
        ((2, 2, 2), ("softmax", "sigmoid"), "mse", "hidden"),
        ((2, 2, 2), ("sigmoid",), "mse", "activations"),
    ],
)
def test_bad_structures_raise_input_error(sizes, activations, loss, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        build_network(sizes, activations, loss)


def test_prove_backprop_refuses_piecewise_relu() -> None:
    with pytest.raises(InputError, match="piecewise"):
        prove_backprop((2, 2, 2), ("sigmoid", "relu"), "mse")
