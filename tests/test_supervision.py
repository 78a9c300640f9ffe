"""The supervised runner on its own: a generic job in, ``{text, json, status}`` or a refusal out."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.runs.exits import InternalError, Refusal
from verification.runs.limits import Limits, parse_seconds, parse_size
from verification.runs.supervisor import JobResult, dumped_frame, run_job

JOBS = """
import os
import sys


def echo(word, status=0):
    print("printed by the job")
    os.write(1, b"written to fd 1 by the job\\n")
    return {"text": f"said {word}", "json": {"word": word}, "status": status}


def broken():
    return {}["missing"]


def bad_result():
    return "not a dict"


def refuse():
    from ffnn.validation import InputError

    raise InputError("no such thing", hint="give another")


def exits():
    sys.exit(4)
"""


@pytest.fixture
def jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module of test jobs importable by the child (through PYTHONPATH, which the child inherits)."""
    (tmp_path / "test_jobs_module.py").write_text(textwrap.dedent(JOBS), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return "test_jobs_module"


LIMITS = Limits(timeout=30, max_memory=512 * 2**20)


def test_a_job_returns_text_json_and_status_and_its_output_goes_to_stderr(
    jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_job(f"{jobs}:echo", {"word": "hello", "status": 1}, LIMITS, label="echo")
    assert result == JobResult("said hello", {"word": "hello"}, 1)
    out, err = capsys.readouterr()
    assert out == "", "the child wrote on the parent's stdout"
    assert "printed by the job" in err and "written to fd 1 by the job" in err


def test_an_error_of_ours_in_the_child_is_internal_with_its_traceback(jobs: str) -> None:
    with pytest.raises(InternalError, match=r"^KeyError: 'missing'$") as info:
        run_job(f"{jobs}:broken", {}, LIMITS, label="broken")
    assert "Traceback" in info.value.detail and "test_jobs_module.py" in info.value.detail


def test_a_job_that_returns_something_else_is_internal(jobs: str) -> None:
    with pytest.raises(InternalError, match="a job must return"):
        run_job(f"{jobs}:bad_result", {}, LIMITS, label="bad")


def test_an_input_error_comes_back_as_a_refusal_with_its_hint(jobs: str) -> None:
    with pytest.raises(Refusal, match=r"^no such thing$") as info:
        run_job(f"{jobs}:refuse", {}, LIMITS, label="refuse")
    assert info.value.cause == "input" and info.value.hint == "give another"


def test_sys_exit_in_a_job_is_a_failure_never_a_success(jobs: str) -> None:
    with pytest.raises(Refusal, match=r"called sys.exit\(4\)") as info:
        run_job(f"{jobs}:exits", {}, LIMITS, label="exits")
    assert info.value.cause == "code-failed"


def test_a_job_that_cannot_be_imported_is_internal() -> None:
    with pytest.raises(InternalError, match="ModuleNotFoundError"):
        run_job("no_such_module_anywhere:job", {}, LIMITS, label="missing")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4G", 4 * 2**30),
        ("512M", 512 * 2**20),
        ("300MiB", 300 * 2**20),
        ("1.5g", 3 * 2**29),
        ("40000000", 40_000_000),
        ("2T", 2 * 2**40),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4X", "expected a size such as 4G"),
        ("-1G", "expected a size"),
        ("1M", "at least 32 MiB"),
        ("", "size"),
    ],
)
def test_bad_sizes(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_size(text)


@pytest.mark.parametrize("text", ["0", "-3", "nan", "inf", "soon"])
def test_bad_timeouts(text: str) -> None:
    with pytest.raises(ValueError, match="seconds"):
        parse_seconds(text)


def test_the_deepest_frame_of_the_script_is_read_from_a_faulthandler_dump(tmp_path: Path) -> None:
    script = tmp_path / "net.py"
    dump = f"""\
Thread 0x00007f0000000001 (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 320 in wait

Current thread 0x00007f0000000002 (most recent call first):
  File "/somewhere/numpy/core/fromnumeric.py", line 88 in _wrapreduction
  File "{script}", line 14 in sigmoid
  File "{script}", line 9 in forward
  File "/somewhere/verification/subjects/adapters.py", line 300 in _raw_forward
"""
    assert dumped_frame(dump, str(script)) == "sigmoid at net.py, line 14"
    assert dumped_frame(dump, str(tmp_path / "other.py")) is None
    assert dumped_frame(dump, None) is None


def test_a_result_that_is_not_json_is_an_internal_error_not_a_crash_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "unjsonable_jobs.py").write_text(
        'def job():\n    return {"text": "t", "json": {"x": object()}, "status": 0}\n', encoding="utf-8"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(InternalError, match=r"^TypeError: Object of type object is not JSON serializable$"):
        run_job("unjsonable_jobs:job", {}, LIMITS, label="unjsonable")
