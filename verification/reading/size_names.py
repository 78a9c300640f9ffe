"""Sizes a setup binds to names before it builds a network (``d = 28 ** 2; hu = d // 2; arch = [d, hu,
hu, d]``), read as numbers without running anything, so that a list of layer sizes built from them can
be made small like one written out (:func:`verification.reading.script_setup.with_small_layers`).
"""

from __future__ import annotations

import ast
import operator

OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}
"""The integer arithmetic a size is written with."""


def named_sizes(tree: ast.Module) -> dict[str, int]:
    """``{name: value}`` for each top-level ``name = …`` of ``tree`` whose value is integer arithmetic
    (:data:`OPERATORS`) on numbers and names bound so before it; the last binding wins."""
    known: dict[str, int] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = _integer(stmt.value, known)
            if value is None:
                known.pop(stmt.targets[0].id, None)
            else:
                known[stmt.targets[0].id] = value
    return known


def _integer(node: ast.expr, known: dict[str, int]) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left, right = _integer(node.left, known), _integer(node.right, known)
        if left is None or right is None or (isinstance(node.op, ast.Pow) and not 0 <= right <= 64):
            return None
        if isinstance(node.op, ast.FloorDiv) and right == 0:
            return None
        return int(OPERATORS[type(node.op)](left, right))
    return None


def folded(node: ast.expr, known: dict[str, int], above: int = 0) -> ast.expr:
    """Integer arithmetic on numbers and the names ``known`` (``28 * 28``, ``28 ** 2``, ``2 * d``), or one
    such name (``hidden_units`` after ``hidden_units = 1000``), as the number it makes when that is past
    ``above`` (and below 10⁶), in place of the expression; any other expression, or a smaller number's,
    as it is (``num_classes`` stays a name where only a large size is to be made small)."""
    value = _integer(node, known) if isinstance(node, ast.BinOp | ast.Name) else None
    return (
        ast.copy_location(ast.Constant(value), node) if value is not None and above < value < 10**6 else node
    )


def size_list_literals(tree: ast.Module, name: str, known: dict[str, int]) -> ast.List | ast.Tuple | None:
    """The list (or tuple) the last top-level ``name = [d, hu, hu, d]`` of ``tree`` binds, its elements
    made the numbers they are (:func:`named_sizes`) in place; None when it binds none or an element is
    not such a number."""
    found = None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            found = stmt.value
    if not isinstance(found, ast.List | ast.Tuple) or not found.elts:
        return None
    values = [_integer(e, known) for e in found.elts]
    if any(v is None for v in values):
        return None
    found.elts = [ast.Constant(v) for v in values]
    return found
