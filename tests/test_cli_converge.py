"""``backprop-verify converge``: the text report, the JSON fields of DESIGN.md, the figure, and bad
options refused with one line and exit status 2. Small seed counts keep it fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from verification.cli import main
from verification.convergence.report import percent
from verification.convergence.study import run_study


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_has_a_row_per_rule_and_the_notes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "converge", "--seeds", "12", "--first-seed", "3")
    assert code == 0 and err == ""
    study = run_study(seeds=12, first_seed=3)
    assert "seeds 3–14" in out
    for o in study.outcomes:
        row = next(line for line in out.splitlines() if line.startswith(f"  {o.label} "))
        assert percent(float(o.separated.mean())) in row, row
    assert "exact mse equals chain at every seed, bit for bit" in out


def test_json_has_the_design_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys, "converge", "--seeds", "12", "--learning-rates", "0.1,10", "--epochs", "30", "--json"
    )
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert obj["command"] == "converge" and obj["plot"] is None
    assert (obj["seeds"], obj["first_seed"], obj["epochs"], obj["learning_rates"]) == (12, 0, 30, [0.1, 10.0])
    assert [(r["rule"], r["loss"], r["learning_rate"]) for r in obj["rules"]] == [
        (rule, loss, rate)
        for rate in (0.1, 10.0)
        for rule, loss in (("chain", None), ("shortcut", None), ("exact", "mse"), ("exact", "bce"))
    ]
    study = run_study(seeds=12, learning_rates=(0.1, 10.0), epochs=30)
    for r, o in zip(obj["rules"], study.outcomes, strict=True):
        assert {"rule", "learning_rate", "epochs", "seeds", "separated"} <= r.keys()
        assert (r["epochs"], r["seeds"]) == (30, 12)
        assert r["separated"] == float(o.separated.mean()) == r["separated_seeds"] / 12
        for key in ("epochs_to_separate", "final_mse", "final_bce", "final_hidden_slope"):
            assert r[key] is None or set(r[key]) == {"q1", "median", "q3"}, key
        assert len(r["mse_per_epoch"]["median"]) == 31
        if r["rule"] == "shortcut":
            assert r["uphill_mse"]["output_layer"] == {"steps": 0.0, "seeds": 0.0}
            assert r["uphill_mse"]["steps_taken"] == 12 * 30 * 3
        if r["rule"] == "chain":
            assert r["uphill_mse"] is None  # it steps along the mse gradient itself
    assert {(tuple(c["rules"]), c["identical"]) for c in obj["comparisons"] if c["rules"][0] == "chain"} == {
        (("chain", "exact mse"), True)
    }


def test_plot_writes_the_figure(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "study.png"
    code, out, err = _run(
        capsys, "converge", "--seeds", "6", "--epochs", "10", "--learning-rates", "0.1,1", "--plot", str(path)
    )
    assert code == 0 and err == "" and out.rstrip().endswith(f"Figure: {path}")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_is_one_error_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    code, out, err = _run(capsys, "converge", "--seeds", "4", "--plot", "study.png")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "pip install 'backprop-verify[plot]'" in err, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seeds", "0"], "argument --seeds: must be from 1 to 100000, got 0"),
        (["--seeds", "many"], "argument --seeds: expected a whole number, got 'many'"),
        (["--first-seed", "-1"], "argument --first-seed: invalid seed -1"),
        (["--epochs", "0"], "argument --epochs: must be from 1 to 10000, got 0"),
        (["--learning-rates", "0.1,0"], "--learning-rates: learning rates must be finite numbers > 0, got 0"),
        (["--learning-rates", "nan"], "argument --learning-rates: learning rates must be finite numbers > 0"),
        (["--learning-rates", "0.1,x"], "argument --learning-rates: expected numbers separated by commas"),
        (["--learning-rates", "1,1.0"], "argument --learning-rates: learning rate 1.0 is given twice"),
        (["--learning-rates", ",".join(str(k) for k in range(1, 14))], "at most 12 learning rates, got 13"),
        (["--seeds", "100000", "--epochs", "1000"], "seeds × epochs must be ≤ 10,000,000"),
        (["--plot", "study.txt"], "plot path study.txt: the file name must end in .png, .svg, .pdf"),
        (["--plot", "/nonexistent/dir/study.png"], "directory /nonexistent/dir does not exist"),
        (["--method", "central"], "unrecognized arguments for 'converge': --method"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "converge", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("backprop-verify: error:"), err


def test_plot_into_a_directory_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "figure.png"
    folder.mkdir()
    code, out, err = _run(capsys, "converge", "--seeds", "4", "--plot", str(folder))
    assert code == 2 and out == "" and err.count("\n") == 1 and "is a directory" in err, err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: Path("/proc/study.png"), "plot path /proc/study.png: cannot write there: "),
        (lambda tmp: _link(tmp / "full.png", Path("/dev/full")), "full.png is not a regular file (a device,"),
        (lambda tmp: _read_only(tmp / "study.png"), "study.png: cannot write there: Permission denied"),
    ],
    ids=["proc", "symlink-to-dev-full", "read-only-file"],
)
def test_a_figure_that_cannot_be_written_is_refused_before_the_study(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: object, message: str
) -> None:
    """The study would take minutes at its defaults: the figure's path is tried first. 100,000 seeds
    would not end within the test's patience, so a refusal proves nothing trained."""
    import os

    if message.endswith("Permission denied") and os.geteuid() == 0:
        pytest.skip("root writes to read-only files")
    path = make(tmp_path)  # type: ignore[operator]
    code, out, err = _run(capsys, "converge", "--seeds", "100000", "--plot", str(path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("backprop-verify: error: plot path ") and message in err, (
        err
    )


def _link(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _read_only(path: Path) -> Path:
    path.write_bytes(b"")
    path.chmod(0o444)
    return path


def test_converge_is_bounded_in_time_and_memory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "converge", "--seeds", "100000", "--max-memory", "200M")
    assert (code, out) == (2, "")
    assert err.startswith(
        "backprop-verify: error: converge ran out of memory at the limit of 200 MiB (--max-memory)"
    )
    code, out, err = _run(capsys, "converge", "--seeds", "100000", "--timeout", "2")
    assert (code, out) == (2, "")
    assert err == (
        "backprop-verify: error: converge ran longer than the limit of 2 s (--timeout) "
        "(hint: raise --timeout if the code is only slow)\n"
    )


def test_ctrl_c_stops_converge_at_once(tmp_path: Path) -> None:
    """100,000 seeds train for minutes; Ctrl-C ends the command and its child without waiting for the
    threads of the study to finish (before, it took 61.5 s)."""
    import signal
    import subprocess
    import time

    from verification.runs.tree import children

    proc = subprocess.Popen(
        [sys.executable, "-m", "verification", "converge", "--seeds", "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while not children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = children(proc.pid)
    time.sleep(1)  # the study is under way
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)  # well before the study could have ended
    assert (proc.returncode, out, err) == (130, "", "")
    assert not Path(f"/proc/{child}").exists() or " Z " in Path(f"/proc/{child}/stat").read_text()


def test_the_figure_gives_the_separated_fractions_and_draws_the_exact_rules_on_top() -> None:
    pytest.importorskip("matplotlib")
    from verification.convergence.plot import legend_label, study_figure
    from verification.convergence.study import run_study

    study = run_study(seeds=6, epochs=10, learning_rates=(0.1, 1.0))
    fig = study_figure(study)
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        legend_label(o.label, float(o.separated.mean())) for o in study.outcomes if o.learning_rate == 0.1
    ]
    lines = {line.get_label().split(":")[0]: line for line in left.get_lines()}
    for exact, rule in (("exact mse", "chain"), ("exact bce", "shortcut")):
        assert lines[exact].get_zorder() > lines[rule].get_zorder()  # drawn above the rule it coincides with
        assert lines[exact].get_linestyle() == "--" and lines[rule].get_linestyle() == "-"
        assert lines[exact].get_linewidth() < lines[rule].get_linewidth()
    import matplotlib.pyplot as plt

    plt.close(fig)
