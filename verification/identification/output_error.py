"""The output error: what a backward pass back-propagates, recovered from the Jacobian it was compared
through.

For an output ``a = f(x; θ)``, a backward pass that is the gradient of *some* per-sample loss of the
output has the form ``g = J_θᵀ e``, with ``J_θ = ∂a/∂θ`` and ``e = ∂L/∂a`` the *output error*. Every
element identification compares is linear in ``e``: an entry ``θ_i`` gives ``g_i = (∂a/∂θ_i) · e``, a
direction ``u`` gives ``g·u = (∂a/∂t) · e``. Stacking them over the tensors of a probe gives ``C e = g``
with the numeric derivatives of the output as the rows of ``C`` (already computed, one Jacobian per
probe), so ``e`` is recovered by least squares (:func:`numpy.linalg.lstsq`) and its residual says
whether the code back-propagates one output error at all:

* **consistent** (every element within the acceptance rule of :mod:`verification.compare.rule`, the
  error estimate of ``C e`` propagated from the Jacobian's): the code is the gradient of a loss of its
  output, maybe not a catalog one, and :func:`describe` says what ``e`` is among a few expressions of
  ``a`` and ``y`` (``(a − y) ⊙ a (1 − a)`` on softmax outputs, ``softmax(a) − y`` on scores, …), with a
  fitted scale;
* **inconsistent**: no output error explains every tensor; ``e`` is solved from the output layer's
  tensors alone and the first tensor, output layer first, that disagrees with it is where the
  back-propagation breaks.

This is the structure that tells a broken backward pass (inconsistent) from a broken *setup* (labels of
the wrong format, scores taken for probabilities): the latter back-propagates a clean error of the
wrong thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES
from ffnn.validation import InputError
from verification.compare.rule import excess, tensor_floor
from verification.identification.comparison import OutputDerivatives, loss_derivative
from verification.tolerances import Tolerance

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)


def _softmax(a: Array) -> Array:
    z = np.exp(a - np.max(a, axis=1, keepdims=True))
    return z / np.sum(z, axis=1, keepdims=True)


def _sigmoid(a: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-a))


EXPRESSIONS: dict[str, Callable[[Array, Array], Array]] = {
    "a − y": lambda a, y: a - y,
    "(a − y) ⊙ a (1 − a)": lambda a, y: (a - y) * a * (1 - a),
    "(a − y) ⊙ (1 − a²)": lambda a, y: (a - y) * (1 - a * a),
    "(a − y) / (a (1 − a))": lambda a, y: (a - y) / (a * (1 - a)),
    "−y / a": lambda a, y: -y / a,
    "softmax(a) − y": lambda a, y: _softmax(a) - y,
    "sigmoid(a) − y": lambda a, y: _sigmoid(a) - y,
    "(a − y) ⊙ σ'(a)": lambda a, y: (a - y) * _sigmoid(a) * (1 - _sigmoid(a)),
    "a ⊙ ((a − y) − Σ_k a_k (a_k − y_k))": lambda a, y: (
        a * ((a - y) - np.sum(a * (a - y), axis=1, keepdims=True))
    ),
}
"""Output errors that hand-written backward passes back-propagate, as functions of the output ``a`` and
the labels ``y`` (rows are samples): the catalog's own ``∂ℓ/∂a`` (``a − y`` of ``mse``,
``(a − y) / (a (1 − a))`` of ``bce``, ``−y / a`` of ``cross_entropy``; :func:`of_loss` tells which loss
from the catalog itself), and the usual slips:
a sigmoid derivative applied to a softmax output, a derivative taken at the activation instead of the
pre-activation, scores taken for probabilities (``softmax(a) − y``), the squared error pushed through
a softmax the output already went through."""


@dataclass(frozen=True)
class OutputError:
    """What the code back-propagates, recovered from its gradient and the output's Jacobian.

    Attributes
    ----------
    consistent : bool
        Whether one output error per probe explains every tensor, within the acceptance rule.
    residual : float
        Largest relative residual ``‖C e − g‖ / ‖g‖`` over the probes.
    expression : str or None
        The expression of :data:`EXPRESSIONS` that ``e`` is, times ``scale``; None when none fits (or
        the code is inconsistent).
    scale : float or None
    first_mismatch : str or None
        For an inconsistent code: the first tensor, output layer first, that disagrees with the output
        error the output layer's tensors back-propagate.
    loss : str or None
        The catalog loss whose ``∂L/∂a`` (of the batch mean) ``e`` is, times ``loss_scale`` (which may be
        negative: a sign flipped), where its domain holds the outputs and labels; else None.
    loss_scale : float or None
    left_out : tuple of str
        Tensors the code gives no gradient for, left out of the equations (a zero gradient carries no
        output error).
    penalty : dict of str to float
        For a code consistent only with a weight-decay term ``g = J_θᵀ e + λ_t θ_t``: the ``λ_t`` of each
        tensor (0 for a tensor without one), divided by ``loss_scale`` when a catalog loss was found, so
        that the code is ``loss_scale`` × the gradient of ``loss + Σ_t ½ λ_t ‖θ_t‖²``; empty otherwise.
    penalty_error : float
        A bound on the error of each ``λ_t`` (same units), from the least-squares problem's sensitivity.
    deviation : float or None
        When ``loss`` fits only to within :data:`~verification.tolerances.NEAR_MATCH_RTOL`
        (:mod:`verification.identification.near_match`, a stabilising constant in the code): the largest
        relative deviation measured; None for a fit at the table's tolerance.
    """

    consistent: bool
    residual: float
    expression: str | None = None
    scale: float | None = None
    first_mismatch: str | None = None
    loss: str | None = None
    loss_scale: float | None = None
    left_out: tuple[str, ...] = ()
    penalty: dict[str, float] = field(default_factory=dict)
    penalty_error: float = 0.0
    deviation: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON fields (DESIGN.md: ``{consistent, residual, expression}``, with the scale and the first
        tensor that breaks)."""
        return {
            "consistent": self.consistent,
            "residual": self.residual,
            "expression": self.expression,
            "scale": self.scale,
            "first_mismatch": self.first_mismatch,
            "loss": self.loss,
            "loss_scale": self.loss_scale,
            "left_out": list(self.left_out),
            "penalty": dict(self.penalty),
            "penalty_error": self.penalty_error,
            "deviation": self.deviation,
        }


@dataclass(frozen=True)
class Equations:
    """``C e = g`` of one tensor at one probe, with the error estimate of ``C``'s rows.

    Attributes
    ----------
    rows, errors : ndarray, shape (k + d, n m)
        Numeric derivatives of the output (entries, then directions) and their error estimates.
    values : ndarray, shape (k + d,)
        The code's gradient entries and directional values.
    rounding : ndarray, shape (k + d,)
        A bound on the code's own rounding of ``values``.
    weights : ndarray, shape (k + d,) or None
        The tensor's own values at the same elements (entries, then directions), the column a
        weight-decay term ``λ θ`` adds; None when not given.
    """

    rows: Array
    errors: Array
    values: Array
    rounding: Array
    weights: Array | None = None


def equations(
    gradient: Array, rounding: Array, derivatives: OutputDerivatives, weights: Array | None = None
) -> Equations:
    """The equations of one tensor from its derivatives at a probe and the code's gradient there (and
    the tensor's values there, ``weights``, for :func:`penalized`)."""
    g, r = np.ravel(gradient), np.ravel(rounding)
    k, d = derivatives.flat.size, derivatives.directions.shape[0]
    rows = np.concatenate([derivatives.columns.reshape(k, -1), derivatives.along.reshape(d, -1)])
    errors = np.concatenate(
        [derivatives.column_errors.reshape(k, -1), derivatives.along_errors.reshape(d, -1)]
    )
    values = np.concatenate([g[derivatives.flat], derivatives.directions @ g])
    rounding_ = np.concatenate([r[derivatives.flat], np.abs(derivatives.directions) @ r])
    at = None
    if weights is not None:
        w = np.ravel(np.real(weights)).astype(np.float64)
        at = np.concatenate([w[derivatives.flat], derivatives.directions @ w])
    return Equations(rows, errors, values, rounding_, at)


def solve(parts: Sequence[Equations], tol: Tolerance) -> tuple[Array, float]:
    """The least-squares output error of stacked equations (flattened, ``n m``) and a bound on its error.

    The bound propagates the uncertainty of both sides through the pseudo-inverse:
    ``‖δe‖ ≤ (‖ |E| |e| ‖ + ‖r‖ + rtol ‖g‖ + ε ‖ |C| |e| ‖) / σ_min(C)`` (Golub & Van Loan, *Matrix
    Computations*, 4th ed., §5.3.8), with ``E`` the rows' error estimates, ``r`` the code's own
    rounding and ``rtol`` the tolerance table's relative tolerance for the code's values; infinite
    when ``C`` does not determine ``e`` (``σ_min = 0``).
    """
    rows = np.concatenate([p.rows for p in parts])
    values = np.concatenate([p.values for p in parts])
    errors = np.concatenate([p.errors for p in parts])
    rounding = np.concatenate([p.rounding for p in parts])
    e, *_ = np.linalg.lstsq(rows, values, rcond=None)
    smallest = float(np.linalg.svd(rows, compute_uv=False)[-1]) if rows.size else 0.0
    if smallest <= EPS * (float(np.abs(rows).max()) if rows.size else 0.0) or rows.shape[0] < rows.shape[1]:
        return e, float("inf")
    spread = (
        float(np.linalg.norm(np.abs(errors) @ np.abs(e)))
        + float(np.linalg.norm(rounding))
        + tol.rtol * float(np.linalg.norm(values))
        + EPS * float(np.linalg.norm(np.abs(rows) @ np.abs(e)))
    )
    return e, spread / smallest


def disagrees(part: Equations, e: Array, tol: Tolerance) -> bool:
    """Whether ``C e`` leaves the acceptance rule against the code's values for some element, the
    estimate being ``|E| |e|`` plus the rounding of the contraction and of the code's own values."""
    predicted = part.rows @ e
    estimate = np.abs(part.errors) @ np.abs(e) + EPS * (np.abs(part.rows) @ np.abs(e)) + part.rounding
    floor = tensor_floor(part.values, predicted) if part.values.size else 0.0
    return bool(np.any(excess(part.values, predicted, estimate, tol, floor) > 0))


def recover(
    per_probe: Sequence[dict[str, Equations]],
    order: Sequence[str],
    outputs: Sequence[tuple[Array, Array]],
    tol: Tolerance,
) -> OutputError:
    """The :class:`OutputError` of a code over its probes.

    Parameters
    ----------
    per_probe : sequence of dict of str to Equations
        At each probe, the equations of every tensor.
    order : sequence of str
        Tensor names, output layer first.
    outputs : sequence of (ndarray, ndarray)
        At each probe, the output ``a`` and the labels ``y``, shape ``(n, m)``.
    tol : Tolerance
        The tolerance of the comparisons.

    Returns
    -------
    OutputError
    """
    solved, residual, consistent, first = [], 0.0, True, None
    for parts, (a, _) in zip(per_probe, outputs, strict=True):
        e, bound = solve([parts[n] for n in order], tol)
        values = np.concatenate([parts[n].values for n in order])
        rows = np.concatenate([parts[n].rows for n in order])
        scale = float(np.linalg.norm(values)) or 1.0
        residual = max(residual, float(np.linalg.norm(rows @ e - values)) / scale)
        if any(disagrees(parts[n], e, tol) for n in order):
            consistent = False
            first = first or _first_break(parts, order, tol)
        solved.append((e.reshape(a.shape), bound))
    if not consistent:
        return OutputError(False, residual, first_mismatch=first)
    loss, k = of_loss(per_probe, order, outputs, tol)
    expression, c = describe(per_probe, order, outputs, tol)
    return OutputError(True, residual, expression, c, loss=loss, loss_scale=k)


def _first_break(parts: dict[str, Equations], order: Sequence[str], tol: Tolerance) -> str | None:
    """The first tensor (output layer first) at which the tensors so far stop sharing one output error:
    the output layer itself when no ``e`` explains it alone (a derivative that is not the output
    activation's own), else the first earlier layer that disagrees with the error the later ones
    back-propagate."""
    used: list[Equations] = []
    for n in order:
        used.append(parts[n])
        e, _ = solve(used, tol)
        if any(disagrees(p, e, tol) for p in used):
            return n
    return None


def describe(
    takens: Sequence[dict[str, Equations]],
    order: Sequence[str],
    outputs: Sequence[tuple[Array, Array]],
    tol: Tolerance,
) -> tuple[str | None, float | None]:
    """The expression of :data:`EXPRESSIONS` that the code back-propagates, with one scale over the
    probes, or ``(None, None)``: compared in the gradients' space as :func:`of_loss` compares (the
    least-squares ``c`` over the probes, :func:`in_gradients`), so that an output error the Jacobian
    leaves free in some direction (softmax outputs) is not named for a fit along that direction.
    """
    for name, f in EXPRESSIONS.items():
        with np.errstate(all="ignore"):
            c = in_gradients(takens, order, [f(a, y) for a, y in outputs], tol)
        if c is not None:
            return name, c
    return None, None


def of_loss(
    takens: Sequence[dict[str, Equations]],
    order: Sequence[str],
    outputs: Sequence[tuple[Array, Array]],
    tol: Tolerance,
) -> tuple[str | None, float | None]:
    """The catalog loss whose gradient, times one least-squares scale over the probes, is the code's
    gradient (``takens``: each probe's equations, a penalty already taken off where one was found), by
    the acceptance rule at every tensor and probe;
    compared in the gradients' space (``C ∂L/∂a`` against the code's values), so that an output error the
    Jacobian does not determine (softmax outputs: any constant may be added to a sample's ``e``) is not
    compared where it is free (comparing ``e`` itself, every loss fits a two-class softmax output,
    whose ``e`` is free along one direction per sample). Of several that fit, the one whose scale is
    nearest 1 (bce on a two-class softmax is twice its cross-entropy)."""
    fitting: list[tuple[float, int, str, float]] = []
    for name, spec in applicable_losses(outputs):
        with np.errstate(all="ignore"):
            c = in_gradients(takens, order, [loss_derivative(spec, a, y) for a, y in outputs], tol)
        if c is not None:
            fitting.append((round(abs(float(np.log(abs(c)))), 6), len(fitting), name, c))  # ties: in order
    if not fitting:
        return None, None
    _, _, name, c = min(fitting)
    return name, c


def in_gradients(
    takens: Sequence[dict[str, Equations]], order: Sequence[str], errors: Sequence[Array], tol: Tolerance
) -> float | None:
    """The least-squares ``c`` with which ``c ×`` the output errors ``errors`` (one per probe), pushed
    through each tensor's equations (``C e``), give the code's values by the acceptance rule at every
    tensor and probe; None when no ``c ≠ 0`` does, or an error is not finite."""
    weights = [np.ravel(e) for e in errors]
    if not all(np.all(np.isfinite(w)) for w in weights):
        return None
    with np.errstate(all="ignore"):
        predicted = [
            np.concatenate([t[n].rows @ w for n in order]) for t, w in zip(takens, weights, strict=True)
        ]
    values = [np.concatenate([t[n].values for n in order]) for t in takens]
    pp = float(sum(np.vdot(p, p) for p in predicted))
    if pp == 0 or not np.isfinite(pp):
        return None
    c = float(sum(np.vdot(v, p) for v, p in zip(values, predicted, strict=True))) / pp
    if c == 0 or any(
        disagrees(t[n], c * w, tol) for t, w in zip(takens, weights, strict=True) for n in order
    ):
        return None
    return c


def applicable_losses(outputs: Sequence[tuple[Array, Array]]) -> list[tuple[str, Any]]:
    """``(name, spec)`` of the catalog losses whose domain holds every probe's outputs and labels."""
    out = []
    for name, spec in LOSSES.items():
        try:
            for a, y in outputs:
                spec.validate_activation(a)
                spec.validate_labels(y)
        except InputError:
            continue
        out.append((name, spec))
    return out
