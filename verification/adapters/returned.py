"""A gradient the code returns, or stores beside its weights, lined up with the parameters.

A backward pass gives its gradient back in one of two ways: it returns it (an array, a tuple, a list
or a dict of arrays: :mod:`verification.adapters.matching` lines those up with the parameters), or it
stores it beside each weight (``self.dW1`` by ``self.W1``, ``layer.dweights`` by ``layer.weights``,
``self.grads["dW1"]`` by ``self.weights["W1"]``) and returns nothing, or only its last delta.
:func:`returned_plan` runs the backward pass once and reads it the way that covers the most
parameters; a method that updates the weights in place while it returns less is no gradient here
(the update candidate of the same method reads it).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import re
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.failures import Failed
from verification.adapters.matching import leaves, plan_matching
from verification.adapters.parameters import Slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import Binding
from verification.adapters.weight_names import WEIGHT_NAME
from verification.reading import conventions as cv
from verification.reading.conventions import GRADIENT_SUFFIXES, gradient_names, gradient_stem
from verification.reading.updates import returned_names

Array = NDArray[Any]


def stored_gradients(namespace: dict[str, Any], slots: Slots) -> str | None:
    """An expression collecting gradients a backward pass stored beside the parameters (``self.dW1`` by
    ``self.W1``, ``layer.dweights`` by ``layer.weights``), keyed by the parameters' names, or None."""
    found = {}
    for n, s in slots.slots.items():
        listed = _stored_in_list(namespace, s)  # self.grad_weights[0] beside self.weights[0]
        if listed is not None:
            found[n] = listed
            continue
        if s.path and s.path[-1][0] == "item" and isinstance(s.path[-1][1], str):
            beside = _stored_in_dict(namespace, s)  # grads["dW1"] beside weights["W1"]
            if beside is not None:
                found[n] = beside
            continue
        if not s.path or s.path[-1][0] != "attr":
            continue
        parent_path, key = s.path[:-1], str(s.path[-1][1])
        parent = namespace[s.root]
        for kind, k in parent_path:
            parent = getattr(parent, k) if kind == "attr" else parent[k]
        candidates = gradient_names(key)
        where = s.root + "".join(f".{k}" if kind == "attr" else f"[{k!r}]" for kind, k in parent_path)
        size = int(np.prod(s.shape))
        for attr in [*candidates, *(key + x for x in GRADIENT_SUFFIXES)]:
            value = getattr(parent, attr, None)
            if attr != key and isinstance(value, np.ndarray) and value.size == size:
                found[n] = f"{where}.{attr}"
                break
        misspelled = _misspelled(parent, key, size) if n not in found else None
        if misspelled is not None:  # layer.dbaises by layer.biases: the author's spelling, one array
            found[n] = f"{where}.{misspelled}"
        for name, held in vars(parent).items() if n not in found and hasattr(parent, "__dict__") else ():
            if GRADIENT_DICTS.match(name) and isinstance(held, dict):  # self.gradients["W1"] by self.W1
                k = next((k for k in [key, *candidates] if isinstance(held.get(k), np.ndarray)), None)
                if k is not None and held[k].size == size:
                    found[n] = f"{where}.{name}[{k!r}]"
                    break
    if not found:
        return None
    return "{" + ", ".join(f"{n!r}: {expr}" for n, expr in found.items()) + "}"


def _stored_in_list(namespace: dict[str, Any], slot: Any) -> str | None:
    """``net.grad_weights[0]`` for the parameter ``net.weights[0]``: a list attribute beside the
    parameter's list, named as its gradient (``grad_weights``, ``dweights``, ``weights_grad``), holding
    an array of the parameter's size at the same index; None otherwise."""
    path = slot.path
    if len(path) < 2 or path[-1][0] != "item" or not isinstance(path[-1][1], int) or path[-2][0] != "attr":
        return None
    parent = namespace[slot.root]
    for kind, k in path[:-2]:
        parent = getattr(parent, k) if kind == "attr" else parent[k]
    key, index = str(path[-2][1]), path[-1][1]
    where = slot.root + "".join(f".{k}" if kind == "attr" else f"[{k!r}]" for kind, k in path[:-2])
    for attr in [*gradient_names(key), *(key + x for x in GRADIENT_SUFFIXES)]:
        held = getattr(parent, attr, None) if attr != key else None
        if isinstance(held, list) and index < len(held) and isinstance(held[index], np.ndarray):
            if held[index].size == int(np.prod(slot.shape)):
                return f"{where}.{attr}[{index}]"
    return None


def _misspelled(parent: Any, key: str, size: int) -> str | None:
    """The one attribute of ``parent`` named ``d`` + a near spelling of ``key`` (``dbaises`` for
    ``biases``: two letters swapped) holding an array of the parameter's size, or None."""
    if not hasattr(parent, "__dict__"):
        return None
    near = [
        a
        for a, v in vars(parent).items()
        if a.startswith("d")
        and a[1:] != key
        and abs(len(a) - 1 - len(key)) <= 1
        and difflib.SequenceMatcher(None, a[1:].lower(), key.lower()).ratio() >= 0.8
        and isinstance(v, np.ndarray)
        and v.size == size
    ]
    return near[0] if len(near) == 1 else None


GRADIENT_DICTS = re.compile(r"^_?(grads?|gradients?|d_?params|param_?grads|derivatives)$", re.IGNORECASE)
"""Dict attributes that hold gradients under the parameters' own keys (``self.gradients["W1"]``)."""


def _stored_in_dict(namespace: dict[str, Any], slot: Any) -> str | None:
    """``net.grads['dW1']`` for the parameter ``net.weights['W1']``: a dict attribute of the object
    holding the parameter's dict that has the parameter's key with a gradient prefix (``dW1``,
    ``grad_W1``), or the key itself in a dict named for gradients (:data:`GRADIENT_DICTS`), of the
    parameter's size."""
    key = str(slot.path[-1][1])
    if len(slot.path) < 2 or slot.path[-2][0] != "attr":
        return None
    owner = namespace[slot.root]
    for kind, k in slot.path[:-2]:
        owner = getattr(owner, k) if kind == "attr" else owner[k]
    where = slot.root + "".join(f".{k}" if kind == "attr" else f"[{k!r}]" for kind, k in slot.path[:-2])
    size = int(np.prod(slot.shape))
    for attr, value in vars(owner).items() if hasattr(owner, "__dict__") else []:
        if not isinstance(value, dict) or attr == slot.path[-2][1]:
            continue
        same_key = [key] if GRADIENT_DICTS.match(attr) else []  # self.gradients["W1"] by params["W1"]
        for name in [*gradient_names(key), *same_key]:
            if isinstance(value.get(name), np.ndarray) and value[name].size == size:
                return f"{where}.{attr}[{name!r}]"
    return None


def returned_plan(
    binding: Binding, recipe: Recipe, params: dict[str, Array], x: Array, y: Array
) -> tuple[Recipe, dict[str, int]]:
    """Run a returned-gradient recipe once and line what it returns up with the parameters; a backward
    pass that returns nothing, or less than what it stores beside the weights (its last delta, with the
    gradients in ``self.grads``), is read from what it stores.

    Raises
    ------
    Failed
        When the call also updates the weights in place and returns them (``return weights``), or
        what it returns (a delta for the layer before, a loss) covers fewer parameters: the same
        method is read as an update, the next candidate, never as a gradient that leaves the other
        weights out.
    """
    namespace, slots, script = binding.namespace, binding.slots, binding.script
    if binding.state is not None:
        binding.state.restore(slots)
    slots.write(params)
    namespace["x"] = recipe.layout.to_code(x)
    namespace["y"] = recipe.layout.labels_to_code(y)
    namespace["lr"] = 1.0
    returned = run_code(recipe.gradient or "", namespace, "--gradient", script=script)
    returned_as = names_returned_by_call(recipe.gradient or "", namespace)
    after = slots.read()
    moved = [n for n, v in after.items() if not np.array_equal(v, params[n])]
    gave_weights = bool(moved) and returned is not None and _returns_weights(returned, after)
    plan = None
    if returned is not None:
        with contextlib.suppress(InputError):
            plan = plan_matching(f"--gradient {recipe.gradient!r}", returned, params, returned_as)
    stored = stored_gradients(namespace, slots) if plan is None or len(plan) < len(params) else None
    if stored is not None:  # what it stores covers more than what it returns (a last delta, a loss)
        both = replace(recipe, gradient=f"{recipe.gradient}; {stored}")
        if binding.state is not None:
            binding.state.restore(slots)
        slots.write(params)
        namespace["x"] = recipe.layout.to_code(x)  # the first run may have rebound them (y = argmax(y))
        namespace["y"] = recipe.layout.labels_to_code(y)
        kept = run_code(both.gradient or "", namespace, "--gradient", script=script)
        with contextlib.suppress(InputError):
            found = plan_matching(f"--gradient {both.gradient!r}", kept, params)
            if plan is None or len(found) > len(plan):
                recipe, returned, plan = both, kept, found
    slots.write(params)
    if gave_weights:
        raise Failed(
            f"--gradient {recipe.gradient!r} updates {', '.join(moved)} in place and returns the updated "
            "weights, not gradients: it is read as an update instead",
            "not-gradients",
        )
    if moved and (plan is None or len(plan) < len(params)):
        raise Failed(
            f"--gradient {recipe.gradient!r} updates {', '.join(moved)} in place and returns gradients of "
            "fewer parameters: it is read as an update instead",
            "not-gradients",
        )
    if plan is None:
        plan = plan_matching(f"--gradient {recipe.gradient!r}", returned, params, returned_as)
    _refuse_unchecked(recipe, returned, plan, binding)
    return recipe, plan


def _refuse_unchecked(recipe: Recipe, returned: Any, plan: dict[str, int], binding: Binding) -> None:
    """Refuse gradients returned by the name of a value the object keeps that is no parameter (a
    learnable ``self.gain = 1.5``, named like no weight): what the code does with it would go
    unchecked, and a wrong gradient of it pass.

    Raises
    ------
    Failed
        Naming the value.
    """
    if not isinstance(returned, dict):
        return
    used = set(plan.values())
    extra = [(str(k), g) for i, (k, g) in enumerate(leaves(returned)) if i not in used and k is not None]
    roots = dict.fromkeys(slot.root for slot in binding.slots.slots.values())
    holders = [binding.namespace[r] for r in roots if r in binding.namespace]
    held = {str(s.path[-1][1]).lower() for s in binding.slots.slots.values() if s.path}
    for key, given in extra:
        stem = gradient_stem(key)
        if cv.role(stem, 1) in ("x", "y", "output", "error") or stem.lower() in held:
            continue  # a parameter's gradient of the wrong form is a mismatch of it, not this
        for holder in holders:
            value = getattr(holder, stem, None) if hasattr(holder, "__dict__") else None
            if not (isinstance(value, float) or (isinstance(value, np.ndarray) and value.dtype.kind == "f")):
                continue
            if WEIGHT_NAME.match(stem) and np.any(np.asarray(given) != 0):
                raise Failed(
                    f"--gradient {recipe.gradient!r} returns a nonzero gradient for {stem} ({key!r}), but "
                    f"the output of --forward does not depend on {stem} (its gradient is 0): the backward "
                    "pass differentiates a network the forward pass does not compute",
                    "code",
                )
            if not WEIGHT_NAME.match(stem):
                raise Failed(
                    f"--gradient {recipe.gradient!r} returns a gradient for {stem} ({key!r}), which the "
                    f"object keeps as {type(value).__name__} but which is named like no weight, so it would "
                    "go unchecked",
                    "code",
                    hint="parameters are the float arrays the objects hold, and floats named like weights "
                    "(w…, b…, weight…, bias…, theta…)",
                )


def _returns_weights(returned: Any, after: dict[str, Array]) -> bool:
    """Whether an array ``returned`` holds equals one of the weights as the call left them: code that
    returns its updated weights (``return weights``) gives no gradient."""
    arrays = [np.asarray(v) for _, v in leaves(returned) if isinstance(v, np.ndarray) and v.size > 1]
    return any(a.shape == w.shape and np.array_equal(a, w) for a in arrays for w in after.values())


def names_returned_by_call(code: str, namespace: dict[str, Any]) -> list[str] | None:
    """The names in the ``return`` statement of the function or method the last statement of ``code``
    calls (``net.backward(x, y)`` → ``["dW2", "db2", "dW1", "db1"]``), or None."""
    try:
        last = ast.parse(code).body[-1]
    except (SyntaxError, IndexError):
        return None
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
        return None
    try:
        fn = eval(compile(ast.Expression(last.value.func), "<callee>", "eval"), namespace)
    except Exception:  # the callee's expression is the code's own: a name it cannot resolve is no name
        return None
    return returned_names(getattr(fn, "__func__", fn), placeholders=True)


def refuse_partial_returns(recipe: Recipe, slots: Slots, covered: list[str], missing: list[str]) -> None:
    """Refuse a returned "gradient" that is no backward pass of the network: one that lines up with at
    most one of the weights while two or more get nothing (``_hidden_grad(z, a)`` returning σ'(z)), or
    with the biases alone while every weight matrix gets nothing (``return d1, d2``: the layers'
    deltas, shaped like the biases at one sample, which an update function turns into steps).

    Raises
    ------
    Failed
        Of kind ``not-gradients``, naming the parameters that got nothing.
    """
    if recipe.kind != "returned":
        return
    if len(missing) > 1 and len(covered) <= 1:
        raise Failed(
            f"--gradient {recipe.gradient!r} returns gradients of {len(covered)} of the "
            f"{len(covered) + len(missing)} weights (none for {', '.join(missing)}): it is no backward "
            "pass of the network",
            "not-gradients",
        )
    matrices = [n for n in missing if min(slots.slots[n].shape, default=1) > 1]
    if matrices and all(min(slots.slots[n].shape, default=1) == 1 for n in covered):
        raise Failed(
            f"--gradient {recipe.gradient!r} returns arrays that line up with the biases "
            f"({', '.join(covered)}) and with no weight matrix ({', '.join(matrices)}): the layers' "
            "deltas, not their gradients",
            "not-gradients",
        )
