"""Outputs returned one per sample: a forward pass that loops over the samples and returns a list.

Some hand-written forward passes take a batch but run the network on one sample at a time::

    def predict(self, input_data):
        result = []
        for i in range(len(input_data)):
            output = input_data[i]
            for layer in self.layers:
                output = layer.forward(output)
            result.append(output)
        return result

Its output for a batch of ``n`` rows is the ``n`` entries stacked as rows. The list's last entry is
the last sample's output alone; read as the network's output, it would leave the other samples out of
every batch check. :func:`sample_rows` stacks them; the loader binds it in every script's namespace as
:data:`SAMPLE_ROWS`, so the forward expression ``__backprop_verify_rows__(net.predict(x))`` runs as the
explicit form too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SAMPLE_ROWS = "__backprop_verify_rows__"
"""The name :func:`sample_rows` is bound to in a loaded script's namespace."""


def sample_rows(outputs: Any) -> np.ndarray:
    """The outputs of a forward pass that returns one per sample, stacked as rows: ``(n, k)`` from
    ``n`` entries of shape ``(k,)`` or ``(1, k)`` (:func:`numpy.vstack`)."""
    return np.vstack([np.asarray(o) for o in outputs])


def one_per_sample(one: Any, two: Any) -> bool:
    """Whether a forward pass's returned lists at one sample (``one``) and at two (``two``) hold one
    output per sample: one and two entries, arrays of the same shape, of one row each. A list of the
    layers' activations has as many entries whatever the batch."""
    if not (isinstance(one, list) and isinstance(two, list) and len(one) == 1 and len(two) == 2):
        return False
    entries = [*one, *two]
    if not all(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in entries):
        return False
    shapes = {v.shape for v in entries}
    shape = next(iter(shapes))
    return len(shapes) == 1 and (len(shape) == 1 or (len(shape) == 2 and shape[0] == 1))


def activation_list(value: tuple[Any, ...] | list[Any], given: Any) -> int | None:
    """The index of the one element of ``value`` that is a list of two or more float arrays starting with
    the inputs ``given`` (every layer's activation, the input first: ``[zs, activations]``); None when
    there is not exactly one."""
    found = [
        i
        for i, v in enumerate(value)
        if isinstance(v, list)
        and len(v) > 1
        and all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in v)
        and np.shape(v[0]) == np.shape(given)
        and np.array_equal(v[0], given)
    ]
    return found[0] if len(found) == 1 else None
