"""Readings under which the code runs only by accident: a row read by broadcasting along the samples,
and an output read off the forward pass that depends on the labels.

Code written for samples as columns with one input (``W1 @ X`` with ``W1`` of shape ``(84, 1)`` and
``X`` of shape ``(1, m)``) also runs on a *row* of any width ``k``: ``W1 @ x`` is then an outer
product, the ``k`` "features" are read as ``k`` samples, and the output is ``k`` wide. Such a reading
divides the gradient by ``k`` (the code averages over what it takes for samples) and fails on every
batch. :func:`width_doubt` says why a row reading is not the one the code takes, so that detection
goes on to the width, or the layout, under which it is.

A forward pass given the labels (``forward(X, y)`` computing its loss and gradients) may leave its
output in a local that its own backward part then changes in place (``g = probs; g[range(N), y] -=
1``): read as the method returns, that "output" is ``probs − onehot(y)``. :func:`label_doubt` refuses
an output that changes with the labels; a network's output never does.

A forward method that returns the values of every layer (``return z1, a1, z2, yhat``) may have its
output read from the wrong element: the hidden activation, when the network's one output unit makes
``yhat`` a number beside arrays. The output layer's weights then change nothing read and would be left
out of the check. :func:`output_doubt` names the weights that change another element of what the call
returns but not the element read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.forward_returns import forward_labels
from verification.adapters.parameters import Slots
from verification.adapters.recipe import Recipe
from verification.reading.loader import LoadedScript


def _output(
    namespace: dict[str, Any],
    recipe: Recipe,
    layout: Any,
    n_in: int,
    samples: int,
    script: LoadedScript | None,
) -> Any:
    """The forward pass's output (as an array) for ``samples`` drawn inputs of ``n_in`` features in
    ``layout``, or None when it does not run."""
    saved = namespace.get("x")
    namespace["x"] = layout.to_code(np.random.default_rng(5).standard_normal((samples, n_in)))
    forward_labels(namespace, replace(recipe, layout=layout), samples)
    try:
        value = run_code(recipe.forward, namespace, "--forward", script=script)
        return layout.from_code(value, samples, "the output")
    except (InputError, ValueError, TypeError):
        return None
    finally:
        namespace["x"] = saved


def width_doubt(
    namespace: dict[str, Any],
    slots: Slots,
    recipe: Recipe,
    n_in: int,
    output: Any,
    script: LoadedScript | None,
) -> str | None:
    """Why samples as rows of ``n_in`` features is not the code's reading, or None.

    Only a row reading under which a batch of two does not run is in doubt. It is not the code's when
    the output is as wide as the input only by broadcasting (at another width of the weights' the
    forward pass runs too, with an output of another width: a network's output width does not follow
    its input's), or when the same width as columns runs on one sample and on a
    batch (one input: a single sample reads the same either way).
    """
    layout = recipe.layout
    if layout.inputs != "row" or _output(namespace, recipe, layout, n_in, 2, script) is not None:
        return None
    if n_in > 1 and output.shape[1] == n_in:
        for other in sorted({d for shape in slots.shapes().values() for d in shape} - {n_in}):
            out = _output(namespace, recipe, layout, other, 1, script)
            if out is not None and out.shape[1] != n_in:  # a network's output width is its own
                return (
                    f"at {n_in} inputs in a row the output is {n_in} wide, as the input, and a batch does "
                    f"not run: the code multiplies along the samples (at {other} inputs it gives "
                    f"{out.shape[1]} outputs)"
                )
    columns = replace(layout, inputs="column")
    if all(_output(namespace, recipe, columns, n_in, k, script) is not None for k in (1, 2)):
        return f"at {n_in} inputs a row is one sample only, while the code runs on a batch as columns"
    return None


def label_doubt(
    namespace: dict[str, Any], recipe: Recipe, n_in: int, n_out: int, script: LoadedScript | None
) -> str | None:
    """Why the forward expression's output is not the network's: at one sample, it changes when only
    the label does (class 0, then class 1, in the labels' format); None when the expression does not
    read the labels, does not run, or gives the same output."""
    if not re.search(r"\by\b", recipe.forward):
        return None
    saved = namespace.get("y")
    namespace["x"] = recipe.layout.to_code(np.random.default_rng(6).standard_normal((1, n_in)))
    outputs = []
    try:
        for k in (0, 1):
            one_hot = recipe.layout.labels == "one-hot" and n_out > 1
            namespace["y"] = recipe.layout.labels_to_code(np.eye(n_out)[[k]] if one_hot else np.array([[k]]))
            value = run_code(recipe.forward, namespace, "--forward", script=script)
            outputs.append(np.array(value, dtype=float))
    except (InputError, ValueError, TypeError, IndexError):
        return None
    finally:
        namespace["y"] = saved
    if outputs[0].shape == outputs[1].shape and np.array_equal(outputs[0], outputs[1]):
        return None
    return f"the output of --forward {recipe.forward!r} changes with the label alone: not the network's"


def output_doubt(
    namespace: dict[str, Any], dead: Slots, recipe: Recipe, n_in: int, script: LoadedScript | None
) -> list[str]:
    """Of the ``dead`` slots (no change of them changes the output read), those that change another
    element of the tuple the forward call returns, when the output read is one element of it
    (``net.forward(x)[1]`` of ``return z1, a1, z2, yhat``): the element is then a hidden layer's."""
    call = re.fullmatch(r"(.*\))\[-?\d+\]", recipe.forward.strip())
    if call is None:
        return []
    whole = replace(recipe, forward=call[1])
    rng = np.random.default_rng(2)
    namespace["x"] = recipe.layout.to_code(rng.standard_normal((1, n_in)))
    originals = dead.read()
    forward_labels(namespace, recipe, 1)
    moving = []
    try:
        reference = run_code(whole.forward, namespace, "--forward", script=script)
        for name, s in dead.slots.items():
            dead.write(
                {name: originals[name] + 0.25 * (1 + np.abs(originals[name])) * rng.standard_normal(s.shape)}
            )
            moved = run_code(whole.forward, namespace, "--forward", script=script)
            dead.write({name: originals[name]})
            if isinstance(moved, tuple | list) and len(moved) == len(reference):
                if any(not _same(a, b) for a, b in zip(moved, reference, strict=True)):
                    moving.append(name)
    except InputError:
        return []
    finally:
        dead.write(originals)
    return moving


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float)))
    except (TypeError, ValueError):
        return True  # a cache or a string: not compared
