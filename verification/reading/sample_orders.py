"""Random draws of the samples a training step takes, made fixed: the samples in order, rotated.

A training method often shuffles its data each epoch (``order = self.rng.permutation(n)``,
``np.random.shuffle(idx)``) or draws its mini-batch (``idx = np.random.choice(num_train,
batch_size)``). The gradient does not depend on the order, but a drawn order differs from run to run,
and a batch drawn with replacement repeats samples, so the checker's batch probe, which compares one
step on ``n`` samples with the code's own steps on those samples, could not tell such a step from a
wrong one. The loader rewrites, in the syntax tree of every function and method (:class:`InOrder`),
before the definitions run, each draw into a fixed one: the samples in order, rotated by the draw's
own count in the function (1 for its first draw, 2 for its second, …; counted from 1 again after the
generator is seeded, and back to where it was when its state is restored, ``set_state``: two draws
the code keeps paired so, the classic way to shuffle inputs and labels in unison, stay paired):

* ``….permutation(k)`` → ``0 … k − 1`` rotated (a permutation of an array: the array so rotated);
* ``….shuffle(a)`` → ``a`` rotated in place;
* ``….choice(a, size)``, without probabilities ``p``, of a number or an array → ``size`` samples in
  the rotated order, cycling when ``size`` is larger.

A rotation keeps every sample and its step, so the batch probe still finds the order the code stepped
in (:mod:`verification.identification.batches`); and two draws that the code should have shared (the
inputs permuted and the labels not, ``X[perm]`` beside ``Y``; the inputs and the labels drawn by two
calls of ``choice``) are rotated apart, so the samples and labels they pair are not each other's, as
they would not be when the code runs. Draws of anything else (a dropout mask ``choice([0, 1], p=…)``)
are left as they are. The script's own text (:attr:`LoadedScript.tree`) is not changed; each draw
read so is listed with its line, and the report names them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from verification.reading.loop_cuts import rewritten

NP = "__import__('numpy')"
ROTATED = f"(lambda _n, _k: ({NP}.arange(int(_n)) + _k) % max(int(_n), 1))"
"""The samples ``0 … n − 1`` rotated by ``k``."""
IN_ORDER = {
    "permutation": f"(lambda _a, _k: {ROTATED}(_a, _k) if {NP}.ndim(_a) == 0 else {NP}.asarray(_a)"
    f"[{ROTATED}(len(_a), _k)])",
    "choice": f"(lambda _a, _s, _k: ({NP}.arange(int(_a)) if {NP}.ndim(_a) == 0 else {NP}.asarray(_a))"
    f"[({NP}.arange(int({NP}.prod(_s))) + _k) % (int(_a) if {NP}.ndim(_a) == 0 else len(_a))]"
    f".reshape(_s))",
    "shuffle": f"(lambda _a, _k: _a.__setitem__(slice(None), _a[{ROTATED}(len(_a), _k)]"
    f" if hasattr(_a, 'shape') else [_a[i] for i in {ROTATED}(len(_a), _k)]))",
}
"""What each draw becomes, as a function of its arguments (the population, for ``choice`` the size)
and of its count ``k`` in the function."""
RESEEDS = frozenset({"seed", "default_rng", "RandomState"})
"""Calls that set a generator to a seed: the draws after one count from 1 again, as a generator seeded
alike draws alike (``get_state`` and ``set_state`` likewise save and restore the count)."""


@dataclass(frozen=True)
class Draw:
    """One random draw of samples, made fixed.

    Attributes
    ----------
    line : int
    call : str
        The draw as written (``self.rng.permutation``).
    """

    line: int
    call: str


class InOrder(ast.NodeTransformer):
    """Rewrites the draws of the module docstring; :attr:`draws` lists them."""

    def __init__(self) -> None:
        self.draws: list[Draw] = []
        self.count = 0  # the rotation of the next draw, less one
        self.saved = 0  # the count when the generator's state was saved (get_state)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if called in RESEEDS:  # np.random.seed(epoch) before each of two shuffles: the same rotation
            self.count = 0
        elif called == "get_state":
            self.saved = self.count
        elif called == "set_state":  # state = get_state(); shuffle(X); set_state(state); shuffle(y)
            self.count = self.saved
        if not isinstance(node.func, ast.Attribute) or node.func.attr not in IN_ORDER:
            return node
        keywords = {k.arg: k.value for k in node.keywords}
        kind = node.func.attr
        if kind in ("permutation", "shuffle") and len(node.args) == 1 and not keywords:
            args = [node.args[0]]
        elif kind == "choice" and "p" not in keywords and node.args:
            size = node.args[1] if len(node.args) > 1 else keywords.get("size")
            if size is None or isinstance(node.args[0], ast.List | ast.Tuple):  # choice([0, 1]): a mask
                return node
            args = [node.args[0], size]
        else:
            return node
        self.draws.append(Draw(node.lineno, ast.unparse(node.func)))
        self.count += 1
        count = ast.Constant(self.count)
        made = ast.Call(ast.parse(IN_ORDER[kind], mode="eval").body, [*args, count], [])
        return ast.copy_location(ast.fix_missing_locations(made), node)


def in_order(stmt: ast.stmt) -> tuple[ast.stmt, list[Draw]]:
    """A copy of the top-level statement ``stmt`` with the draws of its functions read so, and the
    draws (``stmt`` itself when there are none)."""
    rewriter = InOrder()
    return rewritten(stmt, rewriter, lambda: rewriter.draws)


SUBSETS = frozenset({"choice", "randint", "integers", "sample"})
"""Draws that may take some of the samples and leave others (``choice(n, batch_size)``,
``randint(0, n, size)``, ``rng.integers(n)``, ``random.sample(data, k)``), or take one twice."""


def _whole(node: ast.Call) -> bool:
    """A ``choice`` of as many as it draws from (``choice(n, n)``), which the fixed draw makes a
    rotation of every sample; or of a literal list (a dropout mask's ``choice([0, 1])``)."""
    if node.func.attr != "choice" or not node.args:  # type: ignore[attr-defined]
        return False
    size = node.args[1] if len(node.args) > 1 else {k.arg: k.value for k in node.keywords}.get("size")
    listed = isinstance(node.args[0], ast.List | ast.Tuple)
    return listed or (size is not None and ast.unparse(size) == ast.unparse(node.args[0]))


def subset_draws(tree: ast.AST) -> list[Draw]:
    """The calls in the functions and loops of ``tree`` that may draw a subset of the samples
    (:data:`SUBSETS`, but a ``choice`` the fixed draw makes whole, :func:`_whole`). A step on such a
    draw is a step on the samples drawn: at a batch probe, which of them is not known, so the batch is
    not judged (:func:`verification.identification.batches.check_batches`)."""
    scopes = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.For | ast.While)
    ]  # a draw at the top level outside a loop makes the data (labels = rng.integers(0, 2, n)), no step
    calls = {id(c): c for scope in scopes for c in ast.walk(scope) if isinstance(c, ast.Call)}
    return [
        Draw(node.lineno, ast.unparse(node.func))
        for node in sorted(calls.values(), key=lambda c: (c.lineno, c.col_offset))
        if isinstance(node.func, ast.Attribute) and node.func.attr in SUBSETS and not _whole(node)
    ]
