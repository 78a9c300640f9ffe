"""Kinks at a probe: when Richardson's steps cross a point where the code's loss is not differentiable
(a ReLU at 0), the probe is redrawn rather than judged.

A flagged entry is examined by the kink test of :mod:`verification.compare.kinks` at Richardson's
largest step, on the loss of the subject's output as a function of that entry
(:class:`LossEvaluator`); a flagged direction ``u``, on ``t ↦ L(a(θ + t u))``. Complex step crosses no
kink (its step is imaginary) and needs none of this. An update read at an unknown rate is the gradient
times the rate: the kink test looks at it divided by that scale (:func:`common_scale`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import get_loss
from verification.adapters.subject import Subject
from verification.compare.kinks import classify_kinks
from verification.compare.rule import excess
from verification.identification.comparison import Elements
from verification.identification.probes import Probe
from verification.numeric.differences import relative_step
from verification.numeric.richardson import richardson_derivative
from verification.tolerances import RICHARDSON_LEVELS, SCALE_GAP, Tolerance

Array = NDArray[Any]


class LeftDomain(Exception):
    """A kink test's step took the output outside the loss's domain (e.g. an identity output below 0
    for bce): that loss cannot be evaluated there, so no kink is seen along that step."""


def loss_value(spec: Any, a: Array, y: Array) -> float:
    """The batch loss ``spec.value(a, y)`` where it is defined.

    Parameters
    ----------
    spec : ffnn.losses.Loss
        The catalog loss; its ``activation_range`` ``(low, high)`` is the open domain of ``a``.
    a, y : ndarray, shape (n_samples, n_outputs), float64
        The subject's output activations and the probe's labels.

    Returns
    -------
    float
        The loss, in the loss's own units (the batch mean of :mod:`ffnn.losses`).

    Raises
    ------
    LeftDomain
        When ``a`` is not finite or not strictly inside ``(low, high)``, where the loss's formula gives
        NaN or infinity (e.g. ``log a`` of bce at ``a ≤ 0``).
    """
    low, high = spec.activation_range
    ar = np.real(a)
    if not (np.all(np.isfinite(a)) and np.all((ar > low) & (ar < high))):
        raise LeftDomain
    return float(spec.value(a, y))


class LossEvaluator:
    """The batch loss of the subject's output as a function of its parameters, for the kink test
    (:mod:`verification.compare.kinks`), which shifts single entries."""

    def __init__(self, subject: Subject, probe: Probe, loss: str) -> None:
        self.subject, self.probe, self.spec = subject, probe, get_loss(loss)
        self.params = {n: np.array(v, dtype=np.float64) for n, v in probe.params.items()}
        self.value = float(self.spec.value(probe.output, probe.y))
        self.dtype = np.dtype(np.float64)
        self.parameter_dtypes = {n: "float64" for n in self.params}
        self.evaluations = 1

    def shifted(self, name: str, flat: Array, delta: Array) -> Array:
        """The loss with single entries of ``name`` shifted by ``delta``."""
        self.subject.load(self.params)
        self.subject.bind_inputs(self.probe.x)
        setter = self.subject.entry_setter(name)
        out = np.empty(len(flat))
        try:
            for k, (i, d) in enumerate(zip(np.asarray(flat), np.asarray(delta), strict=True)):
                original = setter[i]
                setter[i] = self.params[name].flat[i] + d
                try:
                    a = self.subject.output()
                finally:
                    setter[i] = original
                try:
                    out[k] = loss_value(self.spec, a, self.probe.y)
                except LeftDomain:
                    out[k] = np.nan  # no kink is seen where a value is missing
        finally:
            self.subject.restore()
        self.evaluations += len(flat)
        return out


KINK_ENTRIES = 8
"""Flagged entries of a tensor examined for a kink, per loss: those farthest outside their allowance.
A kink the steps cross corrupts the numeric derivative of the entries it sits on, whatever the loss,
so for the loss the code is the gradient of those few entries are the flagged ones and all are
examined; against a loss the code is not the gradient of, every entry is flagged, and a few confirmed
as real mismatches settle it (examining each of thousands would cost a Richardson derivative apiece)."""


def common_scale(tensors: Mapping[str, Elements]) -> float:
    """The median ratio ``analytic / numeric`` over the entries of every tensor of one loss at one probe,
    when it is a scale (positive, at least :data:`~verification.tolerances.SCALE_GAP` from 1), else 1:
    an update read at an unknown rate is the gradient times the rate, the same for every tensor. The
    median over all tensors, not a least-squares fit nor one tensor's: a kink corrupts the entries of
    one unit (its row of weights in, its column out), which would pull a fit, or the median of a layer
    with few live units."""
    ratios = []
    for el in tensors.values():
        a, n = el.analytic[: el.entries], el.numeric[: el.entries]
        both = (a != 0) & (n != 0)
        ratios.append(a[both] / n[both])
    joined = np.concatenate(ratios) if ratios else np.zeros(0)
    c = float(np.median(joined)) if joined.size else 1.0
    return c if np.isfinite(c) and c > 0 and abs(c - 1.0) >= SCALE_GAP else 1.0


def at_scale(el: Elements, c: float) -> Elements:
    """``el`` with its analytic side (and the code's own rounding, and its floor) divided by ``c``: a kink
    is looked for in the gradient the update stands for (at a scale of 1/100 every entry is flagged,
    and no entry's one-sided derivatives agree with it, so a kink would go unseen)."""
    if c == 1.0:
        return el
    rounding = np.zeros_like(el.estimate) if el.rounding is None else el.rounding
    return replace(
        el,
        analytic=el.analytic / c,
        estimate=el.estimate - rounding + rounding / c,
        floors=(el.floors[0] / c, el.floors[1]),
        rounding=rounding / c,
    )


def crosses_kink(
    subject: Subject, probe: Probe, compared: Mapping[str, dict[str, Elements]], tol: Tolerance
) -> bool:
    """True when a flagged entry of some loss sits on a kink of the code (the probe is then redrawn);
    :data:`KINK_ENTRIES` entries per tensor and loss are examined, the farthest outside first. A kink
    is the network's, whatever the loss: an entry (or direction) found smooth under one loss is not
    examined again under the next, and a tensor examined already is not examined again for a loss
    that flags most of its entries (one it mismatches: any entry would do). The losses go in order of
    fewest flagged entries, so that the loss the code is the gradient of, whose only flagged entries
    are those a kink may corrupt, is examined in full. A loss that matches up to a scale but for a few
    entries (an update read at an unknown rate, 1/100 of the gradient) is examined again divided by
    that scale (:func:`common_scale`): at 1/100 no entry's one-sided derivatives agree with the update,
    so a kink would go unseen."""
    if _examined_kink(subject, probe, compared, tol):
        return True
    scaled = {}
    for loss, tensors in compared.items():
        c = common_scale(tensors)
        at_c = {n: at_scale(el, c) for n, el in tensors.items()}
        if c != 1.0 and all(el.flagged_entries(tol).size <= el.entries / 2 for el in at_c.values()):
            scaled[loss] = at_c
    return bool(scaled) and _examined_kink(subject, probe, scaled, tol)


def _examined_kink(
    subject: Subject, probe: Probe, compared: Mapping[str, dict[str, Elements]], tol: Tolerance
) -> bool:
    """The kink test of :func:`crosses_kink` on the flagged entries and directions of ``compared``."""
    seen: set[tuple[str, int]] = set()  # (tensor, flat entry) found smooth; (tensor, -1 - k) direction k
    flagged = {loss: sum(el.flagged_entries(tol).size for el in t.values()) for loss, t in compared.items()}
    for loss in sorted(compared, key=lambda k: flagged[k]):  # the fewest flagged first: the loss found
        tensors = compared[loss]
        for name, el in tensors.items():
            bad = el.flagged_entries(tol)
            examined = any(t == name for t, _ in seen)
            if examined and bad.size > el.entries / 2:  # a loss this tensor mismatches: settled already
                continue
            if bad.size:
                flat_all = np.ravel_multi_index(np.array([el.labels[i] for i in bad]).T, el.shape)
                bad = bad[[(name, int(f)) not in seen for f in np.atleast_1d(flat_all)]]
            if not bad.size:
                continue
            over = excess(el.analytic, el.numeric, el.estimate, tol, np.maximum(*el.floors))[bad]
            bad = bad[np.argsort(-over, kind="stable")[:KINK_ENTRIES]]
            flat = np.ravel_multi_index(np.array([el.labels[i] for i in bad]).T, el.shape)
            ev = LossEvaluator(subject, probe, loss)
            # the largest step Richardson took: a kink within it bends the extrapolation
            step = relative_step(probe.params[name].ravel()[flat], 1 / (2 * RICHARDSON_LEVELS + 1))
            floor = float(max(el.floors[0][0], el.floors[1][0]))
            found = classify_kinks(ev, name, np.atleast_1d(flat), step, el.analytic[bad], tol, floor)
            if found.kink.any():
                return True
            for i, h, a in zip(np.atleast_1d(flat), np.atleast_1d(step), el.analytic[bad], strict=True):
                f = partial(_along_entry, ev, name, int(i))
                if not confirmed(f, float(h), float(a), tol, floor):
                    return True
            seen.update((name, int(i)) for i in np.atleast_1d(flat))
        for name, el in tensors.items():
            if direction_crosses_kink(subject, probe, loss, name, el, tol, seen):
                return True
    return False


def direction_crosses_kink(
    subject: Subject,
    probe: Probe,
    loss: str,
    name: str,
    el: Elements,
    tol: Tolerance,
    seen: set[tuple[str, int]] | None = None,
) -> bool:
    """The kink test along each flagged direction ``u``: of ``t ↦ L(a(θ + t u))`` at ``t = 0``; a
    direction in ``seen`` (``(name, -1 - k)``, found smooth under another loss) is skipped, and those
    found smooth here are added to it."""
    from verification.numeric.evaluators import LoopEvaluator

    seen = set() if seen is None else seen

    floor = np.maximum(el.floors[0], el.floors[1])
    over = excess(el.analytic, el.numeric, el.estimate, tol, floor)
    spec = get_loss(loss)
    w = probe.params[name]
    for k in np.flatnonzero(over[el.entries :] > 0):
        if (name, -1 - int(k)) in seen:
            continue
        label = el.labels[el.entries + k]
        u = el.directions[k].reshape(w.shape) if el.directions is not None else None
        if u is None:
            continue

        def along(p: dict[str, Array], u: Array = u) -> float:
            shifted = dict(probe.params)
            shifted[name] = w + float(np.real(p["t"][0])) * u
            subject.load(shifted)
            subject.bind_inputs(probe.x)
            return loss_value(spec, subject.output(), probe.y)

        ev = LoopEvaluator(along, {"t": np.zeros(1)})
        h0 = (
            np.finfo(np.float64).eps ** (1 / (2 * RICHARDSON_LEVELS + 1))
            * max(1.0, float(np.linalg.norm(w)))
            / (float(np.linalg.norm(u)) or 1.0)
        )
        try:
            found = classify_kinks(
                ev,
                "t",
                np.zeros(1, dtype=np.intp),
                np.array([h0]),
                np.array([el.analytic[el.entries + k]]),
                tol,
                float(floor[el.entries + k]),
            )
        except LeftDomain:
            continue
        finally:
            subject.restore()
        analytic = float(el.analytic[el.entries + k])
        f = partial(_along_direction, along)
        if found.kink.any() or not confirmed(f, h0, analytic, tol, float(floor[el.entries + k])):
            del label
            return True
        seen.add((name, -1 - int(k)))
    return False


def _along_entry(ev: LossEvaluator, name: str, flat: int, t: float) -> float:
    return float(ev.shifted(name, np.array([flat]), np.array([t]))[0])


def _along_direction(along: Any, t: float) -> float:
    return float(along({"t": np.array([t])}))


def confirmed(f: Any, h0: float, analytic: float, tol: Tolerance, floor: float) -> bool:
    """Whether the loss itself, differentiated at the method's step, confirms a flagged element.

    The numeric gradient of identification is ``Jᵀ ∂L/∂a``, the Jacobian of the *output* contracted
    with the loss's derivative, each Jacobian column with its Richardson estimate. An output that is
    not smooth within the step (a ReLU output at ``z ≈ 0``) makes that column's central differences
    average two one-sided slopes at every step, consistently, so its tableau can score small while the
    column is wrong; where ``∂L/∂a`` is small there (``a = relu(z) ≈ 0 ≈ y`` under the squared error)
    the loss stays smooth enough that no kink of ``L`` shows, and a right gradient looks wrong by a
    little more than its estimate. Differentiating ``t ↦ L(θ + t u)`` directly, by Richardson at the
    same first step (:func:`verification.numeric.richardson.richardson_derivative`), gives an estimate
    that does see the missing smoothness; the element is confirmed as flagged only when it is still
    outside the acceptance rule against that value and estimate (:func:`verification.compare.rule.excess`).

    Parameters
    ----------
    f : callable
        ``t ↦ L(θ + t u)`` for one entry or direction ``u``, float in, float out.
    h0 : float
        The method's first step for that entry or direction.
    analytic : float
        The code's value of the element.
    tol : Tolerance
    floor : float
        The element's floor ``G`` (:mod:`verification.compare.rule`).

    Returns
    -------
    bool
        True when the mismatch stands; also True when ``f`` leaves its domain (nothing to say).
    """
    try:
        value, estimate = richardson_derivative(f, 0.0, h0)
    except LeftDomain:
        return True
    if not (np.isfinite(value) and np.isfinite(estimate)):
        return True
    over = excess(np.array([analytic]), np.array([value]), np.array([estimate]), tol, floor)
    return bool(over[0] > 0)
