"""Finding the units of a file: by naming, and by the protocols of the ecosystem.

=================== ====================================================================== =========
unit                how it is found                                                        kind
=================== ====================================================================== =========
pair                ``X_forward`` / ``X_backward`` (also ``X_backward_alt``, ``X_forward_naive``,  ``pair``
                    ``fprop`` / ``bprop``, plain ``forward`` / ``backward``)
loss function       returns two values, the first a loss (``softmax_loss`` → ``loss, dx``)     ``loss``
loss / derivative   ``mse`` with ``mse_prime``, ``d_mse``, ``mse_derivative``, …; classes with    ``loss``
                    ``loss`` and ``gradient`` methods, or a ``forward(y_pred, y_true)``
layer object        a class with ``forward`` and ``backward(dvalues)`` (or ``fprop`` / ``bprop``)  ``layer``
engine operation    a method of a ``Value`` class that attaches a backward closure to its output   ``op``
=================== ====================================================================== =========

A class whose body is empty and that derives from the base of a layer found is a ``stub`` layer; an
abstract base (every method raises ``NotImplementedError``, subclassed in the file) is not a unit.
Units are listed in the order of the file.
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from typing import Any

from ffnn.validation import InputError
from verification.adapters.compositions import ADDERS
from verification.reading.conventions import FORWARD_NAMES, X_ARGS, Y_ARGS, role
from verification.reading.desired_outputs import desired_outputs
from verification.reading.flags import flag_settings
from verification.reading.loader import LoadedScript
from verification.reading.source_trees import source_tree
from verification.reading.top_level_names import methods_called
from verification.reading.updates import pair_arguments
from verification.units.arguments import parameters
from verification.units.bases import abstract_base
from verification.units.engines import Engine, GraphUnit, OperationUnit
from verification.units.heads import HeadUnit, is_head
from verification.units.layers import LayerUnit, input_first
from verification.units.losses import (
    LossPairUnit,
    after_value,
    derivative_of,
    loss_methods,
    stateful_loss_methods,
)
from verification.units.models import ModelUnit, is_model
from verification.units.pairs import LossFunctionUnit, PairUnit
from verification.units.run import FixedUnit, Unit
from verification.units.running import Runner, failure_line
from verification.units.source import definition, nested_assignments, placeholder, returned_names
from verification.units.upstream import passed_back

FORWARD_WORDS = ("forward", "fprop")
"""Words that name a forward function (``affine_forward``); a backward ``X_backward`` whose forward is
not named so pairs with a function ``X`` (``sigmoid(Z) -> (A, cache)``)."""
BACKWARD_WORDS = ("backward", "bprop")
VARIANT = re.compile(r"_(alt|alternative|v\d+|vectori[sz]ed|fast|simple|naive|loop|loops)\d*$", re.I)
"""Suffixes of a second implementation of the same backward (``batchnorm_backward_alt``)."""
LOSS_NAMES = re.compile(r"loss|cost|error|entropy|mse|mae|nll|hinge|huber", re.I)


def _key(name: str, words: tuple[str, ...]) -> str | None:
    for word in words:
        if re.search(word, name, re.I):
            return re.sub(word, "*", name, count=1, flags=re.I)
    return None


def _stem(key: str) -> str:
    stem = re.sub(r"_+", "_", key.replace("*", "_")).strip("_")
    return stem or "forward"


def functions(script: LoadedScript) -> list[tuple[str, Any]]:
    """The script's own top-level functions, in order; a function whose first argument is ``self`` is a
    method written at the top level (a notebook's fragment of a class assembled later), not a unit."""
    ns = script.module.__dict__
    return [
        (n, ns[n])
        for n in script.defined_names()
        if isinstance(ns.get(n), types.FunctionType) and [p.name for p in parameters(ns[n])][:1] != ["self"]
    ]


def _takes_labels(fn: Any) -> bool:
    """A backward that takes the labels (``backward(x, y, W1, W2)``, ``backward_prop(Z1, A1, A2, W1,
    W2, X, one_hot_Y, m)``) is a network's, not a layer's."""
    return any(
        p.name.lower() in {n.lower() for n in Y_ARGS} or role(p.name, i) == "y"
        for i, p in enumerate(parameters(fn))
    )


def pair_units(script: LoadedScript, seed: int) -> tuple[list[tuple[int, Unit]], set[str]]:
    """The forward/backward function pairs, with their line, and the names they use."""
    funcs = functions(script)
    forwards = {k: (n, f) for n, f in funcs if (k := _key(n, FORWARD_WORDS)) is not None}
    lines = {s.name: s.lineno for s in script.tree.body if isinstance(s, ast.FunctionDef)}
    out: list[tuple[int, Unit]] = []
    used: set[str] = set()
    for name, fn in funcs:
        key = _key(name, BACKWARD_WORDS)
        if key is None:
            continue
        match = forwards.get(key)
        stem = _stem(key)
        if match is None:
            base = VARIANT.sub("", key)
            match = next((v for k, v in forwards.items() if VARIANT.sub("", k) == base), None)
        if match is None and (plain := key.replace("_*", "").replace("*", "")) in dict(funcs):
            match = (plain, dict(funcs)[plain])  # sigmoid(Z) -> (A, cache) with sigmoid_backward(dA, cache)
        if match is None or _takes_labels(fn):
            continue
        out.append(
            (
                lines.get(match[0], 0) * 1000 + lines.get(name, 0),
                PairUnit(stem, match, (name, fn), script, seed),
            )
        )
        used |= {name, match[0]}
    return out, used


SCALAR_CALLS = frozenset({"mean", "sum", "float", "int", "len", "average", "item", "round", "count_nonzero"})
"""Calls that reduce to one number: a second returned value made by one is an error rate, no gradient."""


def _returns_loss_and_gradient(script: LoadedScript, name: str) -> bool:
    node = next((s for s in script.tree.body if isinstance(s, ast.FunctionDef) and s.name == name), None)
    names = returned_names(node)
    if len(names) != 2:
        return False
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)] if node is not None else []
    last = returns[-1].value if returns else None
    if isinstance(last, ast.Tuple) and isinstance(second := last.elts[1], ast.Call):
        called = (
            second.func.attr if isinstance(second.func, ast.Attribute) else getattr(second.func, "id", "")
        )
        if called in SCALAR_CALLS:  # loss_err(h, y): the loss and np.mean(h.argmax(1) != y), an error rate
            return False
    first = (names[0] or "").lower()
    return bool(LOSS_NAMES.search(name)) or first in ("loss", "cost", "j", "l", "data_loss")


def loss_function_units(script: LoadedScript, seed: int, used: set[str]) -> list[tuple[int, Unit]]:
    """Functions returning a loss and its gradient, with their line."""
    lines = {s.name: s.lineno for s in script.tree.body if isinstance(s, ast.FunctionDef)}
    out: list[tuple[int, Unit]] = []
    for name, fn in functions(script):
        if name not in used and _returns_loss_and_gradient(script, name):
            out.append((lines.get(name, 0) * 1000, LossFunctionUnit(name, (name, fn), script, seed)))
    return out


def derivative_units(script: LoadedScript, seed: int, used: set[str]) -> list[tuple[int, Unit]]:
    """Functions paired with the function they are the derivative of, by name (``mse_prime``)."""
    funcs = dict(functions(script))
    lines = {s.name: s.lineno for s in script.tree.body if isinstance(s, ast.FunctionDef)}
    out: list[tuple[int, Unit]] = []
    for name, fn in funcs.items():
        base = None if name in used else derivative_of(name, list(funcs))
        if base is not None and base not in used:
            unit = LossPairUnit(base, (base, funcs[base]), (name, fn), script, seed)
            out.append((lines.get(base, 0) * 1000 + lines.get(name, 0), unit))
    return out


FORWARD_METHODS = (
    *("forward", "fprop", "fwd", "forward_pass", "forward_propagation", "prop", "__call__"),
    *("propaga", "propagar", "propagate"),  # Catalan, Spanish: propaga, retropropaga
)
BACKWARD_METHODS = (
    *("backward", "bprop", "bwd", "backward_pass", "backward_propagation", "backprop", "dprop"),
    *("retropropaga", "retropropagar"),
)
INPUT_NAMES = {n.lower() for n in (*X_ARGS, *Y_ARGS)}


def _required(cls: type) -> list[Any]:
    return [p for p in parameters(cls) if p.default is p.empty]


def _loss_object(
    cls: type, script: LoadedScript, seed: int, values: list[str], derivative: str, *, stateful: bool
) -> Unit:
    """The loss class ``cls`` built with no arguments, as a loss and its derivative (methods ``values``,
    the first tried first, and ``derivative``); a stateful one's derivative (``backward()``, reading
    what ``forward`` kept) runs after the value (:func:`~verification.units.losses.after_value`)."""
    try:
        obj = Runner(script, seed).call(f"{cls.__name__}()", cls)
    except InputError as exc:
        reason = f"{cls.__name__}() {failure_line(exc)}"
        return FixedUnit(cls.__name__, "loss", cls.__name__, None, "refused", reason)
    named = [(f"{cls.__name__}.{m}", getattr(obj, m)) for m in values]
    slope = getattr(obj, derivative)
    if stateful:
        slope = after_value(named[0][1], slope)
    return LossPairUnit(
        cls.__name__, named[0], (f"{cls.__name__}.{derivative}", slope), script, seed, named[1:]
    )


def _forward_of_inputs(cls: type) -> bool:
    """A class with a forward pass of one argument named like inputs (``forward(self, x)``) besides a
    ``loss(prediction, labels)`` and a ``backward(cache, labels)`` is a network, not a loss."""
    for name in FORWARD_NAMES:
        fn = getattr(cls, name, None)
        args = parameters(fn)[1:] if callable(fn) and name in vars(cls) else []
        if len(args) == 1 and role(args[0].name, 0) == "x":
            return True
    return False


def _wraps(cls: type, forward: str) -> bool:
    """Whether the class's ``__call__``, written in the project, runs ``self.forward`` after keeping what
    the backward reads (``def __call__(self, x): self.inputs = x; return self.forward(x)``): the layer's
    forward pass as the project runs it."""
    call = next((vars(c)["__call__"] for c in cls.__mro__[:-1] if "__call__" in vars(c)), None)
    tree = source_tree(call) if inspect.isfunction(call) else None
    return tree is not None and forward in methods_called(tree, {"self"})


def layer_methods(cls: type) -> tuple[str, str] | None:
    """The forward and backward methods of a layer object (``forward``, ``backward``), or None for a
    class that is no layer (a network's ``backward(x, y)``, a backward that takes no upstream gradient)."""
    forward = next((m for m in FORWARD_METHODS if callable(getattr(cls, m, None)) and m in dir(cls)), None)
    backward = next((m for m in BACKWARD_METHODS if callable(getattr(cls, m, None))), None)
    if forward is None or backward is None or (forward == "__call__" and "__call__" not in vars(cls)):
        return None
    forward = "__call__" if forward != "__call__" and _wraps(cls, forward) else forward  # self.inputs = x
    params = parameters(getattr(cls, backward))[1:]
    if not params:
        return None  # backward(self): no upstream gradient taken, a network's that keeps its own error
    if all(p.default is not p.empty for p in params) and len(parameters(getattr(cls, forward))) == 2:
        return None  # backward(self, dout=1) after forward(self, x): a network's (a loss layer's takes t)
    takes_input = input_first(getattr(cls, backward), INPUT_NAMES, cls)  # backward(self, input, grad_output)
    upstream = passed_back(getattr(cls, backward))
    named = params[0].name.lower() in INPUT_NAMES and not takes_input
    if not upstream and (named or _takes_labels(getattr(cls, backward))):
        return None  # a network's backward(x, y): checked as a network (backward(self, y) returning
        # np.dot(y, self.w.T) takes the upstream gradient, whatever its name)
    if desired_outputs(getattr(cls, backward)):
        return None  # backward(self, d) with e = d - self.y: the desired output, a network's
    if pair_arguments(getattr(cls, backward)):
        return None  # backward(batch) reading batch[0] and batch[1]: inputs and labels, a network's
    return forward, backward


def _is_engine(cls: type, script: LoadedScript) -> bool:
    node = definition(script, cls.__name__, cls)
    methods = [m for m in getattr(node, "body", []) if isinstance(m, ast.FunctionDef)]
    if not any(nested_assignments(m) for m in methods):
        return False
    try:
        return hasattr(cls(1.5), "grad") or any("grad" in k for k in vars(cls(1.5)))
    except Exception:  # a class that does not take one number is not an engine's value
        return False


def _engine_units(cls: type, script: LoadedScript, seed: int, classes: list[type]) -> list[Unit]:
    engine = Engine(cls, script)
    units: list[Unit] = [OperationUnit(engine, op, seed) for op in engine.operations]
    method = next((m for m in ("backward", "backprop") if callable(getattr(cls, m, None))), None)
    if method is not None:
        units.append(GraphUnit(engine, method, seed))
        units += [ModelUnit(c, engine, seed) for c in classes if is_model(c, engine)]
    return units


def class_units(script: LoadedScript, seed: int) -> list[tuple[int, Unit]]:
    """Engines, heads, loss classes, layer objects and empty layers, with their line."""
    ns = script.module.__dict__
    classes = [ns[n] for n in script.defined_names() if isinstance(ns.get(n), type)]
    lines = {s.name: s.lineno for s in script.tree.body if isinstance(s, ast.ClassDef)}
    out: list[tuple[int, Unit]] = []
    layer_bases: set[type] = set()
    empty: list[type] = []
    engines: set[type] = set()
    for cls in classes:
        if any(is_model(cls, Engine(e, script)) for e in engines):
            continue  # a model on an engine: checked with the engine
        line = lines.get(cls.__name__, 0) * 1000
        if abstract_base(cls, script, classes) or any(callable(getattr(cls, m, None)) for m in ADDERS):
            continue  # an abstract base; a container its layers are added to (add_layer): no unit
        if _is_engine(cls, script):
            out += [(line + i, u) for i, u in enumerate(_engine_units(cls, script, seed, classes))]
            engines.add(cls)
        elif is_head(cls):
            out.append((line, HeadUnit(cls, script, seed)))
        elif (
            (methods := loss_methods(cls)) is not None and not _required(cls) and not _forward_of_inputs(cls)
        ):
            out.append((line, _loss_object(cls, script, seed, methods[0], methods[1], stateful=False)))
        elif (stateful := stateful_loss_methods(cls)) is not None and not _required(cls):
            out.append((line, _loss_object(cls, script, seed, [stateful[0]], stateful[1], stateful=True)))
        elif (layer := layer_methods(cls)) is not None:
            out += [(line, LayerUnit(cls, layer, script, seed, preset)) for preset in flag_settings(cls)]
            layer_bases |= {b for b in cls.__bases__ if b is not object}
        elif placeholder(definition(script, cls.__name__, cls)).startswith("an empty class"):
            empty.append(cls)
    for cls in empty:
        if set(cls.__bases__) & layer_bases:
            reason = (
                f"{cls.__name__} is not implemented ({placeholder(definition(script, cls.__name__, cls))})"
            )
            out.append(
                (
                    lines.get(cls.__name__, 0) * 1000,
                    FixedUnit(cls.__name__, "layer", cls.__name__, cls.__name__, "stub", reason),
                )
            )
    return out


def discover(script: LoadedScript, seed: int = 0) -> list[Unit]:
    """Every unit of the script, in the order of the file (see the module docstring).

    Parameters
    ----------
    script : LoadedScript
    seed : int
        The check's seed (re-seeds the generators the code draws from).
    """
    found, used = pair_units(script, seed)
    losses = loss_function_units(script, seed, used)
    used |= {u.forward for _, u in losses}
    found += losses + derivative_units(script, seed, used) + class_units(script, seed)
    return [u for _, u in sorted(found, key=lambda item: item[0])]


def select(units: list[Unit], name: str) -> list[Unit]:
    """The units ``name`` names: a unit (``affine``), its forward or backward (``affine_backward``,
    ``Dense.backward``), or a class (``Value``: all its operations)."""
    out = []
    for u in units:
        names = {
            u.name,
            u.forward,
            u.backward or "",
            u.forward.split(".")[0],
            (u.backward or "").split(".")[0],
        }
        if name in names:
            out.append(u)
    return out
