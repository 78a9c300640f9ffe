"""Networks built neuron by neuron: a container given its layers, each layer given its neurons.

Code written for readability often models a network as objects three levels deep and leaves the
building to a script elsewhere::

    class Neuron:        def __init__(self, weights, bias, fun)    … feed(inputs)
    class NeuronLayer:   def __init__(self, neurons)               … feed, back_propagation_…
    class NeuronNetwork: def __init__(self, layers)                … feed, train

:func:`neuron_layers` writes the layers of a 4 → 5 → 3 (and → 1) network as source, from the classes
of the file and of the modules beside it: each layer is the layer class given a list of neurons, each
neuron the neuron class given what the names of its constructor's arguments ask for:

* its weights (``weights``, ``w``): a vector of as many entries as the layer has inputs, drawn from a
  seeded generator (the checker sets every parameter itself before each probe);
* its bias (``bias``, ``b``, ``threshold``): a number;
* its number of inputs (``n_inputs``, ``num_inputs``, ``input_size``);
* its activation function (``fun``, ``activation``, ``transfer``): the one function of the project named
  like an activation (``sigmoid``, ``tanh``, ``relu``), from the file, the modules beside it, or the
  folder above a package. A neuron that takes its activation from the caller often differentiates it
  itself (``output * (1 − output)``), so with two such functions in the project the choice would decide
  the verdict: then no network is built, and the check is refused with the explicit form to give.

The network is a setup like any other: the explicit form shows it.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from verification.reading.loader import LoadedScript
from verification.reading.siblings import sibling_functions

NEURON_LISTS = re.compile(r"^(neurons?|neuron_?list|list_?of_?neurons|units|nodes|cells|perceptrons)$", re.I)
"""The argument of a layer's constructor that takes its list of neurons."""
WEIGHTS = re.compile(r"^(weights?|w|ws|weight_?vector|initial_?weights)$", re.I)
BIAS = re.compile(r"^(bias|b|threshold|theta|initial_?bias)$", re.I)
INPUTS = re.compile(
    r"^(n_?inputs?|num_?inputs?|number_?of_?inputs|inputs?_?(size|count|num|number|dim)|n_?in|"
    r"weights?_?(num|count|number)|n_?weights|num_?weights|input_?length)$",
    re.I,
)
FUNCTION = re.compile(
    r"^(fun|func|fn|f|activation|act|activation_?f(n|unc(tion)?)?|transfer(_?f(n|unc(tion)?))?)$", re.I
)
ACTIVATIONS = ("sigmoid", "logistic", "tanh", "relu", "leaky_relu", "softplus")
"""Names of activation functions a neuron can be given, in lower case."""
NEURON_FORWARD = re.compile(r"forw|feed|activate|output|evaluate|compute|fire|predict|__call__", re.I)
SIZES = (4, 5, 3)
"""The network built: 4 inputs, 5 hidden neurons, 3 outputs (or 1)."""
SETUP = "import numpy as _np; _rng = _np.random.default_rng(0); "
"""The generator the neurons' weights are drawn from, before the container is made."""


def _required(cls: Any) -> list[str]:
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return []
    return [
        p.name for p in params if p.default is inspect.Parameter.empty and p.kind == p.POSITIONAL_OR_KEYWORD
    ]


def _kind(name: str) -> str | None:
    for kind, pattern in (("weights", WEIGHTS), ("bias", BIAS), ("inputs", INPUTS), ("function", FUNCTION)):
        if pattern.fullmatch(name):
            return kind
    return None


def _classes(script: LoadedScript, avoid: type) -> list[type]:
    """The classes of the script and of the modules beside it, but ``avoid`` (the container)."""
    own = [script.module.__dict__.get(n) for n in script.defined_names()]
    beside = [c for c, _ in sibling_functions(script.path, ("",), kind=inspect.isclass).values()]
    seen: dict[str, type] = {}
    for c in [*own, *beside]:
        if isinstance(c, type) and c is not avoid and c.__name__ not in seen:
            seen[c.__name__] = c
    return list(seen.values())


def layer_of_neurons(cls: type) -> bool:
    """A layer class whose constructor takes one list of neurons (:data:`NEURON_LISTS`) and nothing else
    without a default."""
    required = _required(cls)
    return len(required) == 1 and bool(NEURON_LISTS.fullmatch(required[0]))


def neuron_class(cls: type) -> bool:
    """A neuron class: a method that computes its output (:data:`NEURON_FORWARD`), and a constructor
    whose arguments without defaults are all known by their names (weights, bias, number of inputs,
    activation function), one of them its weights or its number of inputs."""
    required = _required(cls)
    kinds = [_kind(n) for n in required]
    methods = [m for m, _ in inspect.getmembers(cls, inspect.isfunction)]
    return (
        bool(required)
        and None not in kinds
        and bool({"weights", "inputs"} & set(kinds))
        and any(NEURON_FORWARD.search(m) for m in methods if m != "__init__")
        and not layer_of_neurons(cls)
    )


def activation_functions(script: LoadedScript) -> dict[str, str]:
    """The project's functions named like an activation (:data:`ACTIVATIONS`), by name, with where each
    is defined: the file, the modules beside it, and the modules of the folder above (the root of a
    project whose network lives in a sub-folder, ``neuron_net/``)."""
    found: dict[str, str] = {}
    for name in script.defined_names():
        if name.lower() in ACTIVATIONS and inspect.isfunction(script.module.__dict__.get(name)):
            found[name] = script.path.name
    for where in (script.path, script.path.parent):
        for name, (_, file) in sibling_functions(where, ACTIVATIONS).items():
            if name.lower() in ACTIVATIONS:
                found.setdefault(name, file if where == script.path else str(Path("..") / file))
    return found


def _neuron(cls: type, n_in: int, function: str | None) -> str | None:
    args = []
    for name in _required(cls):
        kind = _kind(name)
        if kind == "weights":
            args.append(f"_rng.standard_normal({n_in})")
        elif kind == "bias":
            args.append("float(_rng.standard_normal())")
        elif kind == "inputs":
            args.append(str(n_in))
        elif function is None:
            return None
        else:
            args.append(function)
    return f"{cls.__name__}({', '.join(args)})"


def unbuilt(script: LoadedScript, container: type) -> tuple[str, str] | None:
    """Why a container of layers of neurons is not built, with the explicit setup to give instead: its
    neurons take an activation function, and the project has not exactly one (:func:`neuron_layers`);
    None when it is built, or is no such container."""
    classes = _classes(script, container)
    layers = [c for c in classes if layer_of_neurons(c)]
    neurons = [c for c in classes if neuron_class(c) and c not in layers]
    if len(layers) != 1 or len(neurons) != 1 or "function" not in [_kind(n) for n in _required(neurons[0])]:
        return None
    functions = sorted(activation_functions(script))
    if len(functions) == 1:
        return None
    found = f"defines {len(functions)} ({', '.join(functions)})" if functions else "defines none"
    made = f"{layers[0].__name__}([{neurons[0].__name__}({', '.join(_required(neurons[0]))}), …])"
    reason = (
        f"its neurons take an activation function ({made}) and the project {found}: which one the "
        "neurons' own derivative assumes is not known, and the choice would decide the verdict"
    )
    return reason, f'give the setup: --setup "net = {container.__name__}([{made}, …])" with the activation'


def neuron_layers(script: LoadedScript, container: type) -> tuple[list[list[str]], str]:
    """Layer lists as source, 4 → 5 → 3 and 4 → 5 → 1, for a container of layers of neurons (module
    docstring), and the setup code they need before them; no lists when the project has no layer class
    of neurons, no neuron class, or a neuron that takes an activation function and not exactly one
    such function in the project."""
    classes = _classes(script, container)
    layers = [c for c in classes if layer_of_neurons(c)]
    neurons = [c for c in classes if neuron_class(c) and c not in layers]
    if len(layers) != 1 or len(neurons) != 1:
        return [], ""
    functions = list(activation_functions(script))
    function = functions[0] if len(functions) == 1 else None
    out = []
    for n_out in (SIZES[2], 1):
        made = []
        for n_in, width in ((SIZES[0], SIZES[1]), (SIZES[1], n_out)):
            one = _neuron(neurons[0], n_in, function)
            if one is None:
                return [], ""
            made.append(f"{layers[0].__name__}([{one} for _ in range({width})])")
        out.append(made)
    return out, SETUP
