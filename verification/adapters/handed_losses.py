"""A loss and its derivative handed to a training method: ``train(X, y, epochs, lr, loss_fn, loss_fn_deriv)``.

A container in the style of the layer-object tutorials takes the loss as two functions and calls them
itself (``error = loss_fn_deriv(y, output)``), then back-propagates the error through its layers. A
project that defines such a pair beside the network (``mse``, ``mse_prime``) has it handed by the
setups (:func:`verification.adapters.compositions.function_arguments`); where the module defines none
(the script that names the pair is not there), the check hands the catalog's ``mse`` and its derivative
``∂ℓ/∂a = a − y``, in the order of the arguments the method itself calls them with. The verdict is then
about the layers: a backward pass that propagates ``a − y`` correctly is the gradient of ``mse``, and
the report says the derivative was handed in (Nielsen, *Neural Networks and Deep Learning*, ch. 2: the
backward pass is the same for any loss once ``∂ℓ/∂a`` is given).
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from verification.adapters.compositions import LOSS_ARG, LOSS_ORDER, LOSS_PRIME_ARG, derivative_pairs
from verification.reading import conventions as cv
from verification.reading.source_trees import source_tree

MSE = "(lambda {a}, {b}: 0.5 * float(((({out}) - ({lab})) ** 2).sum()))"
"""The catalog's mse, ½ Σ (a − y)², as a function of the two arguments in the method's order."""
MSE_PRIME = "(lambda {a}, {b}: ({out}) - ({lab}))"
"""Its derivative with respect to the output, ``a − y``."""


def _per_sample(tree: ast.AST, labels: set[str]) -> set[str]:
    """The names a loop or an index gives one label (``for xi, yi in zip(X, y)``, ``yi = y[i]``)."""
    found = set(labels)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Name)
            and node.iter.func.id == "zip"
            and isinstance(node.target, ast.Tuple)
            and len(node.target.elts) == len(node.iter.args)
        ):
            found |= {
                t.id
                for t, a in zip(node.target.elts, node.iter.args, strict=True)
                if isinstance(t, ast.Name) and isinstance(a, ast.Name) and a.id in labels
            }
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Subscript)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in labels
        ):
            found.add(node.targets[0].id)
    return found


def _label_first(method: Any, derivative: str, labels: set[str]) -> bool | None:
    """Whether the method calls ``derivative`` with the labels (or one of them, :func:`_per_sample`)
    first (``loss_fn_deriv(y, output)``), False when second, None when it never calls it with two
    arguments one of which is the labels."""
    tree = source_tree(method)
    labels = _per_sample(tree, labels) if tree is not None else labels
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == derivative:
            names = [a.id if isinstance(a, ast.Name) else "" for a in node.args]
            if len(names) == 2 and (names[0] in labels) != (names[1] in labels):
                return names[0] in labels
    return None


def handed_losses(obj: Any, method: Any, params: list[inspect.Parameter]) -> tuple[dict[str, str], list[str]]:
    """Arguments ``{loss_fn: expression, loss_fn_deriv: expression}`` and the note saying so, for a
    method that takes a loss and its derivative (:data:`~verification.adapters.compositions.LOSS_ARG`,
    :data:`~verification.adapters.compositions.LOSS_PRIME_ARG`) when the object's module defines no such
    pair; ``({}, [])`` for any other method, or when the order the method calls the derivative with
    cannot be read."""
    required = [p.name for p in params if p.default is inspect.Parameter.empty]
    loss = next((n for n in required if LOSS_ARG.fullmatch(n) and not LOSS_PRIME_ARG.fullmatch(n)), None)
    derivative = next((n for n in required if LOSS_PRIME_ARG.fullmatch(n)), None)
    module = inspect.getmodule(type(obj))
    functions = [n for n, f in vars(module).items() if inspect.isfunction(f)] if module is not None else []
    if loss is None or derivative is None or derivative_pairs(functions, LOSS_ORDER):
        return {}, []
    labels = {p.name for i, p in enumerate(params) if cv.role(p.name, i) == "y"}
    first = _label_first(method, derivative, labels)
    if first is None:
        return {}, []
    names = {"a": "y_true", "b": "y_pred"} if first else {"a": "y_pred", "b": "y_true"}
    forms = {"out": "y_pred", "lab": "y_true"} | names
    note = (
        f"the module defines no loss for {loss}, {derivative}: handed mse, ½ Σ (a − y)², and its derivative "
        f"a − y ({derivative}({names['a']}, {names['b']}), the order the method calls it with)"
    )
    return {loss: MSE.format(**forms), derivative: MSE_PRIME.format(**forms)}, [note]
