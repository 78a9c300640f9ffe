"""How a layer object is built for its check: values for its constructor's arguments, guessed from
their names (:data:`CONSTRUCTOR_GUESSES`), and an activation with its derivative taken from the project
itself (:func:`constructor_arguments`); and what the layer's own settings say of its gradients: an L2
penalty whose coefficient it keeps (:func:`decay`)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from verification.reading.activation_names import activation_name
from verification.reading.argument_usage import usage
from verification.reading.conventions import DERIVATIVE_SUFFIXES, REGULARISATION
from verification.units.arguments import parameters
from verification.units.cases import NotChecked

CONSTRUCTOR_GUESSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"^(name|layer_?name|scope)$", re.I), "layer"),  # Linear(n_in, n_out, name): a label
    (re.compile(r"^(lr|learning_?rate|eta|step_size)$", re.I), 0.1),
    (re.compile(r"in(put)?_?channels|channels_?in|n_?channels|depth", re.I), 3),
    (re.compile(r"out(put)?_?channels|filters|n_?filters|num_filters|kernels", re.I), 2),
    (re.compile(r"kernel|filter_size|ksize|window|pool", re.I), 3),
    (re.compile(r"stride", re.I), 1),
    (re.compile(r"pad", re.I), 1),
    (re.compile(r"^(p|rate|dropout|drop_prob|keep_prob)$", re.I), 0.5),
    (re.compile(r"^eps", re.I), 1e-5),
    (re.compile(r"momentum", re.I), 0.9),
    (
        re.compile(r"^(n_?)?inp?(ut)?s?_?(num|count|size|dim)?\d*(_|$)|_inp?(ut)?s?$|_in_|fan_?in", re.I),
        4,
    ),  # not k·in·d
    (re.compile(r"out|neuron|nuerons|unit|hidden|size|dim|features|fan_?out|class|label|categor", re.I), 3),
)
"""Constructor arguments by name: four inputs, three outputs, 3×3 filters over three channels; a layer's
name is a name."""

OWN_ZERO = re.compile(r"stride|pad", re.I)
"""Arguments whose default of 0 is the author's choice (no padding; a stride of the kernel's size), not
a size left to the caller: kept."""

WEIGHT_ARGUMENT = re.compile(r"^(w|weights?|kernel_?weights?)\d*$", re.I)
BIAS_ARGUMENT = re.compile(r"^(b|bias(es)?)\d*$", re.I)
SCALE_ARGUMENTS = re.compile(r"^(gamma|beta)$", re.I)
LAYOUTS: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("x W + b", (4, 3), (3,)),
    ("W x + b", (3, 4), (3, 1)),
    ("filters", (2, 3, 3, 3), (2,)),
)
"""The shapes of the weight and the bias a layer built from its parameters (``Affine(W, b)``, the layers
of Saito's *Deep Learning from Scratch*, ch. 5.6) is given, tried in this order: a row of inputs times
``W`` (four inputs, three outputs), ``W`` times a column of inputs, then four filters' worth of 3×3
kernels over three channels. The check draws the values it probes at itself; a scale and a shift
(``BatchNormalization(gamma, beta)``) are vectors of the four inputs' width."""


def array_layouts(cls: type) -> int:
    """How many layouts (:data:`LAYOUTS`) the layer's construction can take: ``len(LAYOUTS)`` when its
    constructor requires a weight or a bias by name, else 1 (the arguments name sizes only)."""
    required = [p.name for p in parameters(cls) if p.default is p.empty]
    return len(LAYOUTS) if any(WEIGHT_ARGUMENT.match(n) or BIAS_ARGUMENT.match(n) for n in required) else 1


def _array(name: str, layout: int) -> Any:
    """A weight, bias, scale or shift argument in the given layout (ones and zeros: the check redraws
    them), else None."""
    _, weight, bias = LAYOUTS[layout]
    if WEIGHT_ARGUMENT.match(name):
        return np.ones(weight)
    if BIAS_ARGUMENT.match(name):
        return np.zeros(bias)
    return np.ones(4) if SCALE_ARGUMENTS.match(name) else None


RANDOM_GENERATOR = re.compile(r"rng|random_?gen(erator)?|generator|random_?state", re.I)
"""An argument that takes the random generator the layer draws its weights from: given
``numpy.random.default_rng(0)``, a new one for each layer (the check draws the weights it probes
at itself)."""


def constructor_arguments(cls: type, preset: dict[str, Any] | None = None, layout: int = 0) -> dict[str, Any]:
    """Values for the constructor's required arguments (:data:`CONSTRUCTOR_GUESSES`); a size the code
    uses as a list (``n_hidden``, iterated) is a list of that size; an argument whose name says nothing
    but that shapes an array (``randn(N, M)``) is a width, distinct from the others. A size whose
    default is 0 or None (``in_neurons=0``, a size left to the caller) is guessed too; other defaults
    are the author's. An activation function and its derivative are a pair the project defines
    (:func:`_activation_pair`); ``preset`` gives arguments outright (a flag's value). A required weight,
    bias, scale or shift is an array of the shape ``layout`` indexes in :data:`LAYOUTS`.

    Raises
    ------
    NotChecked
        ``refused`` naming a required argument whose name says nothing of its value.
    """
    out: dict[str, Any] = {}
    widths = iter((3, 4, 5, 6, 7, 8))  # distinct, so that no layer is square by accident
    required = [p.name for p in parameters(cls) if p.default is p.empty]
    pair = _activation_pair(cls, required)
    for p in parameters(cls):
        if p.name in pair or p.name in (preset or {}):
            out[p.name] = (preset or {}).get(p.name, pair.get(p.name))
            continue
        guess = next((v for pattern, v in CONSTRUCTOR_GUESSES if pattern.search(p.name)), None)
        if RANDOM_GENERATOR.fullmatch(p.name) and p.default is p.empty:  # Linear(n_in, n_out, rng)
            out[p.name] = np.random.default_rng(0)  # a generator of its own for every layer built
            continue
        if p.default is p.empty and (array := _array(p.name, layout)) is not None:
            out[p.name] = array  # Affine(W, b): the layer is handed its parameters
            continue
        if p.default is not p.empty:
            if p.default in (0, None) and isinstance(guess, int) and not isinstance(p.default, bool):
                if not OWN_ZERO.search(p.name):  # stride=0: the kernel's own, padding=0: none
                    out[p.name] = guess  # Layer(in_neurons=0, out_neurons=0): a size left to the caller
            continue
        guess = guess if guess is not None else activation_name(cls, p.name)  # Dense(3, "sigmoid", 4)
        if guess is None and usage(cls, p.name) == "int":  # ReLuLayer(N, M): randn(N, M) says a width
            guess = next(widths)
        if guess is None:
            raise NotChecked("refused", f"cannot tell what {cls.__name__}() takes as {p.name}")
        if isinstance(guess, int) and usage(cls, p.name) == "list":
            guess = [guess]  # n_hidden: the sizes of the hidden layers
        out[p.name] = guess
    return out


DERIVATIVE = re.compile(r"(prime|deriv|_p$|_d$|grad)", re.I)


def _activation_pair(cls: type, required: list[str]) -> dict[str, Any]:
    """For a layer built from an activation function and its derivative (``ActivationLayer(activation,
    activation_prime)``, both required): a pair the project itself defines (``tanh`` with
    ``tanh_prime``, in the layer's file, else in the modules beside it), so that the layer is checked
    with the derivative's own convention (of the input, or of the output, ``s (1 − s)``) as the project
    runs it. Empty unless exactly one argument of each kind is required.

    Raises
    ------
    NotChecked
        ``refused`` when the project defines no such pair: which convention the layer expects of its
        derivative is then unknown.
    """
    functions = [n for n in required if re.search(r"activ|acti|func|^f$|^fn$|^fn?_", n, re.I)]  # f, f_prime
    derivatives = [n for n in functions if DERIVATIVE.search(n)]
    values = [n for n in functions if n not in derivatives]
    if len(derivatives) != 1 or len(values) != 1:
        return {}
    pair = _defined_pair(cls)
    if pair is None:
        raise NotChecked(
            "refused",
            f"{cls.__name__}() takes an activation and its derivative, and the project defines no pair "
            "of them (f with f_prime or f_derivative) to build it with",
        )
    return {values[0]: pair[0], derivatives[0]: pair[1]}


def _defined_pair(cls: type) -> tuple[Any, Any] | None:
    """An activation and its derivative defined in the module of ``cls``, else in the modules beside its
    file: ``(f, f_prime)``, ``f`` of one argument (``mse`` with ``mse_prime`` is a loss), tanh's first
    when there are several."""
    import inspect
    import sys
    from pathlib import Path

    from verification.reading.siblings import sibling_functions

    module = sys.modules.get(cls.__module__)
    own = {n: f for n, f in vars(module).items() if inspect.isfunction(f)} if module is not None else {}
    pools = [own]
    path = getattr(module, "__file__", None)
    if path:
        pools.append({n: f for n, (f, _) in sibling_functions(Path(path), ("",)).items()})
    for pool in pools:
        pairs = []
        for name, fn in pool.items():
            for suffix in DERIVATIVE_SUFFIXES:
                if name + suffix in pool and _one_argument(fn):  # mse(y, y_pred) is no activation
                    pairs.append((name, (fn, pool[name + suffix])))
        pairs.sort(key=lambda p: p[0].lower() != "tanh")
        if pairs:
            return pairs[0][1]
    return None


def _one_argument(fn: Any) -> bool:
    """Whether ``fn`` takes one required argument, as an activation does (a loss takes two)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return (
        sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        == 1
    )


BIAS = re.compile(r"^b\d*$|bias", re.IGNORECASE)
"""A bias by its name, also when kept as a row ``(1, m)``: no weight matrix, so no penalty's term."""


def decay(
    layer: Any, params: dict[str, Any], analytic: dict[str, Any], constants: list[float] | None = None
) -> list[tuple[dict[str, Any], str]]:
    """The gradients with an L2 penalty's term taken off, when the layer keeps one coefficient named for
    it (``self.reg``, ``self.l2``, ``self.weight_decay``: :data:`~verification.reading.conventions.
    REGULARISATION`): ``dW − λ W`` for the weight matrices (``ndim ≥ 2``, not named like a bias), the
    gradient of ``loss + ½ λ ‖W‖²`` being ``Jᵀ dout + λ W``, with ``λ`` the coefficient, then twice it
    (the penalty written ``λ ‖W‖²``); and what each reading means. The coefficient may be a module
    constant its backward reads (``constants``, :mod:`verification.units.module_constants`). Empty
    without exactly one such coefficient (a weight added to its own gradient by mistake stays a
    mismatch).
    """
    values = [
        float(v)
        for k, v in vars(layer).items()
        if REGULARISATION.match(k) and isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
    ] + list(constants or [])
    if len(values) != 1:
        return []
    out = []
    for times in (1, 2):  # the penalty written ½ λ ‖W‖², or λ ‖W‖² (its gradient 2 λ W)
        lam = times * values[0]
        reading = dict(analytic)
        for k, w in params.items():
            g = analytic.get(k)
            if (
                isinstance(g, np.ndarray)
                and np.ndim(w) >= 2
                and np.shape(g) == np.shape(w)
                and not BIAS.search(k)
            ):
                reading[k] = g - lam * w
        twice = "" if times == 1 else " × 2, the penalty written coefficient × ‖W‖²"
        out.append(
            (
                reading,
                f"the weight gradients hold an L2 term λ W, λ = {lam:g} (the layer's coefficient{twice})",
            )
        )
    return out
