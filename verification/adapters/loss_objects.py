"""Loss objects handed to a network's methods.

Some backward passes take the loss as an object and ask it for the output error:
``backward(self, z_last, loss, label)`` runs ``loss.func_derivative(z_last, label)``. The check hands
such a method each loss class of the network's module that takes no argument, one candidate each
(``cross_entropy_loss()``, ``squared_loss()``); the report names the one the verdict was made with.
"""

from __future__ import annotations

import inspect
from typing import Any

from verification.adapters.compositions import LOSS_ARG, loss_class


def loss_objects(obj: Any, params: list[inspect.Parameter]) -> list[dict[str, str]]:
    """For a method of ``obj`` whose one required argument named like a loss (``loss``, ``loss_fn``,
    ``criterion``) asks for a loss object: ``[{"loss": "cross_entropy_loss()"}, …]``, one per loss
    class of ``obj``'s module that takes no argument; ``[{}]`` when none is asked for or found."""
    asked = [p.name for p in params if p.default is inspect.Parameter.empty and LOSS_ARG.fullmatch(p.name)]
    module = inspect.getmodule(type(obj))
    if module is None or len(asked) != 1:
        return [{}]
    classes = [
        c
        for c in vars(module).values()
        if isinstance(c, type) and c.__module__ == module.__name__ and loss_class(c) and not _required(c)
    ]
    return [{asked[0]: f"{c.__name__}()"} for c in classes] or [{}]


def _required(cls: type) -> list[str]:
    """The arguments constructing ``cls`` needs (``["?"]`` when its signature cannot be read)."""
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return ["?"]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.default is p.empty and p.kind in positional]
