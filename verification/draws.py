"""The probe distribution: where someone's code is evaluated to be compared with the catalog.

Weights are drawn from ``N(0, 1 / max(shape))`` (so a layer's pre-activations have variance at most one
whether the code writes ``x @ W`` or ``W @ x``), other parameters from ``N(0, ¼)``, inputs from
``N(0, 1)``, and labels one-hot (a random class per sample; 0 or 1 for a single output). One-hot labels
fit every catalog loss and every label format code takes (rows, columns, class indices), and code that
takes the ``argmax`` of its labels sees the labels it was written for. A draw whose outputs come within
:data:`EDGE` of a bounded end of a loss's domain is redrawn.

Both the adapters (which try someone's code at drawn weights) and identification (which probes it) draw
from here, so the two see the same distribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES

Array = NDArray[Any]

EDGE = float(np.finfo(np.float64).eps ** (1 / 3))
"""``ε^(1/3) ≈ 6e-6``: the closest a probe's output may come to a bounded end of a loss's domain, where
``log a`` or ``log(1 − a)`` and their derivatives lose relative accuracy (rounding ``ε / distance``);
the same bound as :data:`verification.testing.strategies.MAX_OUTPUT_PREACTIVATION` (``e^(−ln(1/ε)/3) =
ε^(1/3)`` for a sigmoid)."""
MAX_DRAWS = 100
"""Draws tried for each probe before an ill-conditioned one is used anyway."""
MAX_SEED = 2**64 - 1
"""The largest seed the command line takes (``--seed``, ``--first-seed``): :class:`numpy.random.SeedSequence`
takes any whole number ≥ 0, but one of thousands of digits is a typing accident, and Python refuses to
print an integer of more than 4300 digits (``sys.get_int_max_str_digits``)."""


def draw_parameters(shapes: dict[str, tuple[int, ...]], rng: np.random.Generator) -> dict[str, Array]:
    """Parameters of the given shapes (see the module docstring)."""
    out = {}
    for n, shape in shapes.items():
        sd = 1.0 / np.sqrt(max(shape)) if len(shape) >= 2 and min(shape) > 1 else 0.5
        out[n] = sd * rng.standard_normal(shape)
    return out


def draw_inputs(rng: np.random.Generator, samples: int, n_inputs: int) -> Array:
    """Inputs ``(samples, n_inputs)`` from ``N(0, 1)``."""
    return rng.standard_normal((samples, n_inputs))


def draw_labels(rng: np.random.Generator, shape: tuple[int, int], classes: ClassCycle | None = None) -> Array:
    """One-hot labels of ``shape`` (a random class per row; 0 or 1 when there is one output), the classes
    taken from ``classes`` when given, so that successive draws cover every class."""
    n, m = shape
    drawn = classes.take(n, m) if classes is not None else rng.integers(0, max(m, 2), size=n)
    if m == 1:
        return np.asarray(drawn, dtype=np.float64).reshape(n, 1)
    y = np.zeros(shape)
    y[np.arange(n), drawn] = 1.0
    return y


class ClassCycle:
    """The classes of successive label draws: every class once, in a random order, before any class
    comes again (both 0 and 1 for a single output). A bug that shows for one class only (the ``−1`` of
    ``dscores[range(N), y] -= 1`` left out for the last class) is then met by probes that together
    draw as many samples as there are classes, where independent draws miss a given class of three in
    three samples with probability (2/3)³ ≈ 0.30.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the orders.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.queue: list[int] = []
        self.classes = 0

    def take(self, n: int, m: int) -> Array:
        """The next ``n`` classes of ``m`` outputs (of 2 for one output), as an integer array."""
        count = max(m, 2)
        if count != self.classes:
            self.queue, self.classes = [], count
        out: list[int] = []
        while len(out) < n:
            if not self.queue:
                self.queue = [int(c) for c in self.rng.permutation(count)]
            out.append(self.queue.pop())
        return np.asarray(out, dtype=np.intp)

    def again(self, drawn: Array) -> None:
        """Put the classes ``drawn`` (as :meth:`take` gave them) back, to be taken next: a probe drawn
        again keeps its labels."""
        self.queue += [int(c) for c in reversed(np.asarray(drawn).reshape(-1))]


def well_conditioned(a: Array) -> bool:
    """Outputs at least :data:`EDGE` inside every bounded end of the catalog domains they fall in."""
    for spec in LOSSES.values():
        low, high = spec.activation_range
        inside = (a > low) & (a < high)
        if np.all(inside) and (
            (np.isfinite(low) and np.any(a - low < EDGE)) or (np.isfinite(high) and np.any(high - a < EDGE))
        ):
            return False
    return True
