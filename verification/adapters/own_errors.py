"""Training methods that make the output error with the class's own loss and return the gradients.

``train_step(X, y)`` that runs ``self.backward(loss_func.backward(out, y))`` and returns what the backward
pass returns: the class's loss is in the training method, not in the backward pass alone (handed
``a − y``, a backward pass is squared error's gradient whatever the class trains with), so such a method
is checked before the backward pass it calls (:func:`verification.adapters.methods.gradient_candidates`).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.adapters.forwards import returns_value
from verification.reading import conventions as cv

OWN_ERROR = "makes the output error with its own loss and returns the gradients"
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
