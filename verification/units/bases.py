"""Abstract base classes of layers: interfaces that their subclasses implement, not units to check.

A base class that Python calls abstract cannot be built; one whose methods are all placeholders
(``raise NotImplementedError``, ``pass``), with at most an ``__init__`` that gives attributes empty
values, is an interface its subclasses in the file fill in: checking it would only report a stub.
"""

from __future__ import annotations

import ast
import inspect

from verification.reading.loader import LoadedScript
from verification.units.source import definition, placeholder


def abstract_base(cls: type, script: LoadedScript, classes: list[type]) -> bool:
    """A class Python itself calls abstract (an ``ABC`` with ``@abstractmethod`` methods left: it cannot
    be built), or a base class of others in the file whose own methods are all placeholders, or return
    an empty default (``def get_params(self): return []`` beside ``forward``, ``backward`` that raise),
    beside an ``__init__`` that only gives attributes empty values."""
    if inspect.isabstract(cls):
        return True
    node = definition(script, cls.__name__, cls)
    methods = [m for m in getattr(node, "body", []) if isinstance(m, ast.FunctionDef)]
    subclassed = any(c is not cls and cls in c.__mro__ for c in classes)  # never issubclass: a Protocol
    undone = [m for m in methods if placeholder(m)]
    return (
        subclassed
        and bool(undone)
        and all(m in undone or _empty_default(m) or _bare_init(m) for m in methods)
    )


def _bare_init(fn: ast.FunctionDef) -> bool:
    """Whether ``fn`` is an ``__init__`` that only gives attributes empty values (``self.input = None``,
    ``self.params = {}``): a base class's, which makes nothing to check."""
    if fn.name != "__init__":
        return False
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    for s in body:  # self.params: Dict[str, Tensor] = {} too
        if not isinstance(s, ast.Assign | ast.AnnAssign):
            return False
        targets = s.targets if isinstance(s, ast.Assign) else [s.target]
        if not all(isinstance(t, ast.Attribute) for t in targets):
            return False
        value = s.value
        empty = (isinstance(value, ast.List | ast.Tuple) and not value.elts) or (
            isinstance(value, ast.Dict) and not value.keys
        )
        if not (isinstance(value, ast.Constant) or empty):
            return False
    return True


def _empty_default(fn: ast.FunctionDef) -> bool:
    """Whether ``fn`` only returns an empty container or a constant (``return []``, ``return None``)."""
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    value = body[0].value
    empty = (isinstance(value, ast.List | ast.Tuple) and not value.elts) or (
        isinstance(value, ast.Dict) and not value.keys
    )
    return value is None or isinstance(value, ast.Constant) or empty
