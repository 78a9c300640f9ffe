"""What ``check`` is asked to check: ``PATH[:NAME]`` split, and the class to check when no NAME is given.

``PATH`` is a ``.py`` script or a ``.ipynb`` notebook; ``NAME`` a class or function in it, dotted for
a method (``Net.backward``). Without ``NAME`` (:func:`default_name`): the script's only class; of
several classes, the only one with both a forward-like and a backward-like method; with no class, the
only backward-like function. A script that defines no class or function at all keeps its network in
top-level statements, which the loader does not run: the refusal's hint writes out the explicit form
that checks such a script, with the script's own array assignments as its setup.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from ffnn.validation import InputError
from verification.subjects.sources import SUFFIXES, TARGET_FORMS

if TYPE_CHECKING:
    from verification.subjects.loader import LoadedScript

_ARRAY_MODULES = ("np", "numpy", "torch", "jnp", "cp")
_SETUP_STATEMENTS = 8


def parse_target(target: str) -> tuple[str, str | None]:
    """Split ``PATH`` or ``PATH:NAME`` into the path and the name (None when there is none).

    A target ending in ``.py`` or ``.ipynb`` is a path, even when the path holds a colon (``C:\\x.py``).

    Raises
    ------
    InputError
        If the target is empty, or has a ``:`` with nothing before or after it.
    """
    refusal = f"target must be {TARGET_FORMS} (a script and a class or function in it), got {target!r}"
    if not isinstance(target, str) or not target.strip():
        raise InputError(refusal)
    if target.endswith(SUFFIXES):
        return target, None
    path, sep, name = target.rpartition(":")
    if not sep:
        return target, None
    if not path or not name:
        raise InputError(refusal)
    if not all(part.isidentifier() for part in name.split(".")):
        return target, None  # a colon inside the path; the path is then checked as it is
    return path, name


def _array_setup(script: LoadedScript) -> list[str]:
    """The script's top-level imports and array assignments (``W1 = np.random.randn(30, 5)``), as source."""
    text = script.source.text if script.source is not None else ""
    out = []
    for stmt in script.tree.body:
        keep = isinstance(stmt, ast.Import | ast.ImportFrom)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            root = stmt.value.func
            while isinstance(root, ast.Attribute):
                root = root.value
            keep = isinstance(root, ast.Name) and root.id in _ARRAY_MODULES
        segment = ast.get_source_segment(text, stmt) if keep else None
        if segment and "\n" not in segment:
            out.append(segment)
    return out[:_SETUP_STATEMENTS]


def top_level_refusal(script: LoadedScript) -> InputError:
    """The refusal for a script without a class or function, with the explicit form as its hint."""
    setup = "; ".join(_array_setup(script)) or "CODE"
    quoted = setup.replace("'", "'\"'\"'")
    return InputError(
        f"{script.path} defines no class or function: its network lives in top-level statements, "
        "which the loader does not run",
        hint=f"check it in the explicit form: backprop-verify check {script.path} --setup '{quoted}' "
        "--forward EXPR --gradient EXPR (or --step STMT for a step that updates the weights in place)",
    )


def default_name(script: LoadedScript) -> str | None:
    """The class (or function) to check in ``script`` when the target names none, or None when the
    network lives in the script's top-level statements (its training loop is then read).

    The only class with a forward-like method and a gradient-like or training method (of several, the
    one named like a network); else the only backward-like function of a network written as functions.

    Raises
    ------
    InputError
        Listing the candidates, when several classes fit equally.
    """
    from verification.subjects import conventions as cv

    namespace = script.module.__dict__
    classes = [namespace[n] for n in script.defined_names() if isinstance(namespace.get(n), type)]
    fit = [
        c
        for c in classes
        if cv.methods_by_preference(c, cv.FORWARD_NAMES, ("forward", "feed"))
        and cv.methods_by_preference(c, cv.GRADIENT_NAMES + cv.TRAIN_NAMES, ("backprop", "backward", "grad", "train"))
    ]
    if len(fit) > 1:
        named = [c for c in fit if re.search(r"net|model|perceptron|mlp", c.__name__, re.I)]
        fit = named if len(named) == 1 else fit
    if len(fit) == 1:
        return fit[0].__name__
    if fit:
        names = [c.__name__ for c in fit]
        raise InputError(
            f"{script.path} defines {len(fit)} classes with forward and backward methods ({', '.join(names)}); "
            "say which to check",
            hint=f"name it after the path, e.g. {script.path}:{names[0]}",
        )
    backward = [
        n
        for n in script.defined_names()
        if callable(namespace.get(n)) and not isinstance(namespace.get(n), type)
        and re.search(r"backward|backprop|grad", n, re.I)
        and not re.match(r"(linear|relu|sigmoid|tanh|softmax)_", n, re.I)
    ]
    if len(backward) == 1:
        return backward[0]
    return None
