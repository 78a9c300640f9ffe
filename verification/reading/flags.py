"""Arguments that pick a branch: a flag or an option string a constructor is given and the code compares
with constants (``if init_flag == '1':``, ``self.kind = kind`` … ``if self.kind == 'sig':`` in
another method). Such an argument's name says nothing of its value, but its comparisons name the values
the code accepts; the first one is taken (:func:`compared_constant`), and the setup that uses it says
so."""

from __future__ import annotations

import ast
import inspect
import itertools
import re
from typing import Any

from verification.reading.argument_usage import usage
from verification.reading.conventions import positional_parameters
from verification.reading.source_trees import source_tree
from verification.reading.statements import assigned_pairs


def compared_constants(cls: type, name: str) -> list[Any]:
    """Every constant the class ``cls`` compares its constructor's argument ``name`` with, in the
    constructor or through the attribute it is kept in (also lower-cased, ``self.kind =
    kind.lower()``), by ``==`` or ``in ('relu', 'ReLU')``, or looks up by it in a dict the class writes
    (``self.derivs[self.kind]`` with ``self.derivs = {'sig': …, 'tanh': …}``), in the order of the
    source, each once: the branches a flag picks, each of which a check must run."""
    init = getattr(cls, "__init__", cls)
    kept = _kept_in(source_tree(init), name)
    found: list[Any] = []
    whole = source_tree(cls)
    dicts = _dict_keys(whole)
    for tree, wanted in (
        (source_tree(init), lambda n: isinstance(n, ast.Name) and n.id == name),
        (whole, lambda n: _self_attribute(n, kept)),
    ):
        for node in ast.walk(tree) if tree is not None else []:
            values: list[ast.expr] = []
            if isinstance(node, ast.Compare) and wanted(node.left):
                op, right = node.ops[0], node.comparators[0]
                values = [right] if isinstance(op, ast.Eq) else []
                if isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
                    values = list(right.elts)
            elif isinstance(node, ast.Subscript) and wanted(node.slice):
                values = dicts.get(ast.dump(node.value), [])
            elif isinstance(node, ast.If | ast.IfExp) and wanted(node.test):
                found += [True, False]  # if self.leaky: a switch, both ways
            found += [v.value for v in values if isinstance(v, ast.Constant) and v.value not in found]
    return list(dict.fromkeys(found))


def branch_values(cls: type, name: str, default: Any = None) -> list[Any]:
    """:func:`compared_constants` of a constructor argument that picks how the network computes:
    strings and booleans only (a size compared with 0 picks none), two or more, and only for a flag
    the class reads after construction (its attribute used in another method) or that makes the
    constructor keep a function (``if kind == 'sig': self.f = sigmoid``); a flag that only picks how
    the weights are first drawn picks no branch of the gradient. A string ``default`` (``activation=
    'tanh'``, compared only with ``'sigmoid'``) is one of the values, first: the branch the code takes
    when the flag is left out is one a check must run too."""
    compared = [v for v in compared_constants(cls, name) if isinstance(v, str | bool)]
    handed = _handed_to(cls, name)  # self.loss = Loss(loss): compared in the class it is handed to
    if not compared and handed is not None:
        compared = [v for v in compared_constants(*handed) if isinstance(v, str | bool)]
    values = list(dict.fromkeys([default, *compared])) if isinstance(default, str) and compared else compared
    picks = _picks_behaviour(cls, name) or (handed is not None and _picks_behaviour(*handed))
    return values if len(values) > 1 and picks else []


def _handed_to(cls: type, name: str) -> tuple[type, str] | None:
    """``(C, p)`` when ``cls``'s constructor hands its argument ``name`` to a class ``C`` of its module
    (``self.loss = Loss(loss)``, ``Loss(kind=loss)``) as ``C``'s argument ``p``; None otherwise."""
    init = getattr(cls, "__init__", None)
    tree = source_tree(init) if init is not None else None
    module = getattr(init, "__globals__", {})
    for node in ast.walk(tree) if tree is not None else []:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        handed = module.get(node.func.id)
        if not isinstance(handed, type) or handed is cls:
            continue
        try:
            params = [p.name for p in inspect.signature(handed).parameters.values()]
        except (TypeError, ValueError):
            continue
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Name) and arg.id == name and i < len(params):
                return handed, params[i]
        for kw in node.keywords:
            if isinstance(kw.value, ast.Name) and kw.value.id == name and kw.arg in params:
                return handed, kw.arg
    return None


def _picks_behaviour(cls: type, name: str) -> bool:
    init_tree = source_tree(getattr(cls, "__init__", cls))
    kept = _kept_in(init_tree, name)
    for method, fn in vars(cls).items():
        if method != "__init__" and callable(fn) and kept:
            tree = source_tree(fn)
            if tree is not None and any(_self_attribute(n, kept) for n in ast.walk(tree)):
                return True
    for node in ast.walk(init_tree) if init_tree is not None else []:
        tested = isinstance(node, ast.If) and any(
            isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.test)
        )
        if tested and any(
            isinstance(a, ast.Assign)
            and any(_self_attribute(t, {t.attr}) for t in a.targets if isinstance(t, ast.Attribute))
            and isinstance(a.value, ast.Name | ast.Attribute)
            for a in ast.walk(node)
        ):
            return True
    return False


def _dict_keys(tree: ast.AST | None) -> dict[str, list[ast.expr]]:
    """The keys of each dict literal the class assigns, by the dump of what it is assigned to."""
    out: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Dict):
            keys = [k for k in node.value.keys if k is not None]
            target = node.targets[0]
            out[ast.dump(target).replace("Store()", "Load()")] = keys
            if isinstance(target, ast.Name):  # a class attribute, read as self.derivs
                read = ast.Attribute(
                    value=ast.Name(id="self", ctx=ast.Load()), attr=target.id, ctx=ast.Load()
                )
                out[ast.dump(read)] = keys
    return out


def _self_attribute(node: ast.AST, names: set[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and node.attr in names
    )


def compared_constant(fn: Any, name: str) -> Any:
    """The first constant the code compares the argument ``name`` of ``fn`` with, or None.

    Parameters
    ----------
    fn : function or class
        A function, or a class whose constructor takes ``name``.
    name : str
        The argument.

    Returns
    -------
    object or None
        For a function (or a class's ``__init__``): the first constant ``name`` is compared with by
        ``==``. For a class whose ``__init__`` keeps the argument in an attribute (``self.kind =
        kind``): else the first constant any of its methods compares that attribute with.
    """
    init = getattr(fn, "__init__", fn) if isinstance(fn, type) else fn
    found = _first_compared(source_tree(init), lambda n: isinstance(n, ast.Name) and n.id == name)
    if found is not None or not isinstance(fn, type):
        return found
    kept = _kept_in(source_tree(init), name)
    return _first_compared(source_tree(fn), lambda n: _self_attribute(n, kept))


def _first_compared(tree: ast.AST | None, wanted: Any) -> Any:
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq):
            left, right = node.left, node.comparators[0]
            if wanted(left) and isinstance(right, ast.Constant):
                return right.value
    return None


def _kept_in(tree: ast.AST | None, name: str) -> set[str]:
    """Attributes of ``self`` the constructor assigns the argument ``name`` to, unchanged or with a
    method of no arguments (``kind.lower()``), also in a tuple (``self.kind, self.n = kind, n``)."""
    kept = set()
    for node in ast.walk(tree) if tree is not None else []:
        for t, v in assigned_pairs(node):
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and not v.args:
                v = v.func.value  # self.kind = kind.lower()
            if isinstance(v, ast.Name) and v.id == name and isinstance(t, ast.Attribute):
                kept |= {t.attr} if _self_attribute(t, {t.attr}) else set()
    return kept


GEOMETRY = re.compile(r"^(stride|strides|pad|padding)$", re.I)
"""A layer's stride or padding, built at its default and at one other value: a backward that forgets the
padding, or windows that overlap, is wrong only there."""

FLAG_SETTINGS = 8
"""At most this many layers built per class, one per combination of its flags' values."""


def flag_settings(cls: type) -> list[dict[str, Any]]:
    """One preset per combination of the values of the constructor arguments the class compares with
    constants (``kind`` in ``if self.kind == 'sig': … elif self.kind == 'tanh':``, a default kept
    first, since an ``else`` may be its branch), and of a stride or padding at its default and one other
    value (:data:`GEOMETRY`), at most :data:`FLAG_SETTINGS`; ``[{}]`` when there is none."""
    flags: dict[str, list[Any]] = {}
    for p in positional_parameters(cls):
        if usage(cls, p.name) is not None:
            continue  # a size compared with 0 (if n_hidden == 0:) is no branch to pick
        values = compared_constants(cls, p.name)
        if p.default is not p.empty and isinstance(p.default, str | int | float | bool | None):
            values = list(dict.fromkeys([p.default, *values]))
        if GEOMETRY.search(p.name) and type(p.default) is int:  # padding=0: also padded, stride=0: also 1
            values = list(dict.fromkeys([*values, 1 if p.default != 1 else 2]))
        if len(values) > (p.default is not p.empty):
            flags[p.name] = values
    presets = [dict(zip(flags, combo, strict=True)) for combo in itertools.product(*flags.values())]
    return presets[:FLAG_SETTINGS] or [{}]
