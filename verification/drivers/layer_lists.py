"""Networks written as a list of layer objects that the project's own functions run.

A much-copied tutorial style keeps each layer in a class of its own module (``dense.py``,
``activations.py``) and the network in none: a ``network.py`` of two functions takes the list::

    def predict(network, input): …                  # output = layer.forward(output) for each layer
    def train(network, loss, loss_prime, x_train, y_train, epochs=1000, learning_rate=0.01): …

and the project's driver builds ``network = [Dense(2, 3), Tanh(), Dense(3, 1), Tanh()]``. Checked
alone, such a file has no network. :func:`layer_list_recipes` builds one of the project's own classes from
the modules beside it: a dense layer of two sizes twice (4 → 5 → 3, else 4 → 5 → 1), each followed by an
activation layer of no arguments (``Tanh`` first, else ``Sigmoid``, else the first one found; a ``ReLU``
only between the two, since on the output it can zero every gradient), and hands ``train`` the project's
own loss and its derivative (``mse`` with ``mse_prime``; the first of the catalog's order when there are
several) and one sample as its data set. The recipe is run as an explicit form is, and the report's
``as:`` line shows it: the verdict is about the functions with these layers and this loss. A list of
the project's layers the file writes itself (``network = [Dense(2, 3), Sigmoid(), …]`` under ``if
__name__ == "__main__":``, :func:`own_composition`) is the network tried first, its large sizes made
small; the activation layer of the guessed network is then one the file names, if it names any.
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from ffnn.validation import InputError
from verification.adapters.compositions import ACTIVATION_ORDER, LOSS_ORDER, derivative_pairs, loss_class
from verification.adapters.explicit import explicit_subject
from verification.adapters.function_setups import imported_from_project
from verification.adapters.options import Options
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.reading import conventions as cv
from verification.reading.argument_usage import usage
from verification.reading.guesses import SIZE_GUESSES
from verification.reading.loader import LoadedScript
from verification.reading.script_setup import with_small_layers
from verification.reading.siblings import sibling_functions
from verification.reading.source_trees import source_tree

NETWORK_ARGS = re.compile(r"^(network|layers|net|model|nn)$", re.IGNORECASE)
"""The first argument of a function that runs a network given as a list of layers."""


def runs_layers(fn: Any, method: str) -> bool:
    """Whether ``fn`` takes the network first and calls ``.method(`` of its layers."""
    params = cv.positional_parameters(fn)
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    return bool(params) and bool(NETWORK_ARGS.match(params[0].name)) and f".{method}(" in source


def _sizes_only(cls: type) -> bool:
    """Whether ``cls`` takes two required arguments, each named like a size or used as one (an array's
    size: ``np.random.randn(in_dims, neurons_num)``)."""
    required = [p for p in cv.positional_parameters(cls) if p.default is inspect.Parameter.empty]

    def size(name: str) -> bool:
        guess = next((v for pattern, v in SIZE_GUESSES if pattern.search(name)), None)
        return (isinstance(guess, int) and not isinstance(guess, bool)) or usage(cls, name) == "int"

    return len(required) == 2 and all(size(p.name) for p in required)


def _no_arguments(cls: type) -> bool:
    return not [p for p in cv.positional_parameters(cls) if p.default is inspect.Parameter.empty]


def _layer(cls: type) -> bool:
    return callable(getattr(cls, "forward", None)) and callable(getattr(cls, "backward", None))


def step_call(trainer: Any, loss: str, prime: str | None, as_list: bool) -> str | None:
    """``train(network, mse, mse_prime, [x], [y], epochs=1, learning_rate=lr)``, arguments by name
    (the data as a list of one sample with ``as_list``, else the batch's arrays); None when a required
    one says nothing of its value, or the trainer takes a derivative there is none of."""
    args = []
    for i, p in enumerate(cv.positional_parameters(trainer)):
        role = cv.role(p.name, i)
        if i == 0:
            value = "network"
        elif re.fullmatch(LOSS_PRIME, p.name, re.I):
            if prime is None:
                return None
            value = prime
        elif re.fullmatch(LOSS_ARGUMENT, p.name, re.I):
            value = loss
        elif role == "dataset" and _unpacked_pair(trainer, p.name):  # x_train, y_train = training_data
            value = (
                "(__import__('numpy').array([x]), __import__('numpy').array([y]))" if as_list else "(x, y)"
            )
        elif role == "x" or role == "dataset":
            value = "[x]" if as_list else "x"
        elif role == "y":
            value = "[y]" if as_list else "y"
        elif role == "iterations":
            value = "1"
        elif role == "lr":
            value = "lr"
        elif p.default is not inspect.Parameter.empty:
            if p.name.lower() == "verbose":
                args.append(f"{p.name}=False")
            continue
        else:
            return None
        args.append(f"{p.name}={value}")
    return f"{trainer.__name__}({', '.join(args)})"


def handed_loss(script: LoadedScript, trainer: Any) -> tuple[str, str | None] | None:
    """``(loss, derivative)`` as the file's own call of ``trainer`` hands them (``train(network,
    binary_cross_entropy, binary_cross_entropy_prime, …)``, by position or by name), the derivative
    None when the trainer takes none; None when the file does not call it or hands no loss."""
    params = [p.name for p in cv.positional_parameters(trainer)]
    for node in ast.walk(script.tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == trainer.__name__
        ):
            continue
        given = dict(zip(params, node.args, strict=False)) | {k.arg: k.value for k in node.keywords if k.arg}
        loss = next((v for k, v in given.items() if re.fullmatch(LOSS_ARGUMENT, k, re.I)), None)
        prime = next((v for k, v in given.items() if re.fullmatch(LOSS_PRIME, k, re.I)), None)
        if loss is not None:
            return ast.unparse(loss), None if prime is None else ast.unparse(prime)
    return None


def _unpacked_pair(trainer: Any, name: str) -> bool:
    """Whether ``trainer`` unpacks its argument ``name`` into two names (``x_train, y_train =
    training_data``): the data set is the pair of the inputs and the labels."""
    tree = source_tree(trainer)
    return tree is not None and any(
        isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Name)
        and n.value.id == name
        and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Tuple)
        and len(n.targets[0].elts) == 2
        for n in ast.walk(tree)
    )


LOSS_ARGUMENT = r"loss|cost|criterion|loss_?f(n|unc(tion)?)?"
LOSS_PRIME = r"loss_?(prime|derivative|grad|d)|d_?loss"
"""A trainer's argument that takes the loss's derivative."""
"""A trainer's argument that takes the loss (a function or an object)."""
INLINE_FORWARD = "_out = x\nfor _layer in network:\n    _out = _layer.forward(_out)\n_out"
"""The network's output when the file has no function for it: each layer's ``forward`` in turn."""


def layer_list_recipes(script: LoadedScript) -> list[tuple[Recipe, str]]:
    """The recipes of the module docstring, each with the trainer's name: the data as a list of one
    sample, then as the batch's arrays; none when the file has no such trainer or the modules beside
    it no such layers and loss."""
    ns = script.module.__dict__
    functions = [ns[n] for n in script.defined_names() if inspect.isfunction(ns.get(n))]
    if not any(runs_layers(f, "backward") for f in functions):  # a driver: from network import train
        functions += [ns[n] for n in imported_from_project(dict(ns), script) if ns[n] not in functions]
    forward = next(
        (f for f in functions if runs_layers(f, "forward") and len(cv.positional_parameters(f)) == 2), None
    )
    trainer = next((f for f in functions if runs_layers(f, "backward") and f is not forward), None)
    if trainer is None:
        return []
    classes = sibling_functions(script.path, ("",), kind=inspect.isclass)
    dense = sorted((n, m) for n, (c, m) in classes.items() if _layer(c) and _sizes_only(c))
    acts = sorted(
        (n, m)
        for n, (c, m) in classes.items()
        if _layer(c) and _no_arguments(c) and not inspect.isabstract(c) and not loss_class(c)
    )
    acts = sorted(
        acts, key=lambda a: next((i for i, w in enumerate(ACTIVATION_ORDER) if w in a[0].lower()), 9)
    )
    losses = sibling_functions(script.path, ("",))
    pairs: list[tuple[str, str | None]] = list(derivative_pairs(list(losses), LOSS_ORDER))
    objects = sorted((n, m) for n, (c, m) in classes.items() if loss_class(c) and _no_arguments(c))
    pairs += [(f"{n}()", None) for n, _ in objects]  # train(model, loss_func, X, y, …): a loss object
    takes_loss = any(re.fullmatch(LOSS_ARGUMENT, p.name, re.I) for p in cv.positional_parameters(trainer))
    if not takes_loss:  # train(network, X, y): the loss is the trainer's own
        pairs = [("", None)]
    handed = handed_loss(script, trainer)
    if takes_loss and handed is not None:  # train(network, bce, bce_prime, …): the file's own, never
        pairs = [handed]  # another of the project's (if it failed to import, the check is refused)
    if len(dense) != 1 or not acts or not pairs:
        return []
    composed = own_composition(script, set(classes))
    named = named_classes(script) if composed is None else {c.func.id for c in composed.elts}  # type: ignore[attr-defined]
    acts = [act for act in acts if act[0] in named] or acts  # the activation the file itself uses
    (d, d_file), (a, a_file) = dense[0], acts[0]
    last = f", {a}()" if re.search(r"tanh|sigmoid|logistic", a, re.I) else ""  # no ReLU on the output
    # a forward function may return every layer's activation (the output last)
    fwds = [f"{forward.__name__}(network, x)", f"{forward.__name__}(network, x)[-1]"] if forward else []
    out = []
    for loss, prime in pairs[:1]:
        where = losses[loss][1] if loss in losses else next((m for n, m in objects if f"{n}()" == loss), "")
        given = (
            f", with its loss {loss} and {prime} ({where})" if prime else f", with its loss {loss} ({where})"
        )
        note = (
            f"the network is a list of the project's layers, {d} ({d_file}) and {a} ({a_file})"
            f"{given if loss else ''}: the file composes none"
        )
        # the file's own list first; then three outputs, then one: a trainer that compares its output
        # with a label (y == output) runs only on one
        setups = [f"network = [{d}(4, 5), {a}(), {d}(5, {width}){last}]" for width in (3, 1)]
        notes = [note, note]
        if composed is not None:
            setups.insert(0, with_small_layers(f"network = {ast.unparse(composed)}", classes[d][0]) or "")
            setups[0] = setups[0] or f"network = {ast.unparse(composed)}"
            notes.insert(0, f"the network is the file's own list of layers (line {composed.lineno}){given}")
        for setup, why in zip(setups, notes, strict=True):
            for fwd in fwds or [INLINE_FORWARD]:
                for as_list in (True, False):
                    step = step_call(trainer, loss, prime, as_list)
                    if step is not None:
                        recipe = Recipe(setup, fwd, step=step, lr="0.1", notes=(why,))
                        out.append((recipe, trainer.__name__))
    return out


def own_composition(script: LoadedScript, layers: set[str]) -> ast.List | None:
    """The first list the file writes of two or more calls of the project's layer classes (``[Dense(2,
    3), Sigmoid(), Dense(3, 1), Sigmoid()]``), anywhere: at top level, in a function, under ``if
    __name__ == "__main__":``; None when it writes none."""
    for node in ast.walk(script.tree):
        if isinstance(node, ast.List) and len(node.elts) >= 2:
            calls = [e for e in node.elts if isinstance(e, ast.Call) and isinstance(e.func, ast.Name)]
            if len(calls) == len(node.elts) and all(c.func.id in layers for c in calls):  # type: ignore[attr-defined]
                return node
    return None


def named_classes(script: LoadedScript) -> set[str]:
    """The names the file imports or reads anywhere (``from activations import Sigmoid``)."""
    names = {n.id for n in ast.walk(script.tree) if isinstance(n, ast.Name)}
    for node in ast.walk(script.tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def layer_list_subject(
    namespace: dict[str, Any], script: LoadedScript, options: Options, errors: list[InputError | str]
) -> CodeSubject | None:
    """``predict(network, input)`` and ``train(network, loss, loss_prime, …)`` run on a list of the
    project's own layers (:mod:`verification.drivers.layer_lists`), as the explicit form runs."""
    for recipe, _ in layer_list_recipes(script):
        try:
            return explicit_subject(dict(namespace), recipe, script, options)
        except InputError as exc:
            errors.append(exc)
    return None
