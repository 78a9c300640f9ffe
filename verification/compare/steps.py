"""Whether an update step can be read as a gradient at all.

A gradient read off an update, ``(before − after) / lr``, is the gradient only for plain gradient
descent (momentum's first step included, its velocity starting at zero). An adaptive optimiser's first
step moves every weight by the same amount: Adam's ``m̂ / (√v̂ + ε)`` is ``sign(g)`` on the first step
(Kingma and Ba 2015, *Adam*, Section 2: the step is bounded by the rate, ``|Δθ| ≈ α``), RMSprop's nearly
so, sign SGD's exactly. No loss can be read off such a step, and read as a gradient it would call correct
code wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

SIGN_STEP_RTOL = 1e-4
"""Relative spread under which every weight moved by the same amount: far above the rounding of one
update (``2 ε`` of the weights over the step), far below the spread of the entries of any gradient at
drawn weights."""
SIGN_STEP_ENTRIES = 6
"""Fewest moved entries for the test: a network of one weight moves by one amount by chance."""


def uniform_step(steps: Iterable[Array]) -> float | None:
    """The one magnitude every moved entry of ``steps`` moved by, or None when they moved by different
    amounts (or fewer than :data:`SIGN_STEP_ENTRIES` moved).

    Parameters
    ----------
    steps : iterable of ndarray
        Per tensor, the step ``(before − after)`` or the gradient read off it (any float dtype).
    """
    parts = [np.abs(np.ravel(np.asarray(s, dtype=np.float64))) for s in steps]
    moved = np.concatenate(parts) if parts else np.zeros(0)
    moved = moved[moved > 0]
    if moved.size < SIGN_STEP_ENTRIES:
        return None
    size = float(np.mean(moved))
    return size if float(np.max(np.abs(moved - size))) <= SIGN_STEP_RTOL * size else None
