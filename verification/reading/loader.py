"""Load the definitions of a Python script or notebook without running its top-level statements.

Scripts posted online train and plot when they are run. To check the backward pass in one, the loader
reads the file as Python reads it (its encoding, or a notebook's code cells:
:mod:`verification.reading.sources`), parses it, and runs one at a time only the top-level statements
that *define* things (:mod:`verification.reading.statements`): imports, ``def``, ``class``, and
assignments of constant expressions. Everything else is skipped and listed, with the reason.

A skipped line never makes a later one fail:

* an import that fails binds its names to a placeholder
  (:class:`~verification.reading.missing.MissingModule`), which raises only when the code under check
  uses it; a class that derives from such a name directly (``from layer import
  Layer``, ``class Dense(Layer)``) gets an empty stand-in base; a module of the project that fails
  to import because *it* imports one this machine lacks (``h5py`` for its data) is imported again
  with stand-ins for those (:func:`~verification.reading.missing.imported_with_stand_ins`);
* a name bound by a skipped statement is *tainted*: a later constant statement that reads it is
  skipped too (``y = np.array(...)`` is skipped, so ``y = y / 100`` is), and taints its own names;
* a constant whose value could be huge (``9 ** 9 ** 9``, ``"x" * 10**12``) is skipped before it is
  evaluated (:mod:`verification.reading.bounds`);
* a kept statement that raises while loading, a definition included (a class whose base is an
  attribute of a failed import, ``nn.Module``), is skipped and recorded with the exception.

Only when the name asked for is unavailable does :meth:`LoadedScript.get` fail, naming the line and
the cause. Two rewrites of the syntax tree make a training method one step of training: its epoch loops
run once (:mod:`verification.reading.loop_cuts`), and weights it creates before its loop are created
once, by the first call (:mod:`verification.reading.deferred_weights`). Class bodies, decorators,
default values and the imported modules themselves still run: check only code you would run.
"""

from __future__ import annotations

import ast
import linecache
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ffnn.validation import InputError, one_line
from verification.memory import out_of_memory
from verification.reading.classic_division import (
    DIVIDE,
    DIVIDE_INPLACE,
    classic_div,
    classic_division,
    classic_idiv,
    future_division,
    future_division_written,
)
from verification.reading.import_paths import package_name, script_directory_on_path
from verification.reading.local_output import LOCAL_READER, local_value
from verification.reading.loop_cuts import Cut
from verification.reading.missing import imported_with_stand_ins, install_hint, stand_in
from verification.reading.numpy_aliases import bind_aliases, removed_names_used
from verification.reading.outer_loops import first_run
from verification.reading.python2 import python2_builtins
from verification.reading.sample_lists import SAMPLE_ROWS, sample_rows
from verification.reading.sample_orders import Draw
from verification.reading.sizes import size_problem
from verification.reading.sources import Source, parse_source, read_source
from verification.reading.statement_code import NOT_COMPILED, prepared, run_statement
from verification.reading.statements import (
    DEFINITIONS,
    FAILED,
    SkippedStatement,
    bound_names,
    evaluated_expressions,
    import_names,
    is_constant_expression,
    keep,
    names_read,
    not_run_reason,
    top_level_refusal,
)

__all__ = [
    "LoadedScript",
    "SkippedStatement",
    "is_constant_expression",
    "load_script",
    "one_line",
]


@dataclass(frozen=True)
class LoadedScript:
    """The definitions of a script, loaded without its top-level statements.

    Attributes
    ----------
    path : Path
        The script or notebook.
    module : types.ModuleType
        A fresh module holding the definitions (its ``__name__`` is not ``"__main__"``).
    skipped : list of SkippedStatement
        Top-level statements that were not run, or raised and were set aside.
    failed_imports : dict of str to str
        Imported name → import error, for imports replaced by
        :class:`~verification.reading.missing.MissingModule`.
    tree : ast.Module
        The parsed script (a notebook's code cells joined).
    source : Source or None
        The text that was parsed, and for a notebook the cell of each line.
    cuts : list of Cut
        Epoch loops of the script's functions cut to one iteration
        (:mod:`verification.reading.loop_cuts`).
    aliases : list of str
        Names NumPy has removed that the script uses, read as what they stood for
        (:mod:`verification.reading.numpy_aliases`).
    draws : list of Draw
        Random draws of samples in the script's functions, made fixed
        (:mod:`verification.reading.sample_orders`).
    """

    path: Path
    module: types.ModuleType
    skipped: list[SkippedStatement] = field(default_factory=list)
    failed_imports: dict[str, str] = field(default_factory=dict)
    tree: ast.Module = field(default_factory=lambda: ast.Module(body=[], type_ignores=[]))
    source: Source | None = None
    cuts: list[Cut] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    draws: list[Draw] = field(default_factory=list)

    def where(self, line: int) -> str:
        """``line 12``, or ``cell 3, line 2`` in a notebook."""
        return self.source.where(line) if self.source is not None else f"line {line}"

    def get(self, name: str) -> Any:
        """The object ``name`` (dotted for a method, e.g. ``Net.backward``) defined by the script.

        Raises
        ------
        InputError
            If the script defines no such name (the message lists what it does define), or the
            statement defining it was not run or raised (the message names its line and the cause).
        """
        obj: Any = self.module
        for i, part in enumerate(name.split(".")):
            if not hasattr(obj, part) or (i == 0 and part.startswith("__")):
                entry = self.skipped_binding(part) if i == 0 else None
                if entry is not None:
                    raise self._unavailable(part, entry)
                broken = self.source.left_out(part) if self.source is not None and i == 0 else None
                if broken is not None:  # its definition had a syntax error
                    raise InputError(f"{self.path}, {broken}")
                if i == 0 and not self.defined_names():
                    raise top_level_refusal(self)
                known = ", ".join(self.defined_names()) or "nothing"
                raise InputError(f"{self.path} defines no {name!r} (it defines: {known})")
            obj = getattr(obj, part)
        return obj

    def _unavailable(self, name: str, entry: SkippedStatement) -> InputError:
        at = f"{self.path}, {self.where(entry.line)}"
        if entry.failed or entry.reason.startswith(NOT_COMPILED):
            return InputError(
                f"{at}: {name} could not be defined: its {_statement_word(entry.kind)} {entry.reason}",
                hint=install_hint(entry.reason) or "fix that line, or check another class or function",
            )
        hint = "check a class or function defined in the script (PATH:NAME); only imports, "
        hint += "definitions and constant assignments are run"
        if not self.defined_names():
            hint = top_level_refusal(self).hint or hint
        return InputError(
            f"{at}: {name!r} is set by a top-level statement the loader does not run ({entry.reason})",
            hint=hint,
        )

    def defined_names(self) -> list[str]:
        """Top-level functions and classes the script defines, in source order; a name defined twice (a
        notebook's cell run again with changes) once, where its last definition, the one in effect, is."""
        names = [s.name for s in self.tree.body if isinstance(s, DEFINITIONS)]
        return list(reversed(dict.fromkeys(reversed(names))))

    def skipped_binding(self, name: str) -> SkippedStatement | None:
        """The last skipped statement that would have bound ``name`` at top level, if any."""
        for s in reversed(self.skipped):
            if name in s.names:
                return s
        return None


def _statement_word(kind: str) -> str:
    words = {"ClassDef": "class statement", "FunctionDef": "def", "AsyncFunctionDef": "def"}
    words.update({"Assign": "assignment", "AnnAssign": "assignment", "Try": "try block"})
    return words.get(kind, "statement")


class _Loading:
    """The state of one load: the namespace, what was skipped, and the names skipping tainted."""

    def __init__(self, source: Source, module: types.ModuleType) -> None:
        self.source = source
        self.lines = source.text.splitlines()
        self.namespace = module.__dict__
        self.skipped: list[SkippedStatement] = []
        self.failed: dict[str, str] = {}
        self.tainted: dict[str, SkippedStatement] = {}
        self.cuts: list[Cut] = []
        self.draws: list[Draw] = []
        self.aliases = removed_names_used(source.text)

    def reason_not_to_run(self, stmt: ast.stmt) -> str | None:
        """Why ``stmt`` is not run, or None to run it."""
        if not keep(stmt):
            return not_run_reason(stmt)
        if not isinstance(stmt, (*DEFINITIONS, ast.Import, ast.ImportFrom)):
            read = sorted(n for n in names_read(stmt) if n in self.tainted)
            if read:
                origin = self.tainted[read[0]]
                verb = "raised" if origin.failed else "was not run"
                return f"reads {read[0]!r}, set by {self.source.where(origin.line)}, which {verb}"
        for expr in evaluated_expressions(stmt):
            problem = size_problem(expr, self.namespace, self.lines)
            if problem is not None:
                return problem
        return None

    def skip(self, stmt: ast.stmt, reason: str) -> None:
        """Record ``stmt`` as skipped; statements sharing a line (``a; b``) are recorded once."""
        entry = SkippedStatement(stmt.lineno, type(stmt).__name__, bound_names(stmt), reason)
        for name in entry.names:
            self.tainted[name] = entry
        if self.skipped and self.skipped[-1].line == entry.line:
            last = self.skipped.pop()
            kinds = last.kind.split(", ")
            kind = last.kind if entry.kind in kinds else f"{last.kind}, {entry.kind}"
            why = last.reason if entry.reason == last.reason else f"{last.reason}; {entry.reason}"
            entry = SkippedStatement(last.line, kind, last.names + entry.names, why)
        self.skipped.append(entry)

    def statement(self, stmt: ast.stmt) -> None:
        """Run ``stmt`` if it is kept, else record why not; a failure is recorded, not raised."""
        reason = self.reason_not_to_run(stmt)
        code: types.CodeType | str = reason or ""
        if reason is None:  # rewritten and compiled once per statement of the source (statement_code)
            stmt, code, cuts, draws = prepared(stmt, self.source.path, self.source.text)
            self.cuts, self.draws = self.cuts + cuts, self.draws + draws
        if isinstance(code, str):
            self.skip(stmt, code)
            return
        try:
            run_statement(code, self.namespace)
        except SystemExit as exc:
            raise InputError(
                f"{self.source.at(stmt.lineno)}: loading the definitions called sys.exit({exc.code!r})"
            ) from None
        except Exception as exc:
            if isinstance(exc, MemoryError):
                raise  # the supervisor's to report, with the limit and the line
            if out_of_memory(exc):  # an extension module that no longer fits under --max-memory
                raise MemoryError(f"{type(exc).__name__}: {one_line(exc)}") from exc
            error = f"{type(exc).__name__}: {one_line(exc)}"
            if isinstance(stmt, ast.Import | ast.ImportFrom) and len(stmt.names) > 1:
                for alias in stmt.names:  # import numpy as np, sklearn as sk: numpy binds all the same
                    self.statement(ast.copy_location(type(stmt)(**{**vars(stmt), "names": [alias]}), stmt))
                return
            if isinstance(stmt, ast.Import | ast.ImportFrom):  # a module beside it may lack one it imports
                again = imported_with_stand_ins(
                    {m for _, m in import_names(stmt)}, exc, lambda: run_statement(code, self.namespace)
                )
                self.failed |= {n: e for n, e in again.items() if n not in self.failed}
                for bound, module_name in import_names(stmt):
                    if not again:
                        self.namespace[bound], self.failed[bound] = stand_in(module_name, error)
                    self.tainted.pop(bound, None)
                return
            for name in bound_names(stmt):
                self.namespace.pop(name, None)  # a half-run statement leaves no stale binding
            self.skip(stmt, f"{FAILED}{error}")
            return
        for name in bound_names(stmt):
            self.tainted.pop(name, None)
        if isinstance(stmt, ast.Import):
            self.aliases += bind_aliases(self.namespace, import_names(stmt), self.aliases, self.source.text)


def load_script(path: str | Path, python2: bool = False) -> LoadedScript:
    """Load the definitions of the script or notebook at ``path`` without running its top-level
    statements (see the module docstring for what runs).

    Parameters
    ----------
    path : str or Path
        A Python source file (``.py``, any encoding PEP 263 allows, with or without a byte order
        mark) or a Jupyter notebook (``.ipynb``).
    python2 : bool
        The script is Python 2: translate it with 2to3 first
        (:func:`verification.reading.python2.convert_python2`).

    Returns
    -------
    LoadedScript

    Raises
    ------
    InputError
        If the file does not exist, is not a regular ``.py`` or ``.ipynb`` file, cannot be read or
        decoded, has a syntax error (Python 2 syntax named as such), is nested too deeply to parse,
        or loading it calls ``sys.exit``. A statement that raises does not stop the load: it is
        recorded in :attr:`LoadedScript.skipped`.
    """
    source = read_source(path, python2=python2)
    tree = first_run(parse_source(source))  # a training loop inside runs of the experiment: the first
    # the text that runs is the text the source readers see (inspect.getsource): a notebook's cells or
    # a Python 2 script's translation, not the file's bytes (an mtime of None keeps it in the cache)
    text = source.text
    linecache.cache[str(source.path)] = (len(text), None, text.splitlines(keepends=True), str(source.path))
    exact = future_division(tree) or future_division_written(source.path)  # 2to3 drops the import
    return _load(source, tree, str(python2), classic=python2 and not exact)


def load_tree(script: LoadedScript, tree: ast.Module, suffix: str) -> LoadedScript:
    """Load another syntax tree of ``script``'s file as that file (its path, text and line numbers): a
    training function's body made a script (:mod:`verification.reading.function_scripts`). ``suffix``
    keeps its module apart from the file's own.

    Raises
    ------
    InputError
        When the script has no source text.
    """
    if script.source is None:
        raise InputError(f"{script.path}: no source text to load {suffix} from")
    return _load(script.source, tree, suffix, classic=DIVIDE in script.module.__dict__)


def _load(source: Source, tree: ast.Module, key: str, classic: bool = False) -> LoadedScript:
    """Run the kept statements of ``tree`` in a fresh module of the file of ``source``; with
    ``classic``, with Python 2's ``/`` (:mod:`verification.reading.classic_division`)."""
    path = source.path
    name = f"_backprop_verify_script_{abs(hash((path.resolve(), key)))}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    module.__package__ = package_name(path.resolve().parent, tree)  # from .utils import sigmoid
    sys.modules[name] = module  # dataclasses and pickling look classes up by module name
    module.__dict__.update({LOCAL_READER: local_value, SAMPLE_ROWS: sample_rows})  # output readers
    module.__dict__.update({DIVIDE: classic_div, DIVIDE_INPLACE: classic_idiv} if classic else {})
    module.__dict__.update(python2_builtins(tree))  # xrange in a script that parses as Python 3: range
    loading = _Loading(source, module)
    with script_directory_on_path(path.resolve().parent, tree):
        for stmt in (classic_division(tree) if classic else tree).body:
            loading.statement(stmt)
    return LoadedScript(
        path,
        module,
        loading.skipped,
        loading.failed,
        tree,
        source,
        loading.cuts,
        loading.aliases,
        loading.draws,
    )
