"""What ``check`` is asked to check: ``PATH[:NAME]`` split, and the class to check when no NAME is given.

``PATH`` is a ``.py`` script or a ``.ipynb`` notebook; ``NAME`` a class or function in it, dotted for
a method (``Net.backward``). Without ``NAME`` (:func:`default_name`): the script's only class; of
several classes, the only one with both a forward-like and a backward-like method; with no class, the
only backward-like function. A script that defines no class or function at all keeps its network in
top-level statements, which the loader does not run: the refusal's hint writes out the explicit form
that checks such a script, with the script's own array assignments as its setup.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from typing import Any

from ffnn.validation import InputError
from verification.reading.function_scripts import list_driven, training_functions
from verification.reading.loader import LoadedScript, load_script
from verification.reading.module_functions import module_functions
from verification.reading.source_trees import source_tree
from verification.reading.sources import SUFFIXES, TARGET_FORMS
from verification.reading.training_loops import training_loop


@dataclass(frozen=True)
class Target:
    """``PATH[:NAME]``, parsed once: the script and the class, function or method in it.

    Attributes
    ----------
    path : str
        The script or notebook, as given.
    name : str or None
        A class or function in it, dotted for a method (``Net.backward``); None to choose one.
    """

    path: str
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        """Split ``PATH`` or ``PATH:NAME``.

        A target ending in ``.py`` or ``.ipynb`` is a path, even when the path holds a colon
        (``C:\\x.ipynb``); so is one whose part after the last colon is not a dotted name.

        Raises
        ------
        InputError
            If the target is empty, or has a ``:`` with nothing before or after it.
        """
        refusal = f"target must be {TARGET_FORMS} (a script and a class or function in it), got {text!r}"
        if not isinstance(text, str) or not text.strip():
            raise InputError(refusal)
        if text.endswith(SUFFIXES):
            return cls(text)
        path, sep, name = text.rpartition(":")
        if not sep:
            return cls(text)
        if not path or not name:
            raise InputError(refusal)
        if not all(part.isidentifier() for part in name.split(".")):
            return cls(text)  # a colon inside the path; the path is then checked as it is
        return cls(path, name)

    def __str__(self) -> str:
        return self.path if self.name is None else f"{self.path}:{self.name}"


def parse_target(target: str) -> tuple[str, str | None]:
    """``(path, name)`` of ``PATH[:NAME]`` (:meth:`Target.parse`)."""
    parsed = Target.parse(target)
    return parsed.path, parsed.name


def _settings(cls: type) -> bool:
    """A class of settings alone (``class Config: epsilon = 0.01``, no method): no network."""
    own = {k: v for k, v in vars(cls).items() if not k.startswith("__")}
    return bool(own) and not any(inspect.isfunction(v) for v in own.values())


def _composers(script: LoadedScript, fit: list[type]) -> list[type]:
    """Of several classes with forward and backward methods, the one whose code names the others
    (``MultiLayerPerceptron`` making ``PerceptronLayer`` objects): the network, its layers inside it.
    Empty unless exactly one does."""
    names = {c.__name__ for c in fit}
    bodies = {n.name: n for n in script.tree.body if isinstance(n, ast.ClassDef) and n.name in names}
    found = [
        c
        for c in fit
        if c.__name__ in bodies
        and any(  # its methods, not its bases: a subclass is no network of its base
            isinstance(n, ast.Name) and n.id in names - {c.__name__}
            for n in ast.walk(ast.Module(body=bodies[c.__name__].body, type_ignores=[]))
        )
    ]
    return found if len(found) == 1 else []


def _containers(fit: list[type]) -> list[type]:
    """Of several classes with forward and backward methods, the one whose forward pass runs a list of
    objects in turn (``for layer in self.layers: x = layer.forward(x)``): the container, the others its
    layers. Empty unless exactly one does."""
    found = []
    for c in fit:
        tree = source_tree(c)
        loops = [n for n in ast.walk(tree) if isinstance(n, ast.For)] if tree is not None else []
        if any(
            isinstance(loop.target, ast.Name)
            and any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "forward"
                and getattr(n.func.value, "id", None) == loop.target.id
                for n in ast.walk(loop)
            )
            for loop in loops
        ):
            found.append(c)
    return found if len(found) == 1 else []


def default_name(script: LoadedScript) -> str | None:
    """The class (or function) to check in ``script`` when the target names none, or None when the
    network lives in the script's top-level statements (its training loop is then read).

    Exceptions, classes of settings and the bases of the script's other classes that have no forward
    pass of their own (a ``NeuralNetMixin`` of helpers) are left aside. The script's only class (unless
    it has no method a network has, beside functions: a helper such as a ``Preprocessor``); of several,
    the only
    one with a forward-like method and a gradient-like or training method (the one named like a
    network, when several have them), or none when the script's own training loop chains them (layer
    objects: the loop is checked), else the one that makes the others or runs a list of them in turn (a
    container of layers); with no class, the only backward-like function of a network written
    as functions, or its only training function when that backward function returns nothing (it
    leaves its deltas in the neurons for the update).

    Raises
    ------
    InputError
        Listing the candidates, when several classes fit equally or none of several does.
    """
    from verification.reading import conventions as cv

    namespace = script.module.__dict__
    classes = [
        namespace[n]
        for n in script.defined_names()
        if isinstance(namespace.get(n), type)
        and not _settings(namespace[n])
        and not issubclass(namespace[n], BaseException)  # InvalidGradError(Exception): raised, not checked
    ]
    classes = [c for c in classes if not _helper_base(c, classes)]  # a NeuralNetMixin of helpers
    backwardish = (*cv.GRADIENT_NAMES, *cv.TRAIN_NAMES)

    def helper(c: type) -> bool:  # a Preprocessor beside functions: no method of a network at all
        forwards = cv.methods_by_preference(c, cv.FORWARD_NAMES, ("forward", "feed", "forw_", "fprop"))
        backwards = cv.methods_by_preference(c, backwardish, ("backprop", "backward", "grad", "train"))
        return not forwards and not backwards

    backward = [n for n in script.defined_names() if callable(namespace.get(n)) and _backward_like(n)]
    trainers = [
        n
        for n in script.defined_names()
        if inspect.isfunction(namespace.get(n))
        and re.search(r"train|fit", n, re.I)
        and not re.search(r"test|predict|accuracy|split|load", n, re.I)
    ]
    if len(classes) == 1 and helper(classes[0]) and (backward or trainers):
        classes = []  # the network is the functions beside it
    if len(classes) == 1:
        return classes[0].__name__
    fit = [
        c
        for c in classes
        if cv.methods_by_preference(c, cv.FORWARD_NAMES, ("forward", "feed", "forw_", "fprop"))
        and [
            m
            for m in cv.methods_by_preference(c, backwardish, ("backprop", "backward", "grad", "train"))
            if not cv.applies_given_gradient(getattr(c, m))
        ]
    ]
    if len(fit) > 1:
        named = [c for c in fit if NETWORK_NAME.search(c.__name__)]
        fit = named if len(named) == 1 else fit
    if len(fit) == 1:
        return fit[0].__name__
    if classes and training_loop(script.tree) is not None:
        return None  # layer classes chained by the script's own training loop: the loop is checked
    if classes and any(list_driven(fn) for fn in training_functions(script.tree)):
        return None  # … or by a loop in main() over a list of them
    composers = _composers(script, fit) or _containers(fit) if len(fit) > 1 else []
    composers = [c for c in composers if not LOSS_CLASS.search(c.__name__)]  # a softmax-with-loss layer
    if composers:  # no loop chains them: the class that makes the others is the network
        return composers[0].__name__
    if classes:
        listed = [c.__name__ for c in (fit or classes)]
        reason = "with forward and backward methods" if fit else "none with both forward and backward"
        message = f"{script.path} defines {len(classes)} classes ({reason}: {', '.join(listed)})"
        message += "; say which to check"
        hint = f"name it after the path, e.g. {script.path}:{listed[0]}"
        networks = fit or [c for c in classes if cv.methods_by_preference(c, cv.GRADIENT_NAMES)]
        alike = all(NETWORK_NAME.search(c.__name__) for c in networks)  # not layers, not neurons
        if len(networks) > 1 and len(networks) == len(fit or classes) and alike:  # each is checked
            raise SeveralNetworks(message, [c.__name__ for c in networks], hint=hint)
        raise InputError(message, hint=hint)
    if not backward and not trainers:  # a driver of its project's modules: bp.backward_propagation(…)
        backward = [n for n in module_functions(namespace, script) if _backward_like(n)]
    backward = _outermost(backward, namespace)
    if len(backward) == 1 and (_returns(namespace[backward[0]]) or len(trainers) != 1):
        return backward[0]
    return trainers[0] if len(trainers) == 1 and len(backward) <= 1 else None


def _helper_base(c: type, classes: list[type]) -> bool:
    """Whether ``c`` is a base of another of ``classes`` with no forward-pass method by name (helpers
    such as ``linear_forward`` and ``relu_backward`` only): part of the network that derives from it."""
    from verification.reading import conventions as cv

    derived = any(d is not c and c in d.__mro__[1:] for d in classes)
    return derived and not cv.methods_by_preference(c, cv.FORWARD_NAMES)


LOSS_CLASS = re.compile(r"loss|criterion|cross_?entropy|^(mse|nll|bce)", re.I)
"""A class named like a loss (``SoftmaxWithCrossEntropyLoss``): one that makes another layer (its
softmax) is a loss layer, not the network that composes the others."""
NETWORK_NAME = re.compile(r"net|model|perceptron|mlp|^nn|nn$|classifier|sequential", re.I)
"""A class named like a network (``TwoLayerNet``, ``MLP``, ``Classifier``, ``Sequential``), not like a layer
or a neuron."""


class SeveralNetworks(InputError):
    """Several classes of a script fit as the network equally (``TwoLayerNet`` and
    ``FullyConnectedNet`` of one course file, each with its forward and gradient methods): raised by
    :func:`default_name`; the ``check`` command then checks each of them
    (:mod:`verification.identification.several`).

    Attributes
    ----------
    names : list of str
        The classes, in the file's order.
    """

    def __init__(self, message: str, names: list[str], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.names = names


class SeveralSetups(SeveralNetworks):
    """One network class that is several networks, one per object of the project it can be given (a
    cost object: ``Network(sizes, cost=QuadraticCost())`` and ``…CrossEntropyCost()``): raised by the
    class detection; the ``check`` command then checks the class once per setup, as several classes are.

    Attributes
    ----------
    names : list of str
        Each setup's label (``Network with cost=QuadraticCost()``).
    setups : list of str
        Each setup, binding the network to ``net``.
    cls : str
        The class's name.
    alternatives : list of list of str
        For each setup, the setups to try in turn when it fails (guessed sizes of two hidden layers,
        then of one); ``[[setup] for setup in setups]`` when not given.
    """

    def __init__(
        self,
        message: str,
        names: list[str],
        setups: list[str],
        cls: str,
        alternatives: list[list[str]] | None = None,
    ) -> None:
        super().__init__(message, names, hint=f"name the setup: --setup {setups[0]!r}")
        self.setups = setups
        self.cls = cls
        self.alternatives = alternatives or [[setup] for setup in setups]


def _backward_like(name: str) -> bool:
    """A function named like a backward pass (``propagate(w, b, X, Y)`` too), not an activation's
    derivative (``sigmoidGradient``), a numeric check or an update."""
    return bool(
        re.search(r"backward|back_?prop|grad|^propagat(e|ion)$", name, re.I)
        and not re.match(r"(?i:linear|relu|sigmoid|tanh|softmax)(_|[A-Z])", name)
        and not re.search(r"numeric|check|approx|finite|descent|update|clip", name, re.I)
    )


def _outermost(names: list[str], namespace: dict[str, Any]) -> list[str]:
    """Of several backward-like functions, those no other of them calls: ``backward_propagation``, not
    the ``one_layer_back_propagation`` it calls for each layer."""
    if len(names) < 2:
        return names
    sources = {}
    for n in names:
        try:
            sources[n] = inspect.getsource(namespace[n])
        except (OSError, TypeError):
            return names
    called = {n for n in names for m in names if m != n and re.search(rf"\b{re.escape(n)}\(", sources[m])}
    return [n for n in names if n not in called] or names


def _returns(fn: Any) -> bool:
    """Whether ``fn``'s source returns a value: a backward function that returns nothing (it leaves its
    deltas in the network's neurons) is not the gradient, the training function that uses it is."""
    import ast

    from verification.reading.source_trees import source_tree

    tree = source_tree(fn)
    return tree is None or any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree))


def load_target(target: str) -> tuple[LoadedScript, Any]:
    """Load the script of ``PATH[:NAME]`` and return it with the object ``NAME``.

    Without ``NAME``, the script's class to check is chosen by
    :func:`default_name`; None when the network lives in the script's
    top-level statements.

    Raises
    ------
    InputError
        As :func:`parse_target`, :func:`~verification.reading.loader.load_script`, :func:`default_name`
        and :meth:`LoadedScript.get`.
    """
    path, name = parse_target(target)
    script = load_script(path)
    name = name if name is not None else default_name(script)
    return script, None if name is None else script.get(name)
