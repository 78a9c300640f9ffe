"""The question's data: three 5×6 binary glyphs of the letters A, B and C, shipped with the package.

Each glyph is flattened row by row into 30 inputs; the label of glyph ``k`` is the one-hot vector
``e_k`` over the classes ``("A", "B", "C")``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Glyphs:
    """The glyph data set.

    Attributes
    ----------
    x : ndarray, shape (3, 30), float64
        One flattened glyph per row, entries 0.0 or 1.0.
    y : ndarray, shape (3, 3), float64
        One-hot labels, row ``k`` is ``e_k``.
    classes : tuple of str
        ``("A", "B", "C")``, the class of each row.
    shape : tuple of int
        ``(5, 6)``: rows and columns of one glyph before flattening.
    """

    x: NDArray[Any]
    y: NDArray[Any]
    classes: tuple[str, ...]
    shape: tuple[int, int]


def load_glyphs() -> Glyphs:
    """Load the A, B, C glyphs from the package data file ``ffnn/data/abc_glyphs.json``."""
    text = resources.files("ffnn").joinpath("data/abc_glyphs.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    classes = tuple(raw["classes"])
    x = np.array([raw["glyphs"][c] for c in classes], dtype=np.float64)
    return Glyphs(x=x, y=np.eye(len(classes)), classes=classes, shape=tuple(raw["shape"]))
