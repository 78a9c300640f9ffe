"""Bad input that once ended as an internal error (status 3, a traceback with ``--debug``): each is now
a refusal, status 2, with exactly one line on stderr naming what is wrong, and with ``--json`` the
same refusal as one strict JSON object on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from verification.adapters.failures import Failed, most_telling
from verification.adapters.forward_returns import output_of
from verification.adapters.recipe import Recipe
from verification.cli import main

NET = """\
import numpy as np


class Net:
    def __init__(self):
        self.W = np.ones((3, 2)) / 3

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-(x @ self.W)))
        return self.out

    def backward(self, x, y):
        return {"W": x.T @ (self.out - y)}
"""


def refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command line; assert status 2, nothing on stdout, exactly one line on stderr; return it."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), (status, out, err)
    assert len(err.splitlines()) == 1 and err.startswith("backprop-verify: error: "), err
    return err.rstrip("\n")


def json_refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    """The same with ``--json``: the refusal object on stdout, parsed strictly."""
    status = main([*argv, "--json"])
    out, _ = capsys.readouterr()
    assert status == 2, out
    return json.loads(out, parse_constant=lambda token: pytest.fail(f"non-strict JSON token {token}"))


@pytest.fixture
def net(tmp_path: Path) -> Path:
    path = tmp_path / "net.py"
    path.write_text(NET, encoding="utf-8")
    return path


def test_a_loop_of_symbolic_links_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    line = refusal(capsys, "check", str(tmp_path / "a.py"))
    assert (
        line == f"backprop-verify: error: cannot read {tmp_path / 'a.py'}: Too many levels of symbolic links"
    )
    assert json_refusal(capsys, "check", f"{tmp_path / 'a.py'}:Net")["cause"] == "input"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("SIZES", "[30, 5, 3] (a list)"), ("RATE", "0.1 (a float)"), ("NAME", "'net' (a string)")],
)
def test_a_name_that_holds_no_code_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, shown: str
) -> None:
    path = tmp_path / "values.py"
    path.write_text("SIZES = [30, 5, 3]\nRATE = 0.1\nNAME = 'net'\n", encoding="utf-8")
    assert refusal(capsys, "check", f"{path}:{name}") == (
        f"backprop-verify: error: {shown} is not code to check: "
        "name a class, a method (Class.method), a function or an instance"
    )


def test_a_forward_that_returns_a_ragged_list_is_a_failure_of_the_forward_not_an_internal_error() -> None:
    """``forward`` returning ``[hidden, output]`` of two widths is no array of numbers; numpy's own
    complaint (an inhomogeneous shape) was an internal error."""
    recipe = Recipe(setup="", forward="forward(x)")
    with pytest.raises(Failed) as caught:
        output_of([[0.5, 0.25, 0.125], [0.75]], recipe, 1)
    assert caught.value.kind == "forward"
    assert str(caught.value).startswith("--forward 'forward(x)' gives list that is no array of numbers (")


def test_a_step_that_deletes_a_weight_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str], net: Path
) -> None:
    line = refusal(
        capsys, "check", str(net), "--setup", "nn = Net()", "--forward", "nn.forward(x)", "--step", "del nn.W"
    )
    assert line == (
        "backprop-verify: error: the explicit form did not run: "
        "the code under check removed the parameter W: nn.W is no longer there"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["converge", "--first-seed", "9" * 4300],
            "argument --first-seed: invalid seed of 4,300 digits: "
            "seeds are at most 2^64 − 1 = 18446744073709551615",
        ),
        (
            ["converge", "--first-seed", str(2**64)],
            "argument --first-seed: invalid seed 18446744073709551616: seeds are at most 2^64 − 1 = "
            "18446744073709551615",
        ),
        (
            ["converge", "--seeds", "9" * 5000],
            "argument --seeds: must be from 1 to 100000, got a number of 5,000 digits",
        ),
        (
            ["check", "x.py", "--max-memory", "8388608T"],
            "argument --max-memory: must be at most 1 PiB (1024T), got '8388608T'",
        ),
        (
            ["check", "x.py", "--max-memory", "9" * 400],
            "argument --max-memory: must be at most 1 PiB (1024T), got a number of 400 characters",
        ),
        (
            ["zoo", "--seed", "1" + "0" * 20],
            f"argument --seed: invalid seed {10**20}: seeds are at most 2^64 − 1 = 18446744073709551615",
        ),
    ],
    ids=[
        "seed-4300-digits",
        "seed-2^64",
        "seeds-5000-digits",
        "memory-8388608T",
        "memory-400-digits",
        "zoo-seed",
    ],
)
def test_numbers_too_large_to_mean_anything_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    line = refusal(capsys, *argv)
    assert line.startswith(f"backprop-verify: error: {message} (hint: see 'backprop-verify "), line


@pytest.mark.parametrize("command", [["check", "NET:Net"], ["zoo", "--networks", "1"]], ids=["check", "zoo"])
def test_a_closed_stderr_loses_nothing_of_the_report(net: Path, command: list[str]) -> None:
    """With descriptor 2 closed (``2>&-``) the report still reaches stdout and the status is the
    result's; only the lines meant for stderr have nowhere to go."""
    argv = [
        sys.executable,
        "-m",
        "verification",
        *(str(net) + ":Net" if a == "NET:Net" else a for a in command),
    ]
    done = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    last = done.stdout.rstrip("\n").split("\n\n")[-1]  # the last paragraph: the verdict, however wrapped
    expected = "Net.backward is the gradient of bce" if command[0] == "check" else "Detected "
    assert last.startswith(expected), done.stdout


# a setup that calls the author's data loader from a module that is not there fails by import; a setup
# without it runs the code, which fails of its own (a batch where it takes one sample): that failure is
# the cause named, not the module. With no candidate past the import, the module is named.
def test_a_missing_module_is_not_the_cause_named_when_a_candidate_ran_past_it() -> None:
    failures = [
        Failed("the code under check uses 'data_of_the_author.load_digits', whose import failed", "import"),
        Failed("--forward 'forward(x, W)' raised ValueError: matmul", "forward"),
    ]
    assert "whose import failed" in str(most_telling(failures))
    ran = Failed("--gradient 'backward(x, y, a, W)' raised ValueError: truth value", "code")
    assert "truth value" in str(most_telling([*failures, ran]))
