"""The top-level statements that build a script's network, without its data.

:func:`setup_statements` keeps the top-level statements before a training loop that build the network:
assignments and calls, without those that bind, load or read the data (and what follows from them),
print or plot, or use a module whose import failed.

A top-level script often sizes its weights by its data: ``W1 = np.random.randn(X_train.shape[1], 50)``,
``W3 = np.random.randn(100, np.unique(Y).shape[0])``, after ``df = pd.read_csv('Iris.csv')``. The
checker draws its own inputs and labels, so the data is not needed, only a size for each such
expression: :func:`without_data_sizes` replaces every size read off a data name (``X.shape[i]``,
``len(X)``, ``np.unique(y).shape[0]``, ``np.unique(y).size``) by a small constant, the same constant
for the same expression wherever it appears, and the report names each replacement. Statements that
load data (``read_csv``, ``loadtxt``, ``load_data``, ``open`` …) are data themselves
(:func:`loads_data`). Nothing is run here.
"""

from __future__ import annotations

import ast
import copy
import inspect
import re
from collections.abc import Sequence

from verification.reading.function_scripts import DATA_STAND_IN
from verification.reading.loop_bodies import layer_loop
from verification.reading.loop_labels import WEIGHT_LIKE
from verification.reading.loop_records import TrainingLoop
from verification.reading.size_names import folded, named_sizes, size_list_literals
from verification.reading.top_level_names import loads, prints, stores

LOADERS = re.compile(
    r"^(read_\w+|load\w*|open|fetch_\w+|genfromtxt|imread|urlopen|urlretrieve|get|download\w*"
    r"|get_?\w*(data|mnist|dataset|digits|iris|cifar|images|samples|train|test)\w*"
    rf"|{DATA_STAND_IN})$",
    re.I,
)
"""Calls that read data from files or the network (``get_mnist()`` and the like too; and the stand-in
an inlined training function's data is read from, :data:`verification.reading.function_scripts.
DATA_STAND_IN`)."""
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
"""Statements whose names are their own: a ``def main()`` that loads data taints no name of the script."""
SMALL = (4, 3, 5, 6, 7, 2)
"""The sizes given to the data's size expressions, in order of first appearance."""


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def loads_data(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` calls a data loader (:data:`LOADERS`)."""
    return any(isinstance(n, ast.Call) and LOADERS.match(_call_name(n)) for n in ast.walk(stmt))


def _reads(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _is_size(node: ast.AST, data: set[str]) -> bool:
    """``X.shape[i]``, ``len(X)``, ``np.unique(y).shape[0]``, ``X.shape[-1]``, ``y.size`` of a data name."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "shape" and _reads(node.value.value, data)
    if isinstance(node, ast.Attribute) and node.attr == "size":
        return _reads(node.value, data)
    if isinstance(node, ast.Call) and _call_name(node) == "len" and len(node.args) == 1:
        return _reads(node.args[0], data)
    return False


class _Sizes(ast.NodeTransformer):
    def __init__(self, data: set[str], sizes: dict[str, int]) -> None:
        self.data, self.sizes = data, sizes

    def visit(self, node: ast.AST) -> ast.AST:
        if _is_size(node, self.data):
            key = ast.unparse(node)
            if key not in self.sizes:
                self.sizes[key] = SMALL[len(self.sizes) % len(SMALL)]
            return ast.copy_location(ast.Constant(self.sizes[key]), node)
        return super().visit(node)


def without_data_sizes(stmt: ast.stmt, data: set[str], sizes: dict[str, int]) -> ast.stmt | None:
    """``stmt`` with every size it reads off the names in ``data`` replaced by a small constant (added
    to ``sizes``, expression → constant), or None when it still reads the data otherwise."""
    trial = dict(sizes)
    rewritten = _Sizes(data, trial).visit(copy.deepcopy(stmt))
    assert isinstance(rewritten, ast.stmt)
    if _reads(rewritten, data):
        return None
    sizes.update(trial)
    return rewritten


def setup_statements(
    tree: ast.Module, loop: TrainingLoop, failed: set[str], sizes: dict[str, int] | None = None
) -> list[str]:
    """The top-level statements before ``loop`` that build the network (module docstring); a weight
    sized by the data is kept with its sizes replaced (:func:`without_data_sizes`), each replacement
    added to ``sizes``."""
    return data_free(tree.body[: loop.index], {loop.inputs, loop.label, *loop.sources}, set(failed), sizes)


def data_free(
    statements: list[ast.stmt],
    data: set[str],
    failed: set[str],
    sizes: dict[str, int] | None = None,
    weights: set[str] | None = None,
) -> list[str]:
    """The statements that build the network, without those that bind the names in ``data``, load data
    (:func:`loads_data`; the names a block that loads binds, ``with open(…) as f: rows = …``, are data),
    use a module whose import failed (``failed``) or follow from them, a weight
    (named like one, or in ``weights``) sized by the data kept with its sizes replaced
    (:func:`without_data_sizes`, each replacement added to ``sizes``)."""
    known = weights or set()
    tainted = data | failed
    sizes = {} if sizes is None else sizes
    kept = []
    for s in statements:
        if layer_loop(s, tainted) and not set(loads(s)) & tainted:  # for l in …: params["W" + str(l)] = …
            kept.append(ast.unparse(s))
            continue
        if not isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr) or prints(s):
            if loads_data(s) and not isinstance(s, DEFINITIONS):  # with open("data.txt") as f: rows = …
                tainted |= {
                    n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                }
            continue
        bound = set(stores(s))
        if bound & data or loads_data(s):
            tainted |= bound
            continue
        if set(loads(s)) & tainted:
            weight = bool(bound) and all(WEIGHT_LIKE.match(n) or n in known for n in bound)
            sized = weight or _a_size(s, tainted) or _sizes_or_object(s)
            rewritten = without_data_sizes(s, tainted, sizes) if sized else None
            rewritten = rewritten or _shape_unpacked(s, tainted, sizes)
            if rewritten is None:
                tainted |= bound
                continue
            s = rewritten
        kept.append(ast.unparse(s))
    return kept


SIZE_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Name, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)
"""What an expression of sizes is made of, besides the sizes it reads off the data."""


def _sizes_or_object(stmt: ast.stmt) -> bool:
    """``n_in, n_hidden = X.shape[1], 12``: names bound to sizes and numbers; ``hidden = Dense(X.shape[1],
    10)``: one name bound to what a function of the project makes of them (an object, not an array
    NumPy makes). Either is kept with its sizes replaced, when it reads the data through sizes alone
    (:func:`without_data_sizes`)."""
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return False
    target, value = stmt.targets[0], stmt.value
    names = target.elts if isinstance(target, ast.Tuple) else [target]
    if not all(isinstance(n, ast.Name) for n in names):
        return False
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and isinstance(target, ast.Name):
        return True
    return all(
        isinstance(n, (*SIZE_NODES, ast.expr_context)) or _is_size(n, _names(n)) for n in _outer(value)
    )


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _outer(value: ast.expr) -> list[ast.AST]:
    """The nodes of ``value``, a size read off a name (``X.shape[1]``, ``len(X)``) as one node."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        out.append(node)
        if not _is_size(node, _names(node)):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _a_size(stmt: ast.stmt, data: set[str]) -> bool:
    """``n = X.shape[0]``, ``n = len(X)``: one name bound to a size of the data."""
    return (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and _is_size(stmt.value, data)
    )


def _shape_unpacked(stmt: ast.stmt, data: set[str], sizes: dict[str, int]) -> ast.stmt | None:
    """``n_records, n_features = features.shape`` with each size a small constant (added to ``sizes``
    as ``features.shape[i]``, the same constant wherever that size is read), or None."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Tuple)
        and all(isinstance(e, ast.Name) for e in stmt.targets[0].elts)
        and isinstance(stmt.value, ast.Attribute)
        and stmt.value.attr == "shape"
        and _reads(stmt.value.value, data)
    ):
        return None
    values: list[ast.expr] = []
    for i in range(len(stmt.targets[0].elts)):
        key = f"{ast.unparse(stmt.value)}[{i}]"
        sizes.setdefault(key, SMALL[len(sizes) % len(SMALL)])
        values.append(ast.Constant(sizes[key]))
    return ast.copy_location(
        ast.Assign(stmt.targets, ast.Tuple(values, ast.Load()), lineno=stmt.lineno), stmt
    )


DATA_FILE_ARGUMENTS = re.compile(r"path|file|dir$|folder|url|^data_?set$", re.IGNORECASE)
"""Constructor arguments that name where data is read from (``datapath='cifar10.pkl'``)."""


def without_data_files(setup: str, cls: type) -> str | None:
    """``setup`` with every string given to ``cls``'s data-file arguments (:data:`DATA_FILE_ARGUMENTS`),
    by position, by keyword or by default, replaced by ``None``: a constructor that loads its data set
    when given a path (``NN(datapath='cifar10.pkl')``) and skips it given none. None when ``cls`` has no
    such argument taking a string."""
    try:
        signature = inspect.signature(cls)
        tree = ast.parse(setup)
    except (TypeError, ValueError, SyntaxError):
        return None
    names = [p.name for p in signature.parameters.values()]
    paths = {
        p.name
        for p in signature.parameters.values()
        if DATA_FILE_ARGUMENTS.search(p.name) and (p.default is p.empty or isinstance(p.default, str))
    }
    changed = False
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _call_name(node).split(".")[-1] == cls.__name__):
            continue
        positions = {names[i]: i for i in range(min(len(names), len(node.args)))}
        keywords = {k.arg: k for k in node.keywords if k.arg}
        for name in paths:
            value: ast.expr | None = None
            if name in positions:
                value = node.args[positions[name]]
            elif name in keywords:
                value = keywords[name].value
            default = signature.parameters[name].default
            if not (
                (isinstance(value, ast.Constant) and isinstance(value.value, str))
                or (value is None and isinstance(default, str))
            ):
                continue
            if name in positions:
                node.args[positions[name]] = ast.Constant(None)
            elif name in keywords:
                keywords[name].value = ast.Constant(None)
            else:
                node.keywords.append(ast.keyword(arg=name, value=ast.Constant(None)))
            changed = True
    return ast.unparse(tree).replace("\n", "; ") if changed else None


LARGE = 32
"""A layer size above this (784 pixels, 512 hidden units) is made small in the script's own construction:
the verdict does not depend on it, and the check's time grows with it."""


def with_small_layers(setup: str, cls: type | Sequence[type]) -> str | None:
    """``setup`` with every list or tuple of layer sizes given to ``cls`` (``MLP([784, 30, 10])``,
    ``hidden_dims=(512, 256)``, ``[(784, 'tanh'), (10, 'softmax')]`` with each layer's size first),
    and its integer arguments one by one (``NeuralNetwork(784, 128, 10)``), made small where a size
    passes :data:`LARGE` (:func:`_made_small`), sizes at most :data:`LARGE` kept; None when nothing
    changes. ``cls`` may be several classes: one size is made the same small size in all their calls,
    so that layers built one by one still chain (``Layer_Dense(2, 64)``, ``Layer_Dense(64, 3)``)."""
    try:
        tree = ast.parse(setup)
    except SyntaxError:
        return None
    names = {c.__name__ for c in ([cls] if isinstance(cls, type) else cls)}
    small: dict[int, int] = {}
    changed = False
    known = named_sizes(tree)  # arch = [d, hu, hu, d] after d = 28 ** 2: the list made of its numbers
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _call_name(node).split(".")[-1] in names):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Name) and (listed := size_list_literals(tree, arg.id, known)) is not None:
                arg = listed
            if not isinstance(arg, ast.List | ast.Tuple) or not arg.elts:
                continue
            heads = [  # [(784, 'tanh'), (10, 'softmax')]: each layer's size first
                e.elts[0] if isinstance(e, ast.List | ast.Tuple) and e.elts else e for e in arg.elts
            ]
            changed = _made_small(heads, small) or changed
        node.args = [folded(a, known, LARGE) for a in node.args]  # Layer(28 * 28, 64): a size 784
        for k in node.keywords:
            k.value = folded(k.value, known, LARGE)
        sizes = [a for a in [*node.args, *(k.value for k in node.keywords)] if isinstance(a, ast.Constant)]
        ints: list[ast.expr] = [a for a in sizes if type(a.value) is int]  # NeuralNetwork(784, 128, 10)
        changed = (bool(ints) and _made_small(ints, small)) or changed
    return ast.unparse(tree).replace("\n", "; ") if changed else None


def _made_small(sizes: list[ast.expr], small: dict[int, int] | None = None) -> bool:
    """Make the integer literals ``sizes`` of one list of layer sizes small where one passes
    :data:`LARGE`: a size first met first in a list of several 4, any other 5; one alone 5. ``small``
    keeps the sizes given so far, so that a size met again is given the same; False when they are not
    all integers or none is large."""
    small = {} if small is None else small
    values = [e.value for e in sizes if isinstance(e, ast.Constant) and type(e.value) is int]
    if not values or len(values) != len(sizes) or max(values) <= LARGE:
        return False
    for i, (e, size) in enumerate(zip(sizes, values, strict=True)):
        if isinstance(e, ast.Constant) and size > LARGE:
            e.value = small.setdefault(size, 4 if i == 0 and len(sizes) > 1 else 5)
    return True


def with_small_size_lists(code: str) -> str:
    """``code`` with every list or tuple of layer sizes it assigns (``layers_dims = [12288, 20, 7, 5,
    1]``) made small where a size passes :data:`LARGE`: the first 4, the others 5."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    changed = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple):
            changed = (len(node.value.elts) > 1 and _made_small(node.value.elts)) or changed
    return ast.unparse(tree).replace("\n", "; ") if changed else code


def written_arguments(tree: ast.Module, cls: type) -> dict[str, object]:
    """The constant arguments the script's own calls of ``cls`` give anywhere, inside functions too
    (``model = MultiLayerPerceptron(n_classes, n_feats, hidden_size=100, activ_h='relu')`` in
    ``main(args)``): ``{"hidden_size": 100, "activ_h": "relu"}``, by keyword or by position, for the
    constructor arguments whose values the rest of the call reads off data. The first call wins."""
    try:
        names = [p for p in inspect.signature(cls).parameters if p not in ("self", "cls")]
    except (TypeError, ValueError):
        return {}
    out: dict[str, object] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _call_name(node) == cls.__name__):
            continue
        given = [
            (names[i], a) for i, a in enumerate(node.args[: len(names)]) if not isinstance(a, ast.Starred)
        ]
        given += [(k.arg, k.value) for k in node.keywords if k.arg is not None]
        for name, value in given:
            if isinstance(value, ast.Constant) and name not in out:
                out[name] = value.value
    return out
