"""Arguments of a training method that are a momentum factor, whatever their names.

The classic online back-propagation code (Schemenauer's ``bpnn.py`` and its many copies) steps with a
learning rate and a momentum factor named by single letters::

    def backPropagate(self, targets, N, M):
        …
        self.wo[j][k] = self.wo[j][k] + N * change + M * self.co[j][k]
        self.co[j][k] = change

Both multiply a term of the update (:func:`verification.reading.updates.step_factors`), but ``M``
multiplies the change the object kept from its previous step. :func:`momentum_factors` reads that (the
source parsed with :mod:`ast`, nothing run), so that the check gives it 0: with no momentum each step
is the gradient step alone, and a batch of samples stepped through in turn is plain online gradient
descent rather than steps that carry the last one over.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from verification.reading.source_trees import source_tree
from verification.reading.updates import step_factors


def _kept_state(node: ast.expr) -> bool:
    """``self.co[j][k]``, ``self.velocity``: something the object keeps (an attribute of ``self``,
    subscripted or not)."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def momentum_factors(fn: Any, parameter_names: Iterable[str]) -> list[str]:
    """The arguments of ``fn`` that multiply a term of an update of the parameters (kept under
    ``parameter_names``, :func:`~verification.reading.updates.step_factors`) and, in ``fn``, a change
    the object kept (``M * self.co[j][k]``), in the order of the signature; empty when none does or
    the source cannot be read."""
    factors = step_factors(fn, parameter_names)
    tree = source_tree(fn) if factors else None
    kept = {
        factor.id
        for op in (ast.walk(tree) if tree is not None else [])
        if isinstance(op, ast.BinOp) and isinstance(op.op, ast.Mult)
        for factor, other in ((op.left, op.right), (op.right, op.left))
        if isinstance(factor, ast.Name) and _kept_state(other)
    }
    return [f for f in factors if f in kept]


def passed_momentum(fn: Any, parameter_names: Iterable[str]) -> list[str]:
    """The arguments of the method ``fn`` that it hands on to a momentum factor of another method of
    its class (``train(self, patterns, N=0.5, M=0.1)`` calling ``self.backPropagate(targets, N, M)``,
    whose ``M`` multiplies the change it kept: :func:`momentum_factors`)."""
    tree = source_tree(fn)
    owner = getattr(fn, "__globals__", {}).get(getattr(fn, "__qualname__", "").split(".")[0])
    if tree is None or not isinstance(owner, type):
        return []
    own = {a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.args}
    found: list[str] = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self"):
            continue
        callee = getattr(owner, f.attr, None)
        defined = _first(callee)
        names = [a.arg for a in defined.args.args][1:] if defined is not None else []
        kept = set(momentum_factors(callee, parameter_names)) if defined is not None else set()
        found += [
            a.id
            for a, name in zip(call.args, names, strict=False)
            if isinstance(a, ast.Name) and a.id in own and name in kept
        ]
    return list(dict.fromkeys(found))


def _first(fn: Any) -> ast.FunctionDef | None:
    tree = source_tree(fn) if fn is not None else None
    first = tree.body[0] if tree is not None and tree.body else None
    return first if isinstance(first, ast.FunctionDef) else None


def factor_roles(fn: Any, parameter_names: Iterable[str], factors: list[str]) -> dict[str, str]:
    """The roles of the arguments of ``fn`` that scale its steps: each of ``factors`` (arguments that
    multiply a term of an update) ``momentum`` (given 0) when it is a :func:`momentum_factors` one, else
    ``lr``; and ``momentum`` for an argument handed on to another method's momentum factor
    (:func:`passed_momentum`), its default replaced by 0 too."""
    kept = momentum_factors(fn, parameter_names)
    roles = {f: "momentum" if f in kept else "lr" for f in factors}
    return roles | {a: "momentum" for a in passed_momentum(fn, parameter_names)}
