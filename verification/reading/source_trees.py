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
    try:
        text = inspect.getsource(obj)
    except (OSError, TypeError):
        return None
    for attempt in (text, _comments_blanked(text)):
        try:
            return ast.parse(textwrap.dedent(attempt))
        except (SyntaxError, ValueError):  # IndentationError is a SyntaxError
            continue
    return None


def _comments_blanked(text: str) -> str:
    """``text`` with each line that holds only a comment made empty."""
    return "".join("\n" if line.lstrip().startswith("#") else line for line in text.splitlines(keepends=True))
