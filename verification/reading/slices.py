"""The script's own top-level construction of its network (``net = Network([2, 3, 1])``) or of its
weights (``W1 = np.random.randn(30, 5)``), with the top-level assignments those statements read, as
one line of setup code. Statements under ``if __name__ == "__main__":`` count as top level.
"""

from __future__ import annotations

import ast
import re

from verification.reading.script_setup import loads_data, without_data_sizes


def flat_body(tree: ast.Module) -> list[ast.stmt]:
    """Top-level statements, with those under ``if __name__ == "__main__":`` counted as top level."""
    body: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and "__name__" in ast.unparse(stmt.test):
            body += stmt.body
        else:
            body.append(stmt)
    return body


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _base(target: ast.expr) -> str:
    """``A`` of ``A[i, j]`` or ``A.b[c]``: the name an assignment to a subscript or attribute changes."""
    while isinstance(target, ast.Subscript | ast.Attribute):
        target = target.value
    return target.id if isinstance(target, ast.Name) else ""


def _with_dependencies(body: list[ast.stmt], index: int) -> str | None:
    """Statement ``index`` and the earlier top-level assignments it reads, transitively, as source."""
    chosen = dependencies(body, index)
    return None if chosen is None else "; ".join(ast.unparse(s) for s in chosen)


def dependencies(body: list[ast.stmt], index: int) -> list[ast.stmt] | None:
    """Statement ``index`` after the earlier top-level assignments it reads, transitively, in script
    order; None when more than 30 are read."""
    stmt = body[index]
    needed = _loads(stmt)
    chosen = [stmt]
    for earlier in reversed(body[:index]):
        if not isinstance(earlier, ast.Assign | ast.AnnAssign | ast.AugAssign):
            continue
        targets = earlier.targets if isinstance(earlier, ast.Assign) else [earlier.target]
        bound = {  # the names written, never those an index reads (A[np.arange(n), y] = 1 binds A)
            n.id
            for t in targets
            for n in ast.walk(t)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        } | {_base(t) for t in targets if isinstance(t, ast.Subscript | ast.Attribute)}
        if bound & needed:
            chosen.append(earlier)
            if earlier.value is not None:
                needed |= _loads(earlier.value)
        if len(chosen) > 30:
            return None
    return list(reversed(chosen))


def construction_slice(
    tree: ast.Module, cls_name: str, sizes: dict[str, int] | None = None
) -> tuple[str, str] | None:
    """The script's own top-level construction of ``cls_name`` and the top-level assignments it reads (or,
    when the top level builds none, a driver function's: :func:`driver_bodies`).

    With ``sizes`` (a dict to fill), the construction without the data: statements that load data, and
    those that follow from them, are left out, and the sizes the construction reads off the data
    (``NeuralNetwork(X.shape[1], 10, y.shape[1])``) are replaced by small ones
    (:func:`verification.reading.script_setup.without_data_sizes`), each added to ``sizes``; None when
    the construction reads the data otherwise or reads none.

    Returns
    -------
    (setup source, variable name) or None
        The statements, in script order, as one line of source; the name the network is bound to.
    """
    for body in [flat_body(tree), *driver_bodies(tree)]:
        found = [index for index, stmt in enumerate(body) if _constructs(stmt, cls_name)]
        if found:
            return _sliced(body, found, sizes)
    return None


def driver_bodies(tree: ast.Module) -> list[list[ast.stmt]]:
    """The bodies of the script's top-level functions of no arguments (``def main():``): a driver that
    builds the network and trains it, read as the top level is when the top level builds none."""
    return [
        f.body
        for f in tree.body
        if isinstance(f, ast.FunctionDef)
        and not (f.args.args or f.args.posonlyargs or f.args.kwonlyargs or f.args.vararg or f.args.kwarg)
    ]


def _sliced(body: list[ast.stmt], found: list[int], sizes: dict[str, int] | None) -> tuple[str, str] | None:
    trained = [index for index in found if _trained_after(body, index)]
    for index in trained[:1] or found[:1]:
        stmt = body[index]
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
        if sizes is not None:
            return _without_data(body, index, sizes)
        chosen: dict[int, ast.stmt] = {}
        for j in [index, *_configured(body, index, stmt.targets[0].id)]:  # net.add(Dense(4, 6)) …
            made = dependencies(body, j)
            if made is None:
                return None
            chosen |= {id(s): s for s in made}
        order = {id(s): i for i, s in enumerate(body)}
        text = "; ".join(ast.unparse(s) for s in sorted(chosen.values(), key=lambda s: order[id(s)]))
        return text, stmt.targets[0].id
    return None


CONFIGURING = re.compile(
    r"^(use|compile|configure|setup|set_?\w+|add\w*|append|push|insert|init\w*|build)$", re.I
)
"""Methods a script calls on its network after building it to finish it (``net.add(Dense(4, 6))``,
``net.use(mse, mse_prime)``, ``model.compile(loss)``, ``net.set_loss(MSE())``), never to train or use it."""


def _configured(body: list[ast.stmt], index: int, name: str) -> list[int]:
    """The statements after ``body[index]`` that configure the network it binds to ``name``: calls of
    :data:`CONFIGURING` methods on it, up to its first training call or its next binding; the network as
    the script trains it, not a container the check would fill with layers of its own choosing."""
    out = []
    for j in range(index + 1, len(body)):
        later = body[j]
        call = later.value if isinstance(later, ast.Expr) and isinstance(later.value, ast.Call) else None
        on = call.func if call is not None and isinstance(call.func, ast.Attribute) else None
        if on is not None and isinstance(on.value, ast.Name) and on.value.id == name:
            if TRAINING_CALL.search(on.attr) and not CONFIGURING.match(on.attr):
                break
            if CONFIGURING.match(on.attr):
                out.append(j)
        elif isinstance(later, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in later.targets
        ):
            break
    return out


TRAINING_CALL = re.compile(r"train|fit|backward|backprop|learn|update|step", re.IGNORECASE)
"""Methods whose call on a network means the script trains that network."""


def constructed_as(body: list[ast.stmt], cls_name: str) -> set[str]:
    """The names the statements ``body`` bind to ``cls_name(…)`` (or ``module.cls_name(…)``)."""
    return {s.targets[0].id for s in body if _constructs(s, cls_name)}  # type: ignore[attr-defined]


def _constructs(stmt: ast.stmt, cls_name: str) -> bool:
    """Whether ``stmt`` is ``name = cls_name(…)`` (or ``module.cls_name(…)``)."""
    if not (
        isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
    ):
        return False
    func = stmt.value.func if isinstance(stmt.value, ast.Call) else None
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return called == cls_name


def _trained_after(body: list[ast.stmt], index: int) -> bool:
    """Whether the network constructed at ``body[index]`` is trained before its name is bound again
    (``model.train(X, y)``, in a loop or not): of several constructions (a demonstration, then the run),
    the one trained is the one the script is about."""
    stmt = body[index]
    assert isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
    name = stmt.targets[0].id
    for later in body[index + 1 :]:
        for node in ast.walk(later):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
                and TRAINING_CALL.search(node.func.attr)
            ):
                return True
        if isinstance(later, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in later.targets
        ):
            return False
    return False


def _without_data(body: list[ast.stmt], index: int, sizes: dict[str, int]) -> tuple[str, str] | None:
    data: set[str] = set()
    found: dict[str, int] = {}
    sized: dict[int, ast.stmt] = {}  # input_dim = X_train.shape[1]: a size of the data, made small
    for i, s in enumerate(body[:index]):
        if isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr) and (
            loads_data(s) or _loads(s) & data
        ):
            small = without_data_sizes(s, data, found) if isinstance(s, ast.Assign) else None
            if small is not None and not loads_data(s):
                sized[i] = small
                continue
            targets = (
                s.targets if isinstance(s, ast.Assign) else [] if isinstance(s, ast.Expr) else [s.target]
            )
            data |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    stmt = body[index]
    assert isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
    made = [body[j] for j in [index, *_configured(body, index, stmt.targets[0].id)]]  # net.add(Dense(…))
    if not any(_loads(m) & data for m in made) and not sized:
        return None
    rewritten = [without_data_sizes(m, data, found) if _loads(m) & data else m for m in made]
    if any(r is None for r in rewritten):
        return None
    kept = [
        sized.get(i, s)
        for i, s in enumerate(body[:index])
        if i in sized or not (_loads(s) & data or loads_data(s))
    ]
    chosen: dict[int, ast.stmt] = {}
    for r in rewritten:
        assert r is not None
        needed = dependencies([*kept, r], len(kept))
        if needed is None:
            return None
        chosen |= {id(n): n for n in needed}
    order = {id(n): i for i, n in enumerate([*kept, *rewritten])}
    text = "; ".join(ast.unparse(n) for n in sorted(chosen.values(), key=lambda n: order[id(n)]))
    sizes.update(found)
    return text, stmt.targets[0].id


def assignment_slice(tree: ast.Module, name: str) -> str | None:
    """The script's last top-level assignment of ``name`` with the assignments it reads (e.g. the weights
    ``W1 = np.random.randn(30, 5)`` of a network written as functions), and the entries assigned into it
    after it (``W_and_bias = {}`` then ``W_and_bias["w1"] = np.random.rand(2, 2)`` …), or None. An
    assignment that reads ``name`` itself (``wb = train(X, y, wb, …)``, the weights after training) is
    passed over for the one that made them."""
    body = flat_body(tree)
    for index in range(len(body) - 1, -1, -1):
        stmt = body[index]
        if isinstance(stmt, ast.Assign) and any(
            (isinstance(t, ast.Name) and t.id == name)
            or (isinstance(t, ast.Tuple) and name in {e.id for e in t.elts if isinstance(e, ast.Name)})
            for t in stmt.targets
        ):
            if name in _loads(stmt.value):  # wb = train(X, y, wb, …): the trained, from the made
                continue
            filled = [  # W_and_bias["w1"] = rng.random((2, 2)) …: the last, with all it reads
                j
                for j in range(index + 1, len(body))
                if isinstance(body[j], ast.Assign)
                and all(
                    isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name
                    for t in body[j].targets  # type: ignore[attr-defined]
                )
            ]
            return _with_dependencies(body, filled[-1] if filled else index)
    return None
