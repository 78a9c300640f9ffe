"""The Taylor remainder test: a step-free verdict on a claimed gradient.

Along a direction ``v`` the first-order Taylor remainder of the loss is (Farrell, Ham, Funke &
Rognes, "Automated derivation of the adjoint of high-level transient finite element programs", SIAM
J. Sci. Comput. 35(4), 2013, §5.1; the ``taylor_test`` of dolfin-adjoint / pyadjoint)::

    r(h) = |L(w + h v) − L(w) − h ∇L·v|

which shrinks like ``h²`` when ``∇L`` is the gradient and only like ``h`` when it is wrong (the error
``(g − ∇L)·v`` survives at first order). No step has to be chosen: the test sweeps
``h_k = h₀ / 2^k`` and reports the slope of ``log r`` against ``log h``, fitted by least squares over
the smallest steps whose remainder is still well above rounding (``TAYLOR_TRUST_FACTOR`` times the
rounding of the three terms, ``ε (|L(w + hv)| + |L(w)| + h |g·v|)``). A slope above
``TAYLOR_SLOPE_THRESHOLD`` (1.5, :mod:`verification.tolerances`) says the gradient is right along
``v``. An error ``e = (g − ∇L)·v`` shows once ``h`` falls below about ``|e| / |vᵀHv|``, so the sweep
goes down to the rounding floor; the linear regime must then span a few halvings above that floor.

What it can miss: along a random unit ``v`` an error of relative size ``δ`` on one of ``n`` entries
gives ``|e| ≈ δ |g_i| / √n`` (see :mod:`verification.compare.directional`); on the question's 165-parameter
network a ``10⁻⁴`` error on the largest entry shows clearly, a ``10⁻⁶`` one sits at the rounding
floor and is not resolved. Errors of the whole tensor (sign, scale, wrong loss) always are.

Directions are drawn with ``np.random.default_rng(seed)``: standard normal over all parameter entries,
scaled to unit Euclidean norm.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.validation import InputError, real_number, whole_number
from verification.compare.calling import named_form
from verification.numeric.evaluators import Array, as_parameters, loss_function, real_array, real_scalar
from verification.tolerances import TAYLOR_SLOPE_THRESHOLD, TAYLOR_TRUST_FACTOR

FIT_POINTS = 4
"""How many of the smallest trusted steps the slope is fitted over."""
MAX_HALVINGS = 1000
"""Most halvings of the first step: ``2^-1000`` is still a normal float64 (``2^-1022`` the smallest);
past it ``2.0 ** k`` overflows and the steps round to zero. Far fewer suffice: below ``ε |w|`` a step
no longer moves ``w``."""


@dataclass(frozen=True)
class TaylorDirectionReport:
    """The remainder sweep along one direction.

    Attributes
    ----------
    steps : ndarray, shape (K,)
        ``h_k``, decreasing.
    remainders : ndarray, shape (K,)
        ``r(h_k)``.
    trusted : ndarray of bool, shape (K,)
        Where ``r`` is above ``SAFETY`` times its rounding.
    slope : float
        Least-squares slope of ``log r`` on ``log h`` over the last ``FIT_POINTS`` trusted steps (nan
        when fewer than two are trusted).
    directional_derivative : float
        ``g·v`` of the claimed gradient.
    """

    steps: Array
    remainders: Array
    trusted: Array
    slope: float
    directional_derivative: float

    @property
    def verdict(self) -> str:
        """``matches`` (slope ≥ threshold, or remainder at rounding level for every step) or ``mismatch``."""
        if np.isnan(self.slope):
            return "matches"
        return "matches" if self.slope >= TAYLOR_SLOPE_THRESHOLD else "mismatch"


@dataclass(frozen=True)
class TaylorReport:
    """The Taylor test over several random directions.

    Attributes
    ----------
    directions : list of TaylorDirectionReport
    seed : int
        Seed of the directions.
    """

    directions: list[TaylorDirectionReport]
    seed: int

    @property
    def slopes(self) -> list[float]:
        """The fitted slope of each direction."""
        return [d.slope for d in self.directions]

    @property
    def verdict(self) -> str:
        """``matches`` when every direction matches, else ``mismatch``."""
        return "matches" if all(d.verdict == "matches" for d in self.directions) else "mismatch"

    @property
    def matches(self) -> bool:
        """True when every direction's remainder shrinks like ``h²``."""
        return self.verdict == "matches"

    def __bool__(self) -> bool:
        """The verdict: :attr:`matches`, so that ``assert taylor_test(...)`` fails on a wrong gradient."""
        return self.matches

    def __str__(self) -> str:
        """The readable lines of :meth:`format_text`."""
        return self.format_text()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "test": "taylor",
            "seed": self.seed,
            "verdict": self.verdict,
            "slope_threshold": TAYLOR_SLOPE_THRESHOLD,
            "directions": [
                {
                    "slope": None if np.isnan(d.slope) else d.slope,
                    "verdict": d.verdict,
                    "directional_derivative": d.directional_derivative,
                    "steps": d.steps.tolist(),
                    "remainders": d.remainders.tolist(),
                    "trusted": d.trusted.tolist(),
                }
                for d in self.directions
            ],
        }

    def format_text(self) -> str:
        """One line per direction with its fitted slope."""
        lines = [f"Taylor remainder test, seed {self.seed}: slope 2 = right gradient, 1 = wrong"]
        for k, d in enumerate(self.directions):
            slope = "n/a (remainder at rounding level)" if np.isnan(d.slope) else f"{d.slope:.3f}"
            lines.append(f"  direction {k}: slope {slope}  {d.verdict}")
        lines.append(f"overall: {self.verdict}")
        return "\n".join(lines)


def fitted_slope(steps: Array, remainders: Array) -> float:
    """Least-squares slope of ``log r`` on ``log h`` (nan for fewer than two points).

    Parameters
    ----------
    steps, remainders : ndarray, shape (m,)
        Positive.
    """
    if steps.size < 2:
        return float("nan")
    return float(np.polyfit(np.log(steps), np.log(remainders), 1)[0])


def taylor_test(
    f: Callable[[Any], Any],
    params: Any,
    analytic: Any,
    *,
    directions: int = 3,
    seed: int = 0,
    first_step: float = 2.0**-4,
    halvings: int = 30,
) -> TaylorReport:
    """Taylor remainder test of ``analytic`` as the gradient of ``f`` at ``params``.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``, called with float64 copies; ``f(x)`` when ``params`` is one array.
    params : mapping of str to array_like, or array_like
        The point: named arrays, or one array.
    analytic : mapping of str to array_like, array_like, or callable
        Claimed gradient, same names and shapes, or a function of the point that returns it
        (:mod:`verification.compare.calling`).
    directions : int
        Number of random directions (≥ 1).
    seed : int
        Seed of ``np.random.default_rng`` drawing the directions.
    first_step : float
        ``h₀ > 0``; the steps are ``h₀ / 2^k``, ``k = 0 … halvings``.
    halvings : int
        Number of halvings (≥ 2).

    Returns
    -------
    TaylorReport
        Spends ``1 + directions · (halvings + 1)`` evaluations of ``f``. Its truth value is its
        verdict.

    Raises
    ------
    InputError
        On bad parameters, a mismatched, complex or non-numeric gradient, a ``first_step`` that is
        not a finite number > 0, ``f`` that is not callable, or ``directions``, ``halvings`` or
        ``seed`` that is not a whole number (≥ 1, 2 to :data:`MAX_HALVINGS`, ≥ 0; a float or bool is
        refused).
    """
    f = loss_function(f)
    directions = whole_number("directions", directions, minimum=1)
    halvings = whole_number("halvings", halvings, minimum=2)
    if halvings > MAX_HALVINGS:
        raise InputError(
            f"halvings must be at most {MAX_HALVINGS}, got {halvings}: h₀ / 2^k leaves float64's range "
            "of normal numbers past k ≈ 1000"
        )
    seed = whole_number("seed", seed, minimum=0)
    first_step = real_number("first_step", first_step, positive=True)
    form = named_form(f, params, analytic)
    f, analytic = form.f, form.analytic
    base = as_parameters(form.params)
    if not isinstance(analytic, Mapping) or set(analytic) != set(base):
        raise InputError(f"the analytic gradient must have parameters {sorted(base)}")
    grad = {n: real_array(f"analytic gradient of {n}", analytic[n]) for n in base}
    for n in base:
        if grad[n].shape != base[n].shape:
            raise InputError(f"analytic gradient of {n} has shape {grad[n].shape}, expected {base[n].shape}")
    eps = float(np.finfo(np.float64).eps)
    rng = np.random.default_rng(seed)
    f0 = real_scalar(f(dict(base)))
    steps = first_step / 2.0 ** np.arange(halvings + 1)
    results = []
    for _ in range(directions):
        v = {n: rng.standard_normal(w.shape) for n, w in base.items()}
        norm = np.sqrt(sum(float(np.sum(x * x)) for x in v.values()))
        v = {n: x / norm for n, x in v.items()}
        gv = sum(float(np.sum(grad[n] * v[n])) for n in base)
        values = np.array([real_scalar(f({n: base[n] + h * v[n] for n in base})) for h in steps])
        remainders = np.abs(values - f0 - steps * gv)
        rounding = eps * (np.abs(values) + abs(f0) + steps * abs(gv))
        trusted = remainders > TAYLOR_TRUST_FACTOR * rounding
        idx = np.flatnonzero(trusted)[-FIT_POINTS:]
        slope = fitted_slope(steps[idx], remainders[idx])
        results.append(TaylorDirectionReport(steps, remainders, trusted, slope, gv))
    return TaylorReport(results, seed)
