"""The call of a network's gradient or training method, or of a function of a network's, its arguments
given by their names.

``backprop(self, x, y)``, ``train(self, inputs, targets, epochs, lr)``, ``backward(self, dout)``: each
argument's role is read off its name (:func:`verification.reading.conventions.role`) and given the
checker's value for it (``x``, ``y``, the error ``a − y``, the learning rate, one iteration).

Labels named as −1 or +1 (``train_step(self, X, y_pm1, lr)``) are a reading of their own
(:func:`signed_readings`): code that maps them back to 0 and 1 (``t = (y_pm1 + 1) / 2``) is the
gradient of a catalog loss only when given ``2 * y - 1``, while code that takes them as its targets
(a tanh output fitted to ±1) is so only when given ``y`` as it is; the checker cannot tell which from
the name, so both are tried and the verdict must survive both (:mod:`verification.adapters.variants`).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from typing import Any

import numpy as np

from verification.adapters.call_site_literals import call_site_literals
from verification.adapters.recipe import Recipe
from verification.reading import conventions as cv
from verification.reading.call_arguments import call_arguments
from verification.reading.keyed_arguments import keyed_only

COLUMN_SAMPLES = {"x": "x.T[:, :, None]", "y": "y.T[:, :, None]"}
"""Inputs and labels of a batch as a training method that goes through its samples one at a time,
each a column, takes them: stacked, ``(n, d, 1)`` (``for xi, yi in zip(X, y)``, ``xi`` of ``(d, 1)``)."""
COLUMN_NOTE = "{} takes its samples one at a time, each a (d, 1) column, stacked (n, d, 1)"


def method_call(
    var: str,
    method: str,
    params: list[inspect.Parameter],
    known: dict[str, str],
    *,
    training: bool = False,
    dataset: bool = False,
    rows: bool = False,
    given: dict[str, str] | None = None,
) -> tuple[str, bool] | None:
    """The call of a gradient or training method with its arguments by their names, and whether it takes
    the error (None when an argument cannot be given).

    ``known``: the expressions of the error (role ``error``), the forward output (``output``) and the
    number of samples (``samples``, the ``m`` of course notation).

    ``training``: a training method (``fit(inputs, outputs, …)``), whose argument named like outputs is
    its labels when none is named like labels. ``dataset``: the method trains on a data set while the
    forward pass takes one sample (``train(data, all_y_trues)`` beside ``feedforward(x)``): its inputs
    and labels are given as a data set of that one sample. ``rows``: the method takes its samples one
    by one, each a ``(1, n)`` row (``x_train[j]`` multiplied as a matrix): inputs and labels are given
    as ``x[:, None]`` and ``y[:, None]``. ``given``: arguments whose role the name does
    not say, by name: the names the forward pass's returned tuple was unpacked into (``a1, z2, a2``),
    each given the variable of its own name, and arguments that multiply the update of the weights
    (:func:`~verification.reading.updates.step_factors`), given the learning rate (role ``lr``), and
    an argument read only as ``arg[0]`` and ``arg[1]`` (:func:`~verification.reading.updates.
    pair_arguments`), given the pair ``(x, y)`` (role ``pair``).
    """
    given = given or {}
    roles = [given.get(p.name) or cv.role(p.name, i) for i, p in enumerate(params)]
    if len(roles) > 1 and roles[:2] == ["x", None] and params[1].name in cv.SHORT_LABELS:
        roles[1] = "y"  # backward(self, x, l)
    for i, p in enumerate(params):  # update_mini_batch(mini_batch, eta, lmbda, n): the weight decay's n
        if roles[i] is None and p.name in ("n", "N") and "reg" in roles[:i]:
            roles[i] = "samples"
    if (training or dataset) and "output" in roles and "y" not in roles:
        roles = ["y" if r == "output" else r for r in roles]
    values = {
        "x": "x",
        "y": "y",
        "lr": "lr",
        "iterations": "1",
        "pair": "(x, y)",  # an argument read only as arg[0] and arg[1]
        "samples": "x.shape[0]",
        "reg": "0.0",  # weight decay off: the loss's own gradient
        "momentum": "0.0",  # no momentum: each step the gradient step alone
        "held-out": "[]",  # a data set to evaluate on after each epoch: none (its labels may be indices)
    } | known
    values |= {v: v for v in given.values() if v not in values}
    if dataset:  # a count of one sample becomes the data set's length, which a batch probe lengthens
        values |= {"x": "[x]", "y": "[y]"} | ({"samples": "len([x])"} if values["samples"] == "1" else {})
    if rows:
        values |= {"x": "x[:, None]", "y": "y[:, None]"}
    args = call_arguments(
        params,  # a weight decay with a default keeps the author's (the penalty is then read off)
        lambda i, p: None if roles[i] == "reg" and p.default is not p.empty else values.get(roles[i] or ""),
    )
    if args is None:
        return None
    takes_error = "error" in roles
    return f"{var}.{method}({', '.join(args)})", takes_error


DECAY_OFF = "(named like a weight decay, with no default) given 0.0"
"""What a note on a weight-decay argument switched off says, which the check of a backward pass's caller
(:mod:`verification.identification.callers`) hands on to the backward pass's report."""


def argument_notes(method: str, params: list[inspect.Parameter], given: dict[str, str]) -> list[str]:
    """Notes on what :func:`method_call` gives ``method`` beside its data: a loss object it is handed
    (``given`` maps the argument to ``MSE()``), and a required weight-decay argument given 0
    (``update_mini_batch(mini_batch, eta, lmbda, n)``), so that the step checked is the loss's own
    gradient and the decay the training adds at a strength above 0 is not checked (an argument with
    a default keeps the author's value, whose penalty identification reads off instead)."""
    objects = [f"{method} is handed the loss object {v}" for v in given.values() if v.endswith("()")]
    names = [
        p.name
        for i, p in enumerate(params)
        if p.default is p.empty and (given.get(p.name) or cv.role(p.name, i)) == "reg"
    ]
    if not names:
        return objects
    return [
        f"{method}'s {', '.join(names)} {DECAY_OFF}: the step checked is the loss's own gradient; above 0 "
        "the training adds a weight decay, which is not checked",
        *objects,
    ]


def _value_of(values: dict[str, str], i: int, p: inspect.Parameter) -> str | None:
    """The expression for argument ``p`` (at ``i``) of a function: by its name, else by its role."""
    r = cv.role(p.name, i)
    value = values.get(p.name) or values.get(p.name.lower())
    if value is None and p.name.lower() in cv.lower(cv.PARAMETER_CONTAINERS):
        value = values.get("parameters")  # before the role: the first argument may be the network
    return value or (values.get(r) if r else None)


def function_arguments(fn: Any, values: dict[str, str]) -> str | None:
    """The arguments of ``fn`` by role or name (``values`` maps roles and names to expressions); an
    argument whose name says nothing but that the function reads only by string keys
    (``W_and_bias["w1"]``, :func:`~verification.reading.keyed_arguments.keyed_only`) is the parameters."""
    keyed = keyed_only(fn)
    literals = call_site_literals(fn)  # L_model_backward(AL, Y, caches, "softmax") in its file
    args = call_arguments(
        cv.positional_parameters(fn),
        lambda i, p: (
            _value_of(values, i, p)
            or (values.get("parameters") if p.name in keyed else None)
            or literals.get(p.name)
        ),
    )
    return None if args is None else ", ".join(args)


def unvalued(fn: Any, values: dict[str, str]) -> str:
    """The required arguments of ``fn`` that ``values`` gives nothing for, for a refusal."""
    params = cv.positional_parameters(fn)
    missing = [
        p.name
        for i, p in enumerate(params)
        if p.default is inspect.Parameter.empty and not _value_of(values, i, p)
    ]
    return ", ".join(missing) or cv.unnamed_arguments(fn)


SIGNED_LABELS = re.compile(r"pm_?1|pm_?one|plus_?minus|signed|_sign$", re.I)
"""Names of labels given as −1 or +1 (``y_pm1``)."""


def signed_readings(recipe: Recipe, method: Any, var: str) -> list[Recipe]:
    """``recipe`` alone, or, when the method it calls names its labels as −1 or +1 (:data:`SIGNED_LABELS`),
    ``recipe`` with the call given ``2 * y - 1`` as the other reading, then the reverse (for code that
    raises on a label of 0): see the module docstring."""
    names = [p.name for p in cv.positional_parameters(method)] if method is not None else []
    code = recipe.gradient if recipe.gradient is not None else recipe.step or ""
    head, sep, call = code.rpartition(f"{var}.{getattr(method, '__name__', '')}(")
    if not sep or not any(SIGNED_LABELS.search(n) for n in names):
        return [recipe]
    signed = head + sep + re.sub(r"\by\b", "(2 * y - 1)", call)
    option = "--gradient" if recipe.gradient is not None else "--step"
    as_signed = replace(
        recipe,
        gradient=signed if recipe.gradient is not None else None,
        step=signed if recipe.step is not None else None,
        readings=((f"{option} {code!r}", recipe.forward, code),),
    )
    return [replace(recipe, readings=((f"{option} {signed!r}", recipe.forward, signed),)), as_signed]


def matrix_calls(method: Any, call: str) -> list[str]:
    """``call`` with its lists of one sample made matrices of one row (``np.array([x])``, by the name
    the method's module gives NumPy), for a training method that takes its data set as a matrix beside
    a forward pass of one 1-D sample; empty when the module binds no name to NumPy."""
    numpy = next((k for k, v in getattr(method, "__globals__", {}).items() if v is np), None)
    return [call.replace("[x]", f"{numpy}.array([x])").replace("[y]", f"{numpy}.array([y])")] if numpy else []
