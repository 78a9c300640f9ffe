"""Probe points: where identification compares someone's backward pass with the catalog losses.

A :class:`Probe` holds one drawn point (from :mod:`verification.draws`) with the code's output and
gradient there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

Array = NDArray[Any]


@dataclass(frozen=True)
class Probe:
    """One probe point.

    Attributes
    ----------
    params : dict of str to ndarray
        The parameters, float64.
    x : ndarray, shape (n, n_in)
    y : ndarray, shape (n, n_out)
        One-hot labels (0 or 1 for one output).
    output : ndarray, shape (n, n_out)
        The code's output at ``params`` for ``x``.
    gradient : dict of str to ndarray
        The code's gradient at the probe.
    rounding : dict of str to ndarray
        A bound on the rounding in ``gradient`` (nonzero for gradients recovered from an update).
    """

    params: dict[str, Array]
    x: Array
    y: Array
    output: Array
    gradient: dict[str, Array]
    rounding: dict[str, Array]
