"""Arguments of someone's constructor or initialisation function guessed from their names and from how
the code uses them, when the script builds no network of its own: a 4-5-5-3 network (two hidden layers,
so that a bug of the layers between the first and the last shows) for a list of sizes, learning rate 0.1,
one epoch, no momentum, regularisation or dropout (:func:`guessed_arguments`).

Nothing is run: names are matched and the source is parsed with :mod:`ast`.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.reading.data_arguments import ARRAY_ATTRIBUTES, DATA_LABELS, data_guess
from verification.reading.expressions import Expression
from verification.reading.flags import compared_constant

__all__ = ["Expression", "guessed_arguments", "usage"]

NO_FILE = "no-such-file"
"""A path argument's guess (``weight_path``): a name no file has, so that a constructor that loads when the
file exists, or when a flag says so (``load_existing``, guessed False), makes its weights instead, and one
that loads regardless raises and the construction is refused."""

SIZE_GUESSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(  # not input_layer_size, hidden_layer_size: one layer's size, named by its layer
            r"^(?!.*(input|hidden|output))"
            r"(.*(dimensions|layer_?sizes?$|layers?_?dims?$)"
            r"|(sizes|layers|dims|shape|architecture|topology|nn_structure|(nn_)?(shape|structure|sizes))$)",
            re.I,
        ),
        [4, 5, 5, 3],
    ),
    (
        re.compile(
            r"(input|^n_?x$|^ni$|^n_?in$|inode|num_in|in_features|^d_?in$|^in_?dims?$|n_inputs|^x_size$|features|^n_?feat)",
            re.I,
        ),
        4,
    ),
    (re.compile(r"(hidden|^n_?h\d?$|^nh\d?$|hnode|^h\d?$|neurons|units|hdim|h_dim)", re.I), 5),
    (
        re.compile(
            r"(output|^n_?y$|^no$|^n_?out$|onode|num_out|num_classes|n_classes|out_features|^d_?out$|^out_?dims?$)",
            re.I,
        ),
        3,
    ),
    (re.compile(r"^(num|n|number_of|nb)_?(hidden_?)?layers?$|^layer_?count$", re.I), 2),
    (  # lr, and a schedule's ends or start (lr_min, lr_max, initial_lr, learning_rate_init, lr0)
        re.compile(
            r"^((initial|init|start|base|max|min)_?)?(lr|learning_?rate|eta|alpha|learn_rate|rate)"
            r"(_?(min|max|init|initial|start|0))?$",
            re.I,
        ),
        0.1,
    ),
    (re.compile(r"(epoch|iteration|iters)", re.I), 1),
    (re.compile(r"^(batch_?size|mini_?batch_?size|n_?batch)$", re.I), 1),
    (re.compile(r"^(seed|random_state)$", re.I), 0),
    (re.compile(r"^(activation|act|activation_function)$", re.I), "sigmoid"),
    (re.compile(r"^(momentum|mu|beta|momentum_?factor)$", re.I), 0.0),
    (re.compile(r"^(reg|lambd|lambda_?|lam|l2|l2_?reg|reg_?lambda|weight_?decay|decay|dropout)$", re.I), 0.0),
    (re.compile(r"^(keep_?prob)$", re.I), 1.0),
    (re.compile(r"^(patience|early_?stopping_?rounds)$", re.I), 10),  # early stopping: no step changes
    (re.compile(r"^(tol|tolerance|min_?delta)$", re.I), 0.0),
    (re.compile(r"^(verbose|debug|print_?loss|show)$", re.I), False),
    (re.compile(r"^(load|load_?existing|load_?weights|pretrained|resume|restore)$", re.I), False),
    (re.compile(r"(^|_)(path|file|filename|dir|directory)$", re.I), NO_FILE),
)
"""Constructor arguments guessed from their names when the script does not build its network: a
4-5-5-3 network for a list of sizes (else 4-5-3), learning rate 0.1, one epoch, batches of one sample
(the probes' size); no momentum, regularisation or dropout (a momentum term is zero at a first step
anyway, and the loss checked is the unregularised one); early stopping's patience and tolerance, and
printing, set so that they change no step; paths name no file and loading flags are off, so that the weights
are made, never read from disk."""


def guessed_arguments(fn: Any, preset: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Required arguments of a constructor or function guessed from their names (:data:`SIZE_GUESSES`),
    else from how the code uses them (:func:`usage`: a size list where it is indexed, measured or
    iterated, a width where it shapes an array): a 4-5-5-3 (or 4-5-3) network, then the same with one
    output (code written for one sigmoid output); empty when a required argument's name and use say nothing.
    Arguments with defaults keep the author's choice. A size the name gives that the code uses as a
    list (``hidden_sizes`` measured with ``len``) is a list of that one size. ``preset`` gives some
    arguments their values outright (the project's activation and its derivative, as
    :class:`Expression`)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    out: dict[str, Any] = {}
    arrays: set[str] = set()  # size lists the code reads as numpy arrays (n.size)
    widths = iter((4, 3, 5, 5, 5))
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in ("self", "cls"):
            continue
        if p.default is not inspect.Parameter.empty:
            override = _default_override(p.name, p.default)
            if override is not None:
                out[p.name] = override
            continue
        guess = (preset or {}).get(p.name)
        if guess is None and re.fullmatch(r"rng|random_?gen(erator)?|generator", p.name, re.I):
            guess = Expression("__import__('numpy').random.default_rng(0)")  # Net(sizes, rng)
        if guess is None:
            guess = data_guess(fn, p.name, usage)  # NeuralNetwork(X, y, lr) keeping its data set
        if guess is None:
            guess = next((value for pattern, value in SIZE_GUESSES if pattern.search(p.name)), None)
        if isinstance(guess, int) and not isinstance(guess, bool) and usage(fn, p.name) == "list":
            guess = [guess]  # hidden_sizes: the sizes of the hidden layers, one hidden layer of 5
        if guess == [4, 5, 5, 3] and usage(fn, p.name) == "pairs":
            guess = [(4, 5), (5, 5), (5, 3)]  # for l in layer_size: Linear(l[0], l[1])
        if guess == [4, 5, 5, 3]:  # layers: List[Tuple[int, str]], each size with its activation's name
            guess = _sized_activations(fn, p) or guess
        if guess is None:
            kind = usage(fn, p.name)
            guess = {"list": [4, 5, 5, 3], "array": [4, 5, 5, 3], "pairs": [(4, 5), (5, 5), (5, 3)]}.get(
                kind or ""
            )
            arrays.update({p.name} if kind == "array" else set())
            guess = next(widths) if kind == "int" else guess
        if guess is None:  # if init_flag == '1': … elif init_flag == '2': a flag, given its first value
            guess = compared_constant(fn, p.name)
        if guess is None:
            return []
        out[p.name] = guess
    single = {
        k: (
            [*v[:-1], 1]
            if v == [4, 5, 5, 3]
            else [(4, 5), (5, 5), (5, 1)]
            if v == [(4, 5), (5, 5), (5, 3)]
            else 1
            if v == 3 and re.search(r"out|n_?y|onode|class", k, re.I)
            else DATA_LABELS[1]
            if v == DATA_LABELS[0]
            else [*v[:-1], (1, v[0][1])]  # one output: the hidden layers' activation (a sigmoid)
            if isinstance(v, list) and len(v) == 4 and isinstance(v[-1], tuple) and v[-1][0] == 3
            else v
        )
        for k, v in out.items()
    }
    made = [out] if single == out else [out, single]
    return [{k: Expression(f"{SIZE_ARRAY}({v})") if k in arrays else v for k, v in d.items()} for d in made]


SIZED = re.compile(r"^(typing\.)?[Ll]ist\[(typing\.)?[Tt]uple\[int, ?str\]\]$")
"""An annotation of a list of ``(size, activation name)`` pairs."""


def _sized_activations(fn: Any, p: inspect.Parameter) -> list[tuple[int, str]] | None:
    """A 4-5-5-3 network as ``(size, name)`` pairs for an argument annotated ``List[Tuple[int, str]]``,
    every layer with the first of sigmoid, tanh, relu that the class's code compares a name with
    (``if activation == "sigmoid":``), the output with softmax when the code knows one (its one-output
    variant, :func:`guessed_arguments`, with the hidden layers' name); None when the annotation is
    another or no name is compared."""
    import ast

    from verification.reading.source_trees import source_tree

    annotation = p.annotation if isinstance(p.annotation, str) else str(p.annotation)
    if not SIZED.match(annotation.replace("typing.", "")) or not isinstance(fn, type):
        return None
    compared = {
        c.value
        for _, method in inspect.getmembers(fn, inspect.isfunction)
        if (tree := source_tree(method)) is not None
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        for c in [node.left, *node.comparators]
        if isinstance(c, ast.Constant) and isinstance(c.value, str)
    }
    name = next((a for a in ("sigmoid", "tanh", "relu") if a in compared), None)
    if name is None:
        return None
    last = "softmax" if "softmax" in compared else name  # several outputs: a softmax, when there is one
    return [(4, name), (5, name), (5, name), (3, last)]


OFF = re.compile(r"^(dropout|drop_?rate|dropout_?rate|drop_?prob)$", re.I)
"""Arguments of dropout, which draws at random: set to zero where the author's default is not. A
default penalty is the author's (the check reads it off: mse plus an L2 penalty of λ = …)."""


def _default_override(name: str, default: Any) -> Any:
    """The value given in place of an argument's default: a 4-5-5-3 size list where the default is an
    empty list or None (``layers=[]``: no network at all), no dropout where the default has it
    (dropout draws at random), a keep probability of 1; None to keep the author's default."""
    empty = default is None or (isinstance(default, list | tuple) and not default)
    if empty and SIZE_GUESSES[0][0].search(name):
        return [4, 5, 5, 3]
    if OFF.match(name) and isinstance(default, int | float) and not isinstance(default, bool) and default:
        return 0.0
    if re.match(r"^keep_?prob$", name, re.I) and isinstance(default, int | float) and default != 1:
        return 1.0
    return None


SEQUENCE_CALLS = ("len", "list", "tuple", "enumerate", "reversed", "sorted", "zip")
"""Calls whose first argument is a sequence."""
SIZE_ARRAY = "__import__('numpy').array"
"""How a size list read as an array is given: numpy's ``array``, whatever name the script imports it as."""


def _handed_to(cls: type, init: Any, name: str) -> list[Any]:
    """The bodies of the methods that ``__init__`` (the parsed ``init``) calls with the argument ``name``
    (``self.W = self.generate_W(n)``), their parameter renamed to ``name`` where it differs: how they use
    it is how the constructor's argument is used."""
    import ast

    from verification.reading.source_trees import source_tree

    out: list[Any] = []
    for node in ast.walk(init):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        ):
            continue
        method = getattr(cls, node.func.attr, None)
        at = [i for i, a in enumerate(node.args) if isinstance(a, ast.Name) and a.id == name]
        if not at or not inspect.isfunction(method):
            continue
        try:
            params = list(inspect.signature(method).parameters)[1:]
        except (TypeError, ValueError):
            continue
        tree = source_tree(method)
        if tree is None:
            continue
        if at[0] >= len(params):
            continue
        given = params[at[0]]
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and n.id == given:
                n.id = name
        out += tree.body
    return out


def usage(fn: Any, name: str) -> str | None:
    """How the source of ``fn`` (a function, or a class's ``__init__`` and the methods it calls) uses
    the argument ``name``: ``pairs`` when its elements are indexed by constants (``for l in sizes:
    Linear(l[0], l[1])``, ``sizes[i][0]``), a list of ``(inputs, outputs)`` pairs; ``list`` when it is
    measured (``len``), copied (``list(sizes)``), indexed, sliced, iterated or concatenated with a
    list; ``int`` when it is an array's size (an argument of ``np.zeros``, ``np.random.randn`` …, or of
    ``range``); None when neither.

    Nothing is run: the source is parsed with :mod:`ast`.
    """
    import ast

    from verification.reading.source_trees import source_tree

    target = getattr(fn, "__init__", fn) if isinstance(fn, type) else fn
    tree = source_tree(target)
    if tree is None:
        return None
    if isinstance(fn, type):  # self.generate_W(n): the methods __init__ hands the argument to use it too
        tree.body += _handed_to(fn, tree, name)
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

    elements = {  # for l in sizes: the loop's variable is an element
        node.target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.For | ast.comprehension)
        and named(node.iter)
        and isinstance(node.target, ast.Name)
    }
    for node in ast.walk(tree):  # for i, o in sizes: a list of (in, out) pairs
        if (
            isinstance(node, ast.For | ast.comprehension)
            and named(node.iter)
            and isinstance(node.target, ast.Tuple)
            and len(node.target.elts) == 2
        ):
            return "pairs"
    for node in ast.walk(tree):  # l[0], l[1] of an element, or sizes[i][0]: a list of (in, out) pairs
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            inner = node.value
            if (isinstance(inner, ast.Name) and inner.id in elements) or (
                isinstance(inner, ast.Subscript) and named(inner.value)
            ):
                return "pairs"
    read_as_array = any(
        isinstance(node, ast.Attribute) and node.attr in ARRAY_ATTRIBUTES and named(node.value)
        for node in ast.walk(tree)
    )  # n.size, n.shape: a size list given as an array
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in SEQUENCE_CALLS and node.args:
            if named(node.args[0]):
                return "array" if read_as_array else "list"
        if isinstance(node, ast.Subscript) and named(node.value):
            return "array" if read_as_array else "list"
        if isinstance(node, ast.For | ast.comprehension) and named(node.iter):
            return "array" if read_as_array else "list"
        if isinstance(node, ast.Starred) and named(node.value):  # [n_in, *hidden_sizes, n_out]
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


def iterated(fn: Any, name: str, indexed: bool = False) -> bool:
    """Whether the source of ``fn`` loops over its argument ``name`` directly (``for sample in data:``,
    or ``for x, y in zip(inputs, targets)``): a training function's data set, not one sample. With
    ``indexed``, also when it reads one element at a time by a plain index (``x_train[j]``)."""
    import ast

    from verification.reading.source_trees import source_tree

    tree = source_tree(fn)
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.comprehension):
            loop = node.iter
            sources = (
                loop.args if isinstance(loop, ast.Call) and getattr(loop.func, "id", "") == "zip" else [loop]
            )
            if any(isinstance(s, ast.Name) and s.id == name for s in sources):
                return True
        if (
            indexed
            and isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
            and isinstance(node.slice, ast.Name)
        ):
            return True
    return False
