"""From someone's code to a :class:`~verification.adapters.subject.Subject`: the explicit form, or
automatic detection that writes one.

:func:`adapt` builds the subject from a :class:`~verification.adapters.recipe.Recipe`. The pieces the
user gave (``--setup``, ``--forward``, ``--gradient`` or ``--step``, ``--lr``, ``--layout``,
``--labels``) are used as given; the missing ones are detected by trying candidates, in order, and
keeping the first that runs and is consistent:

* for a network **class** (or an instance, or a method naming the gradient method):
  :mod:`verification.adapters.classes`;
* for a network written as **functions** over its parameters, or living in a **script's training
  loop**: :mod:`verification.adapters.functions`.

What to check in a script when no name is given: :func:`verification.reading.targets.default_name`.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError, described
from verification.adapters.calls import compile_block, run_code
from verification.adapters.classes import detect_class, setups
from verification.adapters.derivative_sets import derivative_functions
from verification.adapters.explicit import explicit_subject
from verification.adapters.failures import refusal
from verification.adapters.flat_costs import flat_cost_subject, flat_costs
from verification.adapters.functions import detect_functions
from verification.adapters.held_rates import held_rate
from verification.adapters.inlined_methods import detect_inlined_method, no_forward_method
from verification.adapters.neuron_dicts import neuron_dict_subject
from verification.adapters.options import Options
from verification.adapters.recipe import Recipe
from verification.adapters.scripts import detect_script, script_recipes
from verification.adapters.subject import Subject
from verification.adapters.training_functions import detect_training_function
from verification.drivers.driven_classes import driven_class
from verification.drivers.layer_lists import layer_list_subject
from verification.drivers.own_training_calls import own_training_step
from verification.reading.builders import main_builder, network_builder
from verification.reading.loader import LoadedScript
from verification.reading.slices import construction_slice

WHAT = "class, instance, method, function, Subject, or None"


def _not_code(code: Any) -> bool:
    """A value that holds no network: a number, string, container or array (``check net.py:SIZES``)."""
    if code is None or isinstance(code, type) or inspect.isroutine(code) or inspect.ismethod(code):
        return False
    return type(code).__module__ in ("builtins", "numpy") or not hasattr(code, "__dict__")


def adapt(code: Any = None, options: Options | None = None, script: LoadedScript | None = None) -> Subject:
    """Make a :class:`Subject` of someone's code.

    Parameters
    ----------
    code : class, instance, method, function, Subject, or None
        A class is built by the setup (the script's own construction, its defaults, or guessed
        arguments); an instance is used as it is (named ``net``); a method (bound, or named through
        its class as ``Net.backward``) is the gradient or training method checked, and no other (the
        forward pass or the constructor is refused); a function is the backward pass of a network
        written as functions; None checks the script itself (its training loop) or runs the explicit
        form.
    options : Options, optional
        The explicit form's pieces, and layout and label format; missing pieces are detected.
    script : LoadedScript, optional
        The script the code comes from: its namespace, its own construction of the network, and
        clearer messages.

    Raises
    ------
    InputError
        When ``code`` is none of the above (a number, a string, a list: no code to check), ``options``
        is not an :class:`Options`, or no candidate runs; the message names the reason of the most
        promising one and the hint shows the explicit form.
    """
    if options is not None and not isinstance(options, Options):
        raise InputError(
            f"options must be an Options (verification.adapters.options), got {described(options)}"
        )
    options = options or Options()
    if isinstance(code, Subject):
        return code
    if _not_code(code):
        what = (
            "name a class, a method (Class.method), a function or an instance" if script else f"give a {WHAT}"
        )
        raise InputError(f"{described(code)} is not code to check: {what}")
    for option, piece in (
        ("--setup", options.setup),
        ("--forward", options.forward),
        ("--gradient", options.gradient),
        ("--step", options.step),
        ("--lr", options.lr),
    ):
        if piece is not None:
            compile_block(piece, option)  # a syntax error is named before anything runs
    namespace: dict[str, Any] = script.module.__dict__ if script is not None else {}
    method = None
    if inspect.ismethod(code):
        method = code.__func__.__name__
        namespace = namespace or dict(code.__func__.__globals__)
        namespace["net"] = code.__self__
        options = replace(options, setup=options.setup or "net = net")
        code = type(code.__self__)
    elif code is not None and not isinstance(code, type) and not inspect.isroutine(code):
        if not namespace:
            module = inspect.getmodule(type(code))
            namespace = dict(vars(module)) if module is not None else {}
        namespace["net"] = code
        options = replace(options, setup=options.setup or "net = net")
        code = type(code)
    if options.explicit:
        recipe = Recipe(
            options.setup or "", options.forward or "", options.gradient, options.step, options.lr
        )
        return explicit_subject(namespace, recipe, script, options)
    if isinstance(code, type):
        if not namespace:
            module = inspect.getmodule(code)
            namespace = dict(vars(module)) if module is not None else {}
        try:
            return detect_class(code, namespace, script, options, method)
        except InputError as exc:  # fit(self, X, Y) does it all inline: its body read as a script
            if script is None or method is not None or options.setup or not no_forward_method(code):
                raise
            if getattr(exc, "cause", None) == "ambiguous":
                raise
            found = detect_inlined_method(code, script, options, setups(code, script))
            if found is None:
                raise
            return found
    if inspect.isfunction(code) and script is not None:
        if "." in code.__qualname__:  # a method named through its class: Net.backward
            owner = script.get(code.__qualname__.rsplit(".", 1)[0])
            return detect_class(owner, namespace, script, options, code.__name__)
        if code.__name__ in flat_costs(script):  # nnCostFunction(nn_params, …, X, y, lambda_)
            return flat_cost_subject(namespace, script, options, code.__name__)
        return detect_functions(namespace, script, options, code.__name__)
    if code is None and script is not None:
        return _whole_file(namespace, script, options)
    raise InputError(
        f"nothing to check: give a {WHAT}, or the explicit form (--forward and --gradient or --step)"
    )


def _whole_file(namespace: dict[str, Any], script: LoadedScript, options: Options) -> Subject:
    """A subject for a file given with no name: its one cost function over an unrolled parameter vector,
    the network its builder returns, its training function's body, its functions over lists of dict
    neurons or over parameters, else its top-level training loop."""
    costs = flat_costs(script)
    if len(costs) == 1:
        return flat_cost_subject(namespace, script, options, costs[0])
    own_loop = bool(script_recipes(script))  # the script trains what it builds: its loop is read
    built = network_builder(script) if options.setup is None else None
    built = built or (main_builder(script) if options.setup is None and not own_loop else None)
    if built is not None:  # def build(): net = Model(); …; return net
        stepped = _own_step_subject(built[0], namespace, script, options) if options.step is None else None
        return stepped or detect_class(built[0], namespace, script, replace(options, setup=built[1]))
    inlined = None if own_loop else detect_training_function(script, options)  # build_model(X, y, h)
    if inlined is not None:  # its body, arguments bound
        return inlined
    if not own_loop and (dicts := neuron_dict_subject(namespace, script, options)) is not None:
        return dicts  # forward_propagate(network, row) over [[{'weights': […]}, …], …]
    tried: list[InputError | str] = []
    if not own_loop and (listed := layer_list_subject(namespace, script, options, tried)) is not None:
        return listed  # network = [Dense(2, 3), Tanh(), …]; train(network, mse, mse_prime, …) imported
    if tried and not script.defined_names():  # a driver of the project's training that did not run
        raise refusal(f"the training {script.path} runs on its list of layers could not be run", tried, None)
    derivatives = not own_loop and derivative_functions(namespace, script)  # derivative_w2(Z, T, Y)
    try:
        return (detect_functions if derivatives else detect_script)(namespace, script, options)
    except InputError as exc:  # nn = NeuralNetwork(); nn.add(…); nn.fit(…) of the project's own class
        unsure = derivatives or options.setup or getattr(exc, "cause", None) == "ambiguous"
        driven = None if unsure else driven_class(namespace, script)
        if driven is None:
            raise
        try:
            return _own_step_subject(driven, namespace, script, options) or detect_class(
                driven, namespace, script, options
            )
        except InputError:
            raise exc from None


def driven_subject(script: LoadedScript, options: Options) -> Subject | None:
    """The subject of the project's class that the script (or its ``def main():``) makes and drives
    (:func:`~verification.drivers.driven_classes.driven_class`), checked with the script's own
    construction as its setup (its sizes read off the data made small), as ``FILE:Class --setup …``
    checks it; None when there is none, when it is refused, or when its gradient is run on an output
    error the check makes (``net.backward(out - y)``): the script's own training may hand it another
    (``softmax(out) - y``), so only a class that makes its error from the labels itself is judged."""
    namespace = dict(vars(script.module))
    driven = driven_class(namespace, script)
    if driven is None:
        return None
    own = [
        construction_slice(script.tree, driven.__name__, {}),
        construction_slice(script.tree, driven.__name__),
    ]
    stepped = _own_step_subject(driven, namespace, script, options)
    if stepped is not None:
        return stepped
    for setup, var in [made for made in own if made is not None]:
        given = replace(options, setup=setup + ("" if var == "net" else f"; net = {var}"))
        try:
            subject = detect_class(driven, namespace, script, given)
        except InputError:
            continue
        recipe = getattr(subject, "recipe", None)
        if recipe is not None and not _error_made_by_check(recipe.gradient or recipe.step or ""):
            return subject
    return None


def _own_step_subject(
    driven: type, namespace: dict[str, Any], script: LoadedScript, options: Options
) -> Subject | None:
    """The subject of ``driven`` built by the script's own construction and stepped by the script's
    own training call (:func:`~verification.drivers.own_training_calls.own_training_step`): what the
    training is handed (its loss and derivative functions) is then the script's; None when the script
    makes no such call, or it does not run as one step."""
    own = own_training_step(script.tree, driven, namespace) if options.step is None else None
    for made in [
        construction_slice(script.tree, driven.__name__, {}),
        construction_slice(script.tree, driven.__name__),
    ]:
        if own is None or made is None or made[1] != own.var:
            continue
        setup = made[0] + ("" if own.var == "net" else f"; net = {own.var}")
        try:
            lr = own.lr or _held(setup, namespace, script)
            return detect_class(
                driven, namespace, script, replace(options, setup=setup, step=own.step, lr=lr)
            )
        except InputError:
            continue
    return None


def _held(setup: str, namespace: dict[str, Any], script: LoadedScript) -> str | None:
    """The learning rate the network ``setup`` binds to ``net`` holds, or an object it keeps in a list
    does (``net.optimizer[0].learningRate`` of ``model.addOptimizer(SGD(lr))``,
    :func:`~verification.adapters.held_rates.held_rate`), for a training call that passes none."""
    scratch = dict(namespace)
    run_code(setup, scratch, "--setup", script=script)
    net = scratch.get("net")
    return None if net is None else held_rate(net, "net")


def _error_made_by_check(code: str) -> bool:
    """Whether ``code`` hands the output error the check makes (``out - y`` or ``y - out``)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return True
    return any(
        isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Sub)
        and {getattr(n.left, "id", None), getattr(n.right, "id", None)} == {"out", "y"}
        for n in ast.walk(tree)
    )
