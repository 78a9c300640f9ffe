"""How large the terms a backward summed were, read off its own rounding.

The acceptance rule's floor ``G`` (:mod:`verification.tolerances`) is the size of the terms summed into a
gradient's entries, taken as the tensor's largest entry. That fails where the whole tensor cancels: the
input gradient of a batch normalisation at a batch of two is zero in exact arithmetic (each normalised
feature is ``±1`` whatever the input), and the code's ``dxc − mean(dxc)`` leaves rounding of the size of
its terms, ``ε · |dout| / σ``, many orders above every entry the numeric oracle finds. Compared with the
tensor's own entries that rounding reads as a mismatch of a correct layer.

A backward is linear in its upstream gradient, so the rounding can be observed instead of bounded: run
it again on ``s · dout`` for scales ``s`` a few units of the last place from 1 (not powers of two, so
that every operation rounds afresh) and scale back. The spread of the results is the code's own
rounding, ``ε`` times the terms it summed (Higham, *Accuracy and Stability of Numerical Algorithms*,
2nd ed., §4.2; the same idea as Moré and Wild's estimate of the noise of a computed function,
*SIAM J. Sci. Comput.* 33(3), 2011): :func:`observed_floors` returns the spread divided by ``ε``, the
floor the rule then uses where it exceeds the tensor's largest entry.

A backward that is not linear in ``dout`` (itself a bug) changes by up to ``|s − 1| ≤ 2.7·10⁻¹²`` of its
value under these scales; the floor is that change over ``ε``, and the rule's ``rtol`` (``SAFETY · ε``
for complex step, ``8 · SAFETY · ε^(8/9)`` for Richardson) turns it into an allowance of at most
``2.7·10⁻¹⁰`` of the gradient's largest entry by complex step and ``1.2·10⁻⁷`` by Richardson: no slip
of a factor or a sign, a relative change of order one, hides in it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.units.cases import NotChecked

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)
SCALES = (1 + 3 * 2.0**-40, 1 - 5 * 2.0**-41, 1 + 7 * 2.0**-42)
"""Upstream gradients ``s · dout`` the backward is run again at: within ``10⁻¹¹`` of 1, and no power of
two, so that the products the code forms round differently from those at ``dout``."""


def observed_floors(
    rerun: Callable[[Array], dict[str, Any]], dout: Array, analytic: dict[str, Any]
) -> dict[str, float]:
    """The size of the terms the backward summed into each gradient, from its rounding.

    Parameters
    ----------
    rerun : callable
        The backward's gradients (name to array) for an upstream gradient, from the same parameters and
        input as ``analytic``.
    dout : ndarray, float64
        The upstream gradient ``analytic`` was computed at.
    analytic : dict of str to ndarray
        The gradients at ``dout``.

    Returns
    -------
    dict of str to float
        ``max_i |g_i(s · dout) / s − g_i(dout)| / ε`` over :data:`SCALES`, per tensor whose gradient is a
        float array of the same shape at every scale; empty when a rerun raises or gives none (the floor
        then stays the tensor's largest entry).
    """
    spread: dict[str, float] = {}
    for s in SCALES:
        try:
            again = rerun(dout * s)
        except (InputError, NotChecked):  # the code's own failure: no estimate, the usual floor stays
            return {}
        for name, g in analytic.items():
            h = again.get(name)
            if not (isinstance(g, np.ndarray) and isinstance(h, np.ndarray)) or g.shape != h.shape:
                continue
            if g.dtype.kind != "f" or h.dtype.kind != "f":
                continue
            diff = float(np.max(np.abs(h / s - g), initial=0.0))
            spread[name] = max(spread.get(name, 0.0), diff)
    return {name: d / EPS for name, d in spread.items() if np.isfinite(d)}
