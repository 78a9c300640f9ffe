"""Detecting networks written as *functions* over their parameters.

Course code (deeplearning.ai, many tutorials) keeps the parameters in a dict or in
top-level arrays and writes ``forward(X, parameters) → (A, cache)`` and
``backward(…, Y, cache) → grads``. The setup is an initialisation function called with guessed sizes
(``initialize_parameters_deep([4, 5, 3])``) or the script's top-level assignments of the weights; the
forward and backward functions are called with their arguments by name: the inputs, the labels, the
parameters, the forward output and the forward cache.

Networks written as a top-level training loop are in :mod:`verification.adapters.scripts`.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.build import subject_for
from verification.adapters.calls import run_code
from verification.adapters.failures import Failed, refusal
from verification.adapters.options import Options
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.adapters.trials import layouts, run_setup, widths
from verification.reading import conventions as cv
from verification.reading import slices
from verification.reading.loader import LoadedScript


def _functions(
    namespace: dict[str, Any], script: LoadedScript, words: tuple[str, ...], avoid: tuple[str, ...] = ()
) -> list[str]:
    names = [n for n in script.defined_names() if inspect.isfunction(namespace.get(n))]
    return [n for n in names if any(w in n.lower() for w in words) and not any(a in n.lower() for a in avoid)]


def _arguments(fn: Any, values: dict[str, str]) -> str | None:
    """The arguments of ``fn`` by role or name (``values`` maps roles and names to expressions)."""

    def value_of(i: int, p: inspect.Parameter) -> str | None:
        r = cv.role(p.name, i)
        value = values.get(p.name) or values.get(p.name.lower()) or (values.get(r) if r else None)
        if value is None and p.name.lower() in cv.lower(cv.PARAMETER_CONTAINERS):
            value = values.get("parameters")
        return value

    args = cv.call_arguments(cv.positional_parameters(fn), value_of)
    return None if args is None else ", ".join(args)


def _setups(namespace: dict[str, Any], script: LoadedScript, forward: Any) -> list[tuple[str, str]]:
    """``(setup, parameters expression)``: an initialisation function with guessed sizes, or the script's
    top-level assignments of the forward function's weight arguments."""
    out = []
    for init in _functions(namespace, script, ("init",), ("__",)):
        fn = namespace[init]
        for guessed in cv.guessed_arguments(fn):
            args = ", ".join(f"{k}={v!r}" for k, v in guessed.items())
            out.append((f"parameters = {init}({args})", "parameters"))
    weights = [p.name for i, p in enumerate(cv.positional_parameters(forward)) if cv.role(p.name, i) != "x"]
    lines = []
    for w in weights:
        found = slices.assignment_slice(script.tree, w)
        if found is not None:
            lines.append(found)
    if lines and len(lines) == len(weights):
        out.append(("; ".join(dict.fromkeys(lines)), ""))
    return out


def detect_functions(
    namespace: dict[str, Any], script: LoadedScript, options: Options, backward: str | None = None
) -> CodeSubject:
    """A subject for a network written as functions (see the module docstring).

    Raises
    ------
    InputError
        When no forward and backward function pair runs.
    """
    forwards = _functions(namespace, script, ("forward", "feed", "predict"), ("backward", "dec", "linear_"))
    backwards = (
        [backward]
        if backward
        else _functions(namespace, script, ("backward", "backprop", "grad"), ("linear", "relu_", "sigmoid_"))
    )
    errors: list[InputError | str] = []
    if not forwards or not backwards:
        raise InputError(
            f"{script.path} defines no forward and backward functions to pair "
            f"(functions: {', '.join(script.defined_names()) or 'none'})",
            hint="give the explicit form: --setup, --forward, --gradient",
        )
    for fwd in forwards:
        for setup, params in (
            [(options.setup, "parameters")] if options.setup else _setups(namespace, script, namespace[fwd])
        ):
            try:
                bound = run_setup(namespace, setup, script)
            except InputError as exc:
                errors.append(exc)
                continue
            roots = [n for n in bound if not callable(namespace[n])]
            values = {"x": "x", "parameters": params} | {n: n for n in roots}
            fargs = _arguments(namespace[fwd], values)
            if fargs is None:
                errors.append(f"cannot call {fwd}: an argument's name says nothing of its value")
                continue
            call = f"{fwd}({fargs})"
            slots = Slots(namespace, find_slots(namespace, roots))
            for layout in layouts(options):
                for n_in in widths(slots):
                    namespace["x"] = layout.to_code(np.random.default_rng(3).standard_normal((1, n_in)))
                    try:
                        value = run_code(call, namespace, "--forward", script=script)
                    except InputError as exc:
                        errors.append(exc)
                        continue
                    out_index, cache_index = _split(value)
                    forward = call if out_index is None else f"{call}[{out_index}]"
                    pre = f"_r = {call}; out = _r" + ("" if out_index is None else f"[{out_index}]")
                    pre += "" if cache_index is None else f"; cache = _r[{cache_index}]"
                    gvalues = values | {"y": "y", "output": "out", "error": "out - y", "cache": "cache"}
                    for bwd in backwards:
                        bargs = _arguments(namespace[bwd], gvalues)
                        if bargs is None:
                            errors.append(f"cannot call {bwd}: an argument's name says nothing of its value")
                            continue
                        recipe = Recipe(
                            setup=setup, forward=forward, gradient=f"{pre}; {bwd}({bargs})", layout=layout
                        )
                        try:
                            return subject_for(namespace, recipe, roots, script, n_in, bwd)
                        except InputError as exc:
                            errors.append(exc)
    raise refusal(
        f"could not check the functions of {script.path} automatically",
        errors,
        "give the explicit form: --setup, --forward, --gradient",
    )


def _split(value: Any) -> tuple[int | None, int | None]:
    """For a forward function's return value: the index of the output (None when it is the value) and of
    the cache (a non-array element)."""
    if isinstance(value, tuple | list) and value:
        arrays = [i for i, v in enumerate(value) if isinstance(v, np.ndarray) and v.dtype != object]
        others = [i for i, v in enumerate(value) if i not in arrays]
        if arrays:
            return arrays[0] if others else arrays[-1], (others[0] if others else None)
    return None, None


__all__ = ["Failed", "detect_functions"]
