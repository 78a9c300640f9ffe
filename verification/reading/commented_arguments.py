"""Sizes said by a comment or a docstring where an argument's name says nothing.

Student code often names a constructor's sizes with single letters and says what they are beside
them::

    def __init__(self, n, m, h):
        self.n = n  # number of inputs
        self.m = m  # number of outputs
        self.h = h  # number of hidden units

or in the docstring (``n: number of inputs``, ``:param n: the number of inputs``). :func:`said_size`
reads that text: an argument whose comment names exactly one of the input, hidden and output layers
gets that layer's size in the guessed 4-5-3 network (:data:`verification.reading.guesses.SIZE_GUESSES`).
A comment that names no layer, or several ("inputs to the hidden layer"), says nothing.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any

SAID: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\binputs?\b|\bfeatures?\b", re.I), 4),
    (re.compile(r"\bhidden\b", re.I), 5),
    (re.compile(r"\boutputs?\b|\bclasses\b", re.I), 3),
)
"""Words of a comment that name a layer, and that layer's size in the guessed network."""
COUNT = re.compile(
    r"\b(number|num|no\.?|count|size|dimension|dim|width|amount)\b|\bhow many\b|#\s*of\b", re.I
)
"""Words that make the text a size's (a count of units), not another property of the layer."""


def _texts(fn: Any, name: str) -> list[str]:
    """The trailing comments of the lines of ``fn``'s source that read ``name`` as a whole word, and
    the lines of its docstring that start with it (``name:``, ``name --``, ``:param name:``)."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return []
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    out = []
    for line in source.splitlines():
        code, hash_, comment = line.partition("#")
        if hash_ and word.search(code) and "=" in code:
            out.append(comment)
    doc = inspect.getdoc(fn) or ""
    starts = re.compile(rf"^\s*(:param\s+)?{re.escape(name)}\s*(\(\w+\))?\s*(:|--|-)\s*(.+)$")
    out += [m.group(4) for line in doc.splitlines() if (m := starts.match(line))]
    return out


def said_size(fn: Any, name: str) -> int | None:
    """The size a comment or the docstring of ``fn`` gives argument ``name`` (module docstring): 4 for
    the inputs, 5 for a hidden layer, 3 for the outputs; None when no text says one size alone."""
    sizes = {
        size
        for text in _texts(fn, name)
        if COUNT.search(text)
        for pattern, size in SAID
        if pattern.search(text)
    }
    return sizes.pop() if len(sizes) == 1 else None
