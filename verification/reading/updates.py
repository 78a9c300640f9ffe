"""What the source of a training method says: the sign of its parameter updates, a learning rate
written as a local constant, and the loops that make it more than one step.

* the sign of an in-place update of the *parameters* (``W += …`` or ``W -= …``) tells whether an
  ``error`` argument is ``y − a`` or ``a − y`` (a step counter ``self.steps += 1`` is no parameter and
  does not count);
* a learning rate written as a local constant (``learn_rate = 0.1``) is the step's scale;
* loops over epochs bounded by an attribute can be set to one, so that "one step" can be asked of it.

Nothing here runs the code: the source is parsed with :mod:`ast`.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterable
from typing import Any

from verification.reading.conventions import LR_NAMES, lower, positional_parameters
from verification.reading.loop_cuts import is_epoch_loop, is_epoch_while, trains
from verification.reading.source_trees import source_tree


def _target_names(target: ast.expr) -> list[str]:
    """Attribute and variable names along an assignment target: ``self.weights[i]`` → [weights, self]."""
    names = []
    node: ast.expr | None = target
    while node is not None:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            node = None
        else:
            node = None
    return names


def update_sign(fn: Any, parameter_names: Iterable[str]) -> int | None:
    """+1 when the source of ``fn`` updates the parameters with ``+=`` (or ``W = W + …``), −1 with ``-=``,
    None when it updates none of them (step counters and caches do not count).

    Parameters
    ----------
    fn : callable
    parameter_names : iterable of str
        The attribute or key names the parameters are kept under (``W1``, ``weights``, ``wih``).
    """
    tree = source_tree(fn)
    if tree is None:
        return None
    wanted = {n.lower() for n in parameter_names}
    plus = minus = 0
    for node in ast.walk(tree):
        op: ast.operator | None = None
        target: ast.expr | None = None
        if isinstance(node, ast.AugAssign):
            op, target = node.op, node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.BinOp):
            t = node.targets[0]
            if ast.dump(node.value.left) == ast.dump(t).replace("Store()", "Load()"):
                op, target = node.value.op, t
        if target is None or not isinstance(target, ast.Attribute | ast.Subscript | ast.Name):
            continue
        if not wanted & {n.lower() for n in _target_names(target)[:2]}:
            continue
        if isinstance(op, ast.Add):
            plus += 1
        elif isinstance(op, ast.Sub):
            minus += 1
    if plus and not minus:
        return 1
    if minus:
        return -1
    return None


def step_factors(fn: Any, parameter_names: Iterable[str]) -> list[str]:
    """The arguments of ``fn`` that multiply a term of an update of the parameters: ``N`` and ``M`` of
    ``self.wo[j][k] = self.wo[j][k] + N * change + M * self.co[j][k]`` (a learning rate and a momentum
    factor whose names say nothing of them), in the order of the signature.

    Parameters
    ----------
    fn : callable
    parameter_names : iterable of str
        The attribute or key names the parameters are kept under.
    """
    tree = source_tree(fn)
    if tree is None:
        return []
    wanted = {n.lower() for n in parameter_names}
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    arguments = [a.arg for a in first.args.args] if isinstance(first, ast.FunctionDef) else []
    found: set[str] = set()
    for node in ast.walk(tree):
        target: ast.expr
        if isinstance(node, ast.AugAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if not wanted & {n.lower() for n in _target_names(target)[:2]}:
            continue
        for op in ast.walk(value):
            if isinstance(op, ast.BinOp) and isinstance(op.op, ast.Mult):
                found |= {s.id for s in (op.left, op.right) if isinstance(s, ast.Name)}
    return [a for a in arguments if a in found]


def subtracted_arguments(fn: Any) -> list[str]:
    """The arguments of ``fn`` that a subtraction reads, themselves or an element
    (``train[k][i] - output_units[i]``): an error ``y − a``, so the labels when no argument is named
    like them; in the order of the signature."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef):
        return []
    found: set[str] = set()
    for node in ast.walk(first):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            for side in (node.left, node.right):
                while isinstance(side, ast.Subscript):
                    side = side.value
                if isinstance(side, ast.Name):
                    found.add(side.id)
    return [a.arg for a in first.args.args if a.arg in found]


def pair_arguments(fn: Any) -> list[str]:
    """The arguments of ``fn`` that hold an ``(inputs, labels)`` pair: read only as ``arg[0]`` and
    ``arg[1]`` (``target = input_data[1]; activation = input_data[0]``, ``batch[0][i]``), both; in the
    order of the signature."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef):
        return []
    parents = {child: node for node in ast.walk(first) for child in ast.iter_child_nodes(node)}
    indices: dict[str, set[object]] = {}
    for node in ast.walk(first):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            parent = parents.get(node)
            if (
                isinstance(parent, ast.Subscript)
                and parent.value is node
                and isinstance(parent.slice, ast.Constant)
            ):
                indices.setdefault(node.id, set()).add(parent.slice.value)
            else:
                indices.setdefault(node.id, set()).add(None)
    return [a.arg for a in first.args.args[1:] if indices.get(a.arg) == {0, 1}]


def pair_lists(fn: Any) -> list[str]:
    """The arguments of ``fn`` it iterates as ``(inputs, labels)`` pairs (``for x, y_ref in batch:``,
    Nielsen's ``for x, y in mini_batch:``): data sets of pairs, in the order of the signature."""
    tree = source_tree(fn)
    first = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(first, ast.FunctionDef):
        return []
    unpacked = {
        node.iter.id
        for node in ast.walk(first)
        if isinstance(node, ast.For)
        and isinstance(node.iter, ast.Name)
        and isinstance(node.target, ast.Tuple)
        and len(node.target.elts) == 2
    }
    return [a.arg for a in first.args.args[1:] if a.arg in unpacked]


def local_learning_rate(fn: Any) -> tuple[float, int] | None:
    """A learning rate written as a local constant in the source of ``fn`` (``learn_rate = 0.1``), with its
    line, or None."""
    tree = source_tree(fn)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.lower() in lower(LR_NAMES)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, int | float)
            and not isinstance(node.value.value, bool)
        ):
            line = getattr(fn, "__code__", None)
            first = line.co_firstlineno if line is not None else 1
            return float(node.value.value), first + node.lineno - 1
    return None


def loop_attributes(fn: Any) -> tuple[list[str], bool]:
    """The ``self`` attributes named like an epoch count that bound a training method's loops
    (``for _ in range(self.num_epochs)``), and whether it has a loop that no argument or such attribute
    bounds (``while``, ``range(10000)``). Loops over layers or samples (``range(self.num_layers)``,
    ``zip(X, y)``) are one step's own work and do not count."""
    tree = source_tree(fn)
    if tree is None:
        return [], False
    attributes, unbounded = [], False
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and not is_epoch_while(node):
            unbounded = True
        if isinstance(node, ast.For) and is_epoch_loop(node, _constants(tree)):
            continue  # cut to one iteration when the script was loaded (verification.reading.loop_cuts)
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
            call = node.iter
            if isinstance(call.func, ast.Name) and call.func.id in ("range", "xrange") and call.args:
                bound = call.args[-1] if len(call.args) == 1 else call.args[1]
                if (
                    isinstance(bound, ast.Attribute)
                    and isinstance(bound.value, ast.Name)
                    and bound.value.id == "self"
                    and re.search(r"epoch|iter", bound.attr, re.I)
                ):
                    attributes.append(bound.attr)
                elif isinstance(bound, ast.Constant) and isinstance(bound.value, int) and bound.value > 50:
                    unbounded = True
    return attributes, unbounded


def loop_count_arguments(fn: Any) -> list[str]:
    """Arguments of ``fn`` that bound its epoch loop (``for iteration in range(num)``): how many times
    it trains, whatever their names say (given 1)."""
    tree = source_tree(fn)
    if tree is None:
        return []
    out, constants = [], _constants(tree)
    for node in ast.walk(tree):
        unnamed = isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == "_"
        if not (isinstance(node, ast.For) and (is_epoch_loop(node, constants) or (unnamed and trains(node)))):
            continue
        call = node.iter
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "range":
            bound = call.args[-1] if len(call.args) == 1 else call.args[1] if call.args else None
            if isinstance(bound, ast.Name):
                out.append(bound.id)
    return out


def _constants(tree: ast.AST) -> dict[str, object]:
    """Names assigned a number in ``tree`` (``epochs = 1000``)."""
    return {
        node.targets[0].id: node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }


def returned_names(fn: Any, placeholders: bool = False) -> list[str] | None:
    """The names a function returns as a tuple (``return weights, biases``), from its last ``return``,
    or as the one tuple or list of plain names it binds and returns (``output = [z, activation]``,
    ``return output``); None when that is not a tuple of plain names. With ``placeholders``, an element
    that is not a plain name gets one of its own, ``_returned_<i>`` (``return A[self.L], A, Z`` →
    ``["_returned_0", "A", "Z"]``), so that the others can still be handed on by their names; an
    attribute gets its own name without leading underscores (``return self.__A1, self.__A2`` →
    ``["A1", "A2"]``), the name a method taking those values back most likely gives them."""
    tree = source_tree(fn)
    returns = [n for n in ast.walk(tree)] if tree is not None else []
    last = sorted((n for n in returns if isinstance(n, ast.Return) and n.value is not None), key=_line)
    returned = last[-1].value if last else None
    value = returned
    if isinstance(returned, ast.Name):  # output = [z, activation]; return output
        bound = [
            n.value
            for n in returns
            if isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == [returned.id]
        ]
        if (
            len(bound) == 1
            and isinstance(bound[0], ast.Tuple | ast.List)
            and all(isinstance(e, ast.Name) for e in bound[0].elts)
        ):
            value = bound[0]
    if not isinstance(value, ast.Tuple) and not (isinstance(value, ast.List) and value is not returned):
        return None
    elements = value.elts
    if not placeholders and any(not isinstance(e, ast.Name) for e in elements):
        return None

    def name(i: int, e: ast.expr) -> str:
        if isinstance(e, ast.Name):
            return e.id
        own = e.attr.lstrip("_") if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) else ""
        return own if own.isidentifier() and not keyword.iskeyword(own) else f"_returned_{i}"

    names = [name(i, e) for i, e in enumerate(elements)]
    return [n if names.count(n) == 1 else f"_returned_{i}" for i, n in enumerate(names)]


def _line(node: ast.stmt) -> tuple[int, int]:
    return node.lineno, node.col_offset


def returned_name(fn: Any) -> str | None:
    """The plain name a function returns alone from its last ``return`` (``return cache``), else None."""
    tree = source_tree(fn)
    last = [n for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value is not None] if tree else []
    last.sort(key=_line)  # the last in the source, not the last reached walking the tree
    return last[-1].value.id if last and isinstance(last[-1].value, ast.Name) else None


CHECKER_NAMES = frozenset(
    {"x", "y", "lr", "out", "_r", "cache", "net", "error", "output", "samples", "pair", "reg", "iterations"}
)
"""Names the checker's recipes bind themselves (the inputs, the labels, the learning rate, the output)
and the roles its arguments are given by."""


def unclashed(names: list[str], taken: Iterable[str] = ()) -> list[str]:
    """``names`` (as :func:`returned_names` gives them) with each that would rebind a name the recipe
    uses (:data:`CHECKER_NAMES`, or ``taken``: the setup's own) replaced by ``_returned_<i>``: a forward
    function that returns ``y, z1`` must not overwrite the labels ``y``."""
    reserved = CHECKER_NAMES | set(taken)
    return [f"_returned_{i}" if n in reserved else n for i, n in enumerate(names)]


def update_rate(fn: Any, namespace: dict[str, Any]) -> str | None:
    """The learning rate an in-place update in ``fn`` multiplies by (``W2 -= LEANING_RATE * grad_W2``,
    ``W -= 0.1 * g``): a number written there, or a module-level number of ``namespace`` it names, as
    an expression; None when the updates multiply by none, or by different ones."""
    tree = source_tree(fn)
    if tree is None:
        return None
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub)):
            continue
        value = node.value
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult)):
            return None
        for side in (value.left, value.right):
            if isinstance(side, ast.Constant) and isinstance(side.value, int | float) and side.value != 2:
                found.add(repr(side.value))
            elif isinstance(side, ast.Name) and isinstance(namespace.get(side.id), int | float):
                found.add(side.id)
    return found.pop() if len(found) == 1 else None


def returns_something(fn: Any) -> bool:
    """Whether the source of ``fn`` returns a value somewhere."""
    tree = source_tree(fn)
    return tree is not None and any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree))


def updates_argument(fn: Any) -> bool:
    """Whether ``fn`` adds to or subtracts from an argument in place (``weights[k] -= alpha * grad``):
    an update of the weights it was handed, whatever it returns (the output, the loss)."""
    tree = source_tree(fn)
    params = {p.name for p in positional_parameters(fn)}
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
            target: ast.expr = node.target
            while isinstance(target, ast.Subscript | ast.Attribute):
                target = target.value
            if isinstance(target, ast.Name) and target.id in params:
                return True
    return False
