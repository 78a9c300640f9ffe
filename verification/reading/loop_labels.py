"""Where a training step first reads its labels: the cut between its forward pass and the rest.

In a loop body the forward pass is the statements up to the first that reads the labels (or a name
made from them alone: a batch sliced from them, a one-hot array written from them); that statement
names the output too, the variable compared with the labels (``error = y - output``), or, for a call,
the argument beside them (``loss.forward(out, y)``).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading import conventions as cv
from verification.reading.top_level_names import loads, name_of, stores

WEIGHT_LIKE = re.compile(
    r"^([wb]\w{0,4}\d*|weights?\w*|bias\w*|syn(apse)?_?\d*|theta\d*|pesos?\w*|poids\w*|gewichte?\w*|sesgos?\w*"
    r"|(?![xy]_)[a-z]+\d*_(w|b|weights?|bias(es)?)\d*|[a-z][a-z0-9]*(?-i:Bias(es)?|Wts?|Weights?|W)\d*)$",
    re.IGNORECASE,
)
"""Names of weights, which are never the data a step reads (also a layer's name with ``_w`` or ``_b``
after it, ``l1_w``, ``hidden_b``, or in camelCase, ``hiddenBias``, ``outWt``)."""


def label_statement(
    body: list[ast.stmt], data: list[str], functions: dict[str, ast.FunctionDef] | None = None
) -> tuple[int, str, str] | None:
    """``(k, label, output)``: the first statement that compares an output with a data name, or with a
    name made from the labels alone (``y_mini = y[i:i + batch]``, a one-hot ``I_y`` of it), whose data
    name is then the label. Where the statement hands the labels and several stored names to one of the
    script's ``functions``, the output is the name handed where that function subtracts the labels
    (:func:`_defined_partner`). A block that reports (``if epoch % 100 == 0: print(cost(T, output),
    rate(Y, P))``) is passed over, then read when no other statement compares."""
    found = _label_statement(body, data, functions or {}, _reports)
    return found if found is not None else _label_statement(body, data, functions or {}, lambda s: False)


def _reports(stmt: ast.stmt) -> bool:
    """An ``if`` with no ``else`` that prints: the step leaves it out, and what it compares is no label
    of the step's."""
    return (
        isinstance(stmt, ast.If)
        and not stmt.orelse
        and any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
            for n in ast.walk(stmt)
        )
    )


def _label_statement(
    body: list[ast.stmt], data: list[str], functions: dict[str, ast.FunctionDef], skipped: Any
) -> tuple[int, str, str] | None:
    stored: list[str] = []
    made: dict[str, str] = {}  # a name made from the labels alone → the labels' name
    for k, s in enumerate(body):
        if skipped(s):
            continue
        names = set(loads(s))
        sliced = _label_slices(s, data, made)
        if sliced:  # xb, yb = X[a:b], y[a:b]: a batch of the labels, no comparison with an output
            made.update(sliced)
            stored += [n for n in stores(s) if n not in data]
            continue
        hits = [d for d in data if d in names and d not in stored and not WEIGHT_LIKE.match(d)]
        hits = [d for d in hits if d not in stores(s)]  # X, Y = X[order], Y[order]: a reordering
        hits += [m for m in made if m in names and m not in stores(s) and m not in hits]
        hits = [d for d in hits if cv.role(made.get(d, d), 1) == "y" or _compared(s, d)]
        for label in reversed(hits):
            candidates = [n for n in reversed(stored) if n in names and n != label and n not in made]
            partners = _subtracted_with(s, label)  # dS = (p - Y) / m: p, not the m stored after it
            output = next((n for n in candidates if n in partners), None)
            output = output or _defined_partner(s, label, candidates, functions)
            output = output or next(iter(candidates), None)
            if output is None:
                output = _call_partner(s, label, stored)
            if output is not None:
                return k, made.get(label, label), _indexed(s, output, label)
        roots = {made.get(n, n) for n in names if n in made or (n in data and cv.role(n, 1) == "y")}
        computed = {
            n for n in names if (n in stored and n not in made) or (WEIGHT_LIKE.match(n) and n not in data)
        }
        for n in stores(s):
            if len(roots) == 1 and not computed and n not in data:
                made[n] = next(iter(roots))
            elif n in made and (computed or len(roots) > 1):
                del made[n]
        stored += [n for n in stores(s) if n not in data]  # a reordered data name is still data
    return None


def _indexed(stmt: ast.stmt, output: str, label: str) -> str:
    """``A[L]`` where ``stmt`` compares one entry of the stored ``output`` with the labels (``dZ = A[L]
    - Y``, activations kept per layer in a dict or list), else ``output`` itself."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            sides = [node.left, node.right]
            if any(name_of(n) == label for n in sides):
                for side in sides:
                    if isinstance(side, ast.Subscript) and name_of(side.value) == output:
                        return ast.unparse(side)
    return output


def _label_slices(stmt: ast.stmt, data: list[str], made: dict[str, str]) -> dict[str, str]:
    """``{yb: y}`` for an assignment that binds names to slices of the labels, or of names made from
    them (``yb = y[start:end]``; ``Xb, yb = X[a:b], y[a:b]``), or writes a constant where the labels
    index (``I[np.arange(m), yb] = 1``, ``target[labels[i]][0] = 1``); empty for any other statement."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return {}
    target, value = stmt.targets[0], stmt.value
    written, index = target, set()
    while isinstance(written, ast.Subscript):  # I[np.arange(m), yb] = 1, t[labels[i]][0] = 1: a one-hot
        index |= set(loads(written.slice))
        written = written.value
    one_hot = isinstance(target, ast.Subscript) and isinstance(value, ast.Constant)
    if one_hot and isinstance(written, ast.Name):
        roots = {made.get(n, n) for n in index if n in made or (n in data and cv.role(n, 1) == "y")}
        return {written.id: roots.pop()} if len(roots) == 1 else {}
    pairs = (
        list(zip(target.elts, value.elts, strict=False))
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
        else [(target, value)]
    )
    out = {}
    for t, v in pairs:
        if isinstance(t, ast.Name) and isinstance(v, ast.Subscript) and isinstance(v.value, ast.Name):
            base = v.value.id
            if base in made or (base in data and cv.role(base, 1) == "y"):
                out[t.id] = made.get(base, base)
    return out


def _compared(stmt: ast.stmt, name: str) -> bool:
    """Whether ``stmt`` subtracts something from ``name`` or ``name`` from something (an error), or from
    a slice of it (``layer_2 - walk_vs_stop[j:j+1]``: one sample's labels)."""

    def named(side: ast.expr) -> bool:
        while isinstance(side, ast.Subscript):
            side = side.value
        return name_of(side) == name

    return any(
        isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Sub)
        and ((named(n.left) and not isinstance(n.right, ast.Constant)) or named(n.right))
        for n in ast.walk(stmt)
    )  # L - 1 is no error: a size less one


def _subtracted_with(stmt: ast.stmt, label: str) -> set[str]:
    """The names ``stmt`` subtracts ``label`` from, or subtracts from ``label`` (``p - Y`` → ``{p}``)."""
    out: set[str] = set()
    for n in ast.walk(stmt):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub):
            sides = [n.left, n.right]
            for this, other in (sides, sides[::-1]):
                while isinstance(this, ast.Subscript):
                    this = this.value
                if name_of(this) == label and isinstance(other, ast.Name):
                    out.add(other.id)
    return out


def _defined_partner(
    stmt: ast.stmt, label: str, candidates: list[str], functions: dict[str, ast.FunctionDef]
) -> str | None:
    """In a call of one of the script's ``functions`` that takes ``label``, the one of ``candidates``
    handed to the parameter the function's body subtracts the labels' parameter from, or from which
    (``derivative_w2(Z, T, pY)`` of ``def derivative_w2(Z, T, Y): return Z.T.dot(T - Y)`` → ``pY``);
    None when no such call names exactly one."""
    for node in ast.walk(stmt):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions):
            continue
        params = [a.arg for a in functions[node.func.id].args.args]
        handed = {p: name_of(a) for p, a in zip(params, node.args, strict=False)}
        taken = [p for p, n in handed.items() if n == label]
        if len(taken) != 1:
            continue
        subtracted = {n for s in functions[node.func.id].body for n in _subtracted_with(s, taken[0])}
        hits = {handed[p] for p in subtracted if handed.get(p) in candidates}
        if len(hits) == 1:
            return hits.pop()
    return None


def _call_partner(stmt: ast.stmt, label: str, stored: list[str]) -> str | None:
    """In a call that takes ``label``, the other argument when it is an output (a name the body stored,
    or an attribute an object's forward pass set): the output it is compared with
    (``loss_activation.forward(dense2.output, y)`` → ``dense2.output``)."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call) and any(name_of(a) == label for a in node.args):
            others = [
                a
                for a in node.args
                if name_of(a) != label and (isinstance(a, ast.Attribute) or name_of(a) in stored)
            ]
            if len(others) == 1:
                return ast.unparse(others[0])
    return None
