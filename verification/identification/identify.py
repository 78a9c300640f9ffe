"""Which loss is a backward pass the gradient of? Identification by probing.

At several probe points (weights, inputs and one-hot labels drawn from ``np.random.default_rng(seed)``,
:mod:`verification.draws`) the gradient the code under check gives (a
:class:`verification.adapters.subject.Subject`) is compared, per parameter tensor, with the numeric
gradient of every catalog loss whose domain holds the network's outputs, the loss being the batch mean
of :mod:`ffnn.losses` applied to the code's own output.

One numeric Jacobian of the output per probe serves every loss
(:mod:`verification.identification.comparison`): by complex step when the code evaluates correctly at
complex parameters (detected once, :func:`verification.numeric.jacobian.supports_complex`), at rounding
accuracy and one forward pass per entry; by Richardson-extrapolated central differences otherwise. Past
a size budget a sample of entries is checked one by one and every entry jointly along random directions,
with a stated guarantee (:mod:`verification.identification.coverage`). Memory is bounded by the chosen
entries, never by the number of probes or losses.

:func:`identify` reads top to bottom: choose the method, probe (:class:`_Probing`: draw a point,
differentiate the output, compare every loss, redraw a point whose steps cross a kink), judge every loss
and decide (:mod:`verification.identification.verdicts`), state the coverage. A probe is redrawn when its
outputs come within :data:`verification.draws.EDGE` of a bounded end of a loss's domain, or (Richardson
only) when a difference step crosses a kink of the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES, get_loss
from ffnn.validation import InputError
from verification.adapters.subject import Subject
from verification.compare.rule import allowance
from verification.draws import MAX_DRAWS, draw_inputs, draw_labels, draw_parameters, well_conditioned
from verification.identification.comparison import Elements, OutputDerivatives, loss_derivative, per_loss
from verification.identification.coverage import (
    MISS_PROBABILITY,
    TensorCoverage,
    choose_entries,
    detectable,
    draw_directions,
)
from verification.identification.kink_probes import crosses_kink
from verification.identification.outcome import IdentificationReport
from verification.identification.probes import Probe
from verification.identification.request import Probing
from verification.identification.verdicts import NOT_APPLICABLE, LossReport, decide, loss_report
from verification.numeric.jacobian import COLUMNS, Progress, supports_complex
from verification.numeric.jacobian import DIRECTIONS as ALONG
from verification.tolerances import Tolerance, given_tolerance, tolerance_for

Array = NDArray[Any]


def identify(
    subject: Subject,
    loss: str = "auto",
    probing: Probing | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> IdentificationReport:
    """Identify the loss that ``subject``'s backward pass is the gradient of.

    Parameters
    ----------
    subject : Subject
        The code under check (:func:`verification.adapters.detection.adapt`, or
        :func:`verification.adapters.subject.subject_from_network`).
    loss : str
        ``"auto"`` to identify, or a catalog id to ask about (all losses are still compared, so the
        report says what the code matches instead).
    probing : Probing, optional
        How to probe (:class:`verification.identification.request.Probing`: seed, probes, samples,
        method, full, budget, directions).
    progress : callable, optional
        ``progress(done, total)`` in forward evaluations, for a progress indicator.
    **settings
        Fields of :class:`Probing` replacing those of ``probing`` (``seed=3, samples=2``).

    Returns
    -------
    IdentificationReport

    Raises
    ------
    InputError
        On an unknown loss, method or setting, out-of-range counts, complex step asked of code that is
        not complex-safe, an asked loss that does not apply to the outputs, or code that fails.
    """
    probing = Probing.of(probing, **settings)
    asked = None if loss == "auto" else get_loss(loss).name
    if probing.samples > 1 and subject.layout.one_sample_only:
        raise InputError(
            f"{subject.name} takes one sample at a time ({subject.layout.inputs} inputs); use --samples 1"
        )
    run = _Probing(subject, probing, progress)
    points = [run.point(p) for p in range(probing.probes)]
    candidates = _judge(points, subject, run.tol, run.method)
    derived = None
    if run.tol.given:  # the caller's tolerance: what would the table's have concluded?
        judged = _judge(points, subject, run.derived_tol, run.method)
        derived = decide(judged, subject.backward_order, asked, subject.lr_known)
    if asked is not None and next(c for c in candidates if c.loss == asked).verdict == NOT_APPLICABLE:
        reason = next(c.reason for c in candidates if c.loss == asked)
        raise InputError(reason or f"loss {asked} does not apply")
    return IdentificationReport(
        subject=subject.name,
        convention=_convention(subject),
        seed=probing.seed,
        probes=probing.probes,
        samples=probing.samples,
        method=run.method,
        candidates=candidates,
        backward_order=subject.backward_order,
        verdict=decide(candidates, subject.backward_order, asked, subject.lr_known),
        notes=list(subject.notes),
        rtol=run.tol.rtol,
        atol=run.tol.atol,
        derived=derived,
        derived_rtol=run.derived_tol.rtol,
        coverage=_coverage(points, subject, probing.directions),
        method_note=run.method_note,
        lr_known=subject.lr_known,
        layout=subject.layout.describe(),
    )


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


@dataclass(frozen=True)
class _Point:
    """One probe point with its comparisons: per applicable loss, the elements of every tensor."""

    probe: Probe
    compared: dict[str, dict[str, Elements]]
    reasons: dict[str, str]
    checked: dict[str, int]
    allowances: dict[str, Array]


class _Probing:
    """The state of a run of probes: the generator, the method once chosen, the progress count."""

    def __init__(
        self, subject: Subject, probing: Probing, progress: Callable[[int, int], None] | None
    ) -> None:
        self.subject, self.probing, self.progress = subject, probing, progress
        self.rng = np.random.default_rng(probing.seed)
        self.method = probing.method
        self.method_note = ""
        self.derived_tol = tolerance_for(np.float64, "richardson")
        self.tol = self.derived_tol
        self.total: int | None = None
        self.done = 0

    def point(self, index: int) -> _Point:
        """Probe point ``index``, redrawn while its Richardson steps cross a kink of the code."""
        for attempt in range(MAX_DRAWS):
            probe = self._draw()
            if index == 0 and attempt == 0:
                self.method, self.method_note = resolve(
                    self.subject, self.probing.method, probe.params, probe.x
                )
                self.derived_tol = tolerance_for(np.float64, self.method)
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
        for attempt in range(MAX_DRAWS):
            params = draw_parameters(shapes, rng)
            x = draw_inputs(rng, self.probing.samples, subject.n_inputs)
            output = subject.forward(params, x)
            if well_conditioned(output) or attempt == MAX_DRAWS - 1:
                break
        y = draw_labels(rng, output.shape)
        gradient, rounding = subject.gradient(params, x, y)
        return Probe(params, x, y, output, gradient, rounding)

    def _compare(self, probe: Probe, full: bool) -> _Point:
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
        allowances = {n: _direction_allowances(compared, n, self.tol, entries[n].size) for n in entries}
        return _Point(probe, compared, reasons, {n: int(e.size) for n, e in entries.items()}, allowances)

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


def _judge(points: list[_Point], subject: Subject, tol: Tolerance, method: str) -> list[LossReport]:
    """Every catalog loss judged over all probes (not applicable where some probe left its domain)."""
    out = []
    for name in LOSSES:
        per_probe = [p.compared[name] for p in points if name in p.compared]
        if len(per_probe) < len(points):
            reason = next((p.reasons[name] for p in points if name in p.reasons), "outputs out of domain")
            out.append(LossReport(name, NOT_APPLICABLE, None, reason=reason))
        else:
            out.append(loss_report(name, subject.backward_order, per_probe, tol, method))
    return out


def _coverage(points: list[_Point], subject: Subject, directions: int) -> dict[str, TensorCoverage]:
    """What was checked of each tensor over all probes, with the stated guarantee."""
    out = {}
    for n in subject.parameters:
        allowances = [p.allowances[n] for p in points]
        rms = [_rms(p.probe.gradient[n]) for p in points]
        out[n] = TensorCoverage(
            name=n,
            size=int(subject.parameters[n].size),
            checked=[p.checked[n] for p in points],
            directions=directions,
            detectable=detectable(allowances, rms, MISS_PROBABILITY),
            allowances=tuple(allowances),
            rms=tuple(rms),
        )
    return out


def _rms(g: Array) -> float:
    flat = np.ravel(g)
    return float(np.sqrt(np.mean(flat * flat))) if flat.size else 0.0


def _direction_allowances(
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


def _convention(subject: Subject) -> str:
    """How the code's gradient was taken, for the report: returned, or recovered from an update."""
    recipe = subject.recipe
    if recipe is None:
        return "function"
    if recipe.kind == "returned":
        return "returned gradients"
    lr = getattr(subject, "lr", None)
    if not subject.lr_known:
        return "update in place, learning rate unknown (taken as 1)"
    return f"update in place, lr = {lr:g}"
