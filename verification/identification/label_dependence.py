"""Whether the gradient the code gives depends on the labels at all.

The gradient of a loss of the output and the labels changes with the labels: for squared error by
``−Δy``, for cross-entropy by the class's one-hot vector moved. A gradient that stays the same, bit for
bit, when the labels change is no loss's gradient that the check can read: the method called returns
gradients an earlier backward pass stored (``get_params_and_grads()`` after a forward pass only), or the
code reads labels it keeps elsewhere. Judged as they are, such gradients would be called the gradient of
no loss, a bug the code does not have; :func:`refuse_label_blind` refuses the check instead, naming what
to give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.subject import Subject

Array = NDArray[Any]


def other_labels(y: Array) -> Array:
    """Labels that differ from ``y`` in every sample: each one-hot row moved to the next class, or a
    single output's ``1 − y`` (0 and 1 swapped; any other value moved)."""
    if y.ndim == 2 and y.shape[1] > 1:
        return np.roll(y, 1, axis=1)
    moved = 1.0 - y
    return np.where(moved == y, y + 1.0, moved)  # ½ stays ½ under 1 − y


def refuse_label_blind(subject: Subject, params: Any, x: Array, y: Array, gradient: dict[str, Any]) -> None:
    """Raise when the code's gradient at ``params`` and ``x`` is the same for labels that differ from ``y``
    in every sample (see the module docstring); nothing when it differs, or when the code does not run at
    the other labels (a label format it refuses is not this).

    Raises
    ------
    InputError
        Cause ``input``, naming the gradient's tensors.
    """
    try:
        again, _ = subject.gradient(params, x, other_labels(y))
    except InputError:
        return
    same = [
        n
        for n, g in gradient.items()
        if n in again and np.shape(again[n]) == np.shape(g) and np.array_equal(again[n], g)
    ]
    if gradient and len(same) == len(gradient):
        raise InputError(
            f"the gradient the code gives ({', '.join(same)}) is the same for other labels: it is no loss's "
            "gradient the check can read (a method that returns what an earlier backward pass stored, or "
            "labels kept where the check does not put them)",
            hint="give the step that computes the gradient from the labels: --gradient "
            "'out = net.forward(x); net.backward(y); net.grads' (or --step and --lr)",
        )
