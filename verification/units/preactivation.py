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
``dout``.
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
READING = (
    "the backward takes the gradient at the pre-activation z, not at the output f(z): right when its "
    "caller multiplies by the activation's derivative first, which the layer alone cannot tell"
)
"""What the reading means, as a skipped setting's reason."""


def _slope(
    forward: Callable[[dict[str, Array]], list[Array]], point: dict[str, Array], out: Array
) -> Array | None:
    """``f'(z)`` of shape ``out.shape`` from the layer's bias, or None: no parameter of one entry per output
    unit, an output column that moves with another unit's bias, or a layer with no activation."""
    units = out.shape[-1] if out.ndim == 2 else 0
    bias = next(
        (k for k, v in point.items() if k != "x" and v.size == units and max(v.shape, default=0) == units),
        None,
    )
    if bias is None or units == 0:
        return None
    slope = np.zeros(out.shape)
    for j in range(units):
        column = _derivative(forward, point, bias, j)
        others = np.delete(column, j, axis=1)
        if others.size and np.max(np.abs(others)) > 1e-6 * max(1.0, float(np.max(np.abs(column)))):
            return None
        slope[:, j] = column[:, j]
    if np.allclose(slope, 1.0, rtol=LINEAR_RTOL, atol=0):
        return None
    return slope


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
    if slope is None:
        return []
    return [(rerun(dout * slope), READING)]
