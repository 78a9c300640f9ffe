"""Sampling with a stated guarantee: which entries of a gradient are checked one by one, the random
directions along which all of them are checked jointly, and the probability that the directions miss
one wrong entry.

Checking every entry of a large tensor costs one evaluation per entry. Past a budget, each tensor is
checked

* **individually** on a sample of its entries, drawn with the printed seed: its :data:`LARGEST`
  largest entries (by the code's own gradient) and a uniform draw of the rest, in proportion to the
  tensor's share of the parameters (at least :data:`MIN_SAMPLE`): :func:`choose_entries`;
* **jointly**, every entry at once, along random directions ``u`` with independent ``N(0, 1)``
  components (:func:`draw_directions`): ``g·u`` of the code against the numeric derivative along ``u``.

What the directions guarantee. One entry ``i`` wrong by ``Δ`` moves ``g·u`` by ``Δ u_i``; a direction
with allowance ``A`` (the acceptance rule applied to ``g·u``, :mod:`verification.compare.rule`) misses
it when ``|Δ u_i| ≤ A``, with probability ``erf(A / (Δ √2))`` since ``u_i ~ N(0, 1)``. Over independent
directions and probes the miss probability is the product, :func:`miss_probability`;
:func:`detectable` inverts it: the smallest relative error ``δ = Δ / s`` of an entry of size ``s`` that
the directions catch with probability at least ``1 −`` :data:`MISS_PROBABILITY`.

This is the idea of JAX's ``check_grads`` and torch's ``fast_mode`` with the dilution they leave
unstated (pytorch/pytorch#57166) made explicit and bounded. Used by the network check
(:mod:`verification.identification.coverage`) and the check of layer units (:mod:`verification.units`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

ENTRY_BUDGET = 2048
"""Entries per probe, over all tensors, checked individually before entries are sampled."""
LARGEST = 8
"""The largest entries of each sampled tensor are always among those checked."""
MIN_SAMPLE = 64
"""Fewest entries of a sampled tensor checked individually (all of them if it has fewer)."""
DIRECTIONS = 8
"""Random directions per tensor per probe."""
MISS_PROBABILITY = 1e-3
"""The miss probability at which :func:`detectable` states the smallest error the directions catch."""


def choose_entries(
    analytic: Mapping[str, Array],
    rng: np.random.Generator,
    *,
    budget: int = ENTRY_BUDGET,
    full: bool = False,
    minimum: int = MIN_SAMPLE,
    largest: int = LARGEST,
) -> dict[str, Array]:
    """Flat indices of the entries checked individually, per tensor (sorted).

    Parameters
    ----------
    analytic : mapping of str to ndarray
        The code's gradient at the probe (its largest entries are always chosen).
    rng : numpy.random.Generator
        Draws the sample (the check's printed seed).
    budget : int
        Entries over all tensors checked individually before sampling.
    full : bool
        Every entry.
    minimum : int
        Fewest entries of a sampled tensor (:data:`MIN_SAMPLE` for a network's tensors).
    largest : int
        How many of the largest entries are always chosen (:data:`LARGEST`).
    """
    sizes = {n: int(np.size(g)) for n, g in analytic.items()}
    total = sum(sizes.values())
    if full or total <= budget:
        return {n: np.arange(s) for n, s in sizes.items()}
    out = {}
    for n, g in analytic.items():
        size = sizes[n]
        quota = min(size, max(minimum, round(budget * size / total)))
        if quota >= size:
            out[n] = np.arange(size)
            continue
        flat = np.abs(np.ravel(g))
        top = np.argsort(flat)[::-1][: min(largest, quota)]
        others = np.ones(size, dtype=bool)
        others[top] = False
        rest = np.flatnonzero(others)  # what np.setdiff1d(np.arange(size), top) gives, without its sort
        drawn = rng.choice(rest, size=quota - len(top), replace=False)
        out[n] = np.sort(np.concatenate([top, drawn]))
    return out


def draw_directions(
    analytic: Mapping[str, Array], rng: np.random.Generator, count: int = DIRECTIONS
) -> dict[str, Array]:
    """``count`` directions per tensor, shape ``(count, size)``, independent ``N(0, 1)`` components."""
    return {n: rng.standard_normal((count, int(np.size(g)))) for n, g in analytic.items()}


def miss_probability(allowances: Sequence[Array], errors: Sequence[float]) -> float:
    """Probability that random directions miss one wrong entry.

    Parameters
    ----------
    allowances : sequence of ndarray
        Per probe, the allowance ``A`` of each direction (absolute, in units of ``g·u``).
    errors : sequence of float
        Per probe, the entry's absolute error ``Δ``.

    Returns
    -------
    float
        ``Π_probes Π_directions erf(A / (Δ √2))`` (1 when ``Δ = 0``): ``P(|Z| ≤ z) = erf(z / √2)`` for a
        standard normal ``Z`` (Abramowitz & Stegun 1964, 7.1.1 and 26.2.2), with ``z = A / Δ``, and
        independent directions multiply.
    """
    p = 1.0
    for allowance, delta in zip(allowances, errors, strict=True):
        if delta <= 0:
            return 1.0
        for a in np.ravel(allowance):
            p *= math.erf(float(a) / (delta * math.sqrt(2.0)))
    return p


def detectable(
    allowances: Sequence[Array], sizes: Sequence[float], probability: float = MISS_PROBABILITY
) -> float:
    """The smallest relative error ``δ`` of an entry of size ``s`` (per probe) that the directions miss
    with probability at most ``probability``: the root of ``miss_probability(A, δ s) = probability``,
    by bisection on ``log δ``.

    Returns
    -------
    float
        ``δ`` (inf when the entry size is zero at every probe).
    """
    if not any(s > 0 for s in sizes):
        return math.inf
    low, high = 1e-20, 1e20
    if miss_probability(allowances, [high * s for s in sizes]) > probability:
        return math.inf
    for _ in range(200):
        mid = math.sqrt(low * high)
        if miss_probability(allowances, [mid * s for s in sizes]) > probability:
            low = mid
        else:
            high = mid
        if high / low < 1.001:
            break
    return high
