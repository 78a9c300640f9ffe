"""The names a script's top-level statements read, store and update, read off the syntax tree.

The vocabulary of :mod:`verification.reading.training_loops` and :mod:`verification.reading.script_setup`:
which names a statement loads and binds, which top-level arrays a body updates in place (``W += …``,
``W = W - …``, ``W = W * (1 - lr * lam) - …``), which objects it drives by method calls, and which
statements only print or plot. Nothing is run.
"""

from __future__ import annotations

import ast
import re

PRINTS = ("print", "show", "plot", "append", "seed", "savefig", "imshow", "title", "legend", "figure")
"""Calls that only print, plot or log: left out of a recipe."""


def loads(node: ast.AST) -> list[str]:
    """Names ``node`` reads, in order."""
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]


def stores(stmt: ast.stmt) -> list[str]:
    """Names an assignment binds or writes into: ``a`` of ``a = …``, ``a[i, y] -= 1`` and ``a.w = …``
    (the names an index reads, ``i`` and ``y``, are read, not written)."""
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        targets = [stmt.target]
    return [n for t in targets for n in _bound(t)]


def _bound(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for e in target.elts for n in _bound(e)]
    if isinstance(target, ast.Starred | ast.Subscript | ast.Attribute):
        return _bound(target.value)
    return []


def steppers(tree: ast.Module) -> set[str]:
    """The script's functions that return their first argument plus or minus something
    (``def step(param, grad, lr): return param - lr * grad``): ``W = step(W, dW, lr)`` updates ``W``;
    and those that return arguments they update in their body (``w3 = w3 + lr * np.dot(d3, a2.T)`` …
    ``return w1, w2, w3``; ``params["W1"] -= lr * grads["dW1"]`` … ``return params``):
    ``w1, w2, w3 = update(d1, d2, d3, …, w1, w2, w3, …)`` updates ``w1``, ``w2`` and ``w3``."""
    out = set()
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or not fn.args.args:
            continue
        first = fn.args.args[0].arg
        returned = [s.value for s in fn.body if isinstance(s, ast.Return) and s.value is not None]
        if returned and all(
            isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add | ast.Sub) and name_of(v.left) == first
            for v in returned
        ):
            out.add(fn.name)
        elif returned and all(_returns_updated(v, fn) for v in returned):
            out.add(fn.name)
    return out


def _returns_updated(value: ast.expr, fn: ast.FunctionDef) -> bool:
    """Whether ``value`` is a parameter of ``fn``, or a tuple of them, each updated in ``fn``'s body
    (:func:`updates`: ``w = w + …``, ``w -= …``, ``p["W1"] = p["W1"] - …``)."""
    names = [e for e in value.elts] if isinstance(value, ast.Tuple) else [value]
    if not all(isinstance(e, ast.Name) for e in names):
        return False
    params = {a.arg for a in fn.args.args}
    updated = set(updates(fn.body)[0]) | _subscripts_updated(fn.body)
    return all(e.id in params and e.id in updated for e in names)  # type: ignore[attr-defined]


def _subscripts_updated(stmts: list[ast.stmt]) -> set[str]:
    """Names whose entries are assigned from themselves plus or minus something (``p["W"] = p["W"] - …``)."""
    out = set()
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.value, ast.BinOp)
            and isinstance(node.value.op, ast.Add | ast.Sub)
            and isinstance(node.value.left, ast.Subscript)
            and name_of(node.value.left.value) == name_of(node.targets[0].value)
        ):
            out.add(name_of(node.targets[0].value))
    return out


def updates(
    stmts: list[ast.stmt], stepping: set[str] | None = None, only: set[str] | None = None
) -> tuple[list[str], list[ast.expr]]:
    """Names updated in place in ``stmts`` (``W += …``, ``W = W - …``, ``W = W * (1 - lr * lam) - …``,
    ``W_new = W - …`` then ``W = W_new``, ``p -= …`` over ``zip([W1, …], …)``, and ``W = step(W, …)``
    for a function of ``stepping``, :func:`steppers`), with the update expressions (of the names in
    ``only``, when given: ``err += 0.5 * …`` is no weight's update and names no rate)."""
    pairs: list[tuple[str, ast.expr | None]] = []  # each updated name with its update, in order
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):  # W2 = step(W2, d_out @ a1.T, lr)
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.value, ast.Call)
            and name_of(node.value.func) in (stepping or set())
            and node.value.args
        ):
            bound = node.targets[0]
            given = {name_of(a) for a in node.value.args}
            if isinstance(bound, ast.Name) and name_of(node.value.args[0]) == bound.id:
                pairs.append((bound.id, node.value))
            elif isinstance(bound, ast.Tuple) and all(  # w1, w2 = update(d1, d2, w1, w2, lr)
                isinstance(e, ast.Name) and e.id in given for e in bound.elts
            ):
                pairs += [(name_of(e), node.value) for e in bound.elts]
    stepped: dict[str, tuple[str, ast.expr]] = {}  # w_new = w - lr * g, then w = w_new
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            t, v = node.targets[0].id, node.value
            if (
                isinstance(v, ast.BinOp)
                and isinstance(v.op, ast.Add | ast.Sub)
                and isinstance(v.left, ast.Name)
            ):
                stepped[t] = (v.left.id, v.right)
            elif isinstance(v, ast.Name) and v.id in stepped and stepped[v.id][0] == t:
                pairs.append((t, stepped[v.id][1]))
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
            target: ast.expr = node.target
            while isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Name):
                pairs.append((target.id, node.value))
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            t, v = node.targets[0].id, node.value
            if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add | ast.Sub) and _decayed(v.left, t):
                pairs.append((t, v.right))
        elif isinstance(node, ast.For) and update_loop(node):
            first = node.iter.args[0]  # type: ignore[attr-defined]
            pairs += [(e.id, None) for e in first.elts if isinstance(e, ast.Name)]  # no expression
    exprs = [e for n, e in pairs if e is not None and (only is None or n in only)]
    return list(dict.fromkeys(n for n, _ in pairs)), exprs


def name_of(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else ""


def _decayed(node: ast.AST, name: str) -> bool:
    """``W`` itself, or ``W`` scaled (``W * (1 - lr * lam)``, weight decay), as the left of ``W = … - …``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return name in (name_of(node.left), name_of(node.right))
    return name_of(node) == name


def update_loop(loop: ast.For) -> bool:
    """``for p, g in zip([W1, W2], [dW1, dW2]): p -= lr * g``: a loop over the parameters, part of one
    step."""
    call = loop.iter
    return (
        isinstance(call, ast.Call)
        and getattr(call.func, "id", "") == "zip"
        and bool(call.args)
        and isinstance(call.args[0], ast.List | ast.Tuple)
        and any(isinstance(n, ast.AugAssign) for n in ast.walk(loop))
    )


def receivers(stmts: list[ast.stmt], names: set[str]) -> list[str]:
    """Names among ``names`` whose methods ``stmts`` call (``dense1.forward(X)``), also through a loop over
    a list of them (``for layer in layers: layer.forward(a)`` calls those of ``layers``)."""
    out = []
    lists = iterated_lists(stmts, names)
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            root: ast.expr = node.func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in names:
                out.append(root.id)
            elif isinstance(root, ast.Name) and root.id in lists:  # for layer in reversed(layers)
                out.append(lists[root.id])
    return list(dict.fromkeys(out))


def methods_called(tree: ast.AST, names: set[str]) -> set[str]:
    """The methods ``tree`` calls on the objects ``names`` name directly (``self.backprop(x, d)``,
    ``layer.forward(a)``)."""
    return {
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id in names
    }


def _listed(it: ast.expr) -> str:
    """The list a loop runs over, by name: ``layers`` of ``layers``, ``reversed(layers)``, ``layers[::-1]``
    (empty for anything else)."""
    if isinstance(it, ast.Call) and name_of(it.func) == "reversed" and it.args:
        it = it.args[0]
    it = it.value if isinstance(it, ast.Subscript) and isinstance(it.slice, ast.Slice) else it
    return it.id if isinstance(it, ast.Name) else ""


def iterated_lists(stmts: list[ast.stmt], names: set[str]) -> dict[str, str]:
    """Loop variables over a list of objects among ``names`` (``for layer in layers``, ``reversed(layers)``,
    ``layers[::-1]``): ``{variable: list}``."""
    out = {}
    for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and _listed(node.iter) in names:
            variable = node.target.id
            if any(  # the loop calls a method of each item
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and name_of(n.func.value) == variable
                for n in ast.walk(node)
            ):
                out[variable] = _listed(node.iter)
    return out


def prints(stmt: ast.stmt) -> bool:
    """Statements that only print or plot, and loops and ifs (left out of a recipe), but for a loop
    over the parameters that updates them."""
    if isinstance(stmt, ast.For) and (update_loop(stmt) or iterated_lists([stmt], {_listed(stmt.iter)})):
        return False  # for layer in layers: a = layer.forward(a): the forward pass, not a print
    if isinstance(stmt, ast.If | ast.For | ast.While | ast.With | ast.Try):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        return name in PRINTS or _text_only(stmt.value)
    return False


def _text_only(call: ast.Call) -> bool:
    """A call given text and nothing else (``p("=" * 60)``, ``log(f"epoch {i}")``): a message, which
    binds nothing a network is made of, whatever the function it calls."""
    args = [*call.args, *(k.value for k in call.keywords)]

    def text(node: ast.expr) -> bool:
        if isinstance(node, ast.BinOp):  # "=" * 60, "a" + "b"
            return text(node.left) or text(node.right)
        return isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        )

    return bool(args) and all(text(a) for a in args)


DATA_FUNCTIONS = re.compile(r"data|load|read|generate|sample|split|fetch", re.IGNORECASE)
"""Functions of a script whose results are its data (``X, y = generate_data()``), not objects."""


def constructed(tree: ast.Module, index: int) -> set[str]:
    """Top-level names bound before statement ``index`` to the result of calling a class or function
    of the script's own (``dense1 = Layer_Dense(2, 64)``), or a class the project imports
    (``from layers import Linear``; ``import Layer_Dense as ld`` … ``ld.Layer_Dense(2, 64)``, a class
    named with a capital from a module imported by its name): objects, not arrays."""
    own = {
        s.name
        for s in tree.body
        if isinstance(s, ast.ClassDef)
        or (isinstance(s, ast.FunctionDef) and not DATA_FUNCTIONS.search(s.name))
    }
    imported = _imported(tree)
    own |= {n for n in imported[0] if n[:1].isupper() or n in _named_as_module(tree)}

    def makes_object(call: ast.Call) -> bool:
        f = call.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            return f.value.id in imported[1] and f.attr[:1].isupper()
        return name_of(f) in own

    out = set()
    for s in tree.body[:index]:
        if not isinstance(s, ast.Assign):
            continue
        if isinstance(s.value, ast.Call) and makes_object(s.value):
            out |= set(stores(s))
        target = s.targets[0]
        if (
            isinstance(s.value, ast.List)
            and s.value.elts
            and all(  # layers = [Dense(2, 4), Tanh()]
                isinstance(e, ast.Call) and makes_object(e) for e in s.value.elts
            )
        ):
            out |= set(stores(s))
        if isinstance(target, ast.Tuple) and isinstance(s.value, ast.Tuple):  # a, b = Linear(2, 3), Tanh()
            for t, v in zip(target.elts, s.value.elts, strict=False):
                if isinstance(t, ast.Name) and isinstance(v, ast.Call) and makes_object(v):
                    out.add(t.id)
    return out


LIBRARIES = frozenset({"numpy", "np", "math", "random", "scipy", "pandas", "sklearn", "matplotlib", "torch"})
"""Modules whose classes make no network objects of the project (``np.ndarray``, ``pd.DataFrame``)."""


def _imported(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names the script imports from modules other than the common libraries, and the names it binds
    such modules to."""
    names: set[str] = set()
    modules: set[str] = set()
    for s in tree.body:
        if isinstance(s, ast.ImportFrom) and s.module and s.module.split(".")[0] not in LIBRARIES:
            names |= {a.asname or a.name for a in s.names}
        elif isinstance(s, ast.Import):
            modules |= {a.asname or a.name for a in s.names if a.name.split(".")[0] not in LIBRARIES}
    return names, modules


def attribute_updates(body: list[ast.stmt]) -> list[str]:
    """The objects whose attributes ``body`` updates in place, in order: ``net.W2 -= lr * dW2`` and
    ``net.W2 = net.W2 - lr * dW2`` update ``net``."""
    out = []
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        targets: list[ast.expr] = [node.target] if isinstance(node, ast.AugAssign) else []
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            first = node.targets[0]
            read = isinstance(first, ast.Attribute) and ast.dump(first).replace("Store", "Load") in {
                ast.dump(n) for n in ast.walk(node.value)
            }
            targets = [first] if read else []
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                out.append(target.value.id)
    return list(dict.fromkeys(out))


def _named_as_module(tree: ast.Module) -> set[str]:
    """Names imported from a module of the same name (``from nn import nn``, ``from sigmoid import
    sigmoid``): a class a module of its own defines, though its name is lower case."""
    return {
        a.asname or a.name
        for s in tree.body
        if isinstance(s, ast.ImportFrom) and s.module
        for a in s.names
        if a.name == s.module.rsplit(".", 1)[-1]
    }


def assigned_before(tree: ast.Module, index: int) -> set[str]:
    """Top-level names assigned before statement ``index``, also in the blocks of a ``with``, ``if`` or
    ``try`` statement there (``with open("x.txt") as f: X = read(f)``)."""
    return {n for s in tree.body[:index] for n in _block_stores(s)}


def _block_stores(stmt: ast.stmt) -> list[str]:
    """:func:`stores` of ``stmt``, or of the statements of its blocks when it is a ``with``, ``if`` or
    ``try`` statement (not a loop, a function or a class: their names are no data set before a loop)."""
    if not isinstance(stmt, ast.With | ast.If | ast.Try):
        return stores(stmt)
    blocks = [stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
    blocks += [h.body for h in getattr(stmt, "handlers", [])]
    return [n for block in blocks for s in block for n in _block_stores(s)]
