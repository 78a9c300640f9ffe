"""Networks kept as a list of layers of neurons, each neuron a dict of its weights, driven by functions.

The from-scratch tutorial of Machine Learning Mastery (Brownlee, *How to Code a Neural Network with
Backpropagation In Python (from scratch)*, 2016) and its many copies write the network so::

    def initialize_network(n_inputs, n_hidden, n_outputs):   # [[{'weights': [...]}, …], […]]
    def forward_propagate(network, row):                      # stores neuron['output'], returns outputs
    def backward_propagate_error(network, expected):          # stores neuron['delta']
    def update_weights(network, row, l_rate):                 # neuron['weights'][j] -= l_rate * …

with the row's label as its last entry (``update_weights`` reads ``row[:-1]`` as the inputs).
:func:`neuron_dict_recipes` finds the four functions by what they take and are named, and builds the
step the file's own training function takes for one row: the network made 4-5-3 (or with one output)
by the initialiser, the probe's inputs as a list (with the class after them, ``row[-1]``, when the update
reads ``row[:-1]`` or a function of the file reads ``row[-1]``: an update that takes the label for an
input then shows), the one-hot labels as the expected list.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from ffnn.validation import InputError
from verification.adapters.explicit import explicit_subject
from verification.adapters.layouts import Layout
from verification.adapters.options import Options
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.reading import conventions as cv
from verification.reading.guesses import guessed_arguments
from verification.reading.loader import LoadedScript

NETWORK_ARGUMENT = re.compile(r"^(network|net|nn|model|layers)$", re.I)
"""The first argument of a function that drives the network."""
INITIALISER = re.compile(r"(init|create|make|build|new).*(net|model)|(net|model).*(init|create)", re.I)


def _first(fn: Any) -> str:
    params = cv.positional_parameters(fn)
    return params[0].name if params else ""


def _source(fn: Any) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _pick(functions: dict[str, Any], name: str, avoid: str, count: int) -> Any | None:
    """The one function taking the network first and ``count`` arguments in all, named with ``name``
    and without ``avoid``; None unless exactly one."""
    found = [
        f
        for n, f in functions.items()
        if NETWORK_ARGUMENT.match(_first(f))
        and len(cv.positional_parameters(f)) == count
        and re.search(name, n, re.I)
        and not re.search(avoid, n, re.I)
    ]
    return found[0] if len(found) == 1 else None


def neuron_dict_recipes(script: LoadedScript) -> list[tuple[Recipe, str]]:
    """The recipes of the module docstring, each with the update function's name: the network with three
    outputs, then with one; none when the file has not the four functions."""
    ns = script.module.__dict__
    functions = {n: ns[n] for n in script.defined_names() if inspect.isfunction(ns.get(n))}
    forward = _pick(functions, r"forward|propagat|feed", r"back|error|update|train", 2)
    backward = _pick(functions, r"back", r"update|train", 2)
    update = _pick(functions, r"update|adjust|apply", r"back|train", 3)
    inits = [
        f for n, f in functions.items() if INITIALISER.search(n) and not NETWORK_ARGUMENT.match(_first(f))
    ]
    if forward is None or backward is None or update is None or len(inits) != 1:
        return []
    made = guessed_arguments(inits[0])
    rate = [p.name for p in cv.positional_parameters(update)][1:]
    roles = [cv.role(p, 1) for p in rate]
    if not made or "lr" not in roles:
        return []
    labelled = "[:-1]" in _source(update) or any(
        re.search(r"\brow\[-1\]", _source(f)) for f in functions.values()
    )
    row = "list(x) + [int(y.argmax()) if y.size > 1 else y[0]]" if labelled else "list(x)"  # as trained
    args = ", ".join("lr" if r == "lr" else "row" for r in roles)
    step = "; ".join(
        [
            f"row = {row}",
            f"{forward.__name__}(network, row)",
            f"{backward.__name__}(network, list(y))",
            f"{update.__name__}(network, {args})",
        ]
    )
    note = (
        f"the network is {inits[0].__name__}'s list of layers of neurons, run by {forward.__name__}, "
        f"{backward.__name__} and {update.__name__} for one row"
        + (", its class after its inputs" if labelled else "")
    )
    out = []
    for guess in made[:2]:
        setup = f"network = {inits[0].__name__}({', '.join(f'{k}={v!r}' for k, v in guess.items())})"
        forward_call = f"{forward.__name__}(network, {'list(x) + [0]' if labelled else 'list(x)'})"
        recipe = Recipe(setup, forward_call, step=step, lr="0.1", layout=Layout(inputs="flat"), notes=(note,))
        out.append((recipe, update.__name__))
    return out


def neuron_dict_subject(
    namespace: dict[str, Any], script: LoadedScript, options: Options
) -> CodeSubject | None:
    """The subject of the first recipe of :func:`neuron_dict_recipes` that runs, as the explicit form runs
    it; None when the file has no such network.

    Raises
    ------
    InputError
        The first recipe's failure, when none runs.
    """
    errors: list[InputError] = []
    for recipe, _ in neuron_dict_recipes(script):
        try:
            return explicit_subject(dict(namespace), recipe, script, options)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise errors[0]
    return None
