"""The setup of a network written as functions: which functions are its pieces, and how its parameters
are made.

The pieces are the script's functions named like them (:func:`named_functions`), and, when the script
holds a backward pass only, those of the modules beside it (:func:`borrow`). The parameters come
from an initialisation function called with guessed sizes, the script's top-level assignments of the
weights the forward pass takes or reads as globals, or, when it has neither, small ones made from the
names the forward pass uses (:func:`setups`).
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from pathlib import Path
from typing import Any

from verification.adapters.weight_getters import getter_setups
from verification.adapters.weight_lists import weight_lists
from verification.reading import conventions as cv
from verification.reading import slices
from verification.reading.guesses import call_arguments, guessed_arguments
from verification.reading.loader import LoadedScript
from verification.reading.module_functions import with_imports
from verification.reading.script_setup import data_free, with_small_size_lists
from verification.reading.siblings import sibling_functions
from verification.reading.source_trees import source_tree
from verification.reading.top_level_names import stores
from verification.reading.updates import CHECKER_NAMES, returned_names


def named_functions(
    namespace: dict[str, Any], script: LoadedScript, words: tuple[str, ...], avoid: tuple[str, ...] = ()
) -> list[str]:
    """The functions of the script (then those it imports from its own project, and those borrowed from
    the modules beside it, :func:`borrow`) whose names hold one of ``words`` and none of ``avoid``, in
    source order."""
    own = script.defined_names() + [n for n in namespace.get(BORROWED, {}) if n not in script.defined_names()]
    own += [n for n in imported_from_project(namespace, script) if n not in own]
    names = [n for n in own if inspect.isfunction(namespace.get(n))]
    return [n for n in names if any(w in n.lower() for w in words) and not any(a in n.lower() for a in avoid)]


def imported_from_project(namespace: dict[str, Any], script: LoadedScript) -> list[str]:
    """Functions the script imports from its own project (``from .feed_forward import feed_forward``):
    defined in a file under the folder that holds the script's folder, never an installed library's."""
    home = script.path.resolve().parent.parent
    out = []
    for name, value in namespace.items():
        if name.startswith("_") or not inspect.isfunction(value) or name in script.defined_names():
            continue
        try:
            where = inspect.getsourcefile(value)
        except TypeError:
            continue
        if where and home in Path(where).resolve().parents and "-packages" not in where:
            out.append(name)
    return out


def setups(namespace: dict[str, Any], script: LoadedScript, forward: Any) -> list[tuple[str, str]]:
    """``(setup, parameters expression)``: an initialisation function with guessed sizes, or the script's
    top-level assignments of the forward function's weight arguments; each first imports the functions
    the script calls through its project's modules (``fp.forward_propagation``:
    :func:`~verification.reading.module_functions.with_imports`)."""
    return with_imports(namespace, script, _setups(namespace, script, forward))


def _setups(namespace: dict[str, Any], script: LoadedScript, forward: Any) -> list[tuple[str, str]]:
    """:func:`setups` before the imports."""
    out = []
    containers = cv.lower(cv.PARAMETER_CONTAINERS)  # forward_propagate(network, row): network is no input
    weights = [
        p.name
        for i, p in enumerate(cv.positional_parameters(forward))
        if cv.role(p.name, i) != "x" or p.name.lower() in containers
    ]
    named = [w for w in weights if cv.role(w, 1) != "y" and w.lower() not in containers]
    for init in named_functions(
        namespace, script, ("init", "make", "create", "build", "new"), ("__", "train", "test")
    ):
        fn = namespace[init]
        names = returned_names(fn)
        arity = _returned_arity(fn)  # return np.zeros((dim, 1)), 0.0: bound to the names the forward
        if not names and arity > 1:  # pass takes them by (a container among them too)
            names = named if arity == len(named) else weights if arity == len(weights) else names
        whole = weights and not named  # classifier_output(x, params): the list kept whole, not unpacked
        target = ", ".join(names) if names and len(names) > 1 and not whole else "parameters"
        own = _own_call(script, init)  # parameters = initialize_parameters_deep(layers_dims): its depth
        if own is not None:
            out.append(own)
        for guessed in guessed_arguments(fn):
            args = call_arguments(guessed)
            out.append((f"{target} = {init}({args})", "parameters"))
    required = {p.name for p in cv.positional_parameters(forward) if p.default is inspect.Parameter.empty}
    out += getter_setups(namespace, script, [w for w in weights if w in required and cv.role(w, 1) != "y"])
    weights += [g for g in global_arrays(namespace, script, forward) if g not in weights]
    weights = [w for w in weights if cv.role(w, 1) != "y"]  # train(x, t, V, W): the labels are data
    lines = []
    for w in weights:
        found = slices.assignment_slice(script.tree, w)
        if found is not None:
            lines.append(found)
    if lines and len(lines) == len(weights):
        out.append(("; ".join(dict.fromkeys(lines)), ""))
        sizes: dict[str, int] = {}  # W1 = np.random.randn(X_train.shape[1], 32) after load_digits(): sized
        statements = ast.parse("\n".join(dict.fromkeys(lines))).body
        free = data_free(statements, set(), set(script.failed_imports), sizes, set(weights))
        if sizes and set(weights) <= {n for line in free for n in stores(ast.parse(line).body[0])}:
            out.append(("; ".join(dict.fromkeys(free)), ""))
    if out and not named:
        return out  # the forward takes a container the initialisation makes
    for made in (  # after the initialisations: they may not run, or make other weights (a borrowed one)
        lambda: _synthesised(namespace, forward),
        lambda: _synthesised(namespace, forward, arguments=True),
        lambda: weight_lists(namespace, forward),
    ):
        extra = [e for e in made() if e not in out]
        if extra:
            return out + extra
    return out


def _returned_arity(fn: Any) -> int:
    """How many values the last ``return`` of ``fn`` gives as a tuple (``return w, b`` or ``return
    np.zeros((dim, 1)), 0.0``): 0 when it returns one value or cannot be read."""
    tree = source_tree(fn)
    returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return)] if tree is not None else []
    last = returns[-1].value if returns else None
    return len(last.elts) if isinstance(last, ast.Tuple) else 0


def _bound(setup: str) -> set[str]:
    """The names a setup's statements assign (``w, b = initialize(…)`` binds ``w`` and ``b``)."""
    try:
        tree = ast.parse(setup)
    except SyntaxError:
        return set()
    return {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        for t in ast.walk(target)
        if isinstance(t, ast.Name)
    }


def _synthesised(namespace: dict[str, Any], forward: Any, arguments: bool = False) -> list[tuple[str, str]]:
    """Parameter dicts built from the keys the forward function reads (``parameters["W1"]`` …
    ``parameters["b3"]``) when the script has no initialisation of its own: a 4-5-…-m chain with 1 or 3
    outputs, weights as ``(n_l, n_{l−1})`` with column biases (course code, samples as columns) or as
    ``(n_{l−1}, n_l)`` with row biases. With ``arguments``, the weights the forward function takes as
    arguments named so (``forward_pass(X, W1, b1, W2, b2)``), each assigned on its own."""
    if arguments:  # forward_pass(X, W1, b1, …), or globals W1, W2 the script never assigns
        code = getattr(forward, "__code__", None)
        unbound = [n for n in code.co_names if n not in namespace] if code is not None else []
        named = [p.name for p in cv.positional_parameters(forward)] + unbound
        keys = list(dict.fromkeys(n for n in named if re.fullmatch(r"[WwBb]\d+", n)))
    else:
        keys = parameter_keys(forward)
    layers = sorted({int(k[1:]) for k in keys if k[:1] in "Ww" and k[1:].isdigit()})
    if not layers or layers != list(range(1, len(layers) + 1)):
        return []
    numpy = next((n for n, v in namespace.items() if getattr(v, "__name__", "") == "numpy"), None)
    if numpy is None:
        return []
    out = []
    for n_out in (1, 3):
        sizes = [4] + [5] * (len(layers) - 1) + [n_out]
        for columns in (True, False):
            entries = []
            for k in keys:
                if k[1:].isdigit() and k[:1] in "Ww":
                    l = int(k[1:])
                    shape = (sizes[l], sizes[l - 1]) if columns else (sizes[l - 1], sizes[l])
                    entries.append(f'"{k}": {numpy}.random.randn{shape}')
                elif k[1:].isdigit() and k[:1] in "Bb":
                    l = int(k[1:])
                    shape = (sizes[l], 1) if columns else (1, sizes[l])
                    entries.append(f'"{k}": {numpy}.zeros({shape})')
            if arguments:
                out.append(("; ".join(e.replace('"', "").replace(": ", " = ", 1) for e in entries), ""))
            else:
                out.append((f"parameters = {{{', '.join(entries)}}}", "parameters"))
    return out


def global_arrays(namespace: dict[str, Any], script: LoadedScript, fn: Any) -> list[str]:
    """The module-level names ``fn`` reads that the script assigns at top level and the loader left
    unset (``Z1 = w1 @ X + b1`` with ``w1 = np.random.randn(32, 10)`` at the top of the script),
    directly or through the script's functions it calls, in the order of first use: the weights of a
    network written as functions over globals."""
    out: list[str] = []
    seen: set[int] = set()

    def visit(f: Any) -> None:
        code = getattr(f, "__code__", None)
        if code is None or id(code) in seen or len(seen) > 20:
            return
        seen.add(id(code))
        for name in code.co_names:
            value = namespace.get(name)
            if inspect.isfunction(value) and getattr(value, "__globals__", None) is namespace:
                visit(value)
            elif value is None and name not in out and slices.assignment_slice(script.tree, name):
                out.append(name)

    visit(fn)
    return out


def parameter_keys(fn: Any) -> list[str]:
    """The constant string keys ``fn`` reads from a dict argument (``parameters["W1"]``), in order; for
    keys made from the layer's number in a loop (``params['W' + str(l)]``), those of three layers."""
    tree = source_tree(fn)
    if tree is None:
        return []
    keys = [
        n.slice.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Subscript)
        and isinstance(n.slice, ast.Constant)
        and isinstance(n.slice.value, str)
        and isinstance(n.value, ast.Name)
    ]
    if not keys:  # params['W' + str(l)] in a loop over the layers: three of them
        made = {_made_prefix(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)} - {None}
        if {"W", "b"} <= made or {"W"} == made:
            keys = [f"{p}{l}" for l in (1, 2, 3) for p in ("W", "b") if p in made]
    return list(dict.fromkeys(keys))


def _made_prefix(key: ast.expr) -> str | None:
    """``W`` of a key made from a layer's number: ``'W' + str(l)``, ``f"W{l}"``, ``'W%d' % l``."""
    if (
        isinstance(key, ast.BinOp)
        and isinstance(key.left, ast.Constant)
        and isinstance(key.op, ast.Add | ast.Mod)
    ):
        head = key.left.value
        head = head.split("%")[0] if isinstance(key.op, ast.Mod) and isinstance(head, str) else head
    elif isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
        head = key.values[0].value
    else:
        return None
    return head if head in ("W", "b", "w", "B") and head else None


BORROWED = "__backprop_verify_borrowed__"
"""The key under which a script's namespace lists the functions taken from the modules beside it."""


def borrow(
    namespace: dict[str, Any], script: LoadedScript, wanted: set[str] | None = None
) -> tuple[str, ...]:
    """Bind the forward and initialisation functions of the modules beside the script
    (:func:`verification.reading.siblings.sibling_functions`) that the script does not define, or,
    with ``wanted``, the functions and classes of these names; the note naming where each came from."""
    words: tuple[str, ...] = ("forward", "feed", "predict", "init", "make", "create", "build")
    if wanted is not None:
        wanted = {n for n in wanted if n not in namespace and n not in dir(builtins)}
        if not wanted:
            return ()
        words = tuple(n.lower() for n in wanted)
    kind = inspect.isfunction if wanted is None else (lambda o: inspect.isfunction(o) or inspect.isclass(o))
    found = sibling_functions(script.path, words, ("backward", "test", "__", "train"), kind=kind)
    if wanted is None and not found:  # the folder above: forward_propagation.py at the root, over src/
        above = sibling_functions(script.path.parent, words, ("backward", "test", "__", "train"), kind=kind)
        found = {n: (f, f"../{where}") for n, (f, where) in above.items()}
    if wanted is not None and wanted - set(found):  # the folder above: a project's root, over its package
        above = sibling_functions(
            script.path.parent, tuple(n.lower() for n in wanted - set(found)), kind=kind
        )
        found |= {n: (f, f"../{where}") for n, (f, where) in above.items() if n in wanted}
    taken = {
        n: where for n, (_, where) in found.items() if n not in namespace and (wanted is None or n in wanted)
    }
    for n in taken:
        namespace[n] = found[n][0]
    namespace[BORROWED] = taken
    if not taken:
        return ()
    listed = ", ".join(f"{n} (from {where})" for n, where in taken.items())
    return (f"taken from the modules beside the file: {listed}",)


def setup_sizes(setup: str) -> dict[str, str]:
    """The sizes a guessed setup call was given (``layer_sizes=[4, 5, 3]``), by name: a backward
    function that takes them too is given the same."""
    return dict(re.findall(r"(\w+)=(\[[\d, ]*\]|\d+)", setup))


def read_not_bound(pieces: list[str | None]) -> set[str]:
    """Names the pieces read and never bind, other than those the checker binds (``x``, ``y``, ``lr``):
    functions, classes and values they take from elsewhere (``Dense``, ``mse_prime``)."""
    read: set[str] = set()
    bound: set[str] = set(CHECKER_NAMES)
    for piece in filter(None, pieces):
        try:
            tree = ast.parse(piece)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
    return read - bound


def _own_call(script: LoadedScript, init: str) -> tuple[str, str] | None:
    """The script's own top-level call of the initialisation function ``init`` (``parameters =
    initialize_parameters_deep(layers_dims)``) with the assignments it reads, its large sizes made small
    (:func:`~verification.reading.script_setup.with_small_size_lists`): the network of the script's own
    depth, where a bug of the deeper layers shows. None when the script makes no such call."""
    for stmt in slices.flat_body(script.tree):  # also under if __name__ == "__main__":
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Call)):
            continue
        if not (isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == init):
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name):
            continue
        found = slices.assignment_slice(script.tree, target.id)
        if found is None:
            return None
        code = with_small_size_lists(found)
        return (code if target.id == "parameters" else f"{code}; parameters = {target.id}", "parameters")
    return None
