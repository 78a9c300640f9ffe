"""Containers that make their layers themselves from sizes: ``add_layer(num_neurons)`` on a container
built with its input size (4-5-5-3), or ``add_layer(n_inputs, n_units)`` on one of no arguments (4-5-3)
followed by the container's own initialiser (``net.setup()``), as the file's author would build it."""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.reading.guesses import call_arguments, guessed_arguments


def required_parameters(fn: Any) -> list[inspect.Parameter]:
    """The arguments of ``fn`` (a function, method or class) a call must give, positional or by name;
    empty when it has no signature to read."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []
    return [
        p for p in params if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_OR_KEYWORD,)
    ]


def sized_layers(cls: type, adder: str, var: str) -> list[str]:
    """``net = NN(nn_input_size=4); net.add_layer(5); net.add_layer(5); net.add_layer(3)``: a container
    whose constructor takes sizes and whose adder takes one layer's number of units (``add_layer(self,
    num_neurons, activation=leaky_relu)``) makes its layers itself, 4-5-5-3 (or with one output)."""
    taken = required_parameters(getattr(cls, adder))[1:]  # self
    if len(taken) == 2:
        return _paired_sizes(cls, adder, var)
    if len(taken) != 1 or guessed_arguments(getattr(cls, adder), {}) == []:
        return []
    made = guessed_arguments(cls)
    if not made or any(not isinstance(v, int) for v in made[0].values()):
        return []
    args = call_arguments(made[0])
    return [
        f"{var} = {cls.__name__}({args})" + "".join(f"; {var}.{adder}({n})" for n in (5, 5, out))
        for out in (3, 1)
    ]


INITIALISERS = re.compile(
    r"^(setup|build|compile|init(iali[sz]e)?(_?(weights|params|parameters|network))?)$", re.I
)
"""A container's method of no arguments that draws the weights of the layers added (``net.setup()``)."""
SIZE_WORDS = re.compile(
    r"size|amount|count|^n_|^num|neuron|unit|node|input|output|^(in|out)_|dim|width", re.I
)
"""An adder's argument named for a number of inputs or units (``input_amount``, ``neuron_amount``)."""


def _paired_sizes(cls: type, adder: str, var: str) -> list[str]:
    """``net = Network(); net.add_layer(4, 5); net.add_layer(5, 3); net.setup()``: a container of no
    required arguments whose adder takes a layer's numbers of inputs and of units (both sizes by name),
    4-5-3 (or with one output), then its one initialiser (:data:`INITIALISERS`) when it has one: layers
    made with ``np.empty`` weights get theirs there."""
    taken = [p.name for p in required_parameters(getattr(cls, adder))[1:]]
    if required_parameters(cls) or not all(SIZE_WORDS.search(n) for n in taken):
        return []
    ready = [
        m
        for m, f in inspect.getmembers(cls, inspect.isfunction)
        if INITIALISERS.match(m) and m != adder and len(required_parameters(f)) == 1
    ]
    finish = f"; {var}.{ready[0]}()" if len(ready) == 1 else ""
    return [
        f"{var} = {cls.__name__}(); {var}.{adder}(4, 5); {var}.{adder}(5, {out}){finish}" for out in (3, 1)
    ]
