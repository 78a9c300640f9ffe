"""Calling conventions: how someone's network code is called, detected from its names, signatures and
source, and the options that override the detection.

Conventions, detected automatically and overridable (``convention=``):

``update-error``
    The question's: ``backward(x, error)`` with ``error = a − y`` updates the weights in place,
    ``W -= lr * g``. The implied gradient is recovered from the update:
    ``g = (W_before − W_after) / lr``.
``update-flipped-error``
    ``backward(x, error)`` with ``error = y − a`` and ``W += lr * g``; the same recovery.
``update-labels``
    ``backward(x, y)`` takes the labels and updates in place.
``return-error``, ``return-labels``
    ``backward`` returns the gradients (a dict, tuple or list of arrays) instead of updating.

This module holds what the detection reads without running the code: the method and parameter names it
looks for, the array attributes that may be weights, the second argument of ``backward`` (error or
labels), the sign of an in-place update in its source, how returned gradients map onto parameter names,
constructor arguments and weight shapes written in the script, and the parsing of the overrides
(:class:`AdapterOptions`). :mod:`verification.subjects.adapters` runs the code and turns a convention into a
gradient function.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.subjects.loader import LoadedScript, is_constant_expression

Array = NDArray[Any]

CONVENTIONS = tuple("auto update-error update-flipped-error update-labels return-error return-labels".split())
"""Names of the calling conventions (``auto`` detects one)."""

FORWARD_NAMES = ("forward", "feedforward", "feed_forward", "forward_pass", "predict", "__call__")
BACKWARD_NAMES = tuple(
    "backward backprop backpropagation backpropagate back_propagation backward_pass gradients gradient "
    "compute_gradients".split()
)
LR_NAMES = ("lr", "learning_rate", "learningrate", "eta", "alpha", "rate", "step_size", "learningRate")
OUTPUT_NAMES = ("output", "out", "a2", "y_hat", "yhat", "prediction", "predictions", "a_out", "o")
LABEL_ARGS = tuple("y t target targets label labels y_true ytrue expected desired Y".split())
ERROR_ARGS = tuple(
    "error err e errors delta d output_error o_error diff dout grad loss_grad dloss residual".split()
)
OUTPUT_ARGS = tuple("o out output a y_hat yhat pred prediction predicted activation".split())
"""Method and parameter names the detection looks for, in order of preference."""


def as_number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class AdapterOptions:
    """Overrides for the automatic detection; ``None`` or ``"auto"`` means detect.

    Attributes
    ----------
    convention : str
        One of :data:`CONVENTIONS`.
    forward, backward : str or None
        Method names.
    output : str or None
        Attribute that holds the output activation after ``forward`` (when it returns nothing).
    lr : str or None
        Attribute that holds the learning rate.
    init_args : tuple or None
        Positional arguments for the class's constructor.
    n_inputs : int or None
        Input width ``n_0``.
    shapes : dict of str to tuple of int, or None
        Weight shapes, for a plain function whose weights are its arguments.
    """

    convention: str = "auto"
    forward: str | None = None
    backward: str | None = None
    output: str | None = None
    lr: str | None = None
    init_args: tuple[Any, ...] | None = None
    n_inputs: int | None = None
    shapes: dict[str, tuple[int, ...]] | None = None


def is_float_array(value: Any) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.ndim in (1, 2)
        and value.size > 0
        and (np.issubdtype(value.dtype, np.floating) or np.issubdtype(value.dtype, np.integer))
    )


def find_arrays(obj: Any) -> dict[str, tuple[str, int | None]]:
    """Array attributes of ``obj`` (and arrays in list attributes), deduplicated by identity."""
    found: dict[str, tuple[str, int | None]] = {}
    seen: set[int] = set()
    for attr, value in vars(obj).items():
        items: list[tuple[str, int | None, Any]] = []
        if is_float_array(value):
            items = [(attr, None, value)]
        elif isinstance(value, list) and value and all(is_float_array(v) for v in value):
            items = [(f"{attr}[{i}]", i, v) for i, v in enumerate(value)]
        for name, index, arr in items:
            if id(arr) not in seen:
                seen.add(id(arr))
                found[name] = (attr, index)
    return found


def _method_names(obj: Any) -> list[str]:
    return [n for n in dir(type(obj)) if callable(getattr(type(obj), n, None))]


def pick_method(obj: Any, wanted: str | None, names: Sequence[str], what: str) -> str:
    if wanted is not None:
        if not callable(getattr(obj, wanted, None)):
            raise InputError(f"{type(obj).__name__} has no method {wanted!r} to use as {what}")
        return wanted
    for n in names:
        if n != "__call__" and callable(getattr(obj, n, None)):
            return n
    if "__call__" in names and callable(obj) and not isinstance(obj, type):
        return "__call__"
    public = ", ".join(m for m in _method_names(obj) if not m.startswith("_")) or "none"
    raise InputError(
        f"{type(obj).__name__} has no {what} method (looked for {', '.join(names)}; it has: {public})"
    )


def update_sign(method: Any) -> int:
    """+1 when the method's source updates weights with ``+=`` only, −1 otherwise (``-=`` or unknown)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    except (OSError, TypeError, SyntaxError):
        return -1
    plus = minus = 0
    for node in ast.walk(tree):
        op: ast.operator | None = None
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute | ast.Subscript):
            op = node.op
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute | ast.Subscript)
            and isinstance(node.value, ast.BinOp)
            and ast.dump(node.value.left) == ast.dump(node.targets[0]).replace("Store()", "Load()")
        ):
            op = node.value.op
        if isinstance(op, ast.Add):
            plus += 1
        elif isinstance(op, ast.Sub):
            minus += 1
    return 1 if plus > 0 and minus == 0 else -1


def argument_kind(obj: Any, backward: str) -> tuple[str | None, list[str]]:
    """``error``, ``labels`` or None from the name of backward's second parameter; and its parameters."""
    try:
        sig = inspect.signature(getattr(obj, backward))
    except (TypeError, ValueError):
        return None, []
    names = [
        p.name for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(names) < 2:
        return None, names
    second = names[1]
    if second in LABEL_ARGS or second.lower().startswith(("target", "label")):
        return "labels", names
    if second in ERROR_ARGS or "err" in second.lower() or "delta" in second.lower():
        return "error", names
    return None, names


def constructor_arguments(cls: type, script: LoadedScript | None) -> tuple[Any, ...] | None:
    """Arguments of the first top-level call ``cls(...)`` in the script, when they are constants.

    Scripts usually build their network at top level (``nn = NeuralNetwork(30, 5, 3)``); the loader does
    not run that line, but its constant arguments are evaluated here in the script's namespace.
    """
    if script is None:
        return None
    for stmt in script.tree.body:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == cls.__name__
                and not node.keywords
                and all(is_constant_expression(a) for a in node.args)
            ):
                try:
                    return tuple(
                        eval(compile(ast.Expression(a), str(script.path), "eval"), script.module.__dict__)
                        for a in node.args
                    )
                except Exception:
                    return None
    return None


def holds_gradients(returned: Any) -> bool:
    if isinstance(returned, dict):
        values = list(returned.values())
    elif isinstance(returned, tuple | list):
        values = list(returned)
    else:
        return False
    return bool(values) and any(isinstance(v, np.ndarray) for v in values)


def match_gradients(label: str, returned: Any, params: Mapping[str, Array]) -> dict[str, Array]:
    """Map a returned dict, tuple or list of arrays onto the parameter names (by key, shape or order)."""
    if not holds_gradients(returned):
        raise InputError(f"{label} returned {type(returned).__name__}, not the gradients")
    names = list(params)
    if isinstance(returned, dict):
        out = {}
        for n in names:
            for key in (n, f"d{n}", f"grad_{n}", f"{n}_grad", f"d_{n}", f"dL_d{n}"):
                if key in returned:
                    out[n] = np.asarray(returned[key])
                    break
        if len(out) == len(names):
            return out
        values = [np.asarray(v) for v in returned.values() if isinstance(v, np.ndarray)]
    else:
        values = [np.asarray(v) for v in returned if isinstance(v, np.ndarray)]
    if len(values) != len(names):
        raise InputError(
            f"{label} returned {len(values)} arrays for {len(names)} parameters ({', '.join(names)})"
        )
    shapes = [params[n].shape for n in names]
    if len(set(shapes)) == len(shapes) and sorted(map(str, shapes)) == sorted(str(v.shape) for v in values):
        by_shape = {v.shape: v for v in values}
        return {n: by_shape[params[n].shape] for n in names}
    return dict(zip(names, values, strict=True))


def with_backward(options: AdapterOptions, name: str) -> AdapterOptions:
    return replace(options, backward=options.backward or name)


def parse_init_args(text: str | None) -> tuple[Any, ...] | None:
    """Constructor arguments from a Python literal list such as ``"30, 5, 3"`` (None stays None).

    Raises
    ------
    InputError
        If ``text`` is not a comma-separated list of Python literals.
    """
    if text is None:
        return None
    try:
        value = ast.literal_eval(f"({text},)") if text.strip() else ()
    except (ValueError, SyntaxError):
        raise InputError(f"--init-args must be Python literals separated by commas, got {text!r}") from None
    return tuple(value)


X_ARGS = tuple("x X inputs input xs a0 x_batch".split())
_CONSTRUCTORS = {
    "randn": "dims",
    "rand": "dims",
    "standard_normal": 0,
    "random": 0,
    "zeros": 0,
    "ones": 0,
    "empty": 0,
    "normal": 2,
    "uniform": 2,
}
"""numpy constructors whose constant arguments give a weight's shape: the dimensions themselves, or
the shape at this position (or as ``size=`` / ``shape=``)."""


def parse_shapes(text: str | None) -> dict[str, tuple[int, ...]] | None:
    """Weight shapes from ``"W1=30x5,W2=5x3"`` (None stays None).

    Raises
    ------
    InputError
        If ``text`` is not of that form.
    """
    if text is None:
        return None
    try:
        pairs = (item.split("=") for item in text.split(","))
        return {name.strip(): tuple(int(d) for d in dims.split("x")) for name, dims in pairs}
    except ValueError:
        raise InputError(f"--shapes must look like W1=30x5,W2=5x3, got {text!r}") from None


def script_shape(script: LoadedScript, name: str) -> tuple[int, ...] | None:
    """The shape of a top-level ``name = np.random.randn(30, 5)`` (or zeros, ones, …) the loader skipped."""
    for stmt in script.tree.body:
        if not (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
        ):
            continue
        for call in (n for n in ast.walk(stmt.value) if isinstance(n, ast.Call)):
            func = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            where = _CONSTRUCTORS.get(func)
            exprs = {k.arg: k.value for k in call.keywords if k.arg in ("size", "shape")}
            node = next(iter(exprs.values()), None)
            if where == "dims" and call.args:
                node = ast.copy_location(ast.Tuple(elts=call.args, ctx=ast.Load()), call)
            elif isinstance(where, int) and len(call.args) > where:
                node = call.args[where]
            if node is not None and is_constant_expression(node):
                try:
                    code = compile(ast.fix_missing_locations(ast.Expression(node)), str(script.path), "eval")
                    value = eval(code, script.module.__dict__)
                    return tuple(int(d) for d in np.atleast_1d(value))
                except Exception:
                    return None
    return None
