"""Calls that finish a network's construction before it is checked: the methods that make its weights
after the constructor (:func:`initialisers`: ``init_weights()``, ``build()``, ``init_weights(X)``), and
one first call of a training method that makes them where it first sees data (:func:`warm_ups`)."""

from __future__ import annotations

import inspect
import re

from verification.reading import conventions as cv
from verification.reading.call_arguments import call_arguments
from verification.reading.deferred_weights import initialising_methods
from verification.reading.guesses import guessed_arguments

INITIALISER = re.compile(
    r"^_?(init|initiali[sz]e|build|setup|set_up|create|make|reset|generate"
    r"|generar|inicializar|crear|construir|gerar|inicializa|criar)(_\w+)?$",  # in Spanish and Portuguese
    re.I,
)
"""Methods that make a network's weights after it is constructed (``initialize_parameters()``,
``init_weights()``, ``build()``)."""


def initialisers(cls: type, var: str) -> list[str]:
    """Calls of the methods of ``cls`` named like an initialiser (:data:`INITIALISER`) that need no
    argument, or only ones whose names say their value (:func:`guessed_arguments`), or the data
    (``init_weights(X)``, handed :data:`WARM_UP_DATA`): the weights of a class whose constructor
    leaves them to such a method."""
    out = []
    for name, fn in inspect.getmembers(cls, inspect.isfunction):
        if name == "__init__" or not INITIALISER.match(name):
            continue
        params = cv.positional_parameters(fn)[1:]
        required = [p for p in params if p.default is inspect.Parameter.empty]
        if not required:
            out.append(f"{var}.{name}()")
            continue
        for guessed in guessed_arguments(fn)[:1]:
            args = ", ".join(f"{k}={v!r}" for k, v in guessed.items() if k != params[0].name or k in guessed)
            out.append(f"{var}.{name}({args})")
        data = call_arguments(params, lambda i, p: {"x": "_x", "y": "_y"}.get(cv.role(p.name, i) or ""))
        if data is not None and "_x" in data:  # init_weights(X): sized by the data it is handed
            call = f"{var}.{name}({', '.join(data)})"
            labelled = WARM_UP_LABELS[: 2 if "_y" in data else 1]
            out += [f"{WARM_UP_DATA}{labels}; {call}" for labels in labelled]
    return out


WARM_UP_DATA = "import numpy as _np; _x = _np.random.default_rng(0).standard_normal((6, 4)); "
"""Inputs of the call that makes a network's weights: 6 samples of 4 features (rows)."""
WARM_UP_LABELS = ("_y = _np.arange(6) % 3", "_y = _np.eye(3)[_np.arange(6) % 3]")
"""Its labels, all of 3 classes present: class indices, then one-hot rows."""


def warm_ups(cls: type, var: str) -> list[str]:
    """Calls that make the weights of a class that creates them in its training method
    (:mod:`verification.reading.deferred_weights`): the method run once on :data:`WARM_UP_DATA`, its
    arguments given by their names."""
    out = []
    values = {"x": "_x", "y": "_y", "iterations": "1", "lr": "0.1"}
    for method in initialising_methods(cls):
        params = cv.positional_parameters(getattr(cls, method))[1:]  # self
        args = call_arguments(params, lambda i, p: values.get(cv.role(p.name, i) or ""))
        if args is not None:
            call = f"{var}.{method}({', '.join(args)})"
            out += [f"{WARM_UP_DATA}{labels}; {call}" for labels in WARM_UP_LABELS]
    return out
