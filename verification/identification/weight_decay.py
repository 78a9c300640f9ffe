"""Weight decay: a backward pass that adds an L2 penalty's gradient to what it back-propagates.

Course code and books regularise: ``grads["W1"] = X.T @ dh + 2 * reg * W1``, ``dW += lambd / m * W``.
Such code is the gradient of no catalog loss, and its output error (:mod:`verification.identification.
output_error`) is inconsistent, since ``λ θ`` is no term ``J_θᵀ e``. :func:`penalized` fits the one
structure that explains it, ``g_t = J_tᵀ e + λ_t θ_t`` with one ``λ_t ≥ 0`` per tensor over every
probe, and says which catalog loss ``e`` is: the code is then the gradient of that loss plus
``Σ_t ½ λ_t ‖θ_t‖²`` (Goodfellow, Bengio & Courville, *Deep Learning*, 2016, §7.1.1; Krogh & Hertz,
"A simple weight decay can improve generalization", NIPS 1991).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.identification.output_error import (
    Equations,
    OutputError,
    describe,
    disagrees,
    equations,
    of_loss,
    solve,
)
from verification.tolerances import SCALE_GAP, Tolerance

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)


def penalized(
    per_probe: Sequence[dict[str, Equations]],
    order: Sequence[str],
    outputs: Sequence[tuple[Array, Array]],
    tol: Tolerance,
) -> OutputError | None:
    """The output error of a code that adds weight decay to a back-propagated error: every tensor's
    gradient is ``g_t = J_tᵀ e + λ_t θ_t`` with one ``λ_t ≥ 0`` per tensor over all probes (the gradient
    of ``L + Σ_t ½ λ_t ‖θ_t‖²``, an L2 penalty; Goodfellow, Bengio & Courville, *Deep Learning*, §7.1.1),
    or None when that does not explain the code either, no ``λ_t`` is positive, or one is negative.

    The output errors of all probes and the ``λ_t`` are one least-squares problem; each probe's ``e``
    is then solved again, with the penalty taken off the code's values, for its error bound, and the
    acceptance rule of :func:`disagrees` must hold for every tensor at every probe.
    """
    if any(parts[n].weights is None for parts in per_probe for n in order):
        return None
    theta = [{n: np.asarray(parts[n].weights) for n in order} for parts in per_probe]
    matrix, rhs, spread_of, columns = _joint(per_probe, order, theta, tol)
    if matrix.shape[0] <= matrix.shape[1]:
        return None
    solution, *_ = np.linalg.lstsq(matrix, rhs, rcond=None)
    lam = dict(zip(order, solution[columns:], strict=True))
    sensitivity = _lambda_sensitivity(matrix, columns)
    if not sensitivity > 0:  # the values do not determine λ (a λ column within the output errors' span)
        return None
    lam_error = spread_of(solution) / sensitivity
    solved, residual, takens = [], 0.0, []
    for parts, at, (a, _) in zip(per_probe, theta, outputs, strict=True):
        taken = {n: replace(parts[n], values=parts[n].values - lam[n] * at[n]) for n in order}
        takens.append(taken)
        e, bound = solve([taken[n] for n in order], tol)
        if any(disagrees(taken[n], e, tol) for n in order):
            return None
        raw = np.concatenate([parts[n].values for n in order])
        left = np.concatenate([taken[n].values for n in order])
        rows = np.concatenate([parts[n].rows for n in order])
        residual = max(residual, float(np.linalg.norm(rows @ e - left)) / (float(np.linalg.norm(raw)) or 1.0))
        solved.append((e.reshape(a.shape), bound))
    # a λ_t within its own error bound, or whose term stays within the tolerance of the code's values
    # at every probe, is no penalty
    significant = {
        n: abs(lam[n]) > lam_error
        and any(
            abs(lam[n]) * float(np.linalg.norm(at[n])) > tol.rtol * float(np.linalg.norm(parts[n].values))
            for parts, at in zip(per_probe, theta, strict=True)
        )
        for n in order
    }
    if not any(significant.values()) or any(significant[n] and lam[n] < 0 for n in order):
        return None
    loss, k = of_loss(takens, order, outputs, tol)
    # e itself is named only when no catalog loss is (and the Jacobian determines it)
    determined = loss is None and all(np.isfinite(bound) for _, bound in solved)
    expression, c = describe(takens, order, outputs, tol) if determined else (None, None)
    per = k if loss is not None and k else 1.0
    decay = {n: float(lam[n]) / per if significant[n] else 0.0 for n in order}
    return OutputError(
        True,
        residual,
        expression,
        c,
        loss=loss,
        loss_scale=k,
        penalty=decay,
        penalty_error=float(lam_error) / abs(per),
    )


def penalized_reduction(point: Any, order: Sequence[str], found: OutputError, tol: Tolerance, n: int) -> str:
    """How the gradient of ``found`` (a catalog loss plus an L2 penalty, read at one sample) holds at the
    batch probe ``point`` of ``n`` samples: :func:`penalized` is fitted there again, and the loss it
    finds must be the same at the one-sample scale (``mean``: the catalog's batch loss is the mean) or
    ``n`` times it (``sum``), to within :data:`~verification.tolerances.SCALE_GAP` (factors of the batch
    size are never that close); else ``inconsistent``. The penalty may differ (``λ / m`` at a batch
    of ``m``, as courses write it): only the loss decides the reduction."""
    per_probe = [
        {
            t: equations(
                point.probe.gradient[t], point.probe.rounding[t], point.derivatives[t], point.probe.params[t]
            )
            for t in order
        }
    ]
    at = penalized(per_probe, order, [(point.probe.output, point.probe.y)], tol)
    if at is None or at.loss != found.loss or not at.loss_scale or not found.loss_scale:
        return "inconsistent"
    ratio = at.loss_scale / found.loss_scale
    return next(
        (
            name
            for name, factor in (("mean", 1.0), ("sum", float(n)))
            if abs(ratio / factor - 1.0) < SCALE_GAP
        ),
        "inconsistent",
    )


def _joint(
    per_probe: Sequence[dict[str, Equations]],
    order: Sequence[str],
    theta: Sequence[dict[str, Array]],
    tol: Tolerance,
) -> tuple[Array, Array, Callable[[Array], float], int]:
    """The one least-squares problem of every probe's output error and the ``λ_t``: its matrix (a block
    of output-derivative rows per probe, then a column ``θ_t`` per tensor), the code's values, the
    spread of a solution (as :func:`~verification.identification.output_error.solve` bounds it: the
    rows' error estimates, the code's rounding, the tolerance table's rtol, the contraction's
    rounding), and where the ``λ`` columns start."""
    sizes = [parts[order[0]].rows.shape[1] for parts in per_probe]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    columns = int(starts[-1])
    blocks, errors, values, rounding = [], [], [], []
    for p, parts in enumerate(per_probe):
        for t, n in enumerate(order):
            eq = parts[n]
            block = np.zeros((eq.values.size, columns + len(order)))
            block[:, starts[p] : starts[p + 1]] = eq.rows
            error = np.zeros_like(block)
            error[:, starts[p] : starts[p + 1]] = eq.errors
            block[:, columns + t] = theta[p][n]
            blocks.append(block)
            errors.append(error)
            values.append(eq.values)
            rounding.append(eq.rounding)
    matrix, rhs, err = np.concatenate(blocks), np.concatenate(values), np.abs(np.concatenate(errors))
    r = float(np.linalg.norm(np.concatenate(rounding)))

    def spread(x: Array) -> float:
        return (
            float(np.linalg.norm(err @ np.abs(x)))
            + r
            + tol.rtol * float(np.linalg.norm(rhs))
            + EPS * float(np.linalg.norm(np.abs(matrix) @ np.abs(x)))
        )

    return matrix, rhs, spread, columns


def _lambda_sensitivity(matrix: Array, columns: int) -> float:
    """The smallest singular value of the ``λ`` columns once the span of the output-error columns is
    projected out: how much the code's values must move to move ``λ`` by one (Golub & Van Loan,
    *Matrix Computations*, 4th ed., §5.3.8, applied to the Schur complement); the output errors may be
    undetermined (softmax outputs) while ``λ`` is not. Zero when ``λ`` is undetermined."""
    a, b = matrix[:, :columns], matrix[:, columns:]
    u, sv, _ = np.linalg.svd(a, full_matrices=False)
    basis = u[:, sv > EPS * (sv[0] if sv.size else 0.0) * max(a.shape)]
    rest = b - basis @ (basis.T @ b)
    return float(np.linalg.svd(rest, compute_uv=False)[-1])
