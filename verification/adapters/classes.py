"""Detecting how a network *class* is built, run and differentiated, by trying its methods.

Candidates, tried in order until one runs and is consistent
(:func:`verification.adapters.build.subject_for`); which methods are candidates, and how each is called,
are :mod:`verification.adapters.forwards` and :mod:`verification.adapters.methods`:

1. **setup**: the script's own top-level construction of the class with the top-level assignments it
   reads (``X = np.array(…); nn = NeuralNetwork(X, y)``), or an example script's beside it
   (:mod:`verification.reading.sibling_constructions`), else the constructor with its defaults, else
   required arguments guessed from their names (a 4-5-3 network, learning rate 0.1); a global name the
   methods use for the instance is bound to it (:mod:`verification.reading.instance_globals`), and a
   class that makes its weights in its training method has that method run once on small data
   (:mod:`verification.reading.deferred_weights`);
2. **forward**: a method named like a forward pass (``forward``, ``feedforward``, ``query``, ``think``,
   ``predict`` …) given ``x`` (or, when it takes no argument, with ``x`` put in the attribute the
   constructor stored its input in), else ``loss(X, y=None)`` without labels, else a method taking just
   the inputs (``update(self, inputs)``); its output returned, last among the arrays of a returned tuple,
   or read from the attribute it stored (``a2``, ``output`` …);
3. **layout** and input width (:func:`verification.adapters.trials.widths`);
4. **gradient**: a method that returns gradients (or stores them beside the weights) — ``backprop``,
   ``backward``, ``costFunctionPrime``, ``loss`` … — else one that updates the weights in place (the
   same names, then ``train``, ``fit`` … run for one step), each given ``x``, ``y``, the error ``a − y``
   (``y − a`` when it *adds* its update to the weights), the forward output, the learning rate, one
   iteration, as its argument names ask (an argument whose name says nothing but which multiplies the
   update of the weights, ``backPropagate(targets, N, M)``, is given the learning rate).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError
from verification.adapters.absent_forwards import absent_forward
from verification.adapters.build import subject_for
from verification.adapters.calls import WrongShape
from verification.adapters.composed_outputs import output_layers, several_compositions, several_outputs
from verification.adapters.compositions import (
    annotated_arguments,
    compositions,
    function_arguments,
    initialiser_arguments,
)
from verification.adapters.explicit import explicit_subject
from verification.adapters.failures import refusal
from verification.adapters.forwards import forward_candidates, output_expression
from verification.adapters.function_setups import BORROWED, borrow, read_not_bound
from verification.adapters.kept_data import input_attribute, label_attribute
from verification.adapters.layer_containers import container_recipes
from verification.adapters.matching import Unmatched
from verification.adapters.method_calls import signed_readings
from verification.adapters.methods import (
    OWN_ERROR,
    Built,
    gradient_candidates,
    uncallable,
    validate_named_method,
)
from verification.adapters.neurons import unbuilt
from verification.adapters.options import Options
from verification.adapters.output_functions import output_function_arguments
from verification.adapters.own_errors import LOSS_GRADIENT
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.state import SetupState
from verification.adapters.subject import CodeSubject
from verification.adapters.trials import layouts, run_setup, widths
from verification.adapters.warm_ups import initialisers, warm_ups
from verification.reading.activation_names import activation_lists
from verification.reading.activation_objects import activation_objects, loss_object_choices
from verification.reading.deferred_weights import initialising_methods
from verification.reading.flags import branch_values
from verification.reading.guesses import call_arguments, guessed_arguments, wide_defaults
from verification.reading.instance_globals import instance_globals
from verification.reading.loader import LoadedScript
from verification.reading.script_setup import with_small_layers, without_data_files, written_arguments
from verification.reading.sibling_constructions import sibling_construction
from verification.reading.slices import construction_slice
from verification.reading.targets import SeveralSetups


def instance_name(cls: type, script: LoadedScript | None) -> str:
    """``net``, or the first of ``model``, ``network``, ``net_`` … that the script does not define (a
    class may itself be called ``net``)."""
    taken = set(script.module.__dict__) if script is not None else set()
    taken.add(cls.__name__)
    return next(n for n in ("net", "model", "network", "net_", "model_") if n not in taken)


def setups(cls: type, script: LoadedScript | None) -> list[tuple[str, str]]:
    """``(setup, variable)`` candidates: the script's own construction (first with its large layer sizes
    made small, :func:`~verification.reading.script_setup.with_small_layers`), a container given layers
    (:func:`~verification.adapters.compositions.compositions`), the defaults, guessed arguments;
    each also with its data-file arguments given None (:func:`~verification.reading.script_setup.
    without_data_files`)."""
    out = []
    if script is not None:
        own = construction_slice(script.tree, cls.__name__) or sibling_construction(script.path, cls.__name__)
        if own is not None:
            small_layers = with_small_layers(own[0], cls)
            if small_layers is not None:  # MLP([784, 30, 10]) as MLP([4, 30, 10]): the same code, quicker
                out.append((small_layers, own[1]))
            out.append(own)
        small = construction_slice(script.tree, cls.__name__, {})
        if small is not None:  # the same construction with the sizes it reads off the data made small
            out.append(small)
    try:
        required = [
            p
            for p in inspect.signature(cls).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        required = []
    var = instance_name(cls, script)
    composed = [(made, var) for made in compositions(cls, script, var)]
    if not out and len(ends := output_layers([made for made, _ in composed])) > 1:
        several_outputs(cls.__name__, var, ends)  # Dense, Dense, then Sigmoid() or Softmax(): each a network
    out += composed  # a container that is given its layers: empty as constructed
    built = bool(out)  # by the script, or by its composition
    if not required and not wide_defaults(cls):  # TwoLayerNet(input_dim=784): made small first, below
        out.append((f"{var} = {cls.__name__}()", var))
    written = written_arguments(script.tree, cls) if script is not None else {}  # MLP(n, m, hidden=100)
    preset = written | function_arguments(cls, script) | annotated_arguments(cls, script)
    preset |= initialiser_arguments(cls, script) | output_function_arguments(
        cls, script
    )  # random_init, softmax
    preset = activation_objects(cls, script) | preset  # NN(…, activation=Sigmoid(), …)
    choices = [c for c in loss_object_choices(cls, script) if not set(c) & set(preset)]
    if len(choices) > 1 and not out:  # Network(sizes, cost) built nowhere: each cost is another network
        several_costs(cls, var, [(c, guessed_arguments(cls, preset | c)) for c in choices])
    flags = [{p.name: v} for p in required if p.name not in preset for v in branch_values(cls, p.name)]
    flags += [  # activation='tanh' with a branch for 'sigmoid': each value another network
        {p.name: v}
        for p in _string_defaults(cls)
        if p.name not in preset
        for v in branch_values(cls, p.name, p.default)
    ]
    flags += [{p.name: v} for p in required if p.name not in preset for v in activation_lists(cls, p.name)]
    if len(flags) > 1 and not built:  # Network(sizes, kind) built nowhere: each branch another network
        several_costs(cls, var, [(c, guessed_arguments(cls, preset | c)) for c in flags], "branches")
    if len(flags) > 1 and composed and len(out) == len(composed):  # Network(layers, loss='mse') likewise
        several_compositions(cls, script, var, flags)
    for guessed in guessed_arguments(cls, preset | (choices[0] if choices else {})):
        args = call_arguments(guessed)
        out.append((f"{var} = {cls.__name__}({args})", var))
    out += [(bare, v) for setup, v in out if (bare := without_data_files(setup, cls)) is not None]
    aliases = instance_globals(cls, script.module.__dict__ if script is not None else {})
    out = [(setup + "".join(f"; {g} = {v}" for g in aliases), v) for setup, v in dict.fromkeys(out)]
    return finished(cls, out)


def finished(cls: type, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The setups ``out``, and each followed by a call that makes the weights after the constructor
    (:func:`~verification.adapters.warm_ups.initialisers`, :func:`~verification.adapters.warm_ups.
    warm_ups`): first when the class makes them in its training method, else after."""
    made = [(f"{setup}; {call}", v) for setup, v in out for call in initialisers(cls, v)]
    warmed = [(f"{setup}; {warm}", v) for setup, v in out + made for warm in warm_ups(cls, v)]
    if initialising_methods(cls):  # its training method's first call makes the weights and their sizes
        return warmed + out + made
    return out + made + warmed


def _string_defaults(cls: type) -> list[inspect.Parameter]:
    """The constructor's arguments with a string default (``activation='tanh'``, ``loss='mse'``)."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p for p in params if isinstance(p.default, str)]


def several_costs(
    cls: type, var: str, made: list[tuple[dict[str, Any], list[dict[str, Any]]]], what: str = "loss objects"
) -> None:
    """Raise :class:`~verification.reading.targets.SeveralSetups`: ``cls`` once per loss object of the
    project, or per value of a flag that picks a branch (``what``: ``branches``; ``made``: each choice
    with its guessed arguments, each set tried in turn), each checked on its own."""
    setups, names, alternatives = [], [], []
    for choice, guessed in made:
        if guessed:  # the choice also when its argument has a default (activation='tanh')
            made_so = [call_arguments(g | choice) for g in guessed]
            tail = "" if var == "net" else f"; net = {var}"
            built = finished(cls, [(f"{var} = {cls.__name__}({args})", var) for args in made_so])
            alternatives.append([f"{setup}{tail}" for setup, _ in built])
            setups.append(alternatives[-1][0])
            shown = ", ".join(
                f"{k}={re.sub(r'^__import__[(].*?[)][.]', '', v) if isinstance(v, str) else repr(v)}"
                for k, v in choice.items()
            )
            names.append(f"{cls.__name__} with {shown}")  # cost=QuadraticCost()
    if len(setups) > 1:
        raise SeveralSetups(
            f"{cls.__name__} takes one of {len(setups)} {what}", names, setups, cls.__name__, alternatives
        )


def detect_class(
    cls: type,
    namespace: dict[str, Any],
    script: LoadedScript | None,
    options: Options,
    method: str | None = None,
) -> CodeSubject:
    """A subject for a network class, its recipe detected (see the module docstring); pieces the user
    gave in ``options`` (:class:`verification.adapters.options.Options`) are used as given. When
    ``method`` is named, it is the method checked (as a gradient, or as a step that trains), or the
    check is refused: never another method of the class.

    Raises
    ------
    InputError
        Naming the reason of the most promising candidate, with the explicit form as a hint.
    """
    if method is not None:
        validate_named_method(cls, method)
    candidates = [(options.setup, "net")] if options.setup is not None else setups(cls, script)
    if not candidates:
        raise InputError(
            f"cannot construct {cls.__name__}: the script does not build it and its constructor's "
            "arguments say nothing of their values",
            hint=f'give the setup, e.g. --setup "net = {cls.__name__}(...)"',
        )
    errors: list[InputError | str] = []
    origins: dict[str, str] = {}  # names borrowed from the modules beside the script, and their files
    for setup, wanted in candidates:
        if script is not None:  # a container given layers from the modules beside the script
            borrow(namespace, script, wanted=read_not_bound([setup]))
            origins |= namespace.get(BORROWED, {})
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
        built = Built(
            namespace[var],
            var,
            cls,
            setup,
            bound,
            label_attribute(namespace[var], namespace, bound),
            input_attribute(namespace[var], namespace, bound),
        )
        subject = _detect_on(built, namespace, script, options, errors, method)
        if subject is not None:
            used = [f"{n} (from {origins[n]})" for n in read_not_bound([setup]) if n in origins]
            if used:
                subject.notes.append(f"taken from the modules beside the file: {', '.join(sorted(used))}")
            if options.setup is None and any(setup.startswith(c) for c in compositions(cls, script, var)):
                layers = sorted(
                    n
                    for n in read_not_bound([setup])
                    if isinstance(namespace.get(n), type) and n != cls.__name__
                )
                subject.reading = replace(subject.reading, composed=", ".join(layers) or cls.__name__)
            return subject
    for setup, wanted in candidates if script is not None and options.setup is None else []:
        for recipe in container_recipes(cls, namespace, setup, wanted):  # train(model, …) of the project
            try:
                return explicit_subject(dict(namespace), recipe, script, options)
            except InputError as exc:
                errors.append(exc)
    unbuilt_because = unbuilt(script, cls) if script is not None and options.setup is None else None
    if unbuilt_because is not None:  # a network of neurons handed an activation the project leaves open
        raise InputError(
            f"could not check {cls.__name__} automatically: {unbuilt_because[0]}", hint=unbuilt_because[1]
        )
    raise refusal(
        f"could not check {cls.__name__} automatically",
        errors,
        'give the explicit form: --setup "net = ..." --forward "net.forward(x)" '
        '--gradient "net.backward(x, y)" (or --step "..." --lr ...)',
    )


def _detect_on(
    built: Built,
    namespace: dict[str, Any],
    script: LoadedScript | None,
    options: Options,
    errors: list[InputError | str],
    method: str | None = None,
) -> CodeSubject | None:
    obj, var, cls, setup, bound = built.obj, built.var, built.cls, built.setup, built.bound
    forwards = (
        [("", options.forward, "")] if options.forward else forward_candidates(obj, var, namespace, bound)
    )
    if not forwards:
        errors.append(absent_forward(cls, obj))
    slots = Slots(namespace, find_slots(namespace, [var]))
    keys = [s.name.rsplit(".", 1)[-1].split("[")[0] for s in slots.slots.values()]
    given_error: CodeSubject | None = None  # kept while a method computing its own error may run
    made = SetupState(namespace, [var])  # each try starts from the object as the setup made it
    misshaped: set[tuple[Any, str]] = set()  # (layout, gradient) that gave arrays of other shapes
    for statements, call, forward_method in forwards:
        for layout in layouts(options):
            for n_in in filter(layout.holds, widths(slots)):
                try:
                    forward = options.forward or output_expression(
                        namespace, statements, call, var, n_in, layout, script
                    )
                except InputError as exc:
                    errors.append(exc)
                    continue
                grads: list[tuple[str, str, str | None, list[str]]]
                if options.gradient or options.step:
                    kind = "returned" if options.gradient else "update"
                    grads = [(kind, options.gradient or options.step or "", options.lr, [])]
                else:
                    grads = gradient_candidates(
                        built,
                        forward,
                        forward_method,
                        keys,
                        method,
                        layout.one_sample_only,
                        layout.samples(),
                        layout.dataset(),
                    )
                    if not grads:
                        errors.append(uncallable(cls, method))
                own_error = False  # a candidate before that computes the error from the labels
                for kind, code, lr, notes in grads:
                    given = any(" takes the error " in n for n in notes)
                    if (given and given_error is not None) or (layout, code) in misshaped:
                        continue
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
                    called = [c for c in called if not LOSS_GRADIENT.match(c)] or called  # its argument's
                    if len(called) > 1 and code.endswith(f"{var}.{called[-1]}(lr)"):
                        called = called[:-1]  # backward(a - y); descend(lr): the backward is checked
                    name = f"{cls.__name__}.{called[-1]}" if called else cls.__name__
                    method_called = getattr(cls, called[-1], None) if called else None
                    for read in signed_readings(recipe, method_called, var):  # y, or 2y - 1 for y_pm1
                        made.rebind(namespace)  # not with the caches an earlier try's forward pass left
                        try:
                            subject = subject_for(namespace, read, [var], script, n_in, name)
                        except (WrongShape, Unmatched) as exc:  # another width the forward pass
                            errors.append(exc)  # broadcasts to could make the shapes agree by accident
                            misshaped.add((layout, code))
                            break
                        except InputError as exc:
                            if getattr(exc, "conclusive", False):  # the class's code, whichever method
                                raise refusal(f"could not check {cls.__name__}", [exc], None) from None
                            errors.append(exc)
                            own_error = own_error or any(OWN_ERROR in n for n in notes)
                            continue
                        if not (given and own_error):
                            return subject
                        given_error = subject  # the other labels or layouts may run the method that doesn't
                        break
    return given_error
