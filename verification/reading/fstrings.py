"""F-strings written for Python 3.12, read on an older Python.

Python 3.12 (PEP 701) lets an f-string's replacement fields reuse the string's own quotes:
``f"{row["name"]}"``, ``f"{"Expected":>{w}}"``, ``f"…{f"{name}.npz"}…"``. Older parsers stop at the
inner quote. :func:`with_older_fstrings` rewrites such f-strings in place, on their own lines, by
giving the quoted strings inside their replacement fields the other kind of quote (``f"{row['name']}"``),
which every Python 3 reads the same way; line and column numbers of everything else are kept.
"""

from __future__ import annotations

import ast
import re
import sys

_START = re.compile(r"(?<![\w'\"])([rR]?[fF][rR]?)(['\"])(?!\2\2)")


def _rewrite_line(line: str) -> str:
    """``line`` with each single-line f-string's inner reuses of its quote turned to the other quote."""
    out: list[str] = []
    i = 0
    while True:
        m = _START.search(line, i)
        if m is None:
            out.append(line[i:])
            return "".join(out)
        quote = m.group(2)
        other = "'" if quote == '"' else '"'
        out.append(line[i : m.end()])
        j, depth = m.end(), 0
        while j < len(line):
            c = line[j]
            if depth == 0 and c == quote:
                break
            if c == "{":
                if depth == 0 and line[j : j + 2] == "{{":
                    out.append("{{")
                    j += 2
                    continue
                depth += 1
            elif c == "}" and depth > 0:
                depth -= 1
            elif c == "\\" and depth == 0:
                out.append(line[j : j + 2])
                j += 2
                continue
            out.append(other if depth > 0 and c == quote else c)
            j += 1
        out.append(line[j : j + 1])
        i = j + 1


def with_older_fstrings(text: str, lines: list[int]) -> str:
    """``text`` with the f-strings on ``lines`` (1-based) rewritten for parsers before Python 3.12."""
    split = text.split("\n")
    for n in lines:
        if 1 <= n <= len(split):
            split[n - 1] = _rewrite_line(split[n - 1])
    return "\n".join(split)


def read_as_312(text: str, limit: int = 40) -> str:
    """``text`` with the f-strings that reuse their quotes inside rewritten for this parser, one failing
    line at a time (at most ``limit``); unchanged on Python 3.12 and later, or when a failure is
    another."""
    if sys.version_info >= (3, 12) or not _START.search(text):
        return text
    for _ in range(limit):
        try:
            ast.parse(text)
            return text
        except (RecursionError, MemoryError, ValueError):  # nesting too deep: the loader says so
            return text
        except SyntaxError as exc:
            if not str(exc.msg).startswith("f-string") or exc.lineno is None:
                return text
            rewritten = with_older_fstrings(text, [exc.lineno])
            if rewritten == text:
                return text
            text = rewritten
    return text
