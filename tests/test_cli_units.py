"""``backprop-verify check`` on files of units: the table, the ``units`` JSON of DESIGN.md, the exit
status, ``FILE:NAME`` for one unit, and the network check left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verification.cli import main

FILES = Path(__file__).resolve().parent / "layer_files"
UNIT_FIELDS = {"unit", "kind", "forward", "backward", "verdict", "differs", "settings", "max_relative_error"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def strict(text: str) -> dict[str, object]:
    """Parse JSON refusing NaN and Infinity, which strict JSON does not have."""

    def refuse(token: str) -> None:
        raise AssertionError(f"got {token} in the JSON, but non-finite numbers are null with a reason")

    return json.loads(text, parse_constant=refuse)


def test_a_file_with_bugs_gives_the_units_list_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", str(FILES / "course_layers_bugs.py"), "--json")
    assert status == 1, err
    data = strict(out)
    units = data["units"]
    assert isinstance(units, list) and all(UNIT_FIELDS <= set(u) for u in units)
    got = {u["unit"]: (u["kind"], u["forward"], u["backward"], u["verdict"], u["differs"]) for u in units}
    assert got == {
        "batchnorm": ("pair", "batchnorm_forward", "batchnorm_backward", "mismatch", ["dx"]),
        "dropout": ("pair", "dropout_forward", "dropout_backward", "mismatch", ["dx"]),
        "conv_naive": ("pair", "conv_forward_naive", "conv_backward_naive", "mismatch", ["dx"]),
        "max_pool_naive": ("pair", "max_pool_forward_naive", "max_pool_backward_naive", "mismatch", ["dx"]),
        # the batch mean's 1 / N left out: N times the gradient
        "svm_loss": ("loss", "svm_loss", None, "matches up to scale", []),
    }
    pool = next(u for u in units if u["unit"] == "max_pool_naive")
    assert [(s["setting"], s["verdict"]) for s in pool["settings"]] == [
        ("2×2 windows, stride 2", "matches"),
        ("2×2 windows, stride 1 (overlapping)", "mismatch"),
        ("3×3 windows, stride 2 (overlapping)", "mismatch"),
        ("batch of one (N = 1)", "matches"),
    ]


def test_the_text_report_names_the_failing_settings_and_worst_entries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "check", str(FILES / "engine_bugs.py"))
    text = " ".join(out.split())  # as read, whatever the terminal's width
    assert status == 1
    assert (
        "Value.__mul__ (Value.__mul__, Value.__mul__._backward): mismatch, self.grad, other.grad differ"
        in text
    )
    assert (
        "fails in: operand used twice; gradient already present; matches in: alone, operands > 0; "
        "alone, operands < 0"
    ) in text
    assert "it is 0.5 × the gradient" in text


def test_one_unit_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", f"{FILES / 'course_layers.py'}:conv_backward_naive", "--json")
    assert status == 0, err
    data = strict(out)
    assert [(u["unit"], u["verdict"]) for u in data["units"]] == [("conv_naive", "matches")]


def test_a_file_of_stubs_exits_2_with_its_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "todo_layers.py"
    path.write_text(
        "def relu_forward(x):\n    out = None\n    pass\n    return out, x\n"
        "def relu_backward(dout, cache):\n    dx = None\n    pass\n    return dx\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "check", str(path))
    assert status == 2
    text = " ".join(out.split())
    assert "  relu  pair  stub" in out and "relu_forward returns None for output 1" in text


def test_a_file_none_of_whose_units_runs_is_refused_with_its_cause(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # a sigmoid of the math module takes one number: at the arrays it is checked at it raises, so no
    # unit was checked, and the check says so in one line, with its cause, as any refusal does
    path = tmp_path / "scalar_sigmoid.py"
    path.write_text(
        "import math\n\ndef sigmoid(x):\n    return 1 / (1 + math.exp(-x))\n\n"
        "def sigmoid_prime(x):\n    return sigmoid(x) * (1 - sigmoid(x))\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "check", str(path), "--json")
    data = strict(out)
    assert status == 2 and data["cause"] == "code-failed", data
    assert str(data["error"]).startswith("its one unit could not be checked: sigmoid raised TypeError"), data
    assert "FILE:NAME" in str(data["hint"]) and [u["verdict"] for u in data["units"]] == ["refused"]  # type: ignore[union-attr]
    status, out, _ = run(capsys, "check", str(path))
    assert status == 2 and "Refused (code-failed): its one unit could not be checked" in " ".join(out.split())


def test_a_network_file_is_still_checked_as_a_network(capsys: pytest.CaptureFixture[str]) -> None:
    """A class with ``backward(X, y)`` is a network: the identification's report, not the units'."""
    path = FILES.parent.parent / "examples" / "question_chain.py"
    status, out, _ = run(capsys, "check", str(path), "--json")
    data = json.loads(out)
    assert status == 0 and data["identified"] == "mse" and "units" not in data


def test_quiet_prints_the_summary_line_and_the_report_fits_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = str(FILES / "course_layers_bugs.py")
    status, out, _ = run(capsys, "check", target, "-q")
    assert (status, out) == (1, f"Checked 5 units in {target}: 4 mismatch, 1 matches up to scale\n")
    monkeypatch.setenv("COLUMNS", "60")
    status, out, _ = run(capsys, "check", target)
    words = [w for line in out.splitlines() for w in line.split()]
    too_wide = [line for line in out.splitlines() if len(line) > 60 and " " in line.strip()]
    assert status == 1 and "dx: shape (4, 3, 7, 7), but the input has shape" in " ".join(words)
    assert not too_wide, too_wide
