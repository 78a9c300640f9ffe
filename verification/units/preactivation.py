"""A layer whose backward takes the gradient at its pre-activation, not at its output.

A layer object may apply its activation in its forward pass, ``a = f(x W + b)``, and leave the
activation's derivative to its caller: the network multiplies the error by ``f'(z)`` before it calls
``backward(delta)``, which then returns ``x^T delta`` and ``delta W^T``. Given ``dout = ∂L/∂a`` such a
backward is no vector–Jacobian product of the layer's forward, yet the network is right. The layer alone
cannot say which convention its caller keeps, so a mismatch that this reading explains is no verdict
(:attr:`verification.units.cases.Case.conventions`).

:func:`pre_activation` tells the two apart by what the code does: ``f'(z)`` is measured by central
step (else central) differences of the output in each entry of the bias (output column ``j`` depends on
``b_j`` alone, through ``f'(z_j)``; Nocedal and Wright, *Numerical Optimization*, §8.1), and the backward
is run again on ``dout ⊙ f'(z)``; what it gives then is the reading compared with the product of
``dout``. A softmax output, ``a = softmax(x W + b)``, is read the same way through its Jacobian
``diag(a) − a aᵀ`` (Bishop, *Pattern Recognition and Machine Learning*, eq. 4.106): a network object whose
``backward(dLoss)`` takes ``a − y``, the gradient of cross-entropy at the scores (its caller's
``cross_entropy_derivative``), is no vector–Jacobian product of its forward either, and is right for
that caller. The softmax is recognised by measurement, not by name: every column ``∂a/∂b_j`` of one
bias equals ``a ⊙ (e_j − a_j)`` (:data:`SOFTMAX_RTOL`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
STEP = 1e-6
"""The central difference's step in a bias entry (of order one)."""
COMPLEX_STEP = 1e-20
"""The complex step's size: any size works, as no difference is taken."""
LINEAR_RTOL = 1e-6
"""A measured ``f'(z)`` within this of 1 everywhere is no activation: the layer is affine."""
SOFTMAX_RTOL = 1e-6
"""Measured columns ``∂a/∂b_j`` within this (relative to the largest) of ``a ⊙ (e_j − a_j)``: a
softmax of the scores ``x W + b``; both sides are exact to rounding by complex step, and to about
``STEP²`` by central differences."""
SOFTMAX_READING = (
    "the backward takes the gradient at the scores z of its softmax output (the softmax and "
    "cross-entropy shortcut, a − y), not at the output softmax(z): right when its caller hands it "
    "that, which the object alone cannot tell"
)
"""What the softmax reading means, as a skipped setting's reason."""
READING = (
    "the backward takes the gradient at the pre-activation z, not at the output f(z): right when its "
    "caller multiplies by the activation's derivative first, which the layer alone cannot tell"
)
"""What the reading means, as a skipped setting's reason."""


def _slope(
    forward: Callable[[dict[str, Array]], list[Array]], point: dict[str, Array], out: Array
) -> Array | None:
    """``f'(z)`` of shape ``out.shape`` from the layer's bias, or None: no parameter of one entry per output
    unit whose output column ``j`` moves with its entry ``j`` alone (a hidden layer's bias of the same
    size moves them all, or none where its units are dead), or a layer with no activation."""
    units = out.shape[-1] if out.ndim == 2 else 0
    for bias in [
        k for k, v in point.items() if k != "x" and units and v.size == units and max(v.shape) == units
    ]:
        slope = np.zeros(out.shape)
        for j in range(units):
            column = _derivative(forward, point, bias, j)
            others = np.delete(column, j, axis=1)
            if others.size and np.max(np.abs(others)) > 1e-6 * max(1.0, float(np.max(np.abs(column)))):
                break
            slope[:, j] = column[:, j]
        else:
            if not np.any(slope):
                continue
            return None if np.allclose(slope, 1.0, rtol=LINEAR_RTOL, atol=0) else slope
    return None


def _derivative(
    forward: Callable[[dict[str, Array]], list[Array]], point: dict[str, Array], bias: str, j: int
) -> Array:
    """``∂a/∂b_j`` by complex step (exact to rounding, Squire and Trapp 1998) where the forward is
    complex-safe, else by central differences."""
    b = point[bias].astype(np.complex128)
    b.reshape(-1)[j] += 1j * COMPLEX_STEP
    try:
        value = np.asarray(forward({**point, bias: b})[0])
        if np.iscomplexobj(value) and np.any(value.imag):
            return value.imag / COMPLEX_STEP
    except Exception:  # a forward that is not complex-safe: central differences below
        pass
    shifted = []
    for sign in (1.0, -1.0):
        real = point[bias].astype(np.float64).copy()
        real.reshape(-1)[j] += sign * STEP
        shifted.append(np.asarray(forward({**point, bias: real})[0], dtype=np.float64))
    return (shifted[0] - shifted[1]) / (2 * STEP)


def pre_activation(
    forward: Callable[[dict[str, Array]], list[Array]],
    point: dict[str, Array],
    out: Array,
    dout: Array,
    rerun: Callable[[Array], dict[str, Any]],
) -> list[tuple[dict[str, Any], str]]:
    """The reading of the module docstring as a convention of :class:`~verification.units.cases.Case`
    (a list of one), or an empty list when the layer has no measurable activation.

    Parameters
    ----------
    forward : callable
        The layer's output as a function of its tensors (``{"x": …, "W": …, "b": …}`` → ``[a]``).
    point : dict of str to ndarray
        The tensors at the case's point.
    out : ndarray of shape (N, units)
        The output at the point.
    dout : ndarray of the output's shape
        The upstream gradient the case gives the backward.
    rerun : callable
        The backward's gradients, by tensor, for a given upstream gradient.
    """
    slope = _slope(forward, point, out)
    if slope is not None:
        return [(rerun(dout * slope), READING)]
    if _is_softmax(forward, point, out):  # dz = Jᵀ dout, J = diag(a) − a aᵀ per sample
        return [(rerun(out * (dout - np.sum(dout * out, axis=-1, keepdims=True))), SOFTMAX_READING)]
    return []


def _is_softmax(
    forward: Callable[[dict[str, Array]], list[Array]], point: dict[str, Array], out: Array
) -> bool:
    """Whether the output is the softmax of scores that one bias enters additively: for some parameter
    of one entry per output unit, every column ``∂a/∂b_j`` is ``a ⊙ (e_j − a_j)``."""
    if out.ndim != 2 or out.shape[-1] < 2 or np.iscomplexobj(out):
        return False
    units = out.shape[-1]
    expected = [out * ((np.arange(units) == j) - out[:, j : j + 1]) for j in range(units)]
    scale = max(float(np.max(np.abs(e))) for e in expected)
    for name, v in point.items():
        if name == "x" or v.size != units or max(v.shape, default=0) != units:
            continue
        columns = (_derivative(forward, point, name, j) for j in range(units))
        if all(
            c.shape == e.shape and np.max(np.abs(c - e)) <= SOFTMAX_RTOL * scale
            for c, e in zip(columns, expected, strict=True)
        ):
            return True
    return False
