"""Arguments named like an error, or by no known role, that are the labels (``d``, the desired output).

``d`` is the error handed to a backward pass in some code (``backward(self, d)``) and the desired
response in the notation of Haykin (*Neural Networks and Learning Machines*, 3rd ed., 2009, §4.4:
``e_j(n) = d_j(n) − y_j(n)``), which many courses follow; ``e`` and ``delta`` are read the same two ways.
The name does not say which; the method does (:func:`desired_outputs`): a method that subtracts the
argument from the output of the forward pass (``d[j] - y[j]`` after ``y = self.forward(x)``, or ``d -
self.y``) computes the error from it, so it is the labels. Nothing here runs the code: the syntax tree
is read.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading.conventions import positional_parameters, role
from verification.reading.source_trees import source_tree

FORWARD_CALL = re.compile(r"^_*(forward|feed|predict|propagate|activate)", re.IGNORECASE)
"""Methods of the object whose call runs the forward pass (``self.forward_train(x)``)."""


CONVERSIONS = ("array", "asarray", "asfarray", "float", "matrix", "mat")
"""Calls that only convert what they are given (``array(teach, dtype=float)``): read through."""


def unsubscripted(node: ast.expr) -> ast.expr:
    """``node`` without its subscripts (``d[j]``) and conversions (``np.array(d)``)."""
    while True:
        if isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call) and len(node.args) == 1 and _called(node) in CONVERSIONS:
            node = node.args[0]
        else:
            return node


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _runs_forward_of(func: ast.expr, me: str) -> bool:
    """Whether ``func`` is a forward-like method of the object ``me`` (``self.forward``)."""
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == me
        and FORWARD_CALL.match(func.attr) is not None
    )


def _outputs(first: ast.FunctionDef) -> tuple[str, set[str]]:
    """The method's ``self`` and the names it binds to what a forward-like method of it returns
    (``y = self.forward(x)``, ``vh, oh, vout, y = self.forward_train(x)``)."""
    me = first.args.args[0].arg
    names: set[str] = set()
    for node in ast.walk(first):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        if _runs_forward_of(node.value.func, me):
            for target in node.targets:
                elts = target.elts if isinstance(target, ast.Tuple) else [target]
                names |= {e.id for e in elts if isinstance(e, ast.Name)}
    return me, names


def _zipped_with_inputs(first: ast.FunctionDef) -> set[str]:
    """Arguments ``first`` zips with an argument named like the inputs (``for x, t in zip(X, d)``)."""
    args = [a.arg for a in first.args.args[1:]]
    out: set[str] = set()
    for node in ast.walk(first):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "zip":
            names = [a.id for a in node.args if isinstance(a, ast.Name) and a.id in args]
            if len(names) == 2 and role(names[0], 0) == "x":
                out.add(names[1])
    return out


def desired_outputs(fn: Any, follow: bool = True) -> dict[str, str]:
    """``{argument: "y"}`` for each argument of the method ``fn`` named like an error (``d``, ``e``,
    ``delta``: :func:`verification.reading.conventions.role`), or by a name that says nothing of its
    role (``counts``), that ``fn`` subtracts from an output of
    the forward pass, or subtracts that output from: one it gets by calling a forward-like method of
    its object (``y = self.forward(x)``, ``d - self.forward(x)``) or holds in an attribute (``d -
    self.y``), or zips with the inputs (``for x, t in zip(X, d)``), or (``follow``)
    hands on to another method of its class that does. The error is computed from such an argument:
    it is the labels, not an error handed in."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef) or not first.args.args:
        return {}
    errors = {  # named like an error, or by a name that says nothing (backward(self, counts))
        p.name for i, p in enumerate(positional_parameters(fn)) if i and role(p.name, i) in ("error", None)
    }
    me, outputs = _outputs(first)
    found: dict[str, str] = {}
    for node in ast.walk(first):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)):
            continue
        sides = [unsubscripted(node.left), unsubscripted(node.right)]
        for this, other in (sides, sides[::-1]):
            base = other.value if isinstance(other, ast.Attribute) else None  # self.y
            held = isinstance(base, ast.Name) and base.id == me
            output = (isinstance(other, ast.Name) and other.id in outputs) or held
            output = output or (isinstance(other, ast.Call) and _runs_forward_of(other.func, me))
            if isinstance(this, ast.Name) and this.id in errors and output:
                found[this.id] = "y"
    found |= {a: "y" for a in _zipped_with_inputs(first) & errors}  # for x, t in zip(X, d)
    return found | (_handed_on(fn, first, me, errors - set(found)) if follow else {})


def _handed_on(fn: Any, first: ast.FunctionDef, me: str, errors: set[str]) -> dict[str, str]:
    """The arguments of ``errors`` that ``fn`` hands on to another method of its class that takes them as
    the desired output (``train(x, d)`` calling ``self.backprop(x, d)``, which computes ``e = d - y``)."""
    owner = getattr(fn, "__globals__", {}).get(getattr(fn, "__qualname__", "").split(".")[0])
    found: dict[str, str] = {}
    for node in (n for n in ast.walk(first) if isinstance(n, ast.Call)):
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == me):
            continue
        callee = getattr(owner, func.attr, None) if isinstance(owner, type) else None
        if not callable(callee) or callee is fn:
            continue
        takes = [p.name for p in positional_parameters(callee)[1:]]
        desired = desired_outputs(callee, follow=False)
        for arg, param in zip(node.args, takes, strict=False):
            if isinstance(arg, ast.Name) and arg.id in errors and param in desired:
                found[arg.id] = "y"
    return found


def computed_against(fn: Any) -> dict[str, str]:
    """``{argument: "y"}`` for each argument of the plain function ``fn`` that it subtracts from an
    output of a forward function it calls itself, or subtracts that output from (``L1, A1, L2, A2 =
    forwardProp(Inp, hl1, hl2)``, ``ErrorOut = Out - A2``): a function that runs the forward pass on its
    own is never handed the network's output, so such an argument is the labels, whatever its name
    (``Out``) says."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef):
        return {}
    args = {a.arg for a in first.args.args}
    outputs: set[str] = set()
    for node in ast.walk(first):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and FORWARD_CALL.match(func.id):
                for target in node.targets:
                    elts = target.elts if isinstance(target, ast.Tuple) else [target]
                    outputs |= {e.id for e in elts if isinstance(e, ast.Name)}
    found: dict[str, str] = {}
    for node in ast.walk(first):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            sides = [unsubscripted(node.left), unsubscripted(node.right)]
            for this, other in (sides, sides[::-1]):
                if isinstance(this, ast.Name) and this.id in args - outputs and isinstance(other, ast.Name):
                    if other.id in outputs and role(this.id, 1) != "x":
                        found[this.id] = "y"
    return found
