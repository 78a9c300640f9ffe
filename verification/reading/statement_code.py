"""Compiling and running one top-level statement of a script, as the loader does
(:mod:`verification.reading.loader`): a statement too deeply nested to compile is a reason not to run
it, and the script's warnings are not printed (the report is the output).

A statement is rewritten before it is compiled (weights made in a training method kept once made,
epoch loops cut to one pass, random draws of samples made fixed). The rewriting reads nothing but the
statement, so :func:`prepared` keeps what it made for each statement of each source text: a check that
loads the same script once per candidate setup (a class of nine flag values, each tried at several
sizes) rewrites and compiles each statement once."""

from __future__ import annotations

import ast
import types
import warnings
from pathlib import Path
from typing import Any

from ffnn.validation import one_line
from verification.reading.deferred_weights import guard_initialisations
from verification.reading.loop_cuts import Cut, cut_loops
from verification.reading.sample_orders import Draw, in_order

NOT_COMPILED = "does not compile: "
"""How the reason not to run a statement that does not compile begins."""


def compile_statement(stmt: ast.stmt, path: Path) -> types.CodeType | str:
    """The code of one statement, or why it does not compile (nesting too deep for the compiler)."""
    try:
        return compile(ast.Module(body=[stmt], type_ignores=[]), str(path), "exec")
    except (RecursionError, MemoryError):
        return f"{NOT_COMPILED}too deeply nested to compile"
    except SyntaxError as exc:
        return f"{NOT_COMPILED}{one_line(exc.msg)}"


def run_statement(code: types.CodeType, namespace: dict[str, Any]) -> None:
    """Run compiled ``code`` in ``namespace`` with the script's warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, namespace)


Prepared = tuple[ast.stmt, types.CodeType | str, list[Cut], list[Draw]]
PREPARED: dict[tuple[str, int, int, int, int | None, str], Prepared] = {}
"""What :func:`prepared` made, by source file, source text, and the statement's place and source."""
MAX_PREPARED = 4096
"""Statements kept at most (the oldest go first)."""


def prepared(stmt: ast.stmt, path: Path, text: str) -> Prepared:
    """``stmt`` of the source ``text`` at ``path`` rewritten as the loader runs it, its code (or why it
    does not compile), and the epoch loops cut and the draws made fixed in it; made once per statement."""
    names = ",".join(getattr(a, "name", "") for a in getattr(stmt, "names", []))  # one import of several
    key = (
        str(path),
        hash(text),
        stmt.lineno,
        stmt.col_offset,
        stmt.end_lineno,
        f"{type(stmt).__name__}:{names}",
    )
    if key not in PREPARED:
        made, _ = guard_initialisations(stmt)  # before the cuts: it looks for the epoch loops
        made, cuts = cut_loops(made)
        made, draws = in_order(made)
        if len(PREPARED) >= MAX_PREPARED:
            PREPARED.pop(next(iter(PREPARED)))
        PREPARED[key] = (made, compile_statement(made, path), cuts, draws)
    made, code, cuts, draws = PREPARED[key]
    return made, code, list(cuts), list(draws)
