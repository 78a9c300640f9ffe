"""The convergence study as text for a terminal (``backprop-verify converge``).

Two tables, one row per rule and learning rate: how many starts end separated, how fast, and with which
final losses; then the steps that went uphill for the squared error and the slope left in the hidden
layer. Last, what coincides: rules that are one update in exact arithmetic, and whether their numbers
agree bit for bit. The study itself is :mod:`verification.convergence.study`.
"""

from __future__ import annotations

import numpy as np

from verification.convergence.study import ConvergenceStudy
from verification.terminal_width import DEFAULT_WIDTH, fit, fit_table

QUARTILE_KEYS = ("q1", "median", "q3")


def percent(fraction: float) -> str:
    """A fraction as a percentage: ``53.0 %``; below 0.1 % to two significant digits (``0.0037 %``)."""
    if fraction == 0:
        return "0 %"
    return f"{100 * fraction:.1f} %" if fraction >= 0.001 else f"{100 * fraction:.2g} %"


def band(q: dict[str, float] | None, fmt: str) -> str:
    """Quartiles as ``q1 / median / q3`` in format ``fmt``; ``—`` when there are none."""
    return "—" if q is None else " / ".join(format(q[k], fmt) for k in QUARTILE_KEYS)


def coincidence_notes(study: ConvergenceStudy) -> list[str]:
    """One sentence per pair of rules that are one update in exact arithmetic, from the measurement."""
    notes = []
    pairs: dict[tuple[str, str], list[dict[str, object]]] = {}
    for c in study.comparisons():
        a, b = c["rules"]
        pairs.setdefault((a, b), []).append(c)
    for (a, b), found in pairs.items():
        rates = ", ".join(f"{c['learning_rate']:g}" for c in found)
        if all(c["identical"] for c in found):
            notes.append(
                f"{b} equals {a} at every seed, bit for bit (η = {rates}): {a} is the exact "
                f"gradient of {b.split()[-1]} for a sigmoid output."
            )
        else:
            differs = ", ".join(f"{c['separated_differs']} at η = {c['learning_rate']:g}" for c in found)
            notes.append(
                f"{a} and {b} are one update in exact arithmetic (σ'(z) cancels) but round "
                f"differently; seeds (of {study.seeds}) that end differently separated: {differs}."
            )
    for o in study.outcomes:
        stopped = int(np.count_nonzero(o.stopped_at >= 0))
        if stopped:
            notes.append(
                f"{o.label} at η = {o.learning_rate:g} stopped on {stopped} of {o.seeds} seeds when an "
                f"output rounded to 0 or 1, where ∂{o.loss}/∂a is not finite (numbers at the stop)."
            )
    return notes


def format_study(study: ConvergenceStudy, width: int = DEFAULT_WIDTH) -> str:
    """The study as text: separation and losses, uphill steps and hidden slope, what coincides; fitted
    to ``width`` columns (a table too wide is split into blocks of columns, each led by its rule and
    learning rate: :func:`verification.terminal_width.fit_table`)."""
    intro = (
        "The question's network trained from many starts: 30-5-3, sigmoid, no biases, per-sample SGD "
        f"over the glyphs A, B, C in that order, {study.epochs} epochs, from the weights of seeds "
        f"{study.seed_range} (Network.initialise((30, 5, 3), 'sigmoid', seed=s)). Separated: at the end "
        "each glyph's own output is the largest of its three (a tie in float64 is not). Spreads are "
        "q1 / median / q3 over the seeds (epochs to separate: over the seeds separated at the end)."
    )
    dicts = [o.to_dict() for o in study.outcomes]
    first = _columns(
        ["rule", "η", "separated", "epochs to separate", "final mse", "final bce"],
        [
            [
                d["label"],
                f"{d['learning_rate']:g}",
                percent(d["separated"]),
                band(d["epochs_to_separate"], "g"),
                band(d["final_mse"], ".3g"),
                band(d["final_bce"], ".3g"),
            ]
            for d in dicts
        ],
        right=(1, 2),
    )
    uphill = (
        "Uphill for mse: a step whose direction g has ⟨g, ∇mse⟩ < 0 with the exact mse gradient of the "
        "same sample at the same weights, so that it raises that sample's squared error to first order; "
        "share of the steps taken and of the seeds with at least one. Hidden σ': the mean slope of the "
        "hidden units over the glyphs at the end (median over the seeds; at most 0.25, near 0 when the "
        "hidden layer is saturated and passes almost no gradient back)."
    )
    rows = []
    for o in study.outcomes:
        u = o.uphill()
        if u is None:
            out = net = "— (along ∇mse itself)"
        else:
            out = f"{percent(u['output_layer']['steps'])}, {percent(u['output_layer']['seeds'])}"
            net = f"{percent(u['network']['steps'])}, {percent(u['network']['seeds'])}"
        rows.append([o.label, f"{o.learning_rate:g}", out, net, f"{float(np.median(o.hidden_slope)):.2g}"])
    second = _columns(
        ["rule", "η", "output layer: steps, seeds", "network: steps, seeds", "hidden σ'"], rows, right=(1,)
    )
    return "\n".join(
        [
            *fit([intro], width),
            "",
            *fit_table(first, width),
            "",
            *fit([uphill], width),
            "",
            *fit_table(second, width),
            "",
            *fit(coincidence_notes(study), width),
        ]
    )


def _columns(header: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> list[list[str]]:
    """The cells of a table for :func:`verification.terminal_width.fit_table`: the rule and the learning
    rate joined into the first cell (so every block of a split table names its row), each cell padded
    to its column (right-aligned for the columns in ``right``)."""
    table = [header, *rows]
    widths = [max(len(r[k]) for r in table) for k in range(len(header))]
    padded = [
        [c.rjust(w) if k in right else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths, strict=True))]
        for r in table
    ]
    return [[f"{r[0]}  {r[1]} ", *r[2:]] for r in padded]  # the trailing space: two before the next column
