"""Random draws of the samples a training step takes, read in order.

A training method often shuffles its data each epoch (``order = self.rng.permutation(n)``,
``np.random.shuffle(idx)``) or draws its mini-batch (``idx = np.random.choice(num_train,
batch_size)``). The gradient does not depend on the order, but the checker's batch probe compares one
step on ``n`` samples with the per-sample gradients of those samples in order, so a drawn order, or a
batch drawn with replacement, made correct code look wrong at a batch. The loader rewrites, in the
syntax tree of every function and method (:class:`InOrder`), before the definitions run:

* ``….permutation(k)`` → ``arange(k)`` (a permutation of an array: the array as it is);
* ``….shuffle(a)`` → nothing (``a`` keeps its order);
* ``….choice(a, size)``, without probabilities ``p``, of a number or an array → the first ``size``
  of ``arange(a)`` (or of ``a``) in order, cycling when ``size`` is larger.

The script's own text (:attr:`LoadedScript.tree`) is not changed; each draw read in order is listed
with its line, and the report names them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

NP = "__import__('numpy')"
IN_ORDER = {
    "permutation": f"(lambda _a: {NP}.arange(_a) if {NP}.ndim(_a) == 0 else {NP}.array(_a))",
    "choice": f"(lambda _a, _k: ({NP}.arange(_a) if {NP}.ndim(_a) == 0 else {NP}.asarray(_a))"
    f"[{NP}.arange(_k) % (int(_a) if {NP}.ndim(_a) == 0 else len(_a))])",
}
"""What each draw becomes, as a function of its arguments (the population, and for ``choice`` the size)."""


@dataclass(frozen=True)
class Draw:
    """One random draw of samples read in order.

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

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "shuffle"
        ):
            if len(call.args) == 1 and not call.keywords:
                self.draws.append(Draw(node.lineno, ast.unparse(call.func)))
                return ast.copy_location(ast.Pass(), node)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.func, ast.Attribute) or node.func.attr not in IN_ORDER:
            return node
        keywords = {k.arg: k.value for k in node.keywords}
        if node.func.attr == "permutation" and len(node.args) == 1 and not keywords:
            args = [node.args[0]]
        elif node.func.attr == "choice" and "p" not in keywords and node.args:
            size = node.args[1] if len(node.args) > 1 else keywords.get("size")
            if size is None or isinstance(node.args[0], ast.List | ast.Tuple):  # choice([0, 1]): a mask
                return node
            args = [node.args[0], size]
        else:
            return node
        self.draws.append(Draw(node.lineno, ast.unparse(node.func)))
        made = ast.Call(ast.parse(IN_ORDER[node.func.attr], mode="eval").body, args, [])
        return ast.copy_location(ast.fix_missing_locations(made), node)


def in_order(stmt: ast.stmt) -> tuple[ast.stmt, list[Draw]]:
    """A copy of the top-level statement ``stmt`` with the draws of its functions read in order, and the
    draws (``stmt`` itself when there are none)."""
    if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return stmt, []
    import copy

    rewriter = InOrder()
    changed = rewriter.visit(copy.deepcopy(stmt))
    if not rewriter.draws:
        return stmt, []
    assert isinstance(changed, ast.stmt)
    return ast.fix_missing_locations(changed), rewriter.draws
