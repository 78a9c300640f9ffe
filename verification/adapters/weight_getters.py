"""Weight arguments made by functions named for them.

A script written as functions often makes each of its forward function's weight arguments with a
function of no arguments named for it, called by a driver the check does not run::

    def getWeights():
        np.random.seed(42)
        return [np.random.randn(784, 16), np.random.randn(16, 16), np.random.randn(16, 10)]

    def feed_forward(image_data, weights, biases): ...

:func:`getter_setups` makes them so (``weights = getWeights(); biases = getBiases()``) and, first, the
same network with its input side cut to a few inputs when it is as wide as an image's pixels: the
forward pass of such code often walks its neurons in Python, and differentiating 784 inputs' weights
one by one would take minutes. The hidden and output sizes, which the forward pass may fix in its own
code (``neuron_count = [16, 16, 10]``), are left as made.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np

from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript


def getter_setups(
    namespace: dict[str, Any], script: LoadedScript, weights: list[str]
) -> list[tuple[str, str]]:
    """``(setup, "")`` for the weight arguments ``weights`` (required, in order) when a getter makes
    each (see the module docstring): the narrowed setup first, when there is one; else empty."""
    getters = _getters(namespace, script, weights)
    if not getters:
        return []
    made = "; ".join(f"{w} = {g}()" for w, g in getters.items())
    small = [cut for w, g in getters.items() if (cut := _narrowed(namespace, w, g)) is not None]
    return ([(f"{made}; {'; '.join(small)}", "")] if small else []) + [(made, "")]


GETTER = re.compile(r"^_?(get|init|initiali[sz]e|make|create|new|random)_?(?P<name>\w+)$", re.I)
"""A function that makes one weight argument, by its name (``getWeights`` for ``weights``)."""


def _getters(namespace: dict[str, Any], script: LoadedScript, named: list[str]) -> dict[str, str]:
    """``{weight: function}`` when every weight argument in ``named`` is made by a function of the
    script that takes no argument and is named for it (``weights = getWeights()``); else empty."""
    found = {}
    for name in script.defined_names():
        fn, match = namespace.get(name), GETTER.match(name)
        if (
            match is None
            or not inspect.isfunction(fn)
            or any(p.default is inspect.Parameter.empty for p in cv.positional_parameters(fn))
        ):
            continue
        made = match.group("name").lower()
        found.update({w: name for w in named if w.lower() == made})
    return found if named and len(found) == len(named) else {}


WIDE = 50
"""An input width from which a getter's first weight matrix is cut to :data:`NARROW` inputs."""
NARROW = 4


def _narrowed(namespace: dict[str, Any], name: str, getter: str) -> str | None:
    """``weights[0] = weights[0][:4]`` when ``getter()`` makes a list of weight matrices whose first
    has an input side of :data:`WIDE` or more (784 pixels) that the second does not share: the same
    network on 4 inputs, far quicker to differentiate. None otherwise (or when the getter raises)."""
    try:
        made = namespace[getter]()
    except Exception:  # the code under check: any failure means no cut
        return None
    if not (isinstance(made, list) and len(made) > 1 and all(np.ndim(m) == 2 for m in made[:2])):
        return None
    first, second = np.shape(made[0]), np.shape(made[1])
    for axis in (0, 1):
        if first[axis] >= WIDE and first[axis] not in second and first[1 - axis] in second:
            cut = f"[:{NARROW}]" if axis == 0 else f"[:, :{NARROW}]"
            return f"{name}[0] = {name}[0]{cut}"
    return None
