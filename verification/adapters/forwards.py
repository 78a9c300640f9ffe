"""The forward pass of a network class: which method it is and where its output is read.

The forward pass is a method named like one (:data:`verification.reading.conventions.FORWARD_NAMES`)
given ``x`` (or, when it takes no argument, with ``x`` put in the attribute the constructor stored its
input in); else a ``loss(X, y=None)`` that returns the scores without labels; else, for a class that
names it like none of those, a method taking exactly the inputs that returns a value
(``update(self, inputs)``). Its output is what it returns (a list of floats for a pure-Python
network), the stacked rows of a list of one output per sample (:mod:`verification.reading.
sample_lists`), last among the arrays of a returned tuple, the last of a returned list of every
layer's activation that starts with the input (``return [zs, activations]``), the entry of a returned
dict the class's own code reads as its output (:mod:`verification.reading.dict_output`), or the
attribute it stored (:data:`OUTPUT_ATTRIBUTES`).
"""

from __future__ import annotations

import contextlib
import inspect
import re
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.failures import Failed
from verification.adapters.kept_data import kept_data
from verification.adapters.layouts import Layout
from verification.adapters.local_forwards import evaluator_forwards
from verification.reading import conventions as cv
from verification.reading.dict_output import dict_output_key, output_accessor, stored_output, unpacked_output
from verification.reading.loader import LoadedScript
from verification.reading.local_output import LOCAL_READER, output_locals
from verification.reading.sample_lists import SAMPLE_ROWS, activation_list, one_per_sample
from verification.reading.training_flags import training_mode
from verification.reading.updates import returned_names, returns_something

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


def returns_value(obj: Any, method: str) -> bool:
    """Whether the source of ``method`` returns a value somewhere (a gradient method does)."""
    return returns_something(getattr(type(obj), method, getattr(obj, method, None)))


def forward_candidates(
    obj: Any, var: str, namespace: dict[str, Any], bound: list[str]
) -> list[tuple[str, str, str]]:
    """``(statements, call, method)`` candidates of the forward pass of ``obj``."""
    inputs = [f"{a} = x{form}" for a, form in kept_data(obj, namespace, bound, "x")]
    out = []
    feeds = setters(obj, INPUT_SETTER)
    for m in cv.methods_by_preference(obj, cv.FORWARD_NAMES, ("forward", "feed", "forw_", "fprop")):
        params = cv.positional_parameters(getattr(obj, m))
        required = [p for p in params if p.default is inspect.Parameter.empty]
        if m in feeds:
            continue
        if len(required) == 1 or (not required and params and cv.role(params[0].name, 0) == "x"):
            out.append(("", f"{var}.{m}(x{training_mode(params, obj)})", m))
        elif not required and inputs:
            out.append((f"{var}.{inputs[0]}", f"{var}.{m}()", m))
        elif not required and feeds:  # net.add_input(x); net.feed_forward()
            out.append((f"{var}.{feeds[0]}(x)", f"{var}.{m}()", m))
        elif (
            len(required) == 2
            and cv.role(required[0].name, 0) == "x"
            and (cv.role(required[1].name, 1) == "y" or required[1].name in cv.SHORT_LABELS)
        ):
            out.append(("", f"{var}.{m}(x, y)", m))  # forward(x, l) computes its loss too: labels given
        elif (
            required
            and cv.role(required[0].name, 0) == "x"
            and all(hasattr(obj, p.name) for p in required[1:])
        ):
            # _feedforward(X, w1, w2): the weights it takes are the object's own
            own = ", ".join(f"{var}.{p.name}" for p in required[1:])
            out.append(("", f"{var}.{m}(x, {own})", m))
    for m in cv.methods_by_preference(obj, cv.GRADIENT_NAMES, ("loss",)):
        if m not in {c[2] for c in out} and labels_optional(getattr(obj, m)):
            out.append(("", f"{var}.{m}(x)", m))  # loss(X, y=None): without labels it returns the scores
    named = {c[2] for c in out}  # after them, a method taking just the inputs (when a named one fails)
    out += [("", f"{var}.{m}(x)", m) for m in _inputs_only_methods(obj) if m not in named]
    return out + evaluator_forwards(obj, var)


INPUT_SETTER = re.compile(r"^(set|add|load|put|give)_?(inputs?|x|data|features?)$", re.IGNORECASE)
"""Methods that store the inputs for a forward pass of no arguments (``add_input(self, lst)``)."""
LABEL_SETTER = re.compile(r"^(set|add|load|put|give)_?(outputs?|targets?|labels?|y|expected)$", re.IGNORECASE)
"""Methods that store the labels for a backward pass of no arguments (``add_output(self, lst)``)."""


def setters(obj: Any, pattern: re.Pattern[str]) -> list[str]:
    """Methods of ``obj`` named by ``pattern`` that take exactly one argument and return nothing: where
    the code is handed its inputs or labels before a pass of no arguments."""
    out = []
    for m in cv.methods_by_preference(obj, (), ("",)):
        if not pattern.match(m):
            continue
        params = cv.positional_parameters(getattr(obj, m))
        if [p for p in params if p.default is inspect.Parameter.empty] == params[:1] and len(params) == 1:
            if not returns_value(obj, m):
                out.append(m)
    return out


ACTIVATION_LIKE = re.compile(r"sigm|tanh|relu|softmax|activ|deriv|prime|sign|step|loss|cost|error", re.I)
"""Method names of an activation function, a derivative or a loss: never the forward pass."""


def _inputs_only_methods(obj: Any) -> list[str]:
    """Methods that take exactly the inputs, by an inputs name (``update(self, inputs)`` of the classic
    pure-Python back-propagation scripts), and return a value: the forward pass of a class that names
    it like none of :data:`~verification.reading.conventions.FORWARD_NAMES`. Gradient methods are not
    among them."""
    out = []
    for m in cv.methods_by_preference(obj, (), ("",)):
        if m.startswith("_") or m in cv.GRADIENT_NAMES or ACTIVATION_LIKE.search(m):
            continue
        params = cv.positional_parameters(getattr(obj, m))
        if (
            len(params) == 1
            and params[0].default is inspect.Parameter.empty
            and cv.role(params[0].name, 1) == "x"
            and returns_value(obj, m)
        ):
            out.append(m)
    return out


def labels_optional(method: Any) -> bool:
    """Whether ``method`` takes the inputs first and labels that default to None (``loss(X, y=None)``):
    the convention of a method that returns the scores without labels and the loss and its gradients
    with them."""
    params = cv.positional_parameters(method)
    required = [p for p in params if p.default is inspect.Parameter.empty]
    return (
        len(required) == 1
        and cv.role(required[0].name, 0) == "x"
        and any(cv.role(p.name, i) == "y" and p.default is None for i, p in enumerate(params))
    )


def _number(value: Any) -> bool:
    """A Python or NumPy number, or an array of no dimension: a loss, where the labels were given."""
    return isinstance(value, int | float | np.number) or (isinstance(value, np.ndarray) and value.ndim == 0)


def _floats(value: Any) -> bool:
    """A float, or a list of floats (one row or column of a pure-Python matrix: ``[[0.6], [0.5]]``)."""
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, float | np.floating) for v in value)
    return isinstance(value, float | np.floating)


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
    parts = _parts(obj)
    parts_before = {k: dict(vars(v)) for k, v in parts.items()}
    namespace["x"] = layout.to_code(np.random.default_rng(3).standard_normal((1, n_in)))
    if re.search(r"\by\b", call):  # forward(x, y) computes its loss as well: labels of one output
        namespace["y"] = layout.labels_to_code(np.zeros((1, 1)))
    value = run_code(f"{statements}\n{call}" if statements else call, namespace, "--forward", script=script)
    prefix = f"{statements}; " if statements else ""
    if re.search(r"\by\b", call):  # given the labels, a number it returns is its loss, never the output
        if _number(value):
            value = None
        elif isinstance(value, tuple | list):
            value = type(value)(None if _number(v) else v for v in value)
    if (isinstance(value, np.ndarray) and value.dtype != object and value.size) or isinstance(
        value, float | np.floating
    ):
        return f"{prefix}{call}"
    if isinstance(value, list) and value and all(_floats(v) for v in value):
        return f"{prefix}{call}"  # a pure-Python network's output: a list of floats, or of rows of them
    if isinstance(value, dict) and value:
        key = dict_output_key(obj, list(value))
        if key is None:
            raise Failed(
                f"{call} returns a dict (keys {', '.join(map(str, list(value)[:8]))}), and the class's own "
                "code reads none of its entries as the output",
                "forward",
            )
        return f"{prefix}{call}[{key!r}]"
    if isinstance(value, list) and len(value) == 1 and layout.inputs == "row":
        namespace["x"] = np.random.default_rng(4).standard_normal((2, n_in))
        with contextlib.suppress(InputError):
            two = run_code(
                f"{statements}\n{call}" if statements else call, namespace, "--forward", script=script
            )
            if one_per_sample(value, two):  # predict(X) looping over the samples: its list, stacked
                return f"{prefix}{SAMPLE_ROWS}({call})"
    if isinstance(value, tuple | list) and value:
        arrays = [i for i, v in enumerate(value) if isinstance(v, np.ndarray) and v.dtype != object]
        named = _named_element(obj, call, value)
        if named is not None:  # return z1, a1, z2, yhat: yhat, also when one unit makes it a number
            return f"{prefix}{call}[{named - len(value) if named == len(value) - 1 else named}]"
        if arrays:
            index = arrays[-1] - len(value) if arrays[-1] == len(value) - 1 else arrays[-1]
            return f"{prefix}{call}[{index}]"
        layered = activation_list(value, namespace["x"])
        if layered is not None:  # return [zs, activations]: the list that starts at the input, its last
            return f"{prefix}{call}[{layered}][-1]"
    given = namespace["x"]
    changed = [
        k
        for k, v in vars(obj).items()
        if before.get(k) is not v
        and isinstance(v, np.ndarray)
        and v.size
        and not (v is given or (v.shape == np.shape(given) and np.array_equal(v, given)))
    ]  # the inputs kept (self.data = data) are no output
    preferred = [k for k in OUTPUT_ATTRIBUTES if k in changed]
    stored = _stored_in_part(parts, parts_before)
    if preferred or (changed and stored is None):
        return f"{prefix}{call}; {var}.{(preferred or changed[-1:])[0]}"
    if stored is not None:
        return f"{prefix}{call}; {var}.{stored}"
    numbers = isinstance(value, tuple | list) and all(  # (loss, accuracy)
        v is None or isinstance(v, int | float | np.number) for v in value
    )
    local = _output_local(namespace, var, call) if (value is None or numbers) and not statements else None
    if local is not None:
        return local
    accessor = output_accessor(obj) if value is None else None
    reads = [stored_output(obj), f"self.{accessor}()" if accessor else None] if value is None else []
    for read in filter(None, reads):  # self.A[1], as predict reads it; def get_output(self): return …
        expression = re.sub(r"\bself\b", var, read)
        with contextlib.suppress(InputError):
            kept = run_code(expression, namespace, "--forward", script=script)
            if isinstance(kept, np.ndarray) and kept.dtype.kind == "f" and kept.size:
                return f"{prefix}{call}; {expression}"
    raise Failed(f"{call} returned {type(value).__name__} and stored no array: no output found", "forward")


def _parts(obj: Any) -> dict[str, Any]:
    """The objects ``obj`` holds in its attributes (its layers), by attribute name, in order."""
    return {
        k: v
        for k, v in vars(obj).items()
        if hasattr(v, "__dict__")
        and not isinstance(v, type)
        and not inspect.isroutine(v)
        and type(v).__module__ not in ("builtins", "numpy")
    }


def _stored_in_part(parts: dict[str, Any], before: dict[str, dict[str, Any]]) -> str | None:
    """For a forward pass that returns nothing and stores nothing in its own object: where one of the
    layer objects it holds stored the output (``self.output_layer.forward(…)`` leaving
    ``self.output_layer.forward_output``), as ``part.attribute``. The part is the one named like an
    output layer, else the last one holding a new array; the attribute the one named like an output."""
    changed: dict[str, list[str]] = {}
    for k, part in parts.items():
        new = [
            a
            for a, v in vars(part).items()
            if before[k].get(a) is not v and isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size
        ]
        if new:
            changed[k] = new
    if not changed:
        return None
    named = [k for k in changed if re.search(r"out", k, re.I)]
    part = (named or list(changed))[-1]
    preferred = [a for a in OUTPUT_ATTRIBUTES if a in changed[part]]
    preferred += [a for a in changed[part] if "output" in a.lower() and "backward" not in a.lower()]
    return f"{part}.{(preferred or changed[part][-1:])[0]}"


def _other_labels(y: Any) -> Any:
    """Other labels of the same format: class 0 and 1 swapped, one-hot rows rolled by one class."""
    y = np.asarray(y)
    if y.dtype.kind in "iub":
        return np.where(y == 0, 1, 0).astype(y.dtype)
    return np.roll(y, 1, axis=-1) if y.ndim and y.shape[-1] > 1 else 1.0 - y


def _output_local(namespace: dict[str, Any], var: str, call: str) -> str | None:
    """For a forward method that returns nothing and stores nothing (it prints its output): the
    expression reading the local it leaves its output in, named like an output (:data:`OUTPUT_ATTRIBUTES`,
    or any name with ``output``), of the arrays it holds as it returns
    (:mod:`verification.reading.local_output`)."""
    match = re.fullmatch(rf"{re.escape(var)}\.(\w+)\((x(?:, y)?)\)", call)
    if match is None:
        return None
    method = getattr(namespace[var], match.group(1))
    given = [namespace[a] for a in match.group(2).split(", ")]
    try:
        found = output_locals(method, *given)
        other = output_locals(method, *given[:1], *(_other_labels(v) for v in given[1:]))
    except Exception:  # the code's own failure: the forward pass was found not to run already
        return None
    arrays = [  # never a local the code changes with the labels (g = probs; g[range(N), y] -= 1)
        k
        for k, v in found.items()
        if isinstance(v, np.ndarray)
        and v.dtype.kind in "fc"
        and v.size
        and isinstance(other.get(k), np.ndarray)
        and np.array_equal(v, other[k])
    ]
    named = (
        [k for k in OUTPUT_ATTRIBUTES if k in arrays]
        or [k for k in arrays if "output" in k.lower()]
        or [k for k in arrays if re.search(r"softmax|prob", k, re.I) and "dev" not in k.lower()]
    )
    if len(set(named)) > 1 and not set(named) & set(OUTPUT_ATTRIBUTES):
        return None  # two locals could be the output: no guess
    if not named:
        return None
    return f"{LOCAL_READER}({var}.{match.group(1)}, {named[-1]!r}, {match.group(2)})"


def _named_element(obj: Any, call: str, value: tuple[Any, ...] | list[Any]) -> int | None:
    """The element of the tuple that the method ``call`` returns (``net.forward(x)``) that its return
    statement alone names like an output (``return z1, a1, z2, yhat``), an array or a number (one
    sigmoid unit), else that the class's own calls unpack into an output's name
    (:func:`~verification.reading.dict_output.unpacked_output`); None when no one element is."""
    match = re.match(r"\w+\.(\w+)\(", call)
    method = getattr(obj, match[1], None) if match else None
    names = returned_names(method, placeholders=True) if method is not None else None
    if not names or len(names) != len(value):
        return None
    named = [
        i
        for i, (n, v) in enumerate(zip(names, value, strict=True))
        if n in (*OUTPUT_ATTRIBUTES, "AL", "A_L")
        and (isinstance(v, float | np.floating) or (isinstance(v, np.ndarray) and v.dtype != object))
    ]
    if len(named) != 1 and match:  # prediction, aHL, hL = self.feedforward(x): as the class unpacks it
        named = [i for i in [unpacked_output(obj, match[1], len(value))] if i is not None]
    return named[0] if len(named) == 1 else None
