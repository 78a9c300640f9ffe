"""Loops over the samples by index whose range leaves samples out.

A training loop that walks its samples by index is read as one sample's step at the first index
(:mod:`verification.reading.loop_bodies`). That reading holds only when the loop visits every sample:
``for i in range(1, X.shape[0]):`` never visits sample 0, ``for i in range(len(X) - 1):`` never the
last, ``for i in range(0, len(X), 2):`` every other. On one sample such a loop makes no step at all,
so a verdict read off its body at index 0 would be about a step the code never takes.
:func:`sample_skipping_loop` finds such a loop on the way to the step's body, for a refusal that names
it. A range whose bound is a plain name (``range(m)``) is taken to be every sample's.
"""

from __future__ import annotations

import ast

from verification.reading.loop_bodies import _descended, _resets
from verification.reading.top_level_names import prints


def sample_skipping_loop(loop: ast.For | ast.While, data: set[str]) -> str | None:
    """The source of the first loop on the way to the step's body (through single nested loops that
    hold all of its work) that reads one of the ``data`` names by its variable (``X[i]``) over a range
    that leaves samples out (see the module docstring); None when there is none."""
    node: ast.stmt = loop
    while True:
        if isinstance(node, ast.For) and _skips(node, data):
            return f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}"
        body = node.body if isinstance(node, ast.For | ast.While) else []
        work = [s for s in body if (not prints(s) or isinstance(s, ast.For)) and not _resets(s)]
        inner = [s for s in work if isinstance(s, ast.For | ast.While) and _descended(s)]
        if len(inner) != 1 or len(work) != 1:
            return None
        node = inner[0]


def _skips(loop: ast.For, data: set[str]) -> bool:
    """``for i in range(start, stop, step)`` with ``start`` other than 0, ``stop`` a length less
    something (``len(X) - 1``), or ``step`` other than 1, whose body reads ``D[i]`` of a name in
    ``data``."""
    over = loop.iter
    if not (
        isinstance(loop.target, ast.Name)
        and isinstance(over, ast.Call)
        and isinstance(over.func, ast.Name)
        and over.func.id == "range"
        and 1 <= len(over.args) <= 3
    ):
        return False
    args = over.args
    start = args[0] if len(args) > 1 else ast.Constant(0)
    stop = args[1] if len(args) > 1 else args[0]
    step = args[2] if len(args) > 2 else ast.Constant(1)
    shortened = isinstance(stop, ast.BinOp) and isinstance(stop.op, ast.Sub) and _length(stop.left)
    skipping = not _is(start, 0) or shortened or not _is(step, 1)
    index = loop.target.id
    read = {
        n.value.id
        for s in loop.body
        for n in ast.walk(s)
        if isinstance(n, ast.Subscript)
        and isinstance(n.value, ast.Name)
        and isinstance(n.slice, ast.Name)
        and n.slice.id == index
        and isinstance(n.ctx, ast.Load)
    }
    return skipping and bool(read & data)


def _is(node: ast.expr, value: int) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _length(node: ast.expr) -> bool:
    """``len(X)`` or ``X.shape[0]``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return True
    return (
        isinstance(node, ast.Subscript)
        and _is(node.slice, 0)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "shape"
    )
