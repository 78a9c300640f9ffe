"""Training loops over weights that are plain numbers: ``w1 … w8`` and ``b1``, one float each.

The step-by-step examples of back-propagation write a 2-2-1 or 2-2-2 network with one name per weight
(Mazur's *A Step by Step Backpropagation Example*, 2015, and its many followers)::

    w1, w2, w3, w4, w5, w6 = (random.uniform(-0.5, 0.5) for _ in range(6))
    x1, x2 = 0.3, -0.2
    target_output = 0.8
    while True:
        h1 = tanh(w1 * x1 + w2 * x2 + b1)
        …
        o = tanh(w5 * h1 + w6 * h2 + b2)
        error = target_output - o
        if abs(error) < epsilon:
            break
        o_delta = error * tanh_derivative(o_input)
        …
        w5 += learning_rate * o_delta * h1

:func:`scalar_loop` reads such a loop off the syntax tree: the *weights* are the names bound before it
that its body moves by a multiple of the rate (``w5 += learning_rate * …``, ``w1 = w1 - lr * …``, or
``w5_new = w5 - eta * …`` then ``w5 = w5_new``; not a counter moved by a constant), and the numbers
named like weights bound before it that its forward pass reads and it never moves (``b1``, ``b2`` of a
worked example that holds its biases fixed: parameters the output depends on that get no gradient,
which the check names); the *labels* the names bound before it that a name the body computes is
compared with by a subtraction (``target_output - o``), that name the *output*, the *inputs* the
names bound before it, named like inputs (``x1``, ``i2``, ``input_1``), that the body reads before its
first use of a label, the *rate* the one name bound before it that every update multiplies by. The
forward pass is the body up to its first statement that reads a label; the step is the whole body
without its prints, counters and ``if …: break`` exits. None when the file has no such loop.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from verification.reading.loop_labels import WEIGHT_LIKE
from verification.reading.named_gradients import updated_name, weight_change
from verification.reading.training_loops import NEW_WEIGHT

LABEL_NAMES = re.compile(r"^(targets?|desired|expected|labels?|y|t|d)(_?\d+|_\w+)?$", re.I)
"""A label by its name: ``target_output``, ``target1``, ``t2``, ``y``, ``desired``."""
INPUT_NAMES = re.compile(r"^(x|i|in|inp|inputs?|features?)(_?\d+|_\w+)?$", re.I)
"""An input by its name: ``x1``, ``i2``, ``input_1``, ``inputs``."""


@dataclass(frozen=True)
class ScalarLoop:
    """A training loop over weights that are numbers (see the module docstring).

    Attributes
    ----------
    line : int
        The loop's line.
    setup : list of str
        The top-level assignments before the loop, as written.
    weights, inputs, labels, outputs : list of str
        The names, in the order the file first uses them.
    forward, step : list of str
        The body's statements up to its first use of a label, and the whole body without prints,
        counters and exits.
    rate : str
        The name every update multiplies by.
    counters : list of str
        The loop's own variables (``for epoch in range(n)``), bound to 0 for one step.
    """

    line: int
    setup: list[str]
    weights: list[str]
    inputs: list[str]
    labels: list[str]
    outputs: list[str]
    forward: list[str]
    step: list[str]
    rate: str
    counters: list[str]


def _names(node: ast.AST) -> list[str]:
    """The names ``node`` reads, in the file's order."""
    found = [n for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return [n.id for n in sorted(found, key=lambda n: (n.lineno, n.col_offset))]


def _bound(statements: Sequence[ast.stmt]) -> list[str]:
    """The names the top-level assignments ``statements`` bind, in order."""
    out: list[str] = []
    for s in statements:
        targets = (
            s.targets if isinstance(s, ast.Assign) else [s.target] if isinstance(s, ast.AnnAssign) else []
        )
        for t in targets:
            out += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return out


def _update(s: ast.stmt) -> tuple[str, ast.expr] | None:
    """``(name, change)`` of ``w += change``, ``w -= change`` or ``w = w ± change`` (the change without
    its sign); else None."""
    name = updated_name(s)
    change = weight_change(s, name) if name is not None else None
    if name is None or change is None:
        return None
    return name, change.operand if isinstance(change, ast.UnaryOp) else change


def _renamed_updates(body: list[ast.stmt]) -> list[tuple[str, ast.expr]]:
    """``(name, change)`` of each weight the body moves into a name for its next value and assigns back
    (``w5_new = w5 - eta * de_dw5`` … ``w5 = w5_new``, :data:`~verification.reading.training_loops.
    NEW_WEIGHT`), the change without its sign."""
    moved: dict[str, tuple[str, ast.expr]] = {}
    out = []
    for s in body:
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
            continue
        name, v = s.targets[0].id, s.value
        m = NEW_WEIGHT.match(name)
        weight = (m.group("w") or m.group("v")) if m else None
        if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add | ast.Sub) and isinstance(v.left, ast.Name):
            if weight is not None and v.left.id == weight:
                moved[name] = (weight, v.right)
        elif isinstance(v, ast.Name) and v.id in moved and moved[v.id][0] == name:
            change = moved[v.id][1]
            out.append((name, change.operand if isinstance(change, ast.UnaryOp) else change))
    return out


def _exit_or_print(s: ast.stmt) -> bool:
    """A ``print(…)``, an ``if`` whose body only leaves the loop (``if abs(error) < eps: break``), or one
    that only reports (``if epoch % 100 == 0: print(epoch, loss)``)."""
    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name):
        return s.value.func.id == "print"
    return (
        isinstance(s, ast.If)
        and not s.orelse
        and all(isinstance(b, ast.Break | ast.Continue) or _exit_or_print(b) for b in s.body)
    )


def _compared(body: list[ast.stmt], labels: set[str], assigned: set[str]) -> list[tuple[str, str]]:
    """``(label, output)`` for every subtraction of a name the body computes and a label, in order."""
    out = []
    for s in body:
        for n in ast.walk(s):
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub):
                sides = [n.left, n.right]
                if all(isinstance(v, ast.Name) for v in sides):
                    a, b = (v.id for v in sides)  # type: ignore[attr-defined]
                    if a in labels and b in assigned:
                        out.append((a, b))
                    elif b in labels and a in assigned:
                        out.append((b, a))
    return list(dict.fromkeys(out))


def scalar_loop(tree: ast.Module) -> ScalarLoop | None:
    """The first top-level ``for`` or ``while`` loop that trains weights bound to numbers before it (see
    the module docstring), or None."""
    for index, loop in enumerate(tree.body):
        if not isinstance(loop, ast.For | ast.While):
            continue
        before = [s for s in tree.body[:index] if isinstance(s, ast.Assign | ast.AnnAssign)]
        known = set(_bound(before))
        body = [s for s in loop.body if not _exit_or_print(s)]
        updates = [u for s in body if (u := _update(s)) is not None and u[0] in known]
        updates += [u for u in _renamed_updates(body) if u[0] in known]
        trained = [(w, change) for w, change in updates if not isinstance(change, ast.Constant)]
        weights = list(dict.fromkeys(w for w, _ in trained))
        if len(weights) < 2:
            continue
        assigned = {t for s in body for t in _bound([s])} | {
            s.target.id for s in body if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name)
        }
        read = [n for s in body for n in _names(s)]
        labels = [n for n in dict.fromkeys(read) if n in known and n not in assigned and LABEL_NAMES.match(n)]
        pairs = _compared(body, set(labels), assigned)
        if not pairs:
            continue
        labels = list(dict.fromkeys(label for label, _ in pairs))
        rates = [
            {n for n in _names(change) if n in known and n not in weights and not LABEL_NAMES.match(n)}
            for _, change in trained
        ]
        common = {n for n in set.intersection(*rates) if not INPUT_NAMES.match(n)}
        if len(common) != 1:
            continue
        first = next(i for i, s in enumerate(body) if set(_names(s)) & set(labels))
        seen = [n for s in body[:first] for n in _names(s)]
        inputs = [n for n in dict.fromkeys(seen) if n in known and n not in assigned and INPUT_NAMES.match(n)]
        if not inputs:
            continue
        fixed = [  # b1, b2 bound before, read by the forward pass, never moved: parameters without a gradient
            n
            for n in dict.fromkeys(seen)
            if n in known and n not in assigned and n not in [*weights, *inputs]
        ]
        fixed = [n for n in fixed if n not in common and WEIGHT_LIKE.match(n)]
        target = loop.target if isinstance(loop, ast.For) else None
        counters = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)] if target is not None else []
        counted = {w for w, change in updates if isinstance(change, ast.Constant)}  # steps += 1
        step = [s for s in body if (_update(s) or ("", None))[0] not in counted]
        return ScalarLoop(
            loop.lineno,
            [ast.unparse(s) for s in before],
            [*weights, *fixed],
            inputs,
            labels,
            [dict(pairs)[label] for label in labels],
            [ast.unparse(s) for s in body[:first] if s in step],
            [ast.unparse(s) for s in step],
            common.pop(),
            counters,
        )
    return None


def scalar_step(tree: ast.Module) -> ScalarLoop | None:
    """A worked example's one step at the top level, no loop: ``w5_new = w5 - eta * dE_dw5`` for each
    weight (or ``w5 -= eta * …``), read as the body of a loop (:func:`scalar_loop`) that ends by
    assigning each next value back (``w5 = w5_new``). Its weights are also the numbers bound before the
    step that its forward pass reads and it never moves (``b1``, ``b2``: a parameter the output depends
    on that gets no gradient, which the check then names); None when the script has no such step."""
    defs = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.For, ast.While)
    start = next(
        (i for i, s in enumerate(tree.body) if not isinstance(s, (*defs, ast.Assign, ast.Expr))), None
    )
    body_all = [s for s in tree.body if not isinstance(s, defs)]
    constants = any(isinstance(s, ast.Assign) and _bound([s]) and not _names(s) for s in body_all)
    if start is not None or not constants:  # straight-line code that binds numbers first
        return None
    cut = next((i for i, s in enumerate(body_all) if _names(s) and not isinstance(s, ast.Expr)), None)
    if cut is None:
        return None
    before, body = body_all[:cut], [s for s in body_all[cut:] if not _exit_or_print(s)]
    known = set(_bound(before))
    moved: dict[str, tuple[str, ast.expr]] = {}  # weight: (its next value's name, change)
    for s in body:
        target = s.targets[0].id if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) else ""
        m, v = NEW_WEIGHT.match(target), getattr(s, "value", None)
        w = (m.group("w") or m.group("v")) if m else None
        if (
            w in known
            and isinstance(v, ast.BinOp)
            and isinstance(v.op, ast.Add | ast.Sub)
            and _names(v.left) == [w]
        ):
            moved[w] = (target, v.right)
        elif (u := _update(s)) is not None and u[0] in known:
            moved[u[0]] = (u[0], u[1])
    if len(moved) < 2:
        return None
    assigned = set(_bound(body))
    labels = [
        n for n in dict.fromkeys(n for s in body for n in _names(s)) if n in known and LABEL_NAMES.match(n)
    ]
    pairs = _compared(body, set(labels), assigned)
    rates = [
        {n for n in _names(c) if n in known and n not in moved and not LABEL_NAMES.match(n)}
        for _, c in moved.values()
    ]
    common = {n for n in set.intersection(*rates) if not INPUT_NAMES.match(n)}
    if not pairs or len(common) != 1:
        return None
    labels = list(dict.fromkeys(label for label, _ in pairs))
    first = next(i for i, s in enumerate(body) if set(_names(s)) & set(labels))
    seen = list(dict.fromkeys(n for s in body[:first] for n in _names(s)))
    inputs = [n for n in seen if n in known and n not in assigned and INPUT_NAMES.match(n)]
    fixed = [n for n in seen if n in known and n not in moved and n not in inputs and n not in common]
    if not inputs:
        return None
    back = [f"{w} = {new}" for w, (new, _) in moved.items() if new != w]
    return ScalarLoop(
        body[0].lineno,
        [ast.unparse(s) for s in before],
        [*moved, *fixed],
        inputs,
        labels,
        [dict(pairs)[label] for label in labels],
        [ast.unparse(s) for s in body[:first]],
        [ast.unparse(s) for s in body] + back,
        common.pop(),
        [],
    )
