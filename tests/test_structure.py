"""The house's structure: every module imports on its own, no import cycles, ``ffnn`` never imports
``verification``, and no private name crosses a module boundary.

The import graph is read from the source with :mod:`ast`, imports inside functions included, so a
cycle hidden behind a function-level import is found too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ffnn", "verification")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` for every import of a project module in ``path``, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in PACKAGES:
                out.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    out.append((alias.name, [], node.lineno))
    return out


def edges() -> dict[str, set[str]]:
    """Module → project modules it imports (``from pkg import module`` counts as importing the module)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for target, names, _ in imports_of(path):
            for name in names:
                if f"{target}.{name}" in MODULES and f"{target}.{name}" != mod:
                    graph[mod].add(f"{target}.{name}")
            if target in MODULES and target != mod:
                graph[mod].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in graph:
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
    return None


def test_the_import_graph_has_no_cycle() -> None:
    cycle = find_cycle(edges())
    assert cycle is None, f"got the import cycle {' -> '.join(cycle or [])}, but should be none"


def test_cycle_finder_finds_a_planted_cycle() -> None:
    """Sanity check of the harness: a three-module loop is reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_ffnn_never_imports_verification() -> None:
    bad = [
        f"{mod}:{line} imports {target}"
        for mod, path in MODULES.items()
        if mod.startswith("ffnn")
        for target, _, line in imports_of(path)
        if target.startswith("verification")
    ]
    assert not bad, f"got {bad}, but ffnn must not import verification"


def test_no_private_name_crosses_a_module_boundary() -> None:
    bad = [
        f"{mod}:{line} imports {name} from {target}"
        for mod, path in MODULES.items()
        for target, names, line in imports_of(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not bad, f"got {bad}, but private names stay in their module"


FRESH = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("ffnn", "verification")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
"""


def test_every_module_imports_on_its_own() -> None:
    """Each module imported first, with no other module of the project loaded before it (third-party
    libraries stay loaded, so one interpreter serves them all)."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH, *(m for m in sorted(MODULES) if not m.endswith("__main__"))],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    failed = [line for line in done.stdout.splitlines() if line]
    assert done.returncode == 0 and not failed, (
        f"got import failures {failed} {done.stderr[-500:]}, but every module should import on its own"
    )


MAX_LINES = 370
"""A module is one concept a reader takes in at one sitting: about 350 lines, with a little room."""


def test_no_module_is_longer_than_a_sitting() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"got modules of {long} lines, but a module stays under {MAX_LINES}: split it by concept"


MAX_FUNCTION_LINES = 80
"""A function a reader follows top to bottom: its body, docstring aside, fits a screen or two."""
MAX_PARAMETERS = 8
"""Past eight parameters a function's arguments are a value of their own: give them a type."""
MAX_SHARE = 0.25
"""No subpackage holds more than a quarter of ``verification``: a room that large is two rooms."""


def functions() -> list[tuple[str, str, int, int]]:
    """``(module, function, body lines without the docstring, parameters but self)`` of every function."""
    out = []
    for name, path in MODULES.items():
        if not name.startswith("verification"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = node.body
            documented = isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant
            )
            start = body[1].lineno if documented and len(body) > 1 else body[0].lineno
            a = node.args
            count = len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs) + bool(a.vararg) + bool(a.kwarg)
            if a.args and a.args[0].arg in ("self", "cls"):
                count -= 1
            out.append((name, node.name, (node.end_lineno or start) - start + 1, count))
    return out


def test_no_function_is_longer_than_a_reader_follows_or_takes_too_many_parameters() -> None:
    long = [(m, f, n) for m, f, n, _ in functions() if n > MAX_FUNCTION_LINES]
    wide = [(m, f, k) for m, f, _, k in functions() if k > MAX_PARAMETERS]
    assert not long, f"got functions of {long} lines, but a function stays under {MAX_FUNCTION_LINES}"
    assert not wide, f"got functions taking {wide} parameters, but at most {MAX_PARAMETERS}"


def test_no_subpackage_holds_more_than_a_quarter_of_verification() -> None:
    lines: dict[str, int] = {}
    for name, path in MODULES.items():
        parts = name.split(".")
        if parts[0] == "verification" and len(parts) > 2:
            lines[parts[1]] = lines.get(parts[1], 0) + len(path.read_text(encoding="utf-8").splitlines())
    total = sum(
        len(p.read_text(encoding="utf-8").splitlines())
        for n, p in MODULES.items()
        if n.startswith("verification")
    )
    large = {k: f"{v / total:.0%}" for k, v in lines.items() if v > MAX_SHARE * total}
    assert not large, f"got subpackages holding {large} of verification, but at most {MAX_SHARE:.0%} each"


FRONT_DOOR = """
import importlib, sys, verification
for name in sys.argv[1:]:
    importlib.import_module(name)
for name in verification.__all__:
    value = getattr(verification, name)
    print(name, getattr(value, "__module__", type(value).__name__), callable(value))
"""


def test_the_front_door_gives_its_functions_after_every_module_is_loaded() -> None:
    """A subpackage named like a front-door function would shadow it once imported (the import system
    binds submodules on their parent): every name of ``verification.__all__`` must still be the function
    from its documented module after all modules are loaded."""
    import verification

    done = subprocess.run(
        [sys.executable, "-c", FRONT_DOOR, *(m for m in sorted(MODULES) if not m.endswith("__main__"))],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-1000:]
    got = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()}
    where = verification._WHERE
    assert got == {name: [where[name], "True"] for name in verification.__all__}


def test_no_subpackage_holds_more_than_a_quarter_of_the_package() -> None:
    """A subpackage is one room of the house: when one grows past a quarter of ``verification``, it is
    several concepts and should be split."""
    lines = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in MODULES.items()
        if name.startswith("verification")
    }
    total = sum(lines.values())
    rooms: dict[str, int] = {}
    for name, n in lines.items():
        parts = name.split(".")
        if len(parts) > 2 or (MODULES[name].name == "__init__.py" and len(parts) == 2):
            rooms[parts[1]] = rooms.get(parts[1], 0) + n
    big = {room: round(n / total, 3) for room, n in rooms.items() if n > total / 4}
    assert not big, f"got subpackages holding {big} of verification's lines, but each stays under a quarter"
