"""Whether the network a setup built is linear in its inputs, which hides what the verdict cannot see.

A constructor whose defaults leave every layer without an activation (``activation_list=None`` making
each layer ``linear``), or a guessed setup that hands every layer the identity, builds a network whose
output is an affine function of its input. Its backward pass can still be checked, and the verdict is
true of that network; but a bug in an activation's derivative, or the pre-activation used where the
activation belongs, cannot show in it: the two are equal. :func:`linear_note` tells the report so.

The test is the midpoint identity of an affine map: for inputs ``x₁``, ``x₂`` and their midpoint
``m``, ``f(m) = (f(x₁) + f(x₂)) / 2`` exactly for an affine ``f`` (up to rounding), and off by the
curvature of any activation between layers (a sigmoid's or a tanh's second derivative, a ReLU's kink
between ``x₁`` and ``x₂``). Only networks of at least two weight matrices are reported: one affine
layer (a linear regression) is what it says.
"""

from __future__ import annotations

import numpy as np

from ffnn.validation import InputError
from verification.adapters.subject import Subject

TOLERANCE = 1e-9
"""Relative midpoint defect below which the output is taken as affine: far above float64 rounding
through a few layers (about 1e-15 per operation) and far below an activation's curvature at inputs of
unit scale (a sigmoid's second derivative reaches 0.1)."""


PAIRS = 4
"""Pairs of inputs tried: a ReLU network is affine within one region of its units' signs, and two
inputs may fall in one region; across four pairs of widely spread inputs (:data:`SPREAD`) every hidden
unit of a network that has an activation changes sign on some segment but with negligible odds."""
SPREAD = 3.0
"""Scale of the inputs drawn (standard normal times this)."""


def linear_note(subject: Subject, seed: int = 0) -> str | None:
    """The note for a network of two or more weight matrices whose output is affine in its inputs, else
    None (also when the forward pass cannot be run: the check then says why).

    Parameters
    ----------
    subject : Subject
        Built, at its setup's parameters (``subject.parameters``).
    seed : int
        Seed of the inputs drawn (:data:`PAIRS` pairs, one sample each, standard normal × :data:`SPREAD`).
    """
    matrices = [n for n, v in subject.parameters.items() if np.ndim(v) == 2 and min(np.shape(v)) > 1]
    if len(matrices) < 2:
        return None
    rng = np.random.default_rng(seed)
    for _ in range(PAIRS):
        x1, x2 = SPREAD * rng.standard_normal((2, 1, subject.n_inputs))
        try:
            f1, f2, fm = (subject.forward(subject.parameters, x) for x in (x1, x2, (x1 + x2) / 2))
        except (InputError, ValueError, TypeError, FloatingPointError):
            return None
        finally:
            subject.restore()
        scale = max(float(np.max(np.abs(f1))), float(np.max(np.abs(f2))), np.finfo(float).tiny)
        if float(np.max(np.abs(fm - (f1 + f2) / 2))) > TOLERANCE * scale:
            return None  # curved between these two inputs: an activation is there
    return (
        "the network as built is linear in its inputs (no activation between its layers): the verdict "
        "holds for it, but a wrong activation derivative, or a pre-activation used for an activation, "
        "cannot show in it; check it with a setup that gives its layers activations"
    )
