"""The construction of a network class that a script beside its file writes.

A project often keeps its network class in one module (``Neural_Network.py``) and builds and trains it in
an example script beside it (``XOR_problem.py``: ``network = [Dense(2, 3), Tanh(), Dense(3, 1), Tanh()]``,
``brain = Network(network)``, ``brain.train(…)``). The module alone says nothing of the constructor's
arguments; the example says all of them, as the author uses the class. :func:`sibling_construction` reads
that construction from the script's source (nothing of it is run here) with the top-level assignments it
reads (:func:`verification.reading.slices.construction_slice`), the calls that finish it
(``net.use(bce, bce_prime)``, after the assignments they read) and those of the script's imports that
these statements read (an import that loads a data set when run is left out), so that the check builds
the network as the example does. Imports of the checked module itself are left out: the
class is the one already loaded.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from verification.reading.siblings import MAX_BYTES, MAX_SIBLINGS
from verification.reading.slices import construction_slice


def sibling_construction(path: Path, cls_name: str) -> tuple[str, str] | None:
    """``(setup, variable)``: the first script beside ``path`` (by name) that imports a class named
    ``cls_name`` from the checked module and builds it at its top level, in its ``__main__`` block or in
    a driver function of no arguments; the setup is that script's imports (but the checked module's) and
    the construction's slice, as one line. None when no script beside it does.

    The checked module is the one named like ``path`` (``from Neural_Network import Network`` beside
    ``Neural_Network.py``), or one that no file beside the scripts provides (a copy of the module kept
    under another name). A module in a package (``fnn/network.py``) is also looked for from the scripts
    beside its package, which import it as ``from fnn.network import Net`` or ``from fnn import
    network`` and build ``network.Net(…)``. Files that do not parse, or larger than
    :data:`~verification.reading.siblings.MAX_BYTES`, are passed over; at most
    :data:`~verification.reading.siblings.MAX_SIBLINGS` are read in each folder.
    """
    found = _beside(path.parent, path, cls_name, None)
    if found is None and path.parent.name.isidentifier():
        found = _beside(path.parent.parent, path, cls_name, path.parent.name)
    return found


def _beside(folder: Path, path: Path, cls_name: str, package: str | None) -> tuple[str, str] | None:
    """:func:`sibling_construction` over the scripts of ``folder``; ``package``: the name of the
    package ``path`` is in, when ``folder`` holds it rather than ``path``."""
    for tree, own in _importers(folder, path, cls_name, package):
        found = construction_slice(tree, cls_name)
        if found is None:
            continue
        statements = [found[0]]  # with the calls that finish it (net.use(bce, bce_prime))
        read = {n.id for n in ast.walk(ast.parse("; ".join(statements))) if isinstance(n, ast.Name)}
        imports = [  # only those the construction reads: an import that loads data when run is left out
            ast.unparse(s)
            for s in _imports(tree)
            if not _imports_from(s, own)
            and {(a.asname or a.name).split(".")[0] for a in s.names} & (read | {"*"})
        ]
        return "; ".join([*imports, *statements]), found[1]
    return None


BACKWARD_CALL = re.compile(r"back|bprop", re.I)
"""Methods a driver calls to run a backward pass (``model.backward(dLoss)``, ``net.backprop(…)``)."""


def trained_beside(path: Path, cls_name: str) -> bool:
    """Whether a script beside ``path`` (or beside its package) that imports ``cls_name`` from the
    checked module, as :func:`sibling_construction` reads, calls a backward pass anywhere in it
    (:data:`BACKWARD_CALL`): ``model.backward(cross_entropy_derivative(probs, Y))`` in ``train.py`` beside
    ``model.py``. Such a class is a network that its driver trains, not a layer object held to taking
    the gradient of its own output."""
    folders: list[tuple[Path, str | None]] = [(path.parent, None)]
    if path.parent.name.isidentifier():
        folders.append((path.parent.parent, path.parent.name))
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and BACKWARD_CALL.search(n.func.attr)
        for folder, package in folders
        for tree, _ in _importers(folder, path, cls_name, package)
        for n in ast.walk(tree)
    )


def _importers(
    folder: Path, path: Path, cls_name: str, package: str | None
) -> Iterator[tuple[ast.Module, set[str]]]:
    """The parsed scripts of ``folder`` (but ``path``) that import ``cls_name`` from the checked module,
    each with the names under which they import that module; a package's module aliases resolved."""
    try:
        present = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}
    except OSError:
        return
    checked = path.stem if package is None else f"{package}.{path.stem}"
    for other in sorted(folder.glob("*.py"))[:MAX_SIBLINGS]:
        try:
            if other == path or other.stat().st_size > MAX_BYTES:
                continue
            tree = ast.parse(other.read_text(encoding="utf-8", errors="replace"))
        except (OSError, SyntaxError, ValueError):  # a link that loops, a file that does not parse
            continue
        own = {m for m in _modules_giving(tree, cls_name) if m == checked or m not in present}
        if package is not None:
            aliases = _module_aliases(tree, package, path.stem)
            own |= {package, checked} if aliases else set()
            tree = _Unqualified(aliases, cls_name).visit(tree) if aliases else tree
        if own:
            yield tree, own


def _module_aliases(tree: ast.Module, package: str, module: str) -> set[str]:
    """The names a script binds the checked module to, imported from its package (``from fnn import
    network``, ``import fnn.network as network``)."""
    out: set[str] = set()
    for s in _imports(tree):
        if isinstance(s, ast.ImportFrom) and s.module == package and not s.level:
            out |= {a.asname or a.name for a in s.names if a.name == module}
        elif isinstance(s, ast.Import):
            out |= {a.asname for a in s.names if a.name == f"{package}.{module}" and a.asname}
    return out


class _Unqualified(ast.NodeTransformer):
    """``network.Net`` made ``Net`` for each module alias ``network``: the class already loaded."""

    def __init__(self, aliases: set[str], cls_name: str) -> None:
        self.aliases, self.cls_name = aliases, cls_name

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if node.attr == self.cls_name and isinstance(node.value, ast.Name) and node.value.id in self.aliases:
            return ast.copy_location(ast.Name(self.cls_name, node.ctx), node)
        return self.generic_visit(node)  # type: ignore[return-value]


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)]


def _modules_giving(tree: ast.Module, cls_name: str) -> set[str]:
    """Modules the script imports ``cls_name`` from (``from m import cls_name``), by name."""
    return {
        s.module
        for s in _imports(tree)
        if isinstance(s, ast.ImportFrom) and s.module and not s.level
        for a in s.names
        if a.name == cls_name and a.asname is None
    }


def _imports_from(stmt: ast.Import | ast.ImportFrom, modules: set[str]) -> bool:
    if isinstance(stmt, ast.ImportFrom):
        return stmt.module in modules
    return any(a.name in modules for a in stmt.names)
