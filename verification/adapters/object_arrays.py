"""Weights kept as NumPy arrays of objects, an idiom of code written since NumPy 1.24 refuses ragged
arrays without ``dtype=object``.

``np.array([W1, W2], dtype=object)`` of layers of different shapes is a 1-D array of arrays, walked as
a list (:func:`is_object_vector`); of rows of one length (``np.array([w1, w2, w3], dtype=object)`` of
three neurons' weight vectors) NumPy makes it a 2-D array whose entries are numbers, read and written as
a float array (:func:`is_number_objects`). Returned gradients are read the same way
(:func:`verification.adapters.matching.leaves`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

REAL = (float, int, np.floating, np.integer)
"""Numbers an array of objects may hold and still be read as floats."""


def is_number_objects(value: Any) -> bool:
    """A numpy array of objects that are all real numbers: ``np.array([W1, W2, W3], dtype=object)`` of
    three rows of one length is such a 2-D array, read and written as a float array."""
    return (
        isinstance(value, np.ndarray)
        and value.dtype == object
        and value.size > 0
        and all(isinstance(v, REAL) and not isinstance(v, bool) for v in value.flat)
    )


def is_object_vector(value: Any) -> bool:
    """A 1-D numpy array of other objects: ragged layers kept as ``np.array([W1, W2], dtype=object)``,
    walked as a list."""
    return isinstance(value, np.ndarray) and value.dtype == object and value.ndim == 1
