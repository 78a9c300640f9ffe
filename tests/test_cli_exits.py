"""Exit statuses that never lie: the table of docs/cli.md, refusals as one line (and as JSON with
``--json``), internal errors as status 3 without a traceback unless ``--debug``, and the manners of a
Unix command with its standard output (a closed pipe, a full disk, a closed descriptor)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import verification.cli
import verification.question
from verification.cli import main
from verification.runs.exits import EXIT_STATUSES, InternalError

ROOT = Path(__file__).resolve().parent.parent
CHAIN = f"{ROOT / 'examples' / 'question_chain.py'}:NeuralNetwork"
FUNCTION = f"{ROOT / 'examples' / 'weights_as_functions.py'}:backward"
COMMAND = [sys.executable, "-m", "verification"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_exit_status_table_of_the_docs_is_the_code_s() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = doc.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    documented = {int(m[1]) for m in re.finditer(r"^\| (\d+) \|", section, flags=re.MULTILINE)}
    assert documented == set(EXIT_STATUSES), (
        f"docs/cli.md lists exit statuses {sorted(documented)}, but the code uses {sorted(EXIT_STATUSES)}"
    )


@pytest.fixture
def broken_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(verification.question, "answer_question", boom)


@pytest.mark.usefixtures("broken_seed")
def test_an_internal_error_is_status_3_and_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "seed")
    assert status == 3 and out == ""
    assert err == (
        "backprop-verify: internal error: RuntimeError: boom second line; "
        "rerun with --debug for the traceback\n"
    )


@pytest.mark.usefixtures("broken_seed")
@pytest.mark.parametrize("argv", [["--debug", "seed"], ["seed", "--debug"], ["--debug"]])
def test_debug_shows_the_traceback_before_or_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, _, err = run(capsys, *argv)
    assert status == 3
    assert err.startswith("Traceback (most recent call last):") and "RuntimeError: boom" in err
    assert err.splitlines()[-1] == "backprop-verify: internal error: RuntimeError: boom second line"


@pytest.mark.usefixtures("broken_seed")
def test_an_internal_error_with_json_is_a_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--json")
    assert status == 3
    assert json.loads(out) == {
        "error": "RuntimeError: boom second line",
        "cause": "internal",
        "hint": "rerun with --debug for the traceback",
    }


def test_an_internal_error_in_the_child_is_status_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def raises(*args: object, **kwargs: object) -> None:
        raise InternalError("KeyError: 'x'", "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n")

    monkeypatch.setattr(verification.cli, "run_job", raises)
    status, _, err = run(capsys, "check", CHAIN)
    assert status == 3 and err.count("\n") == 1 and "internal error: KeyError: 'x'; rerun with --debug" in err
    status, _, err = run(capsys, "check", CHAIN, "--debug")
    assert status == 3 and "Traceback" in err


def test_a_refusal_with_json_is_a_json_object_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "no/such/file.py:Net", "--json")
    assert status == 2 and err == "backprop-verify: error: file not found: no/such/file.py\n"
    assert json.loads(out) == {"error": "file not found: no/such/file.py", "cause": "input", "hint": None}
    status, out, _ = run(capsys, "check", CHAIN, "--probes", "1", "--json")
    assert status == 2
    assert json.loads(out) == {
        "error": "argument --probes: must be from 2 to 50, got 1",
        "cause": "usage",
        "hint": "see 'backprop-verify check --help'",
    }


def test_code_that_raises_is_code_failed_in_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(
        "import numpy as np\n\nclass Net:\n    def __init__(self):\n        raise RuntimeError('no')\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "check", f"{path}:Net", "--json")
    assert status == 2 and json.loads(out)["cause"] == "code-failed"


STRINGS = """\
import numpy as np


class Net:
    def __init__(self):
        self.W = np.ones((3, 2))

    def forward(self, x):
        return np.array([["a", "b"]] * len(x))

    def backward(self, x, y):
        return {"W": x.T @ y}
"""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", CHAIN, "--probes", str(10**20)], "argument --probes: must be from 2 to 50"),
        (["check", CHAIN, "--setup", "net = ("], "--setup 'net = (' is not valid Python"),
        (["check", CHAIN, "--layout", "__class__"], "argument --layout: invalid choice: '__class__'"),
        (["check", "STRINGS", "--timeout", "60"], "the output of --forward 'net.forward(x)' is not numeric"),
        (["zoo", "--networks", "1000000000000"], "argument --networks: must be from 0 to 10000"),
        (["check", CHAIN, "--timeout", "nan"], "argument --timeout: must be a number of seconds > 0"),
        (["check", CHAIN, "--max-memory", "lots"], "argument --max-memory: expected a size such as 4G"),
    ],
    ids=[
        "probes-1e20",
        "setup-syntax",
        "layout-dunder",
        "forward-strings",
        "networks-1e12",
        "timeout-nan",
        "memory-word",
    ],
)
def test_bad_input_is_status_2_and_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    if "STRINGS" in argv:
        (tmp_path / "strings.py").write_text(STRINGS, encoding="utf-8")
        argv = [a.replace("STRINGS", f"{tmp_path / 'strings.py'}:Net") for a in argv]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == "" and err.count("\n") == 1, (status, out, err)
    assert err.startswith("backprop-verify: error: ") and message in err, err


def test_a_negative_shape_read_from_the_script_is_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "net.py"
    path.write_text(
        "import numpy as np\nW1 = np.random.randn(-30, 5)\nW2 = np.random.randn(5, 3)\n\n"
        "def forward(x, W1, W2):\n    return x @ W1 @ W2\n\ndef backward(x, y, W1, W2):\n    return x, y\n",
        encoding="utf-8",
    )
    status, _, err = run(capsys, "check", f"{path}:backward")
    assert status == 2 and "raised ValueError: negative dimensions are not allowed in --setup" in err, err


def test_a_closed_pipe_on_stdout_ends_quietly_with_141() -> None:
    proc = subprocess.Popen([*COMMAND, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the report is written, as with `| head -c 100`
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141 and err == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_write_error_on_stdout_is_one_line_and_status_74() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(COMMAND, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 74
    assert proc.stderr == "backprop-verify: error: cannot write to standard output: No space left on device\n"


def test_a_closed_stdout_is_an_error_not_a_silent_success() -> None:
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *COMMAND, "check", CHAIN],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert proc.returncode == 74
    assert proc.stderr.startswith("backprop-verify: error: standard output is closed")
    assert proc.stderr.count("\n") == 1
