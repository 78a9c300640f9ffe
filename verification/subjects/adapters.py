"""Adapters: turn someone's network code into a :class:`Subject`, a function from parameters,
inputs and labels to the gradient their backward pass implies, following the calling convention
:mod:`verification.subjects.conventions` detects (or the options name).

Parameters are the ``ndarray`` attributes of the object (and arrays held in list attributes, named
``attr[i]``) that a forward pass does not rebind. Before every probe they are set to the probe's values
(float64, in place) and restored afterwards, so probes are independent.
"""

from __future__ import annotations

import functools
import inspect
import reprlib
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.network import Network
from ffnn.validation import InputError, validate_finite
from verification.subjects.conventions import (
    BACKWARD_NAMES,
    CONVENTIONS,
    ERROR_ARGS,
    FORWARD_NAMES,
    LABEL_ARGS,
    LR_NAMES,
    OUTPUT_ARGS,
    OUTPUT_NAMES,
    X_ARGS,
    AdapterOptions,
    _argument_kind,
    _find_arrays,
    _float_array,
    _gradients_in,
    _match_gradients,
    _number,
    _pick,
    _script_shape,
    _update_sign,
    _with_backward,
    constructor_arguments,
)
from verification.subjects.loader import LoadedScript, one_line

Array = NDArray[Any]

GradientFunction = Callable[[dict[str, Array], Array, Array], dict[str, Array]]
ForwardFunction = Callable[[dict[str, Array], Array], Array]


@dataclass
class Subject:
    """Code under check, reduced to what identification needs.

    Attributes
    ----------
    name : str
        How reports name the code, e.g. ``NeuralNetwork.backward``.
    parameters : dict of str to ndarray
        Parameter names and their current values (float64), in the order the code defines them.
    n_inputs : int
        Number of input columns ``n_0``.
    forward : callable
        ``forward(params, x) -> a``: output activation, ndarray (n_samples, n_out), float64.
    gradient : callable
        ``gradient(params, x, y) -> dict``: the gradient the backward pass implies for the batch
        ``(x, y)``, same names and shapes as ``parameters``.
    convention : str
        One of :data:`CONVENTIONS` (not ``auto``) or ``function``, and how it was applied.
    backward_order : list of str
        Parameter names from the output layer back to the input, the order in which a fault shows.
    notes : list of str
        Things the adapter assumed that a reader should know.
    real_only : bool
        True when the code runs at real parameters only, so the complex-step scheme cannot be used
        (code adapted by :func:`adapt`: its outputs and gradients are read as float64).
    """

    name: str
    parameters: dict[str, Array]
    n_inputs: int
    forward: ForwardFunction
    gradient: GradientFunction
    convention: str
    backward_order: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    real_only: bool = False

    def __post_init__(self) -> None:
        if not self.backward_order:
            self.backward_order = list(reversed(list(self.parameters)))


def subject_from_network(
    network: Network, backward: Callable[[Network, Array, Array], Mapping[str, Any]], name: str = "backward"
) -> Subject:
    """A :class:`Subject` for a backward pass in the reference style ``backward(network, x, y) -> dict``.

    The forward pass is the reference network's (:meth:`ffnn.network.Network.forward`). Used by the bug
    zoo and by tests; ``backward`` may be :func:`ffnn.backprop.backward` with ``rule`` bound.
    """

    def forward(params: dict[str, Array], x: Array) -> Array:
        return network.with_parameters(params).forward(x).output

    def gradient(params: dict[str, Array], x: Array, y: Array) -> dict[str, Array]:
        grads = backward(network.with_parameters(params), x, y)
        return _validated(name, {k: np.asarray(v) for k, v in grads.items()}, params)

    n_layers = len(network.weights)
    order = [p for l in range(n_layers, 0, -1) for p in (f"W{l}", f"b{l}") if p in network.parameters()]
    params = {k: np.array(v, dtype=np.float64) for k, v in network.parameters().items()}
    return Subject(name, params, network.sizes[0], forward, gradient, "function", order)


def _validated(label: str, grads: Mapping[str, Array], params: Mapping[str, Array]) -> dict[str, Array]:
    out = {}
    for n, p in params.items():
        if n not in grads:
            raise InputError(f"{label} gave no gradient for parameter {n}")
        g = np.asarray(grads[n])
        if g.shape != p.shape:
            raise InputError(f"{label} gave a gradient of {n} with shape {g.shape}, expected {p.shape}")
        if not np.issubdtype(g.dtype, np.number):
            raise InputError(f"{label} gave a non-numeric gradient of {n} (dtype {g.dtype})")
        if np.iscomplexobj(g):
            raise InputError(
                f"{label} gave a complex gradient of {n} (dtype {g.dtype}); the gradient of a real loss "
                "in real weights is real"
            )
        validate_finite(f"the gradient of {n} from {label}", g)
        out[n] = g.astype(np.float64)
    return out


def _real_array(label: str, value: Any) -> Array:
    """``value`` as a float64 array, or an :class:`InputError` saying that ``label`` is not numeric
    (strings, objects, ragged lists)."""
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label} is not an array of numbers: {one_line(exc)}") from None


def _user_call(
    label: str,
    fn: Callable[..., Any],
    *args: Any,
    script: LoadedScript | None = None,
    called_as: str | None = None,
) -> Any:
    """Call code under check; an exception or ``sys.exit`` becomes a one-line :class:`InputError` naming
    where it arose. Floating-point and other warnings of the code are silenced: non-finite results are
    reported by the checks that follow. ``KeyboardInterrupt`` still interrupts.

    ``called_as`` (e.g. ``backward(x, error)``) describes the call, for the message when the code does
    not accept its arguments at all.
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    except InputError:
        raise
    except SystemExit as exc:
        where = _where(traceback.extract_tb(exc.__traceback__), script)
        raise InputError(f"{label} called sys.exit({exc.code!r}){where}") from None
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        message = one_line(exc)
        if isinstance(exc, TypeError) and not _user_frames(frames):
            how = f" as {called_as}" if called_as else ""
            raise InputError(f"{label} was called{how} with arguments it does not take: {message}") from None
        where = _where(frames, script)
        hint = ""
        if isinstance(exc, NameError) and script is not None and exc.name:
            skipped = script.skipped_binding(exc.name)
            if skipped is not None:
                hint = (
                    f" ({exc.name!r} is set by top-level line {skipped.line}, which the loader does not run)"
                )
        raise InputError(f"{label} raised {type(exc).__name__}: {message}{where}{hint}") from None


def _user_frames(frames: traceback.StackSummary) -> list[traceback.FrameSummary]:
    """Frames of the traceback that are not this module's own call of the code."""
    return [f for f in frames if f.filename != __file__ and not f.filename.endswith("/functools.py")]


def _where(frames: traceback.StackSummary, script: LoadedScript | None) -> str:
    """`` at FILE, line N``: the last frame in the script, else the last frame outside this module."""
    own = _user_frames(frames)
    in_script = [f for f in own if script is not None and f.filename == str(script.path)]
    chosen = (in_script or own or list(frames))[-1:]
    if not chosen:
        return ""
    return f" at {chosen[0].filename.rsplit('/', 1)[-1]}, line {chosen[0].lineno}"


class _ObjectAdapter:
    """The state behind a :class:`Subject` made from an object with forward and backward methods."""

    def __init__(self, obj: Any, options: AdapterOptions, script: LoadedScript | None) -> None:
        self.obj, self.options, self.script = obj, options, script
        cls = type(obj).__name__
        self.forward_name = _pick(obj, options.forward, FORWARD_NAMES, "forward")
        self.backward_name = _pick(obj, options.backward, BACKWARD_NAMES, "backward")
        self.label = f"{cls}.{self.backward_name}"
        self.notes: list[str] = []
        located = _find_arrays(obj)
        if not located:
            raise InputError(f"{cls} has no ndarray attributes to treat as weights")
        self.location = located
        for name in located:  # float64 copies, so probes are exact and writable
            self._rebind(name, np.array(self._get(name), dtype=np.float64))
        self.originals = {n: self._get(n) for n in located}
        snapshot = {n: a.copy() for n, a in self.originals.items()}
        self.n_inputs, self.output_attr = self._detect_forward()
        # arrays the forward pass rebinds or writes into are activations, not parameters
        self.names = [
            n
            for n in located
            if self._get(n) is self.originals[n] and np.array_equal(self.originals[n], snapshot[n])
        ]
        if not self.names:
            raise InputError(f"{cls}.{self.forward_name} rebinds every array attribute; no weights found")
        self.convention = self._detect_convention()

    # parameter access -------------------------------------------------------------------------
    def _get(self, name: str) -> Any:
        attr, index = self.location[name]
        value = getattr(self.obj, attr)
        return value if index is None else value[index]

    def _rebind(self, name: str, value: Array) -> None:
        attr, index = self.location[name]
        if index is None:
            setattr(self.obj, attr, value)
        else:
            getattr(self.obj, attr)[index] = value

    def set(self, params: Mapping[str, Array]) -> None:
        if any(np.iscomplexobj(params[n]) for n in self.names):
            raise InputError(f"{self.label} is run at real parameters only (no complex step)")
        for n in self.names:
            original = self.originals[n]
            if self._get(n) is not original:
                self._rebind(n, original)
            original[...] = params[n]

    def current(self) -> dict[str, Array]:
        out = {}
        for n in self.names:
            value = np.asarray(self._get(n))
            if value.shape != self.originals[n].shape:
                raise InputError(
                    f"{self.label} changed the shape of {n} from {self.originals[n].shape} to {value.shape}"
                )
            out[n] = _real_array(f"{n} after {self.label}", value)
        return out

    # forward ----------------------------------------------------------------------------------
    def _raw_forward(self, x: Array) -> Any:
        fn = getattr(self.obj, self.forward_name)
        label = f"{type(self.obj).__name__}.{self.forward_name}"
        call = f"the forward pass, {self.forward_name}(x) (--forward)"
        return _user_call(label, fn, x, script=self.script, called_as=call)

    def _output_of(self, returned: Any, attr: str | None) -> Array | None:
        if attr is not None:
            if not hasattr(self.obj, attr):
                arrays = ", ".join(k for k, v in vars(self.obj).items() if _float_array(v)) or "none"
                raise InputError(
                    f"output attribute {attr!r} (--output): {type(self.obj).__name__} has no attribute "
                    f"{attr!r} after {self.forward_name} (its array attributes: {arrays})"
                )
            return np.asarray(getattr(self.obj, attr))
        if isinstance(returned, tuple | list) and returned:
            returned = returned[-1]
        if isinstance(returned, np.ndarray) and returned.size > 0:
            return returned
        return None

    def _detect_forward(self) -> tuple[int, str | None]:
        opts = self.options
        if opts.n_inputs is not None:
            if isinstance(opts.n_inputs, bool) or not isinstance(opts.n_inputs, int) or opts.n_inputs < 1:
                raise InputError(
                    f"number of inputs (--inputs) must be a whole number ≥ 1, got {opts.n_inputs!r}"
                )
            candidates = [opts.n_inputs]
        else:
            candidates = [int(self._get(n).shape[0]) for n in self.location if self._get(n).ndim == 2]
        first_error = InputError(f"cannot tell the input width of {type(self.obj).__name__}; give it")
        for d in dict.fromkeys(candidates):
            before = dict(vars(self.obj))
            try:
                returned = self._raw_forward(np.zeros((1, d)))
            except InputError as exc:
                if opts.n_inputs is not None:
                    raise InputError(
                        f"number of inputs {d} (--inputs) does not fit {type(self.obj).__name__}: {exc}"
                    ) from None
                first_error = exc if d == candidates[0] else first_error
                continue
            attr = opts.output
            if attr is None and not isinstance(self._output_of(returned, None), np.ndarray):
                changed = [k for k, v in vars(self.obj).items() if before.get(k) is not v and _float_array(v)]
                preferred = [k for k in OUTPUT_NAMES if k in changed]
                if not (preferred or changed):
                    raise InputError(
                        f"{type(self.obj).__name__}.{self.forward_name} returned nothing and stored "
                        "no array; name the output attribute"
                    )
                attr = preferred[0] if preferred else changed[-1]
                self.notes.append(f"output read from attribute {attr!r}")
            return d, attr
        raise first_error

    def forward(self, params: Mapping[str, Array], x: Array) -> tuple[Array, Any]:
        """Output as a (n, n_out) float64 matrix, and the raw output (its shape is kept for the error)."""
        self.set(params)
        raw = self._output_of(self._raw_forward(x), self.output_attr)
        label = f"the output of {type(self.obj).__name__}.{self.forward_name}"
        if raw is None:
            raise InputError(f"{label} is not an array")
        if np.iscomplexobj(raw):
            raise InputError(f"{label} is complex (dtype {np.asarray(raw).dtype}); expected real outputs")
        a = _real_array(label, raw)
        if a.ndim == 1 and x.shape[0] == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2 or a.shape[0] != x.shape[0]:
            raise InputError(f"{label} has shape {np.shape(raw)}; expected one row per sample ({x.shape[0]})")
        validate_finite(label, a)
        return a, raw

    # backward ---------------------------------------------------------------------------------
    def _lr(self) -> tuple[str, float, bool]:
        """Name and value of the learning rate, and whether backward takes it as an argument."""
        sig = inspect.signature(getattr(self.obj, self.backward_name))
        param = next((p for p in sig.parameters.values() if p.name in LR_NAMES), None)
        passed = param is not None
        given = self.options.lr
        if given is not None and _number(given) is not None:
            return "lr", self._validate_lr("lr", _number(given)), passed
        if given and not hasattr(self.obj, given):
            numbers = [
                k for k, v in vars(self.obj).items() if isinstance(v, int | float) and not isinstance(v, bool)
            ]
            raise InputError(
                f"learning rate {given!r} (--lr) is neither a number nor an attribute of "
                f"{type(self.obj).__name__} (its number attributes: {', '.join(numbers) or 'none'})"
            )
        for n in [given] if given else LR_NAMES:
            if hasattr(self.obj, n):
                return n, self._validate_lr(n, getattr(self.obj, n)), passed
        if param is not None:
            value = 0.1 if param.default is inspect.Parameter.empty else param.default
            return param.name, self._validate_lr(param.name, value), True
        raise _NoLearningRate(
            f"{self.label} updates the weights but no learning rate was found (looked for "
            f"{', '.join(LR_NAMES)}); give its attribute or its value (1 for a bare W -= g)"
        )

    def _validate_lr(self, name: str, value: Any) -> float:
        try:
            lr = float(value)
        except (TypeError, ValueError):
            raise InputError(f"learning rate {name} = {value!r} is not a number") from None
        if not np.isfinite(lr) or lr == 0:
            raise InputError(
                f"learning rate {name} = {value!r}: the gradient cannot be recovered from an update "
                "(W_before − W_after) / lr with a zero or non-finite lr"
            )
        return lr

    def _detect_convention(self) -> str:
        wanted = self.options.convention
        if wanted not in CONVENTIONS:
            raise InputError(f"unknown convention {wanted!r}; known: {', '.join(CONVENTIONS)}")
        if wanted != "auto":
            return wanted
        kind, params = _argument_kind(self.obj, self.backward_name)
        if kind is None:
            kind = "error"
            second = params[1] if len(params) > 1 else "?"
            self.notes.append(f"assumed backward's argument {second!r} is the error a − y")
        probe = {n: self.originals[n].copy() for n in self.names}
        x = np.zeros((1, self.n_inputs))
        _, raw = self.forward(probe, x)
        zeros = np.zeros_like(np.asarray(raw, dtype=np.float64))
        returned = self._call_backward(x, zeros, raw, lr=None)
        self.set(probe)
        if _gradients_in(returned):
            return f"return-{kind}"
        # a zero error leaves the weights as they were: the update's sign is read from the source
        if kind == "error" and _update_sign(getattr(type(self.obj), self.backward_name, None)) > 0:
            conv = "update-flipped-error"
        else:
            conv = f"update-{kind}"
        try:
            self._lr()
        except _NoLearningRate:
            if not self._changes_weights(kind):  # say so rather than ask for a learning rate
                raise InputError(f"{self.label} returned {_described(returned)}; {_UNCHANGED}") from None
            raise
        return conv

    def _changes_weights(self, kind: str) -> bool:
        """Whether backward changes the weights at drawn weights and inputs, with the error a − y = 1."""
        rng = np.random.default_rng(0)
        probe = {n: rng.standard_normal(self.originals[n].shape) for n in self.names}
        x = rng.standard_normal((1, self.n_inputs))
        _, raw = self.forward(probe, x)
        a = np.asarray(raw, dtype=np.float64)
        self._call_backward(x, a - 1.0 if kind == "labels" else np.ones_like(a), raw, lr=None)
        changed = any(not np.array_equal(v, probe[n]) for n, v in self.current().items())
        self.set(probe)
        return changed

    def _call_backward(self, x: Array, arg: Array, raw: Any, lr: tuple[str, float, bool] | None) -> Any:
        """Call backward with ``(x, arg)`` and, for further required parameters, the learning rate
        (by name) or the forward output (``backward(X, y, o)``, as many tutorials write it)."""
        fn = getattr(self.obj, self.backward_name)
        args: list[Any] = [x, arg]
        _, names = _argument_kind(self.obj, self.backward_name)
        sig = inspect.signature(fn)
        for name in names[2:]:
            param = sig.parameters[name]
            if name in LR_NAMES and ((lr is not None and lr[2]) or param.default is inspect.Parameter.empty):
                args.append(lr[1] if lr is not None else 0.1)
            elif param.default is not inspect.Parameter.empty:
                break
            elif name in OUTPUT_ARGS:
                args.append(raw)
            else:
                raise InputError(
                    f"{self.label} takes a parameter {name!r} that is neither a learning rate nor the "
                    "forward output; write a short adapter (docs/checking-your-code.md)"
                )
        kind = "y" if getattr(self, "convention", "").endswith("labels") else "error"
        shown = ", ".join(["x", kind, *names[2 : len(args)]])
        call = f"the backward pass, {self.backward_name}({shown}) (--backward)"
        return _user_call(self.label, fn, *args, script=self.script, called_as=call)

    def gradient(self, params: Mapping[str, Array], x: Array, y: Array) -> dict[str, Array]:
        _, raw = self.forward(params, x)
        y_raw = y.reshape(np.shape(raw))
        conv = self.convention
        if conv.endswith("labels"):
            arg = y_raw
        elif conv == "update-flipped-error":
            arg = y_raw - np.asarray(raw, dtype=np.float64)
        else:
            arg = np.asarray(raw, dtype=np.float64) - y_raw
        lr = self._lr() if conv.startswith("update") else None
        before = {n: np.array(params[n], dtype=np.float64) for n in self.names}
        returned = self._call_backward(x, arg, raw, lr)
        if conv.startswith("return"):
            grads = _match_gradients(self.label, returned, before)
        else:
            assert lr is not None
            after = self.current()
            if all(np.array_equal(before[n], after[n]) for n in self.names):
                self.set(before)
                raise InputError(f"{self.label} returned {_described(returned)}; {_UNCHANGED}")
            grads = {n: (before[n] - after[n]) / lr[1] for n in self.names}
        self.set(before)
        return _validated(self.label, grads, before)


class _NoLearningRate(InputError):
    """No learning rate was found for an update convention."""


_UNCHANGED = (
    "the weights never changed: it neither updates them in place nor returns the gradients "
    "(a dict, tuple or list of arrays)"
)


def _described(returned: Any) -> str:
    """What backward returned, briefly: ``None``, ``str 'hello'``."""
    if returned is None:
        return "None"
    return f"{type(returned).__name__} {reprlib.repr(returned)}"


def _instantiate(cls: type, options: AdapterOptions, script: LoadedScript | None) -> Any:
    args = options.init_args if options.init_args is not None else constructor_arguments(cls, script)
    args = args or ()
    try:
        return _user_call(f"{cls.__name__}()", cls, *args, script=script, called_as="the constructor")
    except InputError as exc:
        if "with arguments it does not take" in str(exc):
            raise InputError(
                f"cannot construct {cls.__name__}{tuple(args)!r}: {str(exc).rsplit(': ', 1)[-1]}; "
                "give the constructor's arguments (--init-args)"
            ) from None
        raise


def adapt(code: Any, options: AdapterOptions | None = None, script: LoadedScript | None = None) -> Subject:
    """Make a :class:`Subject` of ``code``: a class, an instance, a method, or a ready Subject.

    Parameters
    ----------
    code : type, object, bound or unbound method, or Subject
        A class is instantiated (with ``options.init_args``, or the constant arguments of the script's
        own top-level call of it, or none); a method names the backward pass of its class.
    options : AdapterOptions, optional
        Overrides for the detection.
    script : LoadedScript, optional
        The script ``code`` was loaded from, for constructor arguments and clearer errors.

    Raises
    ------
    InputError
        When no convention fits; the message names what is missing.
    """
    options = options or AdapterOptions()
    if isinstance(code, Subject):
        return code
    if inspect.ismethod(code):
        options = _with_backward(options, code.__name__)
        code = code.__self__
    elif inspect.isfunction(code) and "." in code.__qualname__ and script is not None:
        owner = script.get(code.__qualname__.rsplit(".", 1)[0])
        options = _with_backward(options, code.__name__)
        code = owner
    elif inspect.isfunction(code):
        return _function_subject(code, options, script)
    if options.shapes is not None:
        what = "a class" if isinstance(code, type) else "an object"
        name = getattr(code, "__name__", type(code).__name__)
        raise InputError(
            f"--shapes is for functions whose weights are arguments; {name} is {what}, whose weights "
            "are its array attributes"
        )
    if isinstance(code, type):
        code = _instantiate(code, options, script)
    adapter = _ObjectAdapter(code, options, script)
    lr_note = ""
    if adapter.convention.startswith("update"):
        name, value, _ = adapter._lr()
        lr_note = f", {name} = {value:g}"
    return Subject(
        name=adapter.label,
        parameters={n: adapter.originals[n].copy() for n in adapter.names},
        n_inputs=adapter.n_inputs,
        forward=lambda params, x: adapter.forward(params, x)[0],
        gradient=adapter.gradient,
        convention=adapter.convention + lr_note,
        notes=adapter.notes,
        real_only=True,
    )


def _function_subject(
    fn: Callable[..., Any], options: AdapterOptions, script: LoadedScript | None
) -> Subject:
    """A plain function ``grads(W1, W2, x, y)`` returning the gradients, with a forward function
    ``forward(W1, W2, x)`` of the same weights found in the script (or named by ``options.forward``)."""
    label = fn.__name__
    sig = inspect.signature(fn)
    names = [p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty]
    x_name = next((n for n in names if n in X_ARGS), None)
    y_name = next((n for n in names if n in LABEL_ARGS or n in ERROR_ARGS), None)
    if x_name is None or y_name is None:
        raise InputError(
            f"{label}({', '.join(names)}) has no inputs and labels arguments; write a short adapter"
        )
    weights = [n for n in names if n not in (x_name, y_name)]
    kind = "labels" if y_name in LABEL_ARGS else "error"

    def takes(f: Any) -> bool:
        params = set(inspect.signature(f).parameters) if callable(f) else set()
        return x_name in params and params <= {x_name, *weights} and f is not fn

    found = [getattr(script.module, n, None) for n in FORWARD_NAMES] if script else []
    forward_fn = (
        script.get(options.forward)
        if options.forward and script
        else next((f for f in found if takes(f)), None)
    )
    if forward_fn is None:
        raise InputError(
            f"no forward function of {', '.join(weights)} and {x_name} found for {label}; name it"
        )
    given = options.shapes or {}
    shapes: dict[str, tuple[int, ...]] = {}
    for w in weights:
        shape = given.get(w) or (_script_shape(script, w) if script else None)
        if shape is not None:
            shapes[w] = shape
    missing = [w for w in weights if w not in shapes]
    if missing:
        raise InputError(f"the shapes of {', '.join(missing)} are unknown; give them, e.g. W1=30x5")
    for w, shape in shapes.items():
        if any(d < 1 for d in shape):
            raise InputError(f"the shape of {w}, {shape}, has a dimension < 1; give it, e.g. W1=30x5")
    fwd_args = list(inspect.signature(forward_fn).parameters)

    def raw_forward(params: Mapping[str, Array], x: Array) -> Any:
        kwargs = {n: (x if n == x_name else params[n]) for n in fwd_args}
        out = _user_call(forward_fn.__name__, functools.partial(forward_fn, **kwargs), script=script)
        out = out[-1] if isinstance(out, tuple | list) and out else out
        a = _real_array(f"the output of {forward_fn.__name__}", out)
        if a.ndim != 2 or a.shape[0] != x.shape[0]:
            raise InputError(
                f"the output of {forward_fn.__name__} has shape {a.shape}; expected one row per sample"
            )
        validate_finite(f"the output of {forward_fn.__name__}", a)
        return a

    def gradient(params: dict[str, Array], x: Array, y: Array) -> dict[str, Array]:
        a = raw_forward(params, x)
        kwargs = {n: params[n] for n in weights} | {x_name: x, y_name: y if kind == "labels" else a - y}
        returned = _user_call(label, functools.partial(fn, **kwargs), script=script)
        return _validated(label, _match_gradients(label, returned, params), params)

    parameters: dict[str, Array] = {w: np.zeros(shapes[w]) for w in weights}
    n_inputs = next((s[0] for s in shapes.values() if len(s) == 2), 0)
    if n_inputs == 0:
        raise InputError(f"{label} has no weight matrix among {', '.join(weights)}")
    return Subject(
        label, parameters, n_inputs, raw_forward, gradient, f"return-{kind} (function)", real_only=True
    )
