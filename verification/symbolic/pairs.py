"""Output deltas of every loss and output activation pair, derived with SymPy and proven (un)equal to
the shortcut ``a − y``.

For a pair (loss ``ℓ``, output activation ``φ``) the output delta is ``δ = ∂ℓ/∂z``. It is derived by
differentiating ``ℓ(φ(z), y)`` with respect to ``z``, then rewritten in terms of the activation
``a = φ(z)`` and the label ``y`` (``z`` stays only where it cannot be removed: the branch condition of
``relu``). Whether ``δ ≡ a − y`` is decided by simplification, never by sampling; when it is not, a
concrete point ``(z, y)`` where the two differ is found and recorded.

Softmax couples its outputs: ``δ_i = Σ_j ∂ℓ/∂a_j · ∂a_j/∂z_i`` with the full Jacobian
``∂a_j/∂z_i = a_j (1[i = j] − a_i)``. It is derived for explicit vector sizes ``k = 2 … 5``, where every
entry is a rational function of ``e_j = exp(z_j)``, so :func:`sympy.cancel` decides each identity
exactly.

The pairs where the shortcut holds are the canonical links of generalised linear models: identity with
squared error, sigmoid with binary cross-entropy, softmax with categorical cross-entropy, exp with the
Poisson log-likelihood (McCullagh & Nelder, *Generalized Linear Models*, 1989, §2.2.4; Bishop, *Pattern
Recognition and Machine Learning*, 2006, §4.3.6).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import sympy as sp

from verification.symbolic.catalog import (
    ACTIVATION_IDS,
    LABEL_CANDIDATES,
    LOSS_IDS,
    PROBABILITY_VECTOR_LOSSES,
    A,
    Y,
    Z,
    activation_expr,
    activation_inverse,
    domain_note,
    loss_term,
    softmax_exprs,
    validate_activation_id,
    validate_loss_id,
)

SOFTMAX_SIZES: tuple[int, ...] = (2, 3, 4, 5)
"""Vector sizes ``k`` at which every softmax identity is proven."""

Z_CANDIDATES: tuple[int, ...] = (1, -1, 2)
"""Exact pre-activations tried, in order, when a counterexample is searched (0 is avoided: relu's kink)."""

I_, J_ = sp.symbols("i j", integer=True, positive=True)
K_ = sp.Symbol("k", integer=True, positive=True)
A_IDX, Y_IDX = sp.IndexedBase("a"), sp.IndexedBase("y")


@dataclass(frozen=True)
class Counterexample:
    """A point where the output delta and the shortcut ``a − y`` differ.

    Attributes
    ----------
    z, y : tuple of sympy.Rational
        Pre-activation and label of every output unit (one entry for element-wise activations,
        ``k = 2`` for softmax).
    delta, shortcut : tuple of sympy.Expr
        Exact ``δ`` and ``a − y`` there, entry by entry.
    """

    z: tuple[sp.Expr, ...]
    y: tuple[sp.Expr, ...]
    delta: tuple[sp.Expr, ...]
    shortcut: tuple[sp.Expr, ...]


@dataclass(frozen=True)
class PairDerivation:
    """The derived output delta of one (loss, output activation) pair.

    Attributes
    ----------
    loss, activation : str
        Catalog ids.
    domain_note : str or None
        Why the pair lies outside the loss's domain; ``None`` when it is inside. Outside pairs carry no
        derivation (``delta``, ``delta_z``, ``shortcut`` are ``None``).
    delta : sympy.Expr or None
        ``δ`` in terms of ``a`` and ``y`` (symbols :data:`A`, :data:`Y`); for softmax the component
        ``δ_i`` written with indexed ``a_i, y_i`` and sums over ``j = 1 … k``.
    delta_z : tuple of sympy.Expr or None
        ``δ`` as derived, a function of ``z`` (and ``y``): one entry for element-wise activations, the
        ``k = 2`` components for softmax (symbols ``z_1, z_2, y_1, y_2``).
    shortcut : bool or None
        True when ``δ ≡ a − y`` is proven, False when disproven, None outside the domain.
    counterexample : Counterexample or None
        Present exactly when ``shortcut`` is False.
    piecewise : bool
        True for ``relu``, whose delta has one formula for ``z > 0`` and another for ``z < 0``.
    sizes : tuple of int
        Softmax vector sizes at which the derivation was proven; empty for element-wise activations.
    """

    loss: str
    activation: str
    domain_note: str | None
    delta: sp.Expr | None
    delta_z: tuple[sp.Expr, ...] | None
    shortcut: bool | None
    counterexample: Counterexample | None
    piecewise: bool
    sizes: tuple[int, ...]

    @property
    def name(self) -> str:
        """The pair's id, e.g. ``bce-sigmoid``."""
        return f"{self.loss}-{self.activation}"


def _shorter(*exprs: sp.Expr) -> sp.Expr:
    """The most readable of equal expressions: fewest operations, then fewest leading minus signs."""

    def score(e: sp.Expr) -> tuple[int, int, int]:
        text = sp.sstr(e)
        return (sp.count_ops(e), text.count("(-") + text.startswith("-"), len(text))

    return min(exprs, key=score)


def _sign_variants(expr: sp.Expr) -> list[sp.Expr]:
    """``expr`` and, for a product, the same product with an even number of its sum factors negated
    (``(−a + y)(a − 1)`` → ``(a − y)(1 − a)``): equal expressions written with other signs."""
    if not expr.is_Mul:
        return [expr]

    def flipped(f: sp.Expr) -> sp.Expr:  # −f, written by negating a sum (or the sum under an odd power)
        return -f if f.is_Add else sp.Pow(-f.base, f.exp)

    sums = [
        i
        for i, f in enumerate(expr.args)
        if f.is_Add or (f.is_Pow and f.base.is_Add and f.exp.is_integer and f.exp.is_odd)
    ]
    out = [expr]
    for size in range(2, len(sums) + 1, 2):
        for chosen in itertools.combinations(sums, size):
            out.append(sp.Mul(*[flipped(f) if i in chosen else f for i, f in enumerate(expr.args)]))
    return out


def _differs(value: sp.Expr) -> bool:
    """Whether a closed-form number (rationals, e, logs) is non-zero: a magnitude above 1e-40 when
    evaluated to 50 significant digits. The tests re-check each counterexample by exact simplification."""
    return bool(abs(sp.N(value, 50)) > sp.Float("1e-40", 50))


def _elementwise(loss: str, activation: str) -> PairDerivation:
    phi = activation_expr(activation, Z)
    delta_z = sp.piecewise_fold(sp.diff(loss_term(loss, phi, Y), Z))
    piecewise = isinstance(delta_z, sp.Piecewise)
    if piecewise:  # relu: a = z on the branch z > 0; the condition keeps z
        branches = [
            (sp.simplify(e.subs(Z, activation_inverse(activation, A)) if c == (Z > 0) else e), c)
            for e, c in delta_z.args
        ]
        delta: sp.Expr = sp.Piecewise(*branches)
    else:
        rewritten = sp.simplify(delta_z.subs(Z, activation_inverse(activation, A)))
        delta = _shorter(rewritten, *_sign_variants(sp.factor(rewritten)))
        if sp.simplify(delta.subs(A, phi) - delta_z) != 0:
            raise ArithmeticError(f"{loss}-{activation}: the rewrite in a does not reproduce δ(z)")
    shortcut = sp.simplify(sp.piecewise_fold(delta_z - (phi - Y))) == 0
    counterexample = None
    if not shortcut:
        for z, y in itertools.product(Z_CANDIDATES, LABEL_CANDIDATES[loss]):
            point = {Z: sp.Integer(z), Y: sp.Integer(y)}
            d, s = delta_z.subs(point), (phi - Y).subs(point)
            if _differs(d - s):
                counterexample = Counterexample((point[Z],), (point[Y],), (d,), (s,))
                break
        else:
            raise ArithmeticError(f"{loss}-{activation}: no counterexample among the candidate points")
    return PairDerivation(loss, activation, None, delta, (delta_z,), shortcut, counterexample, piecewise, ())


@cache
def _softmax_general(loss: str) -> sp.Expr:
    """``δ_i = a_i (g_i − Σ_j a_j g_j)`` with ``g = ∂ℓ/∂a`` derived, using ``Σ_j a_j = 1`` and, for a
    loss with probability-vector labels, ``Σ_j y_j = 1``."""
    g = sp.simplify(sp.diff(loss_term(loss, A, Y), A))
    g = _shorter(*_sign_variants(sp.factor(g)), g)
    summand = sp.simplify(A * g)
    summand = _shorter(*_sign_variants(sp.factor(summand)), summand)
    terms = sp.Add.make_args(sp.expand(summand)) if summand.is_polynomial(A, Y) else (summand,)
    total = sp.Integer(0)
    for term in terms:
        coeff, rest = term.as_independent(A, Y)
        if rest == A or (rest == Y and loss in PROBABILITY_VECTOR_LOSSES):
            total += coeff
        else:
            total += coeff * sp.Sum(rest.subs({A: A_IDX[J_], Y: Y_IDX[J_]}), (J_, 1, K_))
    general = A_IDX[I_] * (g.subs({A: A_IDX[I_], Y: Y_IDX[I_]}) - total)
    return _shorter(general, sp.expand(general))


def softmax_components(loss: str, k: int, count: int | None = None) -> list[sp.Expr]:
    """The general softmax delta written out for size ``k``: ``[δ_1, …, δ_k]`` (or the first ``count``)
    in symbols ``a_1 … a_k``, ``y_1 … y_k`` (see :func:`vector_symbols`)."""
    a, y = vector_symbols("a", k), vector_symbols("y", k)
    general = _softmax_general(validate_loss_id(loss))
    out = []
    for i in range(1, (k if count is None else count) + 1):
        explicit = general.subs({K_: k, I_: i}).doit()
        out.append(
            explicit.subs({A_IDX[j + 1]: a[j] for j in range(k)} | {Y_IDX[j + 1]: y[j] for j in range(k)})
        )
    return out


def vector_symbols(prefix: str, k: int) -> tuple[sp.Symbol, ...]:
    """Real symbols ``prefix_1 … prefix_k`` (never ``x0``-like, so safe from ``cse`` temporaries)."""
    return tuple(sp.Symbol(f"{prefix}_{j}", real=True) for j in range(1, k + 1))


def _on_simplex(expr: sp.Expr, loss: str, a: tuple[sp.Symbol, ...], y: tuple[sp.Symbol, ...]) -> sp.Expr:
    """Eliminate ``a_k = 1 − Σ_{j<k} a_j`` (and ``y_k`` likewise for probability labels)."""
    subs = {a[-1]: 1 - sp.Add(*a[:-1])}
    if loss in PROBABILITY_VECTOR_LOSSES:
        subs[y[-1]] = 1 - sp.Add(*y[:-1])
    return expr.subs(subs)


def _is_zero(expr: sp.Expr) -> bool:
    """Whether a rational function is identically zero: the expanded numerator over one common
    denominator vanishes (no gcd is computed, which keeps the size-5 softmax identities fast)."""
    numerator, _ = sp.fraction(sp.together(expr))
    return bool(sp.expand(numerator) == 0)


def softmax_delta_z(loss: str, k: int) -> list[sp.Expr]:
    """``δ_i = ∂ℓ/∂z_i`` of softmax and ``loss`` as derived, in symbols ``z_1 … z_k``, ``y_1 … y_k``."""
    z, y = vector_symbols("z", k), vector_symbols("y", k)
    ell = sp.Add(*(loss_term(loss, s, yj) for s, yj in zip(softmax_exprs(z), y, strict=True)))
    return [sp.diff(ell, zi) for zi in z]


def _prove_softmax(loss: str, k: int) -> bool:
    """Prove ``δ_1(z) ≡`` :func:`softmax_components` ``[0]`` at size ``k``; return whether the shortcut
    ``δ ≡ a − y`` holds there.

    Only the first component is proven: the loss and softmax are unchanged by permuting the entries of
    ``(z, y)`` together, so ``δ_i`` is ``δ_1`` with indices 1 and i swapped (likewise for the
    Jacobian entries of step 1). Step 2 sums all ``k`` terms explicitly.
    """
    z, y, a = vector_symbols("z", k), vector_symbols("y", k), vector_symbols("a", k)
    e = tuple(sp.Symbol(f"e_{j}", positive=True) for j in range(1, k + 1))
    to_e = {sp.exp(zj): ej for zj, ej in zip(z, e, strict=True)}
    soft = softmax_exprs(z)
    a_of_e = {aj: ej / sp.Add(*e) for aj, ej in zip(a, e, strict=True)}
    g = [sp.diff(loss_term(loss, A, Y), A).subs({A: aj, Y: yj}) for aj, yj in zip(a, y, strict=True)]
    general = softmax_components(loss, k, count=1)[0]
    jacobian_form = [g[j] * a[j] * ((1 if j == 0 else 0) - a[0]) for j in range(k)]
    # Step 1: ∂ term_j / ∂z_1 = g_j · a_j (1[j = 1] − a_1), the full Jacobian. Entries j ≥ 3 are
    # entry j = 2 with indices 2 and j swapped, so the diagonal and one off-diagonal entry suffice.
    for j in range(2):
        derived = sp.diff(loss_term(loss, soft[j], y[j]), z[0]).subs(to_e)
        if set(z) & derived.free_symbols or not _is_zero(derived - jacobian_form[j].subs(a_of_e)):
            raise ArithmeticError(f"{loss}-softmax k={k}: Jacobian entry (1, {j + 1}) fails")
    # Step 2: Σ_j of the Jacobian form equals the general formula (on the simplex Σ a = 1).
    difference = sp.Add(*jacobian_form) - general
    if not (_is_zero(difference) or _is_zero(_on_simplex(difference, loss, a, y))):
        raise ArithmeticError(f"{loss}-softmax k={k}: δ_1 differs from the general formula")
    return _is_zero(_on_simplex(general - (a[0] - y[0]), loss, a, y))


def _softmax(loss: str) -> PairDerivation:
    verdicts = {k: _prove_softmax(loss, k) for k in SOFTMAX_SIZES}
    deltas = softmax_delta_z(loss, 2)
    if len(set(verdicts.values())) != 1:
        raise ArithmeticError(f"{loss}-softmax: the shortcut verdict depends on k: {verdicts}")
    shortcut = verdicts[SOFTMAX_SIZES[0]]
    counterexample = None
    if not shortcut:
        z, y = vector_symbols("z", 2), vector_symbols("y", 2)
        soft = softmax_exprs(z)
        # One-hot labels and unequal pre-activations first: the most telling points.
        labels = sorted(itertools.product(LABEL_CANDIDATES[loss], repeat=2), key=lambda p: abs(sum(p) - 1))
        if loss in PROBABILITY_VECTOR_LOSSES:
            labels = [p for p in labels if sum(p) == 1]
        pre = sorted(itertools.product(Z_CANDIDATES, repeat=2), key=lambda p: p[0] == p[1])
        for zv, yv in itertools.product(pre, labels):
            point = {
                **dict(zip(z, map(sp.Integer, zv), strict=True)),
                **dict(zip(y, map(sp.Integer, yv), strict=True)),
            }
            d = tuple(di.subs(point) for di in deltas)
            s = tuple((soft[i] - y[i]).subs(point) for i in range(2))
            if any(_differs(di - si) for di, si in zip(d, s, strict=True)):
                counterexample = Counterexample(tuple(map(sp.Integer, zv)), tuple(map(sp.Integer, yv)), d, s)
                break
        else:
            raise ArithmeticError(f"{loss}-softmax: no counterexample among the candidate points")
    return PairDerivation(
        loss,
        "softmax",
        None,
        _softmax_general(loss),
        tuple(deltas),
        shortcut,
        counterexample,
        False,
        SOFTMAX_SIZES,
    )


def derive_pair(loss: str, activation: str) -> PairDerivation:
    """Derive, simplify and decide the output delta of one pair (cached).

    Parameters
    ----------
    loss : str
        Catalog loss id (``mse``, ``bce``, ``cross_entropy``, ``poisson_nll``).
    activation : str
        Catalog activation id of the output layer.

    Returns
    -------
    PairDerivation
        For a pair outside the loss's domain only ``domain_note`` is set. Otherwise ``delta`` in terms
        of ``a`` and ``y``, the verdict on ``δ ≡ a − y`` and, when false, a counterexample.

    Raises
    ------
    InputError
        If an id is not in the catalog.
    ArithmeticError
        If a step of the derivation fails its own proof (a bug, never expected).
    """
    return _derived(validate_loss_id(loss), validate_activation_id(activation))


@cache
def _derived(loss: str, activation: str) -> PairDerivation:
    """:func:`derive_pair` of two valid ids, cached (validated first, so the cache never sees a list)."""
    note = domain_note(loss, activation)
    if note is not None:
        return PairDerivation(loss, activation, note, None, None, None, None, activation == "relu", ())
    if activation == "softmax":
        return _softmax(loss)
    return _elementwise(loss, activation)


def derive_table(loss: str | None = None, activation: str | None = None) -> tuple[PairDerivation, ...]:
    """All pairs (or those of one loss and/or one activation), loss-major in catalog order.

    Raises
    ------
    InputError
        If ``loss`` or ``activation`` is given and not a catalog id.
    """
    losses = LOSS_IDS if loss is None else (validate_loss_id(loss),)
    activations = ACTIVATION_IDS if activation is None else (validate_activation_id(activation),)
    return tuple(derive_pair(lo, ac) for lo in losses for ac in activations)
