"""The watch that tells a child spinning at its memory limit from one that works: a process that has
filled its address space up to its limit and goes on without ending is seen as stalled; a process
far from its limit, or with none, never is."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from verification.runs.memory_stall import MARGIN, StallWatch

FILL_AND_SPIN = """
import resource, sys
size = int(open('/proc/self/status').read().split('VmSize:')[1].split()[0]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + 64 * 2**20, resource.RLIM_INFINITY))
held = []
try:
    while True:
        held.append(bytearray(2**20))
except MemoryError:
    pass
sys.stdout.write('full\\n'); sys.stdout.flush()
while True:
    pass
"""

SPIN = "import sys\nsys.stdout.write('full\\n'); sys.stdout.flush()\nwhile True:\n    pass\n"


def watched(code: str, seconds: float, looks: float) -> bool:
    """Run ``code`` in a child, wait for its ``full`` line, then look at it for ``looks`` seconds."""
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as proc:
        return _look(proc, seconds, looks)


def _look(proc: subprocess.Popen[str], seconds: float, looks: float) -> bool:
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "full\n"
        watch = StallWatch(proc.pid, seconds=seconds)
        end = time.monotonic() + looks
        while time.monotonic() < end:
            if watch.stalled():
                return True
            time.sleep(0.05)
        return False
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watch reads /proc")
def test_a_process_spinning_at_its_memory_limit_is_stalled() -> None:
    assert watched(FILL_AND_SPIN, seconds=0.3, looks=3.0), (
        f"a child within {MARGIN} bytes of its limit for 0.3 s should be seen as stalled"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watch reads /proc")
def test_a_process_without_a_limit_is_never_stalled() -> None:
    assert not watched(SPIN, seconds=0.3, looks=1.0), "a child with no memory limit only works"
