"""Files are read as Python reads them: byte order marks and coding lines, notebooks cell by cell, and
refusals of one line (with what to do) for Python 2, wrong encodings and nesting the parser cannot take."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat
import pytest

from ffnn.validation import InputError
from verification.reading.loader import load_script
from verification.reading.notebooks import strip_ipython
from verification.reading.sizes import size_problem
from verification.reading.sources import Python2Syntax
from verification.reading.statements import is_constant_expression
from verification.reading.targets import load_target

NET = b"class Net:\n    def forward(self, x):\n        return x\n"


def write_bytes(tmp_path: Path, data: bytes, name: str = "script.py") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(call: Any) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    assert "\n" not in str(info.value), f"not one line: {info.value}"
    return info.value


# --- encodings -------------------------------------------------------------------------------------


def test_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"\xef\xbb\xbf# caf\xc3\xa9\nNAME = 'caf\xc3\xa9'\n" + NET)
    script = load_script(path)
    assert script.module.NAME == "café" and script.get("Net").__name__ == "Net"


def test_latin1_file_with_a_coding_line_loads(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n" + NET)
    assert load_script(path).module.NAME == "café"


def test_windows_newlines_load(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, NET.replace(b"\n", b"\r\n") + b"X = 1\r\n")
    assert load_script(path).module.X == 1


def test_file_declaring_utf8_but_written_in_latin1_names_the_file_line_and_encoding(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"# coding: utf-8\nx = 1\nNAME = 'caf\xe9'\n")
    error = refusal(lambda: load_script(path))
    expected = f"{path}, line 3: byte 0xe9 is not valid utf-8 (as its coding line declares)"
    assert str(error).startswith(expected)
    assert error.hint is not None and "coding: latin-1" in error.hint


def test_latin1_file_without_a_coding_line_names_the_utf8_default(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"NAME = 'caf\xe9'\n")
    error = refusal(lambda: load_script(path))
    assert "line 1: byte 0xe9 is not valid utf-8 (Python's default for source files)" in str(error)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"# coding: klingon\nx = 1\n", r"declares the encoding 'klingon', which Python does not"),
        (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", r"byte order mark but its coding line declares 'latin-1"),
    ],
    ids=["unknown-encoding", "bom-contradicts-cookie"],
)
def test_bad_coding_lines_are_named(tmp_path: Path, data: bytes, message: str) -> None:
    path = write_bytes(tmp_path, data)
    with pytest.raises(InputError, match=message) as info:
        load_script(path)
    assert str(path) in str(info.value) and info.value.hint is not None


def test_null_bytes_are_refused(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"x = 1\ny = 2\x00\n")
    with pytest.raises(InputError, match=r"line 2: holds a null byte"):
        load_script(path)


# --- nesting ---------------------------------------------------------------------------------------


def test_a_sum_of_350_terms_at_top_level_is_run(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"TOTAL = " + b" + ".join([b"1"] * 350) + b"\n" + NET)
    assert load_script(path).module.TOTAL == 350


def test_constant_and_size_checks_walk_a_tree_deeper_than_the_recursion_limit() -> None:
    expr: ast.expr = ast.Constant(1)
    for _ in range(20_000):
        expr = ast.BinOp(expr, ast.Add(), ast.Constant(1))
    assert is_constant_expression(expr)
    assert size_problem(expr, {}) is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("X = " + "(" * 300 + "1" + ")" * 300 + "\n", r"line 1: too deeply nested to parse \(too many"),
        ("X = " + "-" * 100_000 + "1\n", r"too deeply nested to parse \(Python's parser ran out of depth\)"),
        ("X = a" + ".b" * 100_000 + "\n", r"too deeply nested to parse"),
        ("".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n", r"too deeply nested"),
    ],
    ids=["parentheses", "unary-minus", "attribute-chain", "indentation"],
)
def test_nesting_the_parser_cannot_take_is_refused_in_one_line(
    tmp_path: Path, source: str, message: str
) -> None:
    path = write_bytes(tmp_path, source.encode())
    with pytest.raises(InputError, match=message) as info:
        load_script(path)
    assert str(info.value).startswith(str(path)) and info.value.hint is not None


def test_a_definition_too_nested_to_compile_is_named_when_asked_for(tmp_path: Path) -> None:
    body = "".join("    " * (i + 1) + f"for i{i} in x:\n" for i in range(25)) + "    " * 26 + "pass\n"
    path = write_bytes(tmp_path, ("def deep(x):\n" + body + "class Net:\n    pass\n").encode())
    script = load_script(path)
    assert script.get("Net").__name__ == "Net"
    with pytest.raises(InputError, match=r"line 1: deep could not be defined: its def does not compile: too"):
        script.get("deep")


# --- Python 2 --------------------------------------------------------------------------------------

PYTHON2 = [
    ("x = 1\nprint x\n", 2, "print statement", "print x → print(x)"),
    ("try:\n    pass\nexcept ValueError, e:\n    pass\n", 3, "except clause with a comma", "except E as e"),
    ("x = `1`\n", 1, "backtick repr", "repr(x)"),
    ('exec "x = 1"\n', 1, "exec statement", 'exec("code")'),
    ("import sys\ndef f():\n    print >>sys.stderr, 'x'\n", 3, "print >>f statement", "print(x, file=f)"),
    ("MODE = 0777\n", 1, "old octal literal", "0o777"),
    ('s = ur"abc"\n', 1, 'ur"" string', 'r"…"'),
    ("if 1 <> 2:\n    pass\n", 1, "<> operator", "a != b"),
]


@pytest.mark.parametrize(
    ("source", "line", "construct", "example"), PYTHON2, ids=[c for _, _, c, _ in PYTHON2]
)
def test_python2_syntax_is_named_with_its_line_and_what_to_do(
    tmp_path: Path, source: str, line: int, construct: str, example: str
) -> None:
    path = write_bytes(tmp_path, source.encode())
    error = refusal(lambda: load_script(path))
    assert str(error) == f"{path}, line {line}: Python 2 syntax ({construct}); this tool runs Python 3"
    assert error.hint is not None and "2to3" in error.hint and example in error.hint


def test_an_ordinary_syntax_error_is_not_called_python2(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"s = '<> and `'  # print x\ny = (\n")
    error = refusal(lambda: load_script(path))
    assert "Python 2" not in str(error) and "line 2: syntax error: '(' was never closed" in str(error)


# --- notebooks -------------------------------------------------------------------------------------


def notebook(tmp_path: Path, *cells: str, name: str = "nb.ipynb", **metadata: Any) -> Path:
    nb = nbformat.v4.new_notebook(metadata=metadata)
    nb.cells = [
        nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbformat.v4.new_code_cell(c)
        for c in cells
    ]
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


NOTEBOOK_CELLS = (
    "md:# A network",
    "%matplotlib inline\n!pip install numpy\nimport numpy as np",
    "%%time\nfor i in range(3):\n    print(i)",
    "X = np.ones((2, 3))\nnp.mean?\nSCALE = 2\nclass Net:\n    def forward(self, x):\n        return SCALE*x",
    "net = Net()\nnet.forward(X)",
)


def test_notebook_code_cells_load_in_order_with_ipython_syntax_dropped(tmp_path: Path) -> None:
    script, cls = load_target(str(notebook(tmp_path, *NOTEBOOK_CELLS)))
    assert cls.__name__ == "Net" and cls().forward(3) == 6
    assert [(script.where(s.line), s.reason) for s in script.skipped] == [
        ("cell 4, line 1", "its value calls something"),
        ("cell 5, line 1", "its value calls something"),
        ("cell 5, line 2", "a call"),
    ], "the %%time cell is dropped whole, magics, shell and help lines are dropped"


def test_notebook_target_takes_a_name(tmp_path: Path) -> None:
    _, cls = load_target(f"{notebook(tmp_path, *NOTEBOOK_CELLS)}:Net")
    assert cls.__name__ == "Net"


def test_notebook_errors_name_the_cell_and_its_line(tmp_path: Path) -> None:
    """A cell that is not Python (notes, pseudo-code) is left out, as Jupyter runs the other cells, and
    named by its cell and line; the cells around it load."""
    path = notebook(tmp_path, "md:text", "import numpy as np", "x = 1\ndef f(:\n    pass", "y = 2")
    script = load_script(path)
    assert script.source is not None and script.source.unparsed == ("cell 3: invalid syntax (line 2)",)
    assert script.module.y == 2 and not hasattr(script.module, "x")
    path = notebook(tmp_path, "x = 1", "y = 2\nprint 'x'", name="py2.ipynb")
    error = refusal(lambda: load_script(path))
    assert "py2.ipynb, cell 2, line 2: Python 2 syntax (print statement)" in str(error)
    assert error.hint is not None and "print(x)" in error.hint
    path = notebook(tmp_path, "z = 1 / 0", name="raises.ipynb")
    with pytest.raises(InputError, match=r"cell 1, line 1: z could not be defined: its assignment raised"):
        load_target(f"{path}:z")


def test_notebooks_that_are_not_python_notebooks_are_refused(tmp_path: Path) -> None:
    kernel = {"language": "R", "name": "ir", "display_name": "R"}
    r_notebook = notebook(tmp_path, "x <- 1", name="r.ipynb", kernelspec=kernel)
    with pytest.raises(InputError, match=r"r\.ipynb is a notebook for R, not Python"):
        load_script(r_notebook)
    broken = write_bytes(tmp_path, b"{not json", "broken.ipynb")
    error = refusal(lambda: load_script(broken))
    assert "broken.ipynb is not a readable Jupyter notebook" in str(error) and error.hint is not None


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ("%matplotlib inline\nx = 1", ["pass", "x = 1"]),
        ("!pip install torch \\\n    numpy\nx = 1", ["pass", "", "x = 1"]),
        ("files = !ls\nt = %timeit -o f()", ["pass", "pass"]),
        ("np.mean?\n??np\n?np", ["pass", "pass", "pass"]),
        ("for i in x:\n    %time f(i)", ["for i in x:", "    pass"]),
        ("x = 1  # why?\ny = x != 2", ["x = 1  # why?", "y = x != 2"]),
        ('s = ("%d"\n     % x)', ['s = ("%d"', "     % x)"]),
        ('s = """Why?\n%not a magic\n!nor this\n"""', ['s = """Why?', "%not a magic", "!nor this", '"""']),
        ("%%bash\nls -l\necho hi", ["pass", "", ""]),
    ],
    ids=[
        "line-magic",
        "shell-continued",
        "assigned-magics",
        "help",
        "indented-magic",
        "comment-question",
        "continued-percent",
        "inside-string",
        "cell-magic",
    ],
)
def test_ipython_syntax_is_dropped_and_python_kept(cell: str, kept: list[str]) -> None:
    assert strip_ipython(cell)[0] == kept


def test_python2_converts_without_lib2to3_through_fissix(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.13 has no lib2to3; its maintained copy fissix (a dependency there) does the work."""
    pytest.importorskip("fissix")
    import sys

    from verification.reading.python2 import convert_python2

    monkeypatch.setitem(sys.modules, "lib2to3", None)
    assert convert_python2('print "a", 1\nfor i in xrange(2): pass\n', "x.py") == (
        'print("a", 1)\nfor i in range(2): pass\n'
    )


def test_python2_indentation_mixing_tabs_and_spaces_is_read_as_python2_reads_it() -> None:
    """Python 2 takes a tab to the next multiple of 8 columns: eight spaces and a tab are one level."""
    from verification.reading.python2 import convert_python2

    text = "def f(x):\n        y = x\n\tif y:\n\t    print y\n        return y\n"
    assert convert_python2(text, "x.py") == (
        "def f(x):\n        y = x\n        if y:\n            print(y)\n        return y\n"
    )


def test_the_report_names_statements_not_run_by_cell_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verification.cli import main

    source = (Path(__file__).resolve().parent.parent / "examples" / "question_chain.py").read_text("utf-8")
    definitions, loop = source.split("nn = NeuralNetwork(30, 5, 3)\n")
    path = notebook(
        tmp_path, "md:# The question's network", definitions, "nn = NeuralNetwork(30, 5, 3)\n" + loop
    )
    assert main(["check", f"{path}:NeuralNetwork"]) == 0
    out = capsys.readouterr().out
    # x and y of cell 2 call numpy; the training loop of cell 3 is a call; its network, also a call, is
    # the one the check's setup builds
    shown = out.split("Not run: top-level statements at ", 1)[1].replace("\n", " ")
    assert shown.startswith("cell 2, line 23; cell 2, line 24; cell 3, line 3;"), out
    said = " ".join(out.split())  # the sentence as one line, however it was wrapped
    run = said.split("Run by the check's setup and step (as: above): top-level statement at ", 1)[1]
    assert run.startswith("cell 3, line 1."), out


def test_a_notebook_saved_under_a_py_name_is_read_as_the_notebook(tmp_path: Path) -> None:
    """Its text is the notebook's JSON, no Python script: the cells are read, and messages name them."""
    saved = notebook(
        tmp_path, "md:notes", "import numpy as np", "def f(x):\n    return 2 * x", name="nb.ipynb"
    )
    path = tmp_path / "downloaded.py"
    path.write_text(saved.read_text(encoding="utf-8"), encoding="utf-8")
    script = load_script(path)
    assert script.module.f(3) == 6
    assert script.source is not None and script.source.where(2) == "cell 3, line 1"


def test_a_file_whose_first_error_is_python2s_mix_of_tabs_and_spaces_is_read_as_python2(
    tmp_path: Path,
) -> None:
    """The first line Python 3 cannot parse mixes a tab with spaces, which only Python 2 reads (a tab to
    the next multiple of 8 columns); its ``print`` statements come later. The file is read as Python 2
    and said to be, never refused as a syntax error."""
    path = tmp_path / "xor.py"
    path.write_text("def f(x):\n        y = x\n\tif y:\n\t    y = 2 * y\n        return y\nprint f(1)\n")
    with pytest.raises(Python2Syntax, match=r"line 3: Python 2 syntax \(tabs and spaces mixed"):
        load_script(path)  # what the check catches, to load the file again as Python 2
    assert load_script(path, python2=True).module.__dict__["f"](1) == 2
