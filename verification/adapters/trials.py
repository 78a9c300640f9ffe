"""What detection tries: the setups it runs, the layouts and the input widths.

A candidate recipe is tried at every layout the user did not pin (:func:`layouts`) and every input
width the parameters' shapes allow (:func:`widths`), after its setup ran (:func:`run_setup`); the first
that runs and is consistent is kept (:mod:`verification.adapters.build`).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError
from verification.adapters.build import subject_for
from verification.adapters.calls import WrongShape, run_code
from verification.adapters.failures import Failed
from verification.adapters.layouts import LABEL_FORMATS, TRIED, Layout
from verification.adapters.matching import Unmatched
from verification.adapters.options import Options
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.reading.loader import LoadedScript


def run_setup(namespace: dict[str, Any], code: str, script: LoadedScript | None) -> list[str]:
    """Run the setup in ``namespace`` and return the names it bound or rebound."""
    before = {k: id(v) for k, v in namespace.items()}
    run_code(code, namespace, "--setup", script=script)
    return [k for k, v in namespace.items() if before.get(k) != id(v) and not k.startswith("__")]


def layouts(options: Options) -> list[Layout]:
    """The layouts to try: the one given, or all (:data:`~verification.adapters.layouts.TRIED` ×
    :data:`~verification.adapters.layouts.LABEL_FORMATS`), with the output reading given (as it is by
    default: other readings are variants, :mod:`verification.adapters.variants`)."""
    output = options.output or "as-is"
    return [
        Layout(i, lab, output)
        for i in ([options.layout] if options.layout else TRIED)
        for lab in ([options.labels] if options.labels else LABEL_FORMATS)
    ]


def widths(slots: Slots) -> list[int]:
    """Input widths to try: the parameters' dimensions, then one less (a bias folded into the weights
    as an extra input), then small widths (for weights kept as floats)."""
    dims: list[int] = []
    for shape in slots.shapes().values():
        dims += [d for d in shape if d not in dims]
    out = dims + [d - 1 for d in dims if d > 1 and d - 1 not in dims]
    return out + [d for d in range(1, 9) if d not in out]


def may_read(code: str, roots: list[str]) -> bool:
    """Whether the code ``code`` may read the arrays under ``roots``: it names one of them, or calls
    something other than a NumPy function or a builtin (a function or method that may read them). A
    forward pass cut short of the network (``train_x = x; train_x``) reads none, and no input width or
    layout makes its output depend on the weights: a candidate to drop before trying them all."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return True
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    free = {n for n in names - stored if not hasattr(builtins, n)} - {"x", "y", "np", "numpy"}
    if names & set(roots) or free:
        return True  # a name of the setup's (a function handed to map, a global weight) may read them
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func = call.func
        while isinstance(func, ast.Attribute):
            func = func.value
        if not (isinstance(func, ast.Name) and (func.id in ("np", "numpy") or hasattr(builtins, func.id))):
            return True
    return False


def first_subject(
    namespace: dict[str, Any],
    recipe: Recipe,
    roots: list[str],
    script: LoadedScript | None,
    name: str,
    options: Options,
    errors: list[InputError | str],
) -> CodeSubject | None:
    """The subject of a recipe whose setup has run, at the first layout and input width it runs at
    (:func:`layouts` × :func:`widths` of the parameters under ``roots``); None when it runs at none,
    with every failure appended to ``errors``. A width at which the code runs and gives arrays of other
    shapes than its parameters' ends the widths of that layout: another width would be one the forward
    pass broadcasts to, whose outputs are not the network's."""
    if not may_read(recipe.forward, roots):
        errors.append(
            Failed(
                f"--forward {recipe.forward!r} reads none of {', '.join(roots)} and calls nothing that "
                "could: its output cannot depend on the weights",
                "forward",
            )
        )
        return None
    slots = Slots(namespace, find_slots(namespace, roots))
    for layout in layouts(options):
        for n_in in filter(layout.holds, widths(slots)):
            try:
                return subject_for(namespace, replace(recipe, layout=layout), roots, script, n_in, name)
            except (WrongShape, Unmatched) as exc:  # another width the forward pass broadcasts to could
                errors.append(exc)  # make the shapes agree by accident: not in this layout
                break
            except InputError as exc:
                errors.append(exc)
    return None
