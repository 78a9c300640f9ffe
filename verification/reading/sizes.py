"""Whether evaluating a constant expression could build too large a value, decided from its syntax
tree before evaluating it (``HUGE = 9 ** 9 ** 9``, ``S = "x" * 10**12``).

Every sub-expression gets a :class:`~verification.reading.bounds.Bound`, children before parents,
with an explicit stack (deep trees cost no recursion): a name by the value it is bound to (the
statements before it have run), a module's attribute by the attribute, an operator by the rules of
:mod:`verification.reading.bounds`. The first bound over :data:`~verification.reading.bounds.MAX_DIGITS`
digits or :data:`~verification.reading.bounds.MAX_ITEMS` items is the problem.
"""

from __future__ import annotations

import ast
import builtins
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from verification.reading.bounds import (
    MAX_BITS,
    MAX_DIGITS,
    MAX_ITEMS,
    OTHER,
    Bound,
    binop,
    classify,
    extent,
    int_bound,
    join,
    text_bound,
    unary,
    widths,
)
from verification.reading.statements import evaluated_children


def _items(elts: Sequence[ast.expr | None], bounds: Mapping[int, Bound]) -> float:
    """Length of a display: one per element, and the length of each ``*x`` or ``**x`` unpacked."""
    total = 0.0
    for e in elts:
        if e is None or isinstance(e, ast.Starred):
            inner = bounds[id(e.value if isinstance(e, ast.Starred) else e)] if e is not None else OTHER
            total += inner.length if inner.kinds & {"text", "sized"} else 0.0
        else:
            total += 1
    return total


class _Evaluator:
    """Bounds of the nodes of one expression, children before parents, with an explicit stack."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self.namespace = namespace
        self.bounds: dict[int, Bound] = {}
        self.values: dict[int, Any] = {}  # objects known behind names and module attributes

    def node(self, node: ast.AST) -> Bound:
        b = self.bounds
        if isinstance(node, ast.Constant):
            return classify(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.namespace:
                self.values[id(node)] = self.namespace[node.id]
            elif hasattr(builtins, node.id):
                self.values[id(node)] = getattr(builtins, node.id)
            else:
                return OTHER
            return classify(self.values[id(node)])
        if isinstance(node, ast.Attribute):
            base = self.values.get(id(node.value))
            if isinstance(base, types.ModuleType):
                try:
                    self.values[id(node)] = getattr(base, node.attr)
                except Exception:
                    return OTHER
                return classify(self.values[id(node)])
            return OTHER
        if isinstance(node, ast.BinOp):
            return binop(node.op, b[id(node.left)], b[id(node.right)])
        if isinstance(node, ast.UnaryOp):
            return unary(node.op, b[id(node.operand)])
        if isinstance(node, ast.BoolOp):
            return join(*(b[id(v)] for v in node.values))
        if isinstance(node, ast.IfExp):
            return join(b[id(node.body)], b[id(node.orelse)])
        if isinstance(node, ast.Compare):
            return int_bound(1)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return Bound(frozenset({"sized"}), length=_items(node.elts, b))
        if isinstance(node, ast.Dict):
            return Bound(frozenset({"sized"}), length=_items(node.keys, b))
        if isinstance(node, ast.Starred):
            return b[id(node.value)]
        if isinstance(node, ast.Subscript):
            seq = b[id(node.value)]
            if isinstance(node.slice, ast.Slice) and seq.kinds <= {"text", "sized"}:
                return Bound(seq.kinds, length=seq.length)
            return OTHER
        if isinstance(node, ast.FormattedValue):
            value = b[id(node.value)]
            if node.format_spec is None and node.conversion == -1 and value.exact is not None:
                return text_bound(len(str(value.exact)), str(value.exact))
            if node.format_spec is None and node.conversion == -1 and isinstance(value.text, str):
                return text_bound(len(value.text), value.text)
            width = widths(b[id(node.format_spec)].text) if node.format_spec is not None else 0.0
            return text_bound(extent(value) + width)
        if isinstance(node, ast.JoinedStr):
            parts = [b[id(v)] for v in node.values]
            texts = [p.text for p in parts if isinstance(p.text, str)]
            joined = "".join(texts) if len(texts) == len(parts) else None
            return text_bound(sum(p.length for p in parts), joined)
        return OTHER  # calls, lambdas, comprehensions: their size is not known here


def _postorder(root: ast.AST) -> Iterator[ast.AST]:
    """The evaluated nodes under ``root``, each after its children (iteratively)."""
    stack: list[tuple[ast.AST, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(evaluated_children(node))))


def snippet(node: ast.AST, lines: Sequence[str]) -> str:
    """The source text of ``node`` when it is on one line (shortened to 40 characters), else ``""``."""
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if start is None or start != end or not 0 < start <= len(lines):
        return ""
    raw = lines[start - 1].encode("utf-8")[node.col_offset : node.end_col_offset]  # type: ignore[attr-defined]
    text = raw.decode("utf-8", errors="replace")
    return text if len(text) <= 40 else text[:37] + "..."


def size_problem(expr: ast.AST, namespace: Mapping[str, Any], lines: Sequence[str] = ()) -> str | None:
    """Why evaluating ``expr`` could build too large a value, or None when it cannot.

    Parameters
    ----------
    expr : ast.AST
        An expression (or statement) about to be evaluated; lambda bodies are not looked into.
    namespace : mapping of str to object
        The names the expression will be evaluated with (the script's module so far).
    lines : sequence of str
        The source lines, to quote the sub-expression in the reason.

    Returns
    -------
    str or None
        E.g. ``its value could have more than 1,000,000 digits (9 ** 9 ** 9)``.
    """
    ev = _Evaluator(namespace)
    for node in _postorder(expr):
        bound = ev.node(node)
        ev.bounds[id(node)] = bound
        if "int" in bound.kinds and bound.bits > MAX_BITS:
            what = f"more than {MAX_DIGITS:,} digits"
        elif bound.kinds & {"text", "sized"} and bound.length > MAX_ITEMS:
            what = f"more than {MAX_ITEMS:,} " + ("characters" if bound.kinds == {"text"} else "items")
        else:
            continue
        quoted = snippet(node, lines)
        return f"its value could have {what}" + (f" ({quoted})" if quoted else "")
    return None
