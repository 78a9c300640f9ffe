"""A layer's gradient read from its own update method, when its backward keeps it under a name that
says of no parameter whose gradient it is.

Layer classes often split the step in two (the layers of many small frameworks)::

    def backward(self, grads):
        self.grads_update = np.dot(self.x.T, grads)   # which parameter's? the name does not say
        return np.dot(grads, self.weights.T)

    def update(self, learning_rate):
        self.weights -= self.grads_update * learning_rate

The update method says it by the parameter it changes: :func:`applied_update` runs the layer's one
method of the rate alone (:func:`verification.adapters.rate_appliers.rate_appliers`) after the backward
pass, and the gradient is read off the change, ``(before − after) / lr``, as for a backward that
updates in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.rate_appliers import rate_appliers
from verification.units.holdings import get
from verification.units.running import Runner


def applied_update(
    runner: Runner, label: str, layer: Any, slots: dict[str, Any], params: dict[str, Any], lr: float
) -> dict[str, Any]:
    """The parameters the layer's one rate applier changes, each ``{name: value after}``; empty when
    the layer has no such method or more than one, or when it raises.

    Parameters
    ----------
    runner : Runner
        Runs the method as the check runs the layer's own code.
    label : str
        The unit's name, for a failure.
    layer : object
        The layer, after its backward pass.
    slots, params : dict
        Where each parameter is kept, and its value before the step.
    lr : float
        The learning rate handed to the method.
    """
    names = rate_appliers(layer)
    if len(names) != 1:
        return {}
    try:
        runner.call(f"{label}.{names[0]}", getattr(layer, names[0]), lr, copy=False)
    except InputError:  # the author's method fails: the gradient stays unread
        return {}
    now = {k: get(layer, s) for k, s in slots.items()}
    return {k: v for k, v in now.items() if not np.array_equal(v, params[k])}
