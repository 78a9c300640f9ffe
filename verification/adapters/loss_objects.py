"""Loss and optimiser objects handed to a network's methods.

Some backward passes take the loss as an object and ask it for the output error:
``backward(self, z_last, loss, label)`` runs ``loss.func_derivative(z_last, label)``. The check hands
such a method each loss class of the network's module that takes no argument, one candidate each
(``cross_entropy_loss()``, ``squared_loss()``); the report names the one the verdict was made with.

Small frameworks also keep the loss and the optimiser in modules of their own and hand both to the
network's training method: ``Network.train(self, X, y, loss_fn, optimizer, epochs=1000)`` beside
``losses.py`` (``class MSE``) and ``optimizers.py`` (``class SGD``). A method asking for a loss object
is then handed the one loss class of the modules beside the network's file when its own module has none,
and one asking for an optimiser the project's one plain gradient-descent optimiser
(:data:`PLAIN_DESCENT`), its learning rate given by name (``SGD(learning_rate=lr)``), so that the step
is the author's own training code run once (Bottou, Curtis & Nocedal, "Optimization methods for
large-scale machine learning", SIAM Review 60(2), 2018, §4: the step of SGD is ``−α ∇ℓ``, so the
update divided by ``−α`` is the gradient). An optimiser that keeps state between steps (momentum, Adam)
or scales the gradient by it is never handed: its step is no multiple of the gradient, and a verdict
made from it would be wrong.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from verification.adapters.compositions import LOSS_ARG, loss_class
from verification.reading import conventions as cv
from verification.reading.siblings import sibling_functions

OPTIMIZER_ARG = re.compile(r"optimi[sz]er|optim|opt|solver", re.I)
"""A training method's argument that takes the optimiser."""
PLAIN_DESCENT = re.compile(r"sgd|gradient_?descent|^gd$", re.I)
"""Names of a plain gradient-descent optimiser, whose step is ``−lr ∇ℓ``."""
STATEFUL = re.compile(r"adam|rms|momentum|adagrad|adadelta|nesterov|nadam|adamax", re.I)
"""Names of an optimiser whose step is not a fixed multiple of the gradient."""
STEP_METHODS = ("step", "update", "apply", "optimize", "optimise")


def with_objects(
    obj: Any, params: list[inspect.Parameter], method: Any, givens: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[str], bool]:
    """Each of ``givens`` (arguments by name) with the loss object (:func:`loss_objects`) and the
    optimiser (:func:`optimizer_objects`) ``method`` asks for, the optimiser's notes, and whether its
    learning rate is given."""
    optimizer, notes, rated = optimizer_objects(obj, params, method)
    return (
        [g | objects | optimizer for g in givens for objects in loss_objects(obj, params, method)],
        notes,
        rated,
    )


def loss_objects(obj: Any, params: list[inspect.Parameter], method: Any = None) -> list[dict[str, str]]:
    """For a method of ``obj`` whose one required argument named like a loss (``loss``, ``loss_fn``,
    ``criterion``) asks for a loss object: ``[{"loss": "cross_entropy_loss()"}, …]``, one per loss
    class of ``obj``'s module that takes no argument (else the one of the modules beside its file,
    bound in its module under its name, when ``method`` calls a method of the argument: ``loss_fn.grad(out,
    y)``); ``[{}]`` when none is asked for or found, or several beside."""
    asked = [p.name for p in params if p.default is inspect.Parameter.empty and LOSS_ARG.fullmatch(p.name)]
    module = inspect.getmodule(type(obj))
    if module is None or len(asked) != 1:
        return [{}]
    own = [c for c in vars(module).values() if isinstance(c, type) and c.__module__ == module.__name__]
    if not any(loss_class(c) for c in own) and not _calls_methods_of(method, asked[0]):
        return [{}]  # backward(self, x, error): an array handed, unless the method calls error.grad(…)
    classes = project_classes(module, lambda c: loss_class(c) and not _required(c))
    if len(classes) > 1 and set(classes.values()) != {Path(getattr(module, "__file__", "") or "").name}:
        return [{}]  # several beside the file: which one the project trains with is not known
    return [{asked[0]: f"{name}()"} for name in classes] or [{}]


def optimizer_objects(
    obj: Any, params: list[inspect.Parameter], method: Any
) -> tuple[dict[str, str], list[str], bool]:
    """``({argument: "SGD(learning_rate=lr)"}, notes, rated)`` for a method of ``obj`` with one required
    argument named like an optimiser (:data:`OPTIMIZER_ARG`) whose methods ``method`` calls
    (``optimizer.step(self.layers)``), when the project defines exactly one plain
    gradient-descent optimiser (named like :data:`PLAIN_DESCENT` and not :data:`STATEFUL`, with a
    step method, its constructor needing no argument but perhaps taking a learning rate by one of its
    usual names); ``rated`` says whether the rate was given (else the step is read up to scale, or at
    a rate the optimiser's own code names). ``({}, [], False)`` otherwise."""
    asked = [
        p.name for p in params if p.default is inspect.Parameter.empty and OPTIMIZER_ARG.fullmatch(p.name)
    ]
    module = inspect.getmodule(type(obj))
    if module is None or len(asked) != 1 or not _calls_methods_of(method, asked[0]):
        return {}, [], False
    found = project_classes(module, plain_descent)
    if len(found) != 1:
        return {}, [], False
    name, where = next(iter(found.items()))
    rates = [
        p.name
        for p in cv.positional_parameters(vars(module)[name])
        if p.name.lower() in cv.lower(cv.LR_NAMES)
    ]
    made = f"{name}({rates[0]}=lr)" if rates else f"{name}()"
    return {asked[0]: made}, [f"the optimiser handed is the project's own {made} (from {where})"], bool(rates)


def _calls_methods_of(method: Any, name: str) -> bool:
    """Whether the source of ``method`` calls a method of its argument ``name`` (``loss_fn.grad(…)``):
    the argument is an object, not an array handed in."""
    try:
        source = inspect.getsource(method)
    except (OSError, TypeError):
        return False
    return re.search(rf"\b{re.escape(name)}\.\w+\(", source) is not None


def plain_descent(cls: type) -> bool:
    """A plain gradient-descent optimiser: named so, with a step method, whose constructor needs
    nothing but may take a learning rate by one of its usual names."""
    if not PLAIN_DESCENT.search(cls.__name__) or STATEFUL.search(cls.__name__):
        return False
    if not any(callable(getattr(cls, m, None)) for m in STEP_METHODS):
        return False
    params = cv.positional_parameters(cls)
    rates = [p for p in params if p.name.lower() in cv.lower(cv.LR_NAMES)]
    return len(rates) <= 1 and not [p for p in params if p.default is p.empty and p not in rates]


def project_classes(module: Any, wanted: Any) -> dict[str, str]:
    """The classes ``wanted`` holds for, by name, with the file each comes from: those of ``module``
    itself, else those of the modules beside its file (:func:`~verification.reading.siblings.
    sibling_functions`), each bound in ``module`` under its name (a name ``module`` already binds to
    something else is passed over)."""
    own = {
        n: Path(getattr(module, "__file__", "") or "").name
        for n, c in vars(module).items()
        if isinstance(c, type) and c.__module__ == module.__name__ and wanted(c)
    }
    path = getattr(module, "__file__", None)
    if own or not path:
        return own
    found = {}
    for name, (cls, file) in sorted(sibling_functions(Path(path), ("",), kind=inspect.isclass).items()):
        if not wanted(cls) or vars(module).setdefault(name, cls) is not cls:
            continue
        found[name] = file
    return found


def _required(cls: type) -> list[str]:
    """The arguments constructing ``cls`` needs (``["?"]`` when its signature cannot be read)."""
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return ["?"]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.default is p.empty and p.kind in positional]
