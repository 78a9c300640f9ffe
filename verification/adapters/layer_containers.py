"""Network classes that only hold a list of layers, trained by a function of the project.

A small framework may keep its network class to a constructor that builds the layers::

    class Neural_Network:
        def __init__(self, layer_sizes): self.layers = [Linear(…), ReLU(), …, Sigmoid()]

and leave both passes to a training function in a module of its own (``module/train_loop.py``)::

    def train(model, loss_func, X, y, epochs=1000, batch_size=32, lr=0.01):
        … for layer in model: A = layer.forward(A) … dA = layer.backward(dA) … layer.W -= lr * layer.dW

Checked alone, the class has no forward pass and no backward pass. :func:`container_recipes` runs the
project's own training function once on the class's own layer list (``network = net.layers``), handed
the project's one loss class: the forward pass is the layers' ``forward`` in turn, the gradient the
update the training function makes, divided by its rate. The function is looked for in the file,
beside it, and in the folders below its own; with several such functions, or several
loss classes, nothing is guessed (a refusal names the cause as before).
"""

from __future__ import annotations

import ast
import inspect
import os
import re
from pathlib import Path
from typing import Any

from verification.adapters.compositions import derives_from, loss_class
from verification.adapters.recipe import Recipe
from verification.drivers.layer_lists import INLINE_FORWARD, LOSS_ARGUMENT, runs_layers, step_call
from verification.reading import conventions as cv
from verification.reading.siblings import MAX_SIBLINGS, sibling_functions
from verification.reading.source_trees import source_file, source_tree

LIST_ATTRIBUTE = re.compile(r"layers?|modules|blocks|stack", re.I)
"""Names of the attribute a container keeps its layers in."""


def layer_attribute(cls: type) -> str | None:
    """The one attribute the constructor of ``cls`` makes a list of and appends to (``self.layers = []``
    … ``self.layers.append(Linear(…))``) or builds as a list (``self.layers = [Linear(…), …]``), named
    like a list of layers (:data:`LIST_ATTRIBUTE`); None when there is none or several."""
    tree = source_tree(getattr(cls, "__init__", None))
    if tree is None:
        return None
    found = {
        t.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.ListComp)
        for t in node.targets
        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
    }
    named = sorted(a for a in found if LIST_ATTRIBUTE.search(a))
    return named[0] if len(named) == 1 else None


def _folders(path: Path) -> list[Path]:
    """Where the project's training function may be: the folder of ``path`` and the folders below it
    (stand-in paths of a file that is not there, as :func:`sibling_functions` takes). Not the folders
    beside it: the folder above may hold other projects."""
    here = path.parent
    subs = [d for d in sorted(here.iterdir()) if d.is_dir() and not d.name.startswith((".", "_"))]
    return [path] + [d / "__none__.py" for d in subs[:MAX_SIBLINGS]]


def _project(path: Path, namespace: dict[str, Any], kind: Any) -> dict[str, tuple[Any, str]]:
    """Definitions of ``kind`` in the file (``namespace``) and the folders of :func:`_folders`, by name,
    with the file each comes from relative to the checked file's folder (the file's own first)."""
    own = namespace.get("__name__")
    found = {
        n: (v, path.name) for n, v in namespace.items() if kind(v) and getattr(v, "__module__", None) == own
    }
    for where in _folders(path):
        folder = where.parent
        prefix = "" if folder == path.parent else os.path.relpath(folder, path.parent) + "/"
        for name, (value, file) in sibling_functions(where, ("",), kind=kind).items():
            found.setdefault(name, (value, prefix + file))
    return found


def _no_arguments(cls: type) -> bool:
    """Whether ``cls`` is constructed with no argument (False when its signature cannot be read)."""
    try:
        return not [p for p in inspect.signature(cls).parameters.values() if p.default is p.empty]
    except (TypeError, ValueError):
        return False


def _import(name: str, where: str, path: Path) -> str | None:
    """``from module.train_loop import train``: the import that binds ``name`` from ``where`` (relative to
    the checked file's folder, which is on the path while its code runs), so that the explicit form
    printed runs as it is; None for the file itself or a folder above it."""
    if where == path.name or where.startswith("../") or not where.endswith(".py"):
        return None
    module = where[: -len(".py")].replace("/", ".")
    return f"from {module} import {name}" if all(p.isidentifier() for p in module.split(".")) else None


def container_recipes(cls: type, namespace: dict[str, Any], setup: str, var: str) -> list[Recipe]:
    """The recipes of the module docstring for ``cls`` built by ``setup`` as ``var``, the names they
    use bound in ``namespace`` (tried when every other way of checking ``cls`` failed); none when
    ``cls`` keeps no layer list, or the project has not exactly one training function over a layer
    list, or not one loss class to hand a function that takes one."""
    attribute = layer_attribute(cls)
    source = source_file(cls)
    if attribute is None or source is None:
        return []
    path = Path(source).resolve()
    trainers = {
        n: v
        for n, v in _project(path, namespace, inspect.isfunction).items()
        if runs_layers(v[0], "backward")
    }
    losses = {
        n: v
        for n, v in _project(path, namespace, inspect.isclass).items()
        if loss_class(v[0]) and _no_arguments(v[0])
    }
    losses = {  # an abstract base the project's losses derive from is not one of them
        n: v for n, v in losses.items() if not any(derives_from(o[0], v[0]) for o in losses.values())
    }
    if len(trainers) != 1 or len(losses) > 1:
        return []  # which one the project trains with is not known
    takes_loss = any(
        re.fullmatch(LOSS_ARGUMENT, p.name, re.I)
        for p in cv.positional_parameters(next(iter(trainers.values()))[0])
    )
    if takes_loss and not losses:
        return []
    (name, (trainer, where)), loss = next(iter(trainers.items())), next(iter(losses.items()), None)
    namespace.setdefault(name, trainer)
    given = ""
    if loss is not None:
        namespace.setdefault(loss[0], loss[1][0])
        given = f", handed the loss {loss[0]}() (from {loss[1][1]})"
    note = (
        f"{cls.__name__} keeps its layers in {attribute}: run by the project's training function {name} "
        f"(from {where}){given}, once"
    )
    imports = [_import(n, w, path) for n, w in [(name, where), *([(loss[0], loss[1][1])] if loss else [])]]
    made = "".join(f"{i}; " for i in imports if i) + f"{setup}; network = {var}.{attribute}"
    out = []
    for as_list in (False, True):
        step = step_call(trainer, f"{loss[0]}()" if loss else "", None, as_list)
        if step is not None:
            out.append(Recipe(made, INLINE_FORWARD, step=step, lr="0.1", notes=(note,)))
    return out
