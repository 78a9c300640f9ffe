"""Read a script as Python reads it, and parse it: the file's encoding, a notebook's cells, and the
inputs Python's parser cannot take, each refused with one line naming the file and the line.

* A ``.py`` file is decoded as the interpreter decodes a source file: UTF-8 by default (PEP 3120),
  a UTF-8 byte order mark is skipped (as Windows editors write it), and a coding line on line 1 or 2
  (``# -*- coding: latin-1 -*-``, PEP 263) names another encoding. The encoding is found by
  :func:`tokenize.detect_encoding`, the standard library's implementation of those rules; newlines
  are read as universal newlines, as :func:`importlib.util.decode_source` does.
* A ``.ipynb`` notebook is read by :mod:`verification.reading.notebooks`, and a line number becomes
  "cell N, line M" in every message.
* Parsing refuses, with one line: a syntax error (naming Python 2 syntax, with what to change, when
  that is what it is: :mod:`verification.reading.python2`), and nesting too deep for the parser
  (``RecursionError``, ``MemoryError`` or "too many nested parentheses" from :func:`ast.parse`).
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from ffnn.validation import InputError, one_line
from verification.reading.fstrings import read_as_312
from verification.reading.notebooks import read_notebook
from verification.reading.python2 import (
    Python2Construct,
    convert_python2,
    python2_construct,
    python2_in_tree,
)

SUFFIXES = (".py", ".ipynb")
"""File names the loader reads: Python scripts and Jupyter notebooks."""

TARGET_FORMS = "PATH.py or PATH.ipynb, optionally :NAME"

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")  # PEP 263
_NESTING = ("too many nested parentheses", "too many levels of indentation", "too many statically nested")
_NESTING_HINT = "split the deepest expression or block into named parts (assign pieces to variables)"


@dataclass(frozen=True)
class Source:
    """A script's text as Python reads it, and where its lines came from.

    Attributes
    ----------
    path : Path
        The file.
    text : str
        Decoded source with ``\\n`` newlines (a notebook's code cells joined, IPython syntax dropped).
    origins : tuple of (int, int), or None
        For a notebook, ``(cell number, line in cell)`` of each line of ``text``; None for a script.
    unparsed : tuple of str
        For a notebook, its code cells that are not Python, left out (``cell 1: invalid syntax (line
        2)``).
    """

    path: Path
    text: str
    origins: tuple[tuple[int, int], ...] | None = None
    unparsed: tuple[str, ...] = ()

    def left_out(self, name: str) -> str | None:
        """For a script, why the definition of ``name`` was left out (``line 48: invalid syntax; def
        predict (lines 44–52)``), or None when it was not."""
        found = [u for u in self.unparsed if re.search(rf"(def|class) {re.escape(name)} \(lines", u)]
        return found[0].replace(" left out", "") if found and self.origins is None else None

    def where(self, line: int | None) -> str:
        """``line 12`` for a script, ``cell 3, line 2`` for a notebook; ``""`` when the line is unknown."""
        if line is None or line < 1:
            return ""
        if self.origins is None:
            return f"line {line}"
        if not self.origins:
            return "an empty notebook"
        cell, in_cell = self.origins[min(line, len(self.origins)) - 1]
        return f"cell {cell}, line {in_cell}"

    def at(self, line: int | None) -> str:
        """``PATH, line 12`` (or ``PATH, cell 3, line 2``): the start of a message about that line."""
        where = self.where(line)
        return f"{self.path}, {where}" if where else str(self.path)


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def validate_path(path: Path) -> None:
    """Refuse what is not a readable ``.py`` or ``.ipynb`` file (or a file with no name ending, read
    if it parses as Python), saying what it is instead.

    Raises
    ------
    InputError
        File not found or unreadable; a directory, device, pipe or socket; another file name ending.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a directory, not a Python script ({TARGET_FORMS})")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is {_file_kind(mode)}, not a Python script ({TARGET_FORMS})")
    if path.suffix not in (*SUFFIXES, ""):  # a name with no ending at all is read if it parses
        raise InputError(
            f"{path} is not a Python script: its name must end in .py or .ipynb ({TARGET_FORMS})"
        )


def decode_source(path: Path, raw: bytes) -> str:
    """The text of a Python source file's bytes, decoded as the interpreter decodes them.

    Parameters
    ----------
    path : Path
        For messages.
    raw : bytes
        The file's contents.

    Returns
    -------
    str
        Without a byte order mark, with ``\\n`` newlines.

    Raises
    ------
    InputError
        If the coding line names an encoding Python does not know, contradicts a UTF-8 byte order mark,
        or the bytes are not valid in the encoding in force (the message names the line, the byte and
        the encoding, and whether the coding line or the UTF-8 default declared it).
    """
    cookies = (_COOKIE.match(line) for line in raw.removeprefix(codecs.BOM_UTF8).splitlines()[:2])
    declared = next((m.group(1).decode("ascii") for m in cookies if m), None)
    hint = "save the file as UTF-8, or declare its encoding on line 1 or 2, e.g. # -*- coding: latin-1 -*-"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc):
            raise InputError(
                f"{path}: its coding line declares the encoding {declared!r}, which Python does not know",
                hint="correct the coding line (PEP 263), e.g. # -*- coding: utf-8 -*-",
            ) from None
        if "encoding problem" in str(exc):
            raise InputError(
                f"{path}: starts with a UTF-8 byte order mark but its coding line declares {declared!r}",
                hint="remove the coding line, or make it # -*- coding: utf-8 -*-",
            ) from None
        encoding = "utf-8"  # undecodable bytes on the first two lines: reported below with their line
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        source = "as its coding line declares" if declared else "Python's default for source files"
        raise InputError(
            f"{path}, line {line}: byte 0x{raw[exc.start]:02x} is not valid {encoding} ({source}); "
            "the file is in another encoding",
            hint=hint,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _notebook_text(text: str) -> bool:
    """Whether a ``.py`` file's text is a Jupyter notebook's JSON (``{"cells": …, "metadata": …}``),
    which is no Python script but reads as one notebook."""
    head = text.lstrip()[:1]
    if head != "{" or '"cells"' not in text:
        return False
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("cells"), list)


def read_source(path: str | Path, python2: bool = False) -> Source:
    """Read the script or notebook at ``path`` as Python would read it.

    Parameters
    ----------
    path : str or Path
        A ``.py`` file (any encoding PEP 263 allows) or a ``.ipynb`` notebook.
    python2 : bool
        Translate the text from Python 2 first (:func:`verification.reading.python2.convert_python2`).

    Returns
    -------
    Source

    Raises
    ------
    InputError
        As :func:`validate_path`, :func:`decode_source` and
        :func:`verification.reading.notebooks.read_notebook`; and for a file holding null bytes.
    """
    path = Path(path)
    validate_path(path)
    if path.suffix == ".ipynb":
        notebook = read_notebook(path)
        source = Source(path, notebook.text, notebook.origins, notebook.unparsed)
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
        source = Source(path, decode_source(path, raw))
        if _notebook_text(source.text):  # a notebook saved under a .py name (downloads do this)
            notebook = read_notebook(path)
            source = Source(path, notebook.text, notebook.origins, notebook.unparsed)
        elif not path.suffix:
            _python_without_ending(source)
    if python2:
        source = Source(source.path, convert_python2(source.text, str(path)), source.origins, source.unparsed)
    if "\0" in source.text:
        line = source.text.count("\n", 0, source.text.index("\0")) + 1
        raise InputError(f"{source.at(line)}: holds a null byte; a Python script is text")
    if source.origins is None:
        source = Source(source.path, read_as_312(source.text), source.origins, source.unparsed)
    return _without_broken_definitions(source) if source.origins is None else source


def _python_without_ending(source: Source) -> None:
    """Refuse a file whose name has no ending unless its text parses as Python 3 (a script saved as
    ``model``, as some repositories keep them); a README or a Makefile is refused, naming the line."""
    try:
        ast.parse(source.text)
    except SyntaxError as exc:
        raise InputError(
            f"{source.path} is not a Python script: its name has no .py or .ipynb ending and its text "
            f"does not parse as Python 3 (line {exc.lineno}: {exc.msg}) ({TARGET_FORMS})"
        ) from None


def _without_broken_definitions(source: Source, limit: int = 3) -> Source:
    """``source`` with each top-level function or class that holds a syntax error left out (its lines
    blank, so that the others keep their numbers), listed in :attr:`Source.unparsed` (``line 48:
    invalid syntax; def predict (lines 44–52) left out``), as a notebook's cell that is not Python is: a
    slip in one function the check does not need stops nothing else. Python 2 syntax, nesting too deep
    to parse, and an error outside a definition are left for :func:`parse_source` to refuse; so is a
    file with more than ``limit`` broken definitions."""
    lines = source.text.split("\n")
    unparsed = list(source.unparsed)
    for _ in range(limit):
        try:
            ast.parse("\n".join(lines))
            break
        except (RecursionError, MemoryError):
            return source
        except SyntaxError as exc:
            if exc.lineno is None or any(exc.msg.startswith(w) for w in _NESTING) or python2_construct(exc):
                return source
            block = _definition_around(lines, exc.lineno - 1)
            if block is None:
                return source
            start, end = block
            head = lines[start].strip().split("(")[0].split(":")[0]
            unparsed.append(
                f"line {exc.lineno}: {one_line(exc.msg)}; {head} (lines {start + 1}–{end}) left out"
            )
            lines[start:end] = [""] * (end - start)
    else:
        return source
    if len(unparsed) == len(source.unparsed) or not any(
        re.match(r"(async\s+def|def|class)\s", ln) for ln in lines
    ):
        return source  # nothing broken, or nothing left to check: the syntax error is the refusal
    return Source(source.path, "\n".join(lines), source.origins, tuple(unparsed))


def _definition_around(lines: list[str], index: int) -> tuple[int, int] | None:
    """``(start, end)`` of the top-level ``def`` or ``class`` (with its decorators) that holds line
    ``index``, or None when that line is in no definition."""

    def top(line: str) -> bool:
        return bool(line) and not line[0].isspace() and not line.startswith("#")

    start = index
    while start > 0 and not top(lines[start]):
        start -= 1
    if not re.match(r"(async\s+def|def|class)\s", lines[start]):
        return None
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    end = index + 1
    while end < len(lines) and not top(lines[end]):
        end += 1
    return start, end


class Python2Syntax(InputError):
    """The script is Python 2 (a refusal when it is read as Python 3): ``line`` and the ``construct``
    found, so that a caller can translate it instead (:func:`read_source` with ``python2=True``), and
    ``manual``, how to convert it without this tool."""

    def __init__(self, message: str, *, manual: str, line: int | None, construct: str) -> None:
        super().__init__(
            message, hint=f"check it with --python2 (translated by the standard library's 2to3), or {manual}"
        )
        self.line, self.construct, self.manual = line, construct, manual


def _python2_error(source: Source, line: int | None, construct: Python2Construct) -> Python2Syntax:
    tool = (
        f"with the 2to3 tool (2to3 -w {source.path.name}, shipped with Python up to 3.12)"
        if source.origins is None
        else "cell by cell (the 2to3 tool converts .py files)"
    )
    return Python2Syntax(
        f"{source.at(line)}: Python 2 syntax ({construct.name}); this tool runs Python 3",
        manual=f"convert it {tool}, or by hand: {construct.example}",
        line=line,
        construct=construct.name,
    )


def parse_source(source: Source) -> ast.Module:
    """Parse ``source`` into a module syntax tree.

    Raises
    ------
    InputError
        ``PATH, line N: syntax error: …``; ``…: Python 2 syntax (print statement); …`` with a hint
        to convert it; ``…: too deeply nested to parse (…)`` when the parser runs out of recursion
        depth or memory, or meets more nested brackets or blocks than it takes.
    """
    try:
        tree = ast.parse(source.text, filename=str(source.path))
    except (RecursionError, MemoryError):
        raise InputError(
            f"{source.path}: too deeply nested to parse (Python's parser ran out of depth)",
            hint=_NESTING_HINT,
        ) from None
    except SyntaxError as exc:
        if any(exc.msg.startswith(words) for words in _NESTING):
            raise InputError(
                f"{source.at(exc.lineno)}: too deeply nested to parse ({exc.msg})", hint=_NESTING_HINT
            ) from None
        construct = python2_construct(exc)
        if construct is not None:
            raise _python2_error(source, exc.lineno, construct) from None
        raise InputError(f"{source.at(exc.lineno)}: syntax error: {one_line(exc.msg)}") from None
    found = python2_in_tree(tree)
    if found is not None:
        raise _python2_error(source, *found)
    return tree
