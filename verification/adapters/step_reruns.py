"""A training step run again from the same weights and data, to see whether its change is a gradient's.

Under other seeds (:func:`verification.adapters.step_checks.refuse_random_steps`): a step that draws
random numbers changes the weights otherwise, and is refused. At a smaller rate: a gradient step is linear
in its learning rate, and a step that is not is named so in a note of the report
(:func:`rate_dependence`).

A gradient step moves the weights by ``−lr g``, with ``g`` computed before any weight moves
(Goodfellow, Bengio and Courville, *Deep Learning*, 2016, §4.3), so the change divided by the
rate, ``(W_before − W_after) / lr``, is the same at every rate. Code that back-propagates through weights
it has already updated (a layer that steps its own weights and then returns ``W.T @ δ`` with the new
``W``), that takes more than one step per call (``range(epochs + 1)``), or that clips the step, changes
the weights by an amount whose ratio to the rate depends on the rate: it follows a gradient only to
first order in ``lr``, and at the rate it runs with it is the gradient step of no loss, which is what a
verdict of none says; the note says why. :func:`rate_dependence` compares the step run from the same
weights and data at the rate used and at :data:`RATE_RATIO` times less, and finds the step
rate-dependent when the two ratios differ by more than :data:`~verification.tolerances.SAFETY` times the
rounding of both updates (:func:`verification.adapters.step_checks.update_errors`).

Run only where the step reads the rate the checker binds (``lr``) and is given one sample, so that the
online steps of a batch (one per sample, linear in the rate only to first order by design) are not
asked.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.step_checks import refuse_random_steps, reseeded, update_errors
from verification.tolerances import SAFETY

Array = NDArray[Any]
RATE_RATIO = 10.0
"""The second run's rate is the first's divided by this: far enough apart that a first-order term in
the rate (``lr · H g``) differs by 90 % of itself between the two."""


def refuse_by_reruns(
    subject: Any, label: str, before: Mapping[str, Array], after: Mapping[str, Array], x: Array, y: Array
) -> None:
    """Run ``subject``'s step (a :class:`~verification.adapters.subject.CodeSubject`) again from the
    weights ``before`` and the data ``x``, ``y`` that gave ``after``: under other seeds; then, when it
    was given one sample and reads the rate the checker binds (:func:`reads_given_rate`), at
    ``lr / RATE_RATIO``, and at ``lr`` once more, so that what the step leaves besides the weights (a
    copy it keeps of them) is as the first run left it. A rate-dependent step (:func:`rate_dependence`)
    gets the reason as a note of ``subject``. A rerun that raises ends the checks quietly (the first run
    stands).

    Raises
    ------
    Failed
        From :func:`~verification.adapters.step_checks.refuse_random_steps`.
    """
    step = subject.recipe.step or ""
    first = {n: np.array(v) for n, v in after.items()}
    try:
        subject._run_again(reseeded(step), before, x, y, reset=True)
    except InputError:
        return
    refuse_random_steps(label, first, subject.slots.read())
    if x.shape[0] != 1 or not reads_given_rate(step, subject.recipe.lr):
        return
    subject.namespace["lr"] = subject.lr / RATE_RATIO
    try:
        subject._run_again(step, before, x, y, reset=True)
        again = subject.slots.read()
    except InputError:
        return
    finally:
        subject.namespace["lr"] = subject.lr
    note = rate_dependence(before, first, again, subject.lr, subject.slots)
    if note is not None and note not in subject.notes:
        subject.notes.append(note)
    with contextlib.suppress(InputError):  # the state the first run left, copies and all
        subject._run_again(step, before, x, y, reset=True)


def reads_given_rate(step: str | None, rate: str | None) -> bool:
    """Whether ``step`` reads the name ``lr`` and the rate is a number the checker chose or was given
    (``0.1``), so that binding another ``lr`` changes the rate the code steps with."""
    if not step or rate is None:
        return False
    try:
        float(rate)
        tree = ast.parse(step)
    except (ValueError, SyntaxError):
        return False
    return any(isinstance(n, ast.Name) and n.id == "lr" for n in ast.walk(tree))


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
