"""From a recipe to a subject: run the setup, find the parameters, try the layout and the gradient.

A :class:`~verification.adapters.recipe.Recipe` says how to build, run and differentiate someone's
network; :func:`subject_for` makes it a :class:`~verification.adapters.subject.CodeSubject` by trying
it once at drawn weights:

* the **parameters** are the float arrays (and float lists) the setup's objects reach
  (:mod:`verification.adapters.parameters`), not rebound or written by the forward pass, that change
  the output at drawn values (the code's own zero weights can hide the layers before them);
* a **returned** gradient is lined up with them (:mod:`verification.adapters.returned`); gradients a
  backward pass *stores* beside its weights (``self.dW1``, ``layer.dweights``, ``self.grads["dW1"]``)
  are collected when it returns nothing or less; parameters without a gradient are compared as zero
  gradients and the report says so; copies the code keeps of its weights are set with them
  (:mod:`verification.adapters.shadows`);
* an **update** must change some weight; weights it never changes are left out and said so.

A candidate that does not run, or only by accident (a row read by broadcasting, an output that depends on
the labels: :mod:`.reading_doubts`), raises :class:`Failed`; detection goes on to the next."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.calls import learning_rate, run_code
from verification.adapters.failures import Failed, kind_of
from verification.adapters.forward_returns import forward_labels, forward_output, output_of
from verification.adapters.integer_weights import float_weights, refuse_set_once
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.reading_doubts import label_doubt, output_doubt, width_doubt
from verification.adapters.recipe import Recipe
from verification.adapters.returned import refuse_partial_returns, returned_plan
from verification.adapters.shadows import find_shadows, refuse_lagging_copies
from verification.adapters.state import SetupState
from verification.adapters.step_checks import refuse_adaptive_optimiser
from verification.adapters.subject import Binding, CodeSubject, Reading
from verification.adapters.weight_names import weight_like
from verification.draws import draw_labels, draw_parameters
from verification.reading.label_use import classes_from_labels, reached
from verification.reading.loader import LoadedScript

Array = NDArray[Any]


LIVE_DRAWS = 4
"""Draws at which a parameter (or input) must leave the output unchanged to be read as one it does not
depend on: at one draw every hidden ReLU unit can be dead."""


def parameters_of(
    namespace: dict[str, Any], slots: Slots, recipe: Recipe, n_in: int, script: LoadedScript | None
) -> tuple[Slots, Array]:
    """The slots that are parameters (see the module docstring), and the output at the code's own values.

    A slot is a parameter when the forward pass neither rebinds it nor writes into it and a change of
    it changes the output at some of :data:`LIVE_DRAWS` draws of the weights and inputs. Every input
    must change the output at some draw too: a width that leaves one input unread is the wrong width
    (say, a weight list whose first matrix holds a bias row, read by a forward pass that ignores the
    extra input).

    Raises
    ------
    Failed
        When the forward pass does not run at this width, gives complex values, some input never changes
        the output, or no array changes it.
    """
    rng = np.random.default_rng(1)
    namespace["x"] = recipe.layout.to_code(rng.standard_normal((1, n_in)))
    forward_labels(namespace, recipe, 1)
    originals = slots.read()
    identities = {n: id(s.get(namespace)) for n, s in slots.slots.items()}
    value = run_code(recipe.forward, namespace, "--forward", script=script)
    kept = [
        s
        for n, s in slots.slots.items()
        if id(s.get(namespace)) == identities[n] and np.array_equal(s.read(namespace), originals[n])
    ]
    Slots(namespace, kept).refuse_complex(Failed)  # before the output, which they make complex too
    output = output_of(value, recipe, 1)
    pruned = Slots(namespace, kept)
    live: set[str] = set()
    read: set[int] = set()
    try:
        for _ in range(LIVE_DRAWS):
            live |= _live_parameters(namespace, pruned, recipe, n_in, script, rng, live)
            read |= _read_inputs(namespace, recipe, n_in, script, rng, read)
            if len(live) == len(kept) and len(read) == n_in:
                break
    finally:
        pruned.write({n: originals[n] for n in pruned.names})
    if len(read) < n_in:
        unread = ", ".join(str(i) for i in range(n_in) if i not in read)
        raise Failed(
            f"at {n_in} inputs, input {unread} never changes the output of --forward {recipe.forward!r}: "
            "not the width the code takes",
            "forward",
        )
    if not live:
        raise Failed(
            f"no array that the output of --forward {recipe.forward!r} depends on was found in the objects "
            "the setup made",
            "forward",
        )
    dead = [s for s in kept if s.name not in live]
    moving = output_doubt(namespace, Slots(namespace, dead), recipe, n_in, script) if dead else []
    if moving:
        raise Failed(
            f"{', '.join(moving)} change{'s' if len(moving) == 1 else ''} what the forward call returns but "
            f"not the element --forward {recipe.forward!r} reads: that element is not the network's output",
            "forward",
        )
    params = Slots(namespace, [s for s in kept if s.name in live])
    params.shadows = find_shadows(params, list(slots.slots.values()))
    return params, output


def _live_parameters(
    namespace: dict[str, Any],
    pruned: Slots,
    recipe: Recipe,
    n_in: int,
    script: LoadedScript | None,
    rng: np.random.Generator,
    known: set[str],
) -> set[str]:
    """The parameters whose change changes the output at one draw of the weights and inputs."""
    base = draw_parameters(pruned.shapes(), rng)
    pruned.write(base)
    namespace["x"] = recipe.layout.to_code(rng.standard_normal((1, n_in)))
    reference = forward_output(namespace, recipe, 1, script)
    live = set()
    for name, s in pruned.slots.items():
        if name in known:
            continue
        pruned.write({name: base[name] + 0.25 * (1 + np.abs(base[name])) * rng.standard_normal(s.shape)})
        if not np.array_equal(forward_output(namespace, recipe, 1, script), reference):
            live.add(name)
        pruned.write({name: base[name]})
    return live


def _read_inputs(
    namespace: dict[str, Any],
    recipe: Recipe,
    n_in: int,
    script: LoadedScript | None,
    rng: np.random.Generator,
    known: set[int],
) -> set[int]:
    """The inputs whose change changes the output at the weights written last and a drawn input. Past
    :data:`INPUTS_ONE_BY_ONE` inputs, the first and last few and a draw of the others are tried (an
    input left unread by a width one too wide is the first or the last), and the rest count as read."""
    x = rng.standard_normal((1, n_in))
    namespace["x"] = recipe.layout.to_code(x)
    reference = forward_output(namespace, recipe, 1, script)
    read = set()
    tried = set(range(n_in))
    if n_in > INPUTS_ONE_BY_ONE:
        ends = {*range(4), *range(n_in - 4, n_in)}
        tried = ends | set(rng.choice(n_in, INPUTS_ONE_BY_ONE - len(ends), replace=False).tolist())
        read |= set(range(n_in)) - tried
    for i in sorted(tried):
        if i in known:
            continue
        shifted = x.copy()
        shifted[0, i] += 0.5 + abs(x[0, i])
        namespace["x"] = recipe.layout.to_code(shifted)
        if not np.array_equal(forward_output(namespace, recipe, 1, script), reference):
            read.add(i)
    return read


INPUTS_ONE_BY_ONE = 48
"""Inputs a width is tested for one by one (each must change the output); past it, a draw of them."""


def subject_for(
    namespace: dict[str, Any],
    recipe: Recipe,
    roots: list[str],
    script: LoadedScript | None,
    n_in: int,
    name: str,
) -> CodeSubject:
    """The subject of a recipe whose setup has run, at one layout (``recipe.layout``) and input width.

    Raises
    ------
    Failed or InputError
        When the recipe does not run or gives no usable gradient; the weights are restored first.
    """
    floated = float_weights(namespace, roots)  # self.b2 = 0: trained by the code, so checked as a float
    floated = namespace["__floated__"] = list(dict.fromkeys([*floated, *namespace.get("__floated__", [])]))
    if floated:
        told = f"{', '.join(floated)}: held as integers or NumPy scalars by the setup, checked as floats"
        recipe = replace(recipe, notes=(*recipe.notes, told))
    slots = Slots(namespace, find_slots(namespace, roots))
    if not slots.names:
        raise Failed(f"the setup made no object holding float arrays ({', '.join(roots) or 'nothing bound'})")
    if recipe.step is not None:
        refuse_adaptive_optimiser(recipe.step, namespace)  # layer.apply_rmsprop(…): no gradient step
    state = SetupState(namespace, roots)
    originals = slots.read()
    try:
        params, output = parameters_of(namespace, slots, recipe, n_in, script)
        doubt = width_doubt(namespace, slots, recipe, n_in, output, script) or label_doubt(
            namespace, recipe, n_in, output.shape[1], script
        )
        if doubt is not None:
            raise Failed(doubt, "forward")
        binding = Binding(namespace, params, script, state)
        return _with_gradient(binding, recipe, name, (n_in, output.shape[1]), floated)
    except InputError:
        slots.write(originals)
        raise


DRAWS_FOR_MISSING = 4
"""Draws at which a parameter must get no gradient (or step) to be read as one the code leaves out: at
one draw a dead ReLU unit can hide a layer's gradient."""


def _with_gradient(
    binding: Binding, recipe: Recipe, name: str, sizes: tuple[int, int], floated: list[str]
) -> CodeSubject:
    """Try the recipe's gradient (or step) at drawn weights and read which parameters it covers.

    Every parameter the output depends on is compared: one named like a weight that gets no gradient
    (none returned, or never changed by the step, at :data:`DRAWS_FOR_MISSING` draws) is *missing*
    and its gradient read as zero, a mismatch wherever the numeric one is not; one not named like a
    weight (data the network reads, a normalisation constant) is left out, and the report says so.
    """
    namespace, slots, script = binding.namespace, binding.slots, binding.script
    rng = np.random.default_rng(2)
    params = draw_parameters(slots.shapes(), rng)
    notes = list(recipe.notes)
    if slots.shadows:
        copies = ", ".join(f"{s.name} (of {n})" for n, found in slots.shadows.items() for s, _ in found)
        notes.append(f"copies the code keeps of its weights are set with them: {copies}")
        refuse_lagging_copies(slots.shadows, script)
    batchable = recipe.kind == "returned" and recipe.layout.labels == "index" and sizes[1] > 1
    # a step may go through a batch one sample at a time, which a batch probe would read as no gradient
    every_class = (
        batchable
        and script is not None
        and classes_from_labels(
            reached(script.tree, {*re.findall(r"\w+", recipe.gradient or ""), name.split(".")[0]})
        )
    )
    try:
        recipe, reading, covered, x, y = _read_gradient(
            binding, recipe, name, sizes, params, rng, sizes[1] if every_class else 1
        )
    except InputError as exc:
        if not batchable or every_class:
            raise
        try:  # one-hot encoding by the labels' largest class (Y.max() + 1) needs every class at once
            recipe, reading, covered, x, y = _read_gradient(
                binding, recipe, name, sizes, params, rng, sizes[1]
            )
        except InputError:
            raise exc from None
        every_class = True
    if every_class:
        notes.append(
            f"the code takes the number of classes from its labels (its one-hot encoding is as wide as the "
            f"largest class): every probe is a batch of {sizes[1]} samples holding each class once"
        )
    if recipe.kind != "returned":
        if recipe.lr is None:
            notes.append(
                "no learning rate found: the update is read as lr × gradient with lr = 1, so scales are up "
                "to the learning rate (give --lr)"
            )
    without = [n for n in slots.names if n not in covered]
    missing = {n: _why_missing(recipe) for n in without if weight_like(slots.slots[n])}
    left = [n for n in without if n not in missing]
    if left:
        notes.append(
            f"{', '.join(left)}: no gradient, and not named like a weight: read as data, not checked"
        )
    refuse_partial_returns(recipe, slots, list(covered), list(missing))
    refuse_set_once([n for n in missing if n in floated], script, _why_missing(recipe))  # b = 1 untrained
    if missing:
        notes.append(f"{', '.join(missing)}: {_why_missing(recipe)}; read as a zero gradient")
    kept = Slots(namespace, [s for n, s in slots.slots.items() if n not in left])
    kept.shadows = slots.shadows
    if left and binding.state is not None:  # data the draws above wrote into must be the setup's again
        binding.state.restore(kept)
    binding = Binding(namespace, kept, script, binding.state)
    subject = CodeSubject(name, binding, recipe, sizes, replace(reading, missing=missing), notes)
    if recipe.kind == "returned":
        first, _ = subject.gradient({n: params[n] for n in kept.names}, x, y)
        if not any(np.any(g) for g in first.values()):  # zero_grad() read back: no gradient at all
            raise Failed(f"--gradient {recipe.gradient!r} returns zeros for every weight", "not-gradients")
    return subject


def _why_missing(recipe: Recipe) -> str:
    return "no gradient returned" if recipe.kind == "returned" else "never changed by the step"


def _data(rng: np.random.Generator, sizes: tuple[int, int], samples: int) -> tuple[Array, Array]:
    """Inputs and one-hot labels of ``samples`` samples: one sample of the second class (so that code
    that sizes its one-hot encoding by the largest label fails here with three classes or more,
    whatever the draw), or every class once, in a random order."""
    x = rng.standard_normal((samples, sizes[0]))
    if samples == 1 and sizes[1] == 1:
        return x, draw_labels(rng, (1, 1))
    classes = np.array([1]) if samples == 1 else rng.permutation(samples) % sizes[1]
    y = np.zeros((samples, sizes[1]))  # one-hot rows, without an identity matrix of the output's width
    y[np.arange(samples), classes] = 1.0
    return x, y


def _read_gradient(
    binding: Binding,
    recipe: Recipe,
    name: str,
    sizes: tuple[int, int],
    params: dict[str, Array],
    rng: np.random.Generator,
    samples: int,
) -> tuple[Recipe, Reading, set[str], Array, Array]:
    """Run the recipe's gradient (or step) on ``samples`` drawn samples: the recipe as read, how its
    gradient is read, the parameters it covers, and the data it ran on."""
    x, y = _data(rng, sizes, samples)
    if recipe.kind == "returned":
        recipe, plan = returned_plan(binding, recipe, params, x, y)
        return recipe, Reading(plan=plan, samples=samples), set(plan), x, y
    reading = Reading(lr=learning_rate(recipe, binding.namespace, binding.script), samples=samples)
    covered = _changed_by_step(CodeSubject(name, binding, recipe, sizes, reading), rng, sizes, samples)
    return recipe, reading, covered, x, y


def _changed_by_step(
    subject: CodeSubject, rng: np.random.Generator, sizes: tuple[int, int], samples: int = 1
) -> set[str]:
    """The parameters some of :data:`DRAWS_FOR_MISSING` steps at drawn weights change."""
    shapes = subject.slots.shapes()
    changed: set[str] = set()
    unchanged: Failed | None = None
    for _ in range(DRAWS_FOR_MISSING):
        params = draw_parameters(shapes, rng)
        x, y = _data(rng, sizes, samples)
        try:
            grads, _ = subject.gradient(params, x, y)
        except Failed as exc:  # every ReLU unit dead at one draw moves nothing: not yet no step
            if kind_of(exc) != "unchanged":
                raise
            unchanged = exc
            continue
        changed |= {n for n, g in grads.items() if np.any(g)}
        if len(changed) == len(shapes):
            break
    if not changed and unchanged is not None:
        raise unchanged
    return changed
