"""Cost and gradient functions over an unrolled parameter vector, read off their source: which argument
is the vector (the one whose slices a function reshapes, itself or through a helper of its module,
``Theta1, Theta2 = unroll(nn_params, …)``), and which cost function a gradient function written apart
from it belongs to (:mod:`verification.adapters.flat_costs` checks them).
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from verification.reading.source_trees import source_tree

GRADIENT_FUNCTION = re.compile(r"grad|backprop|jac", re.I)
"""Names of a gradient function written apart from its cost (``gradient(nn_params, …)``, handed to
``scipy.optimize.minimize(…, jac=gradient)``)."""


def cost_partner(functions: dict[str, Any], name: str) -> str | None:
    """The cost function beside the gradient function ``name``: of the same arguments, both reshaping
    slices of the same unrolled vector and returning one value; None when there is none."""
    fn = functions[name]
    vector = unrolled(fn, 1) if GRADIENT_FUNCTION.search(name) else None
    if vector is None:
        return None
    params = list(inspect.signature(fn).parameters)
    for other, cost in functions.items():
        if (
            other != name
            and not GRADIENT_FUNCTION.search(other)
            and list(inspect.signature(cost).parameters) == params
            and unrolled(cost, 1) == vector
        ):
            return other
    return None


def unrolled(fn: Any, values: int = 2) -> str | None:
    """The argument of ``fn`` whose slices it reshapes, when ``fn`` also returns ``values`` values (two:
    the cost and the gradient; one: either alone); else None."""
    tree = source_tree(fn)
    if tree is None:
        return None
    returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value is not None]
    pairs = [isinstance(r.value, ast.Tuple) and len(r.value.elts) == 2 for r in returns]
    if not returns or not (all(pairs) if values == 2 else not any(pairs)):
        return None
    return _reshaped(fn, tree) or _reshaped_by_helper(fn, tree)


def _reshaped_by_helper(fn: Any, tree: ast.AST) -> str | None:
    """The argument of ``fn`` that it hands a function of its module reshaping slices of it
    (``Theta1, Theta2 = unroll(nn_params, …)``); else None."""
    args = list(inspect.signature(fn).parameters)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        helper = getattr(fn, "__globals__", {}).get(call_name(node.func) or "")
        if not inspect.isfunction(helper) or helper is fn:
            continue
        params = list(inspect.signature(helper).parameters)
        inner = _reshaped(helper, source_tree(helper))
        handed = dict(zip(params, node.args, strict=False))
        given = handed.get(inner or "")
        if isinstance(given, ast.Name) and given.id in args:
            return given.id
    return None


def _reshaped(fn: Any, tree: ast.AST | None) -> str | None:
    """The argument of ``fn`` whose slices it reshapes (``nn_params[:k].reshape(…)``, or ``t1 =
    nn_params[:k]`` then ``t1.reshape(…)``); else None."""
    if tree is None:
        return None
    args = set(inspect.signature(fn).parameters)
    sliced = {  # theta_1 = nn_params[0:k], reshaped in a statement of its own
        node.targets[0].id: node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Subscript)
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and call_name(node.func) == "reshape"):
            continue
        numpy_call = isinstance(node.func, ast.Name) or _numpy_call(node)  # np.reshape(a, shape)
        array = (node.args[0] if node.args else None) if numpy_call else getattr(node.func, "value", None)
        array = sliced.get(array.id, array) if isinstance(array, ast.Name) else array
        if (
            isinstance(array, ast.Subscript)
            and isinstance(array.value, ast.Name)
            and array.value.id in args
            and isinstance(array.slice, ast.Slice)
        ):
            return array.value.id
    return None


def call_name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _numpy_call(node: ast.Call) -> bool:
    """``np.reshape(a, shape)`` (the array is the first argument), not ``a.reshape(shape)``."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("np", "numpy")
    )
