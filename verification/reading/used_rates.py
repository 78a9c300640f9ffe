"""A constructor argument that is a learning rate by use, whatever its name.

Names for the step size vary beyond any list (``learning_speed``, ``paso``, ``k``), but gradient descent
writes it the same way everywhere: the argument is kept in an attribute, and that attribute multiplies
the term an update subtracts from a parameter::

    def __init__(self, data, targets, learning_speed):
        self.learning_speed = learning_speed
    …
        neuron.weights = neuron.weights - self.learning_speed * weights_gradients

:func:`used_as_rate` reads that use (nothing is run: the source is parsed with :mod:`ast`), so that the
argument is given a learning rate (0.1, :data:`verification.reading.guesses.SIZE_GUESSES`) rather than
the construction refused for an argument whose name says nothing.
"""

from __future__ import annotations

import ast

from verification.reading.source_trees import source_tree


def _kept(init: ast.AST, name: str) -> set[str]:
    """Attributes of ``self`` the constructor assigns the argument ``name`` to unchanged."""
    return {
        t.attr
        for node in ast.walk(init)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == name
        for t in node.targets
        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
    }


def _subtracted(node: ast.AST) -> ast.expr | None:
    """The term an update subtracts: ``E`` of ``p -= E`` and of ``p = q - E``; None for any other
    statement."""
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Sub):
        return node.value
    value = node.value if isinstance(node, ast.Assign) else None
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Sub):
        return value.right
    return None


def used_as_rate(cls: type, name: str) -> bool:
    """Whether the constructor of ``cls`` keeps its argument ``name`` in an attribute (``self.k =
    name``) that, in any method of the class, is a factor of a product an update subtracts (``p -=
    self.k * g``, ``p = p - self.k * g``, ``p -= g * self.k / n``; a divisor, ``n`` there, is no rate).

    Parameters
    ----------
    cls : type
        A class whose source can be read; for any other object, False.
    name : str
        The name of one of its constructor's arguments.
    """
    init, whole = source_tree(getattr(cls, "__init__", cls)), source_tree(cls)
    if not isinstance(cls, type) or init is None or whole is None:
        return False
    kept = _kept(init, name)
    for node in ast.walk(whole):
        term = _subtracted(node)
        for op in ast.walk(term) if term is not None else []:
            if isinstance(op, ast.BinOp) and isinstance(op.op, ast.Mult | ast.Div):
                factors = (op.left, op.right) if isinstance(op.op, ast.Mult) else (op.left,)  # not 1/n
                if any(isinstance(f, ast.Attribute) and f.attr in kept for f in factors):
                    return True
    return False
