"""Functions of no arguments that build the network and return it.

A project's entry script often holds no class of its own: ``def build(): net = Model(); net.add(…);
…; return net`` assembles the network from the project's modules, and its ``__main__`` block trains
what ``build()`` returns. :func:`network_builder` finds such a function and the class of what it
returns, so the check builds the network with it (``net = build()``) and reads the class's methods.
Nothing is run here: the function's source is read.

A script of that kind may also build the network in its ``__main__`` block itself, with nothing to call
(``nn = Network(cross_entropy, cross_entropy_prime)``, ``nn.add_layer(FullyConnectedLayer(34, 30))``
…, then ``nn.train(x_train, y_train, 300, 0.01)``): :func:`main_builder` takes the construction and
the calls that add to it, when they read nothing but what the script imports and defines.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from typing import Any

from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript
from verification.reading.source_trees import source_tree
from verification.reading.targets import NETWORK_NAME

BUILDER = re.compile(
    r"^(build|make|create|get|new|init)(_?(the_?)?(model|net|network|nn|mlp|classifier))?$", re.I
)
"""Names of a function that builds the network: ``build``, ``make_model``, ``create_network``."""


def network_builder(script: LoadedScript) -> tuple[type, str] | None:
    """``(class, setup)`` for the script's one function of no required arguments named like a builder
    (:data:`BUILDER`) that returns a name it bound to an instance of a class with a forward-like
    method and a gradient-like or training method (``net = Model()`` … ``return net``); the setup is
    ``net = build()``. None when there is no such function, or several."""
    namespace = script.module.__dict__
    found = []
    for name in script.defined_names():
        fn = namespace.get(name)
        if not inspect.isfunction(fn) or not BUILDER.match(name) or _required(fn):
            continue
        cls = _returned_class(fn, namespace)
        if cls is not None and _network_like(cls):
            found.append((cls, f"net = {name}()"))
    return found[0] if len(found) == 1 else None


def _required(fn: Any) -> list[str]:
    return [p.name for p in cv.positional_parameters(fn) if p.default is inspect.Parameter.empty]


def _returned_class(fn: Any, namespace: dict[str, Any]) -> type | None:
    """The class whose instance ``fn`` returns: ``return net`` after ``net = Model(…)``, or ``return
    Model(…)``."""
    tree = source_tree(fn)
    if tree is None:
        return None
    made: dict[str, str] = {}
    returned: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for t in node.targets:
                if isinstance(t, ast.Name) and isinstance(node.value.func, ast.Name):
                    made[t.id] = node.value.func.id
        elif isinstance(node, ast.Return) and node.value is not None:
            returned.append(node.value)
    if len(returned) != 1:
        return None
    value = returned[0]
    name = made.get(value.id) if isinstance(value, ast.Name) else None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        name = value.func.id
    cls = namespace.get(name) if name else None
    return cls if isinstance(cls, type) else None


def _network_like(cls: type) -> bool:
    forwards = cv.methods_by_preference(cls, cv.FORWARD_NAMES, ("forward", "feed", "predict"))
    trains = cv.methods_by_preference(
        cls, (*cv.GRADIENT_NAMES, *cv.TRAIN_NAMES), ("backward", "train", "fit")
    )
    return bool(forwards) and bool(trains)


ADDING = re.compile(r"^(add|add_?layer|append|append_?layer|push|add_module)$", re.I)
"""Methods that add a layer to a container."""


def main_builder(script: LoadedScript) -> tuple[type, str] | None:
    """``(class, setup)`` for the network the script's ``__main__`` block (else its top level) builds:
    the first ``v = Class(…)`` of a class with a forward-like and a training method, and the calls
    ``v.add_layer(…)`` after it; the setup ends with ``net = v``. None when there is none, or when
    those statements read a name the loaded script does not hold (its data)."""
    namespace = script.module.__dict__
    body = script.tree.body
    main = [s for s in body if isinstance(s, ast.If) and "__main__" in ast.unparse(s.test)]
    statements = main[0].body if main else body
    for i, s in enumerate(statements):
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
            continue
        if not (isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)):
            continue
        cls = namespace.get(s.value.func.id)
        if not (isinstance(cls, type) and _network_like(cls)):
            continue
        var = s.targets[0].id
        adds: list[ast.stmt] = [
            t
            for t in statements[i + 1 :]
            if isinstance(t, ast.Expr)
            and isinstance(t.value, ast.Call)
            and isinstance(t.value.func, ast.Attribute)
            and ast.unparse(t.value.func.value) == var
            and ADDING.match(t.value.func.attr)
        ]
        if not adds and not NETWORK_NAME.search(cls.__name__):  # a layer made at the top level: no network
            continue
        made = [s, *adds]
        read = {n.id for m in made for n in ast.walk(m) if isinstance(n, ast.Name) and n.id != var}
        if read - set(namespace) - set(dir(builtins)):  # max(8, 2) is no data
            return None
        setup = "; ".join(ast.unparse(m) for m in made) + ("" if var == "net" else f"; net = {var}")
        return cls, setup
    return None
