"""Bad input that once ended as an internal error (status 3, a traceback with ``--debug``): each is now
a refusal, status 2, with exactly one line on stderr naming what is wrong, and with ``--json`` the
same refusal as one strict JSON object on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
