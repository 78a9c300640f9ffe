"""What the names, signatures and source of someone's code say about how it is called.

Detection (:mod:`verification.adapters.detection`) reads, without running anything:

* method and argument names: which method is the forward pass, which gives the gradient, which
  argument takes the inputs, the labels, the error ``a − y``, the forward output, the learning rate or
  the number of iterations (the lists below, in order of preference, matched without case);
* constructor arguments guessed from their names when the script builds no network of its own.

What the *source* of a training method says is in :mod:`verification.reading.updates`; the script's
own construction of its network, in :mod:`verification.reading.slices`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

FORWARD_NAMES = (
    "forward",
    "feedforward",
    "feed_forward",
    "forward_pass",
    "forward_propagation",
    "forward_propogation",
    "forwardprop",
    "forward_prop",
    "fprop",
    "forward_propagate",
    "_forward",
    "predict_proba",
    "predict",
    "scores",
    "logits",
    "query",
    "think",
    "__call__",
    "run",
)
GRADIENT_NAMES = (
    "backprop",
    "backpropagation",
    "back_propagation",
    "backward",
    "backward_pass",
    "backward_propagation",
    "backward_propogation",
    "backprop_step",
    "gradients",
    "gradient",
    "compute_gradients",
    "get_gradients",
    "grads",
    "costFunctionPrime",
    "cost_function_prime",
    "loss",
    "backpropagate",
    "backPropagate",
)
TRAIN_NAMES = ("train_step", "train", "fit", "learn", "update", "step", "sgd_step", "train_once")
"""Methods that give a gradient by returning it, or one training step by updating the weights."""

X_ARGS = (
    "x",
    "inputs",
    "input",
    "xs",
    "a0",
    "x_batch",
    "inputs_list",
    "input_list",
    "data",
    "sample",
    "row",
    "instance",
    "features",
    "x_train",
    "l0",
    "input_data",
    "in_",
)
Y_ARGS = (
    "y",
    "t",
    "target",
    "targets",
    "label",
    "labels",
    "y_true",
    "ytrue",
    "expected",
    "desired",
    "targets_list",
    "target_list",
    "y_train",
    "truth",
    "desired_output",
    "expected_output",
    "outputs_expected",
)
ERROR_ARGS = (
    "error",
    "err",
    "e",
    "errors",
    "delta",
    "d",
    "output_error",
    "o_error",
    "diff",
    "dout",
    "grad",
    "loss_grad",
    "dloss",
    "residual",
    "dvalues",
)
OUTPUT_ARGS = (
    "o",
    "out",
    "output",
    "a",
    "y_hat",
    "yhat",
    "pred",
    "prediction",
    "predicted",
    "activation",
    "al",
    "a2",
    "output_activation",
    "outputs",
    "y_pred",
    "ypred",
)
CACHE_ARGS = ("cache", "caches", "memory", "activations")
LR_NAMES = (
    "lr",
    "learning_rate",
    "learningrate",
    "eta",
    "alpha",
    "rate",
    "step_size",
    "learn_rate",
    "l_rate",
    "lrate",
)
DATASET_ARGS = (
    "dataset",
    "train",
    "training",
    "train_set",
    "training_set",
    "train_data",
    "training_data",
    "patterns",
    "examples",
    "rows",
)
"""Arguments of a training function that take a whole data set: rows of inputs with their label, or
``[inputs, targets]`` pairs."""
ITERATION_ARGS = (
    "iterations",
    "epochs",
    "num_epochs",
    "n_epochs",
    "number_of_training_iterations",
    "n_iter",
    "iters",
    "num_iterations",
    "steps",
    "epoch",
    "n_iterations",
    "max_iter",
)
PARAMETER_CONTAINERS = ("parameters", "params", "weights", "theta", "model", "network", "net", "nn")
"""Argument names under which functions take their parameters."""

SIZE_GUESSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(
            r"^(sizes|layers|layer_sizes|layer_dims|layers_dims|dims|shape|architecture|topology|nn_structure)$"
            r"|dimensions|layer_?sizes?$|layers?_?dims?$|^(nn_)?(shape|structure|sizes)$",
            re.I,
        ),
        [4, 5, 3],
    ),
    (
        re.compile(
            r"(input|^n_?x$|^ni$|^n_?in$|inode|num_in|in_features|^d_?in$|n_inputs|^x_size$|features|^n_?feat)",
            re.I,
        ),
        4,
    ),
    (re.compile(r"(hidden|^n_?h$|^nh$|hnode|^h$|neurons|units)", re.I), 5),
    (
        re.compile(
            r"(output|^n_?y$|^no$|^n_?out$|onode|num_out|num_classes|n_classes|out_features|^d_?out$)", re.I
        ),
        3,
    ),
    (re.compile(r"^(lr|learning_?rate|eta|alpha|learn_rate|rate)$", re.I), 0.1),
    (re.compile(r"(epoch|iteration|iters)", re.I), 1),
    (re.compile(r"^(seed|random_state)$", re.I), 0),
    (re.compile(r"^(activation|act|activation_function)$", re.I), "sigmoid"),
    (re.compile(r"^(momentum|mu|beta|momentum_?factor)$", re.I), 0.0),
    (re.compile(r"^(reg|lambd|lambda_?|lam|l2|l2_?reg|reg_?lambda|weight_?decay|decay|dropout)$", re.I), 0.0),
    (re.compile(r"^(keep_?prob)$", re.I), 1.0),
)
"""Constructor arguments guessed from their names when the script does not build its network: a
4-5-3 network, learning rate 0.1, one epoch; no momentum, regularisation or dropout (a momentum term is
zero at a first step anyway, and the loss checked is the unregularised one)."""


def lower(names: Iterable[str]) -> tuple[str, ...]:
    """The names in lower case, for matching without case."""
    return tuple(n.lower() for n in names)


def methods_by_preference(obj: Any, names: Iterable[str], fuzzy: Iterable[str] = ()) -> list[str]:
    """Callable attributes of ``obj`` whose names are in ``names`` (that order, any case), then those
    containing one of ``fuzzy``."""
    available = {n.lower(): n for n in dir(obj) if not n.startswith("__") or n == "__call__"}
    out = []
    for n in names:
        real = available.get(n.lower())
        if real is not None and callable(getattr(obj, real, None)) and real not in out:
            if real != "__call__" or not isinstance(obj, type):
                out.append(real)
    for n in sorted(available.values()):
        if any(f in n.lower() for f in fuzzy) and n not in out and callable(getattr(obj, n, None)):
            out.append(n)
    return out


def positional_parameters(fn: Any) -> list[inspect.Parameter]:
    """The parameters of ``fn`` that can be given by position (``self`` excluded for bound methods)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def call_arguments(
    params: list[inspect.Parameter], value_of: Callable[[int, inspect.Parameter], str | None]
) -> list[str] | None:
    """The arguments of a call, as source: each parameter's ``value_of(position, parameter)``,
    positionally until one with a default is left out, by keyword after it; None when a parameter
    without a default has no value."""
    args, keyword = [], False
    for i, p in enumerate(params):
        value = value_of(i, p)
        if value is None:
            if p.default is inspect.Parameter.empty:
                return None
            keyword = True
            continue
        args.append(f"{p.name}={value}" if keyword else value)
    return args


def role(name: str, position: int) -> str | None:
    """``x``, ``y``, ``error``, ``output``, ``cache``, ``lr``, ``iterations``, ``dataset`` or None, from an
    argument's name
    (the first argument is the inputs when its name says nothing)."""
    n = name.lower()
    for kind, names in (
        ("x", X_ARGS),
        ("y", Y_ARGS),
        ("error", ERROR_ARGS),
        ("output", OUTPUT_ARGS),
        ("cache", CACHE_ARGS),
        ("lr", LR_NAMES),
        ("iterations", ITERATION_ARGS),
        ("dataset", DATASET_ARGS),
    ):
        if n in lower(names):
            return kind
    if re.search(r"target|label|expected|desired|truth|(^|_)y(_|s?$)|y_?trues?", n) or re.search(
        r"(train|set|true).*out|out.*(train|set|true)", n
    ):
        return "y"  # a training method's "outputs" are its labels
    if re.search(r"iter|epoch", n):
        return "iterations"
    if "cache" in n or re.match(r"(forward|fwd|ff)(_|$)", n):
        return "cache"  # what the forward pass returned (forward_res, fwd_cache)
    if re.search(r"learn.*rate|^lr_|_lr$", n):
        return "lr"
    if "input" in n:
        return "x"
    if "err" in n or "delta" in n:
        return "error"
    if position == 0:
        return "x"
    return None


def guessed_arguments(fn: Any) -> list[dict[str, Any]]:
    """Required arguments of a constructor or function guessed from their names (:data:`SIZE_GUESSES`),
    else from how the code uses them (:func:`usage`: a size list where it is indexed, measured or
    iterated, a width where it shapes an array): a 4-5-3 network, then the same with one output (code
    written for one sigmoid output); empty when a required argument's name and use say nothing.
    Arguments with defaults keep the author's choice."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    out: dict[str, Any] = {}
    widths = iter((4, 3, 5, 5, 5))
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.default is not inspect.Parameter.empty:
            continue
        if p.name in ("self", "cls"):
            continue
        guess = next((value for pattern, value in SIZE_GUESSES if pattern.search(p.name)), None)
        if guess is None:
            kind = usage(fn, p.name)
            guess = [4, 5, 3] if kind == "list" else next(widths) if kind == "int" else None
        if guess is None:
            return []
        out[p.name] = guess
    single = {
        k: (
            [*v[:-1], 1]
            if v == [4, 5, 3]
            else 1
            if v == 3 and re.search(r"out|n_?y|onode|class", k, re.I)
            else v
        )
        for k, v in out.items()
    }
    return [out] if single == out else [out, single]


def usage(fn: Any, name: str) -> str | None:
    """How the source of ``fn`` (a function, or a class's ``__init__`` and the methods it calls) uses
    the argument ``name``: ``list`` when it is measured (``len``), indexed, sliced, iterated or
    concatenated with a list; ``int`` when it is an array's size (an argument of ``np.zeros``,
    ``np.random.randn`` …, or of ``range``); None when neither.

    Nothing is run: the source is parsed with :mod:`ast`.
    """
    import ast
    import textwrap

    target = getattr(fn, "__init__", fn) if isinstance(fn, type) else fn
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    names = {name}
    for node in ast.walk(tree):  # self.sizes = sizes makes self.sizes the same argument
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id in names:
            for t in node.targets:
                if isinstance(t, ast.Attribute):
                    names.add(t.attr)

    def named(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id in names) or (
            isinstance(node, ast.Attribute) and node.attr in names
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "len" and node.args:
            if named(node.args[0]):
                return "list"
        if isinstance(node, ast.Subscript) and named(node.value):
            return "list"
        if isinstance(node, ast.For | ast.comprehension) and named(node.iter):
            return "list"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            sides = (node.left, node.right)
            if any(named(s) for s in sides) and any(isinstance(s, ast.List) for s in sides):
                return "list"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in ("zeros", "ones", "randn", "rand", "random", "normal", "uniform", "empty", "range"):
                if any(named(a) for a in ast.walk(ast.Tuple(elts=list(node.args), ctx=ast.Load()))):
                    return "int"
    return None
