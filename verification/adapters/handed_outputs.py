"""The output as a caller hands it: a method that takes the network's output, handed its sigmoid or softmax.

A backward pass written as ``backward(self, y_pred, y_true)`` computes its output error from what its
caller hands it. When the forward pass ends at the scores (logits: outputs not all inside ``(0, 1)``;
outputs of a sigmoid are handed as they are) and the file holds no call of the
method (the training script that calls it was not copied, or is not written), detection hands it the
forward pass's own output (``out = net.forward(x); net.backward(out, y)``). That is one reading; its
caller may as well hand the sigmoid or softmax of the scores, the reading in which the loss is applied
to those probabilities (``--output sigmoid``). ``dz = y_pred − y`` is then the gradient of BCE (or
cross-entropy) on the scores, where the scores handed as they are make it that of the squared error.

:func:`handed_step` writes the step of that other reading: the assignment of the output wrapped in the
sigmoid or softmax, in the code's own NumPy, so that the report can print it as an explicit form. The
readings are then varied and judged with the others (:mod:`verification.identification.setups`): a
verdict is kept only when one reading finds a loss, and readings that find different losses refuse with
cause ``ambiguous``.
"""

from __future__ import annotations

import ast
import types
from typing import Any

from verification.adapters.layouts import Layout
from verification.reading.statements import assigned_pairs

OUTPUT_NAME = "out"
"""The name detection binds the forward pass's output to before it hands it on (:mod:`verification.
adapters.methods`)."""


def numpy_name(namespace: dict[str, Any]) -> str | None:
    """The name the script binds NumPy to (``np``, ``numpy``), or None."""
    for name, value in namespace.items():
        if isinstance(value, types.ModuleType) and value.__name__ == "numpy" and name.isidentifier():
            return name
    return None


def transformed(reading: str, layout: Layout, np: str) -> str | None:
    """Statements that replace ``out`` by its ``reading`` (``sigmoid`` or ``softmax``) in NumPy bound as
    ``np``; the softmax over each sample's outputs (the last axis of rows and 1-D arrays, the first of
    columns, the middle of stacked columns). None for a reading or layout it is not written for."""
    o = OUTPUT_NAME
    if reading == "sigmoid":
        return f"{o} = 1 / (1 + {np}.exp(-{o}))"
    axis = {"row": -1, "flat": -1, "column": 0, "stacked": -2}.get(layout.inputs)
    if reading != "softmax" or axis is None:
        return None
    return (
        f"{o} = {np}.exp({o} - {np}.max({o}, axis={axis}, keepdims=True)); "
        f"{o} = {o} / {np}.sum({o}, axis={axis}, keepdims=True)"
    )


def _attribute(node: ast.AST) -> str | None:
    """``m`` of a call ``obj.m(…)`` (or of ``m(…)``), else None."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of a module or function, without those of the functions defined in it (their own
    scopes)."""
    out, stack = [], list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def handed_as_is(trees: list[ast.Module], method: str, position: int, forward_method: str) -> bool:
    """Whether the code's own calls of ``method`` hand it the forward pass's output as it is: at argument
    ``position``, a call of ``forward_method`` (``net.backward(net.forward(X), Y)``) or a name bound to one
    in the same function or module (``out = self.forward(x)`` then ``self.backward(out, y)``)."""
    for tree in trees:
        scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
        for scope in scopes:
            nodes = _own_nodes(scope)
            outputs = {
                t.id
                for n in nodes
                for t, v in assigned_pairs(n)
                if isinstance(t, ast.Name) and _attribute(v) == forward_method
            }
            for call in (n for n in nodes if _attribute(n) == method):
                args = call.args  # type: ignore[attr-defined]
                if len(args) > position and (
                    _attribute(args[position]) == forward_method
                    or (isinstance(args[position], ast.Name) and args[position].id in outputs)
                ):
                    return True
    return False


def handed_call(code: str, receiver: str) -> tuple[str, int] | None:
    """The method of the object ``receiver`` the output is handed to in ``code`` and its position:
    ``("backward", 0)`` for ``out = net.forward(x); net.backward(out, y)``; None when none is (a NumPy
    function handed it, ``np.subtract(out, y)``, is no method of the network)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func = call.func
        owner = func.value if isinstance(func, ast.Attribute) else None
        if not (isinstance(owner, ast.Name) and owner.id == receiver):
            continue
        for i, a in enumerate(call.args):
            if isinstance(a, ast.Name) and a.id == OUTPUT_NAME:
                return str(_attribute(call)), i
    return None


def handed_step(
    code: str, forward: str, reading: str, layout: Layout, namespace: dict[str, Any], trees: list[ast.Module]
) -> str | None:
    """``code`` (a step or gradient) with the output it hands on replaced by its ``reading``.

    Parameters
    ----------
    code : str
        The step or gradient detection wrote, e.g. ``out = net.forward(x); net.backward(out, y)``.
    forward : str
        The recipe's forward; its last expression is what ``out`` is bound to.
    reading : str
        ``sigmoid`` or ``softmax``.
    layout : Layout
    namespace : dict
        The script's namespace (for the name of NumPy in it).
    trees : list of ast.Module
        The script's syntax tree and those of the modules beside it that it uses.

    Returns
    -------
    str or None
        The step of the other reading; None when ``code`` hands no output on (``out`` is not bound to
        the forward's output and then given to a call), when the code's own calls of that method hand it
        the output as it is (:func:`handed_as_is`), or when the script binds no NumPy.
    """
    np = numpy_name(namespace)
    last = forward.rsplit(";", 1)[-1].strip()
    try:
        statements, expression = ast.parse(code).body, ast.parse(last, mode="eval").body
    except SyntaxError:
        return None
    func = getattr(expression, "func", None)
    receiver = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
    value, call, method = ast.unparse(expression), handed_call(code, receiver), _attribute(expression)
    binds = [
        s
        for s in statements
        if isinstance(s, ast.Assign)
        and [ast.unparse(t) for t in s.targets] == [OUTPUT_NAME]
        and ast.unparse(s.value) == value
    ]
    if np is None or len(binds) != 1 or call is None or method is None or handed_as_is(trees, *call, method):
        return None
    then = transformed(reading, layout, np)
    bound = f"{OUTPUT_NAME} = {last}"
    if then is None or bound not in code:
        return None
    return code.replace(bound, f"{bound}; {then}", 1)
