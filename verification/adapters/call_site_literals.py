"""Arguments whose value the file's own calls give as one literal.

An argument whose name says nothing of its role (``L_model_backward(AL, Y, caches, case)``, ``case``
compared with ``"softmax"`` and ``"sigmoid"`` inside) is given by the code that uses the function:
``grads = L_model_backward(AL, Y, caches, "softmax")`` in its training function. When every call of the
function in its file passes the same literal there (a string, a number, True, False or None), that
literal is the argument's value as its author runs it, confirmed by use rather than guessed; the call the
check makes shows it. Two calls that pass different literals, or any call that passes an expression,
leave the argument without a value (and the check is refused, naming it).
"""

from __future__ import annotations

import ast
import os
from typing import Any

from verification.reading import conventions as cv

_TREES: dict[tuple[str, int, int], ast.Module | None] = {}
"""Parsed files by path, modification time and size: a file's calls are read once, not once per
function looked up, and a file written anew is read anew."""

_UNSET = object()


def _file_tree(path: str) -> ast.Module | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _TREES:
        if len(_TREES) > 1024:  # a long test session reads thousands of files: forget the oldest
            del _TREES[next(iter(_TREES))]
        try:
            with open(path, encoding="utf-8") as handle:
                _TREES[key] = ast.parse(handle.read())
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
            _TREES[key] = None  # a notebook, or Python 2 translated before it ran: its calls are not read
    return _TREES[key]


def _calls(tree: ast.Module, name: str) -> list[ast.Call]:
    """Calls of ``name(…)`` and of ``obj.name(…)`` in ``tree``."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == name) or (
            isinstance(func, ast.Attribute) and func.attr == name
        ):
            out.append(node)
    return out


def call_site_literals(fn: Any) -> dict[str, str]:
    """The arguments of ``fn`` that every call of it in its file passes as one and the same literal.

    Parameters
    ----------
    fn : function or method
        Defined in a file that parses (its calls are read with :mod:`ast`; nothing is run).

    Returns
    -------
    dict of str to str
        Argument name to the literal as source (``{"case": '"softmax"'}``); empty when the file cannot
        be read, when ``fn`` is never called, or when no argument is always given the same literal. A
        call with ``*args`` or ``**kwargs`` makes the positions it covers unknown, so it counts as
        giving no literal.
    """
    func = getattr(fn, "__func__", fn)
    path = getattr(getattr(func, "__code__", None), "co_filename", None)
    tree = _file_tree(path) if path else None
    if tree is None:
        return {}
    params = cv.positional_parameters(func)
    if params and params[0].name in ("self", "cls"):
        params = params[1:]  # obj.method(a, b): a is the first after self
    names = [p.name for p in params]
    calls = _calls(tree, func.__name__)
    if not calls:
        return {}
    found: dict[str, Any] = {}
    for call in calls:
        given: dict[str, Any] = {n: _UNSET for n in names}
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return {}
        for name, arg in zip(names, call.args, strict=False):
            given[name] = _literal(arg)
        for keyword in call.keywords:
            if keyword.arg in given:
                given[keyword.arg] = _literal(keyword.value)
        for name, value in given.items():
            if name not in found:
                found[name] = value
            elif found[name] is not _UNSET and (found[name] != value or type(found[name]) is not type(value)):
                found[name] = _UNSET  # two literals: no one value
    return {n: _source(v) for n, v in found.items() if v is not _UNSET}


def _source(value: Any) -> str:
    """A literal as source, a string in double quotes where it can be (the command line the report
    prints quotes the whole call in single quotes)."""
    if isinstance(value, str) and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return repr(value)


def _literal(node: ast.expr) -> Any:
    """The value of a literal constant (``"softmax"``, ``3``, ``-0.5``, ``True``, ``None``), else a marker
    that it is none."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _UNSET
    return value if value is None or isinstance(value, str | int | float | bool) else _UNSET
