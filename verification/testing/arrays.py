"""Hypothesis strategies for the arrays of a case: weights, inputs and labels that fit each catalog loss.

Every number is drawn element by element through :mod:`hypothesis.extra.numpy`, so a failing case
shrinks to small, readable values. :mod:`verification.testing.strategies` builds whole networks and
cases from these and re-exports them.

References: the Hypothesis documentation, ``hypothesis.extra.numpy``; data-apis/array-api-tests,
``hypothesis_helpers.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

Array = NDArray[Any]

LABEL_KINDS: dict[str, tuple[str, ...]] = {
    "mse": ("real",),
    "bce": ("binary", "soft"),
    "cross_entropy": ("one_hot", "soft"),
    "poisson_nll": ("counts",),
}
"""The kinds of labels :func:`labels` draws for each loss."""


def weights(shape: int | tuple[int, ...], max_magnitude: float = 2.0) -> st.SearchStrategy[Array]:
    """Finite float64 arrays of the given shape with every ``|w| ≤ max_magnitude``.

    Parameters
    ----------
    shape : int or tuple of int
        ``(n_{l-1}, n_l)`` for a weight matrix, ``n_l`` for a bias vector.
    max_magnitude : float
        Bound on the magnitude of each entry, > 0.

    Returns
    -------
    SearchStrategy of ndarray, float64
        No NaN, no infinity, no subnormal numbers; shrinks towards zeros.
    """
    elements = st.floats(-max_magnitude, max_magnitude, allow_nan=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=elements)


def inputs(n_samples: int, n_in: int, max_magnitude: float = 1.0) -> st.SearchStrategy[Array]:
    """A batch ``x``, one sample per row.

    Parameters
    ----------
    n_samples, n_in : int
        Batch size and input width ``n_0``.
    max_magnitude : float
        Bound of every entry; the question's glyphs are binary, so 1 covers them.

    Returns
    -------
    SearchStrategy of ndarray, shape (n_samples, n_in), float64
        Finite entries with ``|x| ≤ max_magnitude``; shrinks towards zeros.
    """
    return weights((n_samples, n_in), max_magnitude)


@st.composite
def _probability_rows(draw: st.DrawFn, shape: tuple[int, int]) -> Array:
    raw = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0, allow_subnormal=False)))
    raw[:, -1] += 1.0  # keeps every row sum ≥ 1, away from 0
    rows = raw / raw.sum(axis=1, keepdims=True)
    # Close each row exactly: the last entry takes the rounding left by the others (≥ 0 since each
    # other entry is at most its share of a sum of non-negative terms).
    rows[:, -1] = np.maximum(1.0 - rows[:, :-1].sum(axis=1), 0.0)
    return rows


@st.composite
def _one_hot(draw: st.DrawFn, shape: tuple[int, int]) -> Array:
    hot = draw(st.lists(st.integers(0, shape[1] - 1), min_size=shape[0], max_size=shape[0]))
    return np.eye(shape[1])[hot]


def labels(
    loss: str,
    shape: tuple[int, int],
    *,
    kind: str | None = None,
    max_magnitude: float = 2.0,
    max_count: int = 5,
) -> st.SearchStrategy[Array]:
    """Labels ``y`` of shape (n_samples, n_out) that fit the catalog loss ``loss``.

    Parameters
    ----------
    loss : str
        Catalog loss id.
    shape : tuple of int
        (n_samples, n_out).
    kind : str, optional
        One of :data:`LABEL_KINDS` ``[loss]``; by default any of them:

        * ``real`` (mse): real targets with ``|y| ≤ max_magnitude``;
        * ``binary`` (bce): entries in {0, 1};
        * ``soft`` (bce): entries in [0, 1]; (cross_entropy): non-negative rows summing to 1;
        * ``one_hot`` (cross_entropy): one 1 per row;
        * ``counts`` (poisson_nll): integers ``0 … max_count`` as float64.
    max_magnitude : float
        Bound of ``real`` labels.
    max_count : int
        Largest count.

    Returns
    -------
    SearchStrategy of ndarray, float64
        Labels accepted by ``LOSSES[loss].validate_labels``.

    Raises
    ------
    KeyError
        On an unknown loss or a kind that does not belong to it.
    """
    kinds = LABEL_KINDS[loss]
    if kind is not None and kind not in kinds:
        raise KeyError(f"loss {loss!r} has label kinds {kinds}, not {kind!r}")
    strategies = {
        "real": lambda: weights(shape, max_magnitude),
        "binary": lambda: hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])),
        "soft": lambda: (
            _probability_rows(shape)
            if loss == "cross_entropy"
            else hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0, allow_subnormal=False))
        ),
        "one_hot": lambda: _one_hot(shape),
        "counts": lambda: hnp.arrays(np.float64, shape, elements=st.integers(0, max_count).map(float)),
    }
    chosen = [kind] if kind is not None else list(kinds)
    return st.one_of(*(strategies[k]() for k in chosen))
