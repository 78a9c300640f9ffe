"""Detecting networks written as *functions* over their parameters.

Course code (deeplearning.ai, many tutorials) keeps the parameters in a dict or in
top-level arrays and writes ``forward(X, parameters) → (A, cache)`` and
``backward(…, Y, cache) → grads``. The setup is an initialisation function called with guessed sizes
(``initialize_parameters_deep([4, 5, 3])``) or the script's top-level assignments of the weights; the
forward and backward functions are called with their arguments by name: the inputs, the labels, the
parameters, the forward output and the forward cache.

Networks written as a top-level training loop are in :mod:`verification.adapters.scripts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.build import subject_for
from verification.adapters.calls import run_code
from verification.adapters.derivative_sets import derivative_functions, derivative_recipe, refuse_one_of_a_set
from verification.adapters.failures import Failed, no_pair, refusal
from verification.adapters.forward_returns import split_returned
from verification.adapters.function_factories import made_functions
from verification.adapters.function_setups import borrow, named_functions, setup_sizes, setups
from verification.adapters.local_forwards import PROPAGATORS, local_call, local_forwards
from verification.adapters.method_calls import function_arguments, unvalued
from verification.adapters.options import Options
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.adapters.training_functions import detect_training_function, function_driver
from verification.adapters.trials import layouts, run_setup, widths
from verification.adapters.unset_globals import data_globals, sample_globals
from verification.drivers.layer_lists import layer_list_subject
from verification.reading import conventions as cv
from verification.reading.argument_usage import iterated
from verification.reading.desired_outputs import computed_against
from verification.reading.guesses import SIZE_GUESSES
from verification.reading.loader import LoadedScript
from verification.reading.returned_uses import returned_arguments
from verification.reading.updates import (
    returned_names,
    returns_something,
    subtracted_arguments,
    unclashed,
    update_rate,
    updates_argument,
)

FORWARD_WORDS = ("forward", "feed", "predict")
FORWARD_AVOID = ("backward", "dec", "linear_")
"""Names of the forward function: with one of the words, and none of the others."""


def _training_function(
    script: LoadedScript, options: Options, backward: str | None, errors: list[InputError | str] | None = None
) -> CodeSubject:
    """With no forward and backward functions to pair: a training function that makes and trains its
    weights in its body (``train(X, y, n_hidden)``), checked as the script of its body
    (:func:`verification.adapters.scripts.detect_training_function`), else a refusal.

    Raises
    ------
    InputError
        Naming the functions the file defines.
    """
    inlined = detect_training_function(script, options, backward)
    if inlined is not None:
        return inlined
    if errors:  # a network of the project's layers was built and did not run: its reason
        raise refusal(f"could not check the functions of {script.path} automatically", errors, None)
    raise no_pair(script)


def detect_functions(
    namespace: dict[str, Any], script: LoadedScript, options: Options, backward: str | None = None
) -> CodeSubject:
    """A subject for a network written as functions (see the module docstring).

    Raises
    ------
    InputError
        When no forward and backward function pair runs.
    """
    refuse_one_of_a_set(namespace, script, backward)  # :derivative_w1, a part of the gradient
    forwards, backwards, trainers, outputs, notes = _functions(namespace, script, backward)
    derivatives = {} if backward else derivative_functions(namespace, script)  # derivative_w2(Z, T, Y)
    errors: list[InputError | str] = []
    unmade: list[InputError | str] = []  # said when nothing else ran
    if not forwards or not (backwards or trainers or derivatives):
        listed = layer_list_subject(namespace, script, options, errors)  # train(model, loss_func, X, y, …)
        return listed if listed is not None else _training_function(script, options, backward, errors)
    makers = made_functions(namespace, script, [namespace[f] for f in dict.fromkeys([*forwards, *backwards])])
    for fwd in forwards:
        made_by = (
            [(options.setup, "parameters")] if options.setup else setups(namespace, script, namespace[fwd])
        )
        unmade += [] if made_by else [f"nothing makes the weights {fwd} takes: no initialisation, no arrays"]
        for setup, params in made_by:
            try:
                bound = run_setup(namespace, setup, script)
            except InputError as exc:
                errors.append(exc)
                continue
            roots = [n for n in bound if not callable(namespace[n])]
            values = {"x": "x", "parameters": params} | {n: n for n in roots} | makers
            fn = namespace[fwd]
            fargs = function_arguments(fn, values) or function_arguments(fn, values | {"y": "y"})
            if fargs is None:
                unsaid = f"the name of {unvalued(fn, values)} says nothing of its value"
                errors.append(Failed(f"cannot call {fwd}: {unsaid}", "forward"))  # less telling than a run
                continue
            call = local_call(fwd, outputs[fwd], fargs) if fwd in outputs else f"{fwd}({fargs})"
            slots = Slots(namespace, find_slots(namespace, roots))
            for layout in layouts(options):
                for n_in in filter(layout.holds, widths(slots)):
                    namespace["x"] = layout.to_code(np.random.default_rng(3).standard_normal((1, n_in)))
                    namespace["y"] = layout.labels_to_code(np.zeros((1, 1)))  # for a forward that reads it
                    try:
                        value = run_code(call, namespace, "--forward", script=script)
                    except InputError as exc:
                        errors.append(exc)
                        continue
                    raw = [] if fwd in outputs else returned_names(namespace[fwd], placeholders=True) or []
                    out_index, cache_index = split_returned(value, raw)
                    forward = call if out_index is None else f"{call}[{out_index}]"
                    pre = f"_r = {call}; out = _r" + ("" if out_index is None else f"[{out_index}]")
                    if isinstance(value, dict):  # {"z1": …, "a2": …}: the output and the cache at once
                        pre += "; cache = _r"
                    elif cache_index is not None:
                        pre += f"; cache = _r[{cache_index}]"
                    gvalues = values | {"y": "y", "output": "out", "error": "out - y", "cache": "cache"}
                    gvalues["samples"] = layout.samples()
                    if raw and isinstance(value, tuple | list) and len(raw) == len(value) > 1:
                        named = unclashed(raw, roots)  # return y, z1: y is bound as _returned_0
                        pre += f"; {', '.join(named)} = _r"
                        gvalues |= dict(zip(raw, named, strict=True))
                    gvalues |= {k: v for k, v in setup_sizes(setup).items() if k not in gvalues}
                    for bwd in backwards if isinstance(value, tuple | list) else []:  # z, a = f(); g(z, a)
                        names = [p.name for p in cv.positional_parameters(namespace[bwd])]
                        handed = returned_arguments(script.tree, fwd, bwd, names)
                        gvalues |= {p: f"_r[{k}]" for p, k in handed.items() if p not in gvalues}
                    made = Made(setup, forward, pre, layout, notes, derivatives)
                    for bwd, recipe in _backward_recipes(namespace, backwards, gvalues, roots, made, errors):
                        try:
                            return subject_for(namespace, recipe, roots, script, n_in, bwd)
                        except InputError as exc:
                            errors.append(exc)
                    for train, step in _training_steps(namespace, trainers, values, setup, layout):
                        rate = _rate(namespace, train)
                        recipe = Recipe(setup=setup, forward=forward, step=step, lr=rate, layout=layout)
                        try:
                            return subject_for(namespace, recipe, roots, script, n_in, train)
                        except InputError as exc:
                            errors.append(exc)
    listed = layer_list_subject(namespace, script, options, errors)
    listed = listed or function_driver(script, options, backward, errors)
    if listed is not None:
        return listed
    raise refusal(
        f"could not check the functions of {script.path} automatically",
        errors or unmade,
        "give the explicit form: --setup, --forward, --gradient",
    )


def _functions(
    namespace: dict[str, Any], script: LoadedScript, backward: str | None
) -> tuple[list[str], list[str], list[str], dict[str, str], tuple[str, ...]]:
    """The forward, backward and training functions to try, the gradient functions whose output is
    one of their locals (``{function: local}``: also a training function that only returns its loss
    and gradients, ``train(x, t, V, W, bv, bw)``), and the notes of functions borrowed from beside."""
    forwards = named_functions(namespace, script, *FORWARD_FUNCTION_WORDS)
    if not forwards:  # eval_nn(inputs, weights): named for evaluating the network, tried only then
        forwards = named_functions(namespace, script, ("eval",), ("backward", "loss", "cost", "accuracy"))
    named_output = [f for f in named_functions(namespace, script, ("output",)) if NAMED_OUTPUT.search(f)]
    forwards += [f for f in named_output if f not in forwards]  # after predict, which may take the argmax
    backwards, trainers = _backwards(namespace, script, backward)
    notes: tuple[str, ...] = ()
    if not forwards and backwards:  # the project keeps its forward pass in a module beside this one
        notes = borrow(namespace, script)
        forwards = named_functions(namespace, script, *FORWARD_FUNCTION_WORDS)
    # propagate(w, b, X, Y) → cost, grads: the output is a local of the gradient function (tried after
    # the forward functions: predict(w, b, X) may only threshold it)
    found = named_functions(namespace, script, PROPAGATORS, ("forward", "back"))
    found += [t for t in trainers if returns_something(namespace[t]) and not updates_argument(namespace[t])]
    outputs = local_forwards(namespace, list(dict.fromkeys(found if forwards else [*backwards, *found])))
    return [*forwards, *outputs], list(dict.fromkeys([*backwards, *outputs])), trainers, outputs, notes


FORWARD_FUNCTION_WORDS = (("forward", "feed", "predict"), ("backward", "dec", "linear_"))
"""Words a forward function's name holds one of, and words it holds none of."""
NAMED_OUTPUT = re.compile(r"(^|_)output$", re.I)
"""A forward function named for the network's output (``classifier_output(x, params)``,
``network_output``; not ``output_layer`` or ``output_delta``): tried after those of
:data:`FORWARD_FUNCTION_WORDS`."""


@dataclass(frozen=True)
class Made:
    """What the recipes of one forward call share: the setup, the forward expression, the statements
    that run the forward pass before a backward call, the layout, the notes, and the script's functions
    that return one parameter's gradient each (:mod:`verification.adapters.derivative_sets`)."""

    setup: str
    forward: str
    pre: str
    layout: Any
    notes: tuple[str, ...]
    derivatives: dict[str, str]


def _backward_recipes(
    namespace: dict[str, Any],
    backwards: list[str],
    values: dict[str, str],
    roots: list[str],
    made: Made,
    errors: list[InputError | str],
) -> list[tuple[str, Recipe]]:
    """``(function, recipe)`` for each backward function that can be called with its arguments by name:
    a returned gradient, or, for one that hands back the weights it was given, the update it makes;
    then the dict of the derivative functions of ``made``, if any."""
    out = derivative_recipe(namespace, roots, values, made, errors)
    for bwd in backwards:
        given = (
            values | {"lr": "lr", "reg": "0.0", "iterations": "1"} | _labels_beside(namespace[bwd], values)
        )
        args = function_arguments(namespace[bwd], given)
        if args is None:
            errors.append(
                f"cannot call {bwd}: the name of {unvalued(namespace[bwd], given)} says nothing of its value"
            )
            continue
        common = {"setup": made.setup, "forward": made.forward, "layout": made.layout, "notes": made.notes}
        n = made.layout.samples()  # m_batch, which the training loop sets: the batch's number of samples
        pre = made.pre + "".join(f"; {g} = {n}" for g in sample_globals(namespace, [bwd]))
        given_back = _weights_returned(namespace[bwd], values, roots)
        takes_rate = "lr" in {cv.role(p.name, 1) for p in cv.positional_parameters(namespace[bwd])}
        rate = "0.1" if takes_rate else update_rate(namespace[bwd], namespace)
        if given_back is not None:  # an update that hands the weights back
            step = f"{pre}; {given_back} = {bwd}({args})"
            out.append((bwd, Recipe(step=step, lr=rate, **common)))
        else:
            out.append((bwd, Recipe(gradient=f"{pre}; {bwd}({args})", **common)))
            if not returns_something(namespace[bwd]) or updates_argument(namespace[bwd]):  # in place
                out.append((bwd, Recipe(step=f"{pre}; {bwd}({args})", lr=rate, **common)))
    return out


def _labels_beside(fn: Any, values: dict[str, str]) -> dict[str, str]:
    """When the forward pass returned its output under the labels' usual name (``return y, z1``, so
    that ``back_propagation(x, z1, y, d)`` gets it as ``y``), the labels are the argument subtracted
    from it (``delta2 = y - d``), whatever its name says: ``{"d": "y"}``; else the arguments a function
    that runs the forward pass itself compares with its output
    (:func:`verification.reading.desired_outputs.computed_against`)."""
    params = [p.name for p in cv.positional_parameters(fn)]
    taken = [n for n in params if values.get(n, n) != n and values.get(n, "").startswith("_returned_")]
    if not any(cv.role(n, 1) == "y" for n in taken):
        return computed_against(fn)  # backProp(Inp, Out, …) running forwardProp itself: Out − A2
    partner = [a for a in subtracted_arguments(fn) if a not in values and cv.role(a, 1) != "x"]
    return {partner[0]: "y"} if len(partner) == 1 else {}


def _backwards(
    namespace: dict[str, Any], script: LoadedScript, backward: str | None
) -> tuple[list[str], list[str]]:
    """The backward functions and the training functions to try: the function named, as the one or the
    other by its name, or every function named like either."""
    trains = ("train", "fit")
    if backward:  # the function named is the one checked: as a backward pass, or as a training step
        training = any(w in backward.lower() for w in trains)
        return ([], [backward]) if training else ([backward], [])
    backwards = named_functions(
        namespace, script, ("backward", "backprop", "back_prop", "grad"), ("linear", "relu_", "sigmoid_")
    )
    return backwards, named_functions(namespace, script, trains, ("__", "test", "predict"))


def _training_steps(
    namespace: dict[str, Any], trainers: list[str], values: dict[str, str], setup: str, layout: Any
) -> list[tuple[str, str]]:
    """``(function, step)``: a training function of the script run for one step (its epoch loop is cut
    to one when the script loads) on a data set of the one sample drawn, with the learning rate 0.1 and
    the sizes the setup was built with (``train_network(network, [x + [y]], 0.1, 1, 3)``). A data set
    of one-sample code is tried as rows with the class index last (``row[:-1]``, ``row[-1]``) and as
    ``[inputs, targets]`` pairs. Batch code is given its inputs and labels by their own names
    (``train(X, y, lr, epochs)``), never a batch of inputs where a whole data set is asked for: rows
    whose last column were read as labels would train on the wrong thing."""
    sizes = dict(re.findall(r"(\w+)=(\d+)", setup))
    if layout.one_sample_only:
        sets = (
            ["[x + [y]]", "[[x, y]]"]
            if layout.inputs == "list" and layout.labels == "index"
            else ["[[x, y]]"]
        )
    else:
        sets = [""]  # no data set: the inputs and labels by their own names
    out = []
    for train in trainers:
        for data in sets:
            given = values | {"y": "y"} | sizes | {"lr": "0.1", "iterations": "1"}  # train(X, y, …)
            given |= {"dataset": data} if data else {}
            for p in cv.positional_parameters(namespace[train]):  # an unnamed size, by its name
                guess = next((v for pattern, v in SIZE_GUESSES if pattern.search(p.name)), None)
                if p.name not in given and isinstance(guess, int):
                    given[p.name] = repr(guess)
                named_inputs = cv.role(p.name, 1) == "x"  # by its name, not by its place
                if data and named_inputs and iterated(namespace[train], p.name):
                    given[p.name] = data  # Train(network, data, …) with ``for sample in data``: a data set
            args = function_arguments(namespace[train], given)
            if args is not None:
                out.append((train, f"{data_globals(namespace, train)}{train}({args})"))
    return list(dict.fromkeys(out))


def _rate(namespace: dict[str, Any], train: str) -> str | None:
    """The learning rate of a training step: the 0.1 it is given, or for a function that takes none
    (``weights += X.T @ delta``) the one its update multiplies by, else None (the report leaves it
    open)."""
    takes = "lr" in {cv.role(p.name, 1) for p in cv.positional_parameters(namespace[train])}
    return "0.1" if takes else update_rate(namespace[train], namespace)


def _weights_returned(fn: Any, values: dict[str, str], roots: list[str]) -> str | None:
    """For a backward function that returns the weights it is given (``return weights`` after updating
    them, or ``W1, W2`` rebound to ``W1 - lr * dW1``): the targets to assign its result to (the
    expressions those arguments were given), else None. What it returns is then no gradient: the
    call is an update step."""
    names = returned_names(fn) or _returned_name(fn)
    params = [p.name for p in cv.positional_parameters(fn)]
    if not names or any(n not in params for n in names):
        return None
    containers = cv.lower(cv.PARAMETER_CONTAINERS)
    given = [
        values.get(n)
        or values.get(n.lower())
        or (values.get("parameters") if n.lower() in containers else None)
        for n in names
    ]
    if any(g is None or g not in [*roots, "parameters"] for g in given):
        return None
    return ", ".join(g for g in given if g is not None)


def _returned_name(fn: Any) -> list[str]:
    """``[name]`` when the last ``return`` of ``fn`` returns one plain name, else empty."""
    import ast

    from verification.reading.source_trees import source_tree

    tree = source_tree(fn)
    last = [n for n in ast.walk(tree) if isinstance(n, ast.Return)] if tree is not None else []
    return [last[-1].value.id] if last and isinstance(last[-1].value, ast.Name) else []


__all__ = ["Failed", "detect_functions"]
