"""How a function or constructor uses one of its arguments, read from its source: as a list of sizes
(indexed, measured with ``len``, iterated), a width (shaping an array), a NumPy array of sizes, or pairs
of sizes; what :mod:`verification.reading.guesses` gives an argument whose name says nothing.

Nothing is run: the source is parsed with :mod:`ast`.
"""

from __future__ import annotations

import inspect
from typing import Any

from verification.reading.data_arguments import ARRAY_ATTRIBUTES

SEQUENCE_CALLS = ("len", "list", "tuple", "enumerate", "reversed", "sorted", "zip")
"""Calls whose first argument is a sequence."""


def _handed_to(cls: type, init: Any, name: str) -> list[Any]:
    """The bodies of the methods that ``__init__`` (the parsed ``init``) calls with the argument ``name``
    (``self.W = self.generate_W(n)``), their parameter renamed to ``name`` where it differs, and of those
    it calls with no argument (``self.initial()``, reading the attribute it stored the argument in): how
    they use it is how the constructor's argument is used."""
    import ast

    from verification.reading.source_trees import source_tree

    out: list[Any] = []
    for node in ast.walk(init):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        ):
            continue
        method = getattr(cls, node.func.attr, None)
        at = [i for i, a in enumerate(node.args) if isinstance(a, ast.Name) and a.id == name]
        if not at and inspect.isfunction(method) and not node.args:  # self.initial(): reads self.<name>
            tree = source_tree(method)
            out += tree.body if tree is not None else []
            continue
        if not at or not inspect.isfunction(method):
            continue
        try:
            params = list(inspect.signature(method).parameters)[1:]
        except (TypeError, ValueError):
            continue
        tree = source_tree(method)
        if tree is None:
            continue
        if at[0] >= len(params):
            continue
        given = params[at[0]]
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and n.id == given:
                n.id = name
        out += tree.body
    return out


def usage(fn: Any, name: str) -> str | None:
    """How the source of ``fn`` (a function, or a class's ``__init__`` and the methods it calls) uses
    the argument ``name``: ``pairs`` when its elements are indexed by constants (``for l in sizes:
    Linear(l[0], l[1])``, ``sizes[i][0]``), a list of ``(inputs, outputs)`` pairs; ``list`` when it is
    measured (``len``), copied (``list(sizes)``), indexed, sliced, iterated or concatenated with a
    list; ``int`` when it is an array's size (an argument of ``np.zeros``, ``np.random.randn`` …, or of
    ``range``); None when neither.

    Nothing is run: the source is parsed with :mod:`ast`.
    """
    import ast

    from verification.reading.source_trees import source_tree

    target = getattr(fn, "__init__", fn) if isinstance(fn, type) else fn
    tree = source_tree(target)
    if tree is None:
        return None
    if isinstance(fn, type):  # self.generate_W(n): the methods __init__ hands the argument to use it too
        tree.body += _handed_to(fn, tree, name)
    names, attributes = {name}, _attributes_of(tree, name)

    def named(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id in names) or (
            isinstance(node, ast.Attribute) and node.attr in attributes
        )

    elements = {  # for l in sizes: the loop's variable is an element
        node.target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.For | ast.comprehension)
        and named(node.iter)
        and isinstance(node.target, ast.Name)
    }
    for node in ast.walk(tree):  # for i, o in sizes: a list of (in, out) pairs
        if (
            isinstance(node, ast.For | ast.comprehension)
            and named(node.iter)
            and isinstance(node.target, ast.Tuple)
            and len(node.target.elts) == 2
        ):
            return "pairs"
    for node in ast.walk(tree):  # l[0], l[1] of an element, or sizes[i][0]: a list of (in, out) pairs
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            inner = node.value
            if (isinstance(inner, ast.Name) and inner.id in elements) or (
                isinstance(inner, ast.Subscript) and named(inner.value)
            ):
                return "pairs"
    read_as_array = any(
        isinstance(node, ast.Attribute) and node.attr in ARRAY_ATTRIBUTES and named(node.value)
        for node in ast.walk(tree)
    )  # n.size, n.shape: a size list given as an array
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in SEQUENCE_CALLS and node.args:
            if named(node.args[0]):
                return "array" if read_as_array else "list"
        if isinstance(node, ast.Subscript) and named(node.value):
            return "array" if read_as_array else "list"
        if isinstance(node, ast.For | ast.comprehension) and named(node.iter):
            return "array" if read_as_array else "list"
        if isinstance(node, ast.Starred) and named(node.value):  # [n_in, *hidden_sizes, n_out]
            return "list"
        if (  # dims.extend(self.hidden_dim)
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "extend"
            and any(named(a) for a in node.args)
        ):
            return "list"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            sides = (node.left, node.right)
            if any(named(s) for s in sides) and any(isinstance(s, ast.List) for s in sides):
                return "list"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in ("zeros", "ones", "randn", "rand", "random", "normal", "uniform", "empty", "range"):
                if any(named(a) for a in ast.walk(ast.Tuple(elts=list(node.args), ctx=ast.Load()))):
                    return "int"
    return None


def _attributes_of(tree: Any, name: str) -> set[str]:
    """The attributes that hold the argument ``name`` itself: assigned from it (``self.sizes = sizes``),
    or read where no line of ``tree`` assigns them; not ``self.kernel_size = (kernel_size,
    kernel_size)``, which only shares its name."""
    import ast

    made = {
        t.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Attribute)
    }
    given = {
        t.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name) and n.value.id == name
        for t in n.targets
        if isinstance(t, ast.Attribute)
    }
    return given | ({name} - made)


def largest_index(fn: Any, name: str) -> int:
    """The largest constant index at which the source of ``fn`` reads its argument ``name``
    (``num_hiddens[1]`` → 1; negative indices count from the end and say nothing), or 0 when it reads
    none: a list of sizes needs that many and one more."""
    import ast

    from verification.reading.source_trees import source_tree

    tree = source_tree(fn)
    if tree is None:
        return 0
    indices = [
        node.slice.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
        and isinstance(node.slice, ast.Constant)
        and type(node.slice.value) is int
    ]
    return max([0, *indices])


def iterated(fn: Any, name: str, indexed: bool = False) -> bool:
    """Whether the source of ``fn`` loops over its argument ``name`` directly (``for sample in data:``,
    or ``for x, y in zip(inputs, targets)``): a training function's data set, not one sample. With
    ``indexed``, also when it reads one element at a time by a plain index (``x_train[j]``)."""
    import ast

    from verification.reading.source_trees import source_tree

    tree = source_tree(fn)
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.comprehension):
            loop = node.iter
            sources = (
                loop.args if isinstance(loop, ast.Call) and getattr(loop.func, "id", "") == "zip" else [loop]
            )
            if any(isinstance(s, ast.Name) and s.id == name for s in sources):
                return True
        if (
            indexed
            and isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
            and isinstance(node.slice, ast.Name)
        ):
            return True
    return False
