"""Which entry of a dict a forward pass returns is its output, as the class's own code reads it.

Course-style forward passes return their cache, a dict of every layer's pre-activation and activation
(``{"Z0": x, "A1": …, "Z1": …, …}``), and the code that uses it says which entry is the output::

    def backward(self, cache, labels):
        output = cache[f"Z{self.n_hidden + 1}"]

Naming conventions differ (``A`` is the activation in one course, the pre-activation in another), and
the order of the entries too, so neither the key's name nor its position is taken: the key is the one
the class's own methods read into a name that says output (``output``, ``prediction``, ``probs``,
``y_hat``, ``AL``) or subtract the labels from (``cache["A2"] - Y``), its expression evaluated with
``self`` bound to the network. None when the code
reads no such entry, or two different ones.

A forward pass that returns nothing and keeps its output in a list attribute (``self.A[1] = …``) is read
the same way: :func:`stored_output` is the expression over ``self`` the class's own code reads into such
a name (``proba = self.A[1]`` in ``predict``), or that a method of no arguments named for the output
returns (``def return_output(self): return self.layers[-1].activations``, :func:`output_accessor`).
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from verification.reading.conventions import FORWARD_NAMES, role
from verification.reading.source_trees import source_tree

OUTPUT_NAMES = re.compile(
    r"^(output|outputs|out|prediction|predictions|pred|preds|probs|probabilities|y_?hat|y_?pred|a_?l|"
    r"a_?out|scores|final_output|proba|probas|y_?prob)$",
    re.IGNORECASE,
)
"""Names the output of a network is read into."""


def _output_reads(obj: Any) -> list[tuple[ast.expr, Any]]:
    """``(expression, function)`` for every ``name = expression`` of the class's methods whose name says
    output and whose expression is a subscript or an attribute, every subscript the methods subtract
    the labels from (``cache["A2"] - Y``, also through a name it was read into: ``A2 = self.cache["A2"]``
    … ``A2 - Y``) or take a class prediction of (``np.argmax(cache["probs"],
    1)``), and every entry they read of the forward pass's own result (``self.forward(X)["P"]``)."""
    out: list[tuple[ast.expr, Any]] = []
    for _, fn in inspect.getmembers(type(obj), inspect.isfunction):
        tree = source_tree(fn)
        if tree is None:
            continue
        bound = {  # A2 = self.cache["A2"]: a name read from a store, standing for it below (A2 - Y)
            node.targets[0].id: node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Subscript)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and OUTPUT_NAMES.match(node.targets[0].id)
                and isinstance(node.value, ast.Subscript | ast.Attribute)
            ):
                out.append((node.value, fn))
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and ast.unparse(node.value.func.value) == "self"
                and node.value.func.attr in FORWARD_NAMES
            ):  # self.forward(X)["P"].argmax(axis=1) in predict
                out.append((node, fn))
            elif isinstance(node, ast.Call) and _argmax(node) is not None:  # np.argmax(cache["probs"], 1)
                out.append((_argmax(node), fn))  # type: ignore[arg-type]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):  # cache["A2"] - Y
                for side, other in ((node.left, node.right), (node.right, node.left)):
                    side = bound.get(side.id, side) if isinstance(side, ast.Name) else side
                    if (
                        isinstance(side, ast.Subscript)
                        and isinstance(side.value, ast.Name | ast.Attribute)  # cache[…], self.saved[…]
                        and isinstance(other, ast.Name)
                        and role(other.id, 1) == "y"
                    ):
                        out.append((side, fn))
    return out


def _argmax(call: ast.Call) -> ast.Subscript | None:
    """The subscript a class prediction is taken of: ``np.argmax(cache["probs"], axis=1)``,
    ``cache["probs"].argmax(axis=1)``."""
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    if name != "argmax":
        return None
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Subscript):
        return f.value
    first = call.args[0] if call.args else None
    return first if isinstance(first, ast.Subscript) else None


def stored_output(obj: Any) -> str | None:
    """The expression over ``self`` (``self.A[1]``, ``self.saved['A' + str(self.L)]``) the class's own
    code reads as its output, when there is exactly one such expression that reads only ``self``,
    constants and :data:`BUILTINS`; None otherwise."""
    found = set()
    for e, _ in _output_reads(obj):
        names = {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}
        if "self" in names and names - {"self"} <= BUILTINS:  # self.saved['A' + str(self.L)]
            found.add(ast.unparse(e))
    return found.pop() if len(found) == 1 else None


BUILTINS = frozenset(("str", "int", "len", "f"))
"""Names an output's key may be built with besides ``self`` (``'A' + str(self.L)``)."""


def dict_output_key(obj: Any, keys: list[Any]) -> Any | None:
    """The key of the output among ``keys`` (see the module docstring), or None.

    Parameters
    ----------
    obj : object
        The network, bound as ``self`` when a key's expression is evaluated.
    keys : list
        The keys of the dict its forward pass returned.
    """
    found = set()
    for expression, fn in _output_reads(obj):
        if isinstance(expression, ast.Subscript):
            try:
                key = eval(  # the class's own key expression, with self bound
                    compile(ast.Expression(expression.slice), "<key>", "eval"),
                    {**getattr(fn, "__globals__", {}), "self": obj},
                )
            except Exception:  # a key of locals the expression reads: not one to evaluate here
                continue
            if any(key == k for k in keys):
                found.add(key)
    return found.pop() if len(found) == 1 else None


ACCESSOR = re.compile(r"^(get_?|return_?|read_?)?(output|outputs|out|prediction|predictions|result)$", re.I)
"""The name of a method that hands back the output the forward pass kept."""


def output_accessor(obj: Any) -> str | None:
    """The one method of the class named for the output (:data:`ACCESSOR`) that takes no argument and
    whose body is a single ``return`` of an expression over ``self`` (``return self.layers[-1].
    activations``): what reads the output a forward pass that returns nothing kept. None otherwise."""
    found = []
    for name, fn in inspect.getmembers(type(obj), inspect.isfunction):
        if not ACCESSOR.match(name) or len(inspect.signature(fn).parameters) != 1:
            continue
        tree = source_tree(fn)
        node = tree.body[0] if tree is not None and tree.body else None
        body = node.body if isinstance(node, ast.FunctionDef) else []
        body = [b for b in body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            names = {n.id for n in ast.walk(body[0].value) if isinstance(n, ast.Name)}
            if names == {"self"}:
                found.append(name)
    return found[0] if len(found) == 1 else None


def unpacked_output(obj: Any, method: str, n: int) -> int | None:
    """The position of the output in the ``n``-tuple the method ``method`` returns, as the class's own
    code unpacks it into a name that says output (``prediction, aHL, hL = self.feedforward(x)``, an
    :data:`OUTPUT_NAMES` name); None when no call unpacks it so, or calls disagree."""
    found = set()
    for _, fn in inspect.getmembers(type(obj), inspect.isfunction):
        tree = source_tree(fn)
        for node in ast.walk(tree) if tree is not None else []:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            f, target = node.value.func, node.targets[0]
            if not (isinstance(f, ast.Attribute) and f.attr == method and ast.unparse(f.value) == "self"):
                continue
            if isinstance(target, ast.Tuple) and len(target.elts) == n:
                names = [e.id if isinstance(e, ast.Name) else "" for e in target.elts]
                found |= {i for i, name in enumerate(names) if OUTPUT_NAMES.match(name)}
    return found.pop() if len(found) == 1 else None
