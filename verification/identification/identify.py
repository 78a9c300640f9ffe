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

The verdicts and the report are :mod:`verification.identification.report`. A probe is redrawn when its
outputs come within :data:`verification.draws.EDGE` of a bounded end of a loss's domain,
or (Richardson only) when a difference step crosses a kink of the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.losses import LOSSES, get_loss
from ffnn.validation import InputError
from verification.adapters.subject import Subject
from verification.draws import MAX_DRAWS, draw_inputs, draw_labels, draw_parameters, well_conditioned
from verification.identification.comparison import Elements, OutputDerivatives, loss_derivative, per_loss
from verification.identification.coverage import (
    DIRECTIONS,
    ENTRY_BUDGET,
    MISS_PROBABILITY,
    TensorCoverage,
    choose_entries,
    detectable,
    draw_directions,
)
from verification.identification.kink_probes import crosses_kink
from verification.identification.probes import Probe
from verification.identification.report import IdentificationReport, LossReport
from verification.identification.verdicts import loss_report
from verification.numeric.jacobian import COLUMNS, Progress, supports_complex
from verification.numeric.jacobian import DIRECTIONS as ALONG
from verification.tolerances import Tolerance, tolerance_for

Array = NDArray[Any]

MAX_PROBES = 50
"""Most probe points :func:`identify` accepts: a scale is told from a coincidence by 2 or 3 already."""
MAX_SAMPLES = 1000
"""Most samples per probe batch :func:`identify` accepts (a batch factor shows with 2 or 3)."""
METHODS = ("auto", "complex-step", "richardson")
"""The methods identification differentiates the code's output by."""


def resolve(subject: Subject, method: str, params: Mapping[str, Array], x: Array) -> tuple[str, str]:
    """The method to use on ``subject`` and, when complex step does not apply, why.

    Raises
    ------
    InputError
        On an unknown method, or complex step asked of code that is not complex-safe.
    """
    if method in ("complex_step", "complex", "cs"):
        method = "complex-step"
    if method not in METHODS:
        raise InputError(
            f"method {method!r} is not one identification uses; use one of {', '.join(METHODS)}",
            hint="central differences are too coarse to tell a scale from a coincidence; richardson is "
            "their extrapolated form",
        )
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


def _draw(subject: Subject, rng: np.random.Generator, samples: int) -> Probe:
    shapes = {n: p.shape for n, p in subject.parameters.items()}
    for attempt in range(MAX_DRAWS):
        params = draw_parameters(shapes, rng)
        x = draw_inputs(rng, samples, subject.n_inputs)
        output = subject.forward(params, x)
        if well_conditioned(output) or attempt == MAX_DRAWS - 1:
            break
    y = draw_labels(rng, output.shape)
    gradient, rounding = subject.gradient(params, x, y)
    return Probe(params, x, y, output, gradient, rounding)


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


def identify(
    subject: Subject,
    loss: str = "auto",
    *,
    seed: int = 0,
    probes: int = 3,
    samples: int = 1,
    method: str = "auto",
    full: bool = False,
    budget: int = ENTRY_BUDGET,
    directions: int = DIRECTIONS,
    progress: Callable[[int, int], None] | None = None,
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
    seed : int
        Seed of ``np.random.default_rng`` for the probes, the sampled entries and the directions.
    probes : int
        Number of probe points, 2 … :data:`MAX_PROBES` (two at least, to tell a scale from a
        coincidence).
    samples : int
        Samples per probe batch, 1 … :data:`MAX_SAMPLES` (1 for code written one sample at a time).
    method : str
        ``auto`` (complex step when the code is complex-safe, else Richardson), ``complex-step`` or
        ``richardson``.
    full : bool
        Check every entry individually at the first probe (the others are sampled).
    budget : int
        Entries per probe checked individually before sampling (:data:`ENTRY_BUDGET`).
    directions : int
        Random directions per tensor per probe.
    progress : callable, optional
        ``progress(done, total)`` in forward evaluations, for a progress indicator.

    Returns
    -------
    IdentificationReport

    Raises
    ------
    InputError
        On an unknown loss or method, out-of-range counts, complex step asked of code that is not
        complex-safe, an asked loss that does not apply to the outputs, or code that fails.
    """
    asked = None if loss == "auto" else get_loss(loss).name
    if not 2 <= probes <= MAX_PROBES:
        raise InputError(
            f"probes must be from 2 (to tell a scale from a coincidence) to {MAX_PROBES}, got {probes}"
        )
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"samples must be from 1 to {MAX_SAMPLES}, got {samples}")
    if samples > 1 and subject.layout.one_sample_only:
        raise InputError(
            f"{subject.name} takes one sample at a time ({subject.layout.inputs} inputs); use --samples 1"
        )
    rng = np.random.default_rng(seed)
    names = list(subject.parameters)
    drawn: list[Probe] = []
    compared: dict[str, list[dict[str, Elements]]] = {name: [] for name in LOSSES}
    reasons: dict[str, str] = {}
    coverage_data: dict[str, list[tuple[int, Array, float]]] = {n: [] for n in names}
    used = method
    method_note = ""
    total = None
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None and total is not None:
            progress(done, total)

    for p in range(probes):
        for attempt in range(MAX_DRAWS):
            probe = _draw(subject, rng, samples)
            if p == 0 and attempt == 0:
                used, method_note = resolve(subject, method, probe.params, probe.x)
            tol = tolerance_for(np.float64, used)
            entries = choose_entries(probe.gradient, rng, budget=budget, full=full and p == 0)
            dirs = draw_directions(probe.gradient, rng, directions)
            if total is None:
                per_entry = 1 if used == "complex-step" else 8
                count = sum(len(e) for e in entries.values()) + directions * len(names)
                later = sum(
                    len(e)
                    for e in choose_entries(probe.gradient, np.random.default_rng(0), budget=budget).values()
                )
                total = per_entry * (count + (probes - 1) * (later + directions * len(names)))
            derivatives = differentiate(subject, probe, used, entries, dirs, tick)
            here: dict[str, dict[str, Elements]] = {}
            for name in LOSSES:
                spec = get_loss(name)
                try:
                    spec.validate_activation(probe.output)
                    spec.validate_labels(probe.y)
                except InputError as exc:
                    reasons.setdefault(name, str(exc))
                    continue
                weight = loss_derivative(spec, probe.output, probe.y)
                here[name] = per_loss(probe.gradient, probe.rounding, derivatives, weight)
            if (
                used == "complex-step"
                or attempt == MAX_DRAWS - 1
                or not crosses_kink(subject, probe, here, tol)
            ):
                break
        drawn.append(probe)
        for name, tensors in here.items():
            compared[name].append(tensors)
        for n in names:
            g = np.ravel(probe.gradient[n])
            rms = float(np.sqrt(np.mean(g * g))) if g.size else 0.0
            allowances = _direction_allowances(here, n, tol, entries[n].size)
            coverage_data[n].append((entries[n].size, allowances, rms))
    losses = []
    for name in LOSSES:
        if name in reasons or len(compared[name]) < probes:
            losses.append(
                LossReport(name, "not applicable", None, reason=reasons.get(name, "outputs out of domain"))
            )
        else:
            losses.append(loss_report(name, names, subject.backward_order, compared[name], tol, used))
    coverage = {
        n: TensorCoverage(
            name=n,
            size=int(subject.parameters[n].size),
            checked=[c for c, _, _ in coverage_data[n]],
            directions=directions,
            detectable=detectable(
                [a for _, a, _ in coverage_data[n]], [s for _, _, s in coverage_data[n]], MISS_PROBABILITY
            ),
            allowances=tuple(a for _, a, _ in coverage_data[n]),
            rms=tuple(s for _, _, s in coverage_data[n]),
        )
        for n in names
    }
    result = IdentificationReport(
        subject.name,
        _convention(subject),
        seed,
        probes,
        samples,
        used,
        losses,
        subject.backward_order,
        asked,
        list(subject.notes),
        tol.rtol,
        coverage,
        method_note,
        subject.lr_known,
        subject.layout.describe(),
    )
    if asked is not None and result.candidate(asked).verdict == "not applicable":
        raise InputError(result.candidate(asked).reason or f"loss {asked} does not apply")
    return result


def _direction_allowances(
    here: Mapping[str, Mapping[str, Elements]], name: str, tol: Tolerance, entries: int
) -> Array:
    """The allowances of the directional elements of tensor ``name`` for the first applicable loss
    (``mse`` when it applies): what a single wrong entry must exceed to be seen along a direction."""
    from verification.compare.rule import allowance

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
