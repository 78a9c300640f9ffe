"""The methods of a network class: which is its forward pass and its gradient (or training step), and
how each is called.

* the **forward pass** is a method named like one (:data:`verification.reading.conventions.FORWARD_NAMES`)
  given ``x`` (or, when it takes no argument, with ``x`` put in the attribute the constructor stored its
  input in); its output is what it returns, last among the arrays of a returned tuple, or the attribute
  it stored (:data:`OUTPUT_ATTRIBUTES`);
* the **gradient** is a method that returns gradients (or stores them beside the weights), else one that
  updates the weights in place, called with its arguments by their names: ``x``, ``y``, the error
  ``a − y`` (``y − a`` when it *adds* its update to the weights), the forward output, the learning rate,
  one iteration;
* a **named method** (``Net.backward``) is the only one tried; the forward pass or the constructor named
  so is refused (:func:`validate_named_method`).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.failures import Failed
from verification.adapters.layouts import Layout
from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript
from verification.reading.updates import local_learning_rate, loop_attributes, returned_names, update_sign

OUTPUT_ATTRIBUTES = (
    "output",
    "out",
    "a2",
    "y_hat",
    "yhat",
    "prediction",
    "predictions",
    "a_out",
    "o",
    "final_outputs",
    "output_layer",
    "layer2",
    "l2",
    "a3",
    "activation",
    "probs",
    "yHat",
)
"""Attributes a forward pass that returns nothing is read from, in order of preference."""


@dataclass(frozen=True)
class Built:
    """An object of the class under check, as a setup built it.

    Attributes
    ----------
    obj : object
    var : str
        The name the setup bound it to.
    cls : type
    setup : str
    bound : list of str
        Every name the setup bound.
    label_attr : str or None
        An attribute the constructor stored the labels in (set to ``y`` before each step).
    """

    obj: Any
    var: str
    cls: type
    setup: str
    bound: list[str]
    label_attr: str | None


def label_attribute(obj: Any, namespace: dict[str, Any], bound: list[str]) -> str | None:
    return next(
        (
            a
            for a, v in vars(obj).items()
            if isinstance(v, np.ndarray)
            and cv.role(a, 1) == "y"
            and any(v is namespace.get(n) for n in bound)
        ),
        None,
    )


def _returns_value(obj: Any, method: str) -> bool:
    """Whether the source of ``method`` returns a value somewhere (a gradient method does)."""
    import ast

    from verification.reading.updates import source_tree

    tree = source_tree(getattr(type(obj), method, getattr(obj, method, None)))
    return tree is not None and any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree))


def validate_named_method(cls: type, method: str) -> None:
    """Refuse a named method that cannot be the backward pass: a missing one, the constructor, or the
    forward pass.

    Raises
    ------
    InputError
        Naming the method and what to name instead.
    """
    target = f"{cls.__name__}.{method}"
    if not callable(getattr(cls, method, None)):
        raise InputError(f"{cls.__name__} has no method {method!r}")
    backwardish = cv.methods_by_preference(
        cls, (*cv.GRADIENT_NAMES, *cv.TRAIN_NAMES), ("backprop", "backward", "grad", "train")
    )
    instead = next((m for m in backwardish if m != method), None)
    hint = (
        f"name the method that returns gradients or trains, e.g. {cls.__name__}.{instead}"
        if instead
        else None
    )
    if method.startswith("__"):
        raise InputError(f"{target} is not a backward pass: it is a special method", hint=hint)
    if method in cv.FORWARD_NAMES or re.search(r"forward|feed|predict", method, re.I):
        if not re.search(r"backward|backprop|grad", method, re.I):
            raise InputError(f"{target} is the forward pass, not a backward pass", hint=hint)


def forward_candidates(
    obj: Any, var: str, namespace: dict[str, Any], bound: list[str]
) -> list[tuple[str, str, str]]:
    """``(statements, call, method)`` candidates of the forward pass of ``obj``."""
    inputs = [
        a
        for a, v in vars(obj).items()
        if isinstance(v, np.ndarray) and any(v is namespace.get(n) for n in bound) and cv.role(a, 0) == "x"
    ]
    out = []
    for m in cv.methods_by_preference(obj, cv.FORWARD_NAMES, ("forward", "feed")):
        params = cv.positional_parameters(getattr(obj, m))
        required = [p for p in params if p.default is inspect.Parameter.empty]
        if len(required) == 1 or (not required and params and cv.role(params[0].name, 0) == "x"):
            out.append(("", f"{var}.{m}(x)", m))
        elif not required and inputs:
            out.append((f"{var}.{inputs[0]} = x", f"{var}.{m}()", m))
        elif (
            required
            and cv.role(required[0].name, 0) == "x"
            and all(hasattr(obj, p.name) for p in required[1:])
        ):
            # _feedforward(X, w1, w2): the weights it takes are the object's own
            own = ", ".join(f"{var}.{p.name}" for p in required[1:])
            out.append(("", f"{var}.{m}(x, {own})", m))
    return out


def output_expression(
    namespace: dict[str, Any],
    statements: str,
    call: str,
    var: str,
    n_in: int,
    layout: Layout,
    script: LoadedScript | None,
) -> str:
    """The forward recipe: the call when it returns the output (an element of a returned tuple), else
    the call and then the attribute it stored the output in.

    Raises
    ------
    Failed
        When it returns nothing and stores no array.
    """
    obj = namespace[var]
    before = dict(vars(obj))
    namespace["x"] = layout.to_code(np.random.default_rng(3).standard_normal((1, n_in)))
    value = run_code(f"{statements}\n{call}" if statements else call, namespace, "--forward", script=script)
    prefix = f"{statements}; " if statements else ""
    if (isinstance(value, np.ndarray) and value.dtype != object and value.size) or isinstance(
        value, float | np.floating
    ):
        return f"{prefix}{call}"
    if isinstance(value, tuple | list) and value:
        arrays = [i for i, v in enumerate(value) if isinstance(v, np.ndarray) and v.dtype != object]
        if arrays:
            index = arrays[-1] - len(value) if arrays[-1] == len(value) - 1 else arrays[-1]
            return f"{prefix}{call}[{index}]"
    changed = [
        k for k, v in vars(obj).items() if before.get(k) is not v and isinstance(v, np.ndarray) and v.size
    ]
    preferred = [k for k in OUTPUT_ATTRIBUTES if k in changed]
    if preferred or changed:
        return f"{prefix}{call}; {var}.{(preferred or changed[-1:])[0]}"
    raise Failed(f"{call} returned {type(value).__name__} and stored no array: no output found", "forward")


def method_call(
    var: str,
    method: str,
    params: list[inspect.Parameter],
    err: str,
    out: str,
    *,
    training: bool = False,
    dataset: bool = False,
    named: list[str] | None = None,
) -> tuple[str, bool] | None:
    """The call of a gradient or training method with its arguments by their names, and whether it takes
    the error (None when an argument cannot be given).

    ``named``: names the forward pass's returned tuple was unpacked into (``a1, z2, a2, z3, a3``),
    given to the arguments of the same names. ``training``: a training method (``fit(inputs, outputs,
    …)``), whose argument named like outputs is its labels when none is named like labels.
    ``dataset``: the method trains on a data set while the forward pass takes one sample
    (``train(data, all_y_trues)`` beside ``feedforward(x)``): its inputs and labels are given as a data
    set of that one sample.
    """
    roles = [cv.role(p.name, i) for i, p in enumerate(params)]
    roles = [p.name if p.name in (named or ()) else r for p, r in zip(params, roles, strict=True)]
    if (training or dataset) and "output" in roles and "y" not in roles:
        roles = ["y" if r == "output" else r for r in roles]
    values = {"x": "x", "y": "y", "error": err, "output": out, "lr": "lr", "iterations": "1"}
    values |= {n: n for n in named or ()}
    if dataset:
        values |= {"x": "[x]", "y": "[y]"}
    args = cv.call_arguments(params, lambda i, _: values.get(roles[i] or ""))
    if args is None:
        return None
    takes_error = "error" in roles
    return f"{var}.{method}({', '.join(args)})", takes_error


def _learning_rate(
    obj: Any, var: str, method: Any, params: list[inspect.Parameter]
) -> tuple[str | None, list[str]]:
    """The learning-rate expression of an update: an argument (then 0.1 is passed), an attribute, or a
    local constant of the method."""
    if "lr" in {cv.role(p.name, i) for i, p in enumerate(params)}:
        return "0.1", []
    for name in cv.LR_NAMES:
        real = next((k for k in vars(obj) if k.lower() == name), None)
        if (
            real is not None
            and isinstance(getattr(obj, real), int | float)
            and not isinstance(getattr(obj, real), bool)
        ):
            return f"{var}.{real}", []
    local = local_learning_rate(method)
    if local is not None:
        return repr(local[0]), [
            f"learning rate {local[0]:g} read from line {local[1]} of {getattr(method, '__name__', '')}"
        ]
    return None, []


def gradient_candidates(
    built: Built,
    forward: str,
    forward_method: str,
    parameter_keys: list[str],
    only: str | None = None,
    one_sample: bool = False,
) -> list[tuple[str, str, str | None, list[str]]]:
    """``(kind, code, lr, notes)`` candidates: returned gradients first, then updates in place; only the
    method ``only`` when one is named. With inputs of ``one_sample`` (1-D arrays or lists), a training
    method is also given them as a data set of one sample (:func:`method_call`)."""
    obj, var, label_attr = built.obj, built.var, built.label_attr
    last = forward.rsplit(";", 1)[-1].strip()
    named: list[str] = []
    if ";" in forward and "(" not in last:  # the output is read from an attribute after the call
        pre, out = forward.rsplit(";", 1)[0].strip(), last
    else:
        pre, out = f"out = {forward}", "out"
        names = returned_names(getattr(obj, forward_method, None)) if forward_method else None
        call = re.sub(r"\[-?\d+\]$", "", forward)
        if names and len(names) > 1 and call != forward:  # (a1, z2, a2, z3, a3): each by its name
            pre += f"; {', '.join(names)} = {call}"
            named = names
    if label_attr:
        pre = f"{var}.{label_attr} = y; {pre}"
    grads = [
        m
        for m in cv.methods_by_preference(obj, cv.GRADIENT_NAMES, ("backprop", "backward", "grad", "prime"))
        if m != forward_method
    ]
    trains = [
        m
        for m in cv.methods_by_preference(obj, cv.TRAIN_NAMES, ("train",))
        if m != forward_method and m not in grads
    ]
    if only is not None:
        grads = [only] if only in grads or (only not in trains and _returns_value(obj, only)) else []
        trains = [only] if not grads else []
    returned, updates = [], []
    for m in grads + trains:
        fn = getattr(obj, m)
        unbound = getattr(type(obj), m, fn)
        params = cv.positional_parameters(fn)
        sign = update_sign(unbound, parameter_keys)
        err = f"y - {out}" if sign == 1 else f"{out} - y"
        made = method_call(var, m, params, err, out, training=m in trains, named=named)
        if made is None:
            continue
        call, takes_error = made
        notes = (
            [
                f"{m} takes the error y - a (it adds its update to the weights)"
                if sign == 1
                else f"{m} takes the error a - y (the usual sign)"
            ]
            if takes_error
            else []
        )
        if m in grads:
            returned.append(("returned", f"{pre}; {call}", None, notes))
        loops, unbounded = loop_attributes(unbound)
        if unbounded:
            continue
        lr, lr_notes = _learning_rate(obj, var, unbound, params)
        set_loops = "".join(f"{var}.{a} = 1; " for a in dict.fromkeys(loops))
        updates.append(("update", f"{pre}; {set_loops}{call}", lr, notes + lr_notes))
        wrapped = None
        if one_sample and m in trains:
            wrapped = method_call(var, m, params, err, out, training=True, dataset=True)
        if wrapped is not None and wrapped[0] != call:
            updates.append(("update", f"{pre}; {set_loops}{wrapped[0]}", lr, notes + lr_notes))
    return returned + updates
