"""The lines of the report that say which top-level statements of the file the check did not run.

Loading a script runs its definitions only (:mod:`verification.reading.loader`); its top-level data,
weights and training loop are skipped. A check of a script's training loop then runs the statements it
needs as its own setup and step (the ``as:`` line): the weights' draws, and the loop's body for one pass.
Listing those as "not run" told the reader that the loop the verdict is about was never run. Here a
skipped statement whose code is in the explicit command (compared as :func:`ast.unparse` writes it,
spaces aside), or a loop one of whose body's statements is, is listed as run by the check; the rest as
not run.
"""

from __future__ import annotations

import ast
import re

from verification.reading.loader import LoadedScript
from verification.reading.statements import SkippedStatement

SHOWN = 12
"""At most this many lines are listed in each sentence; more are marked ``…``."""


def _squeezed(text: str) -> str:
    """``text`` without spaces and with every quote a single quote: code as :func:`ast.unparse` wrote
    it compared with code quoted for a shell."""
    return re.sub(r"\s+", "", text).replace('"', "'")


def _used(node: ast.stmt, command: str) -> bool:
    """Whether ``node`` (a top-level statement) is in ``command``: itself, or for a loop, a condition
    or a ``with`` block, one of its body's simple statements."""
    if isinstance(node, ast.For | ast.While | ast.If | ast.With):
        return any(_used(s, command) for s in node.body)
    code = _squeezed(ast.unparse(node))
    return len(code) > 3 and code in command  # not a bare name (x) found by chance


def split_skipped(
    script: LoadedScript, command: str | None
) -> tuple[list[SkippedStatement], list[SkippedStatement]]:
    """The skipped top-level statements of ``script``: those the ``command`` (the check's explicit form)
    runs, and those it does not; all are not run when there is no command."""
    if not command:
        return [], list(script.skipped)
    nodes = {n.lineno: n for n in script.tree.body}
    wanted = _squeezed(command)
    run = [s for s in script.skipped if s.line in nodes and _used(nodes[s.line], wanted)]
    return run, [s for s in script.skipped if s not in run]


def skipped_lines(script: LoadedScript, command: str | None) -> tuple[list[str], list[str]]:
    """The sentences ``Run by the check's setup and step (as: above): …`` and ``Not run: top-level
    statements at …``, and the places they name (kept whole when the text is wrapped); none when nothing
    was skipped."""
    out: list[str] = []
    places: list[str] = []
    notebook = script.source is not None and script.source.origins is not None
    for statements, start in zip(
        split_skipped(script, command),
        ("Run by the check's setup and step (as: above)", "Not run"),
        strict=True,
    ):
        if not statements:
            continue
        more, many = ("…" if len(statements) > SHOWN else ""), len(statements) > 1
        if notebook:  # a notebook: cell, line
            shown = [script.where(s.line) for s in statements[:SHOWN]]
            places += shown
            out.append(f"{start}: top-level statement{'s' * many} at {'; '.join(shown)}{more}.")
        else:
            which = "statements at lines" if many else "statement at line"
            out.append(
                f"{start}: top-level {which} {', '.join(str(s.line) for s in statements[:SHOWN])}{more}."
            )
    return out, places
