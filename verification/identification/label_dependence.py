"""Whether the gradient the code gives depends on the labels at all.

The gradient of a loss of the output and the labels changes with the labels: for squared error by
``−Δy``, for cross-entropy by the class's one-hot vector moved. A gradient that stays the same, bit for
bit, when the labels change is no loss's gradient that the check can read: the method called returns
gradients an earlier backward pass stored (``get_params_and_grads()`` after a forward pass only), or the
code reads labels it keeps elsewhere. Judged as they are, such gradients would be called the gradient of
no loss, a bug the code does not have; :func:`refuse_label_blind` refuses the check instead, naming what
to give. A gradient the labels do not change but the inputs do is computed by the call, and blind to the
loss by the code's own bug (a layer's backward that drops the gradient it is handed): it is judged;
unless the call hands the code no labels at all (``net.backward(x)`` of an autoencoder, whose target is
its own input, of the inputs' width): then it differentiates a loss of something else, and the check
is refused.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.subject import Subject

Array = NDArray[Any]


def other_labels(y: Array) -> list[Array]:
    """Labels to take the gradient at again, each of the shape of ``y`` (samples × outputs, float64, one-hot
    rows or one value per sample), each changing ``y`` in another way, so that units dead at
    the draw cannot hide the change from all of them: every one-hot row moved to the class after the
    first sample's (every single output set to ``1 − y₀``), which changes the labels' sums over the
    samples; ``y + 1``, which changes every entry and every sum; and ``1 − y``, which changes the class
    of a label read through its largest entry."""
    if y.ndim == 2 and y.shape[1] > 1:
        moved = np.tile(np.eye(y.shape[1])[(int(np.argmax(y[0])) + 1) % y.shape[1]], (y.shape[0], 1))
    else:
        first = float(np.ravel(y)[0])
        moved = np.full(np.shape(y), 1.0 - first if 1.0 - first != first else first + 1.0)
    return [moved, y + 1.0, 1.0 - y]


def _put_back(gradient: dict[str, Any], saved: dict[str, Array]) -> None:
    """Write the saved copies back into the gradient's arrays, which the code may have refilled."""
    for n, g in gradient.items():
        if isinstance(g, np.ndarray) and g.flags.writeable and g.shape == saved[n].shape:
            np.copyto(g, saved[n])


def _stale(
    subject: Subject, params: Any, x: Array, y: Array, gradient: dict[str, Any], saved: dict[str, Array]
) -> bool:
    """Whether the gradient is also the same at other inputs (``x + 1``, the same labels): values no call
    computed, rather than a backward pass that ignores the loss's gradient (a sigmoid layer's backward
    that returns ``s (1 − s)`` without the gradient it is handed: a bug, which the verdict then names)."""
    try:
        again = {n: np.array(g, copy=True) for n, g in subject.gradient(params, x + 1.0, y)[0].items()}
    except InputError:
        return False
    finally:
        _put_back(gradient, saved)
    return all(n in again and np.array_equal(again[n], g) for n, g in saved.items())


def _hands_labels(subject: Subject) -> bool:
    """Whether the setup, forward or gradient call of ``subject``'s recipe reads the labels ``y`` (True
    when it has no recipe or one that cannot be parsed: nothing is assumed)."""
    recipe = getattr(subject, "recipe", None)
    if recipe is None:
        return True
    code = [recipe.setup or "", recipe.forward or "", recipe.gradient or recipe.step or ""]
    try:
        trees = [ast.parse(c) for c in code]
    except SyntaxError:
        return True
    return any(isinstance(n, ast.Name) and n.id == "y" for t in trees for n in ast.walk(t))


def refuse_label_blind(subject: Subject, params: Any, x: Array, y: Array, gradient: dict[str, Any]) -> None:
    """Raise when the code's gradient at ``params`` (name to array) and ``x`` (the probe's inputs, as the
    subject takes them) is the same, bit for bit, at each of the
    other labels of :func:`other_labels` and at other inputs (:func:`_stale`; see the module docstring);
    nothing when it differs at one of them, when it is zero everywhere (every unit dead at this draw),
    or when the code does not run at other labels (a label format it refuses is not this). The code may
    hand back arrays of its own that a later call refills: the first gradient is copied, and put back
    after each call.

    Raises
    ------
    InputError
        Cause ``input``, naming the gradient's tensors; its ``label_blind`` is set, so that another
        reading of the labels may be tried (:mod:`verification.identification.setups`).
    """
    saved = {n: np.array(g, copy=True) for n, g in gradient.items()}
    if not saved or not any(np.any(g != 0) for g in saved.values()):  # zeros everywhere say nothing
        return
    for labels in other_labels(y):
        try:
            again = {n: np.array(g, copy=True) for n, g in subject.gradient(params, x, labels)[0].items()}
        except InputError:
            return
        finally:  # put back what a call refilled
            _put_back(gradient, saved)
        if any(n not in again or not np.array_equal(again[n], g) for n, g in saved.items()):
            return
    if not _stale(subject, params, x, y, gradient, saved):
        widths = getattr(subject, "n_inputs", None), getattr(subject, "n_outputs", None)
        if _hands_labels(subject) or None in widths or widths[0] != widths[1]:
            return  # computed now, of the inputs, and blind to the labels: the code's own bug, judged as such
        blind = InputError(
            f"the gradient the code gives ({', '.join(saved)}) is the same for other labels, and the call "
            "that computes it hands it none (it reads no y): its loss is not of labels the check can hand "
            "(the output has the inputs' width: an autoencoder's target is its own input), so no verdict "
            "of a catalog loss of them is one",
            hint="give a call that hands the labels: --gradient 'out = net.forward(x); net.backward(y)'",
        )
        blind.cause = "ambiguous"  # type: ignore[attr-defined]
        raise blind
    error = InputError(
        f"the gradient the code gives ({', '.join(saved)}) is the same for other labels: it is no loss's "
        "gradient the check can read (a method that returns what an earlier backward pass stored, or "
        "labels kept where the check does not put them)",
        hint="give the step that computes the gradient from the labels: --gradient "
        "'out = net.forward(x); net.backward(y); net.grads' (or --step and --lr)",
    )
    error.label_blind = True  # type: ignore[attr-defined]  # another reading of the labels may run
    raise error
