"""Training methods that make the output error with the class's own loss and return the gradients.

``train_step(X, y)`` that runs ``self.backward(loss_func.backward(out, y))`` and returns what the backward
pass returns: the class's loss is in the training method, not in the backward pass alone (handed
``a − y``, a backward pass is squared error's gradient whatever the class trains with), so such a method
is checked before the backward pass it calls (:func:`verification.adapters.methods.gradient_candidates`).
"""

from __future__ import annotations

import ast
import inspect
import re
import shlex
from pathlib import Path
from typing import Any

from ffnn.validation import InputError
from verification.adapters.forwards import returns_value
from verification.reading import conventions as cv
from verification.reading.loss_derivatives import project_loss_derivative
from verification.reading.source_trees import source_file, source_tree

OWN_ERROR = "makes the output error with its own loss; its gradients are read from what it returns or keeps"
"""The note of a training method :func:`_error_computing` found."""


def error_computing(obj: Any, grads: list[str], trains: list[str]) -> list[str]:
    """The training methods that return what a gradient method taking the output error returns, the
    error made by their own loss: ``train_step(X, y)`` that runs ``self.backward(loss_func.backward(out,
    y))`` and returns the gradients. The class's loss is in them, and not in the backward pass alone
    (given ``a − y`` it is squared error's gradient whatever the class trains with)."""
    takes_error = [
        g
        for g in grads
        if "y" not in {cv.role(p.name, i) for i, p in enumerate(cv.positional_parameters(getattr(obj, g)))}
    ]
    out = []
    for t in trains:
        fn = getattr(type(obj), t, None)
        roles = {cv.role(p.name, i) for i, p in enumerate(cv.positional_parameters(getattr(obj, t)))}
        try:
            source = inspect.getsource(fn) if fn is not None else ""
        except (OSError, TypeError):
            continue
        calls = any(re.search(rf"self\.{re.escape(g)}\(", source) for g in takes_error)
        if calls and "y" in roles and returns_value(obj, t):
            out.append(t)
    return out


LOSS_GRADIENT = re.compile(
    r"^_?(compute_?|get_?|calc(ulate)?_?)?(loss|cost|error)_?(grad(ient)?|deriv(ative)?|prime)$|^d_?(loss|cost)$",
    re.I,
)
"""A method that makes the output error from the output and the labels (``compute_loss_gradient(A, Y)``,
``cost_derivative``, ``loss_prime``)."""


def own_loss_gradient(cls: type, var: str, out: str, setup: str = "") -> str | None:
    """``net.compute_loss_gradient(out, y)``: the error a class's own loss-gradient method makes from the
    output and the labels (:data:`LOSS_GRADIENT`; two arguments, the labels second), handed to a backward
    pass that takes the output error when the class itself never calls it (a trainer in another module
    does, ``self.model.backward(self.model.compute_loss_gradient(A, Y))``): its loss, not a guessed
    ``a − y``, which makes any correct backward pass squared error's gradient. None when there is none.
    ``setup`` (what built ``var``) goes into the refusal's hint.

    Raises
    ------
    InputError
        With cause ``ambiguous``, when that method picks its loss by an attribute compared with two or more
        strings (``if self.loss_function == 'mse': … elif … == 'cross_entropy': …``) that the setup does
        not name: which one the code trains with is the setup's choice.
    """
    for name in cv.methods_by_preference(cls, (), ("loss", "cost", "error")):
        fn = getattr(cls, name, None)
        if not LOSS_GRADIENT.match(name) or not inspect.isfunction(fn):
            continue
        required = [p for p in cv.positional_parameters(fn)[1:] if p.default is inspect.Parameter.empty]
        if len(required) != 2 or cv.role(required[1].name, 1) != "y":
            continue
        branches = _compared_attributes(fn)
        for attribute, values in branches.items():
            if len(values) > 1 and not re.search(rf"\b{re.escape(attribute)}\b", setup):  # unpinned
                exc = InputError(
                    f"{cls.__name__}'s backward pass is handed the output error by {name}, whose loss "
                    f"depends on self.{attribute} ({', '.join(map(repr, values))}): which one the code "
                    "trains with is the setup's choice",
                    hint=f"give the setup with {attribute} set, e.g. --setup "
                    + shlex.quote(f"{setup}; {var}.{attribute} = {values[-1]!r}".lstrip("; ")),
                )
                exc.cause = "ambiguous"  # type: ignore[attr-defined]
                raise exc
        return f"{var}.{name}({out}, y)"
    return None


def _compared_attributes(fn: Any) -> dict[str, list[str]]:
    """``{attribute: [strings]}`` of ``self.attribute == 'string'`` comparisons in ``fn``'s source."""
    tree = source_tree(fn)
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree) if tree is not None else []:
        if not isinstance(node, ast.Compare) or len(node.comparators) != 1:
            continue
        left, right = node.left, node.comparators[0]
        if (
            isinstance(left, ast.Attribute)
            and isinstance(left.value, ast.Name)
            and left.value.id == "self"
            and isinstance(right, ast.Constant)
            and isinstance(right.value, str)
        ):
            found.setdefault(left.attr, [])
            if right.value not in found[left.attr]:
                found[left.attr].append(right.value)
    return found


def project_error(cls: type, method: str, out: str) -> tuple[str, str] | None:
    """``(error, note)``: the output error made by the one loss derivative the class's project defines
    (:func:`verification.reading.loss_derivatives.project_loss_derivative`), called on the output and
    the labels in the order its arguments name them (``binary_cross_entropy_loss_derivative(out, y)``),
    for a backward pass that takes the error when neither the class nor any code beside it hands it
    one; the function is bound in the class's module under its name, and the note (to follow the
    error in a sentence) says where it came from. None when the project defines none, or several."""
    fn = getattr(cls, method, None)
    source = source_file(cls) if inspect.isclass(cls) else None
    namespace = getattr(fn, "__globals__", None)
    if source is None or namespace is None:
        return None
    found = project_loss_derivative(Path(source), namespace)
    if found is None:
        return None
    name, derivative, where = found
    bound = namespace.setdefault(name, derivative)
    if bound is not derivative and _where(bound) != _where(derivative):  # the name means something else
        return None
    first = cv.positional_parameters(derivative)[0].name
    args = f"y, {out}" if cv.role(first, 1) == "y" else f"{out}, y"
    return f"{name}({args})", f"the project's own loss derivative (from {where}), not a guessed a - y"


def _where(fn: Any) -> tuple[str, int] | None:
    """The file and line a function is defined at: the same function imported by the file and loaded
    from its module by the check are two objects of one definition."""
    code = getattr(fn, "__code__", None)
    return (str(Path(code.co_filename).resolve()), code.co_firstlineno) if code is not None else None


def error_handed(cls: type, var: str, method: str, out: str, setup: str, usual: str) -> tuple[str, list[str]]:
    """The output error a backward pass taking one is handed when no code in the files hands it one, and
    the note that says so: the class's own loss gradient (:func:`own_loss_gradient`), else the project's
    one loss derivative (:func:`project_error`) unless the file's own code hands another error, else
    ``usual`` (``out - y``) with no note."""
    own = own_loss_gradient(cls, var, out, setup)  # loss_gradient(out, y)
    found = project_error(cls, method, out) if own is None else None
    if own is None:  # a helper of another file never beats what the file's own training code hands
        _refuse_handed_elsewhere(cls, method, usual if found is None else found[0])
    return (own, []) if own else (found[0], [found[1]]) if found else (usual, [])


def _refuse_handed_elsewhere(cls: type, method: str, usual: str) -> None:
    """Refuse as ``ambiguous`` a backward pass taking the output error that code of its file outside the
    class hands something other than a difference or a call of the function ``usual`` calls
    (``model.backward(criterion.backward())`` in a ``train`` function, where ``usual`` is ``out - y`` or
    a loss derivative of a file beside it, ``cross_entropy_grad(out, y)``): handed ``usual`` instead, a
    correct backward pass is the gradient of ``usual``'s loss, whatever loss the file trains with."""
    path = source_file(cls)
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, SyntaxError, ValueError):
        return
    call = handed_outside(tree, cls.__name__, method) if tree is not None else None
    given = call.args[0] if call is not None else None
    if call is None or (isinstance(given, ast.Call) and usual.startswith(f"{ast.unparse(given.func)}(")):
        return
    handed = ast.unparse(call.args[0])
    exc = InputError(
        f"{cls.__name__}.{method} takes the output error, and the file's training code hands it "
        f"{handed} (line {call.lineno}), which the check does not read: handed {usual} in its "
        "stead, a correct backward pass is squared error's gradient whatever the file trains with",
        hint=f"give the error that code hands it in the explicit form: --gradient "
        f"'out = …forward(x); …{method}(<{handed} for out and y>)'",
    )
    exc.cause = "ambiguous"  # type: ignore[attr-defined]
    raise exc


def handed_outside(tree: ast.Module, name: str, method: str) -> ast.Call | None:
    """The first call ``obj.method(arg)`` outside class ``name`` whose one argument is no difference,
    on a receiver that no loop binds (``for layer in reversed(layers): grad = layer.backward(grad)``
    drives the layers' own backward, not the network's)."""
    inside = {id(n) for c in tree.body if isinstance(c, ast.ClassDef) and c.name == name for n in ast.walk(c)}
    looped = {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.For)
        for t in ast.walk(n.target)
        if isinstance(t, ast.Name)
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or id(node) in inside:
            continue
        receiver = node.func.value
        if (
            node.func.attr != method
            or len(node.args) != 1
            or (isinstance(receiver, ast.Name) and receiver.id in looped)
        ):
            continue
        if not (isinstance(node.args[0], ast.BinOp) and isinstance(node.args[0].op, ast.Sub)):
            return node
    return None
