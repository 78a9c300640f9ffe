"""The numeric vector–Jacobian product of a forward pass, element by element, with an error estimate.

A backward pass returns ``Jᵀ dout``: for outputs ``out_k(θ)`` of a forward pass at inputs and parameters
``θ`` and upstream gradients ``dout_k``, the gradient of the scalar::

    φ(θ) = Σ_k ⟨dout_k, out_k(θ)⟩        (Frobenius inner product)

is ``∂φ/∂θ = Σ_k J_kᵀ dout_k``, one tensor per input. So every backward is checked as the gradient of a
scalar, by the difference methods and error estimates of :mod:`verification.numeric`: complex step
(one forward per element, accurate to rounding) when the forward is complex-safe, detected by
:func:`complex_safe`, else Richardson-extrapolated central differences (eight forwards per element).

The *elements* differentiated are chosen per tensor (:class:`Sample`): entries one by one (``∂φ/∂θ_i``)
and random directions (``∂φ/∂t`` of ``φ(θ + t u)``, which is ``Σ_i u_i ∂φ/∂θ_i``). Both are coordinates
``s`` of one function ``ψ(s) = φ(θ + scatter(s_entries) + s_directions · U)``, whose gradient at ``s = 0``
is differentiated by :func:`verification.numeric.methods.numeric_gradient_on` on the evaluator
:class:`Coordinates`; the same evaluator serves the kink test of flagged elements
(:mod:`verification.compare.kinks`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, one_line
from verification.numeric.differences import NumericGradient
from verification.numeric.methods import numeric_gradient_on
from verification.tolerances import tolerance_for

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)
Forward = Callable[[dict[str, Array]], list[Array]]
"""The outputs of a forward pass at the inputs and parameters ``θ`` (float64, or complex128 under
complex step)."""


@dataclass(frozen=True)
class Problem:
    """One vector–Jacobian product to differentiate.

    Attributes
    ----------
    forward : callable
        ``forward(θ) -> [out_1, …]``: the outputs at ``θ`` (a dict of arrays of the shapes of ``point``).
    point : dict of str to ndarray, float64
        The inputs and parameters differentiated with respect to.
    douts : list of ndarray, float64
        The upstream gradient of each output, of its shape.
    """

    forward: Forward
    point: dict[str, Array]
    douts: list[Array]

    def value(self, theta: Mapping[str, Array]) -> Any:
        """``φ(θ) = Σ_k ⟨dout_k, out_k(θ)⟩`` (complex under complex step).

        Raises
        ------
        InputError
            When the forward gives another number of outputs, or an output of another shape, than at
            the point (one line naming both).
        """
        outs = self.forward(dict(theta))
        if len(outs) != len(self.douts):
            raise InputError(f"the forward gave {len(outs)} outputs here and {len(self.douts)} at the point")
        total: Any = 0.0
        for k, (d, o) in enumerate(zip(self.douts, outs, strict=True)):
            o = np.asarray(o)
            if o.shape != d.shape:
                raise InputError(
                    f"output {k + 1} of the forward has shape {o.shape} here, {d.shape} at the point"
                )
            with np.errstate(all="ignore"):  # a non-finite value is refused by the evaluator, in one line
                total = total + np.sum(d * o)
        return total


@dataclass(frozen=True)
class Sample:
    """What is differentiated of each tensor.

    Attributes
    ----------
    entries : dict of str to ndarray of int
        Flat indices of the entries differentiated one by one.
    directions : dict of str to ndarray, shape (d, size)
        Directions ``u`` (rows) along which the whole tensor is differentiated.
    """

    entries: dict[str, Array]
    directions: dict[str, Array]

    @classmethod
    def every_entry(cls, point: Mapping[str, Array]) -> Sample:
        """Every entry of every tensor, no direction (``--full``)."""
        return cls(
            {n: np.arange(np.size(w)) for n, w in point.items()},
            {n: np.zeros((0, np.size(w))) for n, w in point.items()},
        )

    def count(self, name: str) -> int:
        """Elements of tensor ``name``: its entries, then its directions."""
        return int(self.entries[name].size + self.directions[name].shape[0])


@dataclass(frozen=True)
class NumericVjp:
    """``∂φ/∂s`` for the elements of a :class:`Sample`, with the evaluator that computed it.

    Attributes
    ----------
    values, estimates, steps : dict of str to ndarray, shape (k + d,)
        Per tensor: the derivatives of its entries then its directions, their error estimates and the
        (largest) steps used.
    method : str
        ``complex-step`` or ``richardson``.
    evaluator : Coordinates
        The evaluator of ``ψ``, whose coordinates are the elements (for the kink test).
    evaluations : int
        Forward passes spent.
    """

    values: dict[str, Array]
    estimates: dict[str, Array]
    steps: dict[str, Array]
    method: str
    evaluator: Coordinates
    evaluations: int


class Coordinates:
    """The evaluator (:class:`verification.numeric.evaluators.Evaluator`) of
    ``ψ(s) = φ(θ + scatter(s_entries) + s_directions · U)`` at ``s = 0``, one coordinate vector per
    tensor (its entries, then its directions). A tensor whose coordinates are not moved is passed as it
    is, real, which keeps a complex run cheap.

    Raises
    ------
    InputError
        When the forward fails, or ``φ`` is not a finite real number at the point or finite at a
        shifted one.
    """

    def __init__(self, problem: Problem, sample: Sample) -> None:
        self.problem, self.sample = problem, sample
        self.params = {n: np.zeros(sample.count(n)) for n in problem.point if sample.count(n)}
        self.parameter_dtypes = {n: "float64" for n in self.params}
        self.dtype = np.dtype(np.float64)
        value = complex(problem.value(problem.point))
        if value.imag != 0 or not np.isfinite(value.real):
            raise InputError(f"the forward's Σ dout · out is {value} at the point, not a finite real number")
        self.value = value.real
        self.evaluations = 1

    def theta(self, name: str, coordinates: Array) -> dict[str, Array]:
        """The point with tensor ``name`` moved by ``coordinates``."""
        w = self.problem.point[name]
        k = self.sample.entries[name].size
        t = w.astype(coordinates.dtype).reshape(-1)
        t[self.sample.entries[name]] += coordinates[:k]
        if self.sample.directions[name].shape[0]:
            t = t + coordinates[k:] @ self.sample.directions[name]
        return {**self.problem.point, name: t.reshape(w.shape)}

    def shifted(self, name: str, flat: Array, delta: Array) -> Array:
        """``ψ`` with coordinate ``flat[k]`` of tensor ``name`` moved by ``delta[k]``, for each ``k``."""
        delta = np.asarray(delta)
        out = np.empty(len(flat), dtype=np.complex128 if np.iscomplexobj(delta) else np.float64)
        s = np.zeros(self.params[name].size, dtype=out.dtype)
        for k, (i, d) in enumerate(zip(np.asarray(flat), delta, strict=True)):
            s[i] = d
            value = self.problem.value(self.theta(name, s))
            s[i] = 0
            out[k] = value if np.iscomplexobj(out) else complex(value).real
        if not np.all(np.isfinite(out)):
            raise InputError(f"the forward gives a non-finite value when {name} is moved")
        self.evaluations += len(flat)
        return out


def numeric_vjp(problem: Problem, sample: Sample, method: str) -> NumericVjp:
    """The numeric ``∂φ/∂s`` of every element of ``sample`` by ``method``.

    Parameters
    ----------
    problem : Problem
    sample : Sample
    method : str
        ``complex-step`` or ``richardson`` (resolved by :func:`choose_method`).

    Returns
    -------
    NumericVjp
        ``evaluations``: one forward at the point, then one per element (complex step) or ``2K`` per
        element (Richardson, ``K`` levels).

    Raises
    ------
    InputError
        When the forward fails, or gives a non-finite value, at a shifted point.
    """
    ev = Coordinates(problem, sample)
    numeric: NumericGradient = numeric_gradient_on(ev, method)
    return NumericVjp(
        values={n: v.reshape(-1) for n, v in numeric.gradient.items()},
        estimates={n: e.reshape(-1) for n, e in numeric.error_estimate.items()},
        steps={n: s.reshape(-1) for n, s in numeric.step.items()},
        method=numeric.method,
        evaluator=ev,
        evaluations=numeric.evaluations,
    )


def _direction(point: Mapping[str, Array], rng: np.random.Generator) -> dict[str, Array]:
    return {n: np.asarray(rng.standard_normal(np.shape(w))) for n, w in point.items()}


def complex_safe(problem: Problem, rng: np.random.Generator) -> tuple[bool, str]:
    """Whether the forward evaluates correctly at complex inputs, so complex step applies to it.

    Along one random direction ``u`` over all tensors (drawn from ``rng``): ``φ(θ + i h u)`` must be
    complex, its real part ``φ(θ)`` to rounding (the ``rounding`` row of
    :mod:`verification.tolerances`), and ``Im φ / h`` must agree with the central difference along
    ``u`` to the accuracy of a first-order method (the ``forward`` row): the probe looks for gross
    failures (a forward that drops imaginary parts, takes ``abs``, casts to ``float``, or calls a
    function without complex support), not for rounding. Three forwards; a complex warning counts as
    a failure. Squire & Trapp (1998); Martins, Sturdza & Alonso (2003).

    Returns
    -------
    (bool, str)
        Whether complex step applies, and if not, why (one clause, for the report).
    """
    u = _direction(problem.point, rng)
    rounding, loose = tolerance_for(np.float64, "rounding"), tolerance_for(np.float64, "forward")
    big = max(1.0, *(float(np.max(np.abs(w))) for w in problem.point.values()))
    try:
        base = complex(problem.value(problem.point)).real
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            shifted = problem.value({n: w + 1j * EPS * u[n] for n, w in problem.point.items()})
    except (InputError, TypeError, ValueError, ArithmeticError, np.exceptions.ComplexWarning) as exc:
        text = one_line(exc)
        where = re.search(r" at ([^,]+, line \d+)$", text)
        if "ComplexWarning" in text:
            return False, "the forward drops an imaginary part" + (f" at {where.group(1)}" if where else "")
        return False, f"the forward fails at complex inputs ({text})"
    if not np.iscomplexobj(shifted):
        return False, "the forward returns real values at complex inputs"
    shifted = complex(shifted)
    if abs(shifted.real - base) > rounding.rtol * max(abs(base), 1.0):
        return False, "the forward's value moves at complex inputs"
    h = EPS ** (1 / 3) * big
    fp = complex(problem.value({n: w + h * u[n] for n, w in problem.point.items()})).real
    fm = complex(problem.value({n: w - h * u[n] for n, w in problem.point.items()})).real
    central, cs = (fp - fm) / (2 * h), shifted.imag / EPS
    noise = EPS * max(abs(fp), abs(fm), 1.0) / h
    if abs(cs - central) > loose.rtol * max(abs(cs), abs(central)) + loose.estimate_factor * noise:
        return False, "the forward's derivative at complex inputs disagrees with central differences"
    return True, ""


def choose_method(problem: Problem, method: str, rng: np.random.Generator) -> tuple[str, str]:
    """The method that differentiates ``problem``: ``auto`` is complex step when :func:`complex_safe`,
    else Richardson.

    Returns
    -------
    (str, str)
        The method, and why complex step does not apply (empty when it does or was not asked).

    Raises
    ------
    InputError
        When ``complex-step`` is asked of a forward that is not complex-safe, naming why, or the method
        is not ``auto``, ``complex-step`` or ``richardson``.
    """
    if method == "richardson":
        return method, ""
    if method not in ("auto", "complex-step"):
        raise InputError(f"method must be auto, complex-step or richardson, got {method!r}")
    safe, why = complex_safe(problem, rng)
    if not safe and method == "complex-step":
        raise InputError(f"complex step does not apply: {why}", hint="use --method auto or richardson")
    return ("complex-step", "") if safe else ("richardson", why)
