"""Lining up returned gradients with the parameters: by name, by order, or by shape.

Code returns its gradients in whatever container it likes: ``(nabla_b, nabla_w)`` of per-layer lists
(Nielsen), ``dJdW1, dJdW2`` (Welch Labs), ``{'dW1': …, 'db1': …}`` (deeplearning.ai), ``(loss, grads)``
(CS231n), a list of layer gradients. :func:`match_gradients` flattens the container to its arrays,
in order, and assigns them to parameters:

1. by name, when both sides carry names: ``dW1``, ``grad_W1``, ``W1_grad``, ``dJdW1``, ``nabla_W1`` go to
   ``W1`` (the last step of the parameter's path: an attribute name or a dict key);
2. by order, when the arrays have the shapes of the parameters in the code's order, or in reverse
   (output layer first, as backprop computes them), or layer by layer from the output with each layer's
   own in order (``dW2, db2, dW1, db1``), or each list of them from the output (``dW3, dW2, dW1, db3,
   db2, db1``);
3. by shape, when every parameter shape occurs once.

Parameters that are the entries of one list the code takes (``params[0]`` … of ``loss_and_gradients(x,
y, params)``) are matched by the list's order alone: arrays returned in another order are an error that
names the positions, never re-paired by shape (a caller that steps ``params[k]`` by ``grads[k]`` breaks).

Scalars are taken only for scalar parameters. By name, the gradients of activations (``dA1``) returned
beside the parameters' are left aside. Parameters left without a gradient are not checked and the
report says so; ambiguity is an error that says what was returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.failures import Failed
from verification.adapters.object_arrays import is_number_objects
from verification.reading.conventions import gradient_stem

Array = NDArray[Any]

PARAMETER_STEM = re.compile(r"^(w|b|weights?|bias(es)?|theta|kernel|gamma|beta)\d*(\[.*\])?$")
"""Stems of a parameter's gradient (``dW1`` → ``w1``, ``delta_bias1`` → ``bias1``); an activation's
(``dA1`` → ``a1``) is none."""


class Unmatched(Failed):
    """Arrays a gradient call returned that line up with the parameters neither by name, order nor
    shape: at this input width they are no gradients of these parameters (a delta, an error)."""


def leaves(value: Any, key: str | None = None) -> list[tuple[str | None, Any]]:
    """``(key, leaf)`` for every array or number in a nested container, in order."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        return [(key, value)]
    if is_number_objects(value):  # np.array([dw1, dw2, dw3], dtype=object) of equal lengths: 2-D
        return [(key, np.asarray(value, dtype=np.float64))]
    if isinstance(value, np.ndarray) and value.ndim == 1:  # ragged: np.array([dW1, dW2], dtype=object)
        value = list(value)
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return [(key, value)]
    if isinstance(value, Mapping):
        out = []
        for k, v in value.items():
            out += leaves(v, str(k))
        return out
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return [(key, np.asarray(value, dtype=np.float64))]
        out = []
        for i, v in enumerate(value):
            out += leaves(v, f"{key}[{i}]" if key is not None and not isinstance(value, tuple) else None)
        return out
    return []


def _stem(key: str) -> str:
    """``dW1`` → ``w1``, ``grad_b2`` → ``b2``, ``W1_grad`` → ``w1`` (lower case, prefixes and suffixes
    off)."""
    return gradient_stem(key).lower()


def _param_key(name: str) -> str:
    """The last step of a parameter's readable name: ``params['W1']`` → ``w1``, ``net.W2`` → ``w2``."""
    m = re.search(r"\['?([^'\]]+)'?\]$", name)
    if m and not m.group(1).isdigit():
        return m.group(1).lower()
    return name.rsplit(".", 1)[-1].lower()


def _named_leaves(returned: Any, returned_as: list[str] | None) -> list[tuple[str | None, Any]]:
    """:func:`leaves` of ``returned``, a returned tuple's elements keyed by the names its ``return``
    statement gives them; lists among them by those names too (``return dW, db`` with ``dW = [dW1,
    dW2]``: ``dW[0]``, ``dW[1]``, the gradients of ``W[0]``, ``W[1]``)."""
    found = leaves(returned)
    if not (returned_as and isinstance(returned, tuple | list) and len(returned_as) == len(returned)):
        return found
    if len(returned) == len(found):
        return [
            (n if k is None and not n.startswith("_returned_") else k, v)
            for n, (k, v) in zip(returned_as, found, strict=True)
        ]
    return [
        leaf
        for n, element in zip(returned_as, returned, strict=True)
        for leaf in leaves(element, None if n.startswith("_returned_") else n)
    ]


def _layers_reversed(names: list[str]) -> tuple[str, ...]:
    """The parameters with their layers in reverse order and each layer's own in order: ``W2, b2, W1,
    b1`` for ``W1, b1, W2, b2`` held as ``layers[0].W``, ``layers[0].b``, ``layers[2].W`` … (a container
    that runs its layers' backward passes from the output down and collects what each returns)."""
    groups: dict[str, list[str]] = {}
    for n in names:
        layer = re.sub(r"(\.[A-Za-z_]\w*|\[[^\]]*\])$", "", n)
        groups.setdefault(layer, []).append(n)
    return tuple(n for layer in reversed(list(groups)) for n in groups[layer])


def _lists_reversed(names: list[str]) -> tuple[str, ...]:
    """The parameters kept in lists (``W[1]``, ``W[2]``, ``W[3]``, ``b[1]`` …) with each list's own in
    reverse order and the lists in theirs: ``dW3, dW2, dW1, db3, db2, db1``, as a backward pass that
    fills each list from the output layer down returns them."""
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(re.sub(r"\[[^\]]*\]$", "", n), []).append(n)
    return tuple(n for group in groups.values() for n in reversed(group))


def _by_name(
    usable: list[tuple[int, str | None, Array]],
    params: Mapping[str, Array],
    fits: Any,
    placed: bool,
) -> tuple[dict[str, int], bool]:
    """The gradients :func:`plan_matching` lines up by name, and whether that decides the plan. An
    element the return statement writes as an expression (``return dz1 @ x.T, dz1, dW2, db2``,
    ``placed``: keyed ``_returned_<i>``) has no name, only its place, so the names then decide only when
    they cover every parameter."""
    names = list(params)
    named = [(i, k, a) for i, k, a in usable if k is not None and not k.startswith("_returned_")]
    unnamed = len(named) < len(usable) and placed
    exact = {k: (i, a) for i, k, a in named}
    if all(n in exact and fits(exact[n][1], params[n].shape) for n in names):
        return {n: exact[n][0] for n in names}, True
    keyed = {_stem(k): (i, a) for i, k, a in named}
    by_name = {}
    for n in names:
        hit = keyed.get(_param_key(n))
        if hit is not None and fits(hit[1], params[n].shape):
            by_name[n] = hit[0]
    if by_name and (len(by_name) == len(names) or (len(by_name) == len(keyed) and not unnamed)):
        return by_name, True
    left = [_stem(k) for i, k, a in named if i not in by_name.values()]
    # the arrays left are an activation's gradients (dA1), no parameter's
    return by_name, bool(by_name) and not unnamed and not any(PARAMETER_STEM.match(k) for k in left)


def _fits(a: Array, shape: tuple[int, ...]) -> bool:
    """Whether ``a`` is of ``shape``, or of its size with the same axes besides those of size 1."""
    return a.shape == shape or (
        a.size == int(np.prod(shape)) and a.squeeze().shape == np.empty(shape).squeeze().shape
    )


def _in_list_order(
    label: str, candidates: list[tuple[int, Array]], params: Mapping[str, Array]
) -> dict[str, int] | None:
    """The plan pairing ``candidates`` with the parameters by position, when the parameters are the
    entries of one list (:func:`_one_list`) and as many arrays came back; None when they are not.

    Raises
    ------
    Unmatched
        When an array does not fit the entry at its position: returned out of the list's order."""
    names = list(params)
    root = _one_list(names)
    if root is None or len(candidates) != len(names):
        return None
    wrong = [
        f"{n} {params[n].shape} at position {k} got {a.shape}"
        for k, ((_, a), n) in enumerate(zip(candidates, names, strict=True))
        if not _fits(a, params[n].shape)
    ]
    if not wrong:
        return {n: i for (i, _), n in zip(candidates, names, strict=True)}
    raise Unmatched(
        f"{label} returned {len(candidates)} arrays for the {len(names)} entries of the list {root} it "
        f"takes, not in the list's order: {'; '.join(wrong)} (a caller that steps params[k] by "
        "grads[k] breaks on them)",
        "shape",
        hint="return the gradients in the order of the parameters' list",
    )


def _one_list(names: list[str]) -> str | None:
    """``params`` when the parameters are the entries of that one list, two or more, in order
    (``params[0]``, ``params[1]``, …); else None."""
    found = [re.fullmatch(r"(?P<root>[\w.]+)\[(?P<k>\d+)\]", n) for n in names]
    if len(names) < 2 or any(m is None for m in found):
        return None
    roots = {m.group("root") for m in found if m is not None}
    indices = [int(m.group("k")) for m in found if m is not None]
    return roots.pop() if len(roots) == 1 and sorted(indices) == list(range(len(names))) else None


def _misshapen(usable: list[tuple[int, str | None, Array]], params: Mapping[str, Array]) -> list[str]:
    """``db1 (1, 1) for b1 (5, 1)`` for each parameter whose gradient, named for it, has another shape,
    when every parameter has one named for it; empty otherwise."""
    keyed = {_stem(k): a for _, k, a in usable if k is not None and not k.startswith("_returned_")}
    found = {n: keyed.get(_param_key(n)) for n in params}
    if any(a is None for a in found.values()):
        return []
    return [
        f"{n} ({a.shape}, expected {params[n].shape})"
        for n, a in found.items()
        if a is not None and a.size != params[n].size
    ]


def plan_matching(
    label: str, returned: Any, params: Mapping[str, Array], returned_as: list[str] | None = None
) -> dict[str, int]:
    """Which array of ``returned`` is the gradient of which parameter (see the module docstring).

    Parameters
    ----------
    label : str
        How messages name the code.
    returned : object
        What the code returned once.
    params : mapping of str to ndarray
        The candidate parameters, in the code's order.
    returned_as : list of str, optional
        The names a returned tuple's elements have in the code's ``return`` statement (``return dW2,
        db2, dW1, db1``): they key the elements, so that the gradients go by name, not by place.

    Returns
    -------
    dict of str to int
        Parameter name → position of its gradient among :func:`leaves` of ``returned``, for every
        parameter a gradient was found for (the others are not checked).

    Raises
    ------
    InputError
        When nothing returned is an array, or the arrays fit no assignment.
    """
    found = _named_leaves(returned, returned_as)
    scalars = any(p.shape == () for p in params.values())
    usable = [(i, k, np.asarray(v)) for i, (k, v) in enumerate(found) if isinstance(v, np.ndarray) or scalars]
    if not any(a.size > 0 for _, _, a in usable):
        raise Failed(
            f"{label} returned {type(returned).__name__}, not gradients (no arrays in it)",
            "not-gradients",
            hint="return the gradients (a tuple, list or dict of arrays), or give --step for code that "
            "updates its weights in place",
        )
    names = list(params)
    fits = _fits
    # 1. by name: the parameter's own name, else the stems (dW1 → W1)
    by_name, decided = _by_name(usable, params, fits, returned_as is not None)
    if decided:
        return by_name

    def agrees(order: tuple[str, ...] | list[str]) -> bool:  # with the gradients named
        return all(n not in by_name or by_name[n] == i for (i, _), n in zip(candidates, order, strict=False))

    candidates = [(i, a) for i, _, a in usable]
    in_order = _in_list_order(label, candidates, params)  # loss_and_gradients(x, y, params)
    if in_order is not None:
        return in_order
    # 2. by order, forwards or backwards: every parameter, or a run of them (a network whose biases
    # are not trained returns the weights' gradients only)
    fitting = [
        order
        for order in dict.fromkeys(
            (tuple(names), tuple(reversed(names)), _layers_reversed(names), _lists_reversed(names))
        )
        if len(candidates) == len(order)
        and all(fits(a, params[n].shape) for (_, a), n in zip(candidates, order, strict=True))
        and agrees(order)
    ]
    if len(fitting) > 1:
        raise Failed(
            f"{label} returned {len(candidates)} arrays that line up with the parameters "
            f"{', '.join(names)} in more than one order (their order, the reverse, layer by layer or list by "
            "list from the output; their shapes agree), and nothing names them",
            "code",
            hint="return a dict keyed by the parameters' names, or name the gradients in the return "
            "statement (return dW1, db1, dW2, db2)",
        )
    if fitting:
        return {n: i for (i, _), n in zip(candidates, fitting[0], strict=True)}
    if len(candidates) < len(names):
        for order in (names, list(reversed(names))):
            plan: dict[str, int] = {}
            rest = list(candidates)
            for n in order:
                if rest and fits(rest[0][1], params[n].shape):
                    plan[n] = rest.pop(0)[0]
            if not rest and plan and all(plan.get(n) == i for n, i in by_name.items()):
                return plan
    # 3. by shape
    shapes = [params[n].shape for n in names]
    if len(set(shapes)) == len(shapes) and len(candidates) == len(names):
        by_shape = {a.shape: i for i, a in candidates}
        if all(s in by_shape for s in shapes):
            return {n: by_shape[params[n].shape] for n in names}
    misshapen = _misshapen(usable, params)
    if misshapen:  # named for its parameter, and of another shape: the code's own gradient is wrong
        raise Unmatched(
            f"{label} returned a gradient for every parameter by name, of the wrong shape for "
            f"{'; '.join(misshapen)}",
            "shape",
            hint="a gradient has its parameter's shape (a bias summed over the samples only: axis=1 for "
            "columns, axis=0 for rows); fix it, or check another function",
        )
    shown = ", ".join(str(a.shape) for _, a in candidates) or "none"
    raise Unmatched(
        f"{label} returned arrays of shapes {shown}, which line up with the parameters "
        f"{', '.join(f'{n} {params[n].shape}' for n in names)} neither by name, nor by order, nor by shape",
        "code",
        hint="return a dict keyed by the parameters' names, or the gradients in the parameters' order",
    )


def apply_matching(label: str, returned: Any, plan: Mapping[str, int]) -> dict[str, Array]:
    """The gradients of ``returned`` by the plan of :func:`plan_matching`.

    Raises
    ------
    InputError
        When ``returned`` no longer holds an array where the plan expects one.
    """
    found = leaves(returned)
    out = {}
    for n, i in plan.items():
        if i >= len(found):
            raise InputError(f"{label} returned {len(found)} arrays this time, fewer than before ({i + 1})")
        out[n] = np.asarray(found[i][1])
    return out
