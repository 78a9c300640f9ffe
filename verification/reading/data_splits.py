"""Inputs and labels cut from one data array inside a training loop's body.

Many scripts keep their inputs and labels side by side in one array and cut each batch from it in the
loop itself::

    for i in range(50):
        a = np.random.permutation(a)
        offset = (i * 500) % m
        x = (a[offset:offset + 500, :3]).T         # the inputs: the first columns
        y = (a[offset:offset + 500, -2:]).T        # the labels: the last ones
        a1, a2, a3, cost = forward_pass(w1, w2, w3, x, y)
        ...

The step is what follows the cut; the check hands the step its own inputs and labels. :func:`split_data`
finds the statements at the head of the body that only make the inputs and the labels from data the loop
does not compute (named for inputs and labels by :func:`verification.reading.conventions.role`), and
takes them out, leaving the two names as the loop's data. Nothing is run here.
"""

from __future__ import annotations

import ast

from verification.reading import conventions as cv
from verification.reading.top_level_names import loads, stores


def split_data(
    body: list[ast.stmt], data: set[str], updated: set[str]
) -> tuple[list[ast.stmt], list[str], tuple[str, ...], str | None] | None:
    """``(body without the cut, [inputs, labels], the data arrays cut, the labels' form)`` for a body
    whose head cuts
    one name of the inputs' role and one of the labels' (the last assigned of each) from ``data``
    (names bound before the loop, and the loop's variables), through statements that read nothing the
    body computes after them and no name in ``updated`` (the weights); the statements the two names are
    made from (``a = np.random.permutation(a)``, ``offset = …``, ``if offset >= m: offset = 0``) are
    taken out with them, any other statement of the head kept; the labels' form is ``index`` (1-D, cut
    by an integer, ``batch[:, 3]``) or ``one-hot`` (2-D, by a slice), else None. None when the head
    makes no such pair or cuts it from no array of ``data``.

    Source: the pattern is read off public course scripts; the roles are those of
    :func:`verification.reading.conventions.role`.
    """
    head: list[ast.stmt] = []
    made: set[str] = set()
    for stmt in body:
        written = _written(stmt)
        read = set(loads(stmt))
        if not written or read & updated or written & updated or not read <= data | made | _free(read):
            break
        if not isinstance(stmt, ast.Assign | ast.AugAssign | ast.If) or _calls_method_of_unmade(
            stmt, data | made
        ):
            break
        head.append(stmt)
        made |= written
    inputs = [n for s in head for n in stores(s) if cv.role(n, 1) == "x"]
    labels = [n for s in head for n in stores(s) if cv.role(n, 1) == "y"]
    if inputs and not labels:  # k = a[off:off + n, 3:].T beside x = a[off:off + n, :3].T: the one other cut
        labels = _beside(head, inputs[-1])
    if not inputs or not labels or inputs[-1] == labels[-1]:
        return None
    pair = [inputs[-1], labels[-1]]
    needed, cut = set(pair), []
    for stmt in reversed(head):  # the statements the pair is made from, and nothing else of the head
        if _written(stmt) & needed:
            cut.append(stmt)
            needed |= set(loads(stmt))
    sources = tuple(
        dict.fromkeys(
            n.value.id
            for s in cut
            for n in ast.walk(s)
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id in data
        )
    )
    if not sources:
        return None  # cut from no data array: nothing to take out
    return [s for s in body if s not in cut], pair, sources, _label_form(cut, pair[1])


def _beside(head: list[ast.stmt], inputs: str) -> list[str]:
    """The one name of no role the head binds to a slice of the array the inputs are sliced from, when
    there is exactly one (``k = a[off:off + n, 3:].T`` beside ``x = a[off:off + n, :3].T``)."""

    def sliced(stmt: ast.stmt) -> set[str]:
        return {
            n.value.id
            for n in ast.walk(stmt)
            if isinstance(n, ast.Subscript)
            and isinstance(n.value, ast.Name)
            and isinstance(n.slice, ast.Tuple)
        }

    source = next((sliced(s) for s in head if isinstance(s, ast.Assign) and inputs in stores(s)), set())
    others = [
        n
        for s in head
        if isinstance(s, ast.Assign) and source and sliced(s) == source and inputs not in stores(s)
        for n in stores(s)
        if cv.role(n, 1) is None
    ]
    return others if len(others) == 1 else []


def _label_form(cut: list[ast.stmt], label: str) -> str | None:
    """``index`` when the labels are cut as one column by an integer (``Y = batch[:, 3]``: one value per
    sample, 1-D), ``one-hot`` when by a slice (``batch[:, 3:]``: one row each), None when not read."""
    made = next((s for s in cut if isinstance(s, ast.Assign) and label in _written(s)), None)
    for node in ast.walk(made) if made is not None else []:
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            last = node.slice.elts[-1]
            last = last.operand if isinstance(last, ast.UnaryOp) else last
            if isinstance(last, ast.Constant) and isinstance(last.value, int):
                return "index"
            if isinstance(last, ast.Slice):
                return "one-hot"
    return None


def _written(stmt: ast.stmt) -> set[str]:
    """Names ``stmt`` binds, in any branch of it (``if offset >= m: offset = 0`` binds ``offset``)."""
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _free(read: set[str]) -> set[str]:
    """Names a head statement may read besides data: modules and builtins (``np``, ``len``, ``int``)."""
    return {n for n in read if n in ("np", "numpy", "len", "int", "range", "min", "max", "abs", "float")}


def _calls_method_of_unmade(stmt: ast.stmt, known: set[str]) -> bool:
    """Whether ``stmt`` calls a method of an object neither data nor made in the head (``net.forward(x)``:
    the step has begun)."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id not in known | {"np", "numpy"}
        for n in ast.walk(stmt)
    )
