"""Layer objects: a class with ``forward(x)`` and ``backward(dout)`` that keeps its own parameters.

The NNFS book's ``Layer_Dense`` stores ``dweights``, ``dbiases`` and ``dinputs``; other frameworks
return the input gradient, or update the weights in place with a learning rate they are given
(``backward(output_gradient, learning_rate)``). The check builds the layer (constructor arguments
guessed from their names, :mod:`verification.units.construction`), replaces its float arrays (its
parameters) by draws scaled to keep the output of order one, finds an input shape the forward takes
(rows or columns of the weights' sizes, images for four-dimensional weights), and reads the gradients:

* returned or stored (:mod:`verification.units.holdings`): the input's gradient returned, or a tuple
  ``(dx, dW, db)``; attributes named like a gradient (``dinputs``, ``dweights``, ``dW``, ``W_grad``) or
  entries of a dict (``self.grads['W']``, for parameters kept in ``self.params['W']``);
* else, when ``backward`` (or after it the layer's one method of the rate alone, ``update(lr)``,
  :mod:`verification.units.appliers`) changed a parameter, ``(before − after) / lr`` (a parameter left
  unchanged while others move: zero), the update's rounding ``ε (|before| + |after|) / lr`` added.

The forward is the layer's output as a function of its input and parameters (what ``forward`` returns,
else the attribute it sets, ``output`` first). A backward that takes the layer's input before the
upstream gradient (``backward(self, input, grad_output)``, the style of layers that keep no cache) is
given the input the forward was run at (:func:`input_first`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.compare.steps import uniform_step
from verification.reading.conventions import LR_NAMES
from verification.reading.loader import LoadedScript
from verification.reading.training_flags import training_arguments
from verification.units.appliers import applied_update
from verification.units.arguments import parameters
from verification.units.cases import Case, NotChecked
from verification.units.complexify import ComplexAllocation, namespaces_of
from verification.units.construction import array_layouts, constructor_arguments, decay
from verification.units.holdings import get, gradients, parameter_slots, put, snapshot, unclaimed, unread
from verification.units.module_constants import LR_CONSTANT, PENALTY_CONSTANT, module_constants
from verification.units.preactivation import pre_activation
from verification.units.rounding_floors import observed_floors
from verification.units.running import Runner, backward_failure, failure_line, is_complex
from verification.units.settings import ONE, Setting
from verification.units.shapes import input_shapes
from verification.units.source import definition, placeholder, placeholder_method, returned_names
from verification.units.unchecked import empty_container
from verification.units.vjp import Problem

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)
OUTPUT_ATTRIBUTES = ("output", "out", "outputs", "y", "a", "activation", "z", "result")
LR = re.compile("^(" + "|".join(re.escape(n) for n in LR_NAMES) + ")$", re.I)
"""A backward's argument that takes the learning rate (:data:`~verification.reading.conventions.LR_NAMES`)."""
ITERATION = re.compile(r"^(iter|iteration|t|step|epoch|n_?iter|iteraci[oó]n?)$", re.I)
"""A backward's argument that takes the step count an optimiser's bias correction reads (Adam's ``t``): 1."""
UPSTREAM = re.compile(
    r"^(grad(ient)?s?(_?out(put)?s?)?|d_?(out(put)?s?|values|y|a|z|h)|upstream(_grad(ient)?)?"
    r"|output_grad(ient)?|top_diff|dl_d(out|y|a))$",
    re.I,
)
"""The name of a backward's argument that takes the upstream gradient ``∂L/∂out`` (the second of
``backward(self, input, grad_output)``); not ``error`` or ``delta``: ``backward(self, x, error)`` is a
network's, handed its output error."""


LAYER_CLASS = re.compile(r"layer|dense|linear|affine|fully_?connected|^fc$", re.I)  # or derived from one
ERRORS = re.compile(r"^(out(put)?_?)?(errors?|deltas?)$", re.I)  # ∂L/∂out named as an error: output_errors


def input_first(fn: Any, inputs: set[str], cls: type | None = None) -> bool:
    """Whether the backward ``fn`` (a function or bound method) takes the layer's input and then the
    upstream gradient: ``backward(self, input, grad_output)``, ``backward(self, X, grad)``; ``inputs``
    are the names an input goes by. In a class ``cls`` named like a layer, or derived from one, the
    upstream gradient may go by the name of an error (``backward(self, inputs, output_errors)``): a
    network's ``backward(x, error)`` is handed its output error, a layer's its output's gradient."""
    given = [p for p in parameters(fn) if p.name != "self"]
    if len(given) < 2 or given[0].name.lower() not in inputs:
        return False
    layer = cls is not None and any(LAYER_CLASS.search(c.__name__) for c in cls.__mro__[:-1])
    return bool(UPSTREAM.match(given[1].name)) or (layer and bool(ERRORS.match(given[1].name)))


AVERAGED = (
    "the parameter gradients are 1/N of the vector-Jacobian product at N = {n}, the input's gradient is"
    " not: the layer averages over the batch in its backward, which is right only when the loss above it"
    " passes a gradient summed over the samples (not averaged); the layer alone cannot tell"
)
"""Why a batch setting is skipped when the layer's parameter gradients are the product's batch mean."""


def _broadcast(params: dict[str, Array], n: int, out: Array) -> bool:
    """Whether a dense layer (every parameter at most a matrix, one of them a matrix) given one sample
    as a row or a column answered with a matrix: the sample in a shape the layer does not take,
    broadcast against a bias (a column ``(k, 1)`` plus a 1-D bias gives ``(m, m)``)."""
    shapes = [w.shape for w in params.values()]
    dense = any(len(s) == 2 for s in shapes) and all(len(s) <= 2 for s in shapes)
    return dense and n == 1 and out.ndim == 2 and min(out.shape) > 1


def _draw(name: str, w: Array, rng: np.random.Generator) -> Array:
    if w.ndim >= 2 and min(w.shape) > 1:
        fan = int(np.prod(w.shape[1:])) if w.ndim > 2 else max(w.shape)
        return rng.standard_normal(w.shape) / np.sqrt(fan)
    return 0.5 * rng.standard_normal(w.shape)


class LayerUnit:
    """A layer object (kind ``layer``).

    Parameters
    ----------
    cls : type
    methods : (str, str)
        Names of its forward and backward methods.
    script : LoadedScript or None
    seed : int
    preset : dict of str to object, optional
        Constructor arguments given outright: a flag's value (``kind='tanh'``), named in the unit's name.
    """

    kind = "layer"

    def __init__(
        self,
        cls: type,
        methods: tuple[str, str],
        script: LoadedScript | None,
        seed: int,
        preset: dict[str, Any] | None = None,
    ) -> None:
        self.cls, self.methods, self.preset = cls, methods, dict(preset or {})
        given = ", ".join(f"{k}={v!r}" for k, v in self.preset.items())
        self.name = f"{cls.__name__}({given})" if given else cls.__name__
        self.forward, self.backward = f"{cls.__name__}.{methods[0]}", f"{cls.__name__}.{methods[1]}"
        self.script = script
        self.runner = Runner(script, seed, ComplexAllocation(namespaces_of(cls)))
        self.input_first = input_first(
            getattr(cls, methods[1]), {p.name.lower() for p in self._inputs()}, cls
        )
        self.slots: dict[str, tuple[str, str | None]] = {}
        self.layout: int | None = None  # of the weight and bias it is handed, once one has run

    def _inputs(self) -> list[Any]:
        """The forward's arguments, of which the first is the input."""
        return [p for p in parameters(getattr(self.cls, self.methods[0])) if p.name != "self"][:1]

    def settings(self) -> list[Setting]:
        """A batch of two, and a batch of one."""
        return [Setting("batch of two (N = 2)", {"N": 2}), ONE]

    def _built(self, n: int, rng: np.random.Generator) -> tuple[Any, dict[str, Array], Array, Array]:
        """The layer built, its parameters, an input of a batch of ``n`` its forward takes and its
        output; a layer handed its weight and bias is built in each layout in turn until its forward
        runs, then always in that one."""
        layouts = [self.layout] if self.layout is not None else list(range(array_layouts(self.cls)))
        for layout in layouts:
            layer, params = self._build(rng, layout)
            try:
                x, out = self._input(layer, params, n, rng)
            except NotChecked:
                if layout == layouts[-1]:
                    raise
                continue
            self.layout = layout
            return layer, params, x, out
        raise AssertionError("no layout tried")  # pragma: no cover - layouts is never empty

    def _build(self, rng: np.random.Generator, layout: int = 0) -> tuple[Any, dict[str, Array]]:
        kwargs = constructor_arguments(self.cls, self.preset, layout)
        try:
            layer = self.runner.call(f"{self.name}()", self.cls, **kwargs)
        except InputError as exc:
            raise NotChecked("refused", f"{self.name}() {failure_line(exc)}") from None
        self.slots = parameter_slots(layer)
        self.original = {k: np.copy(get(layer, s)) for k, s in self.slots.items()}
        params = {k: _draw(k, get(layer, s), rng) for k, s in self.slots.items()}
        self._restore(layer, params)
        return layer, params

    def _restore(self, layer: Any, params: dict[str, Any]) -> None:
        for k, s in self.slots.items():
            put(layer, s, params[k].copy() if isinstance(params[k], np.ndarray) else params[k])

    def _run(self, layer: Any, x: Array, complex_: bool = False) -> Array:
        fn = getattr(layer, self.methods[0])
        extra = training_arguments(fn)  # training mode (a dropout's mask, batch statistics)
        before = dict(vars(layer))
        out = self.runner.call(self.forward, fn, x, complex_=complex_, **extra)
        if out is None:
            changed = [
                k for k, v in vars(layer).items() if v is not before.get(k) and isinstance(v, np.ndarray)
            ]
            named = [k for k in OUTPUT_ATTRIBUTES if k in changed]
            out = getattr(layer, (named or changed or ["output"])[-1 if not named else 0], None)
        if not isinstance(out, np.ndarray) or out.dtype.kind not in "fc" or out.size == 0:
            raise InputError(f"{self.forward} gives {type(out).__name__}, not a float array of values")
        return out

    def _input(
        self, layer: Any, params: dict[str, Array], n: int, rng: np.random.Generator
    ) -> tuple[Array, Array]:
        errors = []
        for shape in input_shapes(params, n):
            x = rng.standard_normal(shape)
            try:
                out = self._run(layer, x)
            except InputError as exc:
                errors.append(failure_line(exc))
                continue
            if _broadcast(params, n, out):
                errors.append(f"gives an output of shape {out.shape} for an input of shape {shape}")
                continue
            empty = empty_container(layer, x, out)  # Sequential() with no layers; a stub is still one
            if empty is not None and not placeholder_method(self.script, self.cls, (self.methods[1],)):
                raise NotChecked("refused", f"{self.forward} {empty}")
            return x, out
        stub = placeholder_method(self.script, self.cls, (self.methods[0], "forward"))  # __call__'s too
        raise NotChecked(
            "stub" if stub else "refused", f"{self.forward} {errors[0]} (at every input shape tried)"
        )

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The layer at one batch size (see the module docstring).

        Raises
        ------
        NotChecked
            ``refused`` when it cannot be built or run; ``stub`` for a placeholder; ``mismatch`` when its
            backward raises.
        """
        n = setting.env["N"]
        layer, params, x, out = self._built(n, rng)
        for k in unread(lambda: self._run(layer, x), layer, self.slots, params, self.original):
            del self.slots[k], params[k]
        dout = rng.standard_normal(out.shape)
        found, labels, updated, lr, stored = self._backward(layer, params, x, dout)
        moved = [params[k] - v for k, v in updated.items() if k not in found]
        if moved and (size := uniform_step(moved)):
            raise NotChecked(
                "refused",
                f"{self.backward} moves every parameter entry by the same amount ({size:.3g}): an adaptive "
                "optimiser's step (Adam, RMSprop, sign SGD), which is not a multiple of the gradient",
            )
        point = {"x": x, **params}
        analytic: dict[str, Any] = {"x": found.get("x")}
        labels.setdefault("x", "dinputs")
        first_layer = analytic["x"] is None and params and (updated or set(params) & set(found))
        if first_layer:  # a first layer's backward may leave its input's gradient out: it is not checked
            point.pop("x")
        rounding, problems, unchanged = {}, {}, []
        for k, w in params.items():
            labels.setdefault(k, f"d{k}")
            if k in found:
                analytic[k] = found[k]
            elif updated:
                after = updated.get(k, w)
                analytic[k] = (w - after) / lr
                rounding[k] = EPS * (np.abs(w) + np.abs(after)) / lr
                if k not in updated:
                    unchanged.append(k)
            else:
                problems[k] = f"{self.backward} gives no gradient of {k}"
        if problems and stored:
            raise NotChecked(
                "refused",
                f"{self.backward} stores {', '.join(stored)}, names that say of no parameter whose "
                f"gradient they are ({', '.join(problems)} get none by name: dW, grad_W, W_grad)",
            )
        self._restore(layer, params)

        def forward(theta: dict[str, Array]) -> list[Array]:
            self._restore(layer, theta)
            try:
                return [self._run(layer, theta.get("x", x), complex_=is_complex(theta))]
            finally:
                self._restore(layer, params)

        note = f"gradients of the parameters from the update, lr = {lr:g}" if updated else ""
        if unchanged:
            note += f"; the update leaves {', '.join(unchanged)} unchanged (implied gradient 0)"
        if first_layer:
            note = "; ".join(n for n in (note, f"{self.backward} gives no gradient of its input") if n)
        case = Case(setting.name, Problem(forward, point, [dout]), analytic, labels, rounding, note, problems)
        penalty = module_constants(getattr(layer, self.methods[1]), PENALTY_CONSTANT)
        case.alternatives += decay(layer, params, analytic, penalty)
        readings = [(analytic, "")]
        if found and not updated:
            case.floors = observed_floors(lambda up: self._rerun(layer, params, x, up), dout, analytic)
            readings += pre_activation(
                forward, point, out, dout, lambda upstream: self._rerun(layer, params, x, upstream)
            )
        case.conventions += readings[1:]
        for reading, reason in readings if n > 1 and params else []:  # each also averaged over the batch
            averaged = {k: v * n if k != "x" and isinstance(v, np.ndarray) else v for k, v in reading.items()}
            case.conventions.append((averaged, "; ".join(r for r in (reason, AVERAGED.format(n=n)) if r)))
        return case

    def _rerun(self, layer: Any, params: dict[str, Array], x: Array, dout: Array) -> dict[str, Any]:
        """The gradients the backward gives for ``dout``, from the same parameters and input."""
        self._restore(layer, params)
        self._run(layer, x)
        found, *_ = self._backward(layer, params, x, dout)
        self._restore(layer, params)
        return found

    def _backward(
        self, layer: Any, params: dict[str, Array], x: Array, dout: Array
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, Array], float, list[str]]:
        fn = getattr(layer, self.methods[1])
        given = parameters(fn)[self.input_first :]  # of the bound method: the upstream gradient first
        optional = bool(given) and all(p.default is not p.empty for p in given)
        if not given or (optional and len(parameters(getattr(layer, self.methods[0]))) == 1):
            raise NotChecked(
                "refused", f"{self.backward} takes no upstream gradient: it is no layer's backward"
            )
        rest = [p for p in given[1:] if p.default is p.empty]
        lr = 0.1
        extra: dict[str, Any] = {p.name: lr for p in given[1:] if LR.match(p.name)}  # lr=0.001: given too
        extra |= {p.name: 1 for p in rest if ITERATION.match(p.name)}  # an optimiser's step count, t = 1
        if any(p.name not in extra for p in rest):
            unknown = ", ".join(p.name for p in rest if p.name not in extra)
            raise NotChecked("refused", f"cannot tell what {self.backward} takes as {unknown}")
        kept = module_constants(fn, LR_CONSTANT)  # self.w -= dw * STEP_SIZE, a constant of the module
        lr = kept[0] if len(kept) == 1 else lr
        lr = float(getattr(layer, "lr", getattr(layer, "learning_rate", lr))) if not extra else lr
        before = snapshot(layer)
        try:
            returned = self.runner.call(self.backward, fn, *((x,) if self.input_first else ()), dout, **extra)
        except InputError as exc:
            raise NotChecked(*backward_failure(self.backward, exc, x, params)) from None
        names = returned_names(definition(self.script, self.backward, fn))
        found, labels = gradients(layer, before, self.slots, returned, names)
        now = {k: get(layer, s) for k, s in self.slots.items()}
        updated = {k: v for k, v in now.items() if not np.array_equal(v, params[k])}
        if not updated and not set(self.slots) <= set(found):  # backward(g); update(lr): read the step
            updated = applied_update(self.runner, self.backward, layer, self.slots, params, lr)
        if (
            returned is None
            and not (found or updated)
            and not placeholder(definition(self.script, self.backward, fn))
        ):
            raise NotChecked(  # a network's training step (backward(da, lr) over its layers), no layer's
                "refused",
                f"{self.backward} returns nothing and stores no gradient, though it is no placeholder: a "
                "network's training step, not a layer's backward (check the network: --forward, --step)",
            )
        return found, labels, updated, lr, unclaimed(layer, before, self.slots, labels)
