"""Steps of a script's training loop that give their gradient otherwise than by a plain update.

* **Changes computed, never applied** (``delta_w_h_o = …`` printed, the weights never touched):
  :func:`applied_changes` adds each change to the weight of its shape.
* **Steps whose change is no gradient step**: an adaptive rule (AdaGrad, RMSprop, Adam), whose
  change is no multiple of the gradient and depends on state kept between steps, or a step that draws
  numbers anew when run again (a dropout mask): :func:`named_gradient_recipe` checks the gradients the
  step names before it updates with them (:mod:`verification.reading.named_gradients`), tried after the
  step itself, which is refused for either cause. Every run of the code is seeded alike, so the
  forward pass draws the same mask as the gradients were computed with.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Any

import numpy as np

from verification.adapters.calls import run_code
from verification.adapters.failures import Failed
from verification.adapters.recipe import Recipe
from verification.reading.loader import LoadedScript
from verification.reading.loop_records import TrainingLoop
from verification.reading.named_gradients import named_gradients
from verification.reading.top_level_names import prints

NAMED = (
    "the step's change is no gradient step (it keeps state or draws numbers anew when run again): the "
    "gradients it names before it updates the weights with them are compared, each as the update "
    "applies it (broadcast with its weight)"
)
"""The note of a recipe of named gradients."""


def named_gradient_recipe(
    step: Recipe, kept: list[ast.stmt], loop: TrainingLoop, head: list[str]
) -> list[tuple[Recipe, list[str]]]:
    """The recipe whose gradient is what the step ``kept`` names for each weight it updates (those of
    the arrays it updates that its forward pass reads: a running scale is none), with those weights;
    one, or none when not every weight has such a name. Run after ``head`` (the statements binding the
    data), with the setup and forward pass of ``step``."""
    forward = {n.id for s in loop.body[: loop.cut] for n in ast.walk(s) if isinstance(n, ast.Name)}
    weights = [w for w in loop.updated if w in forward]
    named = named_gradients(kept, weights) if weights else None
    if named is None:
        return []
    glue = "\n" if any(isinstance(s, ast.For | ast.If) for s in named.before) else "; "
    negative = _negative_numbers(step.setup or "")  # eta = -0.01 with W -= eta * grad: up along grad
    flipped = {w: sum(r in negative for r in named.rates.get(w, [])) % 2 == 1 for w in named.gradients}
    signed = {
        w: (g[1:] if g.startswith("-") else f"-{g}") if flipped[w] else g for w, g in named.gradients.items()
    }
    # each as the update applies it (+ 0 * w): a bias gradient of shape (4,) for a bias of (4, 1) makes
    # the bias (4, 4) in b1 - lr * db1, and so is the gradient of that shape, a mismatch of that tensor
    returned = "{" + ", ".join(f"{w!r}: {g} + 0 * {w}" for w, g in signed.items()) + "}"
    code = glue.join([*head, *(ast.unparse(s) for s in named.before), returned])
    notes = (*step.notes, NAMED)
    made = Recipe(step.setup, step.forward, gradient=code, notes=notes, one_sample=step.one_sample)
    return [(made, [*weights, *loop.arrays])]


def _negative_numbers(setup: str) -> set[str]:
    """The names ``setup`` binds to a negative number written out (``eta = -0.01``)."""
    try:
        tree = ast.parse(setup)
    except SyntaxError:
        return set()
    return {
        t.id
        for s in tree.body
        if isinstance(s, ast.Assign)
        and isinstance(s.value, ast.UnaryOp)
        and isinstance(s.value.op, ast.USub)
        and isinstance(s.value.operand, ast.Constant)
        and isinstance(s.value.operand.value, int | float)
        and not isinstance(s.value.operand.value, bool)
        and s.value.operand.value > 0
        for t in s.targets
        if isinstance(t, ast.Name)
    }


def applied_changes(
    namespace: dict[str, Any], recipe: Recipe, loop: TrainingLoop, weights: list[str], script: LoadedScript
) -> Recipe:
    """The recipe whose step adds each weight change the script computes (:attr:`TrainingLoop.changes`)
    to the weight of its shape (``weights_hidden_output += delta_w_h_o``): the shapes are read by
    running the body once on the script's own values, in a copy of the namespace.

    Raises
    ------
    Failed
        When a change has the shape of no weight, or of several.
    """
    scratch = dict(namespace)
    data = [  # the script's own sample and label, which the setup leaves to the probes
        s
        for s in script.tree.body[: loop.index]
        if isinstance(s, ast.Assign)
        and {loop.inputs, loop.label} & {n.id for n in s.targets if isinstance(n, ast.Name)}
    ]
    body = "\n".join(ast.unparse(s) for s in [*data, *loop.body] if not prints(s))
    run_code(body, scratch, "--step", script=script)
    added = []
    for change in loop.changes:
        shape = np.asarray(scratch.get(change)).shape
        fits = [w for w in weights if np.asarray(namespace.get(w)).shape == shape]
        if len(fits) != 1:
            where = "no weight" if not fits else "several weights: " + ", ".join(fits)
            raise Failed(f"the weight change {change} (shape {shape}) has the shape of {where}", "code")
        added.append(f"{fits[0]} += {change}")
    return replace(recipe, step=f"{recipe.step}; {'; '.join(added)}")
