"""``check`` on a file of units: whether a target is one, and the check of all its units (or one).

:func:`wants_units` is the decision the ``check`` command takes (its job in
:mod:`verification.runs.jobs` calls it): a file is checked unit by unit when the target names a unit,
or names nothing and the file's units are not part of a network the network check would take. A
network file (a class with ``forward`` and ``backward(x, y)``, functions over a dict of parameters, a
training loop at the top level) is checked as before.
"""

from __future__ import annotations

import ast
import re
import time
from dataclasses import dataclass, field

from ffnn.validation import InputError
from verification.adapters.compositions import compositions
from verification.adapters.flat_costs import flat_costs
from verification.adapters.local_forwards import PROPAGATORS
from verification.adapters.neuron_dicts import neuron_dict_recipes
from verification.drivers.layer_lists import layer_list_recipes
from verification.reading import conventions as cv
from verification.reading.function_scripts import list_driven, training_functions
from verification.reading.loader import LoadedScript, load_script
from verification.reading.sibling_constructions import trained_beside
from verification.reading.source_trees import source_tree
from verification.reading.sources import Python2Syntax
from verification.reading.targets import SeveralNetworks, default_name
from verification.reading.training_loops import steps_at_top_level, training_loop, trains_at_top_level
from verification.units.composed_layers import composed_layer_units
from verification.units.composition import composition
from verification.units.discovery import discover, select
from verification.units.run import Unit, UnitResult, check_unit, status
from verification.units.unchecked import unchecked_gradients


@dataclass
class UnitsReport:
    """The check of a file's units.

    Attributes
    ----------
    path : str
        The file, as given.
    results : list of UnitResult
    seed : int
    method : str
        ``auto``, ``complex-step`` or ``richardson`` as asked (each setting names the method that ran).
    full : bool
        Every entry one by one.
    seconds : float
    failed_imports : dict of str to str
        Names whose import failed (placeholders or stand-in bases).
    network : str
        The layers of a network composed at the top level and which breaks first
        (:mod:`verification.units.composition`), or empty.
    unchecked : list of str
        Functions of the file named like gradients that no unit covers
        (:mod:`verification.units.unchecked`): not checked, and said so.
    """

    path: str
    results: list[UnitResult] = field(default_factory=list)
    seed: int = 0
    method: str = "auto"
    full: bool = False
    seconds: float = 0.0
    failed_imports: dict[str, str] = field(default_factory=dict)
    network: str = ""
    unchecked: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        """0 every unit checked matches, 1 a mismatch, 2 none could be checked
        (:func:`verification.units.run.status`)."""
        return status(self.results)


def _network_target(script: LoadedScript) -> str | None:
    """The class or function the network check would take without a name, or None."""
    try:
        return default_name(script)
    except SeveralNetworks as several:  # two networks side by side: the network check takes each
        return several.names[0]
    except InputError:
        return None


def _composed(script: LoadedScript, name: str) -> bool:
    """Whether ``name`` is a container class that the network check builds from the layer classes of
    the file or the modules beside it (:func:`verification.adapters.compositions.compositions`)."""
    cls = script.module.__dict__.get(name)
    return isinstance(cls, type) and bool(compositions(cls, script, "net"))


def _builds_layers(script: LoadedScript, name: str, units: list[Unit]) -> bool:
    """Whether class ``name`` makes instances of another of the file's unit classes in its constructor
    (``self.layers.append(DenseLayer(…))``) and has a training method that takes inputs and labels
    (``train_step(x_batch, y_batch, learning_rate)``): a network of those layers, checked as one."""
    cls = script.module.__dict__.get(name)
    init = vars(cls).get("__init__") if isinstance(cls, type) else None
    tree = source_tree(init) if init is not None else None
    layers = {u.name for u in units} - {name}
    made = tree is not None and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in layers
        for n in ast.walk(tree)
    )
    trains = [m for m in cv.methods_by_preference(cls, cv.TRAIN_NAMES, ("train", "fit")) if m != "__init__"]
    return made and any(
        {"x", "y"}
        <= {cv.role(p.name, i) for i, p in enumerate(cv.positional_parameters(getattr(cls, m))[1:])}
        for m in trains
    )


def _roles(fn: object) -> set[str | None]:
    """The roles (:func:`verification.reading.conventions.role`) of ``fn``'s positional parameters."""
    if not callable(fn):
        return set()
    return {cv.role(p.name, i) for i, p in enumerate(cv.positional_parameters(fn))}


def _backward_takes_labels(script: LoadedScript, name: str) -> bool:
    """Whether class ``name`` has a forward pass and a backward pass whose only argument is named as the
    labels (``backward(self, expected)``, ``backprop(self, target)``): a network's backward pass, handed
    what its output is compared with, not a layer's, handed ``∂L/∂(output)``. A bare ``y`` says nothing
    alone (a layer's ``backward(self, y)`` is often handed the gradient of its output ``y``): its
    readings are tried as units are."""
    cls = script.module.__dict__.get(name)
    if not isinstance(cls, type) or not cv.methods_by_preference(cls, cv.FORWARD_NAMES):
        return False
    for m in cv.methods_by_preference(cls, cv.GRADIENT_NAMES):
        given = cv.positional_parameters(getattr(cls, m))[1:]
        if len(given) == 1 and cv.role(given[0].name, 1) == "y" and given[0].name.lower() != "y":
            return True
    return False


def _trains_itself(script: LoadedScript, name: str) -> bool:
    """Whether class ``name`` has a training method that takes inputs and labels and calls its own
    backward pass (``train(X, Y)``: ``self.forward(X); self.backward(softmax(self.out) - Y)``): a network
    whose training code decides what its backward pass is handed, checked as one. Read as a layer, its
    backward would be held to taking ``∂L/∂(forward's output)``, which its own calls need not keep."""
    cls = script.module.__dict__.get(name)
    if not isinstance(cls, type):
        return False
    kept = _roles(getattr(cls, "__init__", None))  # MultiLayer(x, y): fit(self) trains on the data it keeps
    for m in cv.methods_by_preference(cls, cv.TRAIN_NAMES, ("train", "fit")):
        bare = len(cv.positional_parameters(getattr(cls, m))) == 1  # fit(self)
        roles = kept if bare and {"x", "y"} <= kept else _roles(getattr(cls, m))
        tree = source_tree(getattr(cls, m))
        if m == "__init__" or tree is None or not {"x", "y"} <= roles:
            continue
        if any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "self"
            and re.search(r"back|bprop", n.func.attr, re.I)
            for n in ast.walk(tree)
        ):
            return True
    return False


def _trains(script: LoadedScript) -> bool:
    """Whether the script trains something itself: a top-level loop or step, or a training function."""
    tree = script.tree
    return bool(training_loop(tree) or trains_at_top_level(tree) or steps_at_top_level(tree)) or bool(
        training_functions(tree)
    )


def wants_units(
    script: LoadedScript, name: str | None, explicit: bool = False, seed: int = 0
) -> list[Unit] | None:
    """The units to check, or None when the target is for the network check.

    Parameters
    ----------
    script : LoadedScript
    name : str or None
        The target's ``NAME``.
    explicit : bool
        The explicit form (``--forward`` …) was given: always the network check.
    seed : int
        The check's seed, which the units re-seed the code's generators with.
    """
    if explicit:
        return None
    units = discover(script, seed)
    if not units and name is None and not _trains(script):  # a class that only assembles the project's
        return composed_layer_units(script, seed) or None  # layers: they hold all the backward code
    if not units:
        return None
    if name is not None:
        chosen = select(units, name)
        return chosen or None
    _refuse_broken_training(script)
    if len(flat_costs(script)) == 1 and (name is None or name in flat_costs(script)):
        return None  # nnCostFunction(nn_params, …, X, y, lambda_) → (J, grad): a network's cost
    if training_loop(script.tree) is not None or trains_at_top_level(script.tree):
        return None  # the script's own code trains a network: that network is checked (or refused)
    if any(list_driven(fn) for fn in training_functions(script.tree)):
        return None  # main(): for layer in layers: … layer.backward(…): that network is checked
    if training_functions(script.tree) and all(u.kind == "pair" for u in units):
        return None  # main() trains with sigmoid and sigmoid_derivative: the training, not the helpers
    if steps_at_top_level(script.tree) and all(u.kind == "pair" for u in units):
        return None  # w5_new = w5 - eta * dE_dw5 with sigmoid_deriv: the hand-worked step, not the helper
    if layer_list_recipes(script) or neuron_dict_recipes(script):
        return None  # train(network, X, y) over the project's layers or dict neurons: that network
    network = _network_target(script)
    if network is not None and (not select(units, network) or network.lower() in PROPAGATORS):
        return None  # propagate(w, b, X, Y): forward and backward at once, a network's, not a unit's
    if network is not None and _composed(script, network):
        return None  # a container given layers from the modules beside it: that network is checked
    if network is not None and _builds_layers(script, network, units):
        return None  # DenseNeuralNetwork(sizes, activations) making DenseLayer(…) and training on (x, y)
    if network is not None and _trains_itself(script, network):
        return None  # train(X, Y): self.backward(softmax(self.out) - Y), the class's own composition
    if network is not None and _backward_takes_labels(script, network):
        return None  # backward(self, expected): error = expected - self.output, a network's step
    if network is not None and trained_beside(script.path, network):
        return None  # train.py beside model.py: model.backward(cross_entropy_derivative(probs, Y))
    return units


BROKEN_TRAINING = re.compile(r"(def|class) \w*(train|fit|back|grad|step|net|model|mlp|perceptron)", re.I)
"""A definition left out for a syntax error that holds the file's network or its training."""


def _refuse_broken_training(script: LoadedScript) -> None:
    """Refuse a file whose network or training function has a syntax error and was left out
    (:attr:`~verification.reading.sources.Source.unparsed`): the units left would be checked while the
    code that trains them is not read at all."""
    broken = [
        u for u in (script.source.unparsed if script.source is not None else ()) if BROKEN_TRAINING.search(u)
    ]
    if broken and script.source is not None and script.source.origins is None:
        raise InputError(
            f"{script.path}: {broken[0]}: the file's training code does not compile, so its network "
            "cannot be checked",
            hint="fix the syntax error, or name a unit to check alone (FILE:NAME)",
        )


def units_target(
    path: str, name: str | None, *, explicit: bool = False, seed: int = 0
) -> tuple[LoadedScript, list[Unit]] | None:
    """The loaded script and its units when ``PATH[:NAME]`` is a file of units (:func:`wants_units`);
    None for the network check, which also reports a script that does not load. A Python 2 script is
    translated by 2to3 first (:func:`verification.reading.loader.load_script`)."""
    try:
        script = load_script(path)
    except Python2Syntax:
        try:
            script = load_script(path, python2=True)
        except InputError:
            return None
    except InputError:
        return None
    units = wants_units(script, name, explicit, seed)
    return None if units is None else (script, units)


def check_units(
    script: LoadedScript,
    units: list[Unit],
    *,
    seed: int = 0,
    method: str = "auto",
    full: bool = False,
    path: str | None = None,
) -> UnitsReport:
    """Check every unit over its settings.

    Parameters
    ----------
    script : LoadedScript
    units : list of Unit
        From :func:`wants_units` or :func:`verification.units.discovery.discover` (made with ``seed``).
    seed : int
        Seeds every draw; the report prints it.
    method : str
        ``auto`` (complex step where the forward is complex-safe, else Richardson), ``complex-step``
        or ``richardson``.
    full : bool
        Every entry one by one (default: a sample and random directions, with the miss probability
        stated).
    path : str, optional
        The file as the user gave it, for the report.

    Raises
    ------
    InputError
        On an unknown method.
    """
    if method not in ("auto", "complex-step", "richardson"):
        raise InputError(f"method must be auto, complex-step or richardson, got {method!r}")
    start = time.perf_counter()
    results: list[UnitResult] = []
    for u in units:
        after = getattr(u, "after", None)
        if callable(after):  # a unit built on others (an engine's graph) hears how they did
            after(results)
        results.append(check_unit(u, seed, method=method, full=full))
    network = composition(script, results)
    return UnitsReport(
        path if path is not None else str(script.path),
        results,
        seed,
        method,
        full,
        time.perf_counter() - start,
        dict(script.failed_imports),
        network.describe(results) if network is not None else "",
        unchecked_gradients(script, results),
    )
