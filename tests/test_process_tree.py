"""No process the checked code starts outlives the run, whichever way the run ends.

Each job here starts two processes before it ends its own way: a ``sleep`` in the child's process
group (``subprocess.Popen``), and a daemon that left the group (a double fork with ``setsid``, as
daemons start). Their pids are written to a file; after the run, the test looks for each of them in
``/proc``. A process counts as surviving when ``/proc/PID`` exists, is not a zombie, and runs the
``sleep`` with this test's own mark in its arguments (so a reused pid is not mistaken for it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from verification.runs.exits import InternalError, Refusal
from verification.runs.limits import Limits
from verification.runs.supervisor import JobResult, run_job
from verification.runs.tree import ProcessTree

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")

START = """
import os
import subprocess
import time


def start(pids, mark):
    \"\"\"A sleep in this process's group, and a daemon that left it; both pids appended to `pids`.\"\"\"
    proc = subprocess.Popen(["sleep", mark])
    with open(pids, "a") as f:
        f.write(f"{proc.pid}\\n")
    first = os.fork()
    if first == 0:
        os.setsid()
        if os.fork() == 0:
            with open(pids, "a") as f:
                f.write(f"{os.getpid()}\\n")
            os.execvp("sleep", ["sleep", mark])
        os._exit(0)
    os.waitpid(first, 0)
    while len(open(pids).read().split()) < 2:  # the daemon has written its pid
        time.sleep(0.01)
"""

JOBS = (
    START
    + """

def result(pids, mark):
    start(pids, mark)
    return {"text": "done", "json": {}, "status": 0}


def refusal(pids, mark):
    from ffnn.validation import InputError

    start(pids, mark)
    raise InputError("no network here")


def internal(pids, mark):
    start(pids, mark)
    return {}["missing"]


def hang(pids, mark):
    start(pids, mark)
    time.sleep(120)


def grow(pids, mark):
    start(pids, mark)
    keep = []
    while True:
        keep.append(bytearray(2**20))


def crash(pids, mark):
    start(pids, mark)
    os.kill(os.getpid(), 9)


def exits(pids, mark):
    start(pids, mark)
    os._exit(3)


def reparented(pids, mark):
    # start the two processes, then note whose child the daemon is now (its first parent exited)
    start(pids, mark)
    daemon = int(open(pids).read().split()[1])
    stat = open(f"/proc/{daemon}/stat", "rb").read()
    with open(pids, "a") as f:
        f.write(stat[stat.rfind(b")") + 2 :].split()[1].decode() + "\\n")
    return {"text": "", "json": {}, "status": 0}
"""
)


@pytest.fixture
def jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "tree_jobs_module.py").write_text(textwrap.dedent(JOBS), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return "tree_jobs_module"


def mark() -> str:
    """A ``sleep`` argument no other process has: 1000 s and a fraction drawn for this test."""
    return f"1000.{uuid.uuid4().int % 10**9:09d}"


def surviving(pids_file: Path, mark: str) -> list[int]:
    """The pids of the file whose process still runs this test's sleep (see the module docstring)."""
    pids = [int(p) for p in pids_file.read_text().split()]
    assert len(pids) == 2, f"the job started {len(pids)} of its 2 processes"
    alive = []
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_bytes()
        except OSError:
            continue
        if mark.encode() in argv and stat[stat.rfind(b")") + 2 :].split()[0] != b"Z":
            alive.append(pid)
    return alive


@pytest.mark.parametrize(
    ("job", "limits", "ends"),
    [
        ("result", Limits(timeout=60), None),
        ("refusal", Limits(timeout=60), "no network here"),
        ("internal", Limits(timeout=60), "KeyError: 'missing'"),
        ("hang", Limits(timeout=3), "ran longer than the limit of 3 s"),
        ("grow", Limits(timeout=60, max_memory=64 * 2**20), "ran out of memory at the limit of 64 MiB"),
        ("crash", Limits(timeout=60), "the process was killed by SIGKILL"),
        ("exits", Limits(timeout=60), "called os._exit(3)"),
    ],
)
def test_no_process_the_job_started_survives_the_run(
    jobs: str, tmp_path: Path, job: str, limits: Limits, ends: str | None
) -> None:
    pids, sleep = tmp_path / "pids", mark()
    kwargs = {"pids": str(pids), "mark": sleep}
    if ends is None:
        assert run_job(f"{jobs}:{job}", kwargs, limits, label=job) == JobResult("done", {}, 0)
    else:
        with pytest.raises((Refusal, InternalError)) as info:
            run_job(f"{jobs}:{job}", kwargs, limits, label=job)
        assert ends in str(info.value)
    assert surviving(pids, sleep) == []


def test_the_parent_is_a_subreaper_only_while_a_child_runs(jobs: str, tmp_path: Path) -> None:
    """While the job runs, the daemon it starts is reparented to this process (not to init), which
    is what lets the run find it; after the run this process is no subreaper any more."""
    from verification.runs import tree

    pids = tmp_path / "pids"
    assert not tree._is_subreaper()
    run_job(f"{jobs}:reparented", {"pids": str(pids), "mark": mark()}, Limits(), label="r")
    assert int(pids.read_text().split()[-1]) == os.getpid(), "the daemon's parent during the run"
    assert not tree._is_subreaper()


def test_strays_are_only_processes_of_the_run() -> None:
    """A child this process had before the run is not the run's to kill."""
    own = subprocess.Popen(["sleep", mark()])
    try:
        tree = ProcessTree()
        assert own.pid not in tree.strays(leader=-1)
        tree.close()
    finally:
        own.kill()
        own.wait()


NET = (
    START
    + """

import numpy as np


class Net:
    def __init__(self):
        self.W = np.ones((3, 2)) / 3

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-(x @ self.W)))
        return self.out

    def backward(self, x, y):
        if not os.path.exists(PIDS):
            start(PIDS, MARK)
        WAIT
        return {"W": x.T @ (self.out - y)}
"""
)


def network(tmp_path: Path, sleep: str, wait: str = "pass") -> tuple[Path, Path]:
    pids = tmp_path / "pids"
    text = NET.replace("PIDS", repr(str(pids))).replace("MARK", repr(sleep)).replace("WAIT", wait)
    path = tmp_path / "net.py"
    path.write_text(text, encoding="utf-8")
    return path, pids


def test_a_check_that_succeeds_leaves_no_process_behind(tmp_path: Path) -> None:
    sleep = mark()
    path, pids = network(tmp_path, sleep)
    done = subprocess.run(
        [sys.executable, "-m", "verification", "check", f"{path}:Net"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n\n")[-1].startswith("Net.backward is the gradient of bce")  # the verdict
    assert surviving(pids, sleep) == []


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, -signal.SIGTERM)])
def test_ctrl_c_or_sigterm_leaves_no_process_behind(tmp_path: Path, signum: int, status: int) -> None:
    sleep = mark()
    path, pids = network(tmp_path, sleep, wait="time.sleep(60)")
    proc = subprocess.Popen(
        [sys.executable, "-m", "verification", "check", f"{path}:Net", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell running this suite in the background ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (pids.exists() and len(pids.read_text().split()) == 2):
        time.sleep(0.05)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)  # the check sleeps 60 s: it was stopped, not waited for
    assert (proc.returncode, out) == (status, ""), err
    assert "Traceback" not in err
    assert surviving(pids, sleep) == []
