"""A child that sits at its memory limit without ending.

Past its address-space limit an allocation raises :exc:`MemoryError`, and the check is refused as out
of memory. CPython does not always get that far: when it runs out of memory again while it raises and
matches that error (importing matplotlib under a limit of a few tens of MiB, in its style files), it
can spin in its exception handling, using a full core and allocating nothing, until the wall-clock
limit ends it minutes later as a timeout. :class:`StallWatch` tells that state from slow work: the
child's address space (``VmSize`` of ``/proc/PID/status``) within :data:`MARGIN` of its limit
(``Max address space`` of ``/proc/PID/limits``) at every look for :data:`STALL_SECONDS`. The
supervisor then ends the child and refuses as out of memory, naming the limit.

Linux only (``/proc``); elsewhere the watch never fires and the wall-clock limit applies. Sources:
``proc(5)`` (``status``, ``limits``), ``setrlimit(2)``.
"""

from __future__ import annotations

import time
from pathlib import Path

from verification.runs.exits import Refusal
from verification.runs.limits import format_size

MARGIN = 4 * 2**20
"""How close to the limit (bytes) counts as at it: less than one more allocation of the interpreter's
arenas (256 KiB) and a page table's worth, with room for the mappings the kernel rounds to pages."""
STALL_SECONDS = 15.0
"""How long a child must stay at its limit: far longer than the MemoryError of a failed allocation
takes to raise and be reported (milliseconds), far shorter than the default wall-clock limit."""


def _address_space(pid: int) -> tuple[int, int] | None:
    """``(size, limit)`` of the process's address space in bytes, or None (not Linux, no limit, gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        limits = Path(f"/proc/{pid}/limits").read_text(encoding="utf-8")
    except OSError:
        return None
    size = next(
        (int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmSize:")), None
    )
    line = next((line for line in limits.splitlines() if line.startswith("Max address space")), "")
    soft = line.split()[3] if len(line.split()) > 3 else "unlimited"
    if size is None or not soft.isdigit():
        return None
    return size, int(soft)


class StallWatch:
    """Whether a process has stayed at its address-space limit for :data:`STALL_SECONDS`.

    Parameters
    ----------
    pid : int
    seconds : float
        How long at the limit counts as a stall.
    """

    def __init__(self, pid: int, seconds: float = STALL_SECONDS) -> None:
        self.pid, self.seconds = pid, seconds
        self.since: float | None = None

    def stalled(self) -> bool:
        """Look once: True when the process has been within :data:`MARGIN` of its limit at every look
        for ``seconds``; a look away from the limit starts the count again."""
        found = _address_space(self.pid)
        now = time.monotonic()
        if found is None or found[1] - found[0] > MARGIN:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since >= self.seconds


def stalled_refusal(label: str, max_memory: int, where: str) -> Refusal:
    """The refusal of a check whose child stalled at its memory limit (cause ``memory``)."""
    return Refusal(
        f"{label} ran out of memory at the limit of {format_size(max_memory)} (--max-memory){where}: it "
        f"stayed at the limit for {STALL_SECONDS:.0f} s without ending",
        cause="memory",
        hint="raise --max-memory",
    )
