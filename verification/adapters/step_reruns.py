"""A training step run again from the same weights and data, to see whether its change is a gradient's.

Under other seeds (:func:`verification.adapters.step_checks.refuse_random_steps`): a step that draws
random numbers changes the weights otherwise, and is refused. A second time, with what the first call
left (:func:`refuse_stateful_steps`): a step that keeps a velocity or gradients it never resets changes
them otherwise, and is refused. At a smaller rate: a gradient step is linear in its learning rate, and
a step that is not is named so in a note of the report
(:func:`verification.adapters.rate_linearity.rate_dependence`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.failures import Failed
from verification.adapters.rate_linearity import RATE_RATIO, given_rate_name, rate_dependence
from verification.adapters.step_checks import refuse_random_steps, reseeded, update_errors
from verification.tolerances import SAFETY

Array = NDArray[Any]


def refuse_by_reruns(
    subject: Any, label: str, before: Mapping[str, Array], after: Mapping[str, Array], x: Array, y: Array
) -> None:
    """Run ``subject``'s step (a :class:`~verification.adapters.subject.CodeSubject`) again from the
    weights ``before`` and the data ``x``, ``y`` that gave ``after``: under other seeds; then, when it
    was given one sample and reads a rate the checker can bind (:func:`given_rate_name`), at
    ``lr / RATE_RATIO``, and at ``lr`` once more, so that what the step leaves besides the weights (a
    copy it keeps of them) is as the first run left it. From other weights too: a step that makes its
    weights anew is refused (:func:`refuse_remade_weights`). A rate-dependent step (:func:`rate_dependence`)
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
    refuse_untrained(subject, label, before, first, x, y)
    try:  # from other weights: a step that makes its weights anew ends where it ended before
        subject._run_again(step, {n: _shifted(v) for n, v in before.items()}, x, y, reset=True)
        elsewhere = subject.slots.read()
        subject._run_again(step, before, x, y, reset=True)  # the state the first run left, again
    except InputError:
        return
    refuse_remade_weights(label, before, first, elsewhere)
    factor = _rate_unread(subject, step, before, x, y, first)  # self.lr kept, the step's rate elsewhere
    if factor is not None:
        rate = subject.recipe.lr
        subject.lr = subject.rate = 1.0
        subject.lr_known = False
        subject.recipe = replace(subject.recipe, lr=None)
        subject.notes.append(
            f"{rate} is not the rate the step moves with (at its tenth the step moves the weights "
            f"{factor:.3g} times as far, not a tenth): the rate is not known; give --lr to pin the scale"
        )
    try:  # a second and a third call, from the same weights and data and the state the calls left
        subject._run_again(step, before, x, y, reset=False)
        second = subject.slots.read()
        subject._run_again(step, before, x, y, reset=False)
        third = subject.slots.read()
        subject._run_again(step, before, x, y, reset=True)  # the state the first run left, again
    except InputError:
        return
    momentum = refuse_stateful_steps(label, before, (first, second, third), subject.lr, subject.slots)
    if momentum is not None and momentum not in subject.notes:
        subject.notes.append(momentum)
    name = given_rate_name(step, subject.recipe.lr)
    if x.shape[0] != 1 or name is None:
        return
    kept = subject.namespace.get(name, subject.rate)
    subject.namespace[name] = subject.rate / RATE_RATIO
    try:
        subject._run_again(step, before, x, y, reset=True)
        again = subject.slots.read()
    except InputError:
        return
    finally:
        subject.namespace[name] = kept
    note = rate_dependence(before, first, again, subject.lr, subject.slots)
    if note is not None and note not in subject.notes:
        subject.notes.append(note)
    with contextlib.suppress(InputError):  # the state the first run left, copies and all
        subject._run_again(step, before, x, y, reset=True)


def refuse_untrained(
    subject: Any, label: str, before: Mapping[str, Array], first: Mapping[str, Array], x: Array, y: Array
) -> None:
    """Refuse a step that moves the weights it is read by but leaves the forward pass's output at ``x``
    as it was, bit for bit: the arrays it updates are not those the forward pass reads (a dict entry
    rebound, ``params[k] = params[k] − lr g``, while the forward reads ``self.W``, the array the entry
    held), so it trains nothing. Run with the weights as the step left them, then as they were before
    it; the step is run again from ``before`` after, so the state is as its first run left it.

    Raises
    ------
    Failed
        Naming the weights that moved.
    """
    forward = subject.recipe.forward
    moved = [n for n in first if not np.array_equal(first[n], before[n])]
    if not forward or not moved or max(_relative_move(before[n], first[n]) for n in moved) < VISIBLE_MOVE:
        return  # moved by so little (a rate of 1e-15) that the output may not show it
    try:
        stepped = np.asarray(run_code(forward, subject.namespace, "--forward", script=subject.script))
        subject.load(before)
        subject.bind_inputs(x)
        unstepped = np.asarray(run_code(forward, subject.namespace, "--forward", script=subject.script))
        subject._run_again(subject.recipe.step or "", before, x, y, reset=True)
    except (InputError, TypeError, ValueError):
        return
    if stepped.shape == unstepped.shape and stepped.dtype != object and np.array_equal(stepped, unstepped):
        raise Failed(
            f"{label} changes {', '.join(moved[:3])} but not the output of {forward}: the arrays it "
            "updates are not those the forward pass reads (an entry rebound while the forward pass reads "
            "the array it held?), so it trains nothing",
            "code",
        )


VISIBLE_MOVE = 1e-8
"""The relative move of a weight (largest change over largest entry) from which the output of a network
that reads it moves too, far above the float64 rounding of the output (``1e-16``)."""


def _relative_move(old: Array, new: Array) -> float:
    with np.errstate(all="ignore"):
        size = float(np.max(np.abs(old))) if np.size(old) else 0.0
        change = float(np.max(np.abs(np.asarray(new) - np.asarray(old)))) if np.size(old) else 0.0
    return change / size if size > 0 else change


ATTRIBUTE_RATE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
"""A rate read off an object (``net.lr``, ``net.optimizer.eta``), which the step may not be using."""


def _rate_unread(
    subject: Any, step: str, before: Mapping[str, Array], x: Array, y: Array, first: Mapping[str, Array]
) -> float | None:
    """With the step's rate attribute (``net.lr``) divided by :data:`RATE_RATIO`, the factor ``r`` by
    which the step's move changes, the same in every entry, when ``r`` is not ``1 / RATE_RATIO``: the
    attribute is then not the rate the step moves with (``r = 1``: a logging line reads it, an
    optimiser object holds its own; another ``r``: the step caps it, ``min(self.lr, self.max_lr)``).
    None when the rate is no attribute, is the step's rate, the moves are no common multiple (a step
    that is not linear in its rate, which the verdict then shows) or too small beside the weights'
    rounding to tell (:data:`VISIBLE_MOVE`), or a rerun raises."""
    rate = subject.recipe.lr
    if not rate or not ATTRIBUTE_RATE.fullmatch(rate) or subject.binding.state is None:
        return None
    if max((_relative_move(before[n], first[n]) for n in first), default=0.0) < VISIBLE_MOVE:
        return None  # a move near the weights' rounding (a rate of 1e-16) has no ratio to read
    try:
        subject.binding.state.restore(subject.slots)
        run_code(f"{KEPT_RATE} = {rate}", subject.namespace, "--lr", script=subject.script)
        run_code(f"{rate} = ({rate}) / {RATE_RATIO!r}", subject.namespace, "--lr", script=subject.script)
        try:
            subject._run_again(step, before, x, y, reset=False)
            slowed = subject.slots.read()
        finally:  # a rate kept where no reset reaches (Config.epsilon, an attribute of a class) put back
            run_code(f"{rate} = {KEPT_RATE}", subject.namespace, "--lr", script=subject.script)
        subject._run_again(step, before, x, y, reset=True)  # the state the first run left, again
    except InputError:
        return None
    full = np.concatenate([np.ravel(first[n] - before[n]) for n in first])
    slow = np.concatenate([np.ravel(slowed[n] - before[n]) for n in first])
    big = np.abs(full) > RATIO_FLOOR * float(np.max(np.abs(full), initial=0.0))
    if not np.any(big):
        return None
    ratios = slow[big] / full[big]
    common = float(np.median(ratios))
    if np.max(np.abs(ratios - common)) > RATIO_RTOL * max(abs(common), RATIO_RTOL):
        return None  # no common factor: not linear in the rate, which the verdict shows
    return None if abs(common - 1 / RATE_RATIO) <= RATIO_RTOL else common


KEPT_RATE = "_backprop_verify_kept_rate"  # the step's rate attribute, kept while divided, put back after
RATIO_FLOOR = 1e-3
"""Entries whose move is below this fraction of the largest move are left out of the ratio (their
rounding, ``ε`` of the weight over the move, is no longer small)."""
RATIO_RTOL = 1e-6
"""How far the moves' ratios may differ from one another and from ``1 / RATE_RATIO``: a step's move is
``lr g`` rounded to ``ε |W|``, a relative ``1e-14`` for moves of ``1e-2`` of weights of order one."""


def _shifted(value: Array) -> Array:
    """``value`` moved by ½ to 1, a different amount in every entry (never the same shift everywhere,
    which a softmax's scores would not see)."""
    return value + np.linspace(0.5, 1.0, value.size).reshape(value.shape) if value.size else value


def refuse_remade_weights(
    label: str, before: Mapping[str, Array], first: Mapping[str, Array], shifted: Mapping[str, Array]
) -> None:
    """Refuse a step after which a parameter is the same, bit for bit, whether the step started from
    ``before`` (giving ``first``) or from other weights (giving ``shifted``), though the step moved it:
    the step does not read the weights it is given but makes them anew (an initialisation inside the
    training method, from a fixed seed), so its change is no gradient step.

    Raises
    ------
    Failed
        Naming up to three such parameters.
    """
    remade = [
        n
        for n in first
        if n in shifted and not np.array_equal(first[n], before[n]) and np.array_equal(first[n], shifted[n])
    ]
    if remade:
        raise Failed(
            f"{label} leaves {', '.join(remade[:3])} the same whatever weights it starts from: it makes "
            "them anew at each call (an initialisation inside the training method?), so its change is no "
            "gradient step of the weights it is given",
            "optimiser",
        )


MOMENTUM_NOTE = (
    "the step keeps what its calls before it moved (momentum μ = {:.3g}: a second call from the same "
    "weights and data moves them {:.3g} times as far): its first call, checked here, is the gradient "
    "step; later calls add μ times the change before"
)


def refuse_stateful_steps(
    label: str,
    before: Mapping[str, Array],
    calls: tuple[Mapping[str, Array], Mapping[str, Array], Mapping[str, Array]],
    lr: float,
    slots: Any,
) -> str | None:
    """Refuse a step whose later calls, from the same weights ``before`` and data but with what the calls
    before them left besides the weights, change them otherwise than the first, unless it is momentum's.

    ``calls`` are the weights after the first, second and third call. A gradient step depends on the
    weights and the data alone, so every call's change ``before − after`` is the first's up to rounding
    (entry by entry, :data:`~verification.tolerances.SAFETY` times the rounding of both,
    :func:`verification.adapters.step_checks.update_errors`). With a velocity ``v ← μ v − lr g``
    (Polyak's heavy ball; Goodfellow, Bengio and Courville, *Deep Learning*, 2016, §8.3.2) the changes
    are ``1, 1 + μ, 1 + μ + μ²`` times the first; with the previous change added once (``+ M ·
    change_before``) ``1, 1 + M/N, 1 + M/N``: a ratio above 1 and at most 2 at the second call is such
    a memory of the step before, whose first call is the gradient step checked, and the note returned
    says so. Gradients added up and never reset move the weights ``1, 2, 3`` times as far, and anything
    not a multiple of the first change (a counter, a Nesterov look-ahead) is no gradient step from the
    second call on: both are refused.

    Returns
    -------
    str or None
        The momentum note, or None for a step that depends on the weights and data alone.

    Raises
    ------
    Failed
        Naming up to three parameters that moved otherwise at a later call.
    """
    first = calls[0]
    d1 = {n: before[n] - first[n] for n in before}
    den = sum(float(np.sum(d1[n] ** 2)) for n in before)
    e1, _ = update_errors(slots, before, first, lr)
    ratios, apart, along = [], [], True
    for later in calls[1:]:
        e2, _ = update_errors(slots, before, later, lr)
        bound = {n: SAFETY * abs(lr) * (e1[n] + e2[n]) for n in before}
        apart += [n for n in before if n not in apart and np.any(np.abs(first[n] - later[n]) > bound[n])]
        d2 = {n: before[n] - later[n] for n in before}
        if den == 0 or not np.isfinite(den):  # the first call moved nothing: nothing is a multiple of it
            along = False
            ratios.append(np.inf)
            continue
        ratio = sum(float(np.sum(d1[n] * d2[n])) for n in before) / den
        off = [n for n in before if np.any(np.abs(d2[n] - ratio * d1[n]) > (1 + abs(ratio)) * bound[n])]
        along = along and not off
        ratios.append(ratio)
    if not apart:
        return None
    added_up = along and abs(ratios[0] - 2.0) <= 1e-6 and abs(ratios[1] - 3.0) <= 1e-6
    if along and not added_up and 1.0 + 1e-6 < ratios[0] <= 2.0 + 1e-6 and ratios[1] >= ratios[0] - 1e-6:
        return MOMENTUM_NOTE.format(ratios[0] - 1.0, ratios[0])
    why = (
        "it adds up its gradients and never resets them (later calls move them 2 and 3 times as far)"
        if added_up
        else "it keeps state between calls (a step counter, a look-ahead, gradients it keeps, activations "
        "an earlier forward pass left and the step reads before its own) or draws at random from a "
        "generator of its own (a dropout mask)"
    )
    raise Failed(
        f"{label} changes {', '.join(apart[:3])} otherwise when called again from the same weights and "
        f"data: {why}, so from its second call on its change is no gradient step; check the code that "
        "computes the gradient, or reset that state in the step",
        "code",
    )
