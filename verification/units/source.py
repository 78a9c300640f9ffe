"""What a unit's source says without running it: its definition, whether it is a stub, the names it
returns, its docstring.

A course skeleton leaves ``pass`` (or ``raise NotImplementedError``) where the student's code goes;
such a unit is a *stub*, not a mismatch, when running it gives ``None`` or fails
(:func:`placeholder`). The names a backward returns (``return dx, dw, db``) say which input each
gradient belongs to (:func:`returned_names`).
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from verification.reading.loader import LoadedScript
from verification.reading.source_trees import source_tree

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def definition(script: LoadedScript | None, qualname: str, obj: Any = None) -> Definition | None:
    """The ``def`` or ``class`` of ``qualname`` (``affine_forward``, ``Dense.backward``) in the script's
    tree; else, for code not from a script, parsed from ``inspect.getsource(obj)``."""
    if script is not None:
        body: list[ast.stmt] = script.tree.body
        found: Definition | None = None
        for part in qualname.split("."):
            found = next(
                (
                    s
                    for s in body
                    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and s.name == part
                ),
                None,
            )
            if found is None:
                break
            body = found.body
        if found is not None:
            return found
    if obj is None:
        return None
    tree = source_tree(obj)
    if tree is None:
        return None
    first = tree.body[0] if tree.body else None
    return first if isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None


def _body(node: Definition) -> list[ast.stmt]:
    """The body without its docstring."""
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return body


def _own_statements(node: Definition) -> list[ast.stmt]:
    """Every statement of a function, not descending into nested functions, classes or handlers."""
    out: list[ast.stmt] = []
    stack = list(reversed(_body(node)))
    while stack:
        stmt = stack.pop()
        out.append(stmt)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)):
            if isinstance(stmt, ast.Try):
                stack.extend(reversed(stmt.body))
            continue
        for name in ("body", "orelse"):
            stack.extend(reversed(getattr(stmt, name, []) or []))
    return out


def _is_not_implemented(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def placeholder(node: Definition | None) -> str:
    """Where the definition leaves its work undone: ``pass at line 412``, ``raise NotImplementedError
    at line 20``, ``an empty class body``; empty when it has no placeholder.

    A ``pass`` counts in a function's own statements (not in an ``except`` handler, where it means
    "ignore"); a class counts when its body is only ``pass``, ``...`` or a docstring.
    """
    if node is None:
        return ""
    if isinstance(node, ast.ClassDef):
        body = _body(node)
        empty = all(
            isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            for s in body
        )
        return f"an empty class body (line {node.lineno})" if empty else ""
    for stmt in _own_statements(node):
        if isinstance(stmt, ast.Pass):
            return f"pass at line {stmt.lineno}"
        if _is_not_implemented(stmt):
            return f"raise NotImplementedError at line {stmt.lineno}"
    body = _body(node)
    if len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return f"a body of ... (line {body[0].lineno})"
    return ""


def returned_names(node: Definition | None) -> list[str | None]:
    """The names of what a function returns, from its last ``return`` of a name or tuple of names:
    ``return dx, dw, db`` gives ``['dx', 'dw', 'db']`` (None for an element that is not a name)."""
    if node is None or isinstance(node, ast.ClassDef):
        return []
    returns = [s for s in _own_statements(node) if isinstance(s, ast.Return) and s.value is not None]
    if not returns:
        return []
    value = returns[-1].value
    items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
    return [item.id if isinstance(item, ast.Name) else None for item in items]


def docstring(node: Definition | None, obj: Any = None) -> str:
    """The docstring of the definition (or of ``obj``), or empty."""
    text = ast.get_docstring(node) if node is not None else None
    if text:
        return text
    return (inspect.getdoc(obj) or "") if obj is not None else ""


def nested_assignments(node: Definition | None) -> list[tuple[str, str]]:
    """``(object, attribute)`` of every ``obj.attr = <nested def name>`` in a function: how an engine
    operation attaches its backward closure (``out._backward = _backward``)."""
    if node is None or isinstance(node, ast.ClassDef):
        return []
    nested = {s.name for s in ast.walk(node) if isinstance(s, ast.FunctionDef) and s is not node}
    out = []
    for stmt in ast.walk(node):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.Name, ast.Lambda)):
            is_closure = isinstance(stmt.value, ast.Lambda) or stmt.value.id in nested
            for target in stmt.targets:
                if is_closure and isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    out.append((target.value.id, target.attr))
    return out


def placeholder_method(script: LoadedScript | None, cls: type, names: tuple[str, ...]) -> bool:
    """Whether any of the methods ``names`` of ``cls`` is a placeholder (:func:`placeholder`): a forward
    pass run through ``__call__`` is a stub when the ``forward`` it calls is one."""
    return any(
        bool(placeholder(definition(script, f"{cls.__name__}.{m}", getattr(cls, m))))
        for m in dict.fromkeys(names)
        if callable(getattr(cls, m, None))
    )
