"""The limits of a supervised run (:mod:`verification.runs.supervisor`): their defaults, and the sizes and
seconds of ``--max-memory`` and ``--timeout`` read and written."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

DEFAULT_TIMEOUT = 600.0
"""Seconds. Generous on purpose: a check of a small script takes about a second and the default zoo a
few, but a real network with ``--samples 1000`` on a slow machine may take minutes. The limit is there
to stop code that never ends, not to hurry code that is merely slow."""
DEFAULT_MAX_MEMORY = 4 * 2**30
"""Bytes (4 GiB) beyond the child's start-up. A check of the question's network grows by tens of MB;
4 GiB leaves room for real networks and batches while stopping runaway growth before it swaps a laptop
with 8 GB."""
MIN_MEMORY = 32 * 2**20
"""Below 32 MiB the checker itself cannot build its report."""
MAX_MEMORY = 2**50
"""1024 TiB: more than any machine's address space holds (x86-64 user space is 128 TiB); a larger
limit would not fit the kernel's own type for it (``rlim_t``, ``setrlimit(2)``)."""


@dataclass(frozen=True)
class Limits:
    """The bounds of a supervised run.

    Attributes
    ----------
    timeout : float
        Wall-clock seconds, from the start of the child to its result.
    max_memory : int
        Bytes of address space the child may add to what it holds after start-up.
    """

    timeout: float = DEFAULT_TIMEOUT
    max_memory: int = DEFAULT_MAX_MEMORY


def parse_size(text: str) -> int:
    """Bytes from a size such as ``4G``, ``512M``, ``300MiB`` or ``1000000`` (powers of 1024).

    Raises
    ------
    ValueError
        If ``text`` is not a positive number with an optional unit K, M, G or T, or is below
        :data:`MIN_MEMORY` or above :data:`MAX_MEMORY`; the message names the problem.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, flags=re.IGNORECASE)
    if match is None:
        shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
        raise ValueError(f"expected a size such as 4G or 512M, got {shown}")
    size = float(match[1]) * 1024 ** " KMGT".index(match[2].upper() or " ")
    shown = repr(text) if len(text) <= 40 else f"a number of {len(text):,} characters"
    if not size <= MAX_MEMORY:  # inf included
        raise ValueError(f"must be at most {format_size(MAX_MEMORY)} (1024T), got {shown}")
    if size < MIN_MEMORY:
        raise ValueError(f"must be at least {format_size(MIN_MEMORY)}, got {shown}")
    return int(size)


def parse_seconds(text: str) -> float:
    """Seconds from ``text``: a finite number > 0.

    Raises
    ------
    ValueError
        Otherwise, naming the value.
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a number of seconds > 0, got {text!r}")
    return value


def format_size(size: int) -> str:
    """``4 GiB``, ``300 MiB``, ``1.5 GiB``, ``1 PiB``."""
    for unit, power in (("PiB", 5), ("TiB", 4), ("GiB", 3), ("MiB", 2), ("KiB", 1)):
        if size >= 1024**power:
            return f"{size / 1024**power:.3g} {unit}"
    return f"{size} bytes"


def format_seconds(seconds: float) -> str:
    """``2 s``, ``0.5 s``, ``600 s``."""
    return f"{seconds:g} s"
