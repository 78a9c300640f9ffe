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


def _method_names(script: LoadedScript, cls: ast.ClassDef) -> set[str]:
    loaded = getattr(script.module, cls.name, None)
    if isinstance(loaded, type):
        return {n for n in dir(loaded) if callable(getattr(loaded, n, None))}
    return {s.name for s in cls.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}


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


def default_name(script: LoadedScript) -> str:
    """The class (or function) to check in ``script`` when the target names none.

    Raises
    ------
    InputError
        Listing the candidates, when several classes fit equally (or several functions and no class);
        with the explicit form as a hint, when the script defines no class or function at all.
    """
    from verification.subjects.conventions import BACKWARD_NAMES, FORWARD_NAMES

    classes = [s for s in script.tree.body if isinstance(s, ast.ClassDef)]
    functions = [s.name for s in script.tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
    if len(classes) == 1:
        return classes[0].name
    if classes:
        fitting = [
            c.name
            for c in classes
            if (names := _method_names(script, c)) & set(FORWARD_NAMES) and names & set(BACKWARD_NAMES)
        ]
        if len(fitting) == 1:
            return fitting[0]
        listed = fitting if fitting else [c.name for c in classes]
        reason = "with forward and backward methods" if fitting else "none with both forward and backward"
        raise InputError(
            f"{script.path} defines {len(classes)} classes ({reason}: {', '.join(listed)}); "
            "say which to check",
            hint=f"name it after the path, e.g. {script.path}:{listed[0]}",
        )
    backward = [n for n in functions if n in BACKWARD_NAMES]
    if len(backward) == 1:
        return backward[0]
    if functions:
        raise InputError(
            f"{script.path} defines no class and {len(functions)} functions ({', '.join(functions)}); "
            "say which is the backward pass",
            hint=f"name it after the path, e.g. {script.path}:{(backward or functions)[0]}",
        )
    raise top_level_refusal(script)
