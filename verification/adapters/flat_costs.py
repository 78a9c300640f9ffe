"""Cost functions over an unrolled parameter vector: ``nnCostFunction(nn_params, input_layer_size,
hidden_layer_size, num_labels, X, y, lambda_)`` returning ``(J, grad)``.

Andrew Ng's Machine Learning course (exercise 4, "Neural Network Learning") and Stanford's CS224n
(assignment 1, ``forward_backward_prop(data, labels, params, dimensions)``) hand a network to an
optimiser (``scipy.optimize.minimize``, their own gradient check) as one flat vector. The function
reshapes slices of it into the weight matrices, runs the forward pass, and returns the cost and the
gradient unrolled the same way. There is no forward function to call, and the sizes are arguments.

The reading (:func:`flat_cost_subject`):

1. the function returns two values and reshapes slices of one argument (:func:`flat_costs`);
2. the sizes come from the arguments' names (:data:`~verification.reading.guesses.SIZE_GUESSES`:
   4 inputs, 5 hidden units, 3 outputs), the data and labels from theirs, and every other number is 0:
   a cost function takes no learning rate, so a number left is a regularisation strength (exercise 4's
   ``lambda``, which some copies name ``learning_rate``), and the loss checked is the unregularised one;
3. the vector's length is the one, of the lengths a chain of layers with biases has, at which the
   gradient returned has that length too;
4. the output is the function's local, as it returns, that has the output's shape (a numbered
   activation, ``h``, ``out``), read by :data:`~verification.reading.local_output.LOCAL_READER`;
5. labels are class indices counted from 1 when the code subtracts 1 from them (exercise 4's labels
   run 1..K), else from 0; the other count is a reading the verdict must survive
   (:mod:`verification.adapters.variants`), as are one-hot labels.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
from dataclasses import replace
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.build import subject_for
from verification.adapters.calls import run_code
from verification.adapters.failures import refusal
from verification.adapters.local_forwards import OUTPUT_LOCALS, local_call
from verification.adapters.options import Options
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.adapters.trials import layouts, run_setup
from verification.adapters.unrolled_vectors import GRADIENT_FUNCTION, call_name, cost_partner, unrolled
from verification.reading.guesses import SIZE_GUESSES
from verification.reading.loader import LoadedScript
from verification.reading.local_output import output_locals
from verification.reading.source_trees import source_tree

DATA = re.compile(r"^(x|X|data|inputs?|x_?train|X_?train|features_?matrix)$")
"""Names of the inputs' argument."""

LABELS = re.compile(r"^(y|Y|labels?|targets?|t|T|y_?train|Y_?train|y_?true|onehot_?labels)$")
"""Names of the labels' argument."""

OUTPUT_SIZE = re.compile(r"^(num|n|number_of)_?labels$", re.I)
"""Exercise 4's ``num_labels``: the output width, not the labels."""

OUTPUTS = 3
"""The output width: that of :data:`SIZE_GUESSES` (``num_labels``, ``output_size``)."""

CHAIN = [4, 5, OUTPUTS]
"""The sizes a list of dimensions gets (CS224n's ``dimensions = [Dx, H, Dy]``): one hidden layer,
the network these functions are written for; the widths of :data:`SIZE_GUESSES`."""


def flat_costs(script: LoadedScript) -> list[str]:
    """The script's functions that are cost functions over an unrolled parameter vector: they return
    a tuple of two and reshape a slice of one of their arguments (``np.reshape(params[a:b], …)``,
    ``nn_params[:k].reshape(…)``); or gradient functions that return the gradient alone beside a cost
    function of the same arguments that returns the cost alone (:func:`cost_partner`)."""
    namespace = script.module.__dict__
    functions = {n: namespace[n] for n in script.defined_names() if inspect.isfunction(namespace.get(n))}
    return [
        n
        for n, fn in functions.items()
        if unrolled(fn) or (GRADIENT_FUNCTION.search(n) and cost_partner(functions, n) is not None)
    ]


def counts_from_one(fn: Any, labels: str) -> bool:
    """Whether ``fn`` subtracts 1 from its labels (``yt[np.arange(m), y - 1] = 1``,
    ``np.eye(K)[y.ravel() - 1]``) or counts from 1 (``for k in range(1, num_labels + 1)``):
    exercise 4's labels run from 1 to K. A ``range(1, …)`` over something else also says so; the
    other count is a reading the verdict must survive (:func:`flat_cost_subject`), so a guess here
    never decides a verdict alone."""
    tree = source_tree(fn)
    for node in ast.walk(tree) if tree is not None else []:
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Sub)
            and isinstance(node.right, ast.Constant)
            and node.right.value == 1
            and any(isinstance(n, ast.Name) and n.id == labels for n in ast.walk(node.left))
        ):
            return True
        if (  # for k in range(1, num_labels + 1): y == k
            isinstance(node, ast.Call)
            and call_name(node.func) == "range"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == 1
        ):
            return True
    return False


def _arguments(fn: Any, vector: str, labels_code: str) -> tuple[str, dict[str, Any]] | None:
    """The call's argument list (``params, 4, 5, 3, x, y + 1, 0.0``) and the sizes given; None when an
    argument's name says nothing of its value."""
    parts, sizes = [], {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name == vector:
            value = "params"
        elif DATA.match(p.name):
            value = "x"
        elif LABELS.match(p.name):
            value = labels_code
        elif p.default is not inspect.Parameter.empty:
            continue
        else:
            guess = (
                OUTPUTS
                if OUTPUT_SIZE.match(p.name)
                else next((v for r, v in SIZE_GUESSES if r.search(p.name)), None)
            )
            if isinstance(guess, list):
                guess = CHAIN
            elif isinstance(guess, float) or (
                guess is None and re.search(r"lambda|reg|rate|alpha|decay", p.name, re.I)
            ):
                guess = 0.0  # no regularisation (and a cost function has no learning rate)
            if guess is None or isinstance(guess, str):
                return None
            sizes[p.name] = guess
            value = repr(guess)
        parts.append(f"{p.name}={value}" if p.kind == p.KEYWORD_ONLY else value)
    return ", ".join(parts), sizes


def _lengths(sizes: dict[str, Any]) -> list[int]:
    """Lengths the vector may have: every chain of layers with biases (``Σ (n_i + 1) n_{i+1}``) over the
    sizes given, in the order the arguments list them (a list of dimensions is the chain itself)."""
    chains = [v for v in sizes.values() if isinstance(v, list)]
    widths = [v for v in sizes.values() if isinstance(v, int) and not isinstance(v, bool) and v > 0]
    out = []
    for chain in [*chains, widths]:
        for end in range(len(chain), 1, -1):
            n = sum((a + 1) * b for a, b in itertools.pairwise(chain[:end]))
            out += [n] if n not in out else []
    return out


def _output_local(fn: Any, call: tuple[Any, ...], n_samples: int, n_out: int) -> str | None:
    """The local of ``fn`` that holds the output when it returns: the first, in order of name (those
    of :data:`OUTPUT_LOCALS`, ``out``, ``h``, then numbered activations from the highest), with
    ``n_samples`` rows of ``n_out`` (or the transpose), not the labels' one-hot."""
    found = output_locals(fn, *call)
    numbered = sorted(
        (n for n in found if re.fullmatch(r"(a|A|h|o|out|layer|l)_?\d+", n)),
        key=lambda n: -int(re.sub(r"\D", "", n)),
    )
    for name in [*OUTPUT_LOCALS, "hypothesis", "h", "prob", "probs", "a", *numbered]:
        value = found.get(name)
        shape = np.shape(value) if isinstance(value, np.ndarray) else None
        if shape in ((n_samples, n_out), (n_out, n_samples)) and np.issubdtype(
            np.asarray(value).dtype, np.floating
        ):
            return name
    return None


def flat_cost_subject(
    namespace: dict[str, Any], script: LoadedScript, options: Options, name: str
) -> CodeSubject:
    """The subject of the cost function ``name`` over an unrolled parameter vector (module docstring).

    Raises
    ------
    InputError
        When no size, vector length, layout or output local lets it run; the message names the
        most telling failure.
    """
    fn = namespace[name]
    functions = {n: namespace[n] for n in script.defined_names() if inspect.isfunction(namespace.get(n))}
    partner = cost_partner(functions, name) if name in functions else None
    vector = unrolled(fn, 1 if partner else 2)
    labels = next((p for p in inspect.signature(fn).parameters if LABELS.match(p)), None)
    if vector is None or labels is None:
        raise InputError(f"{name} is not a cost function over an unrolled parameter vector with labels")
    one = counts_from_one(fn, labels)
    counted = ("y + 1", "y") if one else ("y", "y + 1")  # as read, and the other count, varied
    made, other = _arguments(fn, vector, counted[0]), _arguments(fn, vector, counted[1])
    if made is None or other is None:
        raise InputError(f"cannot call {name}: the name of an argument says nothing of its value")
    arguments, sizes = made
    chains = [v for v in sizes.values() if isinstance(v, list)]
    widths = [v for k, v in sizes.items() if re.search(r"input|^n_?x$|^d_?x$|feature", k, re.I)]
    n_in = (widths or [c[0] for c in chains] or [None])[0]
    if n_in is None:
        raise InputError(f"cannot call {name}: no argument gives the input width")
    told = f"labels as class indices counted from {1 if one else 0}"
    told += " (the code subtracts 1 from them)" if one else ""
    errors: list[InputError | str] = []
    for length in _lengths(sizes):
        setup = f"params = __import__('numpy').random.default_rng(0).standard_normal({length})"
        try:
            roots = run_setup(namespace, setup, script)
        except InputError as exc:
            errors.append(exc)
            continue
        notes: tuple[str, ...] = (
            f"{name} takes its weights as one vector of {length} entries; the numbers that are no size are "
            "0: the cost without regularisation",
        )
        if partner:
            notes += (f"the output read from {partner}, the cost function beside {name}",)
        for layout in [lay for lay in layouts(options) if lay.inputs in ("row", "column")]:
            gradient = f"{name}({arguments})" + ("" if partner else "[1]")
            recipe = Recipe(
                setup,
                "",
                gradient,
                layout=layout,
                notes=(*notes, told) if layout.labels == "index" else notes,
            )
            pair = (fn, namespace[partner] if partner else fn)
            subject = _try(namespace, script, pair, recipe, roots, (arguments, other[0]), n_in, errors)
            if subject is not None:
                return subject
    raise refusal(
        f"could not check {name} automatically",
        errors,
        "give the explicit form: --setup, --forward, --gradient",
    )


def _try(
    namespace: dict[str, Any],
    script: LoadedScript,
    functions: tuple[Any, Any],
    recipe: Recipe,
    roots: list[str],
    calls: tuple[str, str],
    n_in: int,
    errors: list[InputError | str],
) -> CodeSubject | None:
    """The subject of ``recipe`` (its forward read from the local found in the second of ``functions``,
    the gradient function's cost function or itself), with the labels counted the other way as a
    reading to vary (``calls``: the arguments as detected and so counted), or None (the failure added
    to ``errors``)."""
    arguments, alternative = calls
    fn, source = functions
    m, layout, name = 3, recipe.layout, fn.__name__
    read = "[1]" if source is fn else ""  # the second of (cost, gradient), or the gradient alone
    length = np.size(namespace["params"])
    namespace["x"] = layout.to_code(np.random.default_rng(3).standard_normal((m, n_in)))
    namespace["y"] = layout.labels_to_code(np.eye(OUTPUTS)[np.arange(m) % OUTPUTS])
    try:
        value = run_code(f"{name}({arguments})", namespace, "--gradient", script=script)
        call = run_code(f"({arguments},)", namespace, "--gradient", script=script)
    except InputError as exc:
        errors.append(exc)
        return None
    paired = source is fn and isinstance(value, tuple) and len(value) == 2
    size = np.size(value[1]) if paired else np.size(value) if source is not fn else 0
    if size != length:
        errors.append(f"{name} returned a gradient of {size} entries for a vector of {length}")
        return None
    local = _output_local(source, tuple(call), m, OUTPUTS)
    if local is None:
        errors.append(
            f"no local of {source.__name__} holds an output of {m} samples of {OUTPUTS} when it returns"
        )
        return None
    try:
        other = f"{name}({alternative}){read}"
        reading = (f"--gradient {other!r}", local_call(source.__name__, local, alternative), other)
        forward = local_call(source.__name__, local, arguments)
        recipe = replace(recipe, forward=forward, readings=(reading,))
        return subject_for(namespace, recipe, roots, script, n_in, name)
    except InputError as exc:
        errors.append(exc)
        return None
