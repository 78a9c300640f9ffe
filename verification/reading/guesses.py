"""Arguments of someone's constructor or initialisation function guessed from their names and from how
the code uses them, when the script builds no network of its own: a 4-5-5-3 network (two hidden layers,
so that a bug of the layers between the first and the last shows) for a list of sizes, learning rate 0.1,
one epoch, no momentum or regularisation (:func:`guessed_arguments`).

Nothing is run: names are matched and the source is parsed with :mod:`ast`.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.reading.activation_names import activation_lists
from verification.reading.argument_usage import largest_index, usage
from verification.reading.commented_arguments import said_size
from verification.reading.data_arguments import DATA_LABELS, data_guess
from verification.reading.expressions import Expression
from verification.reading.flags import compared_constant
from verification.reading.used_rates import used_as_rate

__all__ = ["Expression", "guessed_arguments"]

NO_FILE = "no-such-file"
"""A path argument's guess (``weight_path``): a name no file has, so that a constructor that loads when the
file exists, or when a flag says so (``load_existing``, guessed False), makes its weights instead, and one
that loads regardless raises and the construction is refused."""

SIZE_GUESSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(  # not input_layer_size, hidden_layer_size: one layer's size, named by its layer
            r"^(?!.*(input|hidden|output))"
            r"(.*(dimensions|layer_?sizes?$|layers?_?dims?$)"
            r"|((net|nn|network|model)_?)?(sizes|layers|dims|shape|architecture|topology|structure)$)",
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
            r"(output|^n_?y$|^no$|^n_?out$|onode|num_out|num_?classes|n_?classes|^(num|n)_?labels$|out_features"
            r"|^d_?out$|^out_?dims?$)",
            re.I,
        ),
        3,
    ),
    (LAYER_COUNT := re.compile(r"^(num|n|number_of|nb)_?(hidden_?)?layers?$|^layer_?count$", re.I), 2),
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
    (re.compile(r"^(epsilon_?init|init_?epsilon|epsilon|init_?range)$", re.I), 0.5),  # U(−ε, ε) weights
    (re.compile(r"^(activation|act|activation_function)$", re.I), "sigmoid"),
    (re.compile(r"^(momentum|mu|beta|momentum_?factor)$", re.I), 0.0),
    (re.compile(r"^(reg|lambd|lambda_?|lam|l2|l2_?reg|reg_?lambda|weight_?decay|decay|dropout)$", re.I), 0.0),
    (re.compile(r"^(keep_?prob)$", re.I), 1.0),
    (re.compile(r"^(patience|early_?stopping_?rounds)$", re.I), 10),  # early stopping: no step changes
    (re.compile(r"^(tol|tolerance|min_?delta)$", re.I), 0.0),
    (re.compile(r"^(verbose|debug|print_?loss|show)$", re.I), False),
    (re.compile(r"^(load|load_?existing|load_?weights|pretrained|resume|restore)$", re.I), False),
    (re.compile(r"(^|_)(path|file|filename|dir|directory)$", re.I), NO_FILE),
    (re.compile(r"^(name|layer_?name|scope)$", re.I), "layer"),  # Dense(4, 5, name): a label, no size
)
"""Constructor arguments guessed from their names when the script does not build its network: a
4-5-5-3 network for a list of sizes (else 4-5-3), learning rate 0.1, one epoch, batches of one sample
(the probes' size); no momentum, regularisation or dropout (a momentum term is zero at a first step
anyway, and the loss checked is the unregularised one); early stopping's patience and tolerance, and
printing, set so that they change no step; paths name no file and loading flags are off, so that the weights
are made, never read from disk; a layer's name is a name."""


SHALLOW = {
    repr([4, 5, 5, 3]): [4, 5, 3],
    repr([4, 5, 5, 1]): [4, 5, 1],
    repr([(4, 5), (5, 5), (5, 3)]): [(4, 5), (5, 3)],
    repr([(4, 5), (5, 5), (5, 1)]): [(4, 5), (5, 1)],
}
"""Size lists of one hidden layer, tried after those of two: code whose constructor pairs each hidden
layer with the next by hand (``for i in range(1, len(layers) - 1)``) builds a chain only for three sizes."""


STARRED_SIZES = re.compile(
    r"^(nodes|sizes|layers|layer_sizes|dims|dimensions|neurons|units|shape|topology)$", re.I
)
"""A constructor's ``*args`` that takes the layer sizes one by one (``Network(*nodes)``): a key ``*nodes``
of :func:`guessed_arguments`, given as ``*[4, 5, 5, 3]`` (:func:`call_arguments`)."""


def call_arguments(guessed: dict[str, Any]) -> str:
    """The arguments of a call made of :func:`guessed_arguments`: ``name=value``, and ``*[…]`` for the
    sizes a constructor takes one by one."""
    return ", ".join(f"*{v!r}" if k.startswith("*") else f"{k}={v!r}" for k, v in guessed.items())


def guessed_arguments(fn: Any, preset: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Required arguments of a constructor or function guessed from their names (:data:`SIZE_GUESSES`), else
    from how the code uses them (:func:`usage`: a size list where it is indexed, measured or iterated, a width
    where it shapes an array): a 4-5-5-3 network, then the same with one output (code written for one sigmoid
    output), then both with one hidden layer (:data:`SHALLOW`), and last a list named for hidden sizes
    (``n_neurons``) as every layer's size, and a count of layers one more (counting the input and
    the output: ``numLayers = len(numUnits) + 2``); empty when a required argument's name and use
    say nothing. Arguments with defaults keep the author's choice. A size the name gives that the code uses as
    a list (``hidden_sizes`` measured with ``len``) is a list of that one size, repeated up to the largest
    constant index the code reads it at (``num_hiddens[1]``). ``preset`` gives some arguments their values
    outright (the project's activation and its derivative, as :class:`Expression`)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    out: dict[str, Any] = {}
    every: list[str] = []  # lists of hidden sizes by their names that may hold every layer's size
    arrays: set[str] = set()  # size lists the code reads as numpy arrays (n.size)
    widths = iter((4, 3, 5, 5, 5))
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL and STARRED_SIZES.match(p.name):  # Network(*nodes)
            out["*" + p.name] = [4, 5, 5, 3]  # given as Network(*[4, 5, 5, 3])
            continue
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
        if guess is None and isinstance(fn, type) and (lists := activation_lists(fn, p.name)):
            guess = lists[0]  # MLP(layer_sizes, activations): a name for each layer of weights
        if guess is None:
            guess = data_guess(fn, p.name, usage)  # NeuralNetwork(X, y, lr) keeping its data set
        if guess is None:
            guess = next((value for pattern, value in SIZE_GUESSES if pattern.search(p.name)), None)
        if guess is None:  # def __init__(self, n, m, h): self.n = n  # number of inputs
            guess = said_size(getattr(fn, "__init__", fn) if isinstance(fn, type) else fn, p.name)
        if guess is None and used_as_rate(fn, p.name):  # w = w - self.learning_speed * g
            guess = 0.1
        if isinstance(guess, int) and not isinstance(guess, bool) and usage(fn, p.name) == "list":
            guess = [guess] * (largest_index(fn, p.name) + 1)  # hidden_sizes: one hidden layer of 5 …
            # … or as many as the code reads (num_hiddens[1]: two); or every layer's size, tried last
            every.append(p.name)  # n_neurons[0] the inputs, n_neurons[-1] the outputs
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
    shallow = [{k: SHALLOW.get(repr(v), v) for k, v in d.items()} for d in made]  # code for one hidden layer
    made += [d for d in shallow if d not in made]
    large = [k for k in out if k in sig.parameters and out[k] != sig.parameters[k].default and _wide(k, sig)]
    made += [{k: v for k, v in d.items() if k not in large} for d in made] if large else []  # as written
    for sizes in ([4, 5, 5, 3], [4, 5, 5, 1], [4, 5, 3], [4, 5, 1]) if every else ():
        made += [out | {k: sizes for k in every}]
    counts = [k for k, v in out.items() if v == 2 and LAYER_COUNT.match(k)]  # the input and output too
    made += [d | {k: d[k] + 1 for k in counts} for d in made] if counts else []
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


LARGE_DEFAULT = 32
"""A default layer width above this (``input_dim=784``) is made small (4, 5 or 3 by its name) in the
first guesses; the author's width is tried after them."""


def _wide(name: str, sig: inspect.Signature) -> bool:
    default = sig.parameters[name].default
    return (type(default) is int and default > LARGE_DEFAULT) or _wide_list(default)


def _wide_list(default: Any) -> bool:
    """A default list of widths with a large one (``dim_hidden=[512, 128]``)."""
    return (
        isinstance(default, list | tuple)
        and bool(default)
        and all(type(v) is int for v in default)
        and max(default) > LARGE_DEFAULT
    )


def wide_defaults(fn: Any) -> bool:
    """Whether ``fn`` (a function or class) has an argument with a large default width that
    :func:`guessed_arguments` makes small."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return any(
        _wide(k, sig) and _default_override(k, p.default) is not None for k, p in sig.parameters.items()
    )


def _default_override(name: str, default: Any) -> Any:
    """The value given in place of an argument's default: a small width where the default is a large
    one named as an input, hidden or output width (:data:`LARGE_DEFAULT`), small hidden widths or a
    4-5-…-3 size list where the default is a list with a large width (``dim_hidden=[512, 128]``), a
    4-5-5-3 size list where the
    default is an empty list or None (``layers=[]``: no network at all); None to keep the author's
    default. Dropout's rate and keep probability keep theirs (dropout on): a check reseeds NumPy's
    generator before each call, so a mask drawn from it is the same in the forward and the backward pass
    and a backward pass that forgets the mask is caught; code that draws from a generator of its own
    gives another gradient when asked again and is refused. Switching dropout off checks a network the
    author does not train, and hides a forgotten mask."""
    if type(default) is int and default > LARGE_DEFAULT:  # TwoLayerNet(input_dim=784): small, then as is
        return next((v for pattern, v in SIZE_GUESSES[1:4] if pattern.search(name)), None)
    if _wide_list(default) and SIZE_GUESSES[2][0].search(name):  # dim_hidden=[512, 128]: [5, 5]
        return [5] * len(default)
    if _wide_list(default) and SIZE_GUESSES[0][0].search(name) and len(default) > 2:  # sizes=[784, 30, 10]
        return [4, *[5] * (len(default) - 2), 3]
    empty = default is None or (isinstance(default, list | tuple) and not default)
    if empty and SIZE_GUESSES[0][0].search(name):
        return [4, 5, 5, 3]
    return None


SIZE_ARRAY = "__import__('numpy').array"
"""How a size list read as an array is given: numpy's ``array``, whatever name the script imports it as."""
