"""When finite differences can decide a case at all: conditioning helpers for property tests.

A central difference of a loss is trustworthy only where the loss is smooth along the step, computed
to about ``ε |f|``, and where the gradient stands above the rounding of its own terms. Property tests
draw networks at random (:mod:`verification.testing.strategies`) and must reject, not absorb with
looser tolerances, the draws where none of this holds (the practice of array-api-tests: ``assume``
on ill-conditioned draws). :func:`checked` computes a case's numeric oracle and rejects with
``hypothesis.assume``:

* a stencil that crossed a relu kink (the loss has no gradient to compare with there);
* a loss ill-conditioned in its output activations or pre-activations (saturation near ``log 0``, or a
  pre-activation much larger than its change): its rounding noise ``ε κ / h`` would take more than
  half of the checker's allowance;
* a tensor whose gradient cancels to the rounding level of its terms, or lives in the subnormal range.

The running error bounds follow Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
§2.1, §3.1, §3.3 and §4.2. The acceptance rule itself is :mod:`verification.compare.rule`, never
restated here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from hypothesis import assume
from numpy.typing import NDArray

from ffnn import ACTIVATIONS, LOSSES
from ffnn.backprop import output_delta
from verification.compare.coordinate import compare_gradients
from verification.compare.reports import GradientReport
from verification.compare.rule import allowance, tensor_floor
from verification.numeric.differences import NumericGradient
from verification.numeric.methods import numeric_gradient
from verification.testing import strategies as vs
from verification.tolerances import tolerance_for

Array = NDArray[Any]
TOL = tolerance_for(np.float64, "central")
"""The tolerance of central differences in float64, the oracle of :func:`checked`."""
EPS = float(np.finfo(np.float64).eps)


OUTPUT_ERROR_FACTOR: dict[str, Callable[[Array], Array]] = {
    "mse": lambda a: np.ones_like(a),
    "bce": lambda a: 1.0 / (a * (1.0 - a)),
    "poisson_nll": lambda a: 1.0 / a,
}
"""``∂ℓ/∂a = (a − y) · c(a)`` for these losses (the table of :mod:`ffnn.losses`): the factor ``c(a)``."""


def _abs_vjp(activation: str, z: Array, a: Array, u: Array) -> Array:
    """The vector-Jacobian product with every term replaced by its magnitude."""
    act = ACTIVATIONS[activation]
    if act.derivative is not None:
        return u * np.abs(act.derivative(z))
    return a * (u + np.sum(u * a, axis=1, keepdims=True))


def rounding_terms(case: vs.Case, loss: str) -> dict[str, Array]:
    """Backprop with every quantity replaced by its magnitude: the size of the terms whose signed sum
    is each gradient entry (a running error bound, Higham, *Accuracy and Stability of Numerical
    Algorithms*, 2nd ed., §3.3). Rounding puts an error of about ``γ_n = n ε`` times this into each
    entry, whatever the entry's own size. At the output the terms of ``∂ℓ/∂a`` are those of the output
    error ``a − y``, ``(|a| + |y|) · c(a)``, or ``|y| / a`` for cross_entropy (no subtraction)."""
    net, x, y = case.network, case.x, case.y
    fwd = net.forward(x)
    a, n = fwd.output, x.shape[0]
    if loss in OUTPUT_ERROR_FACTOR:
        terms = (np.abs(a) + np.abs(y)) * np.abs(OUTPUT_ERROR_FACTOR[loss](a))
    else:
        terms = np.abs(LOSSES[loss].grad_a(a, y))
    delta = _abs_vjp(net.activations[-1], fwd.z[-1], a, terms) / n
    out: dict[str, Array] = {}
    for l in range(len(net.weights), 0, -1):
        out[f"W{l}"] = np.abs(fwd.a[l - 1]).T @ delta
        if net.biases is not None:
            out[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            delta = _abs_vjp(
                net.activations[l - 2], fwd.z[l - 2], fwd.a[l - 1], delta @ np.abs(net.weights[l - 1]).T
            )
    return out


def preactivation_condition(case: vs.Case, loss: str) -> float:
    """``Σ_l Σ |∂L/∂z[l]| · (|a[l-1]| @ |W[l]| + |b[l]|)``: how much the batch loss moves when every
    pre-activation is rounded to ``ε`` times the size of its terms. A central difference cannot resolve
    a shift of ``z`` below that: ``z = 3.6·10⁻¹⁵ − 65`` moves in steps of ``ulp(65)``, so a weight
    whose step changes ``z`` by a few ulps sees a quantised loss (found by a thorough run of the
    saturated test)."""
    net, x, y = case.network, case.x, case.y
    fwd = net.forward(x)
    delta = output_delta(net, fwd, y, "exact", loss) / x.shape[0]
    total = 0.0
    for l in range(len(net.weights), 0, -1):
        terms = np.abs(fwd.a[l - 1]) @ np.abs(net.weights[l - 1])
        if net.biases is not None:
            terms = terms + np.abs(net.biases[l - 1])
        total += float(np.sum(np.abs(delta) * terms))
        if l > 1:
            act = ACTIVATIONS[net.activations[l - 2]]
            delta = act.vjp(fwd.z[l - 2], fwd.a[l - 1], delta @ net.weights[l - 1].T)
    return total


class Checked:
    """A case's loss as a function of the parameters, its numeric gradient, whether any
    finite-difference evaluation crossed a relu kink (where the loss is not differentiable), and how
    much rounding noise the loss's own conditioning adds to the finite differences."""

    def __init__(self, case: vs.Case, loss: str) -> None:
        self.case, self.loss = case, loss
        net, x, y = case.network, case.x, case.y
        spec = LOSSES[loss]
        relu = [l for l, act in enumerate(net.activations) if act == "relu"]
        base = net.forward(x)
        patterns = [base.z[l] > 0 for l in relu]
        self.crossed_kink = False

        def f(params: Mapping[str, Array]) -> Any:
            fwd = net.with_parameters(params).forward(x)
            for l, pattern in zip(relu, patterns, strict=True):
                if not np.array_equal(fwd.z[l] > 0, pattern):
                    self.crossed_kink = True
            spec.validate_activation(fwd.output)
            return spec.value(fwd.output, y)

        self.f = f
        self.numeric: NumericGradient = numeric_gradient(f, net.parameters(), "central")
        a = base.output
        self.condition = float(np.mean(np.sum(np.abs(a * spec.grad_a(a, y)), axis=1))) + (
            preactivation_condition(case, loss)
        )
        """``κ``: the loss moves by about ``ε κ`` when each output activation and each pre-activation
        is rounded (first-order error propagation): ``mean_s Σ_k |a_k ∂ℓ/∂a_k|`` plus
        :func:`preactivation_condition`."""
        self.terms = rounding_terms(case, loss)
        self.operations = sum(net.sizes) + x.shape[0]
        self.gamma = self.operations * EPS
        """``γ_n = n ε`` with ``n`` the longest chain of sums and products behind an entry (the layer
        widths and the batch), Higham §3.1."""

    def against(self, analytic: Mapping[str, Array]) -> GradientReport:
        """The checker's report of ``analytic`` against this numeric gradient."""
        return compare_gradients(analytic, self.numeric)

    def allowance(self, name: str, analytic: Array) -> Array:
        """Per entry, how far ``analytic`` may lie from the numeric gradient and still match: the
        checker's own rule (:func:`verification.compare.rule.allowance`)."""
        g_n = self.numeric.gradient[name]
        return allowance(analytic, g_n, self.numeric.error_estimate[name], TOL, tensor_floor(analytic, g_n))

    def conditioning_noise(self, name: str) -> Array:
        """``ε κ / h`` per entry: the error the loss's own rounding puts into a central difference with
        step ``h``. The checker's rounding estimate assumes ``ε |f| / h``, i.e. a loss accurate to
        ``ε |f|``; a loss computed from a saturated activation is not (``log(1 − a)`` for ``a`` near 1
        has ``κ ≈ 1 / (1 − a)``), nor one whose pre-activations are much larger than their change."""
        return EPS * self.condition / self.numeric.step[name]

    @property
    def above_rounding(self) -> bool:
        """True when, in every tensor, the rounding floor of its entries fits in half of the checker's
        relative floor ``rtol · G`` (``G`` the tensor's largest entry). The floor is ``γ_n ·`` the size
        of the entries' terms, plus gradual underflow: each operation below the normal range adds up to
        ``η`` = the smallest subnormal in absolute terms (Higham §2.1), which a central difference
        divides by its step ``h``. It fails where a whole tensor cancels to the rounding level of its
        terms (an output error ``a − y`` of a few ulps), or lives in the subnormal range; there the
        checker's floor, which assumes terms no larger than ``G`` and relative rounding, cannot hold,
        and both gradients are noise. A tensor with no nonzero term is exactly zero and passes."""
        grads, eta = self.numeric.gradient, float(np.finfo(np.float64).smallest_subnormal)
        for name, g_n in grads.items():
            terms = float(np.max(self.terms[name]))
            if terms == 0.0:
                continue
            floor = self.gamma * terms + self.operations * eta / float(np.min(self.numeric.step[name]))
            if floor > 0.5 * TOL.rtol * float(np.max(np.abs(g_n))):
                return False
        return True

    @property
    def well_conditioned(self) -> bool:
        """True when that noise takes at most half of the checker's allowance on every entry."""
        grads = self.numeric.gradient
        return all(
            bool(np.all(self.conditioning_noise(n) <= 0.5 * self.allowance(n, grads[n]))) for n in grads
        )


def checked(case: vs.Case, loss: str) -> Checked:
    """The numeric oracle for ``case`` under ``loss``, rejecting (with ``assume``) two kinds of draw
    where central differences cannot decide:

    * a stencil crossed a relu kink: the difference averages two one-sided slopes and the loss has no
      gradient to compare with there (the checker's ``kink`` verdict, not the property under test);
    * the loss is ill-conditioned in its output activations (saturation near ``log 0``): its rounding
      noise ``ε κ / h`` would take more than half of the checker's allowance, which does not model it;
    * a tensor's gradient cancels to the rounding level of its terms (:attr:`Checked.above_rounding`),
      e.g. an exact fit ``a = y`` up to a few ulps: the gradient is rounding noise there.
    """
    check = Checked(case, loss)
    assume(not check.crossed_kink)
    assume(check.well_conditioned)
    assume(check.above_rounding)
    return check
