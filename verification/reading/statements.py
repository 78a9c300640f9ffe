"""Which top-level statements of a script the loader runs, decided from the syntax tree alone.

Kept (run one at a time by :func:`verification.reading.loader.load_script`):

* ``import`` and ``from … import``;
* ``def``, ``async def``, ``class`` (with their decorators, default values and class bodies);
* assignments to names whose value is a constant expression (:func:`is_constant_expression`):
  literals, names, attribute look-ups, operators, containers of those, and ``lambda``;
* assignments whose value wraps a function without calling it (:func:`is_function_wrapper`):
  ``sigmoid_vec = np.vectorize(sigmoid)``, ``relu6 = functools.partial(clip, hi=6)``;
* ``try`` blocks whose branches hold only such statements; ``pass`` and docstrings.

Everything else is not run, and :func:`not_run_reason` says why in a few words. The functions here
walk trees with an explicit stack, never by recursion over expressions, so a long expression (a sum
of thousands of terms is a tree thousands of levels deep) cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ffnn.validation import InputError

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_CONSTANT_NODES = (
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.UnaryOp,
    ast.BinOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Starred,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.Load,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
    ast.expr_context,
)


def _defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def evaluated_children(node: ast.AST) -> Iterator[ast.AST]:
    """The children of ``node`` that are evaluated when ``node`` is: all of them, except that a
    ``lambda`` or ``def`` evaluates only its default values (and a ``def`` its decorators and
    annotations): the body runs when the function is called."""
    if isinstance(node, ast.Lambda):
        yield from _defaults(node.args)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        yield from evaluated_expressions(node)
    else:
        yield from ast.iter_child_nodes(node)


def is_constant_expression(node: ast.AST) -> bool:
    """True when evaluating ``node`` runs no call and no loop (lambdas are allowed: they only define).

    Iterative: a sum of any number of terms is walked without recursion.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, (*_CONSTANT_NODES, ast.Lambda)):
            return False
        stack.extend(evaluated_children(current))
    return True


# Library calls that only wrap a function into another: they call nothing of the script when run.
FUNCTION_WRAPPERS = {"vectorize": {"np", "numpy"}, "frompyfunc": {"np", "numpy"}, "partial": {"functools"}}


def is_function_wrapper(node: ast.AST) -> bool:
    """True for ``np.vectorize(f, …)``, ``np.frompyfunc(f, …)`` or ``functools.partial(f, …)`` (also
    called by their bare names) whose arguments are constant expressions: such a call builds a new
    function and runs none of the script's code: ``f`` runs only when the new function is called."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id not in FUNCTION_WRAPPERS.get(func.attr, set()):
            return False
    elif not (isinstance(func, ast.Name) and func.id in FUNCTION_WRAPPERS):
        return False
    arguments = [*node.args, *(k.value for k in node.keywords)]
    return bool(node.args) and all(is_constant_expression(a) for a in arguments)


def plain_target(target: ast.expr) -> bool:
    """Whether an assignment to ``target`` binds names only: a name, or a tuple or list of plain
    targets (``a, (b, *c) = …``). An attribute or item anywhere in it (``(A, json.dumps) = (1, None)``)
    would change an object the script did not create."""
    stack = [target]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Starred):
            stack.append(node.value)
        elif isinstance(node, ast.Tuple | ast.List):
            stack.extend(node.elts)
        elif not isinstance(node, ast.Name):
            return False
    return True


def keep(stmt: ast.stmt) -> bool:
    """Whether the loader runs the top-level statement ``stmt`` (see the module docstring)."""
    if isinstance(stmt, (*DEFINITIONS, ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True  # a docstring
    if isinstance(stmt, ast.Assign):
        return all(plain_target(t) for t in stmt.targets) and (
            is_constant_expression(stmt.value) or is_function_wrapper(stmt.value)
        )
    if isinstance(stmt, ast.AnnAssign):
        return isinstance(stmt.target, ast.Name) and (
            stmt.value is None or is_constant_expression(stmt.value)
        )
    if isinstance(stmt, ast.Try):
        branches = [stmt.body, stmt.orelse, stmt.finalbody, *(h.body for h in stmt.handlers)]
        return all(keep(s) for branch in branches for s in branch)
    return False


_KINDS = {
    ast.For: "a loop",
    ast.AsyncFor: "a loop",
    ast.While: "a loop",
    ast.If: "an if block",
    ast.With: "a with block",
    ast.AsyncWith: "a with block",
    ast.AugAssign: "an augmented assignment",
    ast.Delete: "a del statement",
    ast.Raise: "a raise statement",
    ast.Assert: "an assert statement",
    ast.Try: "a try block that does more than import or assign constants",
    ast.Match: "a match block",
}


def not_run_reason(stmt: ast.stmt) -> str:
    """Why :func:`keep` does not run ``stmt``, in a few words (``a call``, ``a loop``, …)."""
    if isinstance(stmt, ast.Expr):
        return "a call" if isinstance(stmt.value, ast.Call) else "an expression"
    if isinstance(stmt, ast.Assign | ast.AnnAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if not all(plain_target(t) for t in targets):
            return "an assignment to an attribute or item"
        if stmt.value is not None and any(isinstance(n, ast.Call) for n in ast.walk(stmt.value)):
            return "its value calls something"
        return "its value is not a constant expression"
    return _KINDS.get(type(stmt), f"a {type(stmt).__name__} statement")


def bound_names(stmt: ast.stmt) -> tuple[str, ...]:
    """Names the top-level statement ``stmt`` binds (or deletes) at top level, in source order.

    Assignments, loop and ``with`` targets, ``def`` and ``class`` names, imports, exception names and
    walrus targets, inside any block; not the local names of functions, classes, lambdas or
    comprehensions nested in it.
    """
    names: list[str] = []
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, DEFINITIONS):
            names.append(node.name)
            if node is not stmt:
                continue
            children: list[ast.AST] = list(node.decorator_list)
            if not isinstance(node, ast.ClassDef):
                children += _defaults(node.args)
            stack.extend(reversed(children))
            continue
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.append(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names += [bound for bound, _ in import_names(node)]
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return tuple(dict.fromkeys(names))


def names_read(node: ast.AST) -> set[str]:
    """Names that evaluating ``node`` (a kept top-level statement or an expression) reads.

    Lambda bodies, which run only when called, are not read.
    """
    read: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load):
            read.add(current.id)
        stack.extend(evaluated_children(current))
    return read


def evaluated_expressions(stmt: ast.stmt) -> Iterator[ast.expr]:
    """The expressions evaluated when the kept statement ``stmt`` runs.

    An assignment's value and annotation; a ``def``'s decorators, default values and annotations; a
    ``class``'s decorators, bases and keywords, and the values assigned in its body; the same for the
    statements of a ``try`` block. A function body is not run, so nothing of it is listed.
    """
    if isinstance(stmt, ast.Assign):
        yield stmt.value
    elif isinstance(stmt, ast.AnnAssign):
        yield stmt.annotation
        if stmt.value is not None:
            yield stmt.value
    elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        yield from stmt.decorator_list
        yield from _defaults(stmt.args)
        args = [*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs]
        args += [a for a in (stmt.args.vararg, stmt.args.kwarg) if a is not None]
        yield from (a.annotation for a in args if a.annotation is not None)
        if stmt.returns is not None:
            yield stmt.returns
    elif isinstance(stmt, ast.ClassDef):
        yield from stmt.decorator_list
        yield from stmt.bases
        yield from (k.value for k in stmt.keywords)
        for inner in stmt.body:
            if isinstance(inner, ast.Assign | ast.AnnAssign | ast.Expr) and inner.value is not None:
                yield inner.value
    elif isinstance(stmt, ast.Try):
        for branch in (stmt.body, stmt.orelse, stmt.finalbody, *(h.body for h in stmt.handlers)):
            for inner in branch:
                yield from evaluated_expressions(inner)


def assigned_pairs(node: ast.AST) -> list[tuple[ast.expr, ast.expr]]:
    """``(target, value)`` of each name an assignment of one target binds: ``a = b`` once, ``a, b = c, d``
    pair by pair; empty for anything else."""
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return []
    target, value = node.targets[0], node.value
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        return list(zip(target.elts, value.elts, strict=False))
    return [(target, value)]


def import_names(stmt: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(bound name, module description) pairs of an import statement."""
    out = []
    for alias in stmt.names:
        if isinstance(stmt, ast.Import):
            bound = alias.asname or alias.name.split(".")[0]
            out.append((bound, alias.name))
        else:
            module = "." * stmt.level + (stmt.module or "")
            out.append((alias.asname or alias.name, f"{module}.{alias.name}"))
    return out


_ARRAY_MODULES = ("np", "numpy", "torch", "jnp", "cp")
_SETUP_STATEMENTS = 8


def _array_setup(script: Any) -> list[str]:
    """The script's top-level imports and array assignments (``W1 = np.random.randn(30, 5)``), as source."""
    text = script.source.text if script.source is not None else ""
    out = []
    for stmt in script.tree.body:
        keep = isinstance(stmt, ast.Import | ast.ImportFrom)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            root = stmt.value.func
            while isinstance(root, ast.Attribute):
                root = root.value
            keep = isinstance(root, ast.Name) and root.id in _ARRAY_MODULES
        segment = ast.get_source_segment(text, stmt) if keep else None
        if segment and "\n" not in segment:
            out.append(segment)
    return out[:_SETUP_STATEMENTS]


def top_level_refusal(script: Any) -> InputError:
    """The refusal for a script (a :class:`~verification.reading.loader.LoadedScript`) without a class or
    function, with the explicit form as its hint."""
    setup = "; ".join(_array_setup(script)) or "CODE"
    quoted = setup.replace("'", "'\"'\"'")
    return InputError(
        f"{script.path} defines no class or function: its network lives in top-level statements, "
        "which the loader does not run",
        hint=f"check it in the explicit form: backprop-verify check {script.path} --setup '{quoted}' "
        "--forward EXPR --gradient EXPR (or --step STMT for a step that updates the weights in place)",
    )


FAILED = "raised "
"""How the reason of a statement that ran and raised begins."""


@dataclass(frozen=True)
class SkippedStatement:
    """A top-level statement the loader did not run, or ran and set aside because it raised.

    Attributes
    ----------
    line : int
        First line of the statement (1-based; in a notebook, of the joined code cells:
        :meth:`LoadedScript.where` names the cell).
    kind : str
        The statement's AST node type, e.g. ``Expr``, ``For``, ``Assign``, ``ClassDef``.
    names : tuple of str
        Names the statement would have bound at top level, to explain a later ``NameError``.
    reason : str
        Why it was not run: ``a call``, ``a loop``, ``reads 'y', set by line 3, which was not run``,
        ``its value could have more than 1,000,000 digits (9 ** 9 ** 9)``, ``raised NameError: …``,
        ``does not compile: too deeply nested to compile``.
    """

    line: int
    kind: str
    names: tuple[str, ...] = ()
    reason: str = ""

    @property
    def failed(self) -> bool:
        """Whether the statement was run and raised (rather than not run at all)."""
        return self.reason.startswith(FAILED)
