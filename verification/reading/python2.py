"""Recognise Python 2 syntax, so that a script written for Python 2 is named as such: it is translated
by 2to3 (:func:`convert_python2`), and refused with what to change only when 2to3 cannot translate it.

Scripts posted online years ago are often Python 2: ``print x``, ``except E, e:``. Python 3 refuses
them with a bare ``SyntaxError`` ("invalid syntax", "Missing parentheses in call to 'print'") that
does not say the file is simply of the older language. :func:`python2_construct` names the construct
on the line where parsing failed; :func:`python2_in_tree` finds the one Python 2 statement that still
parses as Python 3, ``print >>f, x`` (a shift of the ``print`` function, which raises when run).
A script that parses as Python 3 but calls Python 2's builtins (``xrange``, ``raw_input``) gets them as
their Python 3 forms (:func:`python2_builtins`), and the report says so.

The constructs and their Python 3 forms are those of the ``2to3`` fixers (Python documentation,
"2to3 — Automated Python 2 to 3 code translation", fixers ``print``, ``except``, ``repr``, ``exec``,
``numliterals``, ``unicode``, ``ne``, ``raise``, ``long``, ``tuple_params``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ffnn.validation import InputError
from verification.reading.lines import code_of_line


@dataclass(frozen=True)
class Python2Construct:
    """A Python 2 construct found in a script.

    Attributes
    ----------
    name : str
        What it is, e.g. ``print statement``.
    example : str
        The change that makes it Python 3, e.g. ``print x → print(x)``.
    """

    name: str
    example: str


# (pattern on the line with string contents blanked, or None; words of Python's message, or None)
_CONSTRUCTS: tuple[tuple[re.Pattern[str] | None, str | None, Python2Construct], ...] = (
    (
        re.compile(r"^\s*print\s*>>"),
        None,
        Python2Construct("print >>f statement", "print >>f, x → print(x, file=f)"),
    ),
    (None, "call to 'print'", Python2Construct("print statement", "print x → print(x)")),
    (None, "call to 'exec'", Python2Construct("exec statement", 'exec "code" → exec("code")')),
    (
        re.compile(r"^\s*except\s+[^:]*,\s*[A-Za-z_]\w*\s*:"),
        None,
        Python2Construct("except clause with a comma", "except E, e: → except E as e:"),
    ),
    (re.compile(r"`"), None, Python2Construct("backtick repr", "`x` → repr(x)")),
    (None, "leading zeros", Python2Construct("old octal literal", "0777 → 0o777")),
    (re.compile(r"(?<![\w])[uU][rR](\"\"|'')"), None, Python2Construct('ur"" string', 'ur"…" → r"…"')),
    (re.compile(r"<>"), None, Python2Construct("<> operator", "a <> b → a != b")),
    (  # Python 2 reads a tab as up to the next multiple of 8 columns; Python 3 refuses the mix
        None,
        "inconsistent use of tabs and spaces",
        Python2Construct(
            "tabs and spaces mixed in an indentation", "a tab → spaces to the next multiple of 8"
        ),
    ),
    (
        re.compile(r"^\s*raise\s+[\w.]+\s*,"),
        None,
        Python2Construct("raise with a comma", 'raise E, "message" → raise E("message")'),
    ),
    (re.compile(r"\b\d+[lL]\b"), None, Python2Construct("long integer suffix", "10L → 10")),
    (
        None,
        "parameters cannot be parenthesized",
        Python2Construct("tuple parameter", "def f(a, (b, c)): → def f(a, bc): b, c = bc"),
    ),
)


def python2_construct(error: SyntaxError) -> Python2Construct | None:
    """The Python 2 construct that made parsing fail at ``error``'s line, if the line shows one.

    Parameters
    ----------
    error : SyntaxError
        As raised by :func:`ast.parse`; its ``text`` (the offending line) and ``msg`` are read.

    Returns
    -------
    Python2Construct or None
        None when the line is no Python 2 construct known here (an ordinary syntax error).
    """
    line = code_of_line(error.text or "")
    message = error.msg or ""
    for pattern, words, construct in _CONSTRUCTS:
        if (pattern is not None and pattern.search(line)) or (words is not None and words in message):
            return construct
    return None


def python2_in_tree(tree: ast.Module) -> tuple[int, Python2Construct] | None:
    """The first ``print >>f, x`` of a parsed script, with its line: Python 2 that parses as Python 3.

    ``print >>f, x`` is read by Python 3 as the tuple ``(print >> f, x)``, which raises ``TypeError``
    when run; no Python 3 script means it.
    """
    lines = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.RShift)
        and isinstance(node.left, ast.Name)
        and node.left.id == "print"
    ]
    return (min(lines), _CONSTRUCTS[0][2]) if lines else None


def convert_python2(text: str, where: str) -> str:
    """``text`` translated from Python 2 to Python 3 by the standard library's 2to3 (``lib2to3``, every
    default fixer: ``print``, ``xrange``, ``except``, ``dict`` methods …).

    One difference is not translated and the report says so: ``/`` between two integers divides
    exactly in Python 3 (``1 / 2 == 0.5``), where Python 2 floored it.

    Parameters
    ----------
    text : str
        The source.
    where : str
        The file, for messages.

    Raises
    ------
    InputError
        When this Python has no ``lib2to3`` (removed in Python 3.13) or it cannot parse the source.
    """
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lib2to3 announces its deprecation on import
            from lib2to3 import refactor

        fixers = "lib2to3.fixes"
    except ImportError:  # Python 3.13 removed lib2to3; fissix is its maintained copy
        try:
            from fissix import refactor  # type: ignore[no-redef]

            fixers = "fissix.fixes"
        except ImportError:
            raise InputError(
                f"cannot convert {where} from Python 2: this Python has no lib2to3 (removed in Python "
                "3.13) and the fissix package is not installed",
                hint="pip install fissix, or convert it with a 2to3 tool and check the result",
            ) from None
    tool = refactor.RefactoringTool(refactor.get_fixers_from_package(fixers))
    # Python 2 reads a tab in an indentation as up to the next multiple of 8 columns, so it mixes tabs
    # and spaces freely; Python 3 refuses the mix: the indentation is written out in spaces first
    text = "".join(_spaced(line) for line in text.splitlines(keepends=True))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return str(tool.refactor_string(text if text.endswith("\n") else text + "\n", where))
    except Exception as exc:  # lib2to3's parse errors have no common base class
        raise InputError(f"cannot convert {where} from Python 2: {type(exc).__name__}: {exc}") from None


def _spaced(line: str) -> str:
    """``line`` with the tabs of its indentation written as spaces, to the next multiple of 8."""
    indent = len(line) - len(line.lstrip(" \t"))
    return line[:indent].expandtabs(8) + line[indent:]


PYTHON2_BUILTINS = {"xrange": range, "raw_input": input, "unicode": str, "long": int, "basestring": str}
"""Python 2 builtins and the Python 3 builtins that replace them (2to3 fixers ``xrange``,
``raw_input``, ``unicode``, ``long``, ``basestring``)."""


def python2_builtins(tree: ast.Module) -> dict[str, object]:
    """The Python 2 builtins of :data:`PYTHON2_BUILTINS` that ``tree`` reads and never binds itself
    (no assignment, definition or import of that name), by name, as their Python 3 forms."""
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    bound |= {
        (a.asname or a.name).split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    return {k: v for k, v in PYTHON2_BUILTINS.items() if k in read and k not in bound}
