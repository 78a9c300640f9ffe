"""The loss derivative a project defines for its layers to be handed.

A layer file's backward pass takes the gradient of the loss with respect to its output (``def
backward(self, d_loss)``) and leaves the loss to the project: a training script elsewhere hands it
``binary_cross_entropy_loss_derivative(predictions, targets)`` from a module of its own
(``tools/bce.py`` beside ``model_layers/fc_layer.py``). Handed ``a − y`` instead, any correct layer is
squared error's gradient, whatever the project trains with. :func:`project_loss_derivative` finds the
one loss derivative the project defines, in the file, beside it, in the folder above and in the folders
beside its own, so that the check hands the layer what the project would. Nothing of the project's
training code is run here; the modules are loaded as the checker loads any script (definitions only).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from verification.reading.siblings import MAX_SIBLINGS, sibling_functions

LOSS_DERIVATIVE = re.compile(
    r"(loss|cost|mse|bce|entropy|squared|sse)\w*?_?(prime|deriv(ative)?|grad(ient)?|backward)$"
    r"|^d_?(loss|cost|mse|bce|cross_?entropy)$",
    re.I,
)
"""Names of a loss's derivative with respect to the output (``mse_prime``, ``d_loss``,
``binary_cross_entropy_loss_derivative``, ``cross_entropy_grad``)."""
WORDS = ("loss", "cost", "mse", "bce", "entropy", "squared", "sse")


def _two_arguments(fn: Any) -> bool:
    """Whether ``fn`` takes two arguments without defaults (the output and the labels), and any more
    with defaults only."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [
        p for p in params if p.default is inspect.Parameter.empty and p.kind == p.POSITIONAL_OR_KEYWORD
    ]
    return len(required) == 2


def project_loss_derivative(path: Path, namespace: dict[str, Any]) -> tuple[str, Any, str] | None:
    """``(name, function, where)``: the one function of two arguments named like a loss derivative
    (:data:`LOSS_DERIVATIVE`) that the file (``namespace``), the modules beside it, those of the folder
    above and those of the folders beside its own define (``where`` names the file, relative to the
    checked file's folder); None when there is none, or more than one (which the project trains with is
    then not known).

    Source: a layer's backward pass is the same for every loss once the loss's derivative with respect
    to the output, ∂ℓ/∂a, is handed to it (Nielsen, *Neural Networks and Deep Learning*, 2015, ch. 2,
    equation BP1): the loss is whatever derivative the project hands, so the check hands the project's.
    """
    path = path.resolve()  # the folders above and beside are the same whatever the working directory
    found: dict[str, tuple[Any, str]] = {
        n: (f, path.name)
        for n, f in namespace.items()
        if inspect.isfunction(f) and f.__module__ == namespace.get("__name__") and LOSS_DERIVATIVE.search(n)
    }
    folders = [(path, "")]
    parent = path.parent.parent
    if parent != path.parent:
        folders.append((path.parent, "../"))
        try:
            beside = sorted(d for d in parent.iterdir() if d.is_dir() and d != path.parent)
        except OSError:
            beside = []
        folders += [(d / "__none__.py", f"../{d.name}/") for d in beside[:MAX_SIBLINGS]]
    for folder, prefix in folders:
        for name, (fn, file) in sibling_functions(folder, WORDS).items():
            if LOSS_DERIVATIVE.search(name) and name not in found:
                found[name] = (fn, prefix + file)
    usable = {n: v for n, v in found.items() if _two_arguments(v[0])}
    if len(usable) != 1:
        return None
    name, (fn, where) = next(iter(usable.items()))
    return name, fn, where
