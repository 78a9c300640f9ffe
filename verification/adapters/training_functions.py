"""Training functions checked as scripts of their bodies (:mod:`verification.reading.function_scripts`).

A file with no network class, no forward and backward function to pair and no training loop at its top
level may still train in a function: its body, its arguments bound, is a script whose training loop
:func:`verification.adapters.scripts.detect_script` reads and checks.
"""

from __future__ import annotations

import ast

from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.adapters.scripts import detect_script, script_recipes
from verification.adapters.subject import CodeSubject
from verification.reading.function_scripts import inlined, training_functions
from verification.reading.loader import LoadedScript, load_tree
from verification.reading.training_loops import training_loop


def detect_training_function(
    script: LoadedScript, options: Options, only: str | None = None
) -> CodeSubject | None:
    """The subject of the first training function of the script (``only``, when named) whose body, as a
    script, has a training loop that can be read off (:mod:`verification.reading.function_scripts`), as
    :func:`detect_script` makes it; None when none has.

    Raises
    ------
    InputError
        When such a loop is read but its recipe does not run.
    """
    first: InputError | None = None
    for loaded, function, looped in _training_functions(script, only):
        what = "loop" if looped else "step"  # train(X, y, W1, W2, lr) with no loop: one step
        try:
            return detect_script(
                loaded.module.__dict__, loaded, options, f"the training {what} of {function}"
            )
        except InputError as exc:
            first = first or exc
    if first is not None:
        raise first
    return None


def function_driver(
    script: LoadedScript, options: Options, backward: str | None, errors: list[InputError | str]
) -> CodeSubject | None:
    """For a network of forward and backward functions (:mod:`verification.adapters.functions`): when
    none of their pairs ran (``errors`` empty), a training function of its own weights (``backward``
    itself, else one that calls it, when it is named or the only one); when pairs ran and failed, the
    function or the loop that drives them (:func:`driving_function`)."""
    if not errors:
        found = detect_training_function(script, options, backward)
        if found is not None or backward is None or options.setup:
            return found
        return driving_function(script, options, backward, errors)  # train_network(…) calls back_prop
    return None if options.setup else driving_function(script, options, backward, errors)


def driving_function(
    script: LoadedScript, options: Options, backward: str | None, errors: list[InputError | str]
) -> CodeSubject | None:
    """When the forward and backward functions were paired and did not run (a backward function that
    returns the layers' deltas, which an ``update`` function turns into steps): the training function
    that drives them, ``backward`` itself when it is one, else one whose loop calls ``backward``
    (``a1, a2, a3, cost = forward_pass(…)``, ``d1, d2, d3 = backward_error(…)``, ``w1, w2, w3 =
    update(…)``), checked as :func:`detect_training_function` does, else the script's own training loop
    when it calls ``backward`` (a ``backprop`` that reads the script's globals runs only there), checked
    as :func:`detect_script` does; each failure joins ``errors``.
    None when there is none, and never after a refusal as ambiguous (a choice the check must not make
    by running something else)."""
    if any(getattr(e, "cause", None) == "ambiguous" for e in errors):
        return None
    for fn in training_functions(script.tree):
        if backward is not None and fn.name != backward and backward not in _called(fn):
            continue
        try:
            found = detect_training_function(script, options, fn.name)
        except InputError as exc:
            errors.append(exc)
            continue
        if found is not None:
            return found
    loop = training_loop(script.tree)  # the script's own loop: a1, z1, a2, z2 = forward(X, w1, w2) …
    if loop is not None and (backward is None or backward in _called(script.tree.body[loop.index])):
        try:
            return detect_script(script.module.__dict__, script, options)
        except InputError as exc:
            errors.append(exc)
    return None


def _called(node: ast.AST) -> set[str]:
    """The names of the functions called in ``node``."""
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _training_functions(script: LoadedScript, only: str | None) -> list[tuple[LoadedScript, str, bool]]:
    """Each training function (``only``, when named) loaded as the script of its body, with its name and
    whether it has a loop."""
    out = []
    for fn in training_functions(script.tree):
        if only is not None and fn.name != only:
            continue
        for columns in (False, True):
            tree = inlined(script.tree, fn, columns)
            if not training_loop(tree):
                continue
            loaded = load_tree(script, tree, f"{fn.name}{columns}")
            if script_recipes(loaded):  # rows, then columns: the first that runs is checked
                out.append((loaded, fn.name, any(isinstance(n, ast.For | ast.While) for n in ast.walk(fn))))
    return out
