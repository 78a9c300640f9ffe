"""A class whose only training code is one method that does everything: ``fit(self, X, Y)`` runs the
forward pass, the backward pass and the update inline, in its own loop, and no method returns the
output on its own.

Such a class gives no forward pass to call. Its training method is read as a training function is
(:mod:`verification.reading.function_scripts`): its body made a script, ``self`` an instance the
class's own setups build (:func:`verification.adapters.classes.setups`), by the setup's name, its other
arguments bound by their names; the script's training loop is then read off as in
:func:`verification.adapters.scripts.detect_script`, whose forward pass is the body up to the first
statement that reads the labels. The weights are the attributes the body updates (``net.W2 -= …``).
"""

from __future__ import annotations

import ast
import copy
import inspect
from typing import Any

from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.adapters.scripts import detect_script, script_recipes
from verification.adapters.subject import CodeSubject
from verification.reading import conventions as cv
from verification.reading.function_scripts import inlined
from verification.reading.loader import LoadedScript, load_tree
from verification.reading.source_trees import source_tree
from verification.reading.training_loops import training_loop


class _Self(ast.NodeTransformer):
    def __init__(self, name: str) -> None:
        self.name = name

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.copy_location(ast.Name(self.name, node.ctx), node) if node.id == "self" else node


def _as_function(method: Any, instance: str) -> ast.FunctionDef | None:
    """The method's definition as a function of its arguments after ``self``, ``self`` renamed
    ``instance``; None when its source cannot be read or it takes no ``self``."""
    tree = source_tree(method)
    found = tree.body[0] if tree is not None and tree.body else None
    if not isinstance(found, ast.FunctionDef) or not found.args.args or found.args.args[0].arg != "self":
        return None
    fn = _Self(instance).visit(copy.deepcopy(found))
    assert isinstance(fn, ast.FunctionDef)
    fn.args.args = fn.args.args[1:]
    return fn


def detect_inlined_method(
    cls: type, script: LoadedScript, options: Options, setups: list[tuple[str, str]]
) -> CodeSubject | None:
    """The subject of the first training method of ``cls`` (:data:`~verification.reading.conventions.
    TRAIN_NAMES`) whose body, made a script with ``self`` built by one of ``setups``, has a training
    loop that can be read off; None when none has.

    Raises
    ------
    InputError
        When such a loop is read but its recipe does not run (the first such reason).
    """
    first: InputError | None = None
    for name in cv.methods_by_preference(cls, cv.TRAIN_NAMES, ("train", "fit")):
        for setup, var in setups[:3]:
            fn = _as_function(getattr(cls, name), var)
            try:
                built = ast.parse(setup).body
            except SyntaxError:
                continue
            if fn is None:
                break
            tree = ast.Module(body=[*script.tree.body, *built], type_ignores=[])
            loaded = load_tree(script, inlined(tree, fn), f"{cls.__name__}.{name}")
            if training_loop(loaded.tree) is None or not script_recipes(loaded):
                continue
            try:
                return detect_script(
                    loaded.module.__dict__, loaded, options, f"the training loop of {cls.__name__}.{name}"
                )
            except InputError as exc:
                first = first or exc
    if first is not None:
        raise first
    return None


def no_forward_method(cls: type) -> bool:
    """Whether ``cls`` has no method named like a forward pass, nor one that predicts."""
    names = [n for n, _ in inspect.getmembers(cls, inspect.isfunction)]
    words = ("forward", "feed", "predict", "fprop", "propagat", "infer", "output", "evaluate", "call")
    return not any(w in n.lower() for n in names for w in words)
