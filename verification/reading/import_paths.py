"""Where a script's imports are found: its own folder, and the folder holding its package.

Python puts a script's folder first on ``sys.path`` when it runs the script; a module beside it
(``from layers import Dense``) is found there. :func:`script_directory_on_path` does the same while the
loader runs the script's definitions.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from verification.reading.python2_imports import python2_siblings


def _package_roots(directory: Path, tree: ast.Module | None) -> list[Path]:
    """Folders above ``directory`` that hold the first part of an absolute import the script makes
    (``from RedNeuronal.activation_functions.relu import relu`` in ``RedNeuronal/propagation/``): the
    root a namespace package (no ``__init__.py``) is imported from when the project runs; ``from fnn import
    activation`` in ``fnn/network.py`` imports the script's own package, from the folder above it), or a
    module file there that nothing installed provides (``from utils import sigmoid`` in
    ``models/neural_network.py`` beside a ``utils.py`` at the project's root)."""
    if tree is None:
        return []
    heads = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            heads.add(node.module.split(".")[0])  # from fnn import activation, in fnn/network.py
        elif isinstance(node, ast.Import):
            heads |= {a.name.split(".")[0] for a in node.names if "." in a.name}
    roots = []
    for head in sorted(heads):
        if (directory / head).exists() or (directory / f"{head}.py").exists():
            continue
        for ancestor in list(directory.parents)[:4]:
            module = (ancestor / f"{head}.py").is_file() and not _importable(head)  # utils.py at the root
            if (ancestor / head).is_dir() or module:
                roots.append(ancestor)
                break
    return list(dict.fromkeys(roots))


def _importable(name: str) -> bool:
    """Whether ``name`` is a module Python finds without the script's folders (the standard library, an
    installed package): a file of that name above the script must not shadow it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _appended_folders(directory: Path, tree: ast.Module | None) -> list[Path]:
    """Folders the script puts on ``sys.path`` itself (``sys.path.append('../common')``,
    ``sys.path.append(os.pardir)``, ``sys.path.insert(0, os.path.join(os.pardir, 'common'))``,
    ``sys.path.insert(0, str(Path(__file__).resolve().parent.parent))``), read from the script's folder,
    where its author ran it; only string literals, ``os.pardir`` / ``os.curdir`` and the parents of
    ``Path(__file__)`` are read, and only folders that exist are kept."""
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "insert")
            and ast.unparse(node.func.value) == "sys.path"
            and node.args
        ):
            continue
        folder = _folder(node.args[-1])
        if folder is not None and (directory / folder).is_dir():
            found.append((directory / folder).resolve())
    return list(dict.fromkeys(found))


def _folder(node: ast.expr) -> str | None:
    """The relative folder an expression of literals and ``os.pardir`` names, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    text = ast.unparse(node)
    if text in ("os.pardir", "os.curdir"):
        return ".." if text == "os.pardir" else "."
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "str" and node.args:  # str(Path(…))
        return _folder(node.args[0])
    file_parents = re.fullmatch(
        r"(?:pathlib\.)?Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parent)+)", text
    )
    if file_parents:  # Path(__file__).resolve().parent.parent: the script's folder is the first parent
        return os.path.join(".", *[".."] * (file_parents[1].count(".parent") - 1))
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.path.join", "join") and node.args:
        parts = [_folder(a) for a in node.args]
        return None if any(p is None for p in parts) else os.path.join(*[p for p in parts if p is not None])
    return None


def relative_package(directory: Path, tree: ast.Module | None) -> tuple[str, Path] | None:
    """``(package, root)`` for a script that imports relatively (``from .feed_forward import
    feed_forward`` in ``nnetwork/back_propagation.py``): the dotted name of the package its folder is,
    as deep as its deepest relative import reaches (``nnetwork``; ``neural_network.model`` for ``from
    ..layers import Linear``), and the folder that holds it, from which the package is imported as
    when the project runs; None when the script makes no relative import or its folder is too shallow."""
    if tree is None:
        return None
    level = max((n.level for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)), default=0)
    parts = directory.parts
    if level == 0 or len(parts) <= level:
        return None
    if not all(p.isidentifier() for p in parts[-level:]):
        return None
    return ".".join(parts[-level:]), directory.parents[level - 1]


def package_name(directory: Path, tree: ast.Module | None) -> str | None:
    """The dotted name of the package a script that imports relatively runs in
    (:func:`relative_package`), or None."""
    package = relative_package(directory, tree)
    return None if package is None else package[0]


INSTALLED = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
"""Where the interpreter, its standard library and installed packages live."""


def _from_other_project(name: str, entries: list[str]) -> bool:
    """Whether the module ``name`` was imported from a folder other than ``entries`` (and not from the
    interpreter's installation) while one of ``entries`` has a module of that name."""
    module = sys.modules.get(name)
    paths = list(getattr(module, "__path__", None) or [])  # a namespace package has no __file__
    where = getattr(module, "__file__", None) or (str(paths[0]) if paths else "")
    if not where or where.startswith(INSTALLED) or "-packages" + os.sep in where:
        return False
    top = name.split(".")[0]
    for entry in entries:
        here = Path(entry)
        if ((here / f"{top}.py").is_file() or (here / top).is_dir()) and not where.startswith(entry + os.sep):
            return True
    return False


@contextlib.contextmanager
def script_directory_on_path(directory: Path, tree: ast.Module | None = None) -> Iterator[None]:
    """The script's folder first on ``sys.path``, as when Python runs the script, and no bytecode
    written meanwhile (``sys.dont_write_bytecode``): importing a module beside the script must not
    leave a ``__pycache__`` folder in the user's folder. A script inside a package (its folder holds an
    ``__init__.py``) also gets the folder that holds the outermost package, as ``python -m
    package.module`` run from there would: ``from ai.activation_functions import Sigmoid`` in
    ``src/ai/network.py`` finds ``src/ai``. With the script's syntax ``tree``, a folder above that
    holds the first part of a dotted import gets on the path too (:func:`_package_roots`), and so does
    the folder holding the package of a script that imports relatively (:func:`relative_package`; the
    loader runs the script as a module of that package), and the folders the script appends to
    ``sys.path`` itself (:func:`_appended_folders`). A module found in these folders that is Python 2
    is translated as it is imported (:func:`~verification.reading.python2_imports.python2_siblings`). A module
    imported before from another folder under a name this folder has a file for is forgotten first:
    this script's ``import layers`` must find its own folder's ``layers.py``."""
    root = directory
    while (root / "__init__.py").is_file() and root.parent != root:
        root = root.parent
    entries = [str(directory)] + ([str(root)] if root != directory else [])
    entries += [str(r) for r in _package_roots(directory, tree) if str(r) not in entries]
    package = relative_package(directory, tree)
    entries += [str(package[1])] if package is not None and str(package[1]) not in entries else []
    entries += [str(f) for f in _appended_folders(directory, tree) if str(f) not in entries]
    writes = sys.dont_write_bytecode
    sys.path[:0] = entries
    sys.dont_write_bytecode = True
    for name in list(sys.modules):  # `import layers` finds this folder's layers.py, not another's
        if _from_other_project(name, entries):
            sys.modules.pop(name, None)
    try:
        with python2_siblings(entries):
            yield
    finally:
        sys.dont_write_bytecode = writes
        for entry in entries:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)
