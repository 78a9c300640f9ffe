"""The command line's default job (``backprop-verify`` = ``backprop-verify seed``) and its usage errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from verification.cli import main
from verification.question import answer_question
from verification.tolerances import tolerance_for


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_is_seed_and_prints_the_table_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys)
    assert code == 0 and err == ""
    assert "chain     = (a − y) ⊙ σ'(z) is the gradient of mse" in out
    assert "shortcut  = a − y is the gradient of bce" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith(("chain ", "shortcut "))]
    verdicts = {(r[0], r[-3]): r[-1] for r in rows if r[-1] in ("matches", "mismatch")}
    assert verdicts == {
        ("chain", "mse"): "matches",
        ("chain", "bce"): "mismatch",
        ("shortcut", "mse"): "mismatch",
        ("shortcut", "bce"): "matches",
    }


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_json_has_the_design_fields_and_the_verdict(capsys: pytest.CaptureFixture[str], seed: int) -> None:
    code, out, err = _run(capsys, "seed", "--json", "--seed", str(seed))
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert obj["seed"] == seed and obj["method"] in ("central", "richardson", "complex-step")
    assert obj["verdict"] == {"chain": "mse", "shortcut": "bce"}
    pairs = {(r["backward"], r["loss"]): r for r in obj["results"]}
    assert set(pairs) == {(b, loss) for b in ("chain", "shortcut") for loss in ("mse", "bce")}
    for key, r in pairs.items():
        assert set(r) >= {"backward", "loss", "max_relative_error", "matches"}
        assert r["matches"] == (key in (("chain", "mse"), ("shortcut", "bce")))
    # One sample: the W2 rows differ by the factor σ' ≤ 1/4, so the cross pairs are ≥ 3/4 apart
    # (see test_gradient_check); the matching pairs are within the acceptance bound 1e-7.
    rtol = tolerance_for(np.float64, obj["method"]).rtol
    assert pairs["chain", "bce"]["max_relative_error"] >= 0.75 - rtol
    assert pairs["shortcut", "mse"]["max_relative_error"] >= 0.75 - rtol
    assert pairs["chain", "mse"]["max_relative_error"] <= 1e-7  # the required acceptance bound
    assert pairs["shortcut", "bce"]["max_relative_error"] <= 1e-7


def test_the_answer_holds_over_many_seeds() -> None:
    wrong = [s for s in range(20) if not answer_question(s, train=False).answers_question]
    assert wrong == [], (
        f"got a different verdict for weight seeds {wrong}, but should be chain→mse, shortcut→bce"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "abc"], "argument --seed: invalid seed 'abc'"),
        (["--seed", "-1"], "argument --seed: invalid seed -1: seeds are whole numbers ≥ 0"),
        (["--method", "secant"], "argument --method: invalid choice: 'secant'"),
        (
            ["frobnicate"],
            "unknown command 'frobnicate'; the commands are question, derive, check, zoo, converge",
        ),
        (
            ["chek", "net.py"],
            "unknown command 'chek'; the commands are question, derive, check, zoo, converge "
            "(hint: did you mean 'backprop-verify check'?)",
        ),
        (
            ["7"],
            "unknown command '7'; the commands are question, derive, check, zoo, converge "
            "(hint: for other weights: 'backprop-verify --seed 7')",
        ),
        (
            ["seed", "frobnicate"],
            "unrecognized arguments for 'seed': frobnicate (hint: see 'backprop-verify seed --help')",
        ),
        (
            ["seed", "5"],
            "unrecognized arguments for 'seed': 5 (hint: for other weights: 'backprop-verify --seed 5')",
        ),
        (
            ["question", "--sed", "5"],
            "unrecognized arguments for 'question': --sed 5 (hint: did you mean --seed?)",
        ),
        (
            ["--json", "derive"],
            "--json given before the command 'derive'; options go after the command "
            "(hint: 'backprop-verify derive --json')",
        ),
        (
            ["--json", "check", "mine.py:Net", "--full"],
            "--json given before the command 'check'; options go after the command "
            "(hint: 'backprop-verify check mine.py:Net --full --json')",
        ),
        (
            ["check", "mine.py:Net", "--jsn"],
            "unrecognized arguments for 'check': --jsn (hint: did you mean --json?)",
        ),
        (
            ["check", "mine.py:Net", "-x"],
            "unrecognized arguments for 'check': -x (hint: see 'backprop-verify check --help')",
        ),
        (
            ["zoo", "--full"],
            "unrecognized arguments for 'zoo': --full (hint: --full is an option of 'check')",
        ),
        (["check", "mine.py:Net", "--json", "-q"], "argument -q/--quiet: not allowed with argument --json"),
        (["derive", "--loss", "hinge"], "argument --loss: invalid choice: 'hinge'"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err and err.startswith("backprop-verify: error:"), err
    if "--json" in argv:  # the refusal as a JSON object, and nothing else, on stdout
        refusal = json.loads(out)
        assert refusal["cause"] == "usage" and message.split(" (hint: ")[0] in refusal["error"]
    else:
        assert out == ""


def test_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for word in ("question", "seed", "derive", "check", "zoo", "exit status", "examples"):
        assert word in out


def test_python_dash_m_runs_the_same_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "verification", "--json"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == {"chain": "mse", "shortcut": "bce"}
