"""The training call a script makes on the network it builds, as the step to check.

A script that builds a network of its project's class and trains it says, in its own call, what the
training is handed::

    model = Model(); model.add(Dense(3, 5)); …
    model.train(X, y, epochs=1000, learning_rate=0.1, loss_fn=bce, loss_derivative=derivative_bce)

The loss the backward pass is handed is then the script's (``derivative_bce``), confirmed by use, not
an output error the check would make up (``net.backward(out - y)``). :func:`own_training_step` makes of
that call the step to check: the data it passes become the probe's ``x`` and ``y``, its epoch count
one, every other argument as the script wrote it (a function, a number, a string), and its learning
rate the step's rate.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from verification.reading import conventions as cv
from verification.reading.slices import constructed_as, driver_bodies, flat_body


@dataclass(frozen=True)
class OwnStep:
    """A script's own training call, rewritten for one step on the probe's data.

    Attributes
    ----------
    var : str
        The name the script binds the network to (``model``).
    step : str
        The call, on ``net``, as source (``net.train(x, y, epochs=1, learning_rate=0.1, …)``).
    lr : str or None
        The learning-rate argument as the script wrote it (``0.1``), None when the call passes none.
    """

    var: str
    step: str
    lr: str | None


def own_training_step(tree: ast.Module, cls: type, namespace: dict[str, Any]) -> OwnStep | None:
    """The first call ``var.method(…)`` of a training method of ``cls`` (:data:`~verification.reading.
    conventions.TRAIN_NAMES`) on a name the script binds to ``cls(…)`` (or ``module.cls(…)``), at its
    top level or in a driver function (``def main():``), rewritten as :class:`OwnStep`; None when there
    is none, or when an argument is neither the data, the epoch count, a literal nor a name the module
    binds to something other than an array (data the check does not make: a held-out set, a data
    loader)."""
    for body in [flat_body(tree), *driver_bodies(tree)]:
        built = constructed_as(body, cls.__name__)
        for s in body:
            call = s.value if isinstance(s, ast.Expr | ast.Assign) else None
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id in built
                and call.func.attr in cv.methods_by_preference(cls, cv.TRAIN_NAMES)
            ):
                continue
            found = _rewritten(call, call.func.attr, getattr(cls, call.func.attr), namespace)
            if found is not None:
                return OwnStep(call.func.value.id, *found)
    return None


def _rewritten(
    call: ast.Call, attr: str, method: Any, namespace: dict[str, Any]
) -> tuple[str, str | None] | None:
    """``(step, lr)`` of ``call`` (see :func:`own_training_step`), or None."""
    params = cv.positional_parameters(method)[1:]
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    bound = list(zip([p.name for p in params], call.args, strict=False))
    bound += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    names = [p.name for p in params]
    args: list[str] = []
    lr = None
    roles = set()
    for name, node in bound:
        if name not in names:
            return None
        role = cv.role(name, names.index(name))
        roles.add(role)
        if role in ("x", "y"):
            value = role
        elif role == "iterations":
            value = "1"
        elif _as_written(node, namespace):
            value = ast.unparse(node)
            lr = value if role == "lr" else lr
        else:
            return None
        keyword = any(k.value is node for k in call.keywords)
        args.append(f"{name}={value}" if keyword else value)
    if not {"x", "y"} <= roles:
        return None
    return f"net.{attr}({', '.join(args)})", lr


def _as_written(node: ast.expr, namespace: dict[str, Any]) -> bool:
    """Whether ``node`` may be passed as the script wrote it: a literal, or a name the module binds to
    a function, a class or a number (never an array of data)."""
    if isinstance(node, ast.Constant) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)
    ):
        return True
    if isinstance(node, ast.Name) and node.id in namespace:
        value = namespace[node.id]
        return callable(value) or (isinstance(value, int | float | str) and not isinstance(value, bool))
    return False


__all__ = ["OwnStep", "own_training_step"]
