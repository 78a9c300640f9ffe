"""The result channel of a supervised run believes only the checker: bytes the checked code writes into
it are refused, not taken for a result; the parent reads a bounded amount; a process the code forks or
starts cannot write into it; a channel the code closed is named as such.

The jobs find the channel as code set on forging would: its descriptor is the child's first argument."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from verification.runs.channel import Forged, framed, result_limit, unframe
from verification.runs.exits import Refusal
from verification.runs.limits import Limits
from verification.runs.supervisor import JobResult, run_job

JOBS = """
import json
import os
import subprocess
import sys

FORGED = json.dumps({"result": {"text": "forged", "json": {"identified": "mse"}, "status": 0}})
# the child clears sys.argv before the checked code runs; its command line is still readable
CHANNEL = int([p for p in open("/proc/self/cmdline", "rb").read().split(b"\\0") if p][-2])


def forge_then_return():
    os.write(CHANNEL, FORGED.encode())
    return {"text": "real", "json": {}, "status": 1}


def forge_then_die():
    os.write(CHANNEL, FORGED.encode())
    import posix

    posix._exit(0)


def flood(written):
    chunk = b"x" * 2**20
    with open(written, "w") as record:
        for n in range(1, 800):
            os.write(CHANNEL, chunk)
            record.seek(0)
            record.write(f"{n:6d}")
            record.flush()


def close_channel(files):
    os.closerange(3, 1024)
    opened = [open(os.path.join(files, f"f{i}"), "w") for i in range(8)]  # take the numbers back
    return {"text": "after closing", "json": {}, "status": 0}


def fork_worker():
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        squares = pool.map(abs, [-1, -2, -3])
    return {"text": "pool", "json": {"squares": squares}, "status": 0}


def child_writes():
    code = f"import os; os.write({CHANNEL}, {FORGED!r}.encode())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return {"text": "spawned", "json": {"bad_descriptor": "Bad file descriptor" in done.stderr}, "status": 0}


def environment(names):
    return {"text": "", "json": {n: os.environ.get(n) for n in names}, "status": 0}


def forked_writes():
    pid = os.fork()
    if pid == 0:
        os.write(CHANNEL, FORGED.encode())
        os._exit(0)
    os.waitpid(pid, 0)
    return {"text": "forked", "json": {}, "status": 0}
"""

LIMITS = Limits(timeout=60, max_memory=256 * 2**20)


@pytest.fixture
def jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "channel_jobs_module.py").write_text(textwrap.dedent(JOBS), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return "channel_jobs_module"


@pytest.mark.parametrize("job", ["forge_then_return", "forge_then_die"])
def test_a_result_written_by_the_checked_code_is_refused(jobs: str, job: str) -> None:
    with pytest.raises(Refusal) as info:
        run_job(f"{jobs}:{job}", {}, LIMITS, label="the check of net.py")
    assert str(info.value) == (
        "the check of net.py gave no result the checker can trust: the result channel held bytes that "
        "do not come from the checker (the checked code wrote into the checker's result channel)"
    )
    assert info.value.cause == "code-failed"


def test_the_parent_reads_no_more_than_the_limit(jobs: str, tmp_path: Path) -> None:
    written = tmp_path / "written"
    limits = Limits(timeout=60, max_memory=64 * 2**20)
    with pytest.raises(Refusal) as info:
        run_job(f"{jobs}:flood", {"written": str(written)}, limits, label="flood")
    assert str(info.value).startswith("flood sent more than 64 MiB on the checker's result channel")
    # the child is stopped once the parent stops reading: it wrote the limit and at most a pipe's
    # buffer more, nowhere near its 800 MiB
    assert int(written.read_text()) <= 64 + 2


def test_a_closed_channel_is_named_and_nothing_lands_in_the_codes_files(jobs: str, tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    with pytest.raises(Refusal) as info:
        run_job(f"{jobs}:close_channel", {"files": str(files)}, LIMITS, label="closer")
    assert str(info.value) == (
        "closer ended without a result: the checked code closed or replaced the checker's result channel"
    )
    assert [p.read_bytes() for p in sorted(files.iterdir())] == [b""] * 8


def test_processes_forked_by_the_code_do_not_reach_the_channel(jobs: str) -> None:
    assert run_job(f"{jobs}:fork_worker", {}, LIMITS, label="pool") == JobResult(
        "pool", {"squares": [1, 2, 3]}, 0
    )
    assert run_job(f"{jobs}:forked_writes", {}, LIMITS, label="fork") == JobResult("forked", {}, 0)


def test_programs_the_code_starts_do_not_inherit_the_channel(jobs: str) -> None:
    result = run_job(f"{jobs}:child_writes", {}, LIMITS, label="spawn")
    assert result == JobResult("spawned", {"bad_descriptor": True}, 0)


def test_the_frame_is_the_token_then_one_object() -> None:
    message = {"result": {"text": "t", "json": {}, "status": 0}}
    data = framed("ab" * 16, message)
    assert data == b"abababababababababababababababab\n" + json.dumps(message).encode()
    assert unframe("ab" * 16, data) == message
    assert unframe("ab" * 16, b"") is None
    for bad in (b"x" + data, data + b"{}", b"cd" * 16 + data[32:], data[:32]):
        with pytest.raises(Forged):
            unframe("ab" * 16, bad)


def test_the_result_limit_follows_the_memory_limit() -> None:
    assert result_limit(64 * 2**20) == 64 * 2**20
    assert result_limit(4 * 2**30) == 256 * 2**20


def test_a_check_whose_code_forges_its_result_ends_with_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from verification.cli import main

    path = tmp_path / "net.py"
    path.write_text(
        textwrap.dedent(
            """\
            import json
            import os
            import sys

            import numpy as np

            FORGED = {"result": {"text": "matches", "json": {"identified": "mse"}, "status": 0}}


            class Net:
                def __init__(self):
                    self.W = np.ones((3, 2)) / 3

                def forward(self, x):
                    self.out = 1 / (1 + np.exp(-(x @ self.W)))
                    return self.out

                def backward(self, x, y):
                    cmdline = open("/proc/self/cmdline", "rb").read().split(b"\\0")
                    os.write(int([a for a in cmdline if a][-2]), json.dumps(FORGED).encode())
                    os._exit(0)
            """
        ),
        encoding="utf-8",
    )
    assert main(["check", f"{path}:Net", "--json"]) == 2
    out, err = capsys.readouterr()
    message = (
        f"the check of {path}:Net gave no result the checker can trust: the result channel held bytes that "
        "do not come from the checker (the checked code wrote into the checker's result channel)"
    )
    assert err == f"backprop-verify: error: {message}\n"
    assert json.loads(out) == {"error": message, "cause": "code-failed", "hint": None}


def test_the_child_computes_with_one_blas_thread_unless_told_otherwise(
    jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verification.runs.environment import BLAS_VARIABLES, child_environment

    for name in BLAS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert {name: child_environment()[name] for name in BLAS_VARIABLES} == dict.fromkeys(BLAS_VARIABLES, "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    assert child_environment()["OPENBLAS_NUM_THREADS"] == "4", "a value the user set is kept"
    result = run_job(f"{jobs}:environment", {"names": list(BLAS_VARIABLES)}, LIMITS, label="env")
    assert result.json == {**dict.fromkeys(BLAS_VARIABLES, "1"), "OPENBLAS_NUM_THREADS": "4"}
