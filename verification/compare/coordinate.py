"""Compare an analytic gradient with a finite-difference one, per parameter tensor and per entry.

Per parameter tensor (DESIGN.md), with Frobenius norms::

    relative error = ‖g_a − g_n‖ / max(‖g_a‖, ‖g_n‖, tiny)

and per entry the same with absolute values. An entry is flagged when
``|g_a − g_n| > atol + rtol · (max(|g_a|, |g_n|) + G) + estimate_factor · e_n`` (table and reasoning in
:mod:`verification.tolerances`; ``e_n`` is the numeric error estimate, ``G`` the tensor's largest
entry; ``atol`` is 0 and ``rtol`` the table's unless the caller gives them). Flagged entries whose
stencil crossed a point where the loss is not differentiable, with the analytic value one of the
one-sided slopes, are ``kink`` entries, not failures (:mod:`verification.compare.kinks`).
Per tensor, the verdict is:

* ``matches`` when no entry is flagged;
* ``kink`` when the only flagged entries are kinks;
* ``matches up to scale`` ``c`` when the direction agrees but the size does not: the least-squares
  scale ``c = ⟨g_a, g_n⟩ / ⟨g_n, g_n⟩`` (so ``g_a ≈ c · g_n``) passes the same entry test with ``c · g_n``
  in place of ``g_n`` and ``c · e_n`` in place of ``e_n``, with ``c > 0`` (a negative ``c``, such as a sign
  flip, points the other way);
* ``mismatch`` otherwise.

Kink entries are left out of the cosine, the scale and the scaled test. The practice of comparing
per entry with a relative error and of reporting the worst entries follows CS231n, "Gradient
checks" (Karpathy), and the failure reports of ``torch.autograd.gradcheck``.

The entry points are :func:`check_gradient` (any loss of named arrays or of one array, plain loop) and
:func:`check_network` (an ``ffnn`` network, vectorised); the comparison of each tensor is
:mod:`verification.compare.tensor`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.network import Network
from ffnn.validation import InputError, one_line, validate_finite
from verification.compare.calling import named_form
from verification.compare.reports import GradientCheckError, GradientReport, overall_verdict
from verification.compare.tensor import compare_tensors
from verification.numeric.differences import NumericGradient
from verification.numeric.evaluators import Evaluator, LoopEvaluator
from verification.numeric.methods import fixed_step, numeric_gradient_on, resolve_method
from verification.numeric.network_evaluator import NetworkEvaluator
from verification.tolerances import given_tolerance, tolerance_for, tolerance_overrides

Array = NDArray[Any]


def _analytic_arrays(analytic: Mapping[str, Any], numeric: NumericGradient) -> tuple[dict[str, Array], str]:
    if not isinstance(analytic, Mapping) or set(analytic) != set(numeric.gradient):
        got = sorted(analytic) if isinstance(analytic, Mapping) else type(analytic).__name__
        raise InputError(f"the analytic gradient has parameters {got}, expected {sorted(numeric.gradient)}")
    out: dict[str, Array] = {}
    lowest = "float64"
    for name, g_n in numeric.gradient.items():
        try:
            g_a = np.asarray(analytic[name])
        except (TypeError, ValueError) as exc:  # ragged lists and the like
            raise InputError(f"analytic gradient of {name} is not a numeric array: {one_line(exc)}") from None
        if g_a.shape != g_n.shape:
            raise InputError(f"analytic gradient of {name} has shape {g_a.shape}, expected {g_n.shape}")
        if not np.issubdtype(g_a.dtype, np.number) or np.iscomplexobj(g_a):
            raise InputError(f"analytic gradient of {name} must be real numbers, got dtype {g_a.dtype}")
        validate_finite(f"analytic gradient of {name}", g_a)
        if np.issubdtype(g_a.dtype, np.floating) and np.finfo(g_a.dtype).eps > np.finfo(lowest).eps:
            lowest = g_a.dtype.name
        out[name] = g_a.astype(np.float64)
    return out, lowest


def compare_gradients(
    analytic: Mapping[str, Any],
    numeric: NumericGradient,
    evaluator: Evaluator | None = None,
    *,
    kinks: bool = True,
    mode: str = "coordinate",
    rtol: float | None = None,
    atol: float | None = None,
    step: float | None = None,
) -> GradientReport:
    """Compare an analytic gradient with a numeric one, tensor by tensor.

    Parameters
    ----------
    analytic : mapping of str to array_like
        The gradient under test, with the names and shapes of ``numeric.gradient`` (float64 or
        float32; a float32 gradient adds its rounding to the tolerance).
    numeric : NumericGradient
        The finite-difference gradient and its error estimate.
    evaluator : Evaluator, optional
        The evaluator ``numeric`` was computed on; needed to examine flagged entries for kinks.
    kinks : bool
        Examine flagged entries for kinks (:mod:`verification.compare.kinks`) when an evaluator is given.
    mode : str
        Recorded in the report.
    rtol, atol : float, optional
        The caller's tolerances in place of the table's (:func:`verification.tolerances.given_tolerance`);
        the report then also holds the verdict the table's tolerance gives.
    step : float, optional
        The fixed step ``numeric`` was computed with, recorded in the report.

    Raises
    ------
    InputError
        If the names differ, a shape differs, an analytic entry is not finite, or ``rtol`` or
        ``atol`` is not a finite number ≥ 0.
    """
    arrays, analytic_dtype = _analytic_arrays(analytic, numeric)
    derived = tolerance_for(numeric.evaluation_dtype, numeric.method, analytic_dtype)
    tolerance = given_tolerance(derived, rtol=rtol, atol=atol)
    reports = compare_tensors(arrays, numeric, evaluator, tolerance, kinks)
    derived_verdict = None
    if tolerance.given:
        derived_reports = compare_tensors(arrays, numeric, evaluator, derived, kinks)
        derived_verdict = overall_verdict(p.verdict for p in derived_reports.values())
    return GradientReport(
        reports,
        numeric.method,
        tolerance,
        evaluation_dtype=numeric.evaluation_dtype,
        analytic_dtype=analytic_dtype,
        mode=mode,
        evaluations=numeric.evaluations,
        step=step,
        derived_verdict=derived_verdict,
        derived_rtol=derived.rtol if tolerance.given else None,
    )


@dataclass(frozen=True)
class CheckOptions:
    """How a coordinate check is asked to run, as ``torch.autograd.gradcheck`` and JAX's ``check_grads``
    are (:func:`check_gradient` and :func:`check_network` take these as keyword arguments).

    Attributes
    ----------
    method : str
        ``auto`` (complex step when the loss evaluates on complex parameters, else Richardson),
        ``forward``, ``central``, ``richardson`` or ``complex-step``.
    kinks : bool
        Report flagged entries whose stencil crossed a non-differentiable point as ``kink``.
    rtol : float, optional
        Relative tolerance (≥ 0) in place of the table's for the method and dtype.
    atol : float, optional
        Absolute tolerance (≥ 0, gradient units) added to every entry's allowance (default 0). When
        either is given, the report also holds the verdict of the table's tolerance and says when the
        two differ (:attr:`GradientReport.override_note`).
    eps : float, optional
        A fixed step ``h > 0`` for every entry (Richardson's first step), as ``gradcheck``'s ``eps``;
        by default each method takes the step of least error for the dtype and the entry's size.
    raise_exception : bool
        Raise :class:`GradientCheckError` instead of returning a report that does not match, as
        ``torch.autograd.gradcheck(raise_exception=True)``.

    Raises
    ------
    InputError
        On an unknown method, or ``rtol``, ``atol`` or ``eps`` out of range.
    """

    method: str = "auto"
    kinks: bool = True
    rtol: float | None = None
    atol: float | None = None
    eps: float | None = None
    raise_exception: bool = False

    def __post_init__(self) -> None:
        resolve_method(self.method)
        tolerance_overrides(rtol=self.rtol, atol=self.atol)
        fixed_step(self.eps)

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> CheckOptions:
        """The options given as keywords.

        Raises
        ------
        InputError
            On a keyword that is not an option, naming it, or a value out of range.
        """
        unknown = sorted(set(options) - set(cls.__dataclass_fields__))
        if unknown:
            known = ", ".join(cls.__dataclass_fields__)
            raise InputError(f"unknown option {unknown[0]!r} of the gradient check; known: {known}")
        return cls(**options)


def check_on(
    ev: Evaluator,
    analytic: Mapping[str, Any],
    *,
    method: str = "auto",
    kinks: bool = True,
    mode: str = "coordinate",
    rtol: float | None = None,
    atol: float | None = None,
    step: float | None = None,
) -> GradientReport:
    """Check ``analytic`` against the numeric gradient computed on an evaluator (loop or structured).

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, an unknown method, or a tolerance or step
        out of range.
    """
    tolerance_overrides(rtol=rtol, atol=atol)  # refused before the work, not after it
    numeric = numeric_gradient_on(ev, method, step)
    return compare_gradients(analytic, numeric, ev, kinks=kinks, mode=mode, rtol=rtol, atol=atol, step=step)


def check_gradient(f: Callable[[Any], Any], params: Any, analytic: Any, **options: Any) -> GradientReport:
    """Check ``analytic`` against the finite-difference gradient of the loss ``f`` at ``params``.

    Coordinate mode: every entry of every tensor is perturbed, one loss evaluation at a time. An
    entry is accepted when ``|g_a − g_n| ≤ atol + rtol · (max(|g_a|, |g_n|) + G) + 10 e_n`` (module
    docstring), with ``rtol`` from the table of :mod:`verification.tolerances` and ``atol = 0`` unless
    given.

    Parameters
    ----------
    f : callable
        The loss: ``f(params) -> float`` on a dict of parameter arrays, or ``f(x) -> float`` when
        ``params`` is one array.
    params : mapping of str to array_like, or array_like
        The point: named arrays of any shapes, or one array (reported as ``x``); float64 or float32;
        copied, never modified. The loss is called with float64 copies (see
        :mod:`verification.numeric.differences` for float32 losses).
    analytic : mapping of str to array_like, array_like, or callable
        The claimed gradient ``∂f/∂params``, same names and shapes (one array for one array), or a
        function of the point that returns it (:mod:`verification.compare.calling`).
    **options
        ``method``, ``kinks``, ``rtol``, ``atol``, ``eps``, ``raise_exception``: the fields of
        :class:`CheckOptions` (``method="auto"``, ``kinks=True``, the table's tolerance, the best step,
        no raising, by default).

    Returns
    -------
    GradientReport
        Its truth value is its verdict (``assert check_gradient(...)`` fails on a mismatch);
        ``print(report)`` prints its table.

    Raises
    ------
    InputError
        On mismatched names or shapes, non-finite values, an unknown method or option, or ``rtol``,
        ``atol`` or ``eps`` out of range.
    GradientCheckError
        With ``raise_exception=True``, when the gradient does not match.

    Examples
    --------
    >>> import numpy as np
    >>> x0 = np.array([0.5, -1.0, 2.0])
    >>> bool(check_gradient(lambda x: np.sum(x**3), x0, lambda x: 3 * x**2))
    True
    >>> bool(check_gradient(lambda x: np.sum(x**3), x0, 2 * x0**2))
    False
    """
    o = CheckOptions.of(options)
    form = named_form(f, params, analytic)
    report = check_on(
        LoopEvaluator(form.f, form.params),
        form.analytic,
        method=o.method,
        kinks=o.kinks,
        rtol=o.rtol,
        atol=o.atol,
        step=fixed_step(o.eps),
    )
    if o.raise_exception and not report:
        raise GradientCheckError(report)
    return report


def check_network(
    network: Network, x: Any, y: Any, loss: str, analytic: Mapping[str, Any], **options: Any
) -> GradientReport:
    """Check a claimed gradient of an ``ffnn`` network's loss in structured coordinate mode.

    Every entry of every parameter is checked, as in :func:`verification.compare.coordinate.check_gradient`,
    with the shifted losses evaluated vectorised (:mod:`verification.numeric.network_evaluator`).

    Parameters
    ----------
    network : Network
    x : array_like, shape (n_samples, n_0)
    y : array_like, shape (n_samples, n_L)
    loss : str
        Catalog loss id (batch mean).
    analytic : mapping of str to array_like
        Claimed ``∂L/∂W1 …``, ``∂L/∂b1 …``, shapes of ``network.parameters()``.
    **options
        As in :func:`check_gradient` (:class:`CheckOptions`); ``auto`` uses complex step when every
        activation and the loss evaluate on complex parameters.

    Returns
    -------
    GradientReport
        ``mode = "structured"``; its truth value is its verdict.

    Raises
    ------
    InputError
        On bad shapes, labels or names, an unknown method, or ``rtol``, ``atol`` or ``eps`` out of
        range.
    GradientCheckError
        With ``raise_exception=True``, when the gradient does not match.
    """
    o = CheckOptions.of(options)
    report = check_on(
        NetworkEvaluator(network, x, y, loss),
        analytic,
        method=o.method,
        kinks=o.kinks,
        mode="structured",
        rtol=o.rtol,
        atol=o.atol,
        step=fixed_step(o.eps),
    )
    if o.raise_exception and not report:
        raise GradientCheckError(report)
    return report
