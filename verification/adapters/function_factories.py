"""Functions a network's functions are handed, made by a function of the project.

Course templates often hand the forward and backward functions their activation and its derivative
as arguments, and keep a function that makes both by name::

    def get_transition_func(transType):
        if transType.lower() == 'sigmoid':
            trans_func = lambda z: 1 / (1 + np.exp(-z))
            trans_func_der = lambda z: trans_func(z) * (1 - trans_func(z))
        ...
        return trans_func, trans_func_der

    aas, zzs = forward_pass(W, xTr, trans_func)
    gradient = backprop(W, aas, zzs, yTr, trans_func_der)

Such an argument's name says nothing of its value, but the maker's returned names do:
:func:`made_functions` gives ``trans_func`` the value ``get_transition_func('sigmoid')[0]``, the maker
called with the first of sigmoid, tanh and ReLU that it compares its argument with, so that each is
the project's own (the derivative's convention, of the pre-activation or of the output, is the
maker's). The maker is bound where the check runs, also when it lives in a module beside the file.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript
from verification.reading.siblings import sibling_functions
from verification.reading.source_trees import source_tree
from verification.reading.updates import returned_names

PREFERRED = ("sigmoid", "tanh", "relu")
"""The names a maker is called with, in order: smooth first, so that no probe sits on a kink."""


def made_functions(namespace: dict[str, Any], script: LoadedScript, functions: list[Any]) -> dict[str, str]:
    """``{argument: expression}`` for the arguments of ``functions`` that a function of the project
    (in the file, else beside it) returns by name, among two or more names, when it takes one name of
    an activation; each maker used is bound in ``namespace`` under its own name. Empty when none."""
    wanted = {
        p.name
        for fn in functions
        for i, p in enumerate(cv.positional_parameters(fn))
        if cv.role(p.name, i) is None
    }
    if not wanted:
        return {}
    pool = {n: f for n, (f, _) in sibling_functions(script.path, ("",)).items()}
    pool |= {n: f for n, f in namespace.items() if inspect.isfunction(f)}
    out: dict[str, str] = {}
    for name, maker in pool.items():
        names = returned_names(maker) or []
        if len(names) < 2 or not set(names) & wanted - set(out):
            continue
        choice = _activation_name(maker)
        if choice is None:
            continue
        namespace.setdefault(name, maker)
        out |= {n: f"{name}({choice!r})[{i}]" for i, n in enumerate(names) if n in wanted and n not in out}
    return out


def _activation_name(maker: Any) -> str | None:
    """The first of :data:`PREFERRED` that ``maker``, of one required argument, compares its argument
    with (``transType.lower() == 'sigmoid'``); None otherwise."""
    params = [p for p in cv.positional_parameters(maker) if p.default is inspect.Parameter.empty]
    tree = source_tree(maker)
    if len(params) != 1 or tree is None:
        return None
    arg = params[0].name
    compared: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not isinstance(node.ops[0], ast.Eq):
            continue
        left = (
            node.left.func.value
            if isinstance(node.left, ast.Call) and isinstance(node.left.func, ast.Attribute)
            else node.left
        )
        right = node.comparators[0]
        if isinstance(left, ast.Name) and left.id == arg and isinstance(right, ast.Constant):
            compared.append(str(right.value))
    return next((c for w in PREFERRED for c in compared if c.lower() == w), None)
