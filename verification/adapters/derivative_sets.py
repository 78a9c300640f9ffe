"""A network's gradient written as one function per parameter, named after it.

Course code of one wide lineage writes no backward pass: it writes the forward pass as a function of the
inputs and the weights, returning the output and the hidden activation, and one derivative function per
parameter, whose arguments are named like the forward pass's returned values, the labels and the
weights::

    def forward(X, W1, b1, W2, b2):
        Z = sigmoid(X.dot(W1) + b1); Y = softmax(Z.dot(W2) + b2)
        return Y, Z

    def derivative_w2(Z, T, Y): return Z.T.dot(T - Y)
    def derivative_b2(T, Y): return (T - Y).sum(axis=0)
    def derivative_w1(X, Z, T, Y, W2): return X.T.dot((T - Y).dot(W2.T) * Z * (1 - Z))

Its training loop adds ``lr * derivative_w2(…)``: a gradient of the log-likelihood, ascended. The
gradient checked is the dict ``{"W1": derivative_w1(…), …}``, each function called with its arguments
by name (:func:`derivative_recipe`); a parameter with no derivative function gets no gradient, which
the check reports as left out.
"""

from __future__ import annotations

import re
from typing import Any

from ffnn.validation import InputError
from verification.adapters.function_setups import named_functions
from verification.adapters.method_calls import function_arguments, unvalued
from verification.adapters.recipe import Recipe
from verification.reading.loader import LoadedScript

DERIVATIVE = re.compile(r"^(?:derivative|deriv|grad|gradient)_?(?:of_)?(?P<parameter>[A-Za-z]\w*)$", re.I)
"""Names of a function that returns one parameter's gradient: ``derivative_w2``, ``grad_b1``."""


def derivative_functions(namespace: dict[str, Any], script: LoadedScript) -> dict[str, str]:
    """``{parameter name as written in the function's name (lower case): function}`` for the script's
    functions named by :data:`DERIVATIVE`; empty unless there are at least two (one such function is a
    helper, not a backward pass)."""
    out: dict[str, str] = {}
    for name in named_functions(namespace, script, ("deriv", "grad")):
        match = DERIVATIVE.match(name)
        if match is not None:
            out.setdefault(match.group("parameter").lower(), name)
    return out if len(out) >= 2 else {}


def derivative_recipe(
    namespace: dict[str, Any],
    roots: list[str],
    values: dict[str, str],
    made: Any,
    errors: list[InputError | str],
) -> list[tuple[str, Recipe]]:
    """``[(subject name, recipe)]``: the recipe of one forward call ``made``
    (:class:`verification.adapters.functions.Made`: its setup, forward expression, layout and notes,
    the statements ``pre`` that run the forward pass and bind its returned values, and the script's
    ``derivatives`` of :func:`derivative_functions`) whose gradient is the dict of the parameters in
    ``roots`` that a derivative function is named after (``{"W2": derivative_w2(Z, T, Y), …}``), each
    called with its arguments by role or name (``values``, as for the backward functions); empty when
    fewer than two functions name a parameter, or when one's argument says nothing of its value (said
    in ``errors``)."""
    functions: dict[str, str] = made.derivatives
    if not functions:
        return []
    by_name = {r.lower(): r for r in roots}
    named = {by_name[p]: f for p, f in functions.items() if p in by_name}
    if len(named) < 2:
        return []
    parts = []
    for root, fn in named.items():
        args = function_arguments(namespace[fn], values)
        if args is None:
            errors.append(
                f"cannot call {fn}: the name of {unvalued(namespace[fn], values)} says nothing of its value"
            )
            return []
        parts.append(f"{root!r}: {fn}({args})")
    gradient = f"{made.pre}; {{{', '.join(parts)}}}"
    recipe = Recipe(made.setup, made.forward, gradient=gradient, layout=made.layout, notes=made.notes)
    return [(f"the dict of {', '.join(named.values())}", recipe)]


def refuse_one_of_a_set(namespace: dict[str, Any], script: LoadedScript, name: str | None) -> None:
    """Refuse a check of ``name`` alone when it is one of the script's derivative functions
    (:func:`derivative_functions`): it returns one parameter's gradient, so no loss's gradient can be
    read off it alone, and a driver that calls it (``main``'s training loop) would be checked in its
    place, with the other functions and the update order in the verdict.

    Raises
    ------
    InputError
        Naming the set, with the hint to check the file without a name.
    """
    found = derivative_functions(namespace, script)
    if name is None or name not in found.values():
        return
    raise InputError(
        f"{name} returns the gradient of one parameter; it is checked with the others of its set "
        f"({', '.join(found.values())}), not alone",
        hint=f"check the file without a name: backprop-verify check {script.path}",
    )
