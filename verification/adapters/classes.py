"""Detecting how a network *class* is built, run and differentiated, by trying its methods.

Candidates, tried in order until one runs and is consistent (:func:`verification.adapters.build.subject_for`):

1. **setup**: the script's own top-level construction of the class with the top-level assignments it
   reads (``X = np.array(…); nn = NeuralNetwork(X, y)``), else the constructor with its defaults, else
   required arguments guessed from their names (a 4-5-3 network, learning rate 0.1);
2. **forward**: a method named like a forward pass (``forward``, ``feedforward``, ``query``, ``think``,
   ``predict`` …) given ``x`` (or, when it takes no argument, with ``x`` put in the attribute the
   constructor stored its input in); its output returned, last among the arrays of a returned tuple, or
   read from the attribute it stored (``a2``, ``output`` …);
3. **layout** and input width (:func:`verification.adapters.build.widths`);
4. **gradient**: a method that returns gradients (or stores them beside the weights) — ``backprop``,
   ``backward``, ``costFunctionPrime``, ``loss`` … — else one that updates the weights in place (the
   same names, then ``train``, ``fit`` … run for one step), each given ``x``, ``y``, the error ``a − y``
   (``y − a`` when it *adds* its update to the weights), the forward output, the learning rate, one
   iteration, as its argument names ask.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.build import Failed, layouts, refusal, run_setup, subject_for, widths
from verification.adapters.calls import run_code
from verification.adapters.layouts import Layout
from verification.adapters.options import Options
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript
from verification.reading.slices import construction_slice
from verification.reading.updates import local_learning_rate, loop_attributes, update_sign

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


def setups(cls: type, script: LoadedScript | None) -> list[tuple[str, str]]:
    """``(setup, variable)`` candidates: the script's own construction, the defaults, guessed arguments."""
    out = []
    if script is not None:
        own = construction_slice(script.tree, cls.__name__)
        if own is not None:
            out.append(own)
    try:
        required = [
            p
            for p in inspect.signature(cls).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        required = []
    if not required:
        out.append((f"net = {cls.__name__}()", "net"))
    for guessed in cv.guessed_arguments(cls):
        args = ", ".join(f"{k}={v!r}" for k, v in guessed.items())
        out.append((f"net = {cls.__name__}({args})", "net"))
    return list(dict.fromkeys(out))


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
    raise Failed(f"{call} returned {type(value).__name__} and stored no array: no output found")


def method_call(
    var: str, method: str, params: list[inspect.Parameter], err: str, out: str
) -> tuple[str, bool] | None:
    """The call of a gradient or training method with its arguments by their names, and whether it takes
    the error (None when an argument cannot be given)."""
    roles = [cv.role(p.name, i) for i, p in enumerate(params)]
    values = {"x": "x", "y": "y", "error": err, "output": out, "lr": "lr", "iterations": "1"}
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
    obj: Any, var: str, forward: str, forward_method: str, parameter_keys: list[str], label_attr: str | None
) -> list[tuple[str, str, str | None, list[str]]]:
    """``(kind, code, lr, notes)`` candidates: returned gradients first, then updates in place."""
    last = forward.rsplit(";", 1)[-1].strip()
    if ";" in forward and "(" not in last:  # the output is read from an attribute after the call
        pre, out = forward.rsplit(";", 1)[0].strip(), last
    else:
        pre, out = f"out = {forward}", "out"
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
    returned, updates = [], []
    for m in grads + trains:
        fn = getattr(obj, m)
        unbound = getattr(type(obj), m, fn)
        params = cv.positional_parameters(fn)
        sign = update_sign(unbound, parameter_keys)
        err = f"y - {out}" if sign == 1 else f"{out} - y"
        made = method_call(var, m, params, err, out)
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
    return returned + updates


def detect_class(
    cls: type, namespace: dict[str, Any], script: LoadedScript | None, options: Options
) -> CodeSubject:
    """A subject for a network class, its recipe detected (see the module docstring); pieces the user
    gave in ``options`` (:class:`verification.adapters.options.Options`) are used as given.

    Raises
    ------
    InputError
        Naming the reason of the most promising candidate, with the explicit form as a hint.
    """
    candidates = [(options.setup, "net")] if options.setup is not None else setups(cls, script)
    if not candidates:
        raise InputError(
            f"cannot construct {cls.__name__}: the script does not build it and its constructor's "
            "arguments say nothing of their values",
            hint=f'give the setup, e.g. --setup "net = {cls.__name__}(...)"',
        )
    errors: list[InputError | str] = []
    for setup, wanted in candidates:
        try:
            bound = run_setup(namespace, setup, script)
        except InputError as exc:
            errors.append(exc)
            continue
        var = (
            wanted
            if isinstance(namespace.get(wanted), cls)
            else next((n for n in bound if isinstance(namespace[n], cls)), None)
        )
        if var is None:
            errors.append(f"--setup {setup!r} made no {cls.__name__}")
            continue
        subject = _detect_on(namespace[var], var, cls, setup, bound, namespace, script, options, errors)
        if subject is not None:
            return subject
    raise refusal(
        f"could not check {cls.__name__} automatically",
        errors,
        'give the explicit form: --setup "net = ..." --forward "net.forward(x)" '
        '--gradient "net.backward(x, y)" (or --step "..." --lr ...)',
    )


def _detect_on(
    obj: Any,
    var: str,
    cls: type,
    setup: str,
    bound: list[str],
    namespace: dict[str, Any],
    script: LoadedScript | None,
    options: Options,
    errors: list[InputError | str],
) -> CodeSubject | None:
    label_attr = next(
        (
            a
            for a, v in vars(obj).items()
            if isinstance(v, np.ndarray)
            and cv.role(a, 1) == "y"
            and any(v is namespace.get(n) for n in bound)
        ),
        None,
    )
    forwards = (
        [("", options.forward, "")] if options.forward else forward_candidates(obj, var, namespace, bound)
    )
    if not forwards:
        errors.append(
            f"{cls.__name__} has no forward-pass method (looked for {', '.join(cv.FORWARD_NAMES[:8])} …)"
        )
    slots = Slots(namespace, find_slots(namespace, [var]))
    keys = [s.name.rsplit(".", 1)[-1].split("[")[0] for s in slots.slots.values()]
    for statements, call, method in forwards:
        for layout in layouts(options.layout, options.labels):
            for n_in in widths(slots):
                try:
                    forward = options.forward or output_expression(
                        namespace, statements, call, var, n_in, layout, script
                    )
                except InputError as exc:
                    errors.append(exc)
                    continue
                grads: list[tuple[str, str, str | None, list[str]]]
                if options.gradient or options.step:
                    grads = [
                        (
                            "returned" if options.gradient else "update",
                            options.gradient or options.step or "",
                            options.lr,
                            [],
                        )
                    ]
                else:
                    grads = gradient_candidates(obj, var, forward, method, keys, label_attr)
                    if not grads:
                        errors.append(
                            f"{cls.__name__} has no method that returns gradients or updates its weights "
                            "that "
                            "could be called (looked for backprop, backward, gradient, train, fit …)"
                        )
                for kind, code, lr, notes in grads:
                    recipe = Recipe(
                        setup=setup,
                        forward=forward,
                        gradient=code if kind == "returned" else None,
                        step=code if kind == "update" else None,
                        lr=options.lr if options.lr is not None else lr,
                        layout=layout,
                        notes=tuple(notes),
                    )
                    called = re.findall(rf"\b{re.escape(var)}\.(\w+)\(", code)
                    name = f"{cls.__name__}.{called[-1]}" if called else cls.__name__
                    try:
                        return subject_for(namespace, recipe, [var], script, n_in, name)
                    except InputError as exc:
                        errors.append(exc)
    return None
