"""A training function read as a script: its body, with its arguments bound, at the top level.

Much hand-written code trains inside one function that makes its weights, loops over the data and
updates them in place, and returns the trained model, with no forward or backward function apart::

    def build_model(X, y, nn_hdim, num_passes=20000, print_loss=False):
        W1 = np.random.randn(Config.nn_input_dim, nn_hdim) / np.sqrt(Config.nn_input_dim)
        ...
        for i in range(0, num_passes):
            z1 = X.dot(W1) + b1
            ...
            W1 += -Config.epsilon * dW1
        return model

Such a body is a script's training loop (:mod:`verification.reading.training_loops`) once its
arguments are bound: :func:`inlined` makes that script's syntax tree, the file's own definitions and
imports first, then one assignment per argument (the inputs and the labels as data, read from
:data:`DATA_STAND_IN`, whose absence leaves them to the check; a size its name gives; the author's
default; one iteration; a rate of 0.1; sizes by :data:`~verification.reading.guesses.SIZE_GUESSES`;
weights drawn where the file calls the function, :mod:`verification.reading.caller_values`),
then the body without its final ``return``. The statements keep
the file's line numbers, so every message points into the file. :func:`training_functions` lists the
functions worth reading so: those with a loop whose body updates a name in place (``W1 += …``) or
drives objects (``layer.backward(…)``), and those with no loop that take their weights as arguments,
step them and return them (``def train(X, y, W1, W2, lr): … W2 = W2 - lr * …; return W1, W2``).
"""

from __future__ import annotations

import ast
import copy
import re

from verification.reading import conventions as cv
from verification.reading.caller_values import caller_value
from verification.reading.guesses import SIZE_GUESSES
from verification.reading.top_level_names import (
    constructed,
    iterated_lists,
    methods_called,
    receivers,
    steppers,
    updates,
)

DATA_ROLES = ("x", "y", "dataset")
"""Roles of arguments that are the data (bound to :data:`DATA_STAND_IN`), never read off a call."""

DATA_STAND_IN = "__backprop_verify_data__"
"""The call an inlined function's inputs and labels are bound to: no such function exists, so the
statement is left out when the script loads, and the check binds the inputs and labels itself."""


def _loops(fn: ast.FunctionDef) -> list[ast.For | ast.While]:
    return [n for n in ast.walk(fn) if isinstance(n, ast.For | ast.While)]


def training_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    """Top-level functions with a loop that updates a name in place or calls a method of an object,
    and no ``return`` inside a loop; those that update or drive the most first (``nn_epoch``, updating
    ``W1`` and ``W2``, before ``softmax_regression_epoch``, updating ``theta``), else in the file's
    order."""
    out = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and not _loops(stmt) and _steps_its_arguments(stmt, tree):
            out.append((0, stmt))  # train(X, y, W1, W2, lr): one step, the weights it is given returned
        if not isinstance(stmt, ast.FunctionDef) or not _loops(stmt):
            continue
        if any(isinstance(n, ast.Return) for loop in _loops(stmt) for n in ast.walk(loop)):
            continue
        body = [s for loop in _loops(stmt) for s in loop.body]
        names, _ = updates(body, steppers(tree))  # W1 += …, or w1, w2 = update(…, w1, w2, lr)
        imports = [s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom | ast.ClassDef)]
        local = ast.Module(body=[*imports, *stmt.body], type_ignores=[])
        objects = constructed(local, len(local.body)) | {a.arg for a in stmt.args.args}
        driven = receivers(body, objects)
        if names or driven:
            out.append((-len(set(names)) - len(set(driven)), stmt))
    return [fn for _, fn in sorted(out, key=lambda item: item[0])]  # the most weights first: a network


def _steps_its_arguments(fn: ast.FunctionDef, tree: ast.Module) -> bool:
    """Whether ``fn``, with no loop, takes inputs and labels, updates weights it takes as arguments
    (``W2 = W2 - lr * …``) and returns them (``return W1, W2``): one training step written as a function
    of the weights."""
    args = fn.args.posonlyargs + fn.args.args
    if not {"x", "y"} <= {cv.role(a.arg, i) for i, a in enumerate(args)}:
        return False  # update_parameters(parameters, grads, lr) steps, but computes no gradient
    given = {a.arg for a in args}
    names, _ = updates([*fn.body, *returned_steps(fn)], steppers(tree))
    stepped = set(names) & given
    returned = {
        n.id
        for r in ast.walk(fn)
        if isinstance(r, ast.Return) and r.value is not None
        for n in ast.walk(r.value)
        if isinstance(n, ast.Name)
    }
    return bool(stepped) and stepped <= returned


def list_driven(fn: ast.FunctionDef) -> bool:
    """Whether ``fn`` builds a list of objects and drives each in a loop, forward and back (``layers =
    [Dense(2, 4), Tanh()]`` … ``for layer in reversed(layers): grad = layer.backward(grad, lr)``): a
    network of the file's layers that the function trains."""
    local = ast.Module(body=list(fn.body), type_ignores=[])
    lists = {
        t.id
        for s in fn.body
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.List) and len(s.value.elts) > 1
        for t in s.targets
        if isinstance(t, ast.Name) and all(isinstance(e, ast.Call) for e in s.value.elts)
    }
    driven = iterated_lists(local.body, lists)
    methods = methods_called(local, set(driven))
    return any("back" in m.lower() for m in methods) and any("forw" in m.lower() for m in methods)


SIZES = (4, 5, 3)
"""Inputs, hidden units and outputs of the weights an inlined function is given as arguments."""


NUMBERED = re.compile(r"(?:[Ww]|weights?|syn|theta)_?(\d+)|([Bb]|bias(?:es)?)_?(\d+)")
"""A layer's weights or biases by number: ``W1``, ``weights_0``, ``syn0``, ``b2``, ``bias_1``."""


def _numbered(name: str) -> tuple[bool, int] | None:
    """``(is_bias, number)`` of a numbered weight or bias name, or None."""
    m = NUMBERED.fullmatch(name)
    if m is None:
        return None
    return (m.group(2) is not None, int(m.group(1) if m.group(1) is not None else m.group(3)))


def _weights(name: str, numpy: str | None, columns: bool, layers: int, first: int = 0) -> ast.expr | None:
    """A draw for a weight argument named ``W1``, ``b2``, ``weights_0``, ``syn1`` … (:data:`NUMBERED`;
    ``first`` is 1 when the layers count from 0) or one ``theta`` of a single layer: a chain of
    :data:`SIZES` (one hidden size repeated for deeper networks) as ``(n_{l−1}, n_l)`` with row
    biases, or with ``columns``, ``(n_l, n_{l−1})`` with column biases; None for any other name or
    without numpy."""
    if numpy is not None and re.fullmatch(r"theta|W|w|weights?", name) and layers == 0:  # one layer
        shape = (SIZES[2], SIZES[0]) if columns else (SIZES[0], SIZES[2])
        return ast.parse(f"{numpy}.random.randn{shape} / {SIZES[0]} ** 0.5", mode="eval").body
    found = _numbered(name)
    if found is None or numpy is None:
        return None
    sizes = [SIZES[0], *[SIZES[1]] * (layers - 1), SIZES[2]]
    l = found[1] + first
    if not 1 <= l < len(sizes):
        return None
    if not found[0]:
        shape = (sizes[l], sizes[l - 1]) if columns else (sizes[l - 1], sizes[l])
        return ast.parse(f"{numpy}.random.randn{shape} / {sizes[l - 1]} ** 0.5", mode="eval").body
    shape = (sizes[l], 1) if columns else (1, sizes[l])
    return ast.parse(f"{numpy}.zeros({shape})", mode="eval").body


LAYER_WIDTHS = (4, 5, 3)
"""The widths :data:`~verification.reading.guesses.SIZE_GUESSES` gives an input, a hidden and an output
layer: an argument named for one, whose default is wider (``n_input=784``, ``hidden_1=128``), is
given it, so that the network checked is small (the author's default makes the same code, slower)."""


def _value(name: str, position: int, default: ast.expr | None) -> ast.expr:
    """The expression an argument is bound to (see the module docstring): ``None`` when nothing says
    (``model_name``, read after the loop if at all)."""
    role = cv.role(name, position)
    guess = next((v for pattern, v in SIZE_GUESSES if pattern.search(name)), None)
    if role == "x" and cv.role(name, 1) is None and isinstance(guess, int):
        role = None  # build_model(nn_hdim, …): first only by its place, a size by its name
    width = default.value if isinstance(default, ast.Constant) and type(default.value) is int else None
    if width is not None and guess in LAYER_WIDTHS and width > guess and not re.search("batch", name, re.I):
        return ast.Constant(guess)  # n_input=784, hidden_1=128: made small
    if role in DATA_ROLES:
        return ast.Call(func=ast.Name(DATA_STAND_IN, ast.Load()), args=[], keywords=[])
    if role == "iterations":
        return ast.Constant(1)
    if default is not None:
        return copy.deepcopy(default)
    if role == "lr":
        return ast.Constant(0.1)
    if role == "reg":
        return ast.Constant(0.0)
    return ast.parse(repr(guess), mode="eval").body  # None when nothing says: a name, a flag


def _names(target: ast.expr) -> bool:
    """Whether an assignment target is a name or a tuple of names (``X, y = …``)."""
    if isinstance(target, ast.Tuple | ast.List):
        return all(isinstance(e, ast.Name) for e in target.elts)
    return isinstance(target, ast.Name)


def inlined(tree: ast.Module, fn: ast.FunctionDef, columns: bool = False) -> ast.Module:
    """The script of ``fn`` (see the module docstring); weights it takes as arguments (``nn_epoch(X, y,
    W1, W2, lr)``) drawn as rows (``X @ W1``), or with ``columns`` as columns (``W1 @ X``).

    Parameters
    ----------
    tree : ast.Module
        The file's syntax tree.
    fn : ast.FunctionDef
        One of its top-level functions.
    """
    args = fn.args.posonlyargs + fn.args.args
    defaults: list[ast.expr | None] = [None] * (len(args) - len(fn.args.defaults)) + list(fn.args.defaults)
    numpy = next(
        (
            a.asname or a.name
            for s in tree.body
            if isinstance(s, ast.Import)
            for a in s.names
            if a.name == "numpy"
        ),
        None,
    )
    numbered = [found for a in args if (found := _numbered(a.arg)) is not None]
    layers = sum(1 for bias, _ in numbered if not bias)
    first = 1 if any(n == 0 for _, n in numbered) else 0  # weights_0, syn0: layers counted from 0
    bindings = []
    functions = {s.name for s in tree.body if isinstance(s, ast.FunctionDef)}
    for i, (arg, default) in enumerate(zip(args, defaults, strict=True)):
        weights = _weights(arg.arg, numpy, columns, layers, first) if default is None else None
        if (
            weights is None
            and default is None
            and numpy is not None
            and cv.role(arg.arg, i) not in DATA_ROLES
        ):
            weights = caller_value(tree, fn, i, arg.arg, functions | {numpy})  # train(…, layer_one_weights)
        value = weights if weights is not None else _value(arg.arg, i, default)
        rate = (
            caller_value(tree, fn, i, arg.arg, set(), numbers=True) if cv.role(arg.arg, i) == "lr" else None
        )
        value = value if rate is None else rate  # train(…, lr=0.5) over lr=-0.5: the rate the file runs
        bindings.append(ast.Assign(targets=[ast.Name(arg.arg, ast.Store())], value=value, lineno=fn.lineno))
    kept = [
        s
        for s in tree.body
        if isinstance(s, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef)
        or (
            isinstance(s, ast.Assign)
            and all(_names(t) for t in s.targets)  # X, y = make_moons(…)
            and not any(isinstance(n, ast.Name) and n.id == fn.name for n in ast.walk(s.value))
        )  # never the run of the function itself: w1, w2 = train(…)
    ]
    body = [copy.deepcopy(s) for s in fn.body if not isinstance(s, ast.Return)] + returned_steps(fn)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring
    module = ast.Module(body=[*kept, *bindings, *body], type_ignores=[])
    for node in bindings:
        for sub in ast.walk(node):  # at the def's line: messages about an argument point there
            sub.lineno, sub.end_lineno = fn.lineno, fn.lineno  # type: ignore[attr-defined]
            sub.col_offset, sub.end_col_offset = 0, 0  # type: ignore[attr-defined]
    return module


def returned_steps(fn: ast.FunctionDef) -> list[ast.stmt]:
    """The updates a function returns without naming them (``return W1 - lr * dW1, b1 - lr * db1``) as
    assignments to the weights it takes (``W1 = W1 - lr * dW1``), at the ``return``'s line; none for
    any other ``return``."""
    given = {a.arg for a in fn.args.posonlyargs + fn.args.args}
    last = fn.body[-1] if fn.body else None
    if not isinstance(last, ast.Return) or last.value is None:
        return []
    values = last.value.elts if isinstance(last.value, ast.Tuple) else [last.value]
    out: list[ast.stmt] = []
    for v in values:
        if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Sub | ast.Add) and isinstance(v.left, ast.Name):
            if v.left.id in given:
                made = ast.Assign(targets=[ast.Name(v.left.id, ast.Store())], value=copy.deepcopy(v))
                out.append(ast.fix_missing_locations(ast.copy_location(made, last)))
    return out
