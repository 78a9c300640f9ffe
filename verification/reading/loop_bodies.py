"""The body of one training step in a loop: descending through a loop that holds all of a step's work,
keeping running sums reset around it, taking out the tests that stop training.

::

    for epoch in range(epochs):          # the epoch loop, cut to one iteration
        total_error = 0                  # a reset: kept, before the body
        for x, y in zip(X, Y):           # the loop that holds all of it: descended into
            ...                          # the step's work
            if error < 0.01: break       # a stopping test: taken out
"""

from __future__ import annotations

import ast
import copy
import re

from verification.reading.conventions import PARAMETER_CONTAINERS
from verification.reading.loop_labels import WEIGHT_LIKE
from verification.reading.sample_ranges import sample_range
from verification.reading.top_level_names import attribute_updates, loads, prints, stores, update_loop

PARAMETERS = tuple(n.lower() for n in PARAMETER_CONTAINERS)


SAMPLE_INDEX = "_sample_index"
"""The index a loop over the samples of a data name (``for x in p:``) is read with: ``x = p[i]``."""


def innermost(loop: ast.For | ast.While) -> tuple[list[ast.stmt], list[str], list[tuple[str, str]]]:
    """The body that does one step's work (descending through a single nested loop that holds all of
    it, such as a loop over samples or mini-batches) and the ``range`` variables around it. Running sums
    reset around the inner loop (``total_error = 0``) are kept, before its body. A loop over a data
    name's samples (``for x in p:``, its labels read ``t[count]``) is read as a loop over their index,
    the body starting with ``x = p[i]``, as is ``for i, x in enumerate(p):``: the data name is then
    read as the step's data. The third value lists ``(index, data name)`` of each such loop descended
    into: the body is then one sample's step."""
    variables: list[str] = []
    indexed: list[tuple[str, str]] = []  # (index, data) of loops over a data name's samples
    body, kept = unshuffled(_indexed(loop, variables, indexed)), []
    while True:
        inner = inner_loop(body)
        if inner is not None:
            kept += [s for s in body if _resets(s) or _alias(s)]
            body = unshuffled(_indexed(inner, variables, indexed))
            continue
        return kept + _without_stops(body), variables, indexed


PERMUTES = ("permutation", "shuffle", "permuted")
"""Calls that reorder the samples of an epoch (``np.random.permutation(m)``, ``np.random.shuffle(idx)``)."""


def unshuffled(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` with the epoch's reordering of its samples taken out: ``perm = np.random.permutation(m)``
    and ``np.random.shuffle(idx)`` dropped, and data taken in that order taken as it is (``X_shuff =
    X[:, perm]`` → ``X_shuff = X``, ``X, Y = X[order], Y[order]`` → ``X, Y = X, Y``). A gradient summed
    or averaged over a batch does not depend on the order of its samples, and a probe's samples fit in
    one mini-batch; an index array drawn for the data the loader never made would not fit the check's
    samples."""
    orders: set[str] = set()
    out: list[ast.stmt] = []
    for stmt in body:
        call = stmt.value if isinstance(stmt, ast.Assign | ast.Expr) else None
        func = call.func if isinstance(call, ast.Call) else None
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in PERMUTES:
            orders |= {t.id for t in getattr(stmt, "targets", []) if isinstance(t, ast.Name)}
            orders |= {a.id for a in getattr(call, "args", [])[:1] if isinstance(a, ast.Name)}
            continue
        out.append(ast.fix_missing_locations(_InOrder(orders).visit(copy.deepcopy(stmt))) if orders else stmt)
    return out if orders else body


class _InOrder(ast.NodeTransformer):
    """Data indexed by an order of the samples (``X[order]``, ``X[:, perm]``) read as it is (``X``)."""

    def __init__(self, orders: set[str]) -> None:
        self.orders = orders

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if self.orders & {n.id for n in ast.walk(node.slice) if isinstance(n, ast.Name)}:
            return self.visit(node.value)
        return self.generic_visit(node)


def _alias(stmt: ast.stmt) -> bool:
    """``X_shuff = X``, ``X, y = X, y`` (what :func:`unshuffled` leaves of ``X, y = X[p], y[p]``): names
    given to the data, no step's work."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return False
    target, value = stmt.targets[0], stmt.value
    if isinstance(value, ast.Name):
        return True
    return (
        isinstance(target, ast.Tuple)
        and isinstance(value, ast.Tuple)
        and all(isinstance(n, ast.Name) for n in [*target.elts, *value.elts])
    )


STEPPING = re.compile(r"backward|backprop|update|step|train|fit|optimi[sz]e|apply|learn|descend", re.I)
"""Names of calls that may change the weights: a statement calling one is never an evaluation."""


def _evaluation(stmt: ast.stmt, loop: ast.For | ast.While) -> bool:
    """``preds = model.forward(X_test)`` after an epoch's loop over its batches: an evaluation, no
    step's work. It binds plain names the loop does not read and calls nothing named for a step
    (:data:`STEPPING`), so it changes no weight the step reads (``W = W - lr * dW`` after a loop that
    sums ``dW`` reads ``W`` in the loop, and is the step)."""
    if not isinstance(stmt, ast.Assign):
        return False
    bound = [n for t in stmt.targets for n in ast.walk(t) if not isinstance(n, ast.Tuple | ast.Store)]
    if not all(isinstance(n, ast.Name) for n in bound) or set(stores(stmt)) & set(loads(loop)):
        return False
    calls = [n.func for n in ast.walk(stmt.value) if isinstance(n, ast.Call)]
    names = [f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "") for f in calls]
    return not any(STEPPING.search(n) for n in names)


def inner_loop(body: list[ast.stmt]) -> ast.For | ast.While | None:
    """The one loop of ``body`` that holds all of its work, besides resets, names given to the data,
    prints, and an evaluation after it (:func:`_evaluation`), that :func:`innermost` descends into;
    None when there is none."""
    work = [s for s in body if (not prints(s) or isinstance(s, ast.For)) and not _resets(s) and not _alias(s)]
    inner = [s for s in work if isinstance(s, ast.For | ast.While) and _descended(s)]
    if len(inner) != 1:
        return None
    after = work[work.index(inner[0]) + 1 :]
    if work.index(inner[0]) == 0 and all(_evaluation(s, inner[0]) for s in after):
        return inner[0]
    return None


def _descended(stmt: ast.stmt) -> bool:
    """A loop :func:`innermost` descends into: a ``for`` loop that is not a loop of updates, or a
    ``while j < len(X):`` loop over the samples."""
    if isinstance(stmt, ast.While):
        return sample_range(stmt) is not None
    return isinstance(stmt, ast.For) and not update_loop(stmt)


def _indexed(
    loop: ast.For | ast.While, variables: list[str], indexed: list[tuple[str, str]]
) -> list[ast.stmt]:
    """The body of ``loop``, its variable added to ``variables``; for ``for x in p:`` (a plain name),
    the body with ``x = p[i]`` first, ``i`` the variable added."""
    ranged = sample_range(loop)
    if ranged is not None:  # for i in range(len(X)) / while j < len(X): X[i] read in the body
        variables.append(ranged[0])
        indexed.append(ranged)
        body = loop.body[:-1] if isinstance(loop, ast.While) else loop.body  # j += 1 goes
        for bound in _rebound(body):  # x = X[i]: the check's own x keeps the data
            body = [_Renamed(bound).visit(copy.deepcopy(s)) for s in body]
        return body
    if not isinstance(loop, ast.For):
        return loop.body
    counted = _enumerated(loop)
    if counted is not None:  # for i, x in enumerate(X): i the index, x = X[i]
        index, name, data = counted
    elif isinstance(loop.target, ast.Name) and isinstance(loop.iter, ast.Name) and loop.body:
        index, name, data = f"{SAMPLE_INDEX}{len(variables)}", loop.target.id, loop.iter.id
    else:
        if isinstance(loop.target, ast.Name):
            variables.append(loop.target.id)
        return loop.body
    variables.append(index)
    indexed.append((index, data))
    body = loop.body
    if name in BOUND:  # the check's own x and y must keep the data: the sample gets a name of its own
        name, body = f"{name}_sample", [_Renamed(name).visit(copy.deepcopy(s)) for s in body]
    sample = ast.Subscript(ast.Name(data, ast.Load()), ast.Name(index, ast.Load()), ast.Load())
    first = ast.Assign([ast.Name(name, ast.Store())], sample)
    return [ast.fix_missing_locations(ast.copy_location(first, loop.body[0])), *body]


def _enumerated(loop: ast.For) -> tuple[str, str, str] | None:
    """``(index, sample, data)`` of ``for i, x in enumerate(X):`` over a plain name; None otherwise."""
    target, over = loop.target, loop.iter
    if not (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(t, ast.Name) for t in target.elts)
        and isinstance(over, ast.Call)
        and isinstance(over.func, ast.Name)
        and over.func.id == "enumerate"
        and len(over.args) == 1
        and isinstance(over.args[0], ast.Name)
        and loop.body
    ):
        return None
    index, sample = (t.id for t in target.elts)  # type: ignore[attr-defined]
    return index, sample, over.args[0].id


def _rebound(body: list[ast.stmt]) -> list[str]:
    """The names of :data:`BOUND` that ``body`` assigns."""
    stored = {
        n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    return [b for b in BOUND if b in stored]


BOUND = ("x", "y")
"""Names the check binds the data to, which the step must not rebind."""


class _Renamed(ast.NodeTransformer):
    def __init__(self, name: str) -> None:
        self.name = name

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(f"{node.id}_sample", node.ctx) if node.id == self.name else node


def _without_stops(body: list[ast.stmt]) -> list[ast.stmt]:
    """The body with its stopping tests taken out: ``if converged: break`` goes, and ``if converged:
    break else: <update>`` leaves the update (one step is checked, which does not stop)."""
    out: list[ast.stmt] = []
    for s in body:
        if (
            isinstance(s, ast.If)
            and any(isinstance(t, ast.Break) for t in s.body)
            and all(isinstance(t, ast.Break) or prints(t) for t in s.body)
        ):
            out += _without_stops(s.orelse)
        else:
            out.append(s)
    return out


def _resets(stmt: ast.stmt) -> bool:
    """``total_error = 0``, ``losses = []``: a running sum or log reset each epoch, no step's work."""
    return (
        isinstance(stmt, ast.Assign)
        and all(isinstance(t, ast.Name) for t in stmt.targets)
        and (
            (isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, int | float))
            or (isinstance(stmt.value, ast.List) and not stmt.value.elts)
        )
    )


def sample_names(loop: ast.For | ast.While) -> list[str]:
    """The names a per-sample loop on the way to :func:`innermost`'s body binds to one sample and its
    label, ``x, y`` of ``for x, y in zip(xs, ys):`` or of ``for x, y in data:`` (the body then works on
    one sample, which the check gives as those names)."""
    out: list[str] = []
    body = loop.body
    while True:
        inner = inner_loop(body)
        if not isinstance(inner, ast.For):
            return out
        target, over = inner.target, inner.iter
        body = inner.body
        if not isinstance(target, ast.Tuple) or not all(isinstance(t, ast.Name) for t in target.elts):
            continue
        zipped = isinstance(over, ast.Call) and isinstance(over.func, ast.Name) and over.func.id == "zip"
        pairs = isinstance(over, ast.Name) and len(target.elts) == 2
        if zipped or pairs:
            out += [t.id for t in target.elts if isinstance(t, ast.Name)]


def layer_loop(stmt: ast.stmt, data: set[str]) -> bool:
    """A loop over the layers inside one step that updates weights as it goes back (``for l in
    range(L, 0, -1): dZ = …; parameters[f"W{l}"] -= lr * dW``): part of the step's work, kept in it
    (loops that only print are left out). Its ``range`` reads none of the step's ``data`` (a loop over
    the samples is a different thing), and its body updates something in place, or appends to a list
    what it computes from the weights (a forward pass that keeps every layer's activation)."""
    if not isinstance(stmt, ast.For) or not isinstance(stmt.iter, ast.Call):
        return False
    call: ast.expr = stmt.iter
    while isinstance(call, ast.Call) and getattr(call.func, "id", "") == "reversed" and call.args:
        call = call.args[0]
    if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "range"):
        return False
    if set(loads(call)) & data:
        return False
    if any(
        (isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add | ast.Sub))
        or (isinstance(n, ast.Assign) and any(isinstance(t, ast.Subscript) for t in n.targets))
        for n in ast.walk(stmt)
    ):
        return True
    appends = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
        for n in ast.walk(stmt)
    )  # acts.append(np.tanh(acts[-1] @ Ws[l] + bs[l])): a forward pass over the layers' weights
    return appends and any(WEIGHT_LIKE.match(n) or n.lower() in PARAMETERS for n in loads(stmt))


SHAPE_READS = ("shape", "ndim", "dtype")


def data_conversion(stmt: ast.stmt, data: set[str]) -> bool:
    """A test of the data's format that converts it (``if len(y.shape) == 2: y = np.argmax(y,
    axis=1)``): kept in a step, since the statements after it need the data in the format it makes.
    Its test reads a data name only through its shape, ``ndim``, ``dtype``, ``len`` or ``isinstance``,
    and its branches only assign data names; any other ``if`` (a log every hundred epochs, a decay of
    the rate) is left out."""
    if not isinstance(stmt, ast.If) or not set(loads(stmt.test)) & data:
        return False
    for node in ast.walk(stmt.test):
        if isinstance(node, ast.Name) and node.id in data and not _format_read(stmt.test, node):
            return False
    branch = [*stmt.body, *stmt.orelse]
    return all(
        isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) and t.id in data for t in s.targets)
        for s in branch
    )


def _format_read(test: ast.expr, name: ast.Name) -> bool:
    """Whether ``name`` appears in ``test`` only as ``name.shape`` (``ndim``, ``dtype``), ``len(name)``
    or ``isinstance(name, …)``."""
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and node.value is name:
            return node.attr in SHAPE_READS
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and name in node.args:
            return node.func.id in ("len", "isinstance")
    return False


RESHAPES = ("reshape", "expand_dims", "atleast_2d", "T", "transpose", "ravel", "flatten")
"""What a statement may do to one sample to be a change of its shape (:func:`_reshapes`)."""


def reshapes(stmt: ast.stmt, data: set[str]) -> bool:
    """``img.shape += (1,)``, ``x = x.reshape(-1, 1)``, ``x = np.expand_dims(x, 1)``, ``x = x.T``: a
    change of one data name's shape from itself, which the forward pass needs as much as the step."""
    targets = (
        stmt.targets
        if isinstance(stmt, ast.Assign)
        else [stmt.target]
        if isinstance(stmt, ast.AugAssign)
        else []
    )
    if len(targets) != 1:
        return False
    (target,) = targets
    if isinstance(target, ast.Attribute) and target.attr == "shape":
        return isinstance(target.value, ast.Name) and target.value.id in data
    if not isinstance(target, ast.Name) or target.id not in data or not isinstance(stmt, ast.Assign):
        return False
    named = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name) and n.id not in ("np", "numpy")}
    words = {getattr(n, "attr", getattr(n, "id", "")) for n in ast.walk(stmt.value)}
    return named == {target.id} and bool(words & set(RESHAPES))


STEP_METHODS = re.compile(r"^_?(update|step|apply|optimi[sz]e|sgd|descend|adjust)", re.IGNORECASE)
"""Methods a loop calls on its layer objects to step their weights (``hidden.update(lr)``)."""


def steps_objects(body: list[ast.stmt], objects: list[str]) -> bool:
    """Whether ``body`` steps the weights of the objects it drives, by a method that updates
    (:data:`STEP_METHODS`) or in place (``net.W2 -= lr * dW2``): its update is then the step to check,
    and one object it forgets to step shows as a weight the step never changes."""
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and STEP_METHODS.match(node.func.attr)
        ):
            root = node.func.value
            while isinstance(root, ast.Attribute | ast.Subscript):
                root = root.value
            if isinstance(root, ast.Name) and root.id in objects:
                return True
    return bool(set(attribute_updates(body)) & set(objects))
