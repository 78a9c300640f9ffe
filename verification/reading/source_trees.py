"""The parsed source of one function, method or class of a loaded script.

``inspect.getsource`` gives a method with its indentation; :func:`textwrap.dedent` removes it unless
a comment sits at column 0 inside the body (code commented out with an editor's shortcut: ``#
self.W = …``), which then keeps every line indented and makes the text unparsable. Comment-only lines
are blanked before dedenting (line numbers are kept), as Python's own tokenizer ignores them.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any


def source_file(obj: Any) -> str | None:
    """The file ``obj`` (a class or function) is defined in, or None when Python cannot say: a built-in,
    or a class whose module is no longer in ``sys.modules`` (a module named like a library's, ``nn``,
    loaded from beside a script and taken back), for which :func:`inspect.getsourcefile` raises."""
    try:
        return inspect.getsourcefile(obj)
    except TypeError:
        return None


def source_tree(obj: Any) -> ast.Module | None:
    """The parsed source of ``obj`` (a function, method or class), or None when it cannot be read or
    parsed.

    Parameters
    ----------
    obj : function, method or class
        Code defined in a file (``inspect.getsource`` must find it).

    Returns
    -------
    ast.Module or None
        A module whose first statement is the ``def`` or ``class``; its line numbers count from 1 at
        the definition's first line (its decorators, if any).
    """
    func = getattr(obj, "__func__", obj)  # a bound method: its function
    key = getattr(func, "__code__", func)  # a function's code object, else the class itself
    try:
        text = _source(key, func)
    except (OSError, TypeError):
        return None
    for attempt in (text, _comments_blanked(text)):
        try:
            return ast.parse(textwrap.dedent(attempt))
        except (SyntaxError, ValueError):  # IndentationError is a SyntaxError
            continue
    return None


_SOURCES: dict[Any, str] = {}
"""Source texts read so far, by code object (or class): the same function is read many times over
while a file is checked, and ``inspect.getsource`` scans its file each time."""


def _source(key: Any, obj: Any) -> str:
    try:
        hit = _SOURCES.get(key)
    except TypeError:  # unhashable: read every time
        return inspect.getsource(obj)
    if hit is None:
        hit = _SOURCES[key] = inspect.getsource(obj)
        if len(_SOURCES) > 4096:  # a long test session loads thousands of files: forget the oldest
            del _SOURCES[next(iter(_SOURCES))]
    return hit


def _comments_blanked(text: str) -> str:
    """``text`` with each line that holds only a comment made empty."""
    return "".join("\n" if line.lstrip().startswith("#") else line for line in text.splitlines(keepends=True))
