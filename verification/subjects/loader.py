"""Load the definitions of a Python script without running its top-level statements.

Scripts posted online train and plot when they are run. To check the backward pass in one, the loader
parses the script with :mod:`ast` and executes only the top-level statements that *define* things:

* ``import`` and ``from … import`` statements, each on its own. An import that fails binds its names
  to a :class:`MissingModule` placeholder instead of stopping the load; the placeholder raises only
  when the code under check actually uses it.
* ``def``, ``async def``, ``class`` (with their decorators and default values);
* assignments whose value is a constant expression: literals, names, attribute look-ups, operators,
  containers of those, and ``lambda``. No call is run, so ``X = np.random.rand(100, 30)`` and
  ``net.train()`` are skipped;
* ``try`` blocks whose branches hold only such statements (the ``try: import … except ImportError``
  idiom).

Everything else (loops, calls, ``if __name__ == "__main__":`` blocks, ``plt.show()``) is skipped and
listed. Class bodies, decorators, default values and the imported modules themselves still run: check
only code you would run.
"""

from __future__ import annotations

import ast
import contextlib
import stat
import sys
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ffnn.validation import InputError, one_line

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
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


class MissingModule:
    """Stands for a module whose import failed while loading a script's definitions.

    Any attribute access or call raises :class:`InputError` naming the module and the import error, so
    a missing plotting library stops the check only if the code under check really uses it.
    """

    def __init__(self, name: str, error: str) -> None:
        self._name = name
        self._error = error

    def _fail(self) -> InputError:
        return InputError(f"the code under check uses {self._name!r}, whose import failed ({self._error})")

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        raise self._fail()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._fail()

    def __repr__(self) -> str:
        return f"<missing module {self._name!r}: {self._error}>"


@dataclass(frozen=True)
class SkippedStatement:
    """A top-level statement the loader did not run.

    Attributes
    ----------
    line : int
        First line of the statement (1-based).
    kind : str
        The statement's AST node type, e.g. ``Expr``, ``For``, ``Assign``.
    names : tuple of str
        Names the statement would have bound at top level (for an assignment), to explain a later
        ``NameError``.
    """

    line: int
    kind: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedScript:
    """The definitions of a script, loaded without its top-level statements.

    Attributes
    ----------
    path : Path
        The script.
    module : types.ModuleType
        A fresh module holding the definitions (its ``__name__`` is not ``"__main__"``).
    skipped : list of SkippedStatement
        Top-level statements that were not run.
    failed_imports : dict of str to str
        Imported name → import error, for imports replaced by :class:`MissingModule`.
    tree : ast.Module
        The parsed script.
    """

    path: Path
    module: types.ModuleType
    skipped: list[SkippedStatement] = field(default_factory=list)
    failed_imports: dict[str, str] = field(default_factory=dict)
    tree: ast.Module = field(default_factory=lambda: ast.Module(body=[], type_ignores=[]))

    def get(self, name: str) -> Any:
        """The object ``name`` (dotted for a method, e.g. ``Net.backward``) defined by the script.

        Raises
        ------
        InputError
            If the script defines no such name; the message lists what it does define.
        """
        obj: Any = self.module
        for i, part in enumerate(name.split(".")):
            if not hasattr(obj, part) or (i == 0 and part.startswith("__")):
                known = ", ".join(self.defined_names()) or "nothing"
                raise InputError(f"{self.path} defines no {name!r} (it defines: {known})")
            obj = getattr(obj, part)
        return obj

    def defined_names(self) -> list[str]:
        """Top-level functions and classes the script defines, in source order."""
        return [s.name for s in self.tree.body if isinstance(s, _DEFINITIONS)]

    def skipped_binding(self, name: str) -> SkippedStatement | None:
        """The skipped statement that would have bound ``name`` at top level, if any."""
        for s in self.skipped:
            if name in s.names:
                return s
        return None


def is_constant_expression(node: ast.AST) -> bool:
    """True when evaluating ``node`` runs no call and no loop (lambdas are allowed: they only define)."""
    if isinstance(node, ast.Lambda):
        return True
    if not isinstance(node, _CONSTANT_NODES):
        return False
    return all(is_constant_expression(child) for child in ast.iter_child_nodes(node))


def _assigned_names(stmt: ast.stmt) -> tuple[str, ...]:
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        targets = [stmt.target]
    elif isinstance(stmt, ast.For | ast.AsyncFor):
        targets = [stmt.target]
    elif isinstance(stmt, ast.With):
        targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    names = []
    for t in targets:
        names += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return tuple(names)


def _keep(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (*_DEFINITIONS, ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True  # a docstring
    if isinstance(stmt, ast.Assign):
        return all(isinstance(t, ast.Name | ast.Tuple) for t in stmt.targets) and is_constant_expression(
            stmt.value
        )
    if isinstance(stmt, ast.AnnAssign):
        return isinstance(stmt.target, ast.Name) and (
            stmt.value is None or is_constant_expression(stmt.value)
        )
    if isinstance(stmt, ast.Try):
        branches = [stmt.body, stmt.orelse, stmt.finalbody, *(h.body for h in stmt.handlers)]
        return all(_keep(s) for branch in branches for s in branch)
    return False


def _import_names(stmt: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
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


@contextlib.contextmanager
def _script_directory_on_path(directory: Path) -> Iterator[None]:
    entry = str(directory)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)


def _run(stmt: ast.stmt, path: Path, namespace: dict[str, Any]) -> None:
    code = compile(ast.Module(body=[stmt], type_ignores=[]), str(path), "exec")
    with warnings.catch_warnings():  # the report is the output: no stray warnings from the script
        warnings.simplefilter("ignore")
        exec(code, namespace)


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _validate_path(path: Path) -> None:
    """Refuse what is not a readable ``.py`` file, saying what it is instead."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a directory, not a Python script (PATH.py:NAME)")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is {_file_kind(mode)}, not a Python script (PATH.py:NAME)")
    if path.suffix != ".py":
        raise InputError(f"{path} is not a Python script: its name must end in .py (PATH.py:NAME)")


def _skip(skipped: list[SkippedStatement], stmt: ast.stmt) -> None:
    """Record a skipped statement; statements sharing a line (``a; b``) are recorded once."""
    entry = SkippedStatement(stmt.lineno, type(stmt).__name__, _assigned_names(stmt))
    if skipped and skipped[-1].line == entry.line:
        last = skipped.pop()
        kinds = last.kind.split(", ")
        kind = last.kind if entry.kind in kinds else f"{last.kind}, {entry.kind}"
        entry = SkippedStatement(last.line, kind, last.names + entry.names)
    skipped.append(entry)


def load_script(path: str | Path) -> LoadedScript:
    """Load the definitions of the script at ``path`` without running its top-level statements.

    Parameters
    ----------
    path : str or Path
        A Python source file.

    Returns
    -------
    LoadedScript

    Raises
    ------
    InputError
        If the file does not exist, is not a regular ``.py`` file or cannot be read, has a syntax
        error, or running one of its definitions raises or exits (the message names the line and the
        exception).
    """
    path = Path(path)
    _validate_path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {one_line(exc)}") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise InputError(f"{path}, line {exc.lineno}: syntax error: {exc.msg}") from None
    name = f"_backprop_verify_script_{abs(hash(path.resolve()))}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    namespace = module.__dict__
    sys.modules[name] = module  # dataclasses and pickling look classes up by module name
    skipped: list[SkippedStatement] = []
    failed: dict[str, str] = {}
    with _script_directory_on_path(path.resolve().parent):
        for stmt in tree.body:
            if not _keep(stmt):
                _skip(skipped, stmt)
                continue
            try:
                _run(stmt, path, namespace)
            except SystemExit as exc:
                raise InputError(
                    f"{path}, line {stmt.lineno}: loading the definitions called sys.exit({exc.code!r})"
                ) from None
            except Exception as exc:
                if isinstance(stmt, ast.Import | ast.ImportFrom):
                    error = f"{type(exc).__name__}: {one_line(exc)}"
                    for bound, module_name in _import_names(stmt):
                        namespace[bound] = MissingModule(module_name, error)
                        failed[bound] = error
                    continue
                raise InputError(
                    f"{path}, line {stmt.lineno}: loading the definitions raised "
                    f"{type(exc).__name__}: {one_line(exc)}"
                ) from None
    return LoadedScript(path, module, skipped, failed, tree)


def parse_target(target: str) -> tuple[str, str]:
    """Split ``PATH.py:NAME`` into the path and the name.

    Raises
    ------
    InputError
        If there is no ``:NAME`` part or either part is empty.
    """
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise InputError(
            f"target must be PATH.py:NAME (a script and a class or function in it), got {target!r}"
        )
    return path, name


def load_target(target: str) -> tuple[LoadedScript, Any]:
    """Load the script of ``PATH.py:NAME`` and return it with the object ``NAME``.

    Raises
    ------
    InputError
        As :func:`parse_target`, :func:`load_script` and :meth:`LoadedScript.get`.
    """
    path, name = parse_target(target)
    script = load_script(path)
    return script, script.get(name)
