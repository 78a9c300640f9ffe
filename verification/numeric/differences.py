"""Forward and central differences of a scalar loss with respect to named parameter arrays, and what
every difference method shares: the :class:`NumericGradient` it returns and its exactly representable
steps.

The loss is any callable ``f(params) -> float`` that takes a dict of parameter arrays (the names and
shapes of ``params``). The methods never call ``f`` directly: they ask an *evaluator* for the loss at
the parameters with one entry shifted, for many entries at once (:mod:`verification.numeric.evaluators`).
The plain evaluator loops over the entries; :mod:`verification.numeric.network_evaluator` evaluates the
same shifts vectorised for an ``ffnn`` network, so every method is written once and both modes run the
same arithmetic. The caller's arrays are never modified.

Methods (Press et al., *Numerical Recipes*, 3rd ed., §5.7), with ``ε`` the unit roundoff of the dtype
the loss is evaluated in:

================ =============================================== ======================= =========
method           formula                                         step ``h``              f-calls
================ =============================================== ======================= =========
``forward``      ``(f(w + h) − f(w)) / h``                       ``ε^(1/2) max(1, |w|)`` 2 n + 1
``central``      ``(f(w + h) − f(w − h)) / 2h``                  ``ε^(1/3) max(1, |w|)`` 4 n + 1
``richardson``   central at ``h, h/2, h/4, h/8``, extrapolated   ``ε^(1/9) max(1, |w|)`` 8 n + 1
``complex-step`` ``Im f(w + ih) / h``                            ``ε max(1, |w|)``       n + 1
================ =============================================== ======================= =========

(the last two in :mod:`verification.numeric.richardson` and :mod:`verification.numeric.complex_step`;
the registry of all four, with ``auto``, in :mod:`verification.numeric.methods`). Real steps are made
exactly representable: the offset actually applied, ``(w + h) − w``, is the one divided by.

A caller who wants one fixed step for every entry, as ``torch.autograd.gradcheck`` (``eps = 1e-6``)
and JAX ``check_grads`` (``eps = 1e-4``) use, passes ``step`` (:func:`entry_steps`); Richardson then
starts from it and halves it. The error estimates below hold for any step, so the acceptance rule
still allows for what a poor step costs.

Error estimates (every entry carries one):

* forward: truncation ``|D(h) − D(2h)|`` (since ``D(2h) − D(h) ≈ h f''/2``) plus rounding ``2ε|f|/h``;
* central: truncation ``|D(h) − D(2h)| / 3`` (since ``D(2h) − D(h) ≈ 3 h² f'''/6``) plus rounding
  ``ε · max|f| / h``, the cancellation error of the difference.

When the parameters are float32 the loss is still called with float64 copies; if it resolves them
in float64 (:func:`verification.numeric.evaluators.resolved_dtype`) the float64 steps and tolerances
apply. If it returns float32, or rounds its parameters to float32 internally, steps use the float32
``ε`` and the result says that precision limits the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verification.numeric.evaluators import Array, Evaluator, LoopEvaluator, LossFunction


@dataclass(frozen=True)
class NumericGradient:
    """A finite-difference gradient with its error estimate.

    Attributes
    ----------
    gradient : dict of str to ndarray
        ``∂f/∂w`` per parameter, same shapes as the parameters, float64.
    error_estimate : dict of str to ndarray
        Estimated absolute error of each entry of ``gradient`` (same units as the gradient).
    step : dict of str to ndarray
        The (largest) step ``h`` used for each entry.
    method : str
        Name of the difference method (``forward``, ``central``, ``richardson``, ``complex-step``).
    evaluations : int
        Number of loss evaluations spent (one per shifted point, batched or not).
    evaluation_dtype : str
        The precision the loss was evaluated in: ``float64``, or ``float32`` when the loss casts.
    parameter_dtypes : dict of str to str
        The dtype each parameter was given in.
    """

    gradient: dict[str, Array]
    error_estimate: dict[str, Array]
    step: dict[str, Array]
    method: str
    evaluations: int
    evaluation_dtype: str = "float64"
    parameter_dtypes: dict[str, str] = field(default_factory=dict)

    @property
    def precision_limited(self) -> bool:
        """True when the loss could not be evaluated in float64, so float32 limits the verdict."""
        return bool(np.finfo(self.evaluation_dtype).eps > np.finfo(np.float64).eps)


def exact_offsets(w: Array, h: Array, dtype: np.dtype[Any] | type = np.float64) -> Array:
    """The offsets actually applied when ``w + h`` is rounded: ``(w + h) − w`` in ``dtype``.

    Parameters
    ----------
    w, h : ndarray, same shape
        Entries and intended (signed) offsets.
    dtype : dtype-like
        The precision the loss is evaluated in; ``w + offset`` is then exact in it.

    Returns
    -------
    ndarray, float64, same shape
    """
    wd = np.asarray(w).astype(dtype)
    return ((wd + np.asarray(h).astype(dtype)) - wd).astype(np.float64)


def relative_step(w: Array, power: float, dtype: np.dtype[Any] | type = np.float64) -> Array:
    """``ε^power · max(1, |w|)``, the step from the dtype's ``ε`` and the entries' magnitude.

    Parameters
    ----------
    w : ndarray
        Parameter entries.
    power : float
        ``1/2`` forward, ``1/3`` central, ``1/(2K+1)`` Richardson, ``1`` complex step.
    dtype : dtype-like
        The precision the loss is evaluated in.
    """
    eps = float(np.finfo(dtype).eps)
    return eps**power * np.maximum(1.0, np.abs(w))


def entry_steps(
    w: Array, power: float, dtype: np.dtype[Any] | type = np.float64, step: float | None = None
) -> Array:
    """The step of each entry: ``step`` for all of them when given, else :func:`relative_step`.

    Parameters
    ----------
    w : ndarray
        Parameter entries.
    power : float
        The power of ``ε`` of the method's own step (see :func:`relative_step`).
    dtype : dtype-like
        The precision the loss is evaluated in.
    step : float, optional
        A fixed step ``h > 0`` in the parameters' units.

    Returns
    -------
    ndarray, float64, shape of ``w``
    """
    if step is None:
        return relative_step(w, power, dtype)
    return np.full(np.shape(w), float(step))


def shifted_values(ev: Evaluator, name: str, offsets: list[Array]) -> list[Array]:
    """``f`` at ``w + o`` for each entry of ``params[name]`` and each offset array ``o`` (flat).

    All offsets go to the evaluator in one call, so a vectorised evaluator sees one large batch.
    """
    size = ev.params[name].size
    flat = np.tile(np.arange(size), len(offsets))
    values = ev.shifted(name, flat, np.concatenate([np.ravel(o) for o in offsets]))
    return [values[k * size : (k + 1) * size] for k in range(len(offsets))]


def assemble(ev: Evaluator, method: str, parts: dict[str, tuple[Array, Array, Array]]) -> NumericGradient:
    """The :class:`NumericGradient` of a method from its per-tensor ``(gradient, error estimate, step)``,
    with the evaluator's count of evaluations and its precisions."""
    return NumericGradient(
        gradient={n: p[0] for n, p in parts.items()},
        error_estimate={n: p[1] for n, p in parts.items()},
        step={n: p[2] for n, p in parts.items()},
        method=method,
        evaluations=ev.evaluations,
        evaluation_dtype=ev.dtype.name,
        parameter_dtypes=dict(ev.parameter_dtypes),
    )


def forward_on(ev: Evaluator, step: float | None = None) -> NumericGradient:
    """Forward differences ``(f(w + h) − f(w)) / h`` on an evaluator (see the module docstring).

    Spends ``2 n`` shifted evaluations; error estimate ``|D(h) − D(2h)| + 2 ε max|f| / h``; ``step`` is
    a fixed ``h`` (default ``ε^(1/2) max(1, |w|)``).
    """
    eps = float(np.finfo(ev.dtype).eps)
    parts = {}
    for name, w in ev.params.items():
        wf = w.ravel()
        h = exact_offsets(wf, entry_steps(wf, 1 / 2, ev.dtype, step), ev.dtype)
        h2 = exact_offsets(wf, 2 * h, ev.dtype)
        fp, fp2 = shifted_values(ev, name, [h, h2])
        d1 = (fp - ev.value) / h
        d2 = (fp2 - ev.value) / h2
        fmax = np.maximum.reduce([np.abs(fp), np.abs(fp2), np.full_like(fp, abs(ev.value))])
        e = np.abs(d1 - d2) + 2 * eps * fmax / h
        parts[name] = (d1.reshape(w.shape), e.reshape(w.shape), h.reshape(w.shape))
    return assemble(ev, "forward", parts)


def central_on(ev: Evaluator, step: float | None = None) -> NumericGradient:
    """Central differences ``(f(w + h) − f(w − h)) / 2h`` on an evaluator (see the module docstring).

    Spends ``4 n`` shifted evaluations (steps ``±h`` and ``±2h``); error estimate
    ``|D(h) − D(2h)| / 3 + ε max|f| / h``; ``step`` is a fixed ``h`` (default ``ε^(1/3) max(1, |w|)``).
    """
    eps = float(np.finfo(ev.dtype).eps)
    parts = {}
    for name, w in ev.params.items():
        wf = w.ravel()
        h = entry_steps(wf, 1 / 3, ev.dtype, step)
        offsets = [exact_offsets(wf, c * h, ev.dtype) for c in (1, -1, 2, -2)]
        fp, fm, fp2, fm2 = shifted_values(ev, name, offsets)
        d1 = (fp - fm) / (offsets[0] - offsets[1])
        d2 = (fp2 - fm2) / (offsets[2] - offsets[3])
        fmax = np.maximum.reduce([np.abs(v) for v in (fp, fm, fp2, fm2)] + [np.full_like(fp, abs(ev.value))])
        e = np.abs(d1 - d2) / 3 + eps * fmax / offsets[0]
        parts[name] = (d1.reshape(w.shape), e.reshape(w.shape), offsets[0].reshape(w.shape))
    return assemble(ev, "central", parts)


def central_difference(f: LossFunction, params: Mapping[str, Any]) -> NumericGradient:
    """Central-difference gradient of ``f`` with an error estimate for every entry.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``, the loss at the parameters (dict of str to ndarray, float64).
    params : mapping of str to array_like
        Where to differentiate; any shapes.

    Returns
    -------
    NumericGradient
        Spends ``4 · n_entries + 1`` evaluations of ``f``.

    Raises
    ------
    InputError
        If a parameter is empty or not finite, or ``f`` returns something that is not a finite real.
    """
    return central_on(LoopEvaluator(f, params))
