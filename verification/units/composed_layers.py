"""Layers that a network class of the file composes from its project's modules, checked as units.

A file may do no more than assemble a network of the project's own layer classes::

    from module.layers import Linear
    from module.activations import ReLU, Sigmoid

    class Neural_Network:
        def __init__(self, layer_sizes):
            self.layers = []
            for i in range(len(layer_sizes) - 1):
                self.layers.append(Linear(layer_sizes[i], layer_sizes[i + 1]))
                self.layers.append(ReLU() if i < len(layer_sizes) - 2 else Sigmoid())

with no forward or backward pass of its own and no training in the file. The only backward code it
holds is its layers': :func:`composed_layer_units` gives each layer class its constructor calls (imported
from a module under the script's project, never an installed library's) as a unit, each checked as the
vector–Jacobian product of its forward, as if it were defined in the file, and named with the file it
comes from (``Linear (module/layers.py)``).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from verification.reading.flags import flag_settings
from verification.reading.loader import LoadedScript
from verification.reading.source_trees import source_file, source_tree
from verification.units.discovery import layer_methods
from verification.units.layers import LayerUnit
from verification.units.run import Unit

PASSES = ("forward", "backward", "predict", "train", "fit", "feedforward", "backprop", "__call__")
"""Methods whose presence makes a class more than a container of layers."""


def _from_project(cls: type, script: LoadedScript) -> bool:
    """Whether ``cls`` is defined in a file under the folder that holds the script's folder."""
    where = source_file(cls)
    home = script.path.resolve().parent.parent
    return bool(where) and home in Path(str(where)).resolve().parents and "-packages" not in str(where)


def composed_layer_units(script: LoadedScript, seed: int = 0) -> list[Unit]:
    """The layer units of the module docstring, in the order the file's containers first build them;
    none when a class of the file has passes of its own, or builds no imported layer."""
    ns = script.module.__dict__
    classes = [ns[n] for n in script.defined_names() if isinstance(ns.get(n), type)]
    if not classes or any(m in vars(c) for c in classes for m in PASSES):
        return []
    out: list[Unit] = []
    seen: set[type] = set()
    for cls in classes:
        tree = source_tree(getattr(cls, "__init__", None))
        for node in ast.walk(tree) if tree is not None else ():
            made: Any = (
                ns.get(node.func.id)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                else None
            )
            if (
                not isinstance(made, type)
                or made in seen
                or made in classes
                or not _from_project(made, script)
            ):
                continue
            seen.add(made)
            methods = layer_methods(made)
            if methods is None:
                continue
            where = Path(str(source_file(made))).resolve().relative_to(script.path.resolve().parent.parent)
            for preset in flag_settings(made):
                unit = LayerUnit(made, methods, None, seed, preset)
                unit.name = f"{unit.name} ({where.as_posix()})"  # Linear (module/layers.py)
                out.append(unit)
    return out
