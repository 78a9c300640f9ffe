"""``backprop-verify check`` and ``zoo`` end to end: output, JSON contract and exit status."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import test_verdicts_on_code as styles

from ffnn.losses import get_loss
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


def test_text_report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # one logical line per line (the fitting is tested in test_widths)
    status, out, _ = run(capsys, "check", CHAIN)
    assert status == 0
    assert (
        "  gradient: update in place, lr = 0.1; inputs and labels as rows (samples, n), labels one-hot"
        in (out)
    )
    assert (
        f"  as: backprop-verify check {EXAMPLES / 'question_chain.py'} "
        "--setup 'nn = NeuralNetwork(30, 5, 3)' "
        "--forward 'nn.forward(x)' --step 'out = nn.forward(x); nn.backward(x, out - y)' --lr nn.lr"
    ) in out
    assert "NeuralNetwork.backward is the gradient of mse: ℓ = ½ Σ_k (a_k − y_k)²" in out
    # line 59 builds the network the setup builds; the loop at 61 is not what the check runs
    assert "Run by the check's setup and step (as: above): top-level statement at line 59." in out
    assert "Not run: top-level statements at lines 23, 24, 61, 71, 72." in out


def test_without_a_name_the_network_class_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", str(EXAMPLES / "question_shortcut.py"), "--json")
    data = json.loads(out)
    assert status == 0 and data["identified"] == "bce" and data["code"] == "NeuralNetwork.backward"


def test_the_explicit_form_is_what_runs(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "question_chain.py")
    explicit = [
        "--setup",
        "net = NeuralNetwork(30, 5, 3, lr=0.5)",
        "--forward",
        "net.forward(x)",
        "--step",
        "net.forward(x); net.backward(x, net.forward(x) - y)",
        "--lr",
        "net.lr",
    ]
    status, out, _ = run(capsys, "check", path, *explicit, "--json")
    data = json.loads(out)
    assert status == 0 and data["identified"] == "mse" and data["scale"] == 1.0
    assert (
        data["recipe"]["setup"] == "net = NeuralNetwork(30, 5, 3, lr=0.5)"
        and data["recipe"]["lr"] == "net.lr"
    )
    assert data["convention"] == "update in place, lr = 0.5"
    assert data["code"] == "net.backward"  # named by the method the step calls, not its last call


def test_the_explicit_form_is_named_by_the_codes_own_call(capsys: pytest.CaptureFixture[str]) -> None:
    step = "out = net.forward(x); net.backward(x, np.subtract(out, y))"
    args = ["--setup", "net = NeuralNetwork(30, 5, 3)", "--forward", "net.forward(x)", "--step", step]
    status, out, _ = run(capsys, "check", str(EXAMPLES / "question_chain.py"), *args, "--lr", "net.lr", "-q")
    assert status == 0 and out.startswith(
        f"net.backward is the gradient of mse: {get_loss('mse').formula};"
    ), out


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
    target = write(
        tmp_path, "def backward(self, x, error):\n    self.W -= self.lr * x.T @ (error * self.out ** 3)\n"
    )
    status, out, err = run(capsys, "check", target, "--json")
    data = json.loads(out)
    assert status == 1
    assert data["identified"] is None and data["scale"] is None
    assert "and in its constructor" in err


@pytest.mark.parametrize(
    ("body", "extra", "message"),
    [
        (
            "def backward(self, x, error):\n    self.W -= self.lr * x.T @ error\n",
            ["--lr", "'fast'"],
            "--lr \"'fast'\" is str, not a number",
        ),
        (
            "def backward(self, x, error):\n    raise RuntimeError('broken')\n",
            [],
            "raised RuntimeError: broken",
        ),
        ("def backward(self, x, y):\n    return (self.W[:2],)\n", [], "shapes (2, 2)"),
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
    assert status == 2 and "--lr 'net.lr' is 0.0: the gradient cannot be recovered" in err, err


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
    assert (
        "  missing_output_derivative           yes       W2 differs first from mse;\n"
        "                                                matches bce\n"
    ) in out  # at 80 columns the diagnosis goes on under its own column
    assert "False positives: 0 of 2" in out


def documented_runs() -> list[tuple[list[str], list[str]]]:
    """Every ``$ backprop-verify check …`` block of docs/checking-your-code.md: its arguments and the
    output lines it shows (``...`` elides lines)."""
    import re
    import shlex

    doc = (EXAMPLES.parent / "docs" / "checking-your-code.md").read_text(encoding="utf-8")
    runs = []
    for block in re.findall(r"```\n(\$ backprop-verify check .*?)```", doc, flags=re.S):
        text = block.replace("\\\n", " ")
        command, *shown = text.split("\n")
        while shown and command.count('"') % 2:  # a quoted argument continued on the next line
            command += "\n" + shown.pop(0)
        quoted = shlex.split(command.removeprefix("$ "))
        runs.append((quoted[1:], [line for line in shown if line and line != "..."]))
    return runs


@pytest.mark.parametrize("run_index", range(8))
def test_documented_runs_are_current(capsys: pytest.CaptureFixture[str], run_index: int) -> None:
    """Each documented command gives every output line the document shows for it."""
    import os

    runs = documented_runs()
    assert len(runs) == 8, f"got {len(runs)} documented runs, but the test covers 8"
    argv, shown = runs[run_index]
    here = os.getcwd()
    os.chdir(EXAMPLES.parent)  # the documented paths are relative to the repository
    try:
        _, out, _ = run(capsys, *argv)
    finally:
        os.chdir(here)
    produced = out.replace("\\\n", " ").splitlines()  # the command of "as:" continued as the doc joins it
    for line in shown:
        assert line in produced, f"docs/checking-your-code.md is stale: {line!r} is not produced by {argv}"


def test_documented_adapter_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "check", f"{EXAMPLES / 'functional_network.py'}:Adapter", "--samples", "4", "--json"
    )
    data = json.loads(out)
    assert status == 0
    assert data["convention"] == "returned gradients"
    assert data["identified"] == "cross_entropy" and data["also"] == ["poisson_nll"]


def test_plain_function_script(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", f"{EXAMPLES / 'weights_as_functions.py'}:backward", "--json")
    data = json.loads(out)
    assert status == 0 and data["identified"] == "mse" and data["convention"] == "returned gradients"
    assert data["recipe"]["setup"] == "W1 = np.random.randn(30, 5); W2 = np.random.randn(5, 3)"


def one_error_line(status: int, out: str, err: str) -> str:
    """The one error line (the checked code's own prints go to stderr too, before it)."""
    assert status == 2 and out == "", (status, out, err)
    lines = [line for line in err.splitlines() if line.startswith("backprop-verify")]
    assert len(lines) == 1 and lines[0].startswith("backprop-verify: error: "), err
    return lines[0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--probes", "100000000"], "argument --probes: must be from 2 to 50"),
        (["--samples", "100000000"], "argument --samples: must be from 1 to 1000"),
        (["--layout", "diagonal"], "argument --layout: invalid choice: 'diagonal'"),
        (["--method", "central"], "argument --method: invalid choice: 'central'"),
        (["--gradient", "1", "--step", "2", "--forward", "3"], "give --gradient"),
        (["--lr", "nosuchname"], "--lr 'nosuchname' raised NameError"),
        (["--setup", "net = NeuralNetwork("], "--setup 'net = NeuralNetwork(' is not valid Python"),
        (["--forward", "nn.forward(x", "--step", "nn.backward(x, y)"], "is not valid Python"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert message in one_error_line(*run(capsys, "check", CHAIN, *extra))


def test_complex_step_is_refused_for_code_that_is_not_complex_safe(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = write(tmp_path, "def backward(self, x, y):\n    self.W -= self.lr * x.T @ (self.out - y)\n")
    path = Path(target.rsplit(":", 1)[0])
    path.write_text(path.read_text().replace("np.exp(-(x @ self.W))", "np.exp(-np.real(x @ self.W))"))
    message = one_error_line(*run(capsys, "check", target, "--method", "complex-step"))
    assert "complex step does not apply to Net.backward: the output is real at complex parameters" in message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "def backward(self, x, y):\n    import sys\n    sys.exit(3)\n",
            "called sys.exit(3) at net.py, line",
        ),
        ("def backward(self, x, y):\n    return {'W': 0j + x.T @ (self.out - y)}\n", "complex gradient of W"),
        ("def backward(self, x, error):\n    pass\n", "left every weight unchanged"),
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


def test_non_finite_output_gives_one_line_and_no_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = write(tmp_path, "def backward(self, x, y):\n    self.W -= self.lr * x.T @ (self.out - y)\n")
    path = Path(target.rsplit(":", 1)[0])
    path.write_text(path.read_text().replace("return self.out", "return self.out * np.log(-1.0)"))
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


PYTHON2 = """\
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

class Net(object):
    def __init__(self, sizes):
        self.W1 = np.random.randn(sizes[0], sizes[1])
        self.W2 = np.random.randn(sizes[1], sizes[2])

    def forward(self, x):
        self.h = sigmoid(np.dot(x, self.W1))
        self.o = sigmoid(np.dot(self.h, self.W2))
        return self.o

    def backprop(self, x, y):
        self.forward(x)
        d2 = (self.o - y) * self.o * (1 - self.o)
        d1 = np.dot(d2, self.W2.T) * self.h * (1 - self.h)
        return np.dot(x.T, d1), np.dot(self.h.T, d2)

for i in xrange(3):
    print "epoch", i
"""


def test_python2_is_translated_and_said_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # one logical line per line
    path = tmp_path / "net2.py"
    path.write_text(PYTHON2, encoding="utf-8")
    status, out, err = run(capsys, "check", str(path))
    assert status == 0, err
    assert "  note: read as Python 2 (line 23: print statement); translated by 2to3\n" in out, (
        "only 1.0 / (…) divides here: no word on integer division"
    )
    command = next(line for line in out.splitlines() if line.startswith("  as: "))
    assert command.endswith(" --python2") and "Net.backprop is the gradient of mse" in out
    status, again, _ = run(capsys, "check", str(path), "--json", "--python2")
    data = json.loads(again)
    assert status == 0 and data["identified"] == "mse" and data["python2"] is True


def test_python2_divisions_that_may_be_of_integers_are_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # one logical line per line
    path = tmp_path / "net2.py"
    path.write_text(PYTHON2.replace("d2 = (self.o - y)", "d2 = (self.o - y) / len(x)"), encoding="utf-8")
    status, out, err = run(capsys, "check", str(path))
    assert status == 0, err
    assert "translated by 2to3; / at line 18 divides as in Python 2 (two integers floor)" in out


@pytest.mark.parametrize(("future", "batch_mean"), [("from __future__ import division\n", True), ("", False)])
def test_python2_division_follows_its_future_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, future: str, batch_mean: bool
) -> None:
    """``scale = 1 / len(x)`` of two integers: exact under ``from __future__ import division``, which the
    2to3 translation drops (so it is read in the file's own text), and 0 at a batch of two or more in
    Python 2 without it. The first is the batch mean's gradient; the second none at a batch."""
    path = tmp_path / "net2.py"
    source = PYTHON2.replace("d2 = (self.o - y)", "d2 = (1 / len(x)) * (self.o - y)")
    path.write_text(future + source, encoding="utf-8")
    status, again, _ = run(capsys, "check", str(path), "--json")
    data = json.loads(again)
    assert data["identified"] == "mse", data["notes"]
    assert data["holds_for_batches"] is batch_mean, (data["verdict"], data["notes"])
    assert status == (0 if batch_mean else 1), data["verdict"]


def test_python2_refused_when_translation_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "broken2.py"
    path.write_text('print "a"\ndef f(:\n', encoding="utf-8")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2 and err.count("\n") == 1 and "broken2.py" in err, err


def test_a_given_tolerance_decides_and_the_derived_verdict_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shortcut = str(EXAMPLES / "question_shortcut.py")
    # rtol = 1 accepts any two gradients (the rule allows rtol·(max(|g_a|, |g_n|) + G) ≥ |g_a| + |g_n|)
    status, out, _ = run(capsys, "check", shortcut, "--loss", "mse", "--rtol", "1", "--json")
    data = json.loads(out)
    assert status == 0 and data["matches_asked"] is True and data["rtol"] == 1.0 and data["atol"] == 0.0
    assert data["tolerance_given"] is True
    assert data["derived_verdict"].startswith("NeuralNetwork.backward is the gradient of bce")
    status, out, _ = run(capsys, "check", shortcut, "--loss", "mse", "--rtol", "1")
    assert status == 0 and "  note: tolerance given: rtol 1.0e+00, atol 0.0e+00; the derived tolerance" in out


@pytest.mark.parametrize("value", ["-1", "nan", "abc"])
def test_bad_tolerances_exit_2(capsys: pytest.CaptureFixture[str], value: str) -> None:
    status, out, err = run(capsys, "check", CHAIN, "--atol", value)
    assert status == 2 and out == "" and err.startswith("backprop-verify: error: argument --atol:")


@pytest.mark.parametrize(
    ("script", "status", "holds"), [("OVERWRITE", 1, False), ("ONLINE", 0, True)], ids=["overwrite", "online"]
)
def test_a_verdict_that_fails_on_batches_is_exit_status_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, script: str, status: int, holds: bool
) -> None:

    path = tmp_path / "net.py"
    path.write_text(styles.HEAD + getattr(styles, script), encoding="utf-8")
    got, out, _err = run(capsys, "check", str(path), "--json")
    data = json.loads(out)
    assert (got, data["identified"], data["holds_for_batches"], data["success"]) == (
        status,
        "mse",
        holds,
        holds,
    )


ONE_AT_A_TIME = """
class Net:
    def __init__(self):
        self.W = np.random.randn(3, 4)

    def forward(self, x):
        self.x = x
        self.a = sigmoid(self.W @ x)
        return self.a

    def backprop(self, x, y):
        delta = (self.forward(x) - y) * self.a * (1 - self.a)
        return [np.outer(delta, x)]
"""


def test_a_batch_never_probed_is_null_in_the_json_not_true(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A backward pass that takes one sample as a 1-D vector (``np.outer``) is never probed on a batch:
    ``holds_for_batches`` is null and ``batch.reason`` says why, so a reader of the field alone is not
    told a batch was confirmed; the exit status stays 0 (nothing failed)."""
    path = tmp_path / "net.py"
    path.write_text(styles.HEAD + ONE_AT_A_TIME, encoding="utf-8")
    got, out, _err = run(capsys, "check", str(path), "--json")
    data = json.loads(out)
    assert (got, data["identified"], data["holds_for_batches"]) == (0, "mse", None), data["batch"]
    assert data["batch"]["reduction"] is None and data["batch"]["reason"], data["batch"]


TWO_NETWORKS = """
import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class TwoLayerNet:
    def __init__(self, input_dim=4, hidden_dim=5, num_classes=3):
        self.params = {
            "W1": np.random.randn(input_dim, hidden_dim),
            "W2": np.random.randn(hidden_dim, num_classes),
        }

    def loss(self, X, y=None):
        h = np.maximum(0, X @ self.params["W1"])
        scores = h @ self.params["W2"]
        if y is None:
            return scores
        d = softmax(scores)
        d[range(len(y)), y] -= 1
        d /= len(y)
        return 0.0, {"W2": h.T @ d, "W1": X.T @ ((d @ self.params["W2"].T) * (h > 0))}


class ThreeLayerNet:
    def __init__(self, input_dim=4, hidden_dim=5, num_classes=3):
        self.params = {
            "W1": np.random.randn(input_dim, hidden_dim),
            "W2": np.random.randn(hidden_dim, hidden_dim),
            "W3": np.random.randn(hidden_dim, num_classes),
        }

    def loss(self, X, y=None):
        h1 = np.maximum(0, X @ self.params["W1"])
        h2 = np.maximum(0, h1 @ self.params["W2"])
        scores = h2 @ self.params["W3"]
        if y is None:
            return scores
        d = softmax(scores)
        d[range(len(y)), y] -= 1
        d /= len(y)
        d2 = (d @ self.params["W3"].T) * (h2 > 0)
        d1 = (d2 @ self.params["W2"].T) * MASK
        return 0.0, {"W3": h2.T @ d, "W2": h1.T @ d2, "W1": X.T @ d1 * SCALE}
"""


@pytest.mark.parametrize(
    ("mask", "scale", "second"),
    [("(h1 > 0)", "1", "cross_entropy"), ("1", "1", None), ("(h1 > 0)", "len(y)", "cross_entropy")],
    ids=["both-right", "second-wrong", "second-wrong-on-batches"],
)
def test_a_file_of_two_networks_has_each_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mask: str, scale: str, second: str | None
) -> None:
    """A course file with two network classes and no name given: each is checked, each verdict given,
    then one line per class; exit 1 when one is the gradient of no loss (the second network without its
    first ReLU's derivative), or only of one sample's (its first layer's gradient summed over the batch
    where the others are averaged): the file's ``identified`` is then null."""
    path = tmp_path / "fc_net.py"
    path.write_text(TWO_NETWORKS.replace("MASK", mask).replace("SCALE", scale), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--json")
    right = mask != "1" and scale == "1"
    assert code == (0 if right else 1), out
    found = json.loads(out)
    classes = [(c["class"], c["identified"]) for c in found["classes"]]
    assert classes == [("TwoLayerNet", "cross_entropy"), ("ThreeLayerNet", second)]
    assert found["identified"] == ("cross_entropy" if right else None)
    code, out, _ = run(capsys, "check", str(path))
    assert f"Checked 2 network classes in {path}:" in out
    assert out.count("TwoLayerNet.loss is the gradient of cross_entropy") == 2  # its report, then its line


def test_two_networks_beside_a_loss_function_are_checked_as_networks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A loss function of the course's unit style (``softmax_loss(x, y)`` returning the loss and its
    gradient) beside the two networks does not make the file one of units: the networks are checked."""
    loss = (
        "\n\ndef softmax_loss(x, y):\n    p = softmax(x)\n    n = len(y)\n"
        "    loss = -np.log(p[range(n), y]).mean()\n    p[range(n), y] -= 1\n    return loss, p / n\n"
    )
    path = tmp_path / "fc_net.py"
    path.write_text(TWO_NETWORKS.replace("MASK", "(h1 > 0)").replace("SCALE", "1") + loss, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--json")
    assert code == 0, out
    assert [c["class"] for c in json.loads(out)["classes"]] == ["TwoLayerNet", "ThreeLayerNet"]
