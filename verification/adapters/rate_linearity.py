"""Whether a training step is linear in its learning rate, as a gradient step is.

A gradient step moves the weights by ``−lr g``, with ``g`` computed before any weight moves
(Goodfellow, Bengio and Courville, *Deep Learning*, 2016, §4.3), so the change divided by the
rate, ``(W_before − W_after) / lr``, is the same at every rate. Code that back-propagates through weights
it has already updated (a layer that steps its own weights and then returns ``W.T @ δ`` with the new
``W``; a script that updates ``W2`` before ``W1``'s gradient reads it), that takes more than one step
per call (``range(epochs + 1)``), or that clips the step, changes the weights by an amount whose ratio
to the rate depends on the rate: it follows a gradient only to first order in ``lr``, and at the rate
it runs with it is the gradient step of no loss, which is what a verdict of none says; the note says
why. :func:`rate_dependence` compares the step run from the same weights and data at the rate used and
at :data:`RATE_RATIO` times less (:func:`verification.adapters.step_reruns.refuse_by_reruns` runs it),
and finds the step rate-dependent when the two ratios differ by more than
:data:`~verification.tolerances.SAFETY` times the rounding of both updates
(:func:`verification.adapters.step_checks.update_errors`).

Run only where the step reads a rate the checker can bind (:func:`given_rate_name`: ``lr``, or the
script's own rate name) and is given one sample, so that the online steps of a batch (one per sample,
linear in the rate only to first order by design) are spared.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.adapters.step_checks import update_errors
from verification.tolerances import SAFETY

Array = NDArray[Any]
RATE_RATIO = 10.0
"""The second run's rate is the first's divided by this: far enough apart that a first-order term in
the rate (``lr · H g``) differs by 90 % of itself between the two."""


def given_rate_name(step: str | None, rate: str | None) -> str | None:
    """The name whose binding is the rate ``step`` moves with: ``lr`` when the rate is a number the
    checker chose or was given (``0.1``) and the step reads ``lr``; the rate itself when it is a name
    the step reads (a script's own ``learning_rate = 0.001``); None otherwise (a rate kept in an object,
    ``self.lr``, or written as a number in the step), where binding a name changes nothing."""
    if not step or rate is None:
        return None
    try:
        tree = ast.parse(step)
    except SyntaxError:
        return None
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if rate.isidentifier():
        return rate if rate in read else None
    try:
        float(rate)
    except ValueError:
        return None
    return "lr" if "lr" in read else None


def rate_dependence(
    before: Mapping[str, Array],
    first: Mapping[str, Array],
    again: Mapping[str, Array],
    lr: float,
    slots: Any,
) -> str | None:
    """Why a step is no gradient step, when its change divided by its rate differs between rate ``lr``
    (weights ``first`` after it) and ``lr / RATE_RATIO`` (``again``), both from ``before``, by more
    than :data:`SAFETY` times the rounding bound of both readings; None when it does not. A step that
    moved the weights the same at both rates does not read the rate it was given (its rate is its
    own) and is left to the checks that read it."""
    if all(np.array_equal(first[n], again[n]) for n in before):
        return None
    small = lr / RATE_RATIO
    with np.errstate(all="ignore"):
        g1 = {n: (before[n] - first[n]) / lr for n in before}
        g2 = {n: (before[n] - again[n]) / small for n in before}
    e1, _ = update_errors(slots, before, first, lr)
    e2, _ = update_errors(slots, before, again, small)
    apart = [n for n in before if np.any(np.abs(g1[n] - g2[n]) > SAFETY * (e1[n] + e2[n]))]
    if not apart:
        return None
    num = np.sqrt(sum(float(np.sum((g1[n] - g2[n]) ** 2)) for n in before))
    den = np.sqrt(sum(float(np.sum(g2[n] ** 2)) for n in before))
    return (
        f"the step is no gradient step: its change divided by the rate differs between lr = {lr:g} and "
        f"lr = {small:g} by {num / den if den else np.inf:.1e} (relative; in {', '.join(apart[:3])}), while "
        "a gradient step's is the same at every rate. It back-propagates through weights it has already "
        "updated, or takes more than one step: it follows a gradient only to first order in the rate"
    )
