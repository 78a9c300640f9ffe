"""Probe points: where identification compares a backward pass with the catalog losses.

Weights are drawn from N(0, 1/n_rows) (biases N(0, ¼)), inputs from N(0, 1) and labels as rows of a
flat Dirichlet draw (non-negative, summing to 1), which fit every catalog loss. A draw whose outputs
come within :data:`EDGE` of a bounded end of a loss's domain is ill conditioned and is redrawn by
:func:`verification.identify.identification.identify`, which also redraws probes where a difference step
crosses a kink or leaves a loss's domain. The subject's forward pass is memoised per probe, so the
losses compared at one probe share its evaluations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES
from verification.subjects.adapters import Subject

Array = NDArray[Any]


@dataclass(frozen=True)
class Probe:
    """One probe point: parameters, inputs ``x`` (n_samples, n_0), labels ``y`` (n_samples, n_out)."""

    params: dict[str, Array]
    x: Array
    y: Array
    output: Array
    gradient: dict[str, Array]


def draw_probe(subject: Subject, rng: np.random.Generator, samples: int) -> tuple[dict[str, Array], Array]:
    params = {}
    for n, p in subject.parameters.items():
        sd = 1.0 / np.sqrt(p.shape[0]) if p.ndim == 2 else 0.5
        params[n] = sd * rng.standard_normal(p.shape)
    return params, rng.standard_normal((samples, subject.n_inputs))


EDGE = float(np.finfo(np.float64).eps ** (1 / 3))
"""``ε^(1/3) ≈ 6e-6``: the closest a probe's output may come to a bounded end of a loss's domain. Near
the end ``log a`` or ``log(1 − a)`` is ill conditioned (relative rounding ``ε / distance``), and the
finite-difference error estimate holds only while the loss is accurate to the ``ε^(2/3)`` central
differences reach; the same bound as :data:`verification.testing.strategies.MAX_OUTPUT_PREACTIVATION`
(``e^(−ln(1/ε)/3) = ε^(1/3)`` for a sigmoid)."""
MAX_DRAWS = 100
"""Draws tried for each probe before an ill-conditioned one is used anyway."""


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


def draw_labels(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    if shape[1] == 1:  # a one-hot or Dirichlet row of one output is constant: draw from [0, 1]
        return rng.uniform(0.0, 1.0, size=shape)
    y = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    y[:, -1] = 1.0 - y[:, :-1].sum(axis=1)
    return np.clip(y, 0.0, 1.0)


class CachedForward:
    """The subject's forward pass memoised by parameter values, shared by the losses of one probe."""

    def __init__(self, subject: Subject, x: Array) -> None:
        self.subject, self.x = subject, x
        self.cache: dict[bytes, Array] = {}

    def __call__(self, params: Mapping[str, Array]) -> Array:
        key = b"".join(np.ascontiguousarray(params[n]).tobytes() for n in self.subject.parameters)
        if key not in self.cache:
            self.cache[key] = self.subject.forward(dict(params), self.x)
        return self.cache[key]
