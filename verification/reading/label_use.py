"""Whether a script's own code uses its labels as class indices.

Detection runs code with labels as one-hot vectors or as class indices, keeping a format the code runs
with (:mod:`verification.adapters.trials`). Running is no confirmation: code that takes its labels in a
form the checker cannot give (a batch of one-hot *column* vectors, stacked with ``np.hstack``) also runs
with class indices, subtracting one index from every output, and then back-propagates an error of the
wrong thing. A verdict of no loss made at class indices is only trusted when the script itself treats
its labels as indices somewhere (:func:`uses_labels_as_indices`):

* it indexes with them: ``probs[np.arange(N), y]``, ``np.eye(10)[labels]``, ``onehot[i, y[i]]``,
  ``expected[row[-1]] = 1`` (the class as the last entry of a data row), ``t[labels[i]] = 1``;
* it compares them with a class prediction: ``np.argmax(out, axis=1) == y``, or with the classes one
  by one: ``for k in range(1, num_labels + 1): Y[:, k - 1] = (y == k)`` (labels counted from 1, whose
  indexing subtracts 1: ``Y[np.arange(m), y - 1] = 1``, exercise 4 of Ng's Machine Learning course).

Nothing here runs the code: the syntax tree is read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from verification.reading.conventions import role
from verification.reading.statements import assigned_pairs


def _row_class(node: ast.expr) -> bool:
    """``row[-1]``: the last entry of a data row, the class of a row whose other entries are inputs."""
    return (
        isinstance(node, ast.Subscript)
        and ast.unparse(node.slice) == "-1"
        and isinstance(node.value, ast.Name)
        and role(node.value.id, 1) in ("x", "dataset")
    )


def _is_label(node: ast.expr) -> bool:
    """A name (or attribute, ``self.y``) named like labels, or an element of one (``y[i]``), also made
    an integer (``int(y[i])``, ``y.astype(int)``)."""
    if isinstance(node, ast.Call) and len(node.args) == 1 and getattr(node.func, "id", "") == "int":
        node = node.args[0]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "astype":
        node = node.func.value
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return role(node.attr, 1) == "y"
    return isinstance(node, ast.Name) and role(node.id, 1) == "y"


def _is_prediction(node: ast.expr) -> bool:
    """``np.argmax(…)``, ``out.argmax(…)``: a class prediction."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name.lower() in ("argmax", "predict")


def _one_hot(node: ast.expr) -> bool:
    """An array named as the one-hot encoding of the labels (``one_hot_Y``, ``y_onehot``)."""
    return bool(re.search(r"one_?hot", ast.unparse(node), re.IGNORECASE))


def uses_labels_as_indices(tree: ast.AST) -> bool:
    """Whether the code in ``tree`` indexes an array with its labels or compares them with a class
    prediction (see the module docstring)."""
    batches = _batches(tree)
    classes = _class_counters(tree)

    def label(node: ast.expr) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):  # y - 1: counted from 1
            return isinstance(node.right, ast.Constant) and node.right.value == 1 and label(node.left)
        return _is_label(node) or (isinstance(node, ast.Name) and node.id in batches)

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if any(_row_class(p) for p in parts):
                return True
            indexed = node.value  # one_hot_Y[np.arange(Y.size), Y] = 1 writes a one-hot array, no label
            if (not label(indexed) or _one_hot(indexed)) and any(label(p) for p in parts):
                return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value == 1:
            for t in node.targets:  # Y[np.arange(m), y - 1] = 1: a one-hot written from the labels
                parts = (
                    t.slice.elts if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Tuple) else []
                )
                if any(label(p) for p in parts[1:]):
                    return True
                while isinstance(t, ast.Subscript) and not parts:  # t[labels[i]] = 1, t[labels[i]][0] = 1
                    if _writes_from(t.slice, t.value, label):
                        return True  # a one-hot written from one label
                    t = t.value
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(label(s) for s in sides) and any(_is_prediction(s) or _named(s, classes) for s in sides):
                return True
    return False


def _writes_from(index: ast.expr, array: ast.expr, label: Any) -> bool:
    """``index`` (of ``array[index] = 1``) is a label other than ``array`` itself or an element of it."""
    base = index.value if isinstance(index, ast.Subscript) else index
    return bool(label(index)) and ast.unparse(base) != ast.unparse(array)


def _named(node: ast.expr, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _class_counters(tree: ast.AST) -> set[str]:
    """Names that count the classes: the targets of ``for k in range(…)`` loops whose bound is named for
    the classes (``num_labels``, ``n_classes``, ``K``)."""
    out = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Call)
            and getattr(node.iter.func, "id", "") == "range"
            and re.search(r"label|class|^K$|n_?out|output", ast.unparse(node.iter.args[-1]))
        ):
            out.add(node.target.id)
    return out


def _batches(tree: ast.AST) -> set[str]:
    """Names bound to a slice of the labels (``yb = y[start:start + batch]``; ``xb, yb = X[s], y[s]``)."""
    out = set()
    for node in ast.walk(tree):
        for t, v in assigned_pairs(node):
            if isinstance(t, ast.Name) and isinstance(v, ast.Subscript) and _is_label(v.value):
                out.add(t.id)
    return out


def reached(tree: ast.Module, names: set[str]) -> ast.Module:
    """The top-level functions and classes of ``tree`` named in ``names``, and those their bodies name
    in turn (the code a gradient runs, not the script's data preparation)."""
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef | ast.ClassDef)}
    seen: dict[str, ast.stmt] = {}
    todo = [n for n in names if n in defs]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = defs[name]
        todo += [n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name) and n.id in defs]
    return ast.Module(body=list(seen.values()), type_ignores=[])


def classes_from_labels(tree: ast.AST) -> bool:
    """Whether the code sizes something by its labels' largest class or count (``np.zeros((Y.size,
    Y.max() + 1))``, ``np.max(y) + 1``, ``len(np.unique(y))``): a one-hot encoding as wide as the
    classes present, which a batch must then hold all of (one sample of class 0 would broadcast)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            for side in (node.left, node.right):
                if isinstance(side, ast.Call) and _counts_classes(side, ("max", "amax")):
                    return True
        if isinstance(node, ast.Call) and _counts_classes(node, ("unique",)):
            return True
    return False


def _counts_classes(call: ast.Call, names: tuple[str, ...]) -> bool:
    """``y.max()``, ``np.max(y)``, ``np.unique(y)`` (any of ``names``) of labels."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in names:
        return False
    if isinstance(func, ast.Attribute) and _is_label(func.value):
        return True
    return any(_is_label(a) for a in call.args)


def sibling_trees(namespace: dict[str, Any], folder: Path, script_file: Path) -> list[ast.Module]:
    """The syntax trees of the modules beside a script (in ``folder``) that define the classes and
    functions of ``namespace``, or the classes of its objects and of their attributes, or that it
    imports as modules: where a loss object the network is handed reads its labels (``SoftmaxLoss``
    from ``softmax_loss.py``), or a helper module encodes them (``formulas.one_hot``)."""
    import inspect

    def file_of(obj: Any) -> Path | None:  # by the code's own file name: the module may be forgotten
        own = [obj] if inspect.isfunction(obj) else vars(obj).values()
        functions = [f for f in own if inspect.isfunction(f)]
        name = next((f.__code__.co_filename for f in functions), None)
        return Path(name).resolve() if name and not name.startswith("<") else None

    found: set[Path] = set()
    for v in namespace.values():
        if inspect.ismodule(v):  # import formulas: formulas.one_hot(Y) reads the labels there
            name = getattr(v, "__file__", None)
            where_module = Path(name).resolve() if name else None
            if where_module is not None and where_module.parent == folder and where_module != script_file:
                found.add(where_module)
            continue
        kinds = [v] if isinstance(v, type) or inspect.isfunction(v) else [type(v)]
        kinds += [type(a) for a in getattr(v, "__dict__", {}).values()] if not isinstance(v, type) else []
        for kind in kinds:
            where = file_of(kind)
            if where is not None and where.parent == folder and where != script_file:
                found.add(where)
    trees = []
    for where in sorted(found):
        try:
            trees.append(ast.parse(where.read_text(encoding="utf-8", errors="replace")))
        except (SyntaxError, OSError, ValueError):
            continue
    return trees
