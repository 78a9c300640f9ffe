"""What ``check`` is asked to check: ``PATH[:NAME]`` split, and the class to check when no NAME is given.

``PATH`` is a ``.py`` script or a ``.ipynb`` notebook; ``NAME`` a class or function in it, dotted for
a method (``Net.backward``). Without ``NAME`` (:func:`default_name`): the script's only class; of
several classes, the only one with both a forward-like and a backward-like method; with no class, the
only backward-like function. A script that defines no class or function at all keeps its network in
top-level statements, which the loader does not run: the refusal's hint writes out the explicit form
that checks such a script, with the script's own array assignments as its setup.
"""

from __future__ import annotations

import re
from typing import Any

from ffnn.validation import InputError
from verification.reading.loader import LoadedScript, load_script
from verification.reading.sources import SUFFIXES, TARGET_FORMS


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


def default_name(script: LoadedScript) -> str | None:
    """The class (or function) to check in ``script`` when the target names none, or None when the
    network lives in the script's top-level statements (its training loop is then read).

    The script's only class; of several, the only one with a forward-like method and a gradient-like
    or training method (the one named like a network, when several have them); with no class, the only
    backward-like function of a network written as functions.

    Raises
    ------
    InputError
        Listing the candidates, when several classes fit equally or none of several does.
    """
    from verification.reading import conventions as cv

    namespace = script.module.__dict__
    classes = [namespace[n] for n in script.defined_names() if isinstance(namespace.get(n), type)]
    if len(classes) == 1:
        return classes[0].__name__
    backwardish = (*cv.GRADIENT_NAMES, *cv.TRAIN_NAMES)
    fit = [
        c
        for c in classes
        if cv.methods_by_preference(c, cv.FORWARD_NAMES, ("forward", "feed"))
        and cv.methods_by_preference(c, backwardish, ("backprop", "backward", "grad", "train"))
    ]
    if len(fit) > 1:
        named = [c for c in fit if re.search(r"net|model|perceptron|mlp", c.__name__, re.I)]
        fit = named if len(named) == 1 else fit
    if len(fit) == 1:
        return fit[0].__name__
    if classes:
        listed = [c.__name__ for c in (fit or classes)]
        reason = "with forward and backward methods" if fit else "none with both forward and backward"
        raise InputError(
            f"{script.path} defines {len(classes)} classes ({reason}: {', '.join(listed)}); "
            "say which to check",
            hint=f"name it after the path, e.g. {script.path}:{listed[0]}",
        )
    backward = [
        n
        for n in script.defined_names()
        if callable(namespace.get(n))
        and re.search(r"backward|backprop|grad", n, re.I)
        and not re.match(r"(linear|relu|sigmoid|tanh|softmax)_", n, re.I)
    ]
    return backward[0] if len(backward) == 1 else None


def load_target(target: str) -> tuple[LoadedScript, Any]:
    """Load the script of ``PATH[:NAME]`` and return it with the object ``NAME``.

    Without ``NAME``, the script's class to check is chosen by
    :func:`default_name`; None when the network lives in the script's
    top-level statements.

    Raises
    ------
    InputError
        As :func:`parse_target`, :func:`~verification.reading.loader.load_script`, :func:`default_name`
        and :meth:`LoadedScript.get`.
    """
    path, name = parse_target(target)
    script = load_script(path)
    name = name if name is not None else default_name(script)
    return script, None if name is None else script.get(name)
