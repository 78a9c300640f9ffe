"""Compiling and running one top-level statement of a script, as the loader does
(:mod:`verification.reading.loader`): a statement too deeply nested to compile is a reason not to run
it, and the script's warnings are not printed (the report is the output)."""

from __future__ import annotations

import ast
import types
import warnings
from pathlib import Path
from typing import Any

from ffnn.validation import one_line

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
