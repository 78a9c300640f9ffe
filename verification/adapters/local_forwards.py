"""A forward pass that lives inside a gradient function: the output read from its locals.

Course code often has no forward function at all. deeplearning.ai's ``propagate(w, b, X, Y)`` and
its many copies compute the activations, the cost and the gradients in one function and return
``cost, grads``; the only other function, ``predict``, thresholds the output. The network's output is
then a local of the gradient function (``a2``), and the forward expression reads it as the function
returns (:func:`verification.reading.local_output.local_value`, bound in every loaded script as
``__backprop_verify_local__``), so the explicit form printed runs as typed. A class with no forward
method is read the same way through its evaluation method (``test(X, y)`` computes ``a`` layer by layer
and returns the accuracy): :func:`evaluator_forwards`.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading import conventions as cv
from verification.reading.local_output import LOCAL_READER
from verification.reading.source_trees import source_tree
from verification.reading.updates import returns_something

ACTIVATION = re.compile(r"^(?:a|A|h|o|out|layer|l)_?(\d+)$")
"""A numbered activation: ``a2``, ``A_3``, ``layer2``, ``o1``."""

OUTPUT_LOCALS = ("y_hat", "yhat", "y_pred", "output", "out", "probs", "predictions", "AL", "A_L")
"""Locals named for the output itself, preferred to numbered activations."""

PROPAGATORS = ("propagate", "propagation")
"""Words in the name of a function that runs forward and backward at once (``propagate(w, b, X, Y)``);
a name with ``forward`` or ``back`` in it (``forward_propagation``) is no such function."""


def output_local(fn: Any) -> str | None:
    """The local of ``fn`` that holds the network's output: one named for the output
    (:data:`OUTPUT_LOCALS`) that is assigned a whole value, else the one local the labels are
    subtracted from or subtract (``Ew = Y - t``), else the numbered activation
    (:data:`ACTIVATION`) with the highest number, else a single layer's ``A`` (deeplearning.ai's
    logistic regression); None when none is assigned.

    Nothing is run: the names are read from the source (:func:`source_tree`)."""
    tree = source_tree(fn)
    if tree is None:
        return None
    assigned = [
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    ]
    named = [n for n in OUTPUT_LOCALS if n in assigned]
    if named:
        return named[0]
    labels = [p.name for i, p in enumerate(cv.positional_parameters(fn)) if cv.role(p.name, i) == "y"]
    compared = [  # Ew = Y - t: the local the labels are subtracted from (or subtracted from the labels)
        side.id
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
        for side, other in ((node.left, node.right), (node.right, node.left))
        if isinstance(side, ast.Name)
        and side.id in assigned
        and isinstance(other, ast.Name)
        and other.id in labels
    ]
    if len(set(compared)) == 1:
        return compared[0]
    numbered = {n: int(m[1]) for n in assigned if (m := ACTIVATION.match(n))}
    last = sorted(numbered, key=numbered.__getitem__)
    if last:
        return last[-1]
    return next((n for n in ("A", "a", "h") if n in assigned), None)  # one layer: A = sigmoid(w.T @ X + b)


def local_forwards(namespace: dict[str, Any], candidates: list[str]) -> dict[str, str]:
    """Of the functions ``candidates`` (backward-like names, and :data:`PROPAGATORS`), those that
    return something and assign an output local: ``{function: local}``."""
    out = {}
    for name in candidates:
        fn = namespace.get(name)
        if fn is None or not returns_something(fn):
            continue
        local = output_local(fn)
        if local is not None:
            out[name] = local
    return out


def local_call(function: str, local: str, arguments: str) -> str:
    """The forward expression: ``__backprop_verify_local__(propagate, 'a2', x, y, w_1, b_1, w_2, b_2)``."""
    return f"{LOCAL_READER}({function}, {local!r}, {arguments})"


EVALUATORS = re.compile(r"^(test|evaluate|eval|accuracy|score|validate|predict)$", re.IGNORECASE)
"""Methods that run the network on inputs and labels and return a score of it (``test(X, y)`` returns
the accuracy), or a class prediction (``predict(X)`` returns the argmax of its output ``a3``): the last
place to read the output from, as their local (``a`` after the layers)."""


def evaluator_forwards(obj: Any, var: str) -> list[tuple[str, str, str]]:
    """The evaluation methods of ``obj`` (:data:`EVALUATORS`) that take the inputs (and the labels) and
    assign an output local, read as they return
    (:func:`~verification.reading.local_output.local_value`): ``(statements, forward, method)`` as
    :func:`~verification.adapters.forwards.forward_candidates` gives them."""
    out = []
    for m in cv.methods_by_preference(obj, (), ("",)):
        params = [p.name for p in cv.positional_parameters(getattr(obj, m)) if p.default is p.empty]
        if not EVALUATORS.match(m) or not params or cv.role(params[0], 0) != "x" or len(params) > 2:
            continue  # evaluate(X, y, tol=0.1): the defaulted tolerance is left to its default
        if m.lower() == "predict" and len(params) > 1:
            continue  # predict(x1, x2) takes no labels
        local = _before_argmax(getattr(obj, m), output_local(getattr(obj, m)))
        if local is None or not _named_or_looped(getattr(obj, m), local):
            local = _scores(getattr(obj, m))  # scores = h @ W2; return mean(argmax(scores) == y)
        if local is not None:
            args = "x, y" if len(params) == 2 else "x"
            out.append(("", f"{LOCAL_READER}({var}.{m}, {local!r}, {args})", m))
    return out


def _before_argmax(fn: Any, local: str | None) -> str | None:
    """The local a class prediction is taken of, when ``local`` is one (``y_pred = np.argmax(a3,
    axis=1)`` in ``predict``: ``a3``), else ``local``."""
    tree = source_tree(fn)
    for node in ast.walk(tree) if tree is not None and local is not None else []:
        if not (isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [local]):
            continue
        call, name = node.value, getattr(node.value, "func", None)
        if isinstance(call, ast.Call) and getattr(name, "attr", getattr(name, "id", "")) == "argmax":
            inner = call.args[0] if call.args else getattr(call.func, "value", None)
            return inner.id if isinstance(inner, ast.Name) else local
    return local


def _named_or_looped(fn: Any, local: str) -> bool:
    """Whether ``local`` of an evaluation method can be its output: named for the output or numbered
    (``a2``), or a single-layer name (``a``) assigned in a loop over the layers. A hidden layer's ``h``
    beside scores the method never names is not taken for the output."""
    if local in OUTPUT_LOCALS or ACTIVATION.match(local):
        return True
    tree = source_tree(fn)
    return tree is not None and any(
        isinstance(node, ast.For)
        and any(
            isinstance(inner, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == local for t in inner.targets)
            for inner in ast.walk(node)
        )
        for node in ast.walk(tree)
    )


SCORES = ("scores", "logits")
"""Locals of an evaluation method that hold the scores its accuracy takes the argmax of: the output of
a forward pass that ends at the scores (the softmax inside the loss, read by the output readings)."""


def _scores(fn: Any) -> str | None:
    """The local an evaluation method takes the argmax of (``np.argmax(a_o, axis=1)``, ``z.argmax(1)``),
    else one named like scores (:data:`SCORES`); None when it assigns neither."""
    tree = source_tree(fn)
    if tree is None:
        return None
    assigned = {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    for node in ast.walk(tree):
        held = _argmax_of(node) if isinstance(node, ast.Call) else None
        if isinstance(held, ast.Name) and held.id in assigned:
            return held.id
    return next((n for n in SCORES if n in assigned), None)


def _argmax_of(call: ast.Call) -> ast.expr | None:
    """What ``np.argmax(v, …)``, ``argmax(v)`` or ``v.argmax(…)`` takes the argmax of; None for another
    call."""
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr == "argmax":
        numpy = isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")
        return (call.args[0] if call.args else None) if numpy else f.value
    if isinstance(f, ast.Name) and f.id == "argmax":
        return call.args[0] if call.args else None
    return None
