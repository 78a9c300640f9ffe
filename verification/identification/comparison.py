"""One probe: the code's gradient against the numeric gradient of every catalog loss, through one
numeric Jacobian of the code's output.

At a probe the output's Jacobian is differentiated once (:mod:`verification.numeric.jacobian`) for the
entries chosen by :mod:`verification.identification.coverage` and along random directions; the numeric
gradient of each loss ``L`` is then ``Jᵀ ∂L/∂a`` with ``∂L/∂a`` from the catalog
(:attr:`ffnn.losses.Loss.grad_a`, divided by the batch size for the batch mean), and its error
estimate ``|E|ᵀ |∂L/∂a|`` plus the rounding ``ε |J|ᵀ |∂L/∂a|`` of the contraction.

Per tensor the *elements* compared are the chosen entries and the directional derivatives ``g·u``,
each with its floor (:func:`verification.compare.rule.functional_floor`) and the code's own rounding
(an update recovered as ``(W_before − W_after) / lr``) added to the estimate; the acceptance rule is
the one of :mod:`verification.compare.rule`, through
:func:`verification.compare.tensor.compare_parameter`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import Loss
from verification.compare.reports import ParameterReport
from verification.compare.rule import excess, functional_floor, relative_error
from verification.compare.tensor import compare_parameter
from verification.tolerances import Tolerance

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class OutputDerivatives:
    """The numeric derivatives of the output at one probe, for one tensor.

    Attributes
    ----------
    flat : ndarray of int, shape (k,)
        The entries differentiated.
    columns, column_errors : ndarray, shape (k, n, m)
        ``∂a/∂θ`` at those entries and its error estimate.
    directions : ndarray, shape (d, size)
        The directions ``u``.
    along, along_errors : ndarray, shape (d, n, m)
        ``∂a/∂t`` along each direction and its error estimate.
    """

    flat: Array
    columns: Array
    column_errors: Array
    directions: Array
    along: Array
    along_errors: Array


@dataclass(frozen=True)
class Elements:
    """What is compared of one tensor against one loss at one probe (entries, then directions).

    Attributes
    ----------
    analytic, numeric, estimate : ndarray, shape (k + d,)
    floors : (ndarray, ndarray)
        Analytic-side and numeric-side floors per element.
    labels : list
        Entry indices (tuples) and direction labels (``u0`` …).
    entries : int
        How many of the elements are entries (the rest are directions).
    shape : tuple of int
        The tensor's shape.
    directions : ndarray, shape (d, size), optional
        The directions ``u`` of the directional elements.
    rounding : ndarray, shape (k + d,), optional
        The part of ``estimate`` that is the code's own rounding (a gradient read off an update).
    """

    analytic: Array
    numeric: Array
    estimate: Array
    floors: tuple[Array, Array]
    labels: list[tuple[int, ...] | str]
    entries: int
    shape: tuple[int, ...]
    directions: Array | None = None
    rounding: Array | None = None

    def flagged_entries(self, tolerance: Tolerance) -> Array:
        """Positions (among the elements) of the entries outside their allowance."""
        floor = np.maximum(self.floors[0], self.floors[1])
        over = excess(self.analytic, self.numeric, self.estimate, tolerance, floor)
        return np.flatnonzero(over[: self.entries] > 0)

    def scale_error(self, scale: float) -> float:
        """A bound on the relative error of a least-squares scale ``c`` fitted to these elements
        (``analytic ≈ c numeric``): ``|δc| / |c| ≤ Σ |n_i| (|c| e_i + r_i) / (|c| Σ n_i²)``, with ``e`` the
        numeric side's error estimate and ``r`` the code's own rounding."""
        rounding = np.zeros_like(self.estimate) if self.rounding is None else self.rounding
        nn = float(np.sum(self.numeric * self.numeric))
        if nn == 0 or scale == 0:
            return 0.0
        side = abs(scale) * (self.estimate - rounding) + rounding
        return float(np.sum(np.abs(self.numeric) * side)) / (abs(scale) * nn)

    def report(
        self,
        name: str,
        tolerance: Tolerance,
        scale: float = 1.0,
        kink: Array | None = None,
        scale_error: float = 0.0,
    ) -> ParameterReport:
        """The comparison of ``analytic / scale`` with ``numeric``; its relative error over the entries.

        A ``scale`` other than 1 was fitted, and its own error (relative ``scale_error``, or these
        elements' own :meth:`scale_error` when that is larger) moves ``analytic / scale`` by that much
        of ``numeric``: it is added to the numeric side's error estimate."""
        rounding = np.zeros_like(self.estimate) if self.rounding is None else self.rounding
        numeric_error = self.estimate - rounding
        if scale != 1.0:
            numeric_error = numeric_error + max(scale_error, self.scale_error(scale)) * np.abs(self.numeric)
        report = compare_parameter(
            name,
            self.analytic / scale,
            self.numeric,
            (numeric_error, rounding / abs(scale)),
            tolerance,
            kink,
            floors=(self.floors[0] / scale, self.floors[1]),
            names=(self.labels, self.shape),
        )
        k = self.entries
        rel = relative_error(self.analytic[:k] / scale, self.numeric[:k]) if k else report.relative_error
        return _with_relative_error(report, rel)


def _with_relative_error(report: ParameterReport, value: float) -> ParameterReport:
    from dataclasses import replace

    return replace(report, relative_error=value)


def loss_derivative(spec: Loss, a: Array, y: Array) -> Array:
    """``∂L/∂a`` of the batch mean of ``spec`` at outputs ``a`` and labels ``y``, shape ``(n, m)``."""
    return spec.grad_a(a, y) / a.shape[0]


def elements(
    analytic: Array,
    rounding: Array,
    derivatives: OutputDerivatives,
    weight: Array,
) -> Elements:
    """The elements of one tensor for one loss (see the module docstring).

    Parameters
    ----------
    analytic : ndarray
        The code's gradient of the tensor.
    rounding : ndarray
        A bound on its rounding per entry (zeros for returned gradients).
    derivatives : OutputDerivatives
    weight : ndarray, shape (n, m)
        ``∂L/∂a``.
    """
    g = np.ravel(analytic)
    r = np.ravel(rounding)
    w, aw = np.ravel(weight), np.abs(np.ravel(weight))
    k = derivatives.flat.size
    cols = derivatives.columns.reshape(k, -1)
    numeric_entries = cols @ w
    estimate_entries = (
        derivatives.column_errors.reshape(k, -1) @ aw + EPS * (np.abs(cols) @ aw) + r[derivatives.flat]
    )
    d = derivatives.directions.shape[0]
    along = derivatives.along.reshape(d, -1)
    numeric_dirs = along @ w
    estimate_dirs = (
        derivatives.along_errors.reshape(d, -1) @ aw
        + EPS * (np.abs(along) @ aw)
        + np.abs(derivatives.directions) @ r
    )
    analytic_dirs = derivatives.directions @ g
    big_a = float(np.max(np.abs(g))) if g.size else 0.0
    big_n = float(np.max(np.abs(numeric_entries))) if k else 0.0
    u_abs_sum = np.abs(derivatives.directions).sum(axis=1)
    floor_a = np.concatenate([np.full(k, big_a), functional_floor(derivatives.directions, g, big_a)])
    floor_n = np.concatenate([np.full(k, big_n), big_n * u_abs_sum + np.abs(numeric_dirs)])
    labels: list[tuple[int, ...] | str] = [
        tuple(int(i) for i in np.unravel_index(f, np.shape(analytic))) for f in derivatives.flat
    ]
    labels += [f"u{j}" for j in range(d)]
    return Elements(
        analytic=np.concatenate([g[derivatives.flat], analytic_dirs]),
        numeric=np.concatenate([numeric_entries, numeric_dirs]),
        estimate=np.concatenate([estimate_entries, estimate_dirs]),
        floors=(floor_a, floor_n),
        labels=labels,
        entries=k,
        shape=tuple(np.shape(analytic)),
        directions=derivatives.directions,
        rounding=np.concatenate([r[derivatives.flat], np.abs(derivatives.directions) @ r]),
    )


def per_loss(
    analytic: Mapping[str, Array],
    rounding: Mapping[str, Array],
    derivatives: Mapping[str, OutputDerivatives],
    weight: Array,
) -> dict[str, Elements]:
    """:func:`elements` of every tensor for one loss."""
    return {n: elements(analytic[n], rounding[n], derivatives[n], weight) for n in derivatives}
