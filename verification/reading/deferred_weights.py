"""Weights a class creates in its training method, not in its constructor.

A common shape of hand-written code (scikit-learn's ``fit`` convention, and the book code many copy)
makes its weights where it first sees data::

    def __init__(self, n_hidden=30, epochs=100, eta=0.001): ...      # no weights yet
    def fit(self, X, y):
        n_features = X.shape[1]
        self.w_h = self.random.normal(0.0, 0.1, size=(n_features, self.n_hidden))
        for i in range(self.epochs):
            ... self.w_h -= self.eta * grad_w_h

Such a network has no weights until ``fit`` has run, and each call of ``fit`` draws them again, so an
update read from one call would start from the code's own draw, not from the weights the checker set.
The loader therefore rewrites the class (:func:`guard_initialisations`): an assignment
``self.w_h = …`` among the statements of a method that come before its first loop, to an attribute the
constructor leaves unset (or sets to ``None``), runs only while the attribute is unset::

    if getattr(self, "w_h", None) is None:
        self.w_h = self.random.normal(...)

The first call of ``fit`` then creates the weights (the setup makes one such call, see
:func:`verification.adapters.classes.setups`), and later calls train the weights they find, which is
what the code does within one call. The local sizes the weights are made from (``n_features =
X.shape[1]``, ``n_output = np.unique(y).shape[0]``) are likewise those of the first call: a later call
on a batch that happens to hold two of three classes one-hot encodes its labels in three columns, as the
weights have. What :func:`initialising_methods` lists is what was rewritten.
"""

from __future__ import annotations

import ast
import copy

from verification.reading.loop_cuts import is_epoch_loop, is_epoch_while, local_constants

GUARDED = "__backprop_verify_initialised_in__"
"""The class attribute naming the methods whose weight creation was guarded (a tuple of names)."""
KEPT = "_backprop_verify_first_"
"""Prefix of the attributes that keep the sizes a training method made its weights with."""


def _self_attribute(target: ast.expr, self_name: str) -> str | None:
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == self_name
    ):
        return target.attr
    return None


def _constructor_sets(cls: ast.ClassDef) -> set[str]:
    """Attributes ``__init__`` assigns a value other than ``None``."""
    init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
    if init is None or not init.args.args:
        return set()
    me = init.args.args[0].arg
    out = set()
    for node in ast.walk(init):
        if isinstance(node, ast.Assign) and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            out |= {a for t in node.targets if (a := _self_attribute(t, me)) is not None}
    return out


def _before_first_loop(fn: ast.FunctionDef) -> tuple[list[int], bool]:
    """Indices of ``fn``'s top-level statements before its first loop, and whether that loop is an epoch
    loop or holds one (:func:`verification.reading.loop_cuts.is_epoch_loop`)."""
    out: list[int] = []
    constants = local_constants(fn)
    for i, stmt in enumerate(fn.body):
        loops = [n for n in ast.walk(stmt) if isinstance(n, ast.For | ast.While)]
        if loops:
            epochs = any(
                is_epoch_loop(n, constants) if isinstance(n, ast.For) else is_epoch_while(n) for n in loops
            )
            return out, epochs
        out.append(i)
    return out, False


SIZE_READERS = frozenset({"shape", "size", "ndim", "len", "unique", "max", "amax", "nunique"})
"""What a weight's creation may do with the method's arguments: read their sizes (``X.shape[1]``,
``len(np.unique(y))``), never keep their values."""


def _reads_only_sizes(value: ast.expr, arguments: set[str]) -> bool:
    """Whether ``value`` uses the method's ``arguments`` only through :data:`SIZE_READERS`: an
    assignment that keeps the data itself (``self.X = X``, ``self.Y = np.eye(k)[y]``) is the call's own
    and must be made at every call."""
    parents = {child: node for node in ast.walk(value) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and node.id in arguments:
            parent = parents.get(node)
            if isinstance(parent, ast.Attribute) and parent.attr in SIZE_READERS:
                continue
            if isinstance(parent, ast.Call) and node in parent.args:
                func = parent.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in SIZE_READERS:
                    continue
            return False
    return True


def _guarded(stmt: ast.Assign, attribute: str, self_name: str) -> ast.If:
    test = ast.Compare(
        left=ast.Call(
            func=ast.Name("getattr", ast.Load()),
            args=[ast.Name(self_name, ast.Load()), ast.Constant(attribute), ast.Constant(None)],
            keywords=[],
        ),
        ops=[ast.Is()],
        comparators=[ast.Constant(None)],
    )
    return ast.fix_missing_locations(ast.copy_location(ast.If(test=test, body=[stmt], orelse=[]), stmt))


def _kept(stmt: ast.Assign, name: str, self_name: str) -> ast.stmt:
    """``name = <value>`` computed at the first call only: ``if getattr(self, KEPT + name, None) is None:
    setattr(self, KEPT + name, <value>)``, then ``name = getattr(self, KEPT + name)``."""
    stored = ast.Attribute(ast.Name(self_name, ast.Load()), KEPT + name, ast.Store())
    first = _guarded(
        ast.copy_location(ast.Assign(targets=[stored], value=stmt.value), stmt), KEPT + name, self_name
    )
    read = ast.Assign(
        targets=[ast.Name(name, ast.Store())],
        value=ast.Attribute(ast.Name(self_name, ast.Load()), KEPT + name, ast.Load()),
    )
    block = ast.If(test=ast.Constant(True), body=[first, ast.copy_location(read, stmt)], orelse=[])
    return ast.fix_missing_locations(ast.copy_location(block, stmt))


def _tests_unset(test: ast.expr, self_name: str) -> bool:
    """Whether ``test`` asks if an attribute of ``self`` is not set yet: ``self.w is None``, ``not
    hasattr(self, "w")`` (the author's own guard of a first call's initialisation)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        right = test.comparators[0]
        return (
            _self_attribute(test.left, self_name) is not None
            and isinstance(right, ast.Constant)
            and right.value is None
        )
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Call):
        call = test.operand
        return (
            isinstance(call.func, ast.Name)
            and call.func.id == "hasattr"
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id == self_name
        )
    return False


def _initialising_helpers(cls: ast.ClassDef, preset: set[str]) -> dict[str, str]:
    """Methods (not ``__init__``) that assign an attribute of ``self`` the constructor does not set to a
    value (``_init_weights(self, n_features, n_classes)``: ``self.W = …``), each with the first such
    attribute: a training method that calls one before its first loop makes its weights through it."""
    out: dict[str, str] = {}
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("__") or not fn.args.args:
            continue
        me = fn.args.args[0].arg
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                attribute = _self_attribute(node.targets[0], me)
                if attribute is not None and attribute not in preset:
                    out[fn.name] = attribute
                    break
    return out


def _made_once(
    node: ast.stmt, me: str, arguments: set[str], preset: set[str], helpers: dict[str, str]
) -> tuple[ast.stmt, set[str]] | None:
    """A statement before a training method's first loop that makes weights, made to run at the first
    call only, with the names it reads: the author's own guard (kept as written), an assignment of an
    attribute the constructor leaves unset, or a call of an initialising helper (:func:`
    _initialising_helpers`), from the arguments' sizes only; None for any other statement."""
    if isinstance(node, ast.If) and _tests_unset(node.test, me):  # the author's own guard
        read = {
            n.id
            for a in node.body
            if isinstance(a, ast.Assign)
            and len(a.targets) == 1
            and _self_attribute(a.targets[0], me) is not None
            and _reads_only_sizes(a.value, arguments)
            for n in ast.walk(a.value)
            if isinstance(n, ast.Name)
        }
        return node, read or {"__guarded__"}
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):  # self._init_weights(X.shape[1], k)
        call = node.value
        func = call.func
        helper = func.attr if isinstance(func, ast.Attribute) and _is_self(func.value, me) else None
        if helper in helpers and _reads_only_sizes(call, arguments):
            read = {n.id for n in ast.walk(call) if isinstance(n, ast.Name) and n.id != me}
            return _guarded(node, helpers[helper], me), read or {"__guarded__"}  # type: ignore[arg-type]
        return None
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return None
    attribute = _self_attribute(node.targets[0], me)
    if attribute is None or attribute in preset or not _reads_only_sizes(node.value, arguments):
        return None
    return _guarded(node, attribute, me), {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}


def _is_self(node: ast.expr, me: str) -> bool:
    return isinstance(node, ast.Name) and node.id == me


def guard_initialisations(stmt: ast.stmt) -> tuple[ast.stmt, list[str]]:
    """A copy of the class definition ``stmt`` whose training methods create their weights once (module
    docstring), and the names of those methods; ``stmt`` itself and ``[]`` when there are none.

    A method qualifies when it is not ``__init__``, has an epoch loop (one the loader cuts to one
    iteration), and assigns, before its first loop and at the top level of its body, an attribute of
    ``self`` the constructor does not set to a value, from an expression that reads the method's
    arguments only for their sizes, or calls a method that makes them (``self._init_weights(X.shape[1],
    k)``, guarded by the first attribute it makes); or guards such assignments itself (``if self.weights
    is None:``, ``if not hasattr(self, "W"):``), which is kept as written, with or without a loop."""
    if not isinstance(stmt, ast.ClassDef):
        return stmt, []
    preset = _constructor_sets(stmt)
    changed = copy.deepcopy(stmt)
    helpers = _initialising_helpers(changed, preset)
    methods = []
    for fn in changed.body:
        if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("__") or not fn.args.args:
            continue
        me = fn.args.args[0].arg
        arguments = {a.arg for a in [*fn.args.args[1:], *fn.args.kwonlyargs]}
        before, loops = _before_first_loop(fn)
        guards = [i for i in before if isinstance(b := fn.body[i], ast.If) and _tests_unset(b.test, me)]
        if not loops and not guards:
            continue
        if not loops:  # a step of no loop: its statements up to the author's last guard make the weights
            before = [i for i in before if i <= guards[-1]]
        sizes: set[str] = set()
        for i in before:
            made = _made_once(fn.body[i], me, arguments, preset, helpers)
            if made is not None:
                fn.body[i], read = made
                sizes |= read
        if not sizes:
            continue
        methods.append(fn.name)
        for i in before:  # the sizes the weights were made with stay theirs
            node = fn.body[i]
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in sizes:
                    fn.body[i] = _kept(node, target.id, me)
    if not methods:
        return stmt, []
    changed.body.append(
        ast.fix_missing_locations(
            ast.copy_location(
                ast.Assign(
                    targets=[ast.Name(GUARDED, ast.Store())],
                    value=ast.Tuple([ast.Constant(m) for m in methods], ast.Load()),
                ),
                stmt.body[-1],
            )
        )
    )
    return changed, methods


def initialising_methods(cls: type) -> tuple[str, ...]:
    """The methods of ``cls`` that create its weights (guarded by :func:`guard_initialisations` when the
    script was loaded), in the order written; ``()`` for any other class."""
    value = getattr(cls, GUARDED, ())
    return tuple(value) if isinstance(value, tuple) else ()
