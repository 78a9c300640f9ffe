"""Loss / derivative pairs: a loss and the function (or method) written as its derivative.

Found by name (:func:`derivative_of`): ``mse`` with ``mse_prime``, ``d_mse``, ``mse_derivative``,
``mse_grad``…; and classes with a value method (``calculate``, ``loss``, ``forward``, ``__call__``) and a
derivative method (``gradient``, ``derivative``, ``prime``, ``backward``), as in many small frameworks
(``Loss.calculate`` of the NNFS book is the mean of ``forward``). The derivative is checked against the
numeric gradient of the loss with respect to the prediction, recognised by its name (``y_pred``,
``output``, ``a``, ``dvalues``…; else the second argument, as in ``loss(y_true, y_pred)``):

* a loss returning one number: its gradient;
* one value per element (``(y − a)²`` without a sum): the element-wise derivative;
* one value per sample: the gradient of their mean (the report says so).

Labels are one-hot rows (or class indices, when the loss takes those), predictions drawn in
``(0.05, 0.95)`` so every loss is defined. A derivative that is a constant multiple ``c ≠ 1`` of the
gradient (a mean's ``1 / size`` forgotten, the sign flipped) is a mismatch, reported with ``c``.

An **activation** with its derivative (``sigmoid`` with ``sigmoid_prime``, kind ``pair``) is checked
element-wise; a derivative written in terms of the activation's output (``s (1 − s)`` of ``s = σ(x)``)
matches when called with the output, and the report says that it takes the output.
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.reading.loader import LoadedScript
from verification.reading.source_trees import source_tree
from verification.units.arguments import parameters
from verification.units.cases import Case, NotChecked
from verification.units.complexify import ComplexAllocation, namespaces_of
from verification.units.loss_arguments import roles
from verification.units.running import Runner, failed_verdict, failure_line, is_complex
from verification.units.settings import Setting
from verification.units.source import definition, placeholder
from verification.units.vjp import Problem

Array = NDArray[Any]
SUFFIX = re.compile(r"^(?P<f>.+?)_?(prime|derivative|deriv|grad|gradient|backward|diff)$", re.I)
PREFIX = re.compile(r"^(d_?|derivative_?(of_)?|grad_?|diff_?)(?P<f>.+)$", re.I)
SHAPES = (
    ("4 samples × 3 outputs", (4, 3)),
    ("one vector of 5", (5,)),
    ("one sample of 4 (1, 4)", (1, 4)),
    ("one value (1, 1)", (1, 1)),
)
"""The shapes a loss is checked at: a mean over the whole array and over one element differ by the
array's size, so the last settings tell a forgotten ``1 / size`` from a right gradient."""


def derivative_of(name: str, names: list[str]) -> str | None:
    """The function ``name`` is the derivative of, by its name (``mse_prime`` → ``mse``), if defined."""
    lowered = {n.lower(): n for n in names}
    for pattern in (SUFFIX, PREFIX):
        match = pattern.match(name)
        if match and match.group("f") != name:
            base = match.group("f")
            found = base if base in names else lowered.get(base.lower())
            if found is not None and found != name:
                return found
    return None


def labels(shape: tuple[int, ...], rng: np.random.Generator) -> Array:
    """One-hot rows along the last axis (0 or 1 for a single output)."""
    y = np.zeros(shape)
    if shape[-1] == 1:
        return rng.integers(0, 2, size=shape).astype(np.float64)
    flat = y.reshape(-1, shape[-1])
    flat[np.arange(flat.shape[0]), rng.integers(0, shape[-1], size=flat.shape[0])] = 1.0
    return flat.reshape(shape)


def times(derivative: Any, dout: Array) -> Any:
    """``dout`` pushed through an activation's derivative: element-wise, or through the Jacobian of each
    row when the derivative is one (softmax's, of shape ``x.shape + (n,)``)."""
    d = np.asarray(derivative)
    if d.dtype == object or d.dtype.kind not in "fiub":
        return derivative
    d = d.astype(np.float64)
    if d.shape == dout.shape + dout.shape[-1:]:
        return np.einsum("...i,...ij->...j", dout, d)
    return d * dout if d.shape == dout.shape or d.size == 1 else d


class LossPairUnit:
    """A loss and its derivative (kind ``loss``), or an activation and its derivative (kind ``pair``).

    Parameters
    ----------
    name : str
        The loss's (or activation's) name.
    value, derivative : tuple of (str, callable)
        Names as written (``mse``, ``MSE.gradient``) and callables (bound methods for a class).
    script : LoadedScript or None
    seed : int
    others : list of (str, callable), optional
        Further value methods, tried in order when the first does not run (``Loss.calculate`` that
        needs state a training loop sets, then ``forward``).
    """

    def __init__(
        self,
        name: str,
        value: tuple[str, Any],
        derivative: tuple[str, Any],
        script: LoadedScript | None,
        seed: int,
        others: list[tuple[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.forward, self.fn = value
        self.others = list(others or [])
        self.backward, self.dfn = derivative
        self.script = script
        self.names = required_names(self.fn)
        self.dnames = required_names(self.dfn)
        self.kind = "pair" if len(self.names) == 1 else "loss"
        self.runner = Runner(script, seed, ComplexAllocation(namespaces_of(self.fn)))
        self.store: Any = getattr(self.dfn, "__self__", None)

    def settings(self) -> list[Setting]:
        """:data:`SHAPES` for a loss; an activation at two shapes."""
        shapes = SHAPES if self.kind == "loss" else SHAPES[:2]
        return [Setting(name, {"shape": shape}) for name, shape in shapes]

    def _call(self, label: str, fn: Any, values: list[Any], order: list[str], complex_: bool = False) -> Any:
        pred, target = roles(order)
        if target is not None and len(values) < 2:
            raise NotChecked(  # grad_softmax(x, target) beside softmax(x): a fused loss's, not its own
                "refused",
                f"{label} takes {order[target]}, which {self.forward} does not take: it is not the "
                f"derivative of {self.forward} alone (of a loss on its output?)",
            )
        args: list[Any] = [None] * len(order)
        args[pred] = values[0]
        if target is not None:
            args[target] = values[1]
        return self.runner.call(label, fn, *args, complex_=complex_)

    def _stub(self, exc: InputError, who: str, node_name: str) -> NotChecked:
        stub = placeholder(definition(self.script, node_name, None))
        verdict = "stub" if stub else failed_verdict(exc) if who == "derivative" else "refused"
        name = self.backward if who == "derivative" else self.forward
        return NotChecked(verdict, f"{name} {failure_line(exc)}")

    def _derivative(self, values: list[Any]) -> Any:
        try:
            grad = self._call(self.backward, self.dfn, values, self.dnames)
        except InputError as exc:
            raise self._stub(exc, "derivative", self.backward) from None
        if grad is None and self.store is not None:
            grad = getattr(self.store, "dinputs", None)
        if grad is None:
            raise NotChecked("stub", f"{self.backward} returns None")
        return grad

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The pair at one shape (see the module docstring).

        Raises
        ------
        NotChecked
            ``refused`` when the loss does not run with one-hot labels nor class indices; ``stub`` for a
            placeholder; ``mismatch`` when the derivative raises.
        """
        shape = setting.env["shape"]
        if self.kind == "pair":
            return self._activation(setting, rng, shape)
        pred = rng.uniform(0.05, 0.95, size=shape)
        candidates = [labels(shape, rng)]
        if len(shape) == 2 and shape[1] > 1:
            candidates.append(np.argmax(candidates[0], axis=1))
            if indexes_with_target(self.fn, self.names):  # one-hot labels would run by accident
                candidates.reverse()
        errors: list[str] = []
        for target in candidates:
            try:
                out = np.asarray(self._call(self.forward, self.fn, [pred, target], self.names))
            except InputError as exc:
                errors.append(failure_line(exc))
                continue
            return self._loss_case(setting, pred, target, out)
        if self.others:
            self.forward, self.fn = self.others.pop(0)
            return self.case(setting, rng)
        stub = placeholder(definition(self.script, self.forward, self.fn))
        raise NotChecked("stub" if stub else "refused", f"{self.forward} {errors[0]}")

    def _loss_case(self, setting: Setting, pred: Array, target: Array, out: Array) -> Case:
        if out.dtype.kind not in "fc":
            raise NotChecked("refused", f"{self.forward} returns {out.dtype} values, not a loss")
        note = "labels as class indices" if target.dtype.kind == "i" else ""
        dout = np.ones(out.shape)
        per_output = pred.ndim == 2 and out.shape == pred.shape[1:] and pred.shape[0] != pred.shape[1]
        if out.size > 1 and out.shape != pred.shape and per_output:  # np.mean(…, axis=0): their sum
            said = f"{self.forward} gives one loss per output (a mean over the samples): their sum is checked"
            note = "; ".join(n for n in (note, said) if n)
        elif out.size > 1 and out.shape != pred.shape:
            dout = dout / out.size
            note = "; ".join(
                n for n in (note, f"{self.forward} gives one loss per sample: their mean is checked") if n
            )
        grad = self._derivative([pred, target])
        pred_name = self.names[roles(self.names)[0]]

        def forward(theta: dict[str, Array]) -> list[Array]:
            p = theta[pred_name]
            return [
                np.asarray(
                    self._call(self.forward, self.fn, [p, target], self.names, complex_=is_complex(theta))
                )
            ]

        point = {pred_name: pred}
        return Case(
            setting.name,
            Problem(forward, point, [dout]),
            {pred_name: grad},
            {pred_name: f"d{pred_name}"},
            note=note,
            near=True,
        )

    def _activation(self, setting: Setting, rng: np.random.Generator, shape: tuple[int, ...]) -> Case:
        x = rng.standard_normal(shape)
        x = np.sign(x) * (np.abs(x) + 0.05)
        try:
            y = np.asarray(self.runner.call(self.forward, self.fn, x))
        except InputError as exc:
            raise self._stub(exc, "value", self.forward) from None
        if y.shape != x.shape:
            raise NotChecked("refused", f"{self.forward} is not element-wise (shape {y.shape} for {x.shape})")
        dout = rng.standard_normal(shape)
        at_input = times(self._derivative([x]), dout)
        name = self.names[0]
        try:
            at_output = times(self._derivative([y]), dout)
        except (NotChecked, TypeError, ValueError):
            at_output = None

        def forward(theta: dict[str, Array]) -> list[Array]:
            return [
                np.asarray(self.runner.call(self.forward, self.fn, theta[name], complex_=is_complex(theta)))
            ]

        analytic = {name: at_input}
        alternatives = []
        if at_output is not None:
            alternatives.append(
                ({name: at_output}, f"{self.backward} takes the output of {self.forward}, not its input")
            )
        return Case(
            setting.name,
            Problem(forward, {name: x}, [dout]),
            analytic,
            {name: f"d{name}"},
            alternatives=alternatives,
            near=True,
        )


def required_names(fn: Any) -> list[str]:
    """The arguments of ``fn`` without a default (all of them when every one has one): a constant with
    a default (``leaky_relu(z, alpha=0.01)``) is the function's own, not an input it is checked in."""
    given = parameters(fn)
    return [p.name for p in given if p.default is p.empty] or [p.name for p in given]


VALUE_METHODS = ("calculate", "loss", "forward", "__call__", "compute", "cost", "value", "evaluate")
ACTIVATION_METHODS = ("activation", "function", "fn", "f", "func", "apply", "__call__", "value")
SLOPES = ("derivative", "prime", "gradient", "grad", "df", "deriv", "derivate")
"""An activation class's value and derivative methods of one argument (a layer's ``forward(x)`` and
``backward(dout)`` are not among them: a backward takes an upstream gradient, not the input)."""
DERIVATIVE_METHODS = ("gradient", "derivative", "prime", "backward", "grad", "loss_prime", "dloss", "delta")


def stateful_loss_methods(cls: type) -> tuple[str, str] | None:
    """``(value, derivative)`` of a loss object written like a layer: a value method of two arrays
    (``forward(y_pred, y_true)``) that keeps them, and a derivative method of none (``backward()``)
    that reads them back; None for any other class. A derivative whose arguments all have defaults,
    after a value method that requires both of its own, is one too: the loss layers of Saito's *Deep
    Learning from Scratch* (§5.6.3) take ``backward(dout=1)``, the upstream gradient of the loss
    itself, and a layer's ``forward(x, train_flg=True)`` requires one argument only."""

    def arity(name: str, required: bool = False) -> int | None:
        fn = getattr(cls, name, None)
        if not callable(fn) or name not in dir(cls):
            return None
        return len([p for p in parameters(fn)[1:] if not required or p.default is p.empty])

    value = next((m for m in VALUE_METHODS if arity(m) == 2), None)
    derivative = next((m for m in DERIVATIVE_METHODS if arity(m) == 0), None)
    if derivative is None and value is not None and arity(value, required=True) == 2:
        derivative = next((m for m in DERIVATIVE_METHODS if arity(m, required=True) == 0), None)
    return None if value is None or derivative is None else (value, derivative)


def after_value(value: Any, derivative: Any) -> Any:
    """The derivative of a stateful loss (:func:`stateful_loss_methods`) as a function of the same two
    arrays as its value: ``value(y_pred, y_true)`` run first, for the state ``derivative()`` reads."""

    def derivative_at(*args: Any) -> Any:
        value(*args)
        return derivative()

    derivative_at.__signature__ = inspect.signature(value)  # type: ignore[attr-defined]
    derivative_at.__self__ = getattr(derivative, "__self__", None)  # type: ignore[attr-defined]
    return derivative_at


def loss_methods(cls: type) -> tuple[list[str], str] | None:
    """The value methods (in order of preference) and the derivative method of a loss class, all taking
    two arrays (a loss) or all one (an activation), besides arguments with defaults (``loss(self,
    predicted, actual, epsilon=1e-12)``), or None."""

    def takes(name: str, count: int) -> bool:
        fn = getattr(cls, name, None)
        if not callable(fn) or name not in dir(cls):
            return False
        given = parameters(fn)[1:]
        required = [p for p in given if p.default is p.empty]
        return len(given) == count or (len(required) == count and len(given) > count)

    for count, value_names, derivative_names in (
        (2, VALUE_METHODS, DERIVATIVE_METHODS),
        (1, ACTIVATION_METHODS, SLOPES),
    ):
        values = [m for m in value_names if takes(m, count)]
        derivative = next((m for m in derivative_names if takes(m, count)), None)
        if values and derivative:
            return values, derivative
    return None


def indexes_with_target(fn: Any, names: list[str]) -> bool:
    """Whether ``fn`` indexes an array with its target argument, wherever it stands in the index
    (``one_hot[labels.astype(int).reshape(-1) + offsets] = 1``, ``p[range(n), y]``): it takes class
    indices, and one-hot labels, read as indices, could run by accident."""
    target = roles(names)[1]
    tree = source_tree(fn)
    if target is None or tree is None:
        return False
    name = names[target]
    return any(
        isinstance(node, ast.Subscript)
        and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.slice))
        for node in ast.walk(tree)
    )
