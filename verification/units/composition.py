"""A network composed of the file's layer objects at the top level (as in the NNFS book): which layer
breaks first on the way back.

The script's top-level statements are read, not run: the names bound to instances of the file's
layer classes (``dense1 = Layer_Dense(2, 64)``), and the order in which the training loop calls their
``backward`` (from the loss towards the input). The first of them whose class is a mismatching unit is
where the gradient first goes wrong; every layer before it on the way back passes on a right one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from verification.reading.loader import LoadedScript
from verification.units.run import UnitResult


@dataclass(frozen=True)
class Composition:
    """The layers of a network built at the top level.

    Attributes
    ----------
    layers : list of (str, str)
        ``(name, class)`` in the order their ``backward`` is called.
    first : tuple of (str, str) or None
        The first of them whose class mismatches, or None.
    line : int
        Where the backward calls start.
    """

    layers: list[tuple[str, str]]
    first: tuple[str, str] | None
    line: int

    def describe(self, results: list[UnitResult]) -> str:
        """One paragraph for the report."""
        order = " → ".join(f"{n} ({c})" for n, c in self.layers)
        text = f"Network at the top level (line {self.line}): backward runs {order}."
        if self.first is None:
            return text + " Every layer on the way back matches."
        name, cls = self.first
        result = next(r for r in results if r.unit == cls)
        why = f"{', '.join(result.differs)} differ" if result.differs else result.reason
        return text + f" The first layer that breaks on the way back: {name} ({cls}: {why})."


def _instances(tree: ast.Module, classes: set[str]) -> dict[str, str]:
    """Names bound at the top level to instances of ``classes`` (``d1 = Dense(2, 8)``, also in a tuple
    assignment ``d1, relu = Dense(2, 8), ReLU()``)."""
    out = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assign):
            continue
        for target in stmt.targets:
            if isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple):
                pairs = list(zip(target.elts, stmt.value.elts, strict=False))
            else:
                pairs = [(target, stmt.value)]
            for name, value in pairs:
                called = (
                    value.func.id if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else ""
                )
                if isinstance(name, ast.Name) and called in classes:
                    out[name.id] = called
    return out


def composition(script: LoadedScript, results: list[UnitResult]) -> Composition | None:
    """The top-level network of the script's layer units, or None when there is none (fewer than two
    of its layers have their ``backward`` called at the top level)."""
    layers = {r.unit for r in results if r.kind == "layer"}
    instances = _instances(script.tree, layers)
    calls: list[tuple[int, int, str]] = []
    for stmt in script.tree.body:
        if isinstance(stmt, (ast.Assign, ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("backward", "bprop", "backprop")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in instances
            ):
                calls.append((node.lineno, node.col_offset, node.func.value.id))
    order = list(dict.fromkeys(name for _, _, name in sorted(calls)))
    if len(order) < 2:
        return None
    verdicts = {r.unit: r.verdict for r in results}
    chain = [(n, instances[n]) for n in order]
    first = next(((n, c) for n, c in chain if verdicts.get(c) == "mismatch"), None)
    return Composition(chain, first, min(line for line, _, _ in calls))
