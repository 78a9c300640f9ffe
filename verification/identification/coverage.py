"""Coverage with a stated guarantee: which entries are checked one by one, and what the random
directions can still see.

Checking every entry of a 784-300-10 network costs one forward pass per entry per probe. Past a budget
of :data:`ENTRY_BUDGET` entries, each tensor is checked

* **individually** on a sample of its entries, drawn with the printed seed: its :data:`LARGEST`
  largest entries (by the code's own gradient) and a uniform draw of the rest, in proportion to the
  tensor's share of the parameters (at least :data:`MIN_SAMPLE`);
* **jointly**, every entry at once, along :data:`DIRECTIONS` random directions ``u`` with independent
  ``N(0, 1)`` components: ``g·u`` of the code against the numeric ``∂L/∂t`` of ``L(θ + t u)``.

What the directions guarantee. One entry ``i`` wrong by ``Δ`` moves ``g·u`` by ``Δ u_i``; a direction
with allowance ``A`` (the acceptance rule applied to ``g·u``, :mod:`verification.compare.rule`) misses
it when ``|Δ u_i| ≤ A``, with probability ``erf(A / (Δ √2))`` since ``u_i ~ N(0, 1)``. Over independent
directions and probes the miss probability is the product, :func:`miss_probability`. The report states
:func:`detectable`: the smallest relative error ``δ = Δ / s`` of an entry of root-mean-square size ``s``
that the directions catch with probability at least ``1 −`` :data:`MISS_PROBABILITY`. At rounding
accuracy (complex step) that is about ``10⁻⁸`` for a 784-128 weight matrix; with Richardson
differences about ``10⁻⁶``. ``--full`` checks every entry individually at the first probe.

This is the idea of JAX's ``check_grads`` and torch's ``fast_mode`` with the dilution they leave
unstated (pytorch/pytorch#57166) made explicit and bounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    analytic: Mapping[str, Array], rng: np.random.Generator, *, budget: int = ENTRY_BUDGET, full: bool = False
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
    """
    sizes = {n: int(np.size(g)) for n, g in analytic.items()}
    total = sum(sizes.values())
    if full or total <= budget:
        return {n: np.arange(s) for n, s in sizes.items()}
    out = {}
    for n, g in analytic.items():
        size = sizes[n]
        quota = min(size, max(MIN_SAMPLE, round(budget * size / total)))
        if quota >= size:
            out[n] = np.arange(size)
            continue
        flat = np.abs(np.ravel(g))
        largest = np.argsort(flat)[::-1][:LARGEST]
        rest = np.setdiff1d(np.arange(size), largest)
        drawn = rng.choice(rest, size=quota - len(largest), replace=False)
        out[n] = np.sort(np.concatenate([largest, drawn]))
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


@dataclass(frozen=True)
class TensorCoverage:
    """What was checked of one tensor over all probes.

    Attributes
    ----------
    name : str
    size : int
        Its number of entries.
    checked : list of int
        Entries checked individually at each probe.
    directions : int
        Random directions per probe.
    detectable : float
        :func:`detectable` for an entry of root-mean-square size at the probes (relative error).
    allowances : tuple of ndarray
        Per probe, the allowance of each direction (what :func:`miss_probability` needs).
    rms : tuple of float
        Per probe, the root-mean-square size of the code's gradient entries.
    """

    name: str
    size: int
    checked: list[int]
    directions: int
    detectable: float
    allowances: tuple[Array, ...] = ()
    rms: tuple[float, ...] = ()

    def miss(self, relative_error: float) -> float:
        """The stated probability that the directions miss one entry of root-mean-square size wrong by
        ``relative_error`` (the entries checked one by one aside): :func:`miss_probability`."""
        return miss_probability(list(self.allowances), [relative_error * s for s in self.rms])

    @property
    def every_entry(self) -> bool:
        """True when every entry was checked individually at some probe."""
        return max(self.checked, default=0) >= self.size

    def describe(self) -> str:
        """One line for the report."""
        if all(c >= self.size for c in self.checked):
            return f"{self.name}: all {self.size} entries at every probe"
        per = "/".join(str(c) for c in self.checked)
        guarantee = (
            f"one entry wrong by {self.detectable:.1e} × the root-mean-square entry or more is caught "
            f"with probability ≥ {1 - MISS_PROBABILITY:.1%}"
            if math.isfinite(self.detectable)
            else "no guarantee for single entries"
        )
        return (
            f"{self.name}: {per} of {self.size} entries one by one (the {LARGEST} largest and a draw), all "
            f"{self.size} jointly along {self.directions} random directions per probe; {guarantee}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "size": self.size,
            "checked": self.checked,
            "directions": self.directions,
            "every_entry": self.every_entry,
            "detectable_relative_error": self.detectable if math.isfinite(self.detectable) else None,
            "miss_probability": MISS_PROBABILITY,
        }
