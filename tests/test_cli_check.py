"""``backprop-verify check`` and ``zoo`` end to end: output, JSON contract and exit status."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from verification.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHAIN = f"{EXAMPLES / 'question_chain.py'}:NeuralNetwork"
SHORTCUT = f"{EXAMPLES / 'question_shortcut.py'}:NeuralNetwork"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(("target", "loss"), [(CHAIN, "mse"), (SHORTCUT, "bce")], ids=["chain", "shortcut"])
def test_question_scripts_are_identified(capsys: pytest.CaptureFixture[str], target: str, loss: str) -> None:
    status, out, err = run(capsys, "check", target, "--json")
    assert status == 0, err
    data = json.loads(out)  # exactly one JSON object on stdout
    assert data["identified"] == loss and data["scale"] == 1.0
    assert {n: p["identified"] for n, p in data["parameters"].items()} == {"W2": loss, "W1": loss}
    assert data["failed_imports"] == {"plt": "ModuleNotFoundError: No module named 'matplotlib'"} or (
        data["failed_imports"] == {}
    )
    assert "epoch" not in out + err, "the script's training loop ran"


def test_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", CHAIN)
    assert status == 0
    assert "convention: update-error, lr = 0.1" in out
    assert "NeuralNetwork.backward is the gradient of mse: ℓ = ½ Σ_k (a_k − y_k)²" in out
    assert "Not run: top-level statements at lines 23, 24, 59, 61, 71, 72." in out


def test_asked_loss_that_does_not_match_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", SHORTCUT, "--loss", "mse", "--json")
    data = json.loads(out)
    assert status == 1
    assert data["asked"] == "mse" and data["matches_asked"] is False and data["identified"] == "bce"
    mse = next(c for c in data["candidates"] if c["loss"] == "mse")
    assert mse["verdict"] == "mismatch" and mse["first_mismatch"] == "W2"


def write(tmp_path: Path, body: str) -> str:
    source = """
    import numpy as np
    print("this script prints at import")

    class Net:
        def __init__(self):
            print("and in its constructor")
            self.W = np.ones((3, 2)) / 3
            self.lr = 0.1

        def forward(self, x):
            self.out = 1 / (1 + np.exp(-(x @ self.W)))
            return self.out
    """
    path = tmp_path / "net.py"
    path.write_text(
        textwrap.dedent(source) + textwrap.indent(textwrap.dedent(body), "    "), encoding="utf-8"
    )
    return f"{path}:Net"


def test_nothing_identified_exits_1_and_prints_stay_off_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = write(tmp_path, "def backward(self, x, error):\n    self.W += self.lr * x.T @ error\n")
    status, out, err = run(capsys, "check", target, "--json", "--convention", "update-error")
    data = json.loads(out)
    assert status == 1
    assert data["identified"] is None and data["scale"] is None
    assert "and in its constructor" in err


@pytest.mark.parametrize(
    ("body", "extra", "message"),
    [
        (
            "def backward(self, x, error):\n    self.W -= self.lr * x.T @ error\n",
            ["--lr", "W"],
            "learning rate W",
        ),
        (
            "def backward(self, x, error):\n    raise RuntimeError('broken')\n",
            [],
            "Net.backward raised RuntimeError",
        ),
        ("def backward(self, x, y):\n    return (self.W[:2],)\n", [], "shape"),
        ("def backward(self, x, y):\n    self.W *= np.inf\n", [], "non-finite"),
    ],
    ids=["lr-not-a-number", "raises", "wrong-shape", "non-finite"],
)
def test_bad_code_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: str, extra: list[str], message: str
) -> None:
    status, out, err = run(capsys, "check", write(tmp_path, body), *extra)
    assert status == 2 and out == ""
    lines = [line for line in err.splitlines() if line.startswith("backprop-verify: error:")]
    assert len(lines) == 1 and message in lines[0], err


def test_zero_learning_rate_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = write(tmp_path, "def backward(self, x, error):\n    self.W -= self.lr * x.T @ error\n")
    path = Path(target.rsplit(":", 1)[0])
    path.write_text(path.read_text().replace("self.lr = 0.1", "self.lr = 0"))
    status, _, err = run(capsys, "check", target)
    assert status == 2 and "learning rate lr = 0" in err


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no/such/file.py:Net", "file not found: no/such/file.py"),
        (f"{EXAMPLES / 'question_chain.py'}:Missing", "defines no 'Missing'"),
        (":Net", "PATH.py or PATH.ipynb, optionally :NAME"),
    ],
)
def test_bad_targets_exit_2(capsys: pytest.CaptureFixture[str], target: str, message: str) -> None:
    status, out, err = run(capsys, "check", target)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_zoo_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "zoo", "--json", "--networks", "8")
    data = json.loads(out)
    assert status == 0
    assert data["detection_rate"] == 1.0 and data["false_positives"] == 0 and data["networks_tried"] == 8
    assert len(data["mutants"]) >= 15
    assert all(set(m) >= {"name", "detected", "diagnosis"} for m in data["mutants"])
    assert all(m["diagnosis_correct"] for m in data["mutants"])


def test_zoo_text(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "zoo", "--networks", "2")
    assert status == 0
    assert "missing_output_derivative           yes       W2 differs first from mse; matches bce" in out
    assert "False positives: 0 of 2" in out


def test_documented_verdict_lines_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    doc = (EXAMPLES.parent / "docs" / "checking-your-code.md").read_text(encoding="utf-8")
    for example in ("question_chain", "question_shortcut --loss mse"):
        name, *extra = example.split()
        _, out, _ = run(capsys, "check", f"{EXAMPLES / name}.py:NeuralNetwork", *extra)
        for line in out.splitlines():
            if line.startswith(("NeuralNetwork.backward is", "Not the gradient", "  convention:")):
                assert line in doc, f"docs/checking-your-code.md is stale: {line!r} is not in it"


def test_documented_adapter_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "check", f"{EXAMPLES / 'functional_network.py'}:Adapter", "--samples", "4", "--json"
    )
    data = json.loads(out)
    assert status == 0
    assert data["convention"] == "return-labels"
    assert data["identified"] == "cross_entropy" and data["also"] == ["poisson_nll"]


def test_plain_function_script(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", f"{EXAMPLES / 'weights_as_functions.py'}:backward", "--json")
    data = json.loads(out)
    assert status == 0 and data["identified"] == "mse" and data["convention"] == "return-labels (function)"


def one_error_line(status: int, out: str, err: str) -> str:
    assert status == 2 and out == "", (status, out, err)
    assert err.count("\n") == 1 and err.startswith("backprop-verify: error: "), err
    return err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--method", "complex-step"], "complex step does not apply to NeuralNetwork.backward"),
        (["--output", "nope"], "output attribute 'nope' (--output)"),
        (["--inputs", "-2"], "argument --inputs: must be from 1 to 1000000, got -2"),
        (["--inputs", "0"], "argument --inputs: must be from 1 to 1000000, got 0"),
        (["--inputs", "5"], "number of inputs 5 (--inputs) does not fit NeuralNetwork"),
        (["--shapes", "W1=3x4"], "--shapes is for functions"),
        (["--probes", "100000000"], "argument --probes: must be from 2 to 50"),
        (["--samples", "100000000"], "argument --samples: must be from 1 to 1000"),
        (["--lr", "nosuchattr"], "'nosuchattr' (--lr) is neither a number nor an attribute"),
        (["--backward", "forward"], "NeuralNetwork.forward was called as the backward pass"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert message in one_error_line(*run(capsys, "check", CHAIN, *extra))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def backward(self, x, y):\n    import sys\n    sys.exit(3)\n", "Net.backward called sys.exit(3)"),
        ("def backward(self, x, y):\n    return {'W': 0j + x.T @ (self.out - y)}\n", "complex gradient of W"),
        ("def backward(self, x, error):\n    pass\n", "the weights never changed"),
    ],
    ids=["sys-exit", "complex-gradient", "updates-nothing"],
)
def test_bad_code_exits_2_with_exactly_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: str, message: str
) -> None:
    target = write(tmp_path, body)
    path = Path(target.rsplit(":", 1)[0])
    path.write_text(path.read_text().replace('print("and in its constructor")', "pass"), encoding="utf-8")
    assert message in one_error_line(*run(capsys, "check", target))


def test_infinite_weight_gives_one_line_and_no_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = write(tmp_path, "def backward(self, x, y):\n    self.W -= self.lr * x.T @ (self.out - y)\n")
    path = Path(target.rsplit(":", 1)[0])
    source = path.read_text().replace('print("and in its constructor")', "pass")
    path.write_text(source.replace("self.lr = 0.1", "self.lr = 0.1\n        self.W[0, 0] = np.inf"))
    assert "non-finite" in one_error_line(*run(capsys, "check", target))


@pytest.mark.parametrize(
    ("name", "message"), [("net.txt", "is not a Python script"), ("adir.py", "is a directory")]
)
def test_paths_that_are_not_scripts_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    if name.endswith(".py"):
        path.mkdir()
    else:
        path.write_text((EXAMPLES / "question_chain.py").read_text(), encoding="utf-8")
    assert message in one_error_line(*run(capsys, "check", f"{path}:NeuralNetwork"))
