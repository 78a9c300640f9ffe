"""Complex-step differentiation: derivatives without subtractive cancellation.

For a function ``f`` that is analytic near a real ``w`` and real on the real axis, the Taylor series
along the imaginary axis gives (Squire & Trapp, "Using complex variables to estimate derivatives of
real functions", SIAM Rev. 40(1):110–112, 1998; Martins, Sturdza & Alonso, "The complex-step
derivative approximation", ACM TOMS 29(3):245–262, 2003)::

    f(w + ih) = f(w) + ih f'(w) − h² f''(w) / 2 − ih³ f'''(w) / 6 + …
    f'(w)     = Im f(w + ih) / h + h² f'''(w) / 6 + …

There is no difference of nearly equal numbers, so ``h`` can be tiny: here ``h = ε · max(1, |w|)``,
which makes the truncation term ``O(ε²)`` relative, far below rounding. The imaginary part ``h`` of
``w + ih`` is stored exactly whatever ``w`` is. One evaluation per entry.

Error estimate per entry: ``ε · |D| + ε² · max(1, |w|)² · |D|``, the rounding of the quotient and a
bound on truncation for third derivatives up to ``|f'| / ε²``. The rounding accumulated inside the
loss is of the size of the analytic gradient's own and is covered by the rounding floor of the
tolerance table (:mod:`verification.tolerances`).

The method needs the loss to be written with complex-capable operations (no ``abs``, ``max``,
``np.real``, ``float()`` on intermediate values). :func:`supports_complex_step` *detects* this instead
of assuming it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.numeric.differences import (
    NumericGradient,
    assemble,
    entry_steps,
    exact_offsets,
    relative_step,
)
from verification.numeric.evaluators import Array, Evaluator
from verification.tolerances import tolerance_for

DETECTION_ENTRIES = 2
"""Entries per parameter tensor probed by :func:`supports_complex_step`."""


def complex_step_on(ev: Evaluator, step: float | None = None) -> NumericGradient:
    """Complex-step gradient ``Im f(w + ih) / h`` of every entry on an evaluator.

    Error estimate ``ε |d| + h² |d|``: rounding, and the truncation ``h² f‴ / 6`` with the third
    derivative taken of the size of the first (for the default step ``h = ε max(1, |w|)`` it is at
    rounding level).

    Parameters
    ----------
    ev : Evaluator
        Loop or structured; its loss must accept complex parameters.
    step : float, optional
        A fixed step ``h > 0`` for every entry (default ``ε max(1, |w|)``).

    Returns
    -------
    NumericGradient
        ``method = "complex-step"``; spends ``n`` shifted (complex) evaluations.

    Raises
    ------
    InputError
        If the loss fails on complex parameters (e.g. ``relu``), or returns a non-finite value.
    """
    eps = float(np.finfo(ev.dtype).eps)
    parts = {}
    for name, w in ev.params.items():
        wf = w.ravel()
        h = entry_steps(wf, 1.0, ev.dtype, step)
        values = _complex_values(ev, name, np.arange(wf.size), h)
        d = values.imag / h
        e = eps * np.abs(d) + h**2 * np.abs(d)
        parts[name] = (d.reshape(w.shape), e.reshape(w.shape), h.reshape(w.shape))
    return assemble(ev, "complex-step", parts)


def _complex_values(ev: Evaluator, name: str, flat: Array, h: Array) -> Array:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            values = np.asarray(ev.shifted(name, flat, 1j * h))
    except InputError as exc:
        raise InputError(f"complex step does not apply to this loss: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, np.exceptions.ComplexWarning) as exc:
        raise InputError(f"complex step does not apply to this loss: {type(exc).__name__}: {exc}") from None
    if not np.iscomplexobj(values):
        raise InputError(
            "complex step does not apply to this loss: it returned real values at complex parameters"
        )
    return values


def supports_complex_step(ev: Evaluator, seed: int = 0) -> bool:
    """Whether the loss evaluates correctly on complex parameters (so complex step applies).

    For :data:`DETECTION_ENTRIES` entries per tensor, drawn with ``np.random.default_rng(seed)``, it
    checks that ``f(w + ih)`` evaluates without error, returns a complex value whose real part is
    ``f(w)`` to rounding, and whose ``Im / h`` agrees with the central difference at that entry to the
    accuracy of a first-order method (the ``forward`` row of :mod:`verification.tolerances`): the
    probe looks for gross failures, not for rounding. A loss that drops imaginary parts, takes
    ``abs`` or ``max`` of them or fails on complex input is rejected. Costs ``3`` evaluations per
    probed entry.

    Parameters
    ----------
    ev : Evaluator
    seed : int
        Seed of the entries probed.

    Returns
    -------
    bool
    """
    rng = np.random.default_rng(seed)
    eps = float(np.finfo(ev.dtype).eps)
    rounding = tolerance_for(ev.dtype, "rounding")
    loose = tolerance_for(ev.dtype, "forward")
    for name, w in ev.params.items():
        wf = w.ravel()
        flat = rng.choice(wf.size, size=min(DETECTION_ENTRIES, wf.size), replace=False)
        h = relative_step(wf[flat], 1.0, ev.dtype)
        try:
            values = _complex_values(ev, name, flat, h)
        except InputError:
            return False
        if np.any(np.abs(values.real - ev.value) > rounding.rtol * abs(ev.value)):
            return False
        hc = relative_step(wf[flat], 1 / 3, ev.dtype)
        up = exact_offsets(wf[flat], hc, ev.dtype)
        down = exact_offsets(wf[flat], -hc, ev.dtype)
        fp = ev.shifted(name, flat, up)
        fm = ev.shifted(name, flat, down)
        central = (fp - fm) / (up - down)
        cs = values.imag / h
        allowed = loose.rtol * np.maximum(np.abs(central), np.abs(cs)) + loose.estimate_factor * (
            eps * np.maximum(np.abs(fp), np.abs(fm)) / up
        )
        if np.any(np.abs(cs - central) > allowed):
            return False
    return True


def complex_step_derivative(f: Callable[[Any], Any], x: float, h: float) -> float:
    """``Im f(x + ih) / h`` for a scalar function (used by the step sweep).

    Parameters
    ----------
    f : callable
        Analytic, real on the real axis, accepting a complex scalar.
    x, h : float
        Point and step (``h > 0``).

    Raises
    ------
    InputError
        If ``h`` is not positive.
    """
    if not h > 0:
        raise InputError(f"step h must be positive, got {h}")
    return float(np.imag(f(complex(x, h)))) / h
