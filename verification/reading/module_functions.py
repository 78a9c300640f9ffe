"""Functions a driver file calls through the modules of its own project (``fp.forward_propagation(x,
parameters)``).

A project split into one module per step (``forward_propagation.py``, ``backward_propagation.py``,
``utilities.py``) often has a driver that imports the modules and calls their functions by the module's
name (``from NN import forward_propagation as fp``); the driver defines none of them. When the driver is
the file checked, :func:`module_functions` binds each function it calls so into the namespace under its
own name, the forward, backward and initialisation functions are looked for among them as among the
file's own, and the setup the report prints imports them (``from NN.forward_propagation import
forward_propagation``) so that the explicit form runs as printed. Only modules whose file lies under the
folder that holds the file's folder count: never an installed library's.
"""

from __future__ import annotations

import ast
import inspect
import types
from pathlib import Path
from typing import Any

from verification.reading.loader import LoadedScript


def module_functions(namespace: dict[str, Any], script: LoadedScript) -> dict[str, str]:
    """Bind the functions the script calls as ``module.function(…)`` of its own project's modules under
    their names (those it does not define or bind to something else itself); ``{name: import
    statement}`` of each bound."""
    home = script.path.resolve().parent.parent
    out: dict[str, str] = {}
    for node in ast.walk(script.tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        ):
            continue
        module, name = namespace.get(node.func.value.id), node.func.attr
        if not isinstance(module, types.ModuleType) or name in out:
            continue
        where = getattr(module, "__file__", None) or ""
        fn = getattr(module, name, None)
        own = where and "-packages" not in where and home in Path(where).resolve().parents
        if own and inspect.isfunction(fn) and namespace.get(name, fn) is fn:  # bound here before: the same
            namespace[name] = fn
            out[name] = f"from {module.__name__} import {name}"
    return out


def with_imports(
    namespace: dict[str, Any], script: LoadedScript, setups: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``setups`` (each a setup and what it names the parameters) with the imports of the functions the
    script calls through its project's modules (:func:`module_functions`) first, so that each runs as
    printed."""
    imports = "; ".join(module_functions(namespace, script).values())
    return [(f"{imports}; {setup}" if imports else setup, names) for setup, names in setups]
