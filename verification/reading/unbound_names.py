"""Names a file reads but binds nowhere: the file fails on them when run as written.

A script that calls ``np.random.randn`` without ``import numpy as np`` raises ``NameError`` at its
first use of ``np``, whoever runs it. The check runs the script's own statements, so it meets the same
error; :func:`never_bound` tells that case apart from a name the loader did not bind (a skipped top-level
line, :meth:`verification.reading.loader.LoadedScript.skipped_binding`): the first is the code's fault,
the second the check's, and the refusal says which.
"""

from __future__ import annotations

import ast
import builtins


def _bound(tree: ast.AST) -> set[str] | None:
    """Every name ``tree`` binds anywhere (imports, assignments, loop and ``with`` targets, ``def`` and
    ``class`` names, parameters, ``except … as``, ``global``); None when a ``from m import *`` may bind
    any name."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return None
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
    return names


def never_bound(tree: ast.AST, name: str) -> bool:
    """``name`` is no builtin and ``tree`` (a whole file) binds it nowhere, with no star import that could:
    reading it raises ``NameError`` however the file is run."""
    if hasattr(builtins, name):
        return False
    bound = _bound(tree)
    return bound is not None and name not in bound


def unbound_reads(tree: ast.Module, functions: list[str]) -> str:
    """A clause naming what the file's functions ``functions`` read and the file binds nowhere
    (``; backpropagation reads sigmoid, activations, which the file binds nowhere: it raises NameError
    as written``), or ``""`` when they read no such name."""
    bound = _bound(tree)
    if bound is None:
        return ""
    parts = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            loads = [n for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
            read = [
                n.id for n in sorted(loads, key=lambda n: (n.lineno, n.col_offset))
            ]  # in the file's order
            missing = [n for n in dict.fromkeys(read) if n not in bound and not hasattr(builtins, n)]
            if missing:
                parts.append(f"{node.name} reads {', '.join(missing)}")
    if not parts:
        return ""
    return f"; {'; '.join(parts)}, which the file binds nowhere: it raises NameError as written"
