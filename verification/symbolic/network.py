"""Whole-network gradients with SymPy: the loss of every weight, differentiated directly, against the
chain-rule (backpropagation) formulas. The lambdified numeric oracle built on it is
:mod:`verification.symbolic.oracle`.

Notation (row vectors, one sample): ``a[0] = x``, ``z[l] = a[l-1] W[l] (+ b[l])``, ``a[l] = φ_l(z[l])``,
``ℓ = Σ_k term(a[L]_k, y_k)``. Backpropagation computes

    δ[L]   = the output delta of the pair (loss, φ_L), from :func:`verification.symbolic.pairs.derive_pair`
    δ[l-1] = (δ[l] W[l]ᵀ) ⊙ φ'_{l-1}(z[l-1])
    ∂ℓ/∂W[l] = a[l-1]ᵀ δ[l],   ∂ℓ/∂b[l] = δ[l]

(Rumelhart, Hinton & Williams, *Nature* 323, 1986; Nielsen, *Neural Networks and Deep Learning*, 2015,
ch. 2, eqs. BP1–BP4 in row-vector form). :func:`prove_backprop` proves these equal to the direct
derivatives entry by entry, exactly.

Symbols: ``W1_0_2`` is entry (0, 2) of ``W[1]``, ``b2_1`` entry 1 of ``b[2]``, ``x_3`` input 3, ``y_1``
label 1. None can be mistaken for the ``x0, x1, …`` temporaries of :func:`sympy.cse`. Nothing here uses
ffnn's numeric code; only catalog ids (and its input-error type) are shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.symbolic.catalog import (
    PROBABILITY_VECTOR_LOSSES,
    A,
    Y,
    Z,
    activation_expr,
    layer_exprs,
    sample_loss,
    validate_activation_id,
    validate_loss_id,
)
from verification.symbolic.pairs import derive_pair, softmax_components, vector_symbols

Array = NDArray[Any]


@dataclass(frozen=True)
class SymbolicNetwork:
    """One sample through a network whose every weight is a symbol.

    Attributes
    ----------
    sizes : tuple of int
        ``(n_0, …, n_L)``.
    activations : tuple of str
        Catalog id of ``φ_l`` per layer.
    loss : str
        Catalog loss id.
    parameters : dict of str to sympy.Matrix
        ``W1 … WL`` (shape (n_{l-1}, n_l)) then ``b1 … bL`` (shape (1, n_l)) when ``bias``.
    x, y : sympy.Matrix, shape (1, n_0) and (1, n_L)
        Input and label symbols.
    z, a : list of sympy.Matrix
        ``z[l]`` at index ``l − 1``; ``a[l]`` at index ``l`` (``a[0] = x``); each shape (1, n_l).
    value : sympy.Expr
        The per-sample loss ``ℓ`` as a function of all the symbols.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    parameters: dict[str, sp.Matrix]
    x: sp.Matrix
    y: sp.Matrix
    z: list[sp.Matrix]
    a: list[sp.Matrix]
    value: sp.Expr

    def parameter_symbols(self) -> list[sp.Symbol]:
        """Every parameter symbol, parameter by parameter in :attr:`parameters` order, row-major."""
        return [s for m in self.parameters.values() for s in m]


def _validate_structure(sizes: tuple[int, ...], activations: tuple[str, ...], loss: str) -> None:
    if len(sizes) < 2 or min(sizes) < 1:
        raise InputError(f"sizes must list at least two layer widths ≥ 1, got {sizes}")
    if len(activations) != len(sizes) - 1:
        raise InputError(f"got {len(activations)} activations for {len(sizes) - 1} layers")
    for name in activations:
        validate_activation_id(name)
    if "softmax" in activations[:-1]:
        raise InputError("softmax is supported as the output activation only, got it in a hidden layer")
    pair = derive_pair(validate_loss_id(loss), activations[-1])
    if pair.domain_note is not None:
        raise InputError(f"pair {pair.name} is outside the loss's domain: {pair.domain_note}")


@cache
def build_network(
    sizes: tuple[int, ...], activations: tuple[str, ...], loss: str, bias: bool = False
) -> SymbolicNetwork:
    """The loss of one sample as an exact function of all weights (cached).

    Parameters
    ----------
    sizes : tuple of int
        Layer widths ``(n_0, …, n_L)``.
    activations : tuple of str
        One catalog id per layer; softmax only as the last.
    loss : str
        Catalog loss id; the pair (loss, last activation) must be inside the loss's domain.
    bias : bool
        Whether the layers have biases.

    Raises
    ------
    InputError
        On bad sizes, unknown ids, a hidden softmax, or a pair outside the domain.
    """
    sizes, activations = tuple(int(n) for n in sizes), tuple(activations)
    _validate_structure(sizes, activations, loss)
    weights = {
        f"W{l}": sp.Matrix(sizes[l - 1], sizes[l], lambda i, j, l=l: sp.Symbol(f"W{l}_{i}_{j}"))
        for l in range(1, len(sizes))
    }
    biases = {
        f"b{l}": sp.Matrix(1, sizes[l], lambda _, j, l=l: sp.Symbol(f"b{l}_{j}"))
        for l in range(1, len(sizes))
        if bias
    }
    x = sp.Matrix([[sp.Symbol(f"x_{j}") for j in range(sizes[0])]])
    y = sp.Matrix([[sp.Symbol(f"y_{j}") for j in range(sizes[-1])]])
    zs, acts = [], [x]
    for l, name in enumerate(activations, start=1):
        z = acts[-1] * weights[f"W{l}"]
        if bias:
            z = z + biases[f"b{l}"]
        zs.append(z)
        acts.append(sp.Matrix([layer_exprs(name, list(z))]))
    value = sample_loss(loss, list(acts[-1]), list(y))
    return SymbolicNetwork(sizes, activations, loss, weights | biases, x, y, zs, acts, value)


def direct_gradient(net: SymbolicNetwork) -> dict[str, sp.Matrix]:
    """``∂ℓ/∂w`` of every parameter entry by differentiating :attr:`SymbolicNetwork.value` directly."""
    return {name: m.applyfunc(lambda s: sp.diff(net.value, s)) for name, m in net.parameters.items()}


def output_delta(net: SymbolicNetwork) -> sp.Matrix:
    """``δ[L]`` from the pair table, with ``a``, ``y`` (and ``z`` for relu) of the network substituted."""
    pair = derive_pair(net.loss, net.activations[-1])
    out, y, z = list(net.a[-1]), list(net.y), list(net.z[-1])
    if net.activations[-1] == "softmax":
        k = len(out)
        sym_a, sym_y = vector_symbols("a", k), vector_symbols("y", k)
        subs = dict(zip(sym_a, out, strict=True)) | dict(zip(sym_y, y, strict=True))
        return sp.Matrix([[d.subs(subs) for d in softmax_components(net.loss, k)]])
    assert pair.delta is not None
    return sp.Matrix([[pair.delta.subs({A: ak, Y: yk, Z: zk}) for ak, yk, zk in zip(out, y, z, strict=True)]])


def backprop_gradient(net: SymbolicNetwork, delta: sp.Matrix | None = None) -> dict[str, sp.Matrix]:
    """``∂ℓ/∂w`` by the chain-rule formulas of the module docstring, as exact expressions.

    Parameters
    ----------
    net : SymbolicNetwork
    delta : sympy.Matrix, shape (1, n_L), optional
        The output delta to start from; default :func:`output_delta` (the pair table's). Another
        choice (e.g. the shortcut ``a − y`` for ``mse``) shows what a wrong backward pass computes.
    """
    delta = output_delta(net) if delta is None else delta
    grads: dict[str, sp.Matrix] = {}
    for l in range(len(net.activations), 0, -1):
        grads[f"W{l}"] = net.a[l - 1].T * delta
        if f"b{l}" in net.parameters:
            grads[f"b{l}"] = delta
        if l > 1:
            slope = sp.diff(activation_expr(net.activations[l - 2], Z), Z)
            upstream = delta * net.parameters[f"W{l}"].T
            delta = sp.Matrix([[u * slope.subs(Z, z) for u, z in zip(upstream, net.z[l - 2], strict=True)]])
    return {name: grads[name] for name in net.parameters}


def _as_rational(expr: sp.Expr) -> sp.Expr:
    """Replace every ``exp(c·v)`` by ``E_v^c`` and every other transcendental atom by a symbol, so that
    an expression that vanishes as a rational function of those symbols vanishes identically."""
    bases: dict[sp.Expr, sp.Symbol] = {}
    reps: dict[sp.Expr, sp.Expr] = {}
    for atom in expr.atoms(sp.exp):
        c, v = atom.args[0].as_content_primitive()
        if v.could_extract_minus_sign():
            c, v = -c, -v
        reps[atom] = bases.setdefault(v, sp.Dummy("E")) ** c
    expr = expr.xreplace(reps)
    others = {f: sp.Dummy("T") for f in expr.atoms(sp.Function)}
    return expr.xreplace(others)


def is_identically_zero(expr: sp.Expr) -> bool:
    """Exact test that ``expr`` vanishes for every value of its symbols.

    First as a rational function of its atoms (the expanded numerator over a common denominator),
    then, if that is inconclusive, by :func:`sympy.simplify`. A ``True`` is a proof; a ``False`` means
    SymPy could not reduce the difference to 0.
    """
    numerator, _ = sp.fraction(sp.together(_as_rational(expr)))
    if sp.expand(numerator) == 0:
        return True
    return bool(sp.simplify(expr) == 0)


def label_constraint(net: SymbolicNetwork) -> dict[sp.Symbol, sp.Expr]:
    """``{y_last: 1 − Σ_{j<last} y_j}`` for a loss whose labels are probability vectors, else ``{}``.

    The output delta of such a pair (``a − y`` for cross-entropy with softmax) uses ``Σ_k y_k = 1``.
    """
    if net.loss not in PROBABILITY_VECTOR_LOSSES:
        return {}
    y = list(net.y)
    return {y[-1]: 1 - sp.Add(*y[:-1])}


def prove_backprop(
    sizes: tuple[int, ...], activations: tuple[str, ...], loss: str, bias: bool = False
) -> dict[str, bool]:
    """Prove, entry by entry, that the backpropagation formulas give the exact gradient.

    Parameters
    ----------
    sizes, activations, loss, bias
        As in :func:`build_network`; the last activation must not be ``relu`` (piecewise: there the
        identity holds branch by branch, not as one expression).

    Returns
    -------
    dict of str to bool
        Per parameter name, True when every entry of ``backprop − direct`` is proven identically 0
        (under the label rule ``Σ y = 1`` for a loss with probability-vector labels, see
        :func:`label_constraint`).

    Raises
    ------
    InputError
        As :func:`build_network`, or for a piecewise output activation.
    """
    if "relu" in activations:
        raise InputError("relu is piecewise; prove_backprop needs smooth activations")
    net = build_network(tuple(sizes), tuple(activations), loss, bias)
    direct, chain, labels = direct_gradient(net), backprop_gradient(net), label_constraint(net)
    return {
        name: all(
            is_identically_zero((d - c).subs(labels)) for d, c in zip(direct[name], chain[name], strict=True)
        )
        for name in net.parameters
    }
