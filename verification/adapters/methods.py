"""The methods of a network class: which is its gradient (or training step), and how it is called (the
forward pass: :mod:`verification.adapters.forwards`).

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

from ffnn.validation import InputError
from verification.adapters import method_calls
from verification.adapters.forwards import LABEL_SETTER, labels_optional, returns_value, setters
from verification.adapters.handed_errors import handed_error
from verification.adapters.handed_losses import handed_losses
from verification.adapters.held_rates import held_rate
from verification.adapters.loss_objects import with_objects
from verification.adapters.method_calls import COLUMN_NOTE, COLUMN_SAMPLES, matrix_calls, method_call
from verification.adapters.method_context import Candidate, MethodContext, after
from verification.adapters.momentum_arguments import factor_roles
from verification.adapters.own_errors import OWN_ERROR, error_computing, error_handed
from verification.adapters.rate_appliers import applied_steps
from verification.reading import conventions as cv
from verification.reading.argument_usage import iterated
from verification.reading.call_arguments import clipping_notes
from verification.reading.desired_outputs import desired_outputs
from verification.reading.gradient_stores import stores_gradients
from verification.reading.training_methods import training_methods
from verification.reading.updates import (
    loop_attributes,
    loop_count_arguments,
    pair_arguments,
    pair_lists,
    returned_name,
    returned_names,
    step_factors,
    subtracted_arguments,
    unclashed,
    update_sign,
)
from verification.reading.written_rates import written_rate


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
        The attribute the constructor stored the labels in and how each step sets it (``"y = y"``,
        ``"labels = y.T"``: :func:`verification.adapters.kept_data.label_attribute`).
    input_attr : str or None
        Likewise the attribute it stored its inputs in (``"data = x"``), set before a step too: a
        training method of no arguments (``fit(self)``) trains on what the object keeps, which must be
        the probe's inputs, not the data set the setup made.
    """

    obj: Any
    var: str
    cls: type
    setup: str
    bound: list[str]
    label_attr: str | None
    input_attr: str | None = None


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


def _learning_rate(
    obj: Any, var: str, method: Any, params: list[inspect.Parameter], factors: list[str]
) -> tuple[str | None, list[str]]:
    """The learning-rate expression of an update: an argument (then 0.1 is passed), an attribute, or a
    local constant of the method."""
    if factors:
        return "0.1", [
            f"{', '.join(factors)} multipl{'ies' if len(factors) == 1 else 'y'} the update of the weights: "
            "given the learning rate 0.1"
        ]
    if "lr" in {cv.role(p.name, i) for i, p in enumerate(params)}:
        return "0.1", []
    held = held_rate(obj, var)
    return (held, []) if held is not None else written_rate(method)


ACTIVATION_DERIVATIVE = re.compile(
    r"activ|sigm|tanh|relu|softmax|deriv"
    r"|^_*(loss|cost|mse|bce|mce|cce|nll|cross_?entropy|entropy|quadratic|log_?loss|sse)_?(grad(ient)?|prime)$",
    re.IGNORECASE,
)
"""Names of an activation's or a loss's derivative (``_activation_grad``, ``sigmoid_prime``,
``_BCE_gradient``, ``loss_grad``): never a backward pass."""


RESETS = re.compile(r"(^|_)(reset|zero|clear)(_|$)|^zero_?grad", re.IGNORECASE)
"""Names of a method that sets the stored gradients to zero (``reset_gradients``, ``zero_grad``): what
it leaves is no gradient of anything."""


def gradient_candidates(
    built: Built,
    forward: str,
    forward_method: str,
    parameter_keys: list[str],
    only: str | None = None,
    one_sample: bool = False,
    samples: str = "x.shape[0]",
    dataset: str = "[(x, y)]",
) -> list[tuple[str, str, str | None, list[str]]]:
    """``(kind, code, lr, notes)`` candidates: returned gradients first, then updates in place; only the
    method ``only`` when one is named. With inputs of ``one_sample`` (1-D arrays or lists), a training
    method is also given them as a data set of one sample (:func:`method_call`)."""
    obj, var, label_attr = built.obj, built.var, built.label_attr
    last = forward.rsplit(";", 1)[-1].strip()
    named: dict[str, str] = {}
    if ";" in forward and "(" not in last:  # the output is read from an attribute after the call
        pre, out = forward.rsplit(";", 1)[0].strip(), last
    else:  # nn.x = x.T; nn.forward(): the statements first, the output from the call
        head, _, last = forward.rpartition(";")
        last = last.strip()
        pre, out = f"{head.strip()}; out = {last}".lstrip("; "), "out"
        raw = returned_names(getattr(obj, forward_method, None), True) if forward_method else None
        call = re.sub(r"(\[-?\d+\])+$", "", last)  # out = f(x)[1][-1]: the tuple is f(x)
        if raw and len(raw) > 1 and call != last:  # (a1, z2, a2, z3, a3): each by its name
            names = unclashed(raw, [var])  # return h, y: y is no label here, but bound as _returned_1
            pre += f"; {', '.join(names)} = {call}"
            params = {p.name for p in cv.positional_parameters(getattr(obj, forward_method))}  # x, acts
            named = {r: n for r, n in zip(raw, names, strict=True) if r not in params}
        keyed = re.sub(r"\[(?:'[^']*'|\"[^\"]*\")\]$", "", last)
        alone = returned_name(getattr(obj, forward_method, None)) if forward_method else None
        if keyed != last:  # return cache: the dict, by its name, and to an argument named a cache
            (name,) = unclashed([alone or "cache"], [var])
            pre += f"; {name} = {keyed}"
            named = {c: name for c in cv.CACHE_ARGS} | {alone or "cache": name}
        elif alone and cv.role(alone, 1) is None and alone not in ("x", "y", var):
            named = {alone: "out"}  # return z_last: backward(self, z_last, loss, label) gets the output
    labels = setters(obj, LABEL_SETTER)
    if built.input_attr and f"{var}.{built.input_attr}" not in pre:  # fit(self) on self.data
        pre = f"{var}.{built.input_attr}; {pre}"
    if label_attr:
        pre = f"{var}.{label_attr}; {pre}"
    elif labels:  # net.add_output(y) before a backward pass of no arguments
        pre = f"{var}.{labels[0]}(y); {pre}"
    grads = [
        m
        for m in cv.methods_by_preference(obj, cv.GRADIENT_NAMES, ("backprop", "backward", "grad", "prime"))
        if (m != forward_method or labels_optional(getattr(obj, m)))
        and not ACTIVATION_DERIVATIVE.search(m)
        and not RESETS.search(m)
        and not cv.applies_given_gradient(getattr(obj, m))
    ]
    if forward_method and forward_method not in grads and stores_gradients(obj, forward_method):
        grads.append(forward_method)  # forward(X, y) that fills self.gradients as it computes the loss
    trains = [
        m
        for m in training_methods(obj)
        if m != forward_method
        and m not in grads
        and not cv.applies_given_gradient(getattr(obj, m))
        and not re.match(r"(is|set|get|has|toggle)_", m)  # is_train(): a mode switch, no training step
    ]
    own_error = error_computing(obj, grads, trains)
    grads = own_error + grads
    trains = [m for m in trains if m not in grads]
    if only is not None:
        grads = [only] if only in grads or (only not in trains and returns_value(obj, only)) else []
        trains = [only] if not grads else []
    alone = f"out = {var}.{forward_method}(x)"  # a training method that runs it itself runs alone
    bare = pre.removesuffix(alone).rstrip("; ") if forward_method and pre.endswith(alone) else None
    context = MethodContext(
        pre, out, named, parameter_keys, one_sample, samples, dataset, bare, forward_method
    )
    returned, later, updates, trained = [], [], [], 0
    ambiguous: InputError | None = None  # raised unless a training method of the class is checked
    for m in grads + trains:
        try:
            made = _method_candidates(built, m, m in trains, context)
        except InputError as exc:  # backward(delta) handed softmax(self.out) - Y: train(X, Y) says it
            if getattr(exc, "cause", None) != "ambiguous" or m in trains:
                raise
            ambiguous = ambiguous or exc
            continue
        if m in own_error:
            made = ([(*c[:3], [*c[3], f"{m} {OWN_ERROR}"]) for c in made[0]], made[1])
        returned += made[0] if m in grads else []
        later += made[0] if m in trains and returns_value(obj, m) else []  # train_step returning grads
        updates += made[1]
        trained += len(made[0]) + len(made[1]) if m in trains or m in own_error else 0
    if ambiguous is not None and not trained:
        raise ambiguous
    return returned + later + updates + applied_steps(obj, var, returned)  # backward(g); descend(lr)


def _method_candidates(
    built: Built, m: str, training: bool, context: MethodContext
) -> tuple[list[Candidate], list[Candidate]]:
    """The returned-gradient and the update candidates of method ``m``: called with its arguments by
    their names, and, when one argument is read only as ``arg[0]`` and ``arg[1]`` and the object keeps
    no labels of its own, also given the pair ``(x, y)`` there (after the plain call: two inputs read
    by index are no pair)."""
    obj, var = built.obj, built.var
    fn, unbound = getattr(obj, m), getattr(type(obj), m, getattr(obj, m))
    context = context.labelled(fn, var, getattr(obj, context.forward_method, None))  # forward(x, y_true)
    params = cv.positional_parameters(fn)
    sign = update_sign(unbound, context.parameter_keys)
    handed_sign, labelled = handed_error(type(obj), m, params, context.pre, built.setup)
    err = f"y - {context.out}" if (handed_sign or sign) == 1 else f"{context.out} - y"
    project: list[str] = []  # the note of a loss derivative the project defines, handed instead of a − y
    if handed_sign is None and sign != 1 and any(cv.role(p.name, i) == "error" for i, p in enumerate(params)):
        err, project = error_handed(type(obj), var, m, context.out, built.setup, err)
    factors = [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and cv.role(p.name, 1) is None
        and p.name in step_factors(unbound, context.parameter_keys)
    ]
    inferred = factor_roles(unbound, context.parameter_keys, factors) | labelled | desired_outputs(unbound)
    inferred |= {a: "dataset" for a in pair_lists(unbound) if training and a not in inferred}  # x, y in …
    counts = loop_count_arguments(unbound)  # train(self, inputs, outputs, num): for _ in range(num)
    inferred |= {
        p.name: "iterations" for i, p in enumerate(params) if p.name in counts and not cv.role(p.name, i)
    }
    handed, handed_notes = handed_losses(obj, unbound, params)  # train(…, loss_fn, loss_fn_deriv)
    inferred |= handed
    pairs: list[str] = []
    taken = {p.name for p in params if p.name in context.named}  # values the forward pass returned
    if "y" not in {cv.role(p.name, i) for i, p in enumerate(params) if p.name not in taken}:
        # labels named like none: the argument subtracted (y − d), or, when the forward pass returned
        # its output under the labels' usual name (return h, y), the one subtracted from it
        pairs = pair_arguments(unbound) if built.label_attr is None else []
        subtracted = subtracted_arguments(unbound)
        kinds = (None, "dataset", "error") if any(cv.role(t, 1) == "y" for t in taken) else (None, "dataset")
        unnamed = [a for a in subtracted if a not in pairs and a not in taken and cv.role(a, 1) in kinds]
        inferred |= {a: "y" for a in unnamed[:1]}
    known = {"error": err, "output": context.out, "samples": context.samples, "dataset": context.dataset}
    givens = [dict(context.named) | inferred]
    givens += [givens[0] | {pairs[0]: "pair"}] if pairs else []
    givens, optimizer_notes, rated = with_objects(obj, params, unbound, givens)  # train(X, y, loss_fn, …)
    returned, updates = list[Candidate](), list[Candidate]()
    for given in givens:
        made = method_call(var, m, params, known, training=training, given=given)
        if made is None:
            continue
        call, takes_error = made
        pre = context.alone(unbound, training, call).pre  # train_step(X, y) runs the forward pass itself
        usual = "a - y (the usual sign)" if err.endswith(" - y") else f"{err}, the class's own loss gradient"
        usual = f"{err}, {project[0]}" if project else usual
        why = "as the class's own calls hand it" if handed_sign else "it adds its update to the weights"
        notes = [f"{m} takes the error {f'y - a ({why})' if (handed_sign or sign) == 1 else usual}"]
        notes = (notes if takes_error else []) + handed_notes + optimizer_notes + clipping_notes(m, params)
        notes += method_calls.argument_notes(m, params, given)  # a weight decay given 0, a loss object
        if not (takes_error and sign is not None) and handed_sign != 1:  # y - a handed: read through the step
            returned.append(("returned", after(pre, f"{call}"), None, notes))
        loops, unbounded = loop_attributes(unbound)
        if unbounded:
            continue
        lr, lr_notes = ("0.1", []) if rated else _learning_rate(obj, var, unbound, params, factors)
        set_loops = "".join(f"{var}.{a} = 1; " for a in dict.fromkeys(loops))
        updates.append(("update", after(pre, f"{set_loops}{call}"), lr, notes + lr_notes))
        wrapped = None
        if context.one_sample:
            wrapped = method_call(var, m, params, known, training=True, dataset=True, given=inferred)
        if wrapped is not None and wrapped[0] != call:
            updates.append(("update", after(pre, f"{set_loops}{wrapped[0]}"), lr, notes + lr_notes))
            rows = matrix_calls(unbound, wrapped[0])  # fit(np.array([x]), …) beside a one-sample forward
            updates += [("update", after(pre, f"{set_loops}{r}"), lr, notes + lr_notes) for r in rows]
        inputs = [p.name for i, p in enumerate(params) if (given.get(p.name) or cv.role(p.name, i)) == "x"]
        if training and not context.one_sample and inputs and iterated(unbound, inputs[0], indexed=True):
            one_by_one = method_call(var, m, params, known, training=True, rows=True, given=given)
            if one_by_one is not None and one_by_one[0] != call:  # fit(x_train, …): x_train[j] is (1, n)
                row_note = [f"{m} takes its samples one at a time, each a (1, n) row"]
                code = after(pre, f"{set_loops}{one_by_one[0]}")
                updates.append(("update", code, lr, notes + lr_notes + row_note))
        if training and context.samples == "x.shape[1]" and inputs and iterated(unbound, inputs[0]):
            stacked = method_call(var, m, params, known | COLUMN_SAMPLES, training=True, given=given)
            if stacked is not None:  # for xi, yi in zip(X, y): X of shape (n, d, 1), xi a column
                code, told = after(pre, f"{set_loops}{stacked[0]}"), [COLUMN_NOTE.format(m)]
                updates.append(("update", code, lr, notes + lr_notes + told))
    return returned, updates


def uncallable(cls: type, method: str | None) -> str:
    """Why no gradient or step of ``cls`` (or of the ``method`` named) could be called."""
    if method is not None:
        return (
            f"{cls.__name__}.{method} could not be called: the name of "
            f"{cv.unnamed_arguments(getattr(cls, method))} says nothing of its value"
        )
    return (
        f"{cls.__name__} has no method that returns gradients or updates its weights that could be "
        "called (looked for backprop, backward, gradient, train, fit …)"
    )
