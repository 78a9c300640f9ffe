"""Loops over the samples by index: ranges that are every sample's, and ranges that leave some out.

``for i in range(len(X)):``, ``for i in range(X.shape[0]):``, ``for i in range(150):`` (the count
written out) and ``while j < len(X): … j += 1``, their bodies reading ``X[i]``, walk every sample:
:func:`sample_range` gives their index and data name.

A training loop that walks its samples by index is read as one sample's step at the first index
(:mod:`verification.reading.loop_bodies`). That reading holds only when the loop visits every sample:
``for i in range(1, X.shape[0]):`` never visits sample 0, ``for i in range(len(X) - 1):`` never the
last, ``for i in range(0, len(X), 2):`` every other. On one sample such a loop makes no step at all,
so a verdict read off its body at index 0 would be about a step the code never takes.
:func:`skips_samples` tells such a loop, for a refusal that names it
(:func:`verification.reading.training_loops.training_loop`). A range whose bound is a plain name
(``range(m)``) is taken to be every sample's.
"""

from __future__ import annotations

import ast


def skips_samples(loop: ast.For, data: set[str]) -> bool:
    """``for i in range(start, stop, step)`` with ``start`` other than 0, ``stop`` a length less
    something (``len(X) - 1``), or ``step`` other than 1, whose body reads ``D[i]`` of a name in
    ``data``."""
    args = _range_arguments(loop)
    if args is None:
        return False
    start = args[0] if len(args) > 1 else ast.Constant(0)
    stop = args[1] if len(args) > 1 else args[0]
    step = args[2] if len(args) > 2 else ast.Constant(1)
    shortened = (
        isinstance(stop, ast.BinOp) and isinstance(stop.op, ast.Sub) and _length_of(stop.left) is not None
    )
    skipping = not _is(start, 0) or shortened or not _is(step, 1)
    index = ast.unparse(loop.target)
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


def _range_arguments(loop: ast.For) -> list[ast.expr] | None:
    """The arguments of ``range`` in ``for i in range(…):`` (one to three); None for any other loop."""
    over = loop.iter
    if not (
        isinstance(loop.target, ast.Name)
        and isinstance(over, ast.Call)
        and isinstance(over.func, ast.Name)
        and over.func.id == "range"
        and 1 <= len(over.args) <= 3
    ):
        return None
    return over.args


def _is(node: ast.expr, value: int) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def sample_range(loop: ast.For | ast.While) -> tuple[str, str] | None:
    """``(index, data)`` of ``for i in range(len(X)):`` (or ``range(X.shape[0])``, ``range(0,
    len(X))``), or of ``while j < len(X):`` ending in ``j += 1``, whose body reads ``X[i]``; None
    otherwise."""
    if isinstance(loop, ast.While):
        test, last = loop.test, loop.body[-1] if loop.body else None
        if not (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Lt)
            and isinstance(last, ast.AugAssign)
            and isinstance(last.op, ast.Add)
            and isinstance(last.target, ast.Name)
            and last.target.id == test.left.id
            and isinstance(last.value, ast.Constant)
            and last.value.value == 1
        ):
            return None
        index, data, body = test.left.id, _length_of(test.comparators[0]), loop.body[:-1]
    else:
        args = _range_arguments(loop)
        if args is None or len(args) > 2 or (len(args) == 2 and not _is(args[0], 0)):
            return None
        index, data, body = ast.unparse(loop.target), _length_of(args[-1]), loop.body
        bound = args[-1]
        if isinstance(bound, ast.Constant) and isinstance(bound.value, int) and bound.value > 1:
            data = _first_indexed(body, index)  # for i in range(150): data[i], its count written out
    read = any(
        isinstance(n, ast.Subscript)
        and isinstance(n.value, ast.Name)
        and n.value.id == data
        and isinstance(n.slice, ast.Name)
        and n.slice.id == index
        for s in body
        for n in ast.walk(s)
    )
    return (index, data) if data is not None and read else None


def _first_indexed(body: list[ast.stmt], index: str) -> str | None:
    """The first name ``body`` reads at ``index`` (``data`` of ``l0 = data[i][None].T``), or None."""
    for s in body:
        for n in ast.walk(s):
            if (
                isinstance(n, ast.Subscript)
                and isinstance(n.value, ast.Name)
                and isinstance(n.slice, ast.Name)
                and n.slice.id == index
            ):
                return n.value.id
    return None


def _length_of(size: ast.expr) -> str | None:
    """``X`` of ``len(X)`` or ``X.shape[0]`` over a plain name; None otherwise."""
    if isinstance(size, ast.Call) and isinstance(size.func, ast.Name) and size.func.id == "len":
        return size.args[0].id if len(size.args) == 1 and isinstance(size.args[0], ast.Name) else None
    if (
        isinstance(size, ast.Subscript)
        and isinstance(size.slice, ast.Constant)
        and size.slice.value == 0
        and isinstance(size.value, ast.Attribute)
        and size.value.attr == "shape"
        and isinstance(size.value.value, ast.Name)
    ):
        return size.value.value.id
    return None
