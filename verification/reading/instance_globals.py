"""Global names a class's methods use for the class's own instance.

A script written to be run top to bottom sometimes lets its methods reach the network through the
variable it will be assigned to at the top level (``nn = NeuralNetwork(...)`` further down, or only in
the author's session), instead of ``self``::

    self.contrib = lambda X, idx: nn.sigmoid(np.dot(X, nn.WEIGHTS[f"w{idx}"]))

Such a method raises ``NameError`` unless that name is the instance. :func:`instance_globals` finds the
names: read by a method, defined nowhere in the script's namespace nor among the builtins, and used
only for attributes the class has (its methods, or attributes its methods assign on ``self``). The setup
then binds each to the instance it built (``net = NeuralNetwork(...); nn = net``), which the explicit
form shows.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Mapping
from typing import Any

from verification.reading.source_trees import source_tree


def _class_tree(cls: type) -> ast.ClassDef | None:
    tree = source_tree(cls)
    if tree is None:
        return None
    node = tree.body[0] if tree.body else None
    return node if isinstance(node, ast.ClassDef) else None


def _own_attributes(cls: type, tree: ast.ClassDef) -> set[str]:
    """The class's attributes (methods included) and those its methods assign on their first argument."""
    out = set(dir(cls))
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and fn.args.args:
            me = fn.args.args[0].arg
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == me
                ):
                    out.add(node.attr)
    return out


def instance_globals(cls: type, namespace: Mapping[str, Any]) -> list[str]:
    """The names ``cls``'s methods use for its instance (module docstring), in order of first use;
    ``[]`` when its source cannot be read."""
    tree = _class_tree(cls)
    if tree is None:
        return []
    own = _own_attributes(cls, tree)
    local = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)
    } | {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in [*n.args, *n.kwonlyargs]}
    uses: dict[str, bool] = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        parents = {child: node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(fn):
            if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
                continue
            name = node.id
            if name in namespace or name in local or hasattr(builtins, name) or name == cls.__name__:
                continue
            parent = parents.get(node)
            fits = isinstance(parent, ast.Attribute) and parent.attr in own
            uses[name] = uses.get(name, True) and fits
    return [n for n, fits in uses.items() if fits]
