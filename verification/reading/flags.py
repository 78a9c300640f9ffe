"""Arguments that pick a branch: a flag or an option string a constructor is given and the code compares
with constants (``if init_flag == '1':``, ``self.kind = kind`` … ``if self.kind == 'sig':`` in
another method). Such an argument's name says nothing of its value, but its comparisons name the values
the code accepts; the first one is taken (:func:`compared_constant`), and the setup that uses it says
so."""

from __future__ import annotations

import ast
from typing import Any

from verification.reading.source_trees import source_tree


def compared_constants(cls: type, name: str) -> list[Any]:
    """Every constant the class ``cls`` compares its constructor's argument ``name`` with, in the
    constructor or through the attribute it is kept in, in the order of the source, each once: the
    branches a flag picks (``['sig', 'tanh']``), each of which a check must run."""
    init = getattr(cls, "__init__", cls)
    kept = _kept_in(source_tree(init), name)
    found: list[Any] = []
    for tree, wanted in (
        (source_tree(init), lambda n: isinstance(n, ast.Name) and n.id == name),
        (source_tree(cls), lambda n: _self_attribute(n, kept)),
    ):
        for node in ast.walk(tree) if tree is not None else []:
            if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq) and wanted(node.left):
                value = node.comparators[0]
                if isinstance(value, ast.Constant) and value.value not in found:
                    found.append(value.value)
    return found


def _self_attribute(node: ast.AST, names: set[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and node.attr in names
    )


def compared_constant(fn: Any, name: str) -> Any:
    """The first constant the code compares the argument ``name`` of ``fn`` with, or None.

    Parameters
    ----------
    fn : function or class
        A function, or a class whose constructor takes ``name``.
    name : str
        The argument.

    Returns
    -------
    object or None
        For a function (or a class's ``__init__``): the first constant ``name`` is compared with by
        ``==``. For a class whose ``__init__`` keeps the argument in an attribute (``self.kind =
        kind``): else the first constant any of its methods compares that attribute with.
    """
    init = getattr(fn, "__init__", fn) if isinstance(fn, type) else fn
    found = _first_compared(source_tree(init), lambda n: isinstance(n, ast.Name) and n.id == name)
    if found is not None or not isinstance(fn, type):
        return found
    kept = _kept_in(source_tree(init), name)
    return _first_compared(source_tree(fn), lambda n: _self_attribute(n, kept))


def _first_compared(tree: ast.AST | None, wanted: Any) -> Any:
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq):
            left, right = node.left, node.comparators[0]
            if wanted(left) and isinstance(right, ast.Constant):
                return right.value
    return None


def _kept_in(tree: ast.AST | None, name: str) -> set[str]:
    """Attributes of ``self`` the constructor assigns the argument ``name`` to, unchanged."""
    kept = set()
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == name:
            kept |= {
                t.attr
                for t in node.targets
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
            }
    return kept
