"""One step of training code: the epoch loops of a script's functions cut to one iteration, in the syntax
tree, before the definitions are run.

Much hand-written backward code lives inside a training method that runs its own epochs
(``for epoch in range(1000): … self.w1 -= learn_rate * …``) and exposes nothing else. Such a method is
one training step once its epoch loop runs once: the loader rewrites the body of every function and
method of the script (:class:`LoopCutter`) so that

* ``for e in range(…)`` (``xrange``, ``trange``, ``tqdm(range(…))``) runs one iteration, from its own
  start, when it is an *epoch loop*: its variable or its bound is named like one (``epoch``, ``iter``,
  ``n_epochs``, ``self.iterations``), or its bound is a constant of :data:`LONG` or more;
* ``while`` loops whose condition reads such a name (``while epoch < epochs``, ``while not
  converged``) run their body once;

and only loops whose body trains (updates something in place or calls a method) are cut: a loop that
never ends (``while True: pass``) stays the code's own, for the time limit to report.

Loops over layers, samples and mini-batches (``range(self.num_layers)``, ``zip(X, y)``, ``range(0, n,
batch_size)``) are one step's own work and stay. The script's own text (:attr:`LoadedScript.tree`) is
not changed; the cuts are listed with their lines, and the report names them.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LONG = 50
"""A ``range`` bound written as a constant this large is an epoch count, whatever the loop variable."""
EPOCH_WORD = re.compile(
    r"(epoc|iter|^it$|^ep$|^e$|round|generation|^n_?steps$|^num_?steps$|^steps$|^step$|converge|^max_?it)",
    re.IGNORECASE,
)
"""Names of epoch counters and their bounds (``epoch``, Spanish and Portuguese ``epoca``)."""
RANGES = ("range", "xrange", "trange")


@dataclass(frozen=True)
class Cut:
    """One loop cut to a single iteration.

    Attributes
    ----------
    line : int
        The loop's line in the script.
    function : str
        The function or method it is in.
    """

    line: int
    function: str


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _range_call(node: ast.expr) -> ast.Call | None:
    """The ``range`` call a loop iterates over (also inside ``tqdm(…)``), or None."""
    if isinstance(node, ast.Call) and _name_of(node.func) in RANGES and node.args:
        return node
    if (
        isinstance(node, ast.Call)
        and _name_of(node.func) in ("tqdm", "progressbar", "enumerate")
        and node.args
    ):
        return _range_call(node.args[0])
    return None


def is_epoch_loop(loop: ast.For, constants: dict[str, object] | None = None) -> bool:
    """Whether ``loop`` is an epoch loop (module docstring); ``constants`` are the function's local
    names assigned a number (``epochs = 1000``)."""
    call = _range_call(loop.iter)
    if call is None or not trains(loop):
        return False
    bound = call.args[1] if len(call.args) >= 2 else call.args[0]
    if isinstance(bound, ast.BinOp) and isinstance(bound.op, ast.Add | ast.Sub):
        bound = bound.left  # range(epochs + 1): an epoch count and one more
    variable = _name_of(loop.target)
    if EPOCH_WORD.search(variable) and variable not in ("i", "j", "k"):
        return True
    if EPOCH_WORD.search(_name_of(bound)):
        return True
    value = bound.value if isinstance(bound, ast.Constant) else (constants or {}).get(_name_of(bound))
    return isinstance(value, int) and not isinstance(value, bool) and value >= LONG


def is_epoch_while(loop: ast.While) -> bool:
    """Whether ``loop`` is a training loop to run once: a condition that reads an epoch-like name
    (``while epoch < epochs``, ``while not converged``) around a body that trains (:func:`trains`).
    ``while True`` is never cut: a loop that never ends is the code's, and the check's time limit
    reports it."""
    named = any(EPOCH_WORD.search(_name_of(n)) for n in ast.walk(loop.test) if _name_of(n))
    return named and trains(loop)


def trains(loop: ast.For | ast.While) -> bool:
    """Whether a loop's body does training work: updates something in place (``W -= …``,
    ``self.w = …``, ``params["W1"] = …``) or calls a method (``self.backprop(…)``)."""
    for node in ast.walk(ast.Module(body=loop.body, type_ignores=[])):
        if isinstance(node, ast.AugAssign):
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute | ast.Subscript) for t in node.targets
        ):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return True
    return False


class LoopCutter(ast.NodeTransformer):
    """Cuts the epoch loops of function bodies to one iteration (module docstring); :attr:`cuts` lists
    them."""

    def __init__(self) -> None:
        self.cuts: list[Cut] = []
        self._function: list[str] = []
        self._constants: list[dict[str, object]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self._function.append(node.name)
        self._constants.append(local_constants(node))
        self.generic_visit(node)
        self._function.pop()
        self._constants.pop()
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        if not self._function or not is_epoch_loop(node, self._constants[-1]):
            return node
        call = _range_call(node.iter)
        assert call is not None
        start = call.args[0] if len(call.args) >= 2 else ast.Constant(0)
        once = ast.Call(
            func=ast.Name("range", ast.Load()),
            args=[start, ast.BinOp(left=start, op=ast.Add(), right=ast.Constant(1))],
            keywords=[],
        )
        node.iter = _replace(node.iter, call, once)
        self.cuts.append(Cut(node.lineno, self._function[-1]))
        return ast.fix_missing_locations(node)

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        if not self._function or not is_epoch_while(node):
            return node
        node.body = [*node.body, ast.copy_location(ast.Break(), node)]
        self.cuts.append(Cut(node.lineno, self._function[-1]))
        return ast.fix_missing_locations(node)


def _replace(node: ast.expr, old: ast.Call, new: ast.Call) -> ast.expr:
    """``node`` with the call ``old`` (itself, or the argument of a ``tqdm``-like wrapper) replaced."""
    if node is old:
        return ast.copy_location(new, old)
    assert isinstance(node, ast.Call)
    node.args = [_replace(a, old, new) if a is old or _range_call(a) is old else a for a in node.args]
    return node


def local_constants(fn: ast.FunctionDef) -> dict[str, object]:
    """Local names assigned a number in ``fn`` (``epochs = 1000``)."""
    out: dict[str, object] = {}
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
        ):
            out[node.targets[0].id] = node.value.value
    return out


def rewritten(
    stmt: ast.stmt, transformer: ast.NodeTransformer, found: Callable[[], list[Any]]
) -> tuple[ast.stmt, list[Any]]:
    """A copy of the top-level statement ``stmt`` rewritten by ``transformer`` when it is a ``def`` or a
    ``class``, and what was rewritten (``found()`` after the visit); ``stmt`` itself and nothing when
    nothing was (the loader runs each top-level definition so, :mod:`verification.reading.loader`)."""
    if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return stmt, []
    changed = transformer.visit(copy.deepcopy(stmt))
    records = found()
    if not records:
        return stmt, []
    assert isinstance(changed, ast.stmt)
    return ast.fix_missing_locations(changed), records


def cut_loops(stmt: ast.stmt) -> tuple[ast.stmt, list[Cut]]:
    """A copy of the top-level statement ``stmt`` with the epoch loops of its functions cut, and the
    cuts (``stmt`` itself when there are none)."""
    cutter = LoopCutter()
    return rewritten(stmt, cutter, lambda: cutter.cuts)
