"""The one table of tolerances, per dtype and finite-difference method, derived from error analysis.

An entry of an analytic gradient ``g_a`` is accepted against the numeric one ``g_n`` when::

    |g_a − g_n| ≤ rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n

where ``e_n`` is the numeric oracle's own error estimate for that entry (see the method modules) and
``G = max(‖g_a‖_∞, ‖g_n‖_∞)`` is the largest entry of the tensor. The terms play different roles:

* ``e_n`` bounds what the difference method itself gets wrong at the steps it used;
  ``estimate_factor`` allows for the estimate being an order-of-magnitude figure (a truncation
  estimate such as ``|D(h) − D(2h)| / 3`` is exact only in the limit ``h → 0``).
* ``rtol`` is the relative accuracy the method reaches at its optimal step, ``ε^p``, times a safety
  factor of 100 for the unknown ratio of higher derivatives to the first. The exponent ``p`` comes from
  balancing truncation against rounding (Press et al., *Numerical Recipes*, 3rd ed., §5.7; Nocedal &
  Wright, *Numerical Optimization*, 2nd ed., §8.1):

  ============== ============================ ===========================================
  method         truncation vs rounding       accuracy at the optimal step
  ============== ============================ ===========================================
  forward        ``h |f''| / 2`` vs ``ε/h``   ``ε^(1/2)``
  central        ``h² |f'''| / 6`` vs ``ε/h`` ``ε^(2/3)``
  richardson     ``h^(2K)`` vs ``ε/h``        ``2^(K−1) ε^(2K/(2K+1))``, ``K`` = levels (4)
  complex-step   ``h² |f'''| / 6``, no        ``ε`` (no subtractive cancellation; Squire &
                 cancellation                 Trapp 1998; Martins et al. 2003)
  rounding       the analytic gradient's own  ``ε`` of the dtype it was computed in
                 rounding
  ============== ============================ ===========================================

* ``G`` is the floor of the relative term. Each entry of a gradient (analytic or numeric) is a sum
  of products, and its rounding error is ``ε`` times the size of the terms summed, not times the sum
  (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §4.2). The terms summed into
  an entry that cancels to nearly zero are of the size of the tensor's large entries, so the rounding
  floor of every entry is ``rtol · G``; the safety factor covers the length of the sums.

A comparison where the analytic gradient was computed in a lower precision than the loss adds the
``rounding`` rtol of the analytic dtype to the method's (errors add). When the loss itself can only
be evaluated in float32, the float32 row of the method applies and reports say that precision limits
the verdict.

Two more thresholds live here because they are tolerances too: the kink test's relative
disagreement of one-sided differences (:mod:`verification.compare.kinks`) and the slope that separates a
right gradient (remainder ``O(h²)``) from a wrong one (``O(h)``) in the Taylor test
(:mod:`verification.compare.taylor`).

Nothing else in the project types a tolerance: tests and reports read this table.

A caller may still give its own ``rtol`` and ``atol`` (as ``torch.autograd.gradcheck``, JAX
``check_grads`` and ``numpy.testing.assert_allclose`` let it): :func:`given_tolerance` puts them in
place of the table's ``rtol`` and adds ``atol`` to the allowance, and the reports then say whether the
table's tolerance would have reached another verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ffnn.validation import InputError, described, real_number

SAFETY = 100.0
"""Allowance for the unknown ratio of higher derivatives to the first (see the module docstring)."""

ESTIMATE_FACTOR = 10.0
"""How many error estimates a difference may span before it counts against the gradient."""

RICHARDSON_LEVELS = 4
"""Central differences at ``h, h/2, h/4, h/8`` combined by Richardson extrapolation: error ``O(h^8)``."""

ACCURACY_EXPONENT: dict[str, float] = {
    "forward": 1 / 2,
    "central": 2 / 3,
    "richardson": 2 * RICHARDSON_LEVELS / (2 * RICHARDSON_LEVELS + 1),
    "complex-step": 1.0,
    "rounding": 1.0,
}
"""``p`` in ``accuracy = C ε^p`` at the optimal step, per method (see the module docstring)."""

ACCURACY_FACTOR: dict[str, float] = {"richardson": 2.0 ** (RICHARDSON_LEVELS - 1)}
"""``C`` in ``accuracy = C ε^p`` where it is not 1: Richardson's rounding is ``ε |f| / h`` at its
smallest step ``h₀ / 2^(K−1)``, so ``2^(K−1)`` times that at ``h₀``."""

KINK_RTOL = 1e-2
"""One-sided differences that disagree by more than this fraction of their size, beyond the smooth
model's curvature terms, mark a kink. The value is Chainer's ``diff_rtol`` for its
non-differentiability detector (``chainer.gradient_check.numerical_grad``): a kink changes the
one-sided slopes by ``O(1)`` of the derivative, smooth curvature at the step used by ``O(h²)``."""

SCALE_GAP = 1e-2
"""The nearest to 1 a scale ``c`` read as a constant of the code (``matches up to scale c``) may be,
relative: a constant a backward pass multiplies by is a factor of the loss or the batch (2, ½, 1/n,
a rate), never within 1 % of 1 unless it is 1. A least-squares scale nearer 1 than this, where scale 1
itself is outside the tolerance, is the signature of a small constant added where the code divides
(``(a − y) / (a (1 − a) + 1e-3)``), which a float32 tolerance (``5.6e-4`` by Richardson) lets a
fitted scale absorb at one sample; it is read as a mismatch, as it is in float64."""

NEAR_MATCH_RTOL = 1e-5
"""The relative deviation up to which a code that back-propagates one consistent output error is still
called the gradient of the catalog loss it is nearest (:mod:`verification.identification.near_match`),
with the deviation printed. Real loss derivatives add a stabilising constant where they divide:
``(p − y) / (p (1 − p) + ε)`` deviates from bce's gradient by ``ε / (p (1 − p) + ε)``, a relative
``4e-10`` for ``ε = 1e-10`` at ``p = 1/2``, far above the rounding any method here allows, so the strict
comparison reads "mismatch" at every tensor. ``1e-5`` is the float64 tolerance other gradient checkers
accept a gradient at (JAX ``check_grads``' default for float64; ``torch.autograd.gradcheck``'s ``atol``);
it keeps the usual constants (``1e-7`` to ``1e-12``) for outputs with ``p (1 − p)`` down to ``1e-2``,
and is five orders of magnitude below what a slip in a backward pass (a factor left out, a derivative at
the wrong point) changes the gradient by, a relative ``O(1)``. The strict table above still decides
every per-tensor verdict."""

TAYLOR_SLOPE_THRESHOLD = 1.5
"""The Taylor remainder of a right gradient shrinks like ``h²``, of a wrong one like ``h``: a fitted
log–log slope above the midpoint 1.5 says the gradient is right (Farrell et al., dolfin-adjoint,
``taylor_test``; the midpoint is equidistant from both exponents)."""

TAYLOR_TRUST_FACTOR = 10.0
"""A Taylor remainder is used in the slope fit only when it exceeds its rounding bound
``ε (|L(w + hv)| + |L(w)| + h |g·v|)`` by this factor: its relative error is then below 10 %, so
``log r`` is off by less than 0.1, and a slope fitted over four halvings (a log range of ``3 ln 2``)
by less than about 0.1 — far from the gap of 1 between the two exponents."""


@dataclass(frozen=True)
class Tolerance:
    """Acceptance thresholds for one dtype and method.

    Attributes
    ----------
    rtol : float
        Relative tolerance (dimensionless), also applied to the tensor floor ``G``.
    estimate_factor : float
        Multiplier of the numeric error estimate.
    order : str
        The accuracy the method reaches at its optimal step, as a formula in ``ε``.
    dtype : str
        The dtype whose ``ε`` was used.
    atol : float
        Absolute tolerance in gradient units, added to the allowance: 0 unless a caller gave one.
    given : bool
        True when the caller gave ``rtol`` or ``atol`` (:func:`given_tolerance`) instead of the table.
    """

    rtol: float
    estimate_factor: float
    order: str
    dtype: str = "float64"
    atol: float = 0.0
    given: bool = False


def _order(p: float) -> str:
    from fractions import Fraction

    frac = Fraction(p).limit_denominator(20)
    return "ε" if frac == 1 else f"ε^({frac})"


def _table() -> dict[tuple[str, str], Tolerance]:
    table: dict[tuple[str, str], Tolerance] = {}
    for dtype in (np.float64, np.float32):
        eps = float(np.finfo(dtype).eps)
        name = np.dtype(dtype).name
        for method, p in ACCURACY_EXPONENT.items():
            c = ACCURACY_FACTOR.get(method, 1.0)
            order = _order(p) if c == 1 else f"{c:g} {_order(p)}"
            table[(name, method)] = Tolerance(SAFETY * c * eps**p, ESTIMATE_FACTOR, order, name)
    return table


TOLERANCES: dict[tuple[str, str], Tolerance] = _table()
"""Tolerances keyed by ``(dtype name, method)``."""


def tolerance_for(
    dtype: np.dtype | type | str, method: str, analytic_dtype: np.dtype | type | str | None = None
) -> Tolerance:
    """The tolerance of ``method`` with the loss evaluated in ``dtype``.

    Parameters
    ----------
    dtype : dtype-like
        Precision the loss was evaluated in (float64 or float32).
    method : str
        ``forward``, ``central``, ``richardson``, ``complex-step`` or ``rounding``.
    analytic_dtype : dtype-like, optional
        Precision of the analytic gradient. When its ``ε`` is larger than that of ``dtype``, its
        ``rounding`` rtol is added to the method's.

    Raises
    ------
    InputError
        If ``dtype`` (or ``analytic_dtype``) is not a dtype (``None``, which numpy would read as
        float64, is refused), ``method`` is not a string, or the table has no entry for that dtype
        and method.
    """
    name = _dtype_name("dtype", dtype)
    if not isinstance(method, str):
        raise InputError(f"method must be a string such as 'central', got {described(method)}")
    key = (name, method)
    try:
        tol = TOLERANCES[key]
    except KeyError:
        known = ", ".join(f"{d}/{m}" for d, m in TOLERANCES)
        raise InputError(f"no tolerance for dtype {key[0]} with method {method!r}; known: {known}") from None
    if analytic_dtype is not None:
        a_name = _dtype_name("analytic_dtype", analytic_dtype)
        if (a_name, "rounding") in TOLERANCES and np.finfo(a_name).eps > np.finfo(key[0]).eps:
            extra = TOLERANCES[(a_name, "rounding")]
            tol = replace(tol, rtol=tol.rtol + extra.rtol, order=f"{tol.order} + {a_name} rounding")
    return tol


def _dtype_name(label: str, dtype: Any) -> str:
    """The name of the numpy dtype ``dtype`` names, or :class:`InputError` (``None`` is refused)."""
    if dtype is None:
        raise InputError(f"{label} must be a dtype such as np.float64, got None")
    try:
        return np.dtype(dtype).name
    except TypeError:
        raise InputError(f"{label} must be a dtype such as np.float64, got {described(dtype)}") from None


def given_tolerance(derived: Tolerance, *, rtol: Any = None, atol: Any = None) -> Tolerance:
    """The tolerance a caller asked for: ``derived`` with its ``rtol`` replaced and ``atol`` added.

    The acceptance rule keeps its form (:mod:`verification.compare.rule`)::

        |g_a − g_n| ≤ atol + rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n

    so the numeric oracle's own error estimate ``e_n`` still counts, and ``rtol`` still applies to the
    tensor floor ``G``. With ``G`` left out this is the rule of ``numpy.testing.assert_allclose`` and
    ``torch.allclose`` (``|a − b| ≤ atol + rtol · |b|``), here symmetric in the two gradients.

    Parameters
    ----------
    derived : Tolerance
        The table's tolerance for the dtype and method (:func:`tolerance_for`).
    rtol : float, optional
        Relative tolerance (dimensionless, ≥ 0) in place of ``derived.rtol``; None keeps the table's.
    atol : float, optional
        Absolute tolerance (gradient units, ≥ 0); None means 0.

    Returns
    -------
    Tolerance
        ``derived`` itself when neither is given, else a copy with ``given = True``.

    Raises
    ------
    InputError
        As :func:`tolerance_overrides`.
    """
    overrides = tolerance_overrides(rtol=rtol, atol=atol)
    if not overrides:
        return derived
    return replace(
        derived, rtol=overrides.get("rtol", derived.rtol), atol=overrides.get("atol", 0.0), given=True
    )


def tolerance_overrides(*, rtol: Any = None, atol: Any = None) -> dict[str, float]:
    """The ``rtol`` and ``atol`` a caller gave, checked, as floats (an empty dict for neither).

    Called before the work starts, so that a bad value is refused at once.

    Raises
    ------
    InputError
        If ``rtol`` or ``atol`` is not a finite number ≥ 0 (a bool or a string is refused).
    """
    out = {}
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is None:
            continue
        number = real_number(name, value)
        if number < 0:
            raise InputError(f"{name} must be a finite number ≥ 0, got {value!r}")
        out[name] = number
    return out
