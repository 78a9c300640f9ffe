"""Labels beyond one-hot: does the loss found hold for every label the loss is defined for?

Probes draw one-hot labels (:mod:`verification.draws`), which every catalog loss and every label format
takes. Squared error and binary cross-entropy are defined for more: squared error for any real target,
binary cross-entropy for any labels in ``[0, 1]``, each output on its own (multi-label
classification: several 1s in a row, or none). Code can be the gradient of either loss for one-hot
labels only: a regressor that rescales its targets by their largest magnitude (which is 1 for one-hot
labels), or a multi-label network that borrows the softmax idiom ``d[range(n), Y.argmax(1)] -= 1``
(which is ``a − y`` exactly when each row has a single 1). So once ``mse`` or ``bce`` is identified
with one-hot labels, one more probe point is drawn with labels from the rest of its domain
(:data:`WIDER`), and every tensor is compared with that loss at the scale found:

* it matches: the verdict holds for those labels too, and nothing is said;
* it does not: the code is the loss's gradient for one-hot labels only; the verdict says so, names
  the first tensor that differs, and is no success.

Labels given as class indices are not varied (they are one class per sample by their form), nor are
those of cross-entropy, which is the gradient ``a − y`` of a softmax output only for labels summing to
one (Bishop, *Pattern Recognition and Machine Learning*, §4.3.4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.subject import Subject
from verification.identification.near_match import near_tolerance
from verification.identification.probing import ProbeRun
from verification.identification.request import Probing
from verification.identification.verdicts import LabelCheck, Verdict

Array = NDArray[Any]

LABEL_BUDGET = 64
"""Entries checked one by one at the label probe (every entry also along random directions): the scale
is known by then, and labels that the code transforms change its output error, so every tensor's
gradient, not a few entries of one."""

ACCEPTED = ("matches", "kink")


def _real_targets(rng: np.random.Generator, shape: tuple[int, int]) -> Array:
    """Targets from ``N(0, 1)``: regression targets, of any sign and size."""
    return rng.standard_normal(shape)


def _multi_hot(rng: np.random.Generator, shape: tuple[int, int]) -> Array:
    """Independent 0/1 labels per output, every row with no 1 or several (never exactly one)."""
    y = rng.integers(0, 2, size=shape).astype(np.float64)
    for row in y:
        while row.sum() == 1:
            row[:] = rng.integers(0, 2, size=row.shape)
    return y


WIDER: dict[str, tuple[str, Callable[[np.random.Generator, tuple[int, int]], Array]]] = {
    "mse": ("real-valued targets", _real_targets),
    "bce": ("multi-hot labels", _multi_hot),
}
"""Per loss: the labels beyond one-hot that it is defined for, and how they are drawn."""


def check_labels(subject: Subject, probing: Probing, verdict: Verdict) -> LabelCheck | None:
    """The :class:`LabelCheck` of ``verdict``: None when there is nothing to vary (no ``mse`` or
    ``bce`` identified, labels as class indices, or binary cross-entropy of a single output, whose
    one-hot labels are already every label it takes).

    Raises
    ------
    InputError
        Never: code that fails on such labels is a ``reason``.
    """
    loss = verdict.identified or (verdict.asked if verdict.matches_asked else None)
    if loss not in WIDER or subject.layout.labels != "one-hot":
        return None
    if loss == "bce" and subject.n_outputs == 1:
        return None
    what, draw = WIDER[loss]
    run = ProbeRun(
        subject,
        replace(probing, seed=probing.seed + 2, budget=min(probing.budget, LABEL_BUDGET), full=False),
        None,
    )
    run.labels = draw
    try:
        point = run.point(0)
    except InputError as exc:
        return LabelCheck(what, None, reason=f"the code fails on {what}: {exc}")
    tol = run.tol if verdict.deviation is None else near_tolerance(run.tol)
    if loss not in point.compared:
        return LabelCheck(what, None, reason=f"{loss} does not apply at these outputs")
    for name in subject.backward_order:
        report = point.compared[loss][name].report(name, tol, verdict.scale or 1.0)
        if report.verdict not in ACCEPTED:
            return LabelCheck(what, False, name, report.relative_error)
    return LabelCheck(what, True)
