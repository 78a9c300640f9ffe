"""Reports that fit the terminal: its width, lines wrapped to it, shell commands continued with ``\\``.

The width is the one ``argparse`` and ``shutil`` use: the ``COLUMNS`` environment variable when set,
else the width of the terminal on standard output, else 80 (a pipe or a file, so a log reads as the
terminal did). It is never taken below :data:`MIN_WIDTH`, where wrapping would cost more lines than it
saves. Reports are composed as logical lines and fitted here, so that no line is wider than the width
unless it holds one word (a path, a quoted argument) longer than that. A line drawn in place (the
progress of a check) is erased with :data:`CLEAR_LINE` before anything else is written on it.
"""

from __future__ import annotations

import shlex
import shutil
import textwrap
from collections.abc import Iterable

DEFAULT_WIDTH = 80
"""The width when neither ``COLUMNS`` nor a terminal says otherwise."""
MIN_WIDTH = 60
"""The narrowest width reports are fitted to."""
CLEAR_LINE = "\r\x1b[K"
"""Back to the start of the line and erase it (a carriage return, then ECMA-48's "erase in line",
``CSI K``): what clears a progress line of any length before other text is written there."""
_NO_BREAK = "\u00a0"
HANGING = 2
"""How much further than its first line an indented line's continuation is indented (a line at the
margin is prose: its continuation stays at the margin)."""


def terminal_width() -> int:
    """The width to fit reports to: ``COLUMNS``, else the terminal's, else 80; at least 60.

    Returns
    -------
    int
        Columns (characters).
    """
    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def fit_line(line: str, width: int, continuation: str | None = None, keep: Iterable[str] = ()) -> list[str]:
    """``line`` wrapped at spaces to ``width``; an indented line's continuations are indented
    :data:`HANGING` further than it.

    Words are never broken (a path or a formula stays whole), so a single word longer than the width
    stays on a line of its own.

    Parameters
    ----------
    line : str
        One logical line; its leading spaces are its indent.
    width : int
        Columns.
    continuation : str, optional
        The indent of continuation lines instead (a table's column, say).
    keep : iterable of str
        Phrases never broken across lines (a formula such as ``ℓ = ½ Σ_k (a_k − y_k)²``): one that
        does not fit the rest of a line starts the next.

    Returns
    -------
    list of str
        ``[line]`` when it fits (an empty line included).
    """
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip(" ")))
    if continuation is None:
        continuation = indent + " " * HANGING if indent else ""
    text = line.strip(" ")
    # textwrap breaks at ASCII whitespace only, so a no-break space holds a phrase; the longest first,
    # so that a phrase inside another ("y = 1" in "a − y = 1.7") does not break the longer one
    for phrase in sorted(keep, key=len, reverse=True):
        text = text.replace(phrase, phrase.replace(" ", _NO_BREAK))
    wrapped = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=continuation,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [part.replace(_NO_BREAK, " ") for part in wrapped]


def fit(lines: Iterable[str], width: int, keep: Iterable[str] = ()) -> list[str]:
    """Every line of ``lines`` fitted to ``width``, the phrases ``keep`` unbroken (:func:`fit_line`)."""
    phrases = tuple(keep)
    return [part for line in lines for part in fit_line(line, width, keep=phrases)]


def wrap_command(prefix: str, command: str, width: int) -> list[str]:
    """A shell command after ``prefix``, continued with `` \\`` before an option when it is too wide.

    The lines paste back into a POSIX shell as the one command: each option stays with its value, and
    every line but the last ends in a backslash.

    Parameters
    ----------
    prefix : str
        What precedes the command on its first line, e.g. ``"  as: "``; continuations are indented
        past it by :data:`HANGING`.
    command : str
        The command, quoted for a POSIX shell (``shlex.join``).
    width : int
        Columns.

    Returns
    -------
    list of str
    """
    if len(prefix) + len(command) <= width:
        return [prefix + command]
    words = shlex.split(command)
    chunks: list[list[str]] = [[]]
    for word in words:
        if word.startswith("--") and chunks[-1]:
            chunks.append([])
        chunks[-1].append(word)
    indent = " " * (len(prefix) + HANGING)
    lines = [prefix]
    for chunk in map(shlex.join, chunks):
        start = lines[-1] in (prefix, indent)
        if start or len(lines[-1]) + 1 + len(chunk) + 2 <= width:
            lines[-1] += chunk if start else " " + chunk
        else:
            lines[-1] += " \\"
            lines.append(indent + chunk)
    return lines


def fit_table(rows: list[list[str]], width: int, indent: str = "  ") -> list[str]:
    """Rows of cells, the first row the header, as aligned columns that fit ``width``.

    Each column is as wide as its widest cell. When the middle columns do not fit beside the first,
    they are split into blocks that do, one under the other with a blank line between (as numpy prints
    a wide array); every block repeats the first column, and the last column ends the last block, or
    makes a block of its own when it does not fit there.

    Parameters
    ----------
    rows : list of list of str
        At least two cells per row, all rows of the same length.
    width : int
        Columns.
    indent : str
        Before every line.

    Returns
    -------
    list of str
    """
    n = len(rows[0])
    widths = [max(len(row[i]) for row in rows) + (1 if i == 0 else 2) for i in range(n)]
    start = len(indent) + widths[0]
    blocks: list[list[int]] = [[]]
    used = start
    for i in range(1, n - 1):
        if blocks[-1] and used + widths[i] > width:
            blocks.append([])
            used = start
        blocks[-1].append(i)
        used += widths[i]
    if blocks[-1] and used + widths[-1] - 2 > width:
        blocks.append([])
    blocks[-1].append(n - 1)
    lines: list[str] = []
    for k, block in enumerate(blocks):
        if k:
            lines.append("")
        for row in rows:
            cells = "".join(row[i] if i == n - 1 else f"{row[i]:<{widths[i]}}" for i in block)
            lines.append(f"{indent}{row[0]:<{widths[0]}}{cells}".rstrip())
    return lines
