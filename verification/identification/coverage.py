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
from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

from verification.compare.sampling import (
    DIRECTIONS,
    ENTRY_BUDGET,
    LARGEST,
    MIN_SAMPLE,
    MISS_PROBABILITY,
    choose_entries,
    detectable,
    draw_directions,
    miss_probability,
)

__all__ = [
    "DIRECTIONS",
    "ENTRY_BUDGET",
    "LARGEST",
    "MIN_SAMPLE",
    "MISS_PROBABILITY",
    "TensorCoverage",
    "choose_entries",
    "detectable",
    "draw_directions",
    "miss_probability",
]

Array = NDArray[Any]


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
