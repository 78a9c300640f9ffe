"""Arguments named like an error that are the labels: ``train(self, x, d)`` with ``d`` the desired output.

``d`` is the error handed to a backward pass in some code (``backward(self, d)``) and the desired
response in the notation of Haykin (*Neural Networks and Learning Machines*, 3rd ed., 2009, §4.4:
``e_j(n) = d_j(n) − y_j(n)``), which many courses follow; ``e`` and ``delta`` are read the same two ways.
The name does not say which; the method does (:func:`desired_outputs`): a method that runs the forward
pass itself and then subtracts the argument (``d[j] - y[j]``) computes the error from it, so it is the
labels. Nothing here runs the code: the syntax tree is read.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading.conventions import positional_parameters, role
from verification.reading.source_trees import source_tree
from verification.reading.updates import subtracted_arguments

FORWARD_CALL = re.compile(r"^_*(forward|feed|predict|propagate|activate)", re.IGNORECASE)
"""Methods of the object whose call runs the forward pass (``self.forward_train(x)``)."""


def _runs_forward(fn: Any) -> bool:
    """Whether ``fn`` calls a method of its object named like a forward pass."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef) or not first.args.args:
        return False
    me = first.args.args[0].arg
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == me
        and FORWARD_CALL.match(n.func.attr) is not None
        for n in ast.walk(first)
    )


def desired_outputs(fn: Any) -> dict[str, str]:
    """``{argument: "y"}`` for each argument of the method ``fn`` named like an error (``d``, ``e``,
    ``delta``: :func:`verification.reading.conventions.role`) that ``fn`` subtracts after running the
    forward pass itself: the labels, which the error is computed from, not an error handed in."""
    params = positional_parameters(fn)
    errors = [p.name for i, p in enumerate(params) if role(p.name, i) == "error"]
    if not errors or not _runs_forward(fn):
        return {}
    subtracted = subtracted_arguments(fn)
    return {a: "y" for a in errors if a in subtracted}
