"""Networks a container class is given to hold: built from the layer classes of the same file.

Many files define layer classes and a container that chains them, and leave the composition to a
script elsewhere::

    class Layer:       def __init__(self, input_size, num_neurons, act_func=relu) … forw_pass / back_pass
    class NeuralNetwork:
        def __init__(self, epoch=100, loss_func=squared_loss): self.layers = []
        def add_layer(self, layer): self.layers.append(layer)

or ``NeuralNetwork(layers, loss)`` taking the list and a loss object. :func:`compositions` builds
such a network from the file's own classes: two *sized* layers (a class whose constructor takes two
sizes, its other arguments having defaults: ``Layer(4, 5)``, ``Layer(5, 3)``), an output layer of no
arguments named like an output activation (``SoftMax()``) after them, and for a container that takes
its loss, an instance of the file's loss class of no arguments (``CrossEntropy()``). The network is a
setup like any other: the explicit form shows it, and the checker's verdict is on the code of the
layers and the container as they run in it.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.adapters.neurons import neuron_layers
from verification.adapters.sized_containers import required_parameters, sized_layers
from verification.reading import conventions as cv
from verification.reading.guesses import SIZE_GUESSES, Expression
from verification.reading.loader import LoadedScript
from verification.reading.siblings import sibling_functions

ADDERS = ("add_layer", "add", "addLayer", "append_layer", "add_module", "push")
"""Methods of a container that take one layer."""
LAYER_LISTS = re.compile(r"^(layers|layer_list|modules|blocks)$", re.I)
"""Constructor arguments that take the list of layers."""
LOSS_WORDS = re.compile(r"loss|cost|entropy|criterion|mse|bce|error|squared|nll|hinge|likelihood", re.I)
OUTPUT_ACTIVATIONS = re.compile(r"softmax|sigmoid|logistic", re.I)
HIDDEN_ACTIVATIONS = re.compile(r"relu|tanh|sigmoid|elu|activation", re.I)
ACTIVATION_ARGS = re.compile(r"activation|act|func|fn|prime|deriv", re.I)
"""The two constructor arguments of a layer that is handed its activation and its derivative."""
LOSS_ARG = re.compile(r"(loss|cost)(_?f(n|unc(tion)?)?)?|error|criterion", re.I)
LOSS_PRIME_ARG = re.compile(
    r"(loss|cost)_?(f(n|unc(tion)?)_?)?(prime|derivative|deriv|grad|d)|d_?(loss|cost)", re.I
)
LOSS_ORDER = ("mse", "binary_cross_entropy", "bce", "cross_entropy")
"""Loss functions a project may define, in the catalog's order of preference."""
ACTIVATION_ORDER = ("tanh", "sigmoid", "relu")
"""Activation functions of a hidden layer, in order of preference (smooth first: no kink to cross)."""
FORWARD_WORDS = re.compile(r"forw|forward|feed|fprop|__call__", re.I)
BACKWARD_WORDS = re.compile(r"back|bprop", re.I)


def loss_class(cls: type) -> bool:
    """A loss class: named like one (:data:`LOSS_WORDS`), or one whose forward-like method takes the
    output and the labels (``forward(self, out, target)``) where a layer's takes its input alone."""
    if LOSS_WORDS.search(cls.__name__):
        return True
    forwards = [f for m, f in inspect.getmembers(cls, inspect.isfunction) if FORWARD_WORDS.search(m)]
    return bool(forwards) and all(len(required_parameters(f)) == 3 for f in forwards)  # self, output, labels


def _layer_classes(script: LoadedScript, container: type) -> list[type]:
    """Classes of the script with a forward-like and a backward-like method (not the container)."""
    out = []
    for name in script.defined_names():
        cls = script.module.__dict__.get(name)
        if not isinstance(cls, type) or cls is container:
            continue
        methods = [m for m, _ in inspect.getmembers(cls, inspect.isfunction)]
        if any(FORWARD_WORDS.search(m) for m in methods) and any(BACKWARD_WORDS.search(m) for m in methods):
            out.append(cls)
    return out


def _sibling_layers(script: LoadedScript, container: type) -> list[type]:
    """The layer classes of the modules beside the script, for a container whose file defines no sized
    layer of its own (the check takes them from there, and the report says which file each came from)."""
    found = sibling_functions(script.path, ("",), kind=inspect.isclass)
    out = []
    own = set(script.defined_names())
    for name, (cls, _) in sorted(found.items()):
        if cls is container or name == container.__name__ or name in own:
            continue
        imported = script.module.__dict__.get(name)  # from layers import Dense: the class the file holds
        cls = imported if isinstance(imported, type) and imported.__name__ == cls.__name__ else cls
        methods = [m for m, _ in inspect.getmembers(cls, inspect.isfunction)]
        if any(FORWARD_WORDS.search(m) for m in methods) and any(BACKWARD_WORDS.search(m) for m in methods):
            out.append(cls)
    return out


def derives_from(cls: type, base: type) -> bool:
    """``cls`` derives from ``base``, by name (a module beside the file is loaded on its own, and the
    class the file imported derives from that module's other copy of the base)."""
    return base.__name__ in [b.__name__ for b in cls.__mro__[1:]]


def derivative_pairs(names: list[str], order: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(f, f_prime)`` for the functions of ``names`` that have a derivative beside them (``_prime``,
    ``_der``, …: :data:`verification.reading.conventions.DERIVATIVE_SUFFIXES`): those named in ``order``
    (lower case) first, in its order, then the others of the same kind (a loss named like one,
    :data:`LOSS_WORDS`, such as ``half_sse``; for activations, any other): a loss and its derivative
    (``mse``, ``mse_prime``), an activation and its (``tanh``, ``tanh_prime``)."""
    losses = order == LOSS_ORDER
    ranked = sorted((n for n in names if n.lower() in order), key=lambda n: order.index(n.lower()))
    ranked += [
        n
        for n in names
        if n not in ranked
        and bool(LOSS_WORDS.search(n) or re.search(r"sse|squared", n, re.I)) == losses
        and not re.search(r"prime|deriv|grad", n, re.I)
    ]
    return [(n, n + suffix) for n in ranked for suffix in cv.DERIVATIVE_SUFFIXES if n + suffix in names]


def _chains(layers: list[type], activations: list[tuple[str, str]], objects: list[str]) -> list[list[str]]:
    """Layer lists as source: two sized layers 4 → 5 → 3 (and → 1), with a hidden activation between
    them when there is one (a layer of no arguments named like one, :data:`HIDDEN_ACTIVATIONS`, else a
    layer that takes an activation function and its derivative, given the first of ``activations``),
    then an output activation; or two layers that each take their sizes and an activation object
    (``Layer(4, 5, Sigmoid())``, ``Layer(5, 3, Softmax())``), the output each of the project's output
    activations, a network of its own."""
    given = [
        c.__name__
        for c in layers
        if [ACTIVATION_ARGS.search(p.name) is not None for p in required_parameters(c)] == [True, True]
    ]
    sized = [
        c
        for c in layers
        if len(required_parameters(c)) == 2 and not loss_class(c) and c.__name__ not in given
    ]
    bare = [c.__name__ + "()" for c in layers if not required_parameters(c) and not loss_class(c)]
    tails = [c for c in bare if OUTPUT_ACTIVATIONS.search(c)]  # each another network (output_layers)
    hidden = [c for c in bare if HIDDEN_ACTIVATIONS.search(c) and c not in tails[:1]][:1]
    if not hidden and given and activations:  # ActivationLayer(tanh, tanh_prime)
        hidden = [f"{given[0]}({activations[0][0]}, {activations[0][1]})"]
    out = []
    handed = [  # Layer(fan_in, fan_out, activation_function): each layer given an activation object
        c.__name__
        for c in layers
        if [ACTIVATION_ARGS.search(p.name) is not None for p in required_parameters(c)]
        == [False, False, True]
    ][: 0 if sized else 1]  # none beside layers sized alone
    inner = sorted(
        (c for c in objects if HIDDEN_ACTIVATIONS.search(c)), key=lambda c: "sigmoid" not in c.lower()
    )
    for name, tail in [(n, c) for n in handed for c in objects if OUTPUT_ACTIVATIONS.search(c) and inner]:
        out += [[f"{name}(4, 5, {inner[0]})", f"{name}(5, {n_out}, {tail})"] for n_out in (3, 1)]
    for tail in tails or [""]:
        for cls in sized[:1]:
            for n_out in (3, 1):
                for between in dict.fromkeys((tuple(c for c in hidden if c != tail), ())):
                    out.append(
                        [
                            f"{cls.__name__}(4, 5)",
                            *between,
                            f"{cls.__name__}(5, {n_out})",
                            *[tail][: bool(tail)],
                        ]
                    )
    return out


def _loss_setter(
    cls: type,
    adder: str | None,
    losses: list[tuple[str, str]],
    objects: list[str] | None = None,
    functions: list[str] | None = None,
) -> str | None:
    """``use(mse, mse_prime)``: a method of the container (not its adder) that takes a loss function
    and its derivative, called with the first pair of ``losses``; else ``setup(lr, loss_fn)``, one
    that takes a loss object (and perhaps a learning rate), called with the first of ``objects`` (and
    0.1); else ``set_loss_function(mse)``, one that takes a loss function alone, called with the one of
    ``functions`` (a loss whose derivative is a flag, ``mse(Y, Y_hat, prime=False)``; with several, the
    verdict would be of a choice made here); None when there is none."""
    for name, fn in inspect.getmembers(cls, inspect.isfunction):
        if name == adder or name.startswith("_"):
            continue
        params = [p.name for p in required_parameters(fn)][1:]
        pair = len(params) == 2 and LOSS_ARG.fullmatch(params[0]) and LOSS_PRIME_ARG.fullmatch(params[1])
        if pair and losses:
            return f"{name}({losses[0][0]}, {losses[0][1]})"
        taken = [LOSS_ARG.fullmatch(p) is not None for p in params]
        rates = [cv.role(p, 1) == "lr" for p in params]
        if objects and any(taken) and all(t or r for t, r in zip(taken, rates, strict=True)):
            return f"{name}({', '.join(objects[0] if t else '0.1' for t in taken)})"
        if functions and len(functions) == 1 and taken == [True]:  # set_loss_function(mse): the one loss
            return f"{name}({functions[0]})"
    return None


def compositions(
    cls: type, script: LoadedScript | None, var: str, flag: dict[str, Any] | None = None
) -> list[str]:
    """Setups building ``cls`` as a container of the script's own layers (module docstring); none for a
    class that takes no layers. ``flag`` gives constructor arguments a value outright (a flag's branch,
    ``loss_function='cross_entropy'``)."""
    if script is None:
        return []
    adder = next((m for m in ADDERS if callable(getattr(cls, m, None))), None)
    required = required_parameters(cls)
    lists = [p for p in required if LAYER_LISTS.match(p.name)]
    if adder is None and not lists:
        return []
    if adder is not None and not lists:
        sized = sized_layers(cls, adder, var)
        if sized:
            return sized
    layers = _layer_classes(script, cls)
    if not any(
        len(required_parameters(c)) in (2, 3) for c in layers
    ):  # the layers live in modules beside the file
        layers = _sibling_layers(script, cls)
    losses = [  # a base the others derive from (class Loss: … raise NotImplementedError) is no loss
        c.__name__ + "()"
        for c in layers
        if loss_class(c) and not required_parameters(c) and not any(derives_from(o, c) for o in layers)
    ]
    functions = [n for n, f in script.module.__dict__.items() if inspect.isfunction(f)]
    functions += list(sibling_functions(script.path, ("",)))
    single = [  # mse(Y, Y_hat, prime=False): a loss function that is its own derivative by a flag
        n for n in functions if (names := _parameter_names(n, script))[-1:] == ["prime"] and len(names) == 3
    ]
    setter = _loss_setter(cls, adder, derivative_pairs(functions, LOSS_ORDER), losses, single)
    objects = [  # Sigmoid(), Softmax(): activation objects a layer may be handed
        f"{n}()"
        for n in script.defined_names()
        if isinstance(c := script.module.__dict__.get(n), type)
        and not inspect.isabstract(c)
        and not required_parameters(c)
        and (OUTPUT_ACTIVATIONS.search(n) or HIDDEN_ACTIVATIONS.search(n))
    ]
    chains, before = _chains(layers, derivative_pairs(functions, ACTIVATION_ORDER), objects), ""
    if not chains and lists:  # NeuronNetwork([NeuronLayer([Neuron(w, b, sigmoid), …]), …])
        chains, before = neuron_layers(script, cls)
    out = []
    for chain in chains:
        values: dict[str, str] = {}
        for p in required:
            if LAYER_LISTS.match(p.name):
                values[p.name] = "[" + ", ".join(chain) + "]"
            elif LOSS_WORDS.search(p.name) and losses:
                values[p.name] = losses[0]
            elif isinstance(
                number := _named_number(p.name), int | float
            ):  # Model(layers, loss, learning_rate)
                values[p.name] = repr(number)
        if len(values) < len(required):
            continue
        values |= {k: repr(v) for k, v in (flag or {}).items()}
        args = ", ".join(f"{k}={v}" for k, v in values.items())
        made = f"{before}{var} = {cls.__name__}({args})"
        if not lists and adder is not None:
            made += "".join(f"; {var}.{adder}({layer})" for layer in chain)
        out.append(made + (f"; {var}.{setter}" if setter is not None else ""))
    return out


def _named_number(name: str) -> object:
    """The number an argument's name gives (a learning rate 0.1, one epoch: :data:`SIZE_GUESSES`)."""
    return next((v for r, v in SIZE_GUESSES if r.search(name)), None)


def _parameter_names(name: str, script: LoadedScript) -> list[str]:
    """The parameter names of the function ``name`` of the script or the modules beside it."""
    fn = script.module.__dict__.get(name) or sibling_functions(script.path, ("",)).get(name, (None,))[0]
    try:
        return list(inspect.signature(fn).parameters) if fn is not None else []
    except (TypeError, ValueError):
        return []


ACTIVATION_FUNCTION = re.compile(r"^(activation|act|transfer)(_?f(n|unc(tion)?)?)?$", re.I)
ACTIVATION_DERIVATIVE = re.compile(
    r"^(activation|act|transfer)_?(f(n|unc(tion)?)?_?)?(prime|derivative|deriv|der|grad|d)$"
    r"|^d_?(activation|act)$",
    re.I,
)


def function_arguments(cls: type, script: LoadedScript | None) -> dict[str, Expression]:
    """Constructor arguments that take functions of the project, given them by name: an activation and
    its derivative (``activation_function``, ``activation_derivative`` → ``tanh``, ``tanh_prime``), a
    loss and its derivative (``loss_func``, ``loss_func_prime`` → ``mse``, ``mse_prime``), from the
    file and the modules beside it (:func:`derivative_pairs`); only for a pair the constructor takes
    both of."""
    if script is None:
        return {}
    names = [p.name for p in required_parameters(cls)]
    functions = [n for n, f in script.module.__dict__.items() if inspect.isfunction(f)]
    functions += [n for n in sibling_functions(script.path, ("",)) if n not in functions]
    out: dict[str, Expression] = {}
    for first, second, order in (
        (ACTIVATION_FUNCTION, ACTIVATION_DERIVATIVE, ACTIVATION_ORDER),
        (LOSS_ARG, LOSS_PRIME_ARG, LOSS_ORDER),
    ):
        value = next((n for n in names if first.fullmatch(n) and not second.fullmatch(n)), None)
        derivative = next((n for n in names if second.fullmatch(n)), None)
        pairs = derivative_pairs(functions, order)
        if value and derivative and pairs:
            out |= {value: Expression(pairs[0][0]), derivative: Expression(pairs[0][1])}
    return out


INITIALISER_ARG = re.compile(r"init\w*_?(fn|func|function|method)|weight_?init", re.I)
"""A constructor argument that takes the function the weights are drawn with (``weight_init_fn``)."""
RANDOM_INIT = re.compile(
    r"^(random|rand|uniform|normal|xavier|glorot|he|kaiming)_?init\w*$|^init_?(random|rand)\w*$", re.I
)
"""A function of the project that draws weights at random (``random_init``), preferred to zeros."""


def initialiser_arguments(cls: type, script: LoadedScript | None) -> dict[str, Expression]:
    """A constructor argument that takes the weights' initialiser (:data:`INITIALISER_ARG`), given the
    project's one random initialiser (:data:`RANDOM_INIT`): ``weight_init_fn=random_init``, never
    ``zero_init``, whose equal weights would hide a bug between the hidden units."""
    if script is None:
        return {}
    functions = [
        n for n, f in script.module.__dict__.items() if inspect.isfunction(f) and RANDOM_INIT.match(n)
    ]
    if len(functions) != 1:
        return {}
    return {
        p.name: Expression(functions[0]) for p in required_parameters(cls) if INITIALISER_ARG.search(p.name)
    }


def annotated_arguments(cls: type, script: LoadedScript | None) -> dict[str, Expression]:
    """Constructor arguments annotated with a class of the project (``cost_func: costs.Cost``), given an
    instance of it: of its one subclass when it has exactly one (the base only names the interface,
    ``QuadraticCost(Cost)`` does the work), of itself when it has none and takes no argument. With
    several subclasses, which one the author means is not known: nothing is given."""
    if script is None:
        return {}
    namespace = script.module.__dict__
    out: dict[str, Expression] = {}
    for p in inspect.signature(cls).parameters.values() if required_parameters(cls) else []:
        if p.default is not inspect.Parameter.empty or p.annotation is inspect.Parameter.empty:
            continue
        annotation = p.annotation
        if isinstance(annotation, str):  # from __future__ import annotations
            try:
                annotation = eval(annotation, namespace)  # a name or attribute of the script
            except Exception:  # an annotation naming what the script does not have
                continue
        if not isinstance(annotation, type) or annotation.__module__ in ("builtins", "typing", "numpy"):
            continue
        subclasses: list[type] = annotation.__subclasses__()
        chosen = subclasses[0] if len(subclasses) == 1 else annotation if not subclasses else None
        named = None if chosen is None or required_parameters(chosen) else _named_in(chosen, namespace)
        if named is not None:
            out[p.name] = Expression(f"{named}()")
    return out


def _named_in(obj: type, namespace: dict[str, Any]) -> str | None:
    """How the script's namespace names ``obj``: ``Cost``, or ``costs.Cost`` through an imported module."""
    for name, value in namespace.items():
        if value is obj:
            return name
    for name, value in namespace.items():
        if inspect.ismodule(value) and getattr(value, obj.__name__, None) is obj:
            return f"{name}.{obj.__name__}"
    return None
