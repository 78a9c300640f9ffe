"""Arguments a function reads only by string keys: a dict of named arrays, whatever its name.

``forward(X, W_and_bias)`` that reads ``W_and_bias["w1"]`` … ``W_and_bias["b2"]`` and nothing else of it
takes the network's parameters (and so does ``back_and_grad(X, y, W_and_bias, …)`` that reads it by keys
and hands it on to ``forward``), as ``parameters`` or ``params`` would say by name
(:data:`verification.reading.conventions.PARAMETER_CONTAINERS`). Nothing is run: the source is parsed.
"""

from __future__ import annotations

import ast
from typing import Any

from verification.reading.source_trees import source_tree


def keyed_only(fn: Any) -> set[str]:
    """The names ``fn``'s source reads only by string keys (``p["w1"]``) or hands on whole to a call
    (``forward(X, p)``), never otherwise."""
    tree = source_tree(fn)
    if tree is None:
        return set()
    keyed: set[str] = set()
    other: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            is_key = isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
            (keyed if is_key else other).add(node.value.id)
    uses = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    read = [  # p["w1"], or p handed on whole to a function (forward(X, p))
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
    ] + [a.id for n in ast.walk(tree) if isinstance(n, ast.Call) for a in n.args if isinstance(a, ast.Name)]
    return {k for k in keyed - other if uses.count(k) == read.count(k)}
