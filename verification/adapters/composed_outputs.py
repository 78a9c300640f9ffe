"""Containers built from the project's layers that could end in one of several output layers.

A container the script fills nowhere is built from the project's own layer classes
(:func:`verification.adapters.compositions.compositions`): two sized layers and an output activation
after them. When the project has two output activations (``Sigmoid`` and ``Softmax``), which one the
network ends in is the author's choice, not the check's: code whose softmax layer passes its gradient
through unchanged (``Softmax.backward(grad): return grad``, meant for a cross-entropy loss object that
hands ``p − y``) is the cross-entropy's gradient ending in ``Softmax()`` and another loss's ending in
``Sigmoid()``. Each is then checked on its own, as a class given one of several loss objects is
(:class:`verification.reading.targets.SeveralSetups`). A container that takes a flag picking a branch
(``NeuralNetwork(layers, loss_function='mse')`` compared with ``'cross_entropy'`` in its loss gradient)
is likewise built once per value (:func:`several_compositions`).
"""

from __future__ import annotations

import re
from typing import Any

from verification.adapters.compositions import OUTPUT_ACTIVATIONS, compositions
from verification.reading.loader import LoadedScript
from verification.reading.targets import SeveralSetups


def output_layers(setups: list[str]) -> dict[str, list[str]]:
    """The setups of :func:`verification.adapters.compositions.compositions` by the output layer each
    ends in (``Sigmoid()``, ``Softmax()``): with two, the network the project means is not known, and each
    is checked on its own (the verdict of code whose softmax passes its gradient through depends on it)."""
    out: dict[str, list[str]] = {}
    for setup in setups:
        last = re.findall(r"\b(\w+)\(\)", setup)
        ends = [n for n in last if OUTPUT_ACTIVATIONS.search(n)]
        out.setdefault(ends[-1] + "()" if ends else "", []).append(setup)
    return out


def several_outputs(name: str, var: str, ends: dict[str, list[str]]) -> None:
    """Raise :class:`~verification.reading.targets.SeveralSetups`: the container ``name``, built nowhere,
    once per output layer of the project (:func:`output_layers`), each checked on its own."""
    tail = "" if var == "net" else f"; net = {var}"
    alternatives = [[f"{setup}{tail}" for setup in made] for made in ends.values()]
    raise SeveralSetups(
        f"{name} is given one of {len(ends)} output layers",
        [f"{name} ending in {end}" for end in ends],
        [made[0] for made in alternatives],
        name,
        alternatives,
    )


def several_compositions(
    cls: type, script: LoadedScript | None, var: str, flags: list[dict[str, Any]]
) -> None:
    """Raise :class:`~verification.reading.targets.SeveralSetups`: a container built of the script's own
    layers once per value of a flag that picks a branch (``loss_function='mse'`` or ``'cross_entropy'``),
    each checked on its own; nothing when fewer than two values build."""
    tail = "" if var == "net" else f"; net = {var}"
    made = [(flag, [f"{s}{tail}" for s in compositions(cls, script, var, flag)]) for flag in flags]
    made = [(flag, setups) for flag, setups in made if setups]
    if len(made) > 1:
        alternatives = [setups for _, setups in made]
        raise SeveralSetups(
            f"{cls.__name__} takes one of {len(made)} branches",
            [f"{cls.__name__} with " + ", ".join(f"{k}={v!r}" for k, v in f.items()) for f, _ in made],
            [a[0] for a in alternatives],
            cls.__name__,
            alternatives,
        )
