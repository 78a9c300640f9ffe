"""Recipes for a script whose weights are plain numbers (:mod:`verification.reading.scalar_loops`).

The network of such a script takes its inputs as names (``x1, x2``) and compares its output with a
label bound to a name (``target_output``): the probe's input vector is unpacked into those names
(``x1, x2 = x``, layout ``flat``, one sample), its label into the label's names, and the forward pass
is the loop body up to its first use of a label, ending in the output (a vector of the outputs when
there are several). A loop counter named like the probe's inputs or labels (``for x in range(10000)``)
that the body never reads is not bound, so that it does not overwrite them. The step is the whole
body once, its weights the names it updates; the learning rate is the script's own name for it.
"""

from __future__ import annotations

import ast

from verification.adapters.layouts import Layout
from verification.adapters.recipe import Recipe
from verification.reading.loader import LoadedScript
from verification.reading.scalar_loops import scalar_loop, scalar_step


def _unpacked(names: list[str], vector: str) -> str:
    """``x1, x2 = x``; ``x1 = x[0]`` for one name."""
    return f"{', '.join(names)} = {vector}" if len(names) > 1 else f"{names[0]} = {vector}[0]"


def scalar_recipes(script: LoadedScript) -> list[tuple[Recipe, list[str]]]:
    """The recipe of the script's training loop over weights that are numbers, with the names of those
    weights; empty when it has no such loop."""
    loop = scalar_loop(script.tree) or scalar_step(script.tree)  # a loop, else one worked step
    if loop is None:
        return []
    read = {n.id for line in loop.step for n in ast.walk(ast.parse(line)) if isinstance(n, ast.Name)}
    counters = [f"{c} = 0" for c in loop.counters if c not in ("x", "y") or c in read]  # for x in range(…)
    out = (
        loop.outputs[0]
        if len(loop.outputs) == 1
        else f"__import__('numpy').array([{', '.join(loop.outputs)}])"
    )
    forward_lines = [_unpacked(loop.inputs, "x"), *counters, *loop.forward, out]
    step_lines = [_unpacked(loop.inputs, "x"), _unpacked(loop.labels, "y"), *counters, *loop.step]
    glue = "\n" if any("\n" in line for line in [*forward_lines, *step_lines]) else "; "
    setup_glue = "\n" if any("\n" in line for line in loop.setup) else "; "
    said = [", ".join(names) for names in (loop.weights, loop.inputs, loop.labels, loop.outputs)]
    note = (
        f"read off the training at line {loop.line}: the weights are numbers ({said[0]}), the "
        f"inputs {said[1]}, the label(s) {said[2]}, the output(s) {said[3]}"
    )
    recipe = Recipe(
        setup_glue.join(loop.setup),
        glue.join(forward_lines),
        step=glue.join(step_lines),
        lr=loop.rate,
        layout=Layout(inputs="flat"),
        notes=(note,),
    )
    return [(recipe, loop.weights)]
