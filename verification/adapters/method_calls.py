"""The call of a network's gradient or training method, or of a function of a network's, its arguments
given by their names.

``backprop(self, x, y)``, ``train(self, inputs, targets, epochs, lr)``, ``backward(self, dout)``: each
argument's role is read off its name (:func:`verification.reading.conventions.role`) and given the
checker's value for it (``x``, ``y``, the error ``a − y``, the learning rate, one iteration).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.reading import conventions as cv


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
        "held-out": "[]",  # a data set to evaluate on after each epoch: none (its labels may be indices)
    } | known
    values |= {v: v for v in given.values() if v not in values}
    if dataset:
        values |= {"x": "[x]", "y": "[y]"}
    if rows:
        values |= {"x": "x[:, None]", "y": "y[:, None]"}
    args = cv.call_arguments(
        params,  # a weight decay with a default keeps the author's (the penalty is then read off)
        lambda i, p: (
            None if roles[i] == "reg" and p.default is not p.empty else _signed(p, values.get(roles[i] or ""))
        ),
    )
    if args is None:
        return None
    takes_error = "error" in roles
    return f"{var}.{method}({', '.join(args)})", takes_error


def _value_of(values: dict[str, str], i: int, p: inspect.Parameter) -> str | None:
    """The expression for argument ``p`` (at ``i``) of a function: by its name, else by its role."""
    r = cv.role(p.name, i)
    value = values.get(p.name) or values.get(p.name.lower())
    if value is None and p.name.lower() in cv.lower(cv.PARAMETER_CONTAINERS):
        value = values.get("parameters")  # before the role: the first argument may be the network
    return _signed(p, value or (values.get(r) if r else None))


def _signed(p: inspect.Parameter, value: str | None) -> str | None:
    """Labels for an argument named as labels of −1 or +1 (``y_pm1``) made so from labels of 0 or 1."""
    return f"(2 * {value} - 1)" if value and SIGNED_LABELS.search(p.name) else value


SIGNED_LABELS = re.compile(r"pm_?1|pm_?one|plus_?minus|signed|_sign$", re.I)
"""Names of labels given as −1 or +1 (``y_pm1``), which the code maps back to 0 or 1 itself."""


def function_arguments(fn: Any, values: dict[str, str]) -> str | None:
    """The arguments of ``fn`` by role or name (``values`` maps roles and names to expressions)."""
    args = cv.call_arguments(cv.positional_parameters(fn), lambda i, p: _value_of(values, i, p))
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
