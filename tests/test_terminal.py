"""The command line at a terminal: reports fitted to ``COLUMNS``, ``--quiet``, ``--version``, help that
fits, and a progress line that is cleared before anything else is written on its line.

The widths are those of :mod:`verification.terminal_width`: the reports must not exceed them, so the
tests measure every line instead of comparing with a copy."""

from __future__ import annotations

import importlib.metadata
import io
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import verification
from verification.cli import main
from verification.identification import progress
from verification.identification.progress import ProgressLine
from verification.runs.terminal import finish
from verification.terminal_width import CLEAR_LINE, MIN_WIDTH, fit_line, terminal_width, wrap_command

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHAIN = str(EXAMPLES / "question_chain.py")
SHORTCUT = str(EXAMPLES / "question_shortcut.py")
COLUMN_NETWORK = [
    "check",
    str(EXAMPLES / "column_network.py"),
    "--setup",
    "net = Network([3, 4, 2])",
    "--forward",
    "net.feedforward(x)",
    "--gradient",
    "net.backprop(x, y)",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


# --- fitting -----------------------------------------------------------------------------------------


def test_a_long_line_wraps_at_spaces_with_a_hanging_indent() -> None:
    line = "  note: " + " ".join(["word"] * 30)
    parts = fit_line(line, 40)
    assert all(len(p) <= 40 for p in parts) and len(parts) > 1
    assert parts[0].startswith("  note: ") and all(p.startswith("    word") for p in parts[1:])
    assert " ".join(p.strip() for p in parts) == line.strip()


def test_prose_at_the_margin_continues_at_the_margin_and_phrases_stay_whole() -> None:
    formula = "ℓ = ½ Σ_k (a_k − y_k)²"
    parts = fit_line(f"NeuralNetwork.backward is the gradient of mse: {formula}", 50, keep=[formula])
    assert parts == ["NeuralNetwork.backward is the gradient of mse:", formula]


def test_a_word_longer_than_the_width_stays_whole() -> None:
    path = "/a/" + "b" * 100 + ".py"
    assert fit_line(f"Checked Net in {path}", 40) == ["Checked Net in", path]


def test_a_wrapped_command_pastes_back_as_the_same_command() -> None:
    step = ["--step", "out = nn.forward(x); nn.backward(x, out - y)", "--lr", "nn.lr", "--python2"]
    command = shlex.join(
        ["backprop-verify", "check", "net.py", "--setup", "nn = Net(3)", "--forward", "nn(x)", *step]
    )
    lines = wrap_command("  as: ", command, 70)
    assert len(lines) > 1 and all(len(line) <= 70 for line in lines)
    assert all(line.endswith(" \\") for line in lines[:-1]) and not lines[-1].endswith("\\")
    pasted = " ".join(line.removesuffix(" \\") for line in lines).removeprefix("  as: ")
    assert shlex.split(pasted) == shlex.split(command)


@pytest.mark.parametrize(("columns", "width"), [("100", 100), ("20", MIN_WIDTH), ("", 80)])
def test_the_width_is_columns_or_80_and_never_below_the_minimum(
    monkeypatch: pytest.MonkeyPatch, columns: str, width: int
) -> None:
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS")  # the suite's stdout is not a terminal: the fallback, 80
    assert terminal_width() == width


# --- the reports at 80 and 60 columns ----------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 60])
def test_no_line_of_the_default_answer_is_wider_than_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    status, out, _ = run(capsys)
    assert status == 0 and widest(out) <= columns, out


@pytest.mark.parametrize("columns", [80, 70])
def test_no_line_of_the_default_check_is_wider_than_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    status, out, _ = run(capsys, "check", "examples/question_chain.py")
    assert status == 0 and widest(out) <= columns, out
    assert any(
        line.startswith("NeuralNetwork.backward is the gradient of mse: ℓ = ½") for line in out.splitlines()
    )


def test_a_wide_table_is_split_into_blocks_that_fit(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, *COLUMN_NETWORK)
    assert status == 0 and widest(out) <= 80, out
    heads = [line for line in out.splitlines() if line.startswith("  loss ")]
    assert len(heads) == 2, out  # four tensors and the verdict do not fit one block of 80 columns
    names = " ".join(heads).split()
    assert sorted(n for n in names if n not in ("loss", "verdict")) == sorted(
        ["weights[0]", "weights[1]", "biases[0]", "biases[1]"]
    )
    assert names.count("verdict") == 1 and heads[-1].endswith("verdict")
    mse = [line.split() for line in out.splitlines() if line.startswith("  mse ")]
    assert len(mse) == 2 and mse[-1][-1] == "matches"


def test_a_wide_terminal_gets_one_line_per_logical_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    _, out, _ = run(capsys, *COLUMN_NETWORK)
    command = next(line for line in out.splitlines() if line.startswith("  as: "))
    assert command.endswith("--gradient 'net.backprop(x, y)' --layout column")
    assert sum(line.startswith("  loss ") for line in out.splitlines()) == 1


# --- --quiet -----------------------------------------------------------------------------------------


def test_quiet_answer_is_the_verdict_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["-q"], ["question", "--quiet"], ["seed", "-q", "--seed", "3"]):
        status, out, _ = run(capsys, *argv)
        assert status == 0 and out == "chain is the gradient of mse; shortcut is the gradient of bce\n"


def test_quiet_check_is_the_verdict_line(capsys: pytest.CaptureFixture[str]) -> None:
    _, full, _ = run(capsys, "check", CHAIN, "--json")
    status, out, _ = run(capsys, "check", CHAIN, "-q")
    assert status == 0 and out == json.loads(full)["verdict"] + "\n"  # one line, however wide
    assert out.startswith("NeuralNetwork.backward is the gradient of mse: ℓ = ½ Σ_k (a_k − y_k)²")
    status, out, _ = run(capsys, "check", SHORTCUT, "--loss", "mse", "--quiet")
    assert (
        status == 1
        and out == "NeuralNetwork.backward is not the gradient of mse; it is the gradient of bce\n"
    )


def test_quiet_zoo_is_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "zoo", "--networks", "1", "-q")
    assert status == 0
    assert out.splitlines() == [
        "Detected 18 of 18 mutants (rate 1.00); diagnosis as expected for 18 of 18.",
        "False positives: 0 of 1 correct backward passes on drawn networks (seed 0).",
    ]


def test_seed_is_the_questions_former_name(capsys: pytest.CaptureFixture[str]) -> None:
    _, old, _ = run(capsys, "seed", "--json", "--seed", "2")
    _, new, _ = run(capsys, "question", "--json", "--seed", "2")
    assert json.loads(old) == json.loads(new) and json.loads(new)["command"] == "question"


# --- --version and --help ----------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert verification.__version__ == importlib.metadata.version("backprop-verify")
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out == f"backprop-verify {verification.__version__}\n"
    proc = subprocess.run(
        [sys.executable, "-m", "verification", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout == f"backprop-verify {verification.__version__}\n"


@pytest.mark.parametrize("command", [[], ["question"], ["derive"], ["check"], ["zoo"], ["converge"]])
def test_help_fits_80_columns(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert widest(out) <= 80, "\n".join(line for line in out.splitlines() if len(line) > 80)


# --- the progress line -------------------------------------------------------------------------------


def test_the_progress_line_fits_the_terminal_and_is_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    stream = io.StringIO()
    line = ProgressLine(stream, force=True, width=40)
    line(1234, 98765)
    drawn = stream.getvalue()
    assert drawn.startswith(CLEAR_LINE) and 0 < len(drawn) - len(CLEAR_LINE) < 40
    line.close()
    assert stream.getvalue() == drawn + CLEAR_LINE


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ctrl_c_erases_the_line_it_interrupts(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    terminal.write("check:  45 % (1,234 of 2,731 forward passes), about 12 s left")
    monkeypatch.setattr(sys, "stderr", terminal)

    def interrupted(argv: list[str]) -> int:
        raise KeyboardInterrupt

    assert finish(interrupted, []) == 130
    assert terminal.getvalue().endswith(CLEAR_LINE)


def test_a_table_splits_its_middle_columns_and_keeps_the_first_and_last() -> None:
    from verification.terminal_width import fit_table

    rows = [["loss", *(f"tensor{i}" for i in range(6)), "verdict"]]
    rows += [[loss, *("matches (1.0e-15)" for _ in range(6)), "matches"] for loss in ("mse", "bce")]
    lines = fit_table(rows, 60)
    assert all(len(line) <= 60 for line in lines)
    blocks = "\n".join(lines).split("\n\n")
    assert len(blocks) > 1 and all(b.startswith("  loss ") for b in blocks)
    heads = [b.splitlines()[0].split() for b in blocks]
    assert [h for head in heads for h in head if h not in ("loss", "verdict")] == [
        f"tensor{i}" for i in range(6)
    ]
    assert heads[-1][-1] == "verdict" and all("verdict" not in h for h in heads[:-1])
    assert fit_table(rows, 400) == [
        "  " + "".join(f"{c:<{w}}" for c, w in zip(row, [5] + [19] * 6 + [0], strict=True)).rstrip()
        for row in rows
    ]


def test_the_derivation_table_fits_and_keeps_its_equations_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from verification.symbolic.pairs import derive_table
    from verification.symbolic.render import render_text

    status, out, _ = run(capsys, "derive")
    assert status == 0 and widest(out) <= 80, out
    assert not any(line.rstrip().endswith((" a", " δ", "=")) for line in out.splitlines()), out
    monkeypatch.setenv("COLUMNS", "1000")
    _, wide, _ = run(capsys, "derive")
    assert wide == render_text(derive_table()) + "\n"  # one line per row when the terminal allows
