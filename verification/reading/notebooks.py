"""Read a Jupyter notebook's code as one Python script, keeping where each line came from.

The notebook is read with ``nbformat`` (the Jupyter project's reference reader, format version 4).
Its code cells are joined in order; every line keeps its cell number (counting every cell from 1,
markdown cells included, as a notebook editor shows them) and its line in that cell, so messages can
say "cell 3, line 2". IPython syntax that is not Python is dropped before parsing, as IPython's own
input transformers would consume it (IPython documentation, "IPython reference: magic command
system" and "System shell access"):

* line magics ``%matplotlib inline``, ``%time f()``, and assignments from them (``t = %timeit …``);
* cell magics: a cell whose first line starts with ``%%`` (``%%time``, ``%%bash``) is dropped whole,
  since its body need not be Python;
* shell lines ``!pip install …`` and ``files = !ls``;
* help lines ``np.mean?``, ``??f``.

A dropped line becomes ``pass`` at its indentation, so the blocks around it keep their shape and line
numbers do not move. Lines inside a multi-line string are never dropped.
"""

from __future__ import annotations

import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ffnn.validation import InputError, one_line
from verification.reading.lines import code_of_line

_MAGIC = re.compile(r"^\s*[%!?]|\?\s*$|^\s*[\w.,\s\[\]()]+=\s*[%!]")
"""A line of IPython syntax: starts with ``%``, ``!`` or ``?``, ends with ``?``, or assigns from a
magic or shell command (tested with strings blanked and the comment cut off)."""


@dataclass(frozen=True)
class NotebookCode:
    """The code cells of a notebook joined into one script.

    Attributes
    ----------
    text : str
        The script: code cells in order, IPython syntax replaced by ``pass``, each cell ending in a
        newline.
    origins : tuple of (int, int)
        For line ``i`` (1-based) of ``text``, ``origins[i - 1]`` is ``(cell number, line in cell)``,
        both 1-based.
    dropped : int
        Lines of IPython syntax (magics, shell and help lines, cell-magic cells) dropped.
    unparsed : tuple of str
        Code cells that are not Python (``cell 1: invalid syntax``: notes, pseudo-code), left out as
        blank lines; Jupyter runs the other cells all the same. A cell of Python 2 syntax is kept, for
        the reader to translate.
    """

    text: str
    origins: tuple[tuple[int, int], ...]
    dropped: int
    unparsed: tuple[str, ...] = ()


@dataclass
class _Layout:
    """What tokenizing a cell tells about its lines (0-based numbers)."""

    continuing: set[int]  # lines that begin inside brackets, a multi-line string, or after a backslash
    string_opens: dict[int, int]  # line → column where a multi-line string starts on it


def _layout(source: str) -> _Layout | None:
    """The :class:`_Layout` of ``source``; None when it does not tokenize."""
    lines = source.splitlines()
    layout = _Layout({i + 1 for i, line in enumerate(lines) if line.rstrip().endswith("\\")}, {})
    depth, row = 0, 0  # bracket depth before the first token not yet seen; next row not yet placed
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            first = tok.start[0] - 1
            for r in range(row, first + 1):
                if depth > 0 and r > 0:
                    layout.continuing.add(r)
            row = max(row, first + 1)
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                layout.continuing.update(range(tok.start[0], tok.end[0]))  # rows after the first
                layout.string_opens.setdefault(first, tok.start[1])
                row = max(row, tok.end[0])
            elif tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth = max(0, depth - 1)
    except (tokenize.TokenError, SyntaxError):
        return None
    return layout


def _is_ipython(line: str) -> bool:
    code = code_of_line(line)
    return bool(code.strip()) and bool(_MAGIC.search(code))


def strip_ipython(source: str) -> tuple[list[str], int]:
    """The lines of one code cell with IPython syntax replaced by ``pass``; and how many were.

    Parameters
    ----------
    source : str
        A code cell's source.

    Returns
    -------
    lines : list of str
        As many lines as ``source`` has, without line endings.
    dropped : int
    """
    lines = source.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return ["pass" if i == 0 else "" for i in range(len(lines))], len(lines)
    layout = _layout(source)
    if layout is None:  # a shell line with an odd quote, say: try again without the obvious ones
        obvious = "\n".join("" if re.match(r"\s*[%!?]", line) else line for line in lines)
        layout = _layout(obvious) or _Layout(set(), {})
    out: list[str] = []
    dropped = 0
    continued = False
    for i, line in enumerate(lines):
        code = line[: layout.string_opens[i]] if i in layout.string_opens else line
        if continued or (i not in layout.continuing and _is_ipython(code)):
            indent = line[: len(line) - len(line.lstrip())]
            out.append("" if continued else f"{indent}pass")
            dropped += 1
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return out, dropped


def _read(path: Path) -> Any:
    import nbformat

    errors: dict[str, Any] = {}
    try:
        with warnings.catch_warnings():  # missing cell ids and the like: the code is still readable
            warnings.simplefilter("ignore")
            return nbformat.read(str(path), as_version=4, capture_validation_error=errors)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
    except Exception as exc:  # nbformat's NotJSONError, jsonschema's ValidationError, …
        raise InputError(
            f"{path} is not a readable Jupyter notebook: {one_line(exc)[:160]}",
            hint="open and save it in Jupyter, or export it as a script (jupyter nbconvert --to script)",
        ) from None


def read_notebook(path: Path) -> NotebookCode:
    """The code cells of the notebook at ``path`` as one script (see the module docstring).

    Parameters
    ----------
    path : Path
        A ``.ipynb`` file (nbformat 4, or an older format nbformat converts).

    Raises
    ------
    InputError
        If the file is not a notebook nbformat can read, or its kernel is not Python.
    """
    nb = _read(path)
    language = str(
        nb.get("metadata", {}).get("kernelspec", {}).get("language")
        or nb.get("metadata", {}).get("language_info", {}).get("name")
        or "python"
    )
    if not language.lower().startswith("python"):
        raise InputError(f"{path} is a notebook for {language}, not Python (its kernel's language)")
    lines: list[str] = []
    origins: list[tuple[int, int]] = []
    dropped = 0
    unparsed: list[str] = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        cell_lines, n = strip_ipython("".join(source) if isinstance(source, list) else str(source))
        dropped += n
        problem = _not_python(cell_lines)
        if problem is not None:
            unparsed.append(f"cell {number}: {problem}")
            cell_lines = ["" for _ in cell_lines]
        lines += cell_lines
        origins += [(number, i) for i in range(1, len(cell_lines) + 1)]
    return NotebookCode("".join(f"{line}\n" for line in lines), tuple(origins), dropped, tuple(unparsed))


def _not_python(lines: list[str]) -> str | None:
    """Why a cell's lines are not Python 3 (``invalid syntax``, the parser's message); None when they
    parse, or fail only for Python 2 syntax or depth (the reader's to report)."""
    import ast

    from verification.reading.python2 import python2_construct

    try:
        ast.parse("\n".join(lines))
    except SyntaxError as exc:
        if python2_construct(exc) is not None or "nested" in exc.msg:
            return None
        return f"{one_line(exc.msg)} (line {exc.lineno})"
    except (RecursionError, MemoryError, ValueError):
        return None
    return None
