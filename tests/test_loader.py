"""The loader runs a script's definitions and nothing else: no training, no plotting, no side effects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.subjects.loader import MissingModule, load_script, load_target, parse_target

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def write(tmp_path: Path, source: str, name: str = "script.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_question_script_loads_without_training_or_plotting(capsys: pytest.CaptureFixture[str]) -> None:
    script, cls = load_target(f"{EXAMPLES / 'question_chain.py'}:NeuralNetwork")
    assert cls.__name__ == "NeuralNetwork"
    assert script.defined_names() == ["sigmoid", "sigmoid_derivative", "NeuralNetwork"]
    assert "epoch" not in capsys.readouterr().out, "the training loop ran"
    kinds = {s.kind for s in script.skipped}
    assert {"For", "Expr"} <= kinds, f"training loop and plt.show() must be skipped, got {kinds}"
    assert not hasattr(script.module, "nn"), "the top-level network construction ran"


def test_failed_import_that_is_not_needed_does_not_stop_the_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        import numpy as np
        import surely_not_an_installed_module as plotting
        from another_missing_module import show
        def f(x):
            return np.sum(x)
        """,
    )
    script = load_script(path)
    assert script.module.f([1, 2]) == 3
    assert set(script.failed_imports) == {"plotting", "show"}
    assert isinstance(script.module.plotting, MissingModule)


def test_missing_module_fails_with_one_line_when_used(tmp_path: Path) -> None:
    path = write(tmp_path, "import surely_not_an_installed_module as m\ndef g():\n    return m.plot()\n")
    script = load_script(path)
    with pytest.raises(InputError, match=r"surely_not_an_installed_module.*import failed"):
        script.module.g()


def test_top_level_side_effects_are_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "trained.txt"
    path = write(
        tmp_path,
        f"""
        LR = 0.1
        SIZES = (30, 5, 3)
        act = lambda z: z * 2
        data = open({str(marker)!r}, "w")
        for i in range(3):
            LR = 0.0
        if __name__ == "__main__":
            raise SystemExit("ran main")
        """,
    )
    script = load_script(path)
    assert not marker.exists(), "a call at top level ran"
    assert script.module.LR == 0.1 and script.module.SIZES == (30, 5, 3)
    assert script.module.act(2) == 4
    assert script.skipped_binding("data") is not None and script.skipped_binding("data").line == 5


def test_try_import_idiom_is_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        try:
            import surely_not_an_installed_module as plt
        except ImportError:
            plt = None
        """,
    )
    assert load_script(path).module.plt is None


def test_class_bodies_still_execute(tmp_path: Path) -> None:
    # documented: class bodies and imports run, so check only code you would run
    path = write(tmp_path, "class A:\n    value = 1 + 1\n")
    assert load_script(path).module.A.value == 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(:\n    pass\n", r"line 1: syntax error"),
        ("class A:\n    x = 1 / 0\n", r"line 1: loading the definitions raised ZeroDivisionError"),
        ("def f(x=UNDEFINED):\n    pass\n", r"NameError"),
    ],
    ids=["syntax-error", "class-body-raises", "default-undefined"],
)
def test_bad_scripts_raise_one_line_input_errors(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_script(write(tmp_path, source))
    assert "\n" not in str(info.value)


def test_file_and_name_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_script(tmp_path / "missing.py")
    path = write(tmp_path, "class Net:\n    pass\ndef helper():\n    pass\n")
    with pytest.raises(InputError, match=r"defines no 'Network' \(it defines: Net, helper\)"):
        load_target(f"{path}:Network")


def test_method_targets_are_dotted(tmp_path: Path) -> None:
    path = write(tmp_path, "class Net:\n    def backward(self):\n        return 1\n")
    _, method = load_target(f"{path}:Net.backward")
    assert method.__qualname__ == "Net.backward"


@pytest.mark.parametrize("target", ["script.py", ":Net", "script.py:"])
def test_target_needs_path_and_name(target: str) -> None:
    with pytest.raises(InputError, match=r"PATH\.py:NAME"):
        parse_target(target)


def test_paths_that_are_not_python_scripts_are_refused_saying_what_they_are(tmp_path: Path) -> None:
    source = "class Net:\n    pass\n"
    (tmp_path / "adir.py").mkdir()
    cases = [
        (write(tmp_path, source, "notpy.txt"), r"notpy\.txt is not a Python script: its name must end"),
        (write(tmp_path, source, "noext"), r"noext is not a Python script"),
        (tmp_path / "adir.py", r"adir\.py is a directory, not a Python script"),
        (Path("/dev/null"), r"/dev/null is a character device, not a Python script"),
        (tmp_path / "missing.py", r"file not found: .*missing\.py"),
    ]
    for path, message in cases:
        with pytest.raises(InputError, match=message):
            load_script(path)


def test_statements_sharing_a_line_are_listed_once(tmp_path: Path) -> None:
    path = write(tmp_path, "import numpy as np\nx = np.ones(3); y = np.zeros(2)\nprint(x); print(y)\n")
    script = load_script(path)
    assert [(s.line, s.kind) for s in script.skipped] == [(2, "Assign"), (3, "Expr")]
    assert script.skipped_binding("y") is not None


def test_sys_exit_while_loading_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "import sys\nclass Net:\n    sys.exit(3)\n")
    with pytest.raises(InputError, match=r"line 2: loading the definitions called sys\.exit\(3\)"):
        load_script(path)
