"""The loader runs a script's definitions and nothing else: no training, no plotting, no side effects."""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.reading.missing import MissingModule
from verification.reading.python2 import python2_builtins
from verification.reading.source_trees import source_file
from verification.reading.targets import SeveralNetworks, load_target, parse_target

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


def test_a_class_defined_again_is_one_class_where_its_last_definition_is(tmp_path: Path) -> None:
    """A notebook's cell run again with changes defines the class twice; the second is the one in
    effect, and the file holds one class, not two of one name."""
    source = "class Net:\n    pass\n\n\ndef f():\n    pass\n\n\nclass Net:\n    x = 1\n"
    script = load_script(write(tmp_path, source))
    assert script.defined_names() == ["f", "Net"]
    assert script.module.Net.x == 1


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


def test_one_import_statement_of_several_modules_binds_those_that_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        import numpy as np, surely_not_an_installed_module as skld
        from math import sqrt, surely_not_a_name_in_math
        def f(x):
            return np.sum(x) * sqrt(4)
        """,
    )
    script = load_script(path)
    assert script.module.f([1, 2]) == 6  # numpy itself, not a placeholder for the statement
    assert set(script.failed_imports) == {"skld", "surely_not_a_name_in_math"}


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
        ("class A:\n    x = 1 / 0\n", r"line 1: A could not be defined: its class statement raised Zero"),
        ("def A(x=UNDEFINED):\n    pass\n", r"line 1: A could not be defined: its def raised NameError"),
    ],
    ids=["syntax-error", "class-body-raises", "default-undefined"],
)
def test_bad_scripts_raise_one_line_input_errors(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_target(f"{write(tmp_path, source)}:A")
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


@pytest.mark.parametrize("target", [":Net", "script.py:", ""])
def test_target_needs_a_path_and_a_name_after_a_colon(target: str) -> None:
    with pytest.raises(InputError, match=r"target must be PATH\.py or PATH\.ipynb, optionally :NAME"):
        parse_target(target)


@pytest.mark.parametrize(
    ("target", "parts"),
    [
        ("script.py", ("script.py", None)),
        ("nb.ipynb", ("nb.ipynb", None)),
        ("nb.ipynb:Net", ("nb.ipynb", "Net")),
        ("dir/script.py:Net.backward", ("dir/script.py", "Net.backward")),
        ("C:\\work\\script.py", ("C:\\work\\script.py", None)),
    ],
)
def test_target_is_a_path_with_an_optional_name(target: str, parts: tuple[str, str | None]) -> None:
    assert parse_target(target) == parts


def test_paths_that_are_not_python_scripts_are_refused_saying_what_they_are(tmp_path: Path) -> None:
    source = "class Net:\n    pass\n"
    (tmp_path / "adir.py").mkdir()
    cases = [
        (write(tmp_path, source, "notpy.txt"), r"notpy\.txt is not a Python script: its name must end"),
        (
            write(tmp_path, "This network checks\nnothing.\n", "README"),
            r"README is not a Python script: its name has no \.py or \.ipynb ending and its text does not "
            r"parse as Python 3 \(line 1: invalid syntax\)",
        ),
        (tmp_path / "adir.py", r"adir\.py is a directory, not a Python script"),
        (Path("/dev/null"), r"/dev/null is a character device, not a Python script"),
        (tmp_path / "missing.py", r"file not found: .*missing\.py"),
    ]
    for path, message in cases:
        with pytest.raises(InputError, match=message):
            load_script(path)


def test_a_script_saved_without_a_name_ending_is_read_when_it_parses(tmp_path: Path) -> None:
    """Some repositories keep a script as ``model``, with no ending: its text parses, so it is read."""
    script = load_script(write(tmp_path, "class Net:\n    def f(self):\n        return 2\n", "model"))
    assert script.get("Net")().f() == 2


def test_statements_sharing_a_line_are_listed_once(tmp_path: Path) -> None:
    path = write(tmp_path, "import numpy as np\nx = np.ones(3); y = np.zeros(2)\nprint(x); print(y)\n")
    script = load_script(path)
    assert [(s.line, s.kind) for s in script.skipped] == [(2, "Assign"), (3, "Expr")]
    assert script.skipped_binding("y") is not None


def test_sys_exit_while_loading_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "import sys\nclass Net:\n    sys.exit(3)\n")
    with pytest.raises(InputError, match=r"line 2: loading the definitions called sys\.exit\(3\)"):
        load_script(path)


# --- constants too large to evaluate ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("HUGE = 9 ** 9 ** 9", r"its value could have more than 1,000,000 digits \(9 \*\* 9 \*\* 9\)"),
        ('S = "x" * 10**12', r'more than 10,000,000 characters \("x" \* 10\*\*12\)'),
        ("L = [0] * (10**9)", r"more than 10,000,000 items"),
        ("B = 1 << 10**10", r"more than 1,000,000 digits \(1 << 10\*\*10\)"),
        ("N = 10 ** 6\nM = 7 ** N ** 2", r"more than 1,000,000 digits \(7 \*\* N \*\* 2\)"),
        ('F = f"{1:>999999999}"', r"more than 10,000,000 characters"),
        ('P = "%0999999999d" % 1', r"more than 10,000,000 characters"),
        ("T = ('ab',) * 10**4 * 10**4", r"more than 10,000,000 items"),
    ],
    ids=[
        "power-tower",
        "string-repeat",
        "list-repeat",
        "shift",
        "named-exponent",
        "f-string-width",
        "percent-width",
        "tuple-repeat",
    ],
)
def test_constants_too_large_to_evaluate_are_skipped_with_the_reason(
    tmp_path: Path, line: str, reason: str
) -> None:
    path = write(tmp_path, f"{line}\nOK = (2 ** 100, 'ab' * 1000)\nclass Net:\n    pass\n")
    script = load_script(path)
    last = line.count("\n") + 1
    skipped = script.skipped_binding(line.split("\n")[-1].split(" =")[0])
    assert skipped is not None and skipped.line == last and re.search(reason, skipped.reason), skipped
    assert script.module.OK == (2**100, "ab" * 1000), "a constant of modest size is still run"
    with pytest.raises(InputError, match=rf"line {last}: .* is set by a top-level statement the loader"):
        script.get(skipped.names[0])


# --- a skipped line never makes a later one fail ---------------------------------------------------


def test_a_constant_reading_a_skipped_name_is_skipped_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        import numpy as np
        y = np.array([100.0, 200.0])
        y = y / 100
        z = y * 2
        w = 3
        class Net:
            pass
        """,
    )
    script = load_script(path)
    assert [(s.line, s.reason) for s in script.skipped] == [
        (2, "its value calls something"),
        (3, "reads 'y', set by line 2, which was not run"),
        (4, "reads 'y', set by line 3, which was not run"),
    ]
    assert script.module.w == 3 and script.get("Net").__name__ == "Net"
    with pytest.raises(InputError, match=r"line 4: 'z' is set by a top-level statement the loader does not"):
        script.get("z")


def test_a_name_bound_again_by_a_kept_statement_is_usable_again(tmp_path: Path) -> None:
    path = write(tmp_path, "import numpy as np\ny = np.ones(2)\ny = 5\nz = y * 2\n")
    assert load_script(path).module.z == 10


def test_a_kept_statement_that_raises_is_recorded_and_taints_what_reads_it(tmp_path: Path) -> None:
    path = write(tmp_path, "x = 1 / 0\ny = x + 1\nk = {}['missing']\nclass Net:\n    pass\n")
    script = load_script(path)
    assert [(s.line, s.reason) for s in script.skipped] == [
        (1, "raised ZeroDivisionError: division by zero"),
        (2, "reads 'x', set by line 1, which raised"),
        (3, "raised KeyError: 'missing'"),
    ]
    assert script.get("Net").__name__ == "Net"
    with pytest.raises(InputError, match=r"line 1: x could not be defined: its assignment raised Zero") as e:
        script.get("x")
    assert e.value.hint == "fix that line, or check another class or function"


def test_a_class_whose_base_comes_from_a_failed_import_fails_only_when_asked_for(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        import surely_missing_torch.nn as nn
        class TorchNet(nn.Module):
            pass
        class Net:
            def forward(self, x):
                return x
            def backward(self, x, y):
                return {}
        """,
    )
    script, cls = load_target(str(path))
    assert cls.__name__ == "Net", "the one class with forward and backward that could be defined"
    assert script.skipped[0].kind == "ClassDef" and script.skipped[0].names == ("TorchNet",)
    with pytest.raises(
        InputError,
        match=r"line 2: TorchNet could not be defined: its class statement raised InputError: the code under "
        r"check uses 'surely_missing_torch\.nn', whose import failed \(ModuleNotFoundError",
    ) as e:
        script.get("TorchNet")
    assert e.value.hint == (
        "install the module 'surely_missing_torch' where backprop-verify runs, "
        "or check code that does not need it"
    )


# --- targets without a NAME ------------------------------------------------------------------------


def test_a_script_with_one_class_needs_no_name(tmp_path: Path) -> None:
    path = write(tmp_path, "def helper():\n    pass\nclass Anything:\n    pass\n")
    assert load_target(str(path))[1].__name__ == "Anything"


def test_a_helper_class_beside_a_network_of_functions_is_not_the_network(tmp_path: Path) -> None:
    """A data class with no method a network has (``Preprocessor.transform``) is passed over when
    the file's backward function is there to check."""
    source = (
        "class Preprocessor:\n    def transform(self, x):\n        return x\n"
        "def forward(x, W1):\n    return x @ W1\ndef backward(x, y, W1):\n    return {}\n"
    )
    assert load_target(str(write(tmp_path, source)))[1].__name__ == "backward"


def test_of_several_classes_the_one_with_forward_and_backward_is_chosen(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        class Layer:
            def forward(self, x):
                return x
        class Base:
            def backward(self, x, y):
                return {}
        class Net(Base):
            def feedforward(self, x):
                return x
        """,
    )
    assert load_target(str(path))[1].__name__ == "Net", "inherited methods count"


def test_exception_classes_are_never_the_network(tmp_path: Path) -> None:
    """``class InvalidGradError(Exception)`` beside the network class is raised, not checked."""
    source = (
        "class InvalidGradError(Exception):\n    pass\n"
        "class IncreasingCostError(ValueError):\n    def __init__(self, cost):\n        self.cost = cost\n"
        "class Backprop:\n    def run(self, x):\n        return x\n"
    )
    assert load_target(str(write(tmp_path, source)))[1].__name__ == "Backprop"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "class A:\n    pass\nclass B:\n    pass\n",
            r"defines 2 classes \(none with both forward and backward: A, B\); say which to check",
        ),
        (
            "class A:\n    def forward(self): pass\n    def backward(self): pass\nclass B(A):\n    pass\n",
            r"defines 2 classes \(with forward and backward methods: A, B\); say which to check",
        ),
    ],
    ids=["no-class-fits", "two-classes-fit"],
)
def test_ambiguous_scripts_are_refused_listing_the_candidates(
    tmp_path: Path, source: str, message: str
) -> None:
    path = write(tmp_path, source)
    with pytest.raises(InputError, match=message) as e:
        load_target(str(path))
    assert e.value.hint is not None and e.value.hint.startswith(f"name it after the path, e.g. {path}:")


@pytest.mark.parametrize(
    ("names", "several"), [(("TwoLayerNet", "DeepNet"), True), (("NeuroLayer", "Sigmoid"), False)]
)
def test_several_classes_alike_are_all_checked_only_when_named_like_networks(
    tmp_path: Path, names: tuple[str, str], several: bool
) -> None:
    """Two classes with forward and backward methods, neither making the other: named like networks,
    each is checked (:class:`SeveralNetworks` lists them); named like layers, the refusal asks which."""
    body = "    def forward(self, x):\n        return x\n    def backward(self, x, y):\n        return {}\n"
    path = write(tmp_path, "".join(f"class {n}:\n{body}" for n in names))
    with pytest.raises(InputError, match="say which to check") as e:
        load_target(str(path))
    assert isinstance(e.value, SeveralNetworks) == several
    if several:
        assert e.value.names == list(names)  # type: ignore[attr-defined]


def test_of_two_classes_that_fit_the_one_whose_code_makes_the_other_is_the_network(tmp_path: Path) -> None:
    """``PerceptronLayer`` and ``MultiLayerPerceptron`` both have forward and backward methods, both
    named like a network; the one whose methods make the other (its layers) is the network. A subclass
    naming its base only as a base is no such network (the listing above)."""
    path = write(
        tmp_path,
        """\
        class PerceptronLayer:
            def forward(self, x):
                return x
            def backward(self, d):
                return d
        class MultiLayerPerceptron:
            def __init__(self, sizes):
                self.layers = [PerceptronLayer() for _ in sizes]
            def forward(self, x):
                return x
            def backward(self, x, y):
                return {}
        """,
    )
    assert load_target(str(path))[1].__name__ == "MultiLayerPerceptron"


def test_classes_chained_by_the_scripts_own_loop_leave_the_loop_to_check_though_one_makes_another(
    tmp_path: Path,
) -> None:
    """The NNFS layout: a combined softmax and loss class makes a softmax object of the file's own, and
    the script's loop chains the layers: the loop is checked, not the class that makes another."""
    path = write(
        tmp_path,
        """\
        import numpy as np
        class Dense:
            def __init__(self, n_in, n_out):
                self.weights = np.zeros((n_in, n_out))
            def forward(self, x):
                self.output = x @ self.weights
            def backward(self, d):
                self.dweights = d
        class Softmax:
            def forward(self, x):
                self.output = x
            def backward(self, d):
                self.dinputs = d
        class SoftmaxLoss:
            def __init__(self):
                self.activation = Softmax()
            def forward(self, x, y):
                self.activation.forward(x)
            def backward(self, d, y):
                self.dinputs = d
        X = np.zeros((4, 2))
        y = np.zeros(4, dtype=int)
        dense = Dense(2, 3)
        head = SoftmaxLoss()
        for epoch in range(10):
            dense.forward(X)
            head.forward(dense.output, y)
            head.backward(head.activation.output, y)
            dense.backward(head.dinputs)
            dense.weights -= 0.1 * dense.dweights
        """,
    )
    assert load_target(str(path))[1] is None


def test_functions_without_a_backward_one_leave_the_script_itself_to_check(tmp_path: Path) -> None:
    path = write(tmp_path, "def forward(x):\n    pass\ndef f(x):\n    pass\n")
    assert load_target(str(path))[1] is None, "no name: the script's training loop is read instead"


def test_a_single_backward_function_needs_no_name(tmp_path: Path) -> None:
    path = write(tmp_path, "def forward(x, W1):\n    return x @ W1\ndef backward(x, y, W1):\n    return {}\n")
    assert load_target(str(path))[1].__name__ == "backward"


def test_a_script_without_class_or_function_is_refused_with_the_explicit_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        import numpy as np
        X = np.random.rand(4, 3)
        W1 = np.random.randn(3, 5)
        lr = 0.1
        for i in range(100):
            W1 -= lr * X.T @ (X @ W1)
        """,
    )
    from verification.adapters.detection import adapt

    script, code = load_target(str(path))
    assert code is None
    with pytest.raises(InputError, match=r"defines no class or function to check, and no training loop") as e:
        adapt(code, script=script)
    assert e.value.hint == (
        f"check it in the explicit form: backprop-verify check {path} --setup 'import numpy as np; "
        "X = np.random.rand(4, 3); W1 = np.random.randn(3, 5)' --forward EXPR --gradient EXPR "
        "(or --step STMT for a step that updates the weights in place)"
    )
    with pytest.raises(InputError, match=r"line 5: 'W1' is set by a top-level statement .* \(a loop\)") as e:
        load_target(f"{path}:W1")
    assert e.value.hint is not None and "--setup" in e.value.hint


def test_only_assignments_to_names_are_run(tmp_path: Path) -> None:
    """A tuple target holding an attribute or an item changes an object the script did not create
    (``json.dumps`` here): not a constant definition, so not run."""
    path = write(
        tmp_path,
        """
        import json
        (A, json.dumps) = (1, None)
        [B, (C, *D)] = (2, (3, 4, 5))
        E, F = G = (6, 7)
        H, ITEMS[0] = 8, 9
        """,
    )
    script = load_script(path)
    import json

    assert json.dumps is not None and script.module.json.dumps is json.dumps
    assert (script.module.B, script.module.C, script.module.D) == (2, 3, [4, 5])
    assert (script.module.E, script.module.F, script.module.G) == (6, 7, (6, 7))
    skipped = {s.line: s.reason for s in script.skipped}
    assert skipped == {3: "an assignment to an attribute or item", 6: "an assignment to an attribute or item"}
    assert not hasattr(script.module, "A") and not hasattr(script.module, "H")


def test_a_module_beside_the_script_gets_no_bytecode_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    (tmp_path / "helpers_beside_the_script.py").write_text("SCALE = 3\n", encoding="utf-8")
    path = write(tmp_path, "from helpers_beside_the_script import SCALE\ndef f(x):\n    return SCALE * x\n")
    assert load_script(path).module.f(2) == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["helpers_beside_the_script.py", "script.py"]
    import sys

    assert sys.dont_write_bytecode is False, "the loader left bytecode writing switched off"


def test_a_class_deriving_from_a_failed_import_directly_gets_a_stand_in_base(tmp_path: Path) -> None:
    """``from layer import Layer; class Dense(Layer)``: layer files import their base from a sibling."""
    path = write(
        tmp_path,
        """\
        from surely_missing_layer import Layer
        class Dense(Layer):
            def forward(self, x):
                return 2 * x
        class Conv(Layer):
            pass
        """,
    )
    script = load_script(path)
    dense = script.get("Dense")
    assert dense.__bases__ == script.get("Conv").__bases__, "one stand-in per failed name"
    assert dense().forward(3) == 6
    assert [b.__name__ for b in dense.__mro__] == ["Dense", "Layer", "object"]
    assert "stand-in" in (dense.__mro__[1].__doc__ or "")
    assert script.failed_imports == {"Layer": "ModuleNotFoundError: No module named 'surely_missing_layer'"}


def test_a_script_inside_a_package_imports_its_siblings_through_the_package(tmp_path: Path) -> None:
    """src/ai/network.py with ``from ai.helpers import …``: the folder holding the package is searched
    too, as ``python -m ai.network`` run from src would."""
    package = tmp_path / "src" / "ai"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "helpers.py").write_text("def double(v):\n    return 2 * v\n", encoding="utf-8")
    (package / "network.py").write_text(
        "from ai.helpers import double\n\ndef f(v):\n    return double(v)\n", encoding="utf-8"
    )
    script = load_script(package / "network.py")
    assert script.module.f(3) == 6 and not script.failed_imports


def test_a_module_that_imports_its_own_package_by_name_finds_it_above_its_folder(tmp_path: Path) -> None:
    """fnn/network.py with ``from fnn import helpers`` (no dot in the module): the folder above the
    package is searched, as running a driver beside the package would."""
    package = tmp_path / "fnn"
    package.mkdir()
    (package / "helpers.py").write_text("def double(v):\n    return 2 * v\n", encoding="utf-8")
    (package / "network.py").write_text(
        "from fnn import helpers\n\ndef f(v):\n    return helpers.double(v)\n", encoding="utf-8"
    )
    script = load_script(package / "network.py")
    assert script.module.f(3) == 6 and not script.failed_imports


def test_a_module_beside_it_that_imports_a_missing_library_is_imported_with_a_stand_in(
    tmp_path: Path,
) -> None:
    """``from linear import forward``, where linear.py imports a library this machine lacks for its data
    loading and plotting: the module is imported with a stand-in for it, its other functions run, a use
    of the library names it, and the report lists it; a library the file itself imports is missing
    as before."""
    (tmp_path / "linear.py").write_text(
        "import numpy as np\nimport surely_missing_h5\nfrom surely_missing_plots.pyplot import plot\n\n"
        "def forward(W, A):\n    return W @ A\n\n"
        "def load():\n    return surely_missing_h5.File('data.h5')\n",
        encoding="utf-8",
    )
    (tmp_path / "model.py").write_text(
        "import surely_missing_direct\nfrom linear import forward, load\n\n"
        "def f(v):\n    return forward(v, v)\n",
        encoding="utf-8",
    )
    script = load_script(tmp_path / "model.py")
    assert script.module.f(np.eye(2) * 3).tolist() == [[9.0, 0.0], [0.0, 9.0]]
    with pytest.raises(InputError, match="surely_missing_h5"):
        script.module.load()
    assert set(script.failed_imports) == {
        "surely_missing_direct",
        "surely_missing_h5",
        "surely_missing_plots",
    }
    assert "surely_missing_h5" not in sys.modules  # the stand-ins are taken out again


def test_a_submodule_the_projects_package_lacks_is_stood_in_for(tmp_path: Path) -> None:
    """``from kitpkg.utils import *``, where ``kitpkg/utils.py`` imports ``kitpkg.fast`` (a compiled
    extension in the course's repository, absent from the copy): utils is imported with a stand-in
    for ``kitpkg.fast`` alone, listed by its full name; a module of the package that is itself
    missing still fails as before."""
    package = tmp_path / "kitpkg"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "utils.py").write_text(
        "from kitpkg.fast import *\n\ndef triple(v):\n    return 3 * v\n", encoding="utf-8"
    )
    (package / "models" / "net.py").write_text(
        "from kitpkg.utils import *\nfrom kitpkg.absent import thing\n\ndef f(v):\n    return triple(v)\n",
        encoding="utf-8",
    )
    script = load_script(package / "models" / "net.py")
    assert script.module.f(2) == 6
    assert set(script.failed_imports) == {"kitpkg.fast", "thing"}
    assert "No module named 'kitpkg.absent'" in script.failed_imports["thing"]
    assert "kitpkg.fast" not in sys.modules


@pytest.mark.parametrize("appended", ["'../common'", "os.path.join(os.pardir, 'common')"])
def test_folders_the_script_puts_on_the_path_itself_are_searched(tmp_path: Path, appended: str) -> None:
    """``sys.path.append('../common')`` at the top of a book's chapter script, then ``from helpers
    import triple``: the folder is read from the script's own, where its author ran it."""
    (tmp_path / "common").mkdir()
    (tmp_path / "chapter").mkdir()
    (tmp_path / "common" / "helpers_for_path.py").write_text(
        "def triple(v):\n    return 3 * v\n", encoding="utf-8"
    )
    script = tmp_path / "chapter" / "net.py"
    script.write_text(
        f"import os, sys\nsys.path.append({appended})\nfrom helpers_for_path import triple\n\n"
        "def f(v):\n    return triple(v)\n",
        encoding="utf-8",
    )
    loaded = load_script(script)
    assert loaded.module.f(2) == 6 and not loaded.failed_imports
    sys.modules.pop("helpers_for_path", None)


def test_a_missing_progress_bar_lets_the_loop_it_wraps_run(tmp_path: Path) -> None:
    """alive_progress and progressbar are not installed here: the bar shows nothing, wraps nothing, and
    the loop runs as written; the failed import is still listed."""
    path = tmp_path / "bars.py"
    path.write_text(
        "import progressbar\nfrom alive_progress import alive_bar\n\n"
        "def total(n):\n"
        "    bar = progressbar.ProgressBar(maxval=n).start()\n"
        "    s = 0\n"
        "    with alive_bar(n) as tick:\n"
        "        for i in progressbar.progressbar(range(n)):\n"
        "            s += i\n"
        "            bar.update(i)\n"
        "            tick()\n"
        "    return s\n",
        encoding="utf-8",
    )
    script = load_script(path)
    assert script.module.total(4) == 6
    assert "a progress bar, run without its display" in script.failed_imports["progressbar"]


def test_the_local_a_function_returns_with_is_read_and_a_missing_one_named(tmp_path: Path) -> None:
    """A forward pass that prints its output: its local ``final`` as it returns, through the reader
    every loaded script holds; a local it never sets is an error naming it."""
    from verification.reading.local_output import LOCAL_READER

    path = tmp_path / "prints.py"
    path.write_text("def query(v):\n    final = [2 * a for a in v]\n    print(final)\n", encoding="utf-8")
    module = load_script(path).module
    read = getattr(module, LOCAL_READER)
    assert read(module.query, "final", [1.0, 2.0]) == [2.0, 4.0]
    with pytest.raises(InputError, match=r"query returned without setting 'hidden'"):
        read(module.query, "hidden", [1.0])


def test_a_definition_with_a_syntax_error_is_left_out_and_named(tmp_path: Path) -> None:
    """A slip in one function (two statements on one line) leaves that function out, its lines blank
    so that the others keep their numbers; asking for it names the syntax error; a file whose every
    definition is broken is refused with the error."""
    source = (
        "import numpy as np\n\n\ndef train(X, y):\n    return X\n\n\n"
        "def predict(X):\n    a = 1 b = 2\n    return a\n\n\nclass Net:\n    pass\n"
    )
    path = write(tmp_path, source)
    script = load_script(path)
    assert script.defined_names() == ["train", "Net"]
    assert script.source is not None
    assert script.source.unparsed == ("line 9: invalid syntax; def predict (lines 8–12) left out",)
    with pytest.raises(InputError, match=r"line 9: invalid syntax; def predict \(lines 8–12\)$"):
        script.get("predict")
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: syntax error"):
        load_script(tmp_path / "broken.py")


def test_fstrings_of_python_3_12_that_reuse_their_quotes_are_read(tmp_path: Path) -> None:
    """``f"{"Expected":>{w}}"`` and ``f"…{f"{name}.npz"}…"`` (PEP 701) parse only on Python 3.12 and
    later: on this parser they are rewritten with the other quote inside, and the class that holds them
    loads (it was left out as a syntax error, and the file refused)."""
    source = (
        "class Report:\n"
        "    def header(self, w):\n"
        '        return f"{"Expected":>{w}} | {"Predicted":>{w}}"\n'
        "    def path(self, name):\n"
        '        return f"missing: {f"{name}.npz"} {{kept}}"\n'
    )
    report = load_script(write(tmp_path, source)).get("Report")()
    assert report.header(9) == " Expected | Predicted"
    assert report.path("w") == "missing: w.npz {kept}"


def test_python2_builtins_in_a_script_that_parses_as_python3_are_read_as_python3s(tmp_path: Path) -> None:
    """``for i in xrange(n)`` parses as Python 3 and raises when run: ``xrange`` is read as ``range`` (and
    a name the script binds itself is left alone), and the report says so."""
    source = (
        "import numpy as np\n\n\nclass Net:\n    def __init__(self, sizes):\n"
        "        self.W = [np.random.randn(m, n) for n, m in zip(sizes[:-1], sizes[1:])]\n\n"
        "    def forward(self, x):\n        self.a = [x]\n        for i in xrange(len(self.W)):\n"
        "            self.a.append(1 / (1 + np.exp(-(self.W[i] @ self.a[-1]))))\n"
        "        return self.a[-1]\n\n"
        "    def backward(self, x, y):\n        a = self.forward(x)\n        d = a - y\n"
        "        g = [None] * len(self.W)\n        for i in reversed(xrange(len(self.W))):\n"
        "            g[i] = d @ self.a[i].T\n            if i:\n"
        "                d = (self.W[i].T @ d) * self.a[i] * (1 - self.a[i])\n        return g\n"
    )
    path = tmp_path / "net2.py"
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    assert "Python 2 builtins read as Python 3's: xrange as range" in report.result.notes
    assert python2_builtins(ast.parse("xrange = range\nfor i in xrange(3): pass")) == {}


@pytest.mark.parametrize("shadowed", [False, True])
def test_a_module_file_at_the_projects_root_is_found_from_a_folder_below_it(
    tmp_path: Path, shadowed: bool
) -> None:
    """``models/net.py`` importing ``from helpers_root import sigmoid``, with ``helpers_root.py`` at the
    project's root (as the project runs it, from there): found. A file at the root named like a module
    Python finds anyway (``colorsys.py``) never shadows that module."""
    (tmp_path / "models").mkdir()
    name = "colorsys" if shadowed else "helpers_root"
    (tmp_path / f"{name}.py").write_text("def sigmoid(z):\n    return 'from the root'\n", encoding="utf-8")
    script = tmp_path / "models" / "net.py"
    script.write_text(f"from {name} import sigmoid\n\n\ndef f():\n    return sigmoid\n", encoding="utf-8")
    loaded = load_script(script)
    if shadowed:  # the standard library's colorsys has no sigmoid: the import fails, and is said so
        assert isinstance(loaded.module.__dict__["sigmoid"], MissingModule)
    else:
        assert loaded.module.__dict__["sigmoid"](0) == "from the root"


def test_a_function_wrapped_at_top_level_is_kept_and_a_call_of_the_script_is_not(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        import functools
        import numpy as np
        class Net:
            def forward(self, z):
                return sigmoid_vec(z)
        def sigmoid(z):
            return 1.0 / (1.0 + np.exp(-z))
        def scaled(z, k):
            return k * z
        sigmoid_vec = np.vectorize(sigmoid)
        double = functools.partial(scaled, k=2.0)
        data = np.vectorize(sigmoid)(np.zeros(3))
        made = np.vectorize(make_function())
        """,
    )
    script = load_script(path)
    assert script.get("Net")().forward(np.zeros(2)).tolist() == [0.5, 0.5]
    assert script.get("double")(3.0) == 6.0
    assert [(s.line, s.reason) for s in script.skipped] == [
        (12, "its value calls something"),
        (13, "its value calls something"),
    ]


def test_a_module_the_code_uses_and_this_machine_lacks_is_named_with_where_to_install_it(
    tmp_path: Path,
) -> None:
    # the forward pass calls a function of a module that is not installed: the refusal names the
    # module and says to install it where the check runs, since the code under check runs there
    path = write(
        tmp_path,
        """\
        import numpy as np
        import surely_missing_scipy.special as sp
        class Net:
            def __init__(self):
                self.W = np.ones((3, 2))
            def forward(self, x):
                return sp.expit(x @ self.W)
            def backward(self, x, y):
                return {"W": x.T @ (self.forward(x) - y)}
        """,
    )
    with pytest.raises(InputError, match=r"uses 'surely_missing_scipy\.special', whose import failed") as e:
        check_target(CheckRequest.parse(str(path)))
    assert e.value.hint == (
        "install the module 'surely_missing_scipy' where backprop-verify runs, "
        "or check code that does not need it"
    )


def test_a_base_class_of_the_network_is_no_network_of_its_own(tmp_path: Path) -> None:
    # a mixin of helpers with a backward-like method and a name like a network's, and the network that
    # derives from it: the network is checked, not each as one of several networks
    path = write(
        tmp_path,
        """\
        class NeuralNetMixin:
            def linear_forward(self, A, W, b):
                return W @ A + b
            def relu_backward(self, dA, cache):
                return dA
        class DeepNeuralNetwork(NeuralNetMixin):
            def forward_pass(self, X):
                return X
            def backward_pass(self, AL, Y, caches):
                return {}
        """,
    )
    assert load_target(str(path))[1].__name__ == "DeepNeuralNetwork"


def test_the_source_file_of_a_class_whose_module_is_gone_is_unknown_not_an_error() -> None:
    """A class of a module no longer in ``sys.modules`` (a project's ``nn.py`` loaded beside a script
    and taken back): :func:`inspect.getsourcefile` raises TypeError ("is a built-in class"), which
    ended a check as an internal error."""
    made = type("NN", (), {"__module__": "a_module_that_is_gone"})
    assert source_file(made) is None
    assert (
        source_file(test_the_source_file_of_a_class_whose_module_is_gone_is_unknown_not_an_error) == __file__
    )
