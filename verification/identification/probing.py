"""Probing: one probe point drawn, its output differentiated, and the code's gradient compared with the
numeric gradient of every catalog loss there.

:class:`ProbeRun` holds a run of probes: the generator (``np.random.default_rng(seed)``), the method
once chosen (:func:`resolve`: complex step when the code evaluates correctly at complex parameters,
else Richardson), and the count of forward passes for a progress line. :meth:`ProbeRun.point` draws a
point whose outputs are well inside the catalog domains (:mod:`verification.draws`), differentiates
the output for the chosen entries and random directions (:func:`differentiate`), compares every loss
(:mod:`verification.identification.comparison`), and redraws a Richardson point whose steps cross a
kink of the code (:mod:`verification.identification.kink_probes`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES, get_loss
from ffnn.validation import InputError
from verification.adapters.failures import kind_of
from verification.adapters.subject import Subject
from verification.compare.rule import allowance
from verification.draws import (
    MAX_DRAWS,
    ClassCycle,
    draw_inputs,
    draw_labels,
    draw_parameters,
    well_conditioned,
)
from verification.identification.comparison import Elements, OutputDerivatives, loss_derivative, per_loss
from verification.identification.coverage import choose_entries, draw_directions
from verification.identification.kink_probes import crosses_kink
from verification.identification.probes import Probe
from verification.identification.request import Probing
from verification.numeric.jacobian import COLUMNS, Progress, supports_complex
from verification.numeric.jacobian import DIRECTIONS as ALONG
from verification.tolerances import Tolerance, given_tolerance, tolerance_for

Array = NDArray[Any]


def resolve(subject: Subject, method: str, params: Mapping[str, Array], x: Array) -> tuple[str, str]:
    """The method to use on ``subject`` and, when complex step does not apply, why.

    Raises
    ------
    InputError
        On an unknown method, or complex step asked of code that is not complex-safe.
    """
    method = Probing(method=method).method
    if method == "richardson":
        return method, "richardson asked"
    subject.bind_inputs(x)
    ok, why = supports_complex(subject, params)
    subject.restore()
    if ok:
        return "complex-step", ""
    if method == "complex-step":
        raise InputError(
            f"complex step does not apply to {subject.name}: {why}", hint="use --method auto or richardson"
        )
    return "richardson", f"complex step does not apply ({why})"


STILL = 12
"""Draws of weights and inputs, at the same labels, after which a step that moved nothing at every one is
refused: units dead at one draw live at the next (a ReLU layer whose every unit is dead at a draw of
``N(0, 1/n)`` weights is rare), so a step that never moves for a class is the code's own."""


def _still(exc: InputError, y: Array) -> InputError:
    """The refusal of a step that moved nothing at :data:`STILL` draws, all at the labels ``y``."""
    labels = np.argmax(y, axis=1) if y.shape[1] > 1 else y[:, 0]
    head = str(exc).split(" left every weight unchanged")[0]
    error = InputError(
        f"{head} left every weight unchanged at each of {STILL} draws of weights and inputs with labels of "
        f"class {', '.join(str(int(c)) for c in labels)}: the code gives no step for those labels (does it "
        "take its labels in another form, −1 and +1 for a single output?)"
    )
    error.kind = "unchanged"  # type: ignore[attr-defined]
    return error


@dataclass(frozen=True)
class Point:
    """One probe point with its comparisons.

    Attributes
    ----------
    probe : Probe
    compared : dict of str to dict of str to Elements
        Per applicable loss, the elements of every tensor.
    reasons : dict of str to str
        Per loss that does not apply at this point, why.
    checked : dict of str to int
        Entries of each tensor checked one by one.
    allowances : dict of str to ndarray
        Per tensor, the allowance of each random direction (what a single wrong entry must exceed).
    derivatives : dict of str to OutputDerivatives
        The output's derivatives at the point, per tensor.
    """

    probe: Probe
    compared: dict[str, dict[str, Elements]]
    reasons: dict[str, str]
    checked: dict[str, int]
    allowances: dict[str, Array]
    derivatives: dict[str, OutputDerivatives]


class ProbeRun:
    """The state of a run of probes: the generator, the method once chosen, the progress count.

    Parameters
    ----------
    subject : Subject
    probing : Probing
    progress : callable, optional
        ``progress(done, total)`` in forward evaluations.
    """

    def __init__(
        self, subject: Subject, probing: Probing, progress: Callable[[int, int], None] | None
    ) -> None:
        self.subject, self.probing, self.progress = subject, probing, progress
        self.rng = np.random.default_rng(probing.seed)
        self.classes = ClassCycle(self.rng)
        self.method = probing.method
        self.method_note = ""
        self.derived_tol = tolerance_for(np.float64, "richardson")
        self.tol = self.derived_tol
        self.total: int | None = None
        self.done = 0
        self.labels: Callable[[np.random.Generator, tuple[int, int]], Array] | None = None
        """Draws the labels in place of one-hot ones (:mod:`verification.identification.label_probes`)."""

    def point(self, index: int) -> Point:
        """Probe point ``index``, redrawn while its Richardson steps cross a kink of the code."""
        for attempt in range(MAX_DRAWS):
            probe = self._draw()
            if index == 0 and attempt == 0:
                self.method, self.method_note = resolve(
                    self.subject, self.probing.method, probe.params, probe.x
                )
                self.derived_tol = tolerance_for(self.subject.precision, self.method)
                probing = self.probing
                self.tol = given_tolerance(self.derived_tol, rtol=probing.rtol, atol=probing.atol)
            point = self._compare(probe, full=self.probing.full and index == 0)
            last = attempt == MAX_DRAWS - 1
            if (
                self.method == "complex-step"
                or last
                or not crosses_kink(self.subject, probe, point.compared, self.tol)
            ):
                return point
        raise AssertionError("unreachable: the last draw is returned")

    def _draw(self) -> Probe:
        """A probe point whose outputs are well inside the catalog domains (:data:`MAX_DRAWS` tries)."""
        subject, rng = self.subject, self.rng
        shapes = {n: p.shape for n, p in subject.parameters.items()}
        still = 0  # draws of weights and inputs at which the step moved nothing, at these labels
        for attempt in range(MAX_DRAWS):
            last = attempt == MAX_DRAWS - 1
            params = draw_parameters(shapes, rng)
            x = draw_inputs(rng, self.probing.samples, subject.n_inputs)
            output = subject.forward(params, x)
            if not (well_conditioned(output) or last):
                continue
            y = (
                draw_labels(rng, output.shape, self.classes)
                if self.labels is None
                else self.labels(rng, output.shape)
            )
            try:
                gradient, rounding = subject.gradient(params, x, y)
            except InputError as exc:  # a step that moves nothing here (every ReLU unit dead): draw again
                if kind_of(exc) != "unchanged" or last:
                    raise
                if self.labels is None:  # with the same labels: a step that never moves for them is told
                    self.classes.again(np.argmax(y, axis=1) if y.shape[1] > 1 else y[:, 0])
                    still += 1
                    if still == STILL:
                        raise _still(exc, y) from None
                continue
            return Probe(params, x, y, output, gradient, rounding)
        raise AssertionError("unreachable: the last draw returns or raises")

    def _compare(self, probe: Probe, full: bool) -> Point:
        """Differentiate the output at ``probe`` and compare the code's gradient with every loss."""
        probing = self.probing
        entries = choose_entries(probe.gradient, self.rng, budget=probing.budget, full=full)
        directions = draw_directions(probe.gradient, self.rng, probing.directions)
        self._count(probe, entries)
        derivatives = differentiate(self.subject, probe, self.method, entries, directions, self._tick)
        compared: dict[str, dict[str, Elements]] = {}
        reasons: dict[str, str] = {}
        for name in LOSSES:
            spec = get_loss(name)
            try:
                spec.validate_activation(probe.output)
                spec.validate_labels(probe.y)
            except InputError as exc:
                reasons[name] = str(exc)
                continue
            weight = loss_derivative(spec, probe.output, probe.y)
            compared[name] = per_loss(probe.gradient, probe.rounding, derivatives, weight)
        allowances = {n: direction_allowances(compared, n, self.tol, entries[n].size) for n in entries}
        checked = {n: int(e.size) for n, e in entries.items()}
        return Point(probe, compared, reasons, checked, allowances, derivatives)

    def _count(self, probe: Probe, entries: Mapping[str, Array]) -> None:
        """At the first probe: the forward passes all probes will take, for the progress line."""
        if self.total is not None:
            return
        probing = self.probing
        per_entry = 1 if self.method == "complex-step" else 8
        along = probing.directions * len(entries)
        first = sum(len(e) for e in entries.values()) + along
        later = sum(
            len(e)
            for e in choose_entries(probe.gradient, np.random.default_rng(0), budget=probing.budget).values()
        )
        self.total = per_entry * (first + (probing.probes - 1) * (later + along))

    def _tick(self, count: int) -> None:
        self.done += count
        if self.progress is not None and self.total is not None:
            self.progress(self.done, self.total)


def differentiate(
    subject: Subject,
    probe: Probe,
    method: str,
    entries: Mapping[str, Array],
    directions: Mapping[str, Array],
    progress: Progress | None = None,
) -> dict[str, OutputDerivatives]:
    """The output's derivatives at a probe: columns for ``entries`` and along ``directions``."""
    subject.bind_inputs(probe.x)
    out = {}
    try:
        for name in subject.parameters:
            J, E = COLUMNS[method](subject, probe.params, name, entries[name], progress)
            along, along_errors = [], []
            for u in directions[name]:
                D, DE = ALONG[method](subject, probe.params, name, u)
                along.append(D)
                along_errors.append(DE)
            shape = probe.output.shape
            out[name] = OutputDerivatives(
                flat=np.asarray(entries[name], dtype=np.intp),
                columns=J.reshape(-1, *shape),
                column_errors=E.reshape(-1, *shape),
                directions=directions[name],
                along=np.array(along).reshape(-1, *shape),
                along_errors=np.array(along_errors).reshape(-1, *shape),
            )
    finally:
        subject.restore()
    return out


def direction_allowances(
    here: Mapping[str, Mapping[str, Elements]], name: str, tol: Tolerance, entries: int
) -> Array:
    """The allowances of the directional elements of tensor ``name`` for the first applicable loss
    (``mse`` when it applies): what a single wrong entry must exceed to be seen along a direction."""
    for loss in ("mse", *LOSSES):
        if loss in here:
            el = here[loss][name]
            a, n = el.analytic[entries:], el.numeric[entries:]
            floor = np.maximum(el.floors[0][entries:], el.floors[1][entries:])
            return allowance(a, n, el.estimate[entries:], tol, floor)
    return np.zeros(0)
