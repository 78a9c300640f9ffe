"""A script that builds and trains a network of its project's own class, imported from beside it.

A demo script often defines nothing: it imports the project's network and layers and calls them::

    from network.neural_network import NeuralNetwork
    from network.dense import Dense
    nn = NeuralNetwork()
    nn.add(Dense(4, 8, activation=ReLU()))
    …
    nn.fit(X_train, y_train, epochs=5000, learning_rate=0.01)
    save_model(nn, 'model.pkl'); loaded = load_model('model.pkl'); loaded.predict(X_test)

Read as a training script, its "step" is everything from the first call that drives the network on:
the author's whole training, and the saving, loading and predicting after it, on data the loader never
made. The network is the class's: :func:`driven_class` finds it, so that when the script's reading
fails it is checked as ``check demo.py:NeuralNetwork`` checks it, with the script's own construction as
the setup (:func:`verification.adapters.classes.setups`).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

from verification.reading.loader import LoadedScript
from verification.reading.slices import driver_bodies, flat_body
from verification.reading.top_level_names import receivers


def _beside(cls: type, script: LoadedScript) -> bool:
    """Whether ``cls`` is defined in a file in the script's folder or below it (the project's code,
    not an installed library's)."""
    try:
        source = inspect.getsourcefile(cls)
    except TypeError:  # a built-in class
        return False
    folder = Path(script.path).resolve().parent
    return source is not None and Path(source).resolve().is_relative_to(folder)


def driven_class(namespace: dict[str, Any], script: LoadedScript) -> type | None:
    """The one class that the script's top level (its ``if __name__ == "__main__":`` block included;
    else the body of a driver, ``def main():``, when the top level makes none) makes an object of
    (``nn = NeuralNetwork()``, ``model = mdl.Model()``) and calls methods on, that the script does not
    define, and that a module beside the script does; None when there is no such class, or several."""
    tree = script.tree
    defined = set(script.defined_names())
    for body in [flat_body(tree), *driver_bodies(tree)]:  # the top level, else a def main() that drives it
        called = set(receivers(body, _constructed(body)))
        classes: list[type] = []
        for stmt in body:
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call):
                continue
            made, cls = _made(stmt.value.func, namespace)
            bound = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            if bound & called and isinstance(cls, type) and made not in defined and _beside(cls, script):
                classes += [] if cls in classes else [cls]
        if classes:
            return classes[0] if len(classes) == 1 else None
    return None


def _made(func: ast.expr, namespace: dict[str, Any]) -> tuple[str | None, Any]:
    """The name and the value of what a construction calls: ``NN`` of ``NN()``, or ``Model`` of
    ``mdl.Model()`` with the module ``mdl`` imported (``import Model as mdl``)."""
    if isinstance(func, ast.Name):
        return func.id, namespace.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module = namespace.get(func.value.id)
        if inspect.ismodule(module):
            return func.attr, getattr(module, func.attr, None)
    return None, None


def _constructed(body: list[ast.stmt]) -> set[str]:
    """Names ``body`` binds to an object it makes by calling a name or a module's attribute (``nn =
    NN()``, ``model = mdl.Model()``)."""
    return {
        t.id
        for s in body
        if isinstance(s, ast.Assign)
        and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Name | ast.Attribute)
        for t in s.targets
        if isinstance(t, ast.Name)
    }
