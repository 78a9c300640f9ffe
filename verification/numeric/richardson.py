"""Richardson-extrapolated central differences with an error estimate from the extrapolation table.

The central difference ``D(h) = (f(w + h) − f(w − h)) / 2h`` has an error expansion in even powers of
``h``: ``D(h) = f' + c₂ h² + c₄ h⁴ + …``. From ``D`` at ``h_k = h₀ / 2^k`` (``k = 0 … K − 1``) Neville's
tableau eliminates one power per column (Richardson, 1911; Press et al., *Numerical Recipes*, 3rd
ed., §5.7, routine ``dfridr``)::

    T[k][0] = D(h_k)
    T[k][m] = T[k][m−1] + (T[k][m−1] − T[k−1][m−1]) / (4^m − 1)

so ``T[K−1][K−1]`` has error ``O(h₀^(2K))``. With ``K`` levels (``RICHARDSON_LEVELS`` = 4 in
:mod:`verification.tolerances`) the optimal first step balances ``h₀^(2K)`` against the rounding
``ε / h``: ``h₀ = ε^(1/(2K+1)) · max(1, |w|)``, made exactly representable.

Error estimate (as in ``dfridr``): each candidate ``T[k][m]`` (``m ≥ 1``) is scored by
``max(|T[k][m] − T[k][m−1]|, |T[k][m] − T[k−1][m−1]|)``, the change the last extrapolation made; the
candidate with the smallest score is returned, and its score plus the propagated rounding
``Σ_j |c_j| ε max|f| / h_j`` (``c_j`` the tableau's weights on ``D(h_j)``) is its error estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.numeric.differences import (
    NumericGradient,
    assemble,
    entry_steps,
    exact_offsets,
    shifted_values,
)
from verification.numeric.evaluators import Array, Evaluator
from verification.tolerances import RICHARDSON_LEVELS


def tableau(d: Array) -> tuple[Array, Array]:
    """Neville's tableau of central differences at halving steps, and each candidate's score.

    Parameters
    ----------
    d : ndarray, shape (K, ...)
        ``D(h₀ / 2^k)`` for ``k = 0 … K − 1`` along the first axis (any trailing shape).

    Returns
    -------
    table : ndarray, shape (K, K, ...)
        ``T[k][m]`` (entries with ``m > k`` are nan).
    score : ndarray, shape (K, K, ...)
        ``max(|T[k][m] − T[k][m−1]|, |T[k][m] − T[k−1][m−1]|)`` for ``1 ≤ m ≤ k``, else inf.
    """
    d = np.asarray(d)
    levels = d.shape[0]
    table = np.full((levels, levels, *d.shape[1:]), np.nan, dtype=d.dtype)
    score = np.full((levels, levels, *d.shape[1:]), np.inf)
    table[:, 0] = d
    for m in range(1, levels):
        for k in range(m, levels):
            table[k, m] = table[k, m - 1] + (table[k, m - 1] - table[k - 1, m - 1]) / (4.0**m - 1)
            score[k, m] = np.maximum(
                np.abs(table[k, m] - table[k, m - 1]), np.abs(table[k, m] - table[k - 1, m - 1])
            )
    return table, score


def _weights(levels: int) -> Array:
    """``c[k, m, j]``: weight of ``D(h_j)`` in ``T[k][m]`` (the tableau applied to unit vectors)."""
    table, _ = tableau(np.eye(levels))
    return np.nan_to_num(table)


def extrapolate(d: Array, steps: Array, fmax: Array, eps: float) -> tuple[Array, Array]:
    """Best tableau entry and its error estimate for central differences ``d`` at ``steps``.

    Parameters
    ----------
    d, steps : ndarray, shape (K, n)
        Central differences and their (half-width) steps, halving along the first axis.
    fmax : ndarray, shape (n,)
        Largest ``|f|`` among the points used (for the rounding term).
    eps : float
        Unit roundoff of the precision the loss is evaluated in.

    Returns
    -------
    value, estimate : ndarray, shape (n,)
    """
    levels = d.shape[0]
    table, score = tableau(d)
    c = _weights(levels)
    rounding = np.einsum("kmj,jn->kmn", np.abs(c), eps * fmax[None, :] / steps)
    flat_score = score.reshape(levels * levels, -1)
    best = np.argmin(flat_score, axis=0)
    cols = np.arange(d.shape[1])
    value = table.reshape(levels * levels, -1)[best, cols]
    estimate = flat_score[best, cols] + rounding.reshape(levels * levels, -1)[best, cols]
    return value, estimate


def richardson_on(ev: Evaluator, step: float | None = None) -> NumericGradient:
    """Richardson-extrapolated central-difference gradient of every entry on an evaluator.

    Parameters
    ----------
    ev : Evaluator
        Loop or structured.
    step : float, optional
        A fixed first step ``h₀ > 0`` for every entry (default ``ε^(1/(2K+1)) max(1, |w|)``).

    Returns
    -------
    NumericGradient
        ``method = "richardson"``; ``step`` is the first (largest) step ``h₀``; spends
        ``2 K n`` shifted evaluations.

    Raises
    ------
    InputError
        If the loss returns a non-finite value at a shifted point.
    """
    eps = float(np.finfo(ev.dtype).eps)
    levels = RICHARDSON_LEVELS
    parts = {}
    for name, w in ev.params.items():
        wf = w.ravel()
        h0 = entry_steps(wf, 1 / (2 * levels + 1), ev.dtype, step)
        offsets = []
        for k in range(levels):
            offsets += [exact_offsets(wf, h0 / 2**k, ev.dtype), exact_offsets(wf, -h0 / 2**k, ev.dtype)]
        values = shifted_values(ev, name, offsets)
        d = np.stack(
            [
                (values[2 * k] - values[2 * k + 1]) / (offsets[2 * k] - offsets[2 * k + 1])
                for k in range(levels)
            ]
        )
        steps = np.stack([offsets[2 * k] for k in range(levels)])
        fmax = np.max(np.abs(np.stack(values)), axis=0)
        fmax = np.maximum(fmax, abs(ev.value))
        value, estimate = extrapolate(d, steps, fmax, eps)
        parts[name] = (value.reshape(w.shape), estimate.reshape(w.shape), offsets[0].reshape(w.shape))
    return assemble(ev, "richardson", parts)


def richardson_derivative(
    f: Callable[[float], Any], x: float, h0: float, levels: int = RICHARDSON_LEVELS
) -> tuple[float, float]:
    """Richardson-extrapolated central difference of a scalar function, with its error estimate.

    Parameters
    ----------
    f : callable
        Real function of a real scalar.
    x : float
        Point.
    h0 : float
        First (largest) step; the others are ``h0 / 2^k``.
    levels : int
        Number of steps ``K``.

    Returns
    -------
    (value, estimate) : tuple of float

    Raises
    ------
    InputError
        If ``h0`` is not positive or ``levels < 2``.
    """
    if not h0 > 0 or levels < 2:
        raise InputError(f"need h0 > 0 and levels ≥ 2, got h0 = {h0}, levels = {levels}")
    xs = np.array([x], dtype=np.float64)
    ds, steps, fs = [], [], []
    for k in range(levels):
        up = float(exact_offsets(xs, np.array([h0 / 2**k]))[0])
        down = float(exact_offsets(xs, np.array([-h0 / 2**k]))[0])
        fp, fm = float(f(x + up)), float(f(x + down))
        ds.append((fp - fm) / (up - down))
        steps.append(up)
        fs += [abs(fp), abs(fm)]
    value, estimate = extrapolate(
        np.array(ds)[:, None], np.array(steps)[:, None], np.array([max(fs)]), float(np.finfo(np.float64).eps)
    )
    return float(value[0]), float(estimate[0])
