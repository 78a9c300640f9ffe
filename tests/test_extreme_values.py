"""Extreme values are refused with the reason, not answered with confident nonsense: a learning rate so
small that the update sinks below the rounding of the weights (every loss once "matched up to scale" at
relative error 1.0, and at 1e-300 the report held NaN), and complex outputs or weights (once tens of
thousands of warnings, and a verdict). Each run ends with status 2 and exactly one line on stderr:
no warning of ours reaches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import STEP  # the one-step class the hostile cases run too

from verification.cli import main

RETURNED = """\
import numpy as np


class Net:
    def __init__(self):
        self.W = np.ones((3, 2)) / 3 WEIGHTS

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-(x @ self.W)))
        return self.out OUTPUT

    def backward(self, x, y):
        return {"W": x.T @ (self.out - y)}
"""


def only_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), (status, out, err)
    assert len(err.splitlines()) == 1, err
    return err.rstrip("\n")


@pytest.mark.parametrize(
    ("lr", "moved"),
    [("1e-13", "5.1e-14"), ("1e-16", "3.1e-17"), ("1e-20", "0"), ("1e-300", "0")],
)
def test_an_update_below_rounding_is_refused_naming_the_learning_rate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lr: str, moved: str
) -> None:
    path = tmp_path / "net.py"
    path.write_text(STEP, encoding="utf-8")
    setup = f"n = Net({lr})"
    line = only_line(
        capsys,
        "check",
        str(path),
        "--setup",
        setup,
        "--forward",
        "n.forward(x)",
        "--step",
        "n.train(x, y)",
        "--lr",
        "n.lr",
    )
    import re

    number = r"\d(?:\.\d)?e-\d\d" if moved != "0" else "0"  # where the drawn weights put it; 0 when none
    assert re.fullmatch(
        "backprop-verify: error: the explicit form did not run: --step 'n.train\\(x, y\\)' changes the "
        rf"weights by {number} in all, against \d\.\de-\d\d of rounding in them: a gradient cannot be "
        rf"recovered from an update that small \(learning rate --lr 'n.lr' = {re.escape(f'{float(lr):g}')}\)",
        line,
    ), line


def test_a_learning_rate_just_above_it_is_still_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "net.py"
    path.write_text(STEP, encoding="utf-8")
    status = main(
        [
            "check",
            str(path),
            "--setup",
            "n = Net(1e-12)",
            "--forward",
            "n.forward(x)",
            "--step",
            "n.train(x, y)",
            "--lr",
            "n.lr",
        ]
    )
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out.split("\n\n")[-1].startswith("n.train is the gradient of bce")  # the verdict, wrapped


@pytest.mark.parametrize(
    ("weights", "output", "message"),
    [
        (
            "",
            "+ 0j",
            "complex output (dtype complex128) from --forward 'net.forward(x)' at real weights: "
            "a network with real weights has a real output, whose imaginary part would be dropped",
        ),
        (
            "+ 0j",
            "",
            "the weights W are complex (dtype complex128): the checker compares the gradient of a real loss "
            "in real weights; make them real",
        ),
    ],
    ids=["complex-output", "complex-weights"],
)
def test_complex_outputs_and_weights_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, weights: str, output: str, message: str
) -> None:
    path = tmp_path / "net.py"
    path.write_text(RETURNED.replace("WEIGHTS", weights).replace("OUTPUT", output), encoding="utf-8")
    line = only_line(capsys, "check", f"{path}:Net")
    assert line.startswith(f"backprop-verify: error: could not check Net automatically: {message} (hint: ")


def test_an_output_complex_only_at_some_inputs_is_refused_when_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Real at the inputs detection tries, complex at a probe: refused there, not cast to its real part
    with a ComplexWarning per evaluation."""
    source = RETURNED.replace("WEIGHTS", "").replace(
        "return self.out OUTPUT", "return self.out + 0j if x[0, 0] < -0.5 else self.out"
    )
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    line = only_line(capsys, "check", f"{path}:Net", "--probes", "10")
    assert (
        "complex output (dtype complex128) from --forward 'net.forward(x)' at real weights: a network with "
        "real weights has a real output, whose imaginary part would be dropped"
    ) in line, line
