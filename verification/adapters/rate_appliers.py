"""A backward pass that leaves its gradients in the layers, and a method of the rate alone that applies them.

Small frameworks split the step in two::

    def backward(self, dc_da):            # each layer keeps self.grad = (dc_dw, dc_db)
        for layer in reversed(self.layers):
            dc_da = layer.backward(dc_da)
        return dc_da                       # the input's gradient, no parameter's

    def descend(self, lr):                 # then: every layer steps along what it kept
        for layer in self.layers:
            layer.descend(lr)

The backward's return value is no parameter's gradient, and the gradients it keeps are in tuples under
a name that says nothing of which parameter each is; the step that applies them says it by the
parameter it changes. :func:`applied_steps` makes of every returned-gradient candidate ``… ;
net.backward(out - y)`` the update candidate ``… ; net.backward(out - y); net.descend(lr)``, for each
method of the network that takes only a learning rate (:func:`rate_appliers`), read as any update is
(``(before − after) / lr``).
"""

from __future__ import annotations

import inspect
from typing import Any

from verification.adapters.method_context import Candidate
from verification.reading import conventions as cv


def rate_appliers(obj: Any) -> list[str]:
    """The public methods of ``obj`` whose one required argument (besides ``self``) is named like a
    learning rate (``descend(self, lr)``, ``update(self, learning_rate)``), setters (``set_lr``) left
    out."""
    out = []
    for name, fn in inspect.getmembers(type(obj), inspect.isfunction):
        if name.startswith(("_", "set", "get")):
            continue
        params = cv.positional_parameters(fn)[1:]
        required = [p for p in params if p.default is inspect.Parameter.empty]
        if len(required) == 1 and cv.role(required[0].name, 1) == "lr":
            out.append(name)
    return out


def applied_steps(obj: Any, var: str, returned: list[Candidate]) -> list[Candidate]:
    """One update candidate per returned-gradient candidate and rate applier of ``obj`` (bound as
    ``var``): the candidate's code, then the applier given the check's rate; its note says so."""
    return [
        (
            "update",
            f"{code}; {var}.{name}(lr)",
            "0.1",
            [*notes, f"the step: {name}(lr) after the backward pass"],
        )
        for _, code, _, notes in returned
        for name in rate_appliers(obj)
    ]
