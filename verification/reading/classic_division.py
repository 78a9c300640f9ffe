"""Python 2's ``/`` kept in a translated script: two integers floor.

2to3 leaves ``/`` as it is, and in Python 3 it divides exactly; in Python 2 it floored two integers
(``1 / m == 0`` for ``m >= 2``, integer arrays included), unless the module imported ``division`` from
``__future__``. A backward pass written ``dW = 1 / m * np.dot(dZ, X.T)`` has vanishing gradients on
batches in Python 2: checked with Python 3's ``/`` it would be another program, and a correct verdict
on it wrong for the code as written. :func:`classic_division` rewrites every ``a / b`` of the tree the
loader runs (not the one the readers read) into :data:`DIVIDE` ``(a, b)``, which floors when both
operands are integers (Python ``int``, NumPy integer scalars or integer arrays) and divides exactly
otherwise; ``a /= b`` likewise, in place for arrays.

Source: the Python 2 language reference, "Binary arithmetic operations" (classic division), and PEP 238.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any

import numpy as np

DIVIDE = "__backprop_verify_classic_div__"
"""The name the rewritten ``a / b`` calls (bound in the script's module)."""
DIVIDE_INPLACE = "__backprop_verify_classic_idiv__"
"""The name the rewritten ``a /= b`` calls."""


def _integral(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iub"
    return isinstance(value, int | np.integer | np.bool_)


def classic_div(a: Any, b: Any) -> Any:
    """``a / b`` as Python 2 computed it: floored for two integers, exact otherwise."""
    return a // b if _integral(a) and _integral(b) else a / b


def classic_idiv(a: Any, b: Any) -> Any:
    """``a /= b`` as Python 2 computed it: in place for an array, floored for two integers."""
    if _integral(a) and _integral(b):
        a //= b
    else:
        a /= b
    return a


class _Rewrite(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        call = ast.Call(ast.Name(DIVIDE, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div) or not isinstance(
            node.target, ast.Name | ast.Attribute | ast.Subscript
        ):
            return node
        read = copy.deepcopy(node.target)
        read.ctx = ast.Load()
        call = ast.Call(ast.Name(DIVIDE_INPLACE, ast.Load()), [read, node.value], [])
        return ast.copy_location(ast.Assign([node.target], call), node)


def future_division(tree: ast.Module) -> bool:
    """Whether the module imports ``division`` from ``__future__`` (then ``/`` divides exactly)."""
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "division" for a in node.names)
        for node in tree.body
    )


FUTURE_DIVISION = re.compile(r"from\s+__future__\s+import\s+[^\n\"]*\bdivision\b")
"""``from __future__ import division`` (also ``import (absolute_import, division)``, in a notebook's
JSON too), as written in the file."""


def future_division_written(path: Path) -> bool:
    """Whether the file at ``path`` imports ``division`` from ``__future__``, read in its own text: the
    2to3 translation a Python 2 script is run in drops ``__future__`` imports, so its tree no longer
    says that ``/`` divides exactly."""
    try:
        return FUTURE_DIVISION.search(path.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def classic_division(tree: ast.Module) -> ast.Module:
    """A copy of ``tree`` with every ``/`` and ``/=`` made Python 2's (module docstring); ``tree`` itself
    is left as it is."""
    rewritten = _Rewrite().visit(copy.deepcopy(tree))
    return ast.fix_missing_locations(rewritten)
