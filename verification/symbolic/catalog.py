"""The catalog as SymPy expressions: each activation ``φ`` and each per-output loss term, exactly.

This is the symbolic twin of :mod:`ffnn.activations` and :mod:`ffnn.losses`. It shares only the catalog
ids with them and reads the declared ranges (plain data); every formula here is written afresh in SymPy,
so that a derivation built on it is an oracle independent of the numeric code.

Symbols are named so that they can never collide with the temporaries ``x0, x1, …`` that
``sympy.cse`` generates: scalars are ``z``, ``a``, ``y``; vector entries carry an underscore
(``z_1``, ``a_2``, ``y_3``).

References: Bishop, *Pattern Recognition and Machine Learning* (2006), §4.3.6 (canonical link
functions); McCullagh & Nelder, *Generalized Linear Models* (1989), §2.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import sympy as sp

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from ffnn.validation import InputError

Z = sp.Symbol("z", real=True)
"""Pre-activation of one output unit."""
A = sp.Symbol("a", real=True)
"""Activation of one output unit."""
Y = sp.Symbol("y", real=True)
"""Label of one output unit."""

ACTIVATION_IDS: tuple[str, ...] = tuple(ACTIVATIONS)
LOSS_IDS: tuple[str, ...] = tuple(LOSSES)

PROBABILITY_VECTOR_LOSSES = frozenset({"cross_entropy"})
"""Losses whose activation must be a probability vector (entries in (0, 1) summing to 1): the
categorical cross-entropy is the negative log-likelihood of a categorical distribution
(Bishop 2006, §4.3.4), so only an output whose rows sum to 1 is inside its domain."""

LABEL_CANDIDATES: dict[str, tuple[int, ...]] = {
    "mse": (1, 0, -1, 2),
    "bce": (1, 0),
    "cross_entropy": (1, 0),
    "poisson_nll": (1, 0, 2),
}
"""Exact label values each loss accepts (its label rule), tried in order when a counterexample is
searched. For ``cross_entropy`` a label vector must also sum to 1."""


def validate_activation_id(name: str) -> str:
    """Return ``name`` if it is a catalog activation id, else raise :class:`InputError`."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise InputError(f"unknown activation {name!r}; known activations: {', '.join(ACTIVATIONS)}")
    return name


def validate_loss_id(name: str) -> str:
    """Return ``name`` if it is a catalog loss id, else raise :class:`InputError`."""
    if not isinstance(name, str) or name not in LOSSES:
        raise InputError(f"unknown loss {name!r}; known losses: {', '.join(LOSSES)}")
    return name


def activation_expr(name: str, z: sp.Expr) -> sp.Expr:
    """``φ(z)`` of an element-wise catalog activation as a SymPy expression.

    Parameters
    ----------
    name : str
        Catalog id other than ``softmax``.
    z : sympy.Expr
        The pre-activation.

    Returns
    -------
    sympy.Expr
        ``relu`` is ``Piecewise((z, z > 0), (0, True))``: its derivative is 1 for ``z > 0`` and 0 for
        ``z < 0``; at ``z = 0`` it is not differentiable (SymPy's branch-wise derivative, like ffnn,
        takes 0 there).

    Raises
    ------
    InputError
        For ``softmax`` (use :func:`softmax_exprs`) or an unknown id.
    """
    validate_activation_id(name)
    forms: dict[str, sp.Expr] = {
        "identity": z,
        "sigmoid": 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh(z),
        "relu": sp.Piecewise((z, z > 0), (0, True)),
        "softplus": sp.log(1 + sp.exp(z)),
        "exp": sp.exp(z),
    }
    if name not in forms:
        raise InputError(f"activation {name!r} is not element-wise; use softmax_exprs")
    return forms[name]


def activation_inverse(name: str, a: sp.Expr) -> sp.Expr:
    """``z = φ⁻¹(a)`` of an invertible element-wise activation (``relu`` on its branch ``z > 0``).

    Used to rewrite an output delta found in terms of ``z`` in terms of the activation ``a``.
    """
    validate_activation_id(name)
    forms: dict[str, sp.Expr] = {
        "identity": a,
        "sigmoid": sp.log(a / (1 - a)),
        "tanh": sp.atanh(a),
        "relu": a,
        "softplus": sp.log(sp.exp(a) - 1),
        "exp": sp.log(a),
    }
    if name not in forms:
        raise InputError(f"activation {name!r} has no element-wise inverse")
    return forms[name]


def softmax_exprs(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    """``softmax(z)_i = e^{z_i} / Σ_j e^{z_j}`` for an explicit vector ``z`` of size ``k = len(zs)``."""
    total = sp.Add(*(sp.exp(z) for z in zs))
    return [sp.exp(z) / total for z in zs]


def layer_exprs(name: str, zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Activations ``a = φ(z)`` of one layer, element-wise or softmax, as a list of expressions."""
    if validate_activation_id(name) == "softmax":
        return softmax_exprs(zs)
    return [activation_expr(name, z) for z in zs]


def loss_term(name: str, a: sp.Expr, y: sp.Expr) -> sp.Expr:
    """The term of output unit ``k`` in the per-sample loss ``ℓ = Σ_k term(a_k, y_k)``.

    ========================= =========================================
    ``mse``                   ``½ (a − y)²``
    ``bce``                   ``−[y log a + (1 − y) log(1 − a)]``
    ``cross_entropy``         ``−y log a``
    ``poisson_nll``           ``a − y log a``
    ========================= =========================================

    Raises
    ------
    InputError
        For an unknown loss id.
    """
    validate_loss_id(name)
    forms: dict[str, sp.Expr] = {
        "mse": (a - y) ** 2 / 2,
        "bce": -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
        "cross_entropy": -y * sp.log(a),
        "poisson_nll": a - y * sp.log(a),
    }
    return forms[name]


def sample_loss(name: str, outputs: Sequence[sp.Expr], labels: Sequence[sp.Expr]) -> sp.Expr:
    """Per-sample loss ``ℓ = Σ_k term(a_k, y_k)`` of one output row."""
    return sp.Add(*(loss_term(name, a, y) for a, y in zip(outputs, labels, strict=True)))


def _endpoint_attained(name: str, value: float) -> bool:
    """Whether ``φ(z) = value`` has a real solution (decided by ``sympy.solveset``)."""
    if value in (float("inf"), float("-inf")):
        return False
    if name == "softmax":  # each entry e^{z_i}/Σ e^{z_j} lies strictly inside (0, 1)
        return False
    solutions = sp.solveset(sp.Eq(activation_expr(name, Z), sp.nsimplify(value)), Z, sp.S.Reals)
    return solutions != sp.S.EmptySet


@cache
def activation_range(name: str) -> sp.Interval:
    """The set of values of ``φ``: the declared ``(low, high)`` of the catalog, closed at an end that
    ``φ`` attains (``relu`` reaches 0, so its range is ``[0, ∞)``)."""
    low, high = ACTIVATIONS[validate_activation_id(name)].output_range
    return sp.Interval(
        sp.nsimplify(low),
        sp.nsimplify(high),
        left_open=not _endpoint_attained(name, low),
        right_open=not _endpoint_attained(name, high),
    )


def loss_domain(name: str) -> sp.Interval:
    """The open interval the activation must lie in for loss ``name`` (declared by the catalog)."""
    low, high = LOSSES[validate_loss_id(name)].activation_range
    return sp.Interval.open(sp.nsimplify(low), sp.nsimplify(high))


@cache
def sums_to_one(name: str) -> bool:
    """Whether the outputs of ``φ`` always sum to 1 (decided by simplification at ``k = 2``)."""
    zs = sp.symbols("z_1:3", real=True)
    return bool(sp.simplify(sp.Add(*layer_exprs(name, zs)) - 1) == 0)


def interval_text(interval: sp.Interval) -> str:
    """``[0, ∞)``-style text of an interval."""
    left = "(" if interval.left_open else "["
    right = ")" if interval.right_open else "]"

    def end(value: sp.Expr) -> str:
        return {sp.oo: "∞", -sp.oo: "−∞"}.get(value, sp.sstr(value).replace("-", "−"))

    return f"{left}{end(interval.start)}, {end(interval.end)}{right}"


def domain_note(loss: str, activation: str) -> str | None:
    """Why the pair is outside the loss's domain, or ``None`` when it is inside.

    A pair is inside when the activation's range lies inside the loss's domain and, for a loss in
    :data:`PROBABILITY_VECTOR_LOSSES`, the activation's outputs sum to 1.
    """
    act_range, dom = activation_range(activation), loss_domain(loss)
    if not act_range.is_subset(dom):
        return (
            f"{activation} takes values in {interval_text(act_range)}, which leaves the domain "
            f"{interval_text(dom)} of {loss}"
        )
    if loss in PROBABILITY_VECTOR_LOSSES and not sums_to_one(activation):
        return f"{loss} needs a probability vector; the outputs of {activation} do not sum to 1"
    return None
