"""Write ``docs/convergence.md`` and its figure ``docs/convergence.png`` from the convergence study.

Every number in the document is formatted from :func:`verification.convergence.study.run_study` over the
fixed settings :data:`DOC_STUDY` (deterministic: the seeds are fixed and the training has no other
randomness). ``python -m verification.convergence.document`` regenerates both files (``nox -s docs``);
``--check`` writes nothing and exits 1 when the committed text differs from what the code generates
(the figure is not compared).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ffnn.validation import InputError
from verification.convergence.plot import plot_study
from verification.convergence.report import band, coincidence_notes, percent
from verification.convergence.study import ConvergenceStudy, Outcome, run_study

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC_PATH, FIGURE_PATH = DOCS / "convergence.md", DOCS / "convergence.png"
DOC_STUDY = {"seeds": 1000, "first_seed": 0, "learning_rates": (0.01, 0.1, 1.0, 10.0, 100.0), "epochs": 100}
"""The study of the document: seeds 0–999, a decade sweep of learning rates around the question's 0.1."""
QUESTION_RATE = 0.1


def _share(o: Outcome) -> str:
    return percent(float(o.separated.mean()))


def _count(o: Outcome) -> str:
    return f"{int(o.separated.sum())} of {o.seeds} ({percent(float(o.separated.mean()))})"


def _cells(o: Outcome) -> tuple[str, ...]:
    """The printed numbers of one rule: separated, epochs to separate, final mse, final bce, lowered."""
    d = o.to_dict()
    lowered = percent(float(np.mean(o.mse_per_epoch[-1] < o.mse_per_epoch[0])))
    return (
        _count(o),
        band(d["epochs_to_separate"], "g"),
        band(d["final_mse"], ".3g"),
        band(d["final_bce"], ".3g"),
        lowered,
    )


def _separation_table(study: ConvergenceStudy, rate: float) -> list[str]:
    rows = [
        "| rule | separated | epochs to separate | final mse | final bce | mse lowered |",
        "|---|---|---|---|---|---|",
    ]
    return rows + [
        f"| {o.label} | " + " | ".join(_cells(o)) + " |" for o in study.outcomes if o.learning_rate == rate
    ]


def _rounding_note(study: ConvergenceStudy) -> list[str]:
    """Where shortcut and exact bce, which differ in rounding only, print the same numbers."""
    same = [
        lr
        for lr in study.learning_rates
        if _cells(study.outcome("shortcut", None, lr)) == _cells(study.outcome("exact", "bce", lr))
    ]
    if not same:
        return []
    rates = ", ".join(f"{lr:g}" for lr in same)
    return _para(
        f"At η = {rates} the shortcut and exact bce print the same numbers (separated, epochs to",
        "separate, final mse and bce, mse lowered): their differences of rounding never grow into a",
        "printed digit, which suggests that the printed numbers do not depend on how a machine's BLAS or",
        "exp rounds either.",
    )


def _ties_note(study: ConvergenceStudy) -> list[str]:
    tied = [
        f"{int(o.tied.sum())} {'seed' if o.tied.sum() == 1 else 'seeds'} of {o.label} at "
        f"η = {o.learning_rate:g}"
        for o in study.outcomes
        if o.tied.any()
    ]
    if not tied:
        return _para("No seed ended with a tie for the largest output.")
    return _para(
        f"Ties for the largest output, counted as not separated: {'; '.join(tied)}. A tie is two outputs",
        "whose σ(z) both round to exactly 1 in float64, so how many seeds tie depends on how the",
        "machine's exp rounds in its last bit: 58 and 59 seeds of shortcut at η = 10 were seen under two",
        "numpy releases. The test of this page pins where ties occur, not their number.",
    )


def _sweep_table(study: ConvergenceStudy) -> list[str]:
    names = [o.label for o in study.outcomes if o.learning_rate == study.learning_rates[0]]
    rows = [
        "| η | " + " | ".join(names) + " | shortcut uphill (network): steps, seeds "
        "| hidden σ' median: chain, shortcut |",
        "|---|" + "---|" * len(names) + "---|---|",
    ]
    for lr in study.learning_rates:
        cells = [_share(o) for o in study.outcomes if o.learning_rate == lr]
        u = study.outcome("shortcut", None, lr).uphill() or {}
        up = f"{percent(u['network']['steps'])}, {percent(u['network']['seeds'])}"
        slopes = [float(np.median(study.outcome(r, None, lr).hidden_slope)) for r in ("chain", "shortcut")]
        rows.append(f"| {lr:g} | " + " | ".join(cells) + f" | {up} | {slopes[0]:.2g}, {slopes[1]:.2g} |")
    return rows


def _joint(study: ConvergenceStudy, rate: float) -> tuple[int, int, int, int]:
    """Seeds that both rules separate, only the shortcut, only chain, neither."""
    c = study.outcome("chain", None, rate).separated
    s = study.outcome("shortcut", None, rate).separated
    both, short, chain, neither = (int(np.count_nonzero(m)) for m in (c & s, s & ~c, c & ~s, ~c & ~s))
    return both, short, chain, neither


def _best(study: ConvergenceStudy, rule: str) -> Outcome:
    return max((o for o in study.outcomes if o.label == rule), key=lambda o: float(o.separated.mean()))


def _para(*parts: str) -> list[str]:
    """One paragraph from sentences and fragments, wrapped at 100 columns."""
    return textwrap.wrap(" ".join(parts), width=100, break_long_words=False, break_on_hyphens=False)


TEMPLATE = (Path(__file__).parent / "page.md").read_text(encoding="utf-8")
"""The page (``page.md`` beside this module), with a ``{name}`` for each number and sentence the study
decides (:func:`_values`). Paragraphs are written one to a line there and wrapped at 100 columns when the
page is rendered."""


def render_document(study: ConvergenceStudy) -> str:
    """The whole of ``docs/convergence.md`` for ``study``: :data:`TEMPLATE` filled with
    :func:`_values`, its paragraphs wrapped at 100 columns.

    Raises
    ------
    KeyError
        If the study lacks η = 0.1 or the chain and shortcut rules.
    """
    filled = TEMPLATE.format(**_values(study))
    out: list[str] = []
    for line in filled.split("\n"):
        prose = len(line) > 100 and not line.startswith(("#", "|", "-", " ", "`", "!", "<"))
        out += _para(line) if prose else [line]
    return "\n".join(out)


def _values(study: ConvergenceStudy) -> dict[str, object]:
    """The numbers and sentences of :data:`TEMPLATE` for ``study``."""
    q, n = QUESTION_RATE, study.seeds
    chain, short = study.outcome("chain", None, q), study.outcome("shortcut", None, q)
    both, only_short, only_chain, neither = _joint(study, q)
    lowered = {
        o.label: int(np.count_nonzero(o.mse_per_epoch[-1] < o.mse_per_epoch[0])) for o in (chain, short)
    }
    verb = {True: "separates", False: "does not separate"}
    mse_c, mse_s = (float(np.median(o.mse_per_epoch[-1])) for o in (chain, short))
    ep_c, ep_s = (float(np.median(o.first_separated[o.separated])) for o in (chain, short))
    measured = [u for o in study.outcomes if (u := o.uphill()) is not None]
    return {
        "epochs": study.epochs,
        "seed_range": study.seed_range,
        "rates": ", ".join(f"{r:g}" for r in study.learning_rates),
        "rate_list": ",".join(f"{r:g}" for r in study.learning_rates),
        "q": f"{q:g}",
        "separation_table": "\n".join(_separation_table(study, q)),
        "lowered_text": (
            f"every one of the {n} starts"
            if min(lowered.values()) == n
            else f"{lowered['chain']} (chain) and {lowered['shortcut']} (shortcut) of the {n} starts"
        ),
        "both": both,
        "only_short": only_short,
        "only_chain": only_chain,
        "neither": neither,
        "first_seed": study.first_seed,
        "chain_verb": verb[bool(chain.separated[0])],
        "short_verb": verb[bool(short.separated[0])],
        "ep_s": f"{ep_s:g}",
        "ep_c": f"{ep_c:g}",
        "mse_s": f"{mse_s:.3g}",
        "mse_c": f"{mse_c:.3g}",
        "mse_clause": ", although chain is the gradient of mse." if mse_s < mse_c else ".",
        "steps_all": f"{sum(int(u['steps_taken']) for u in measured):,}",
        "up_out": sum(int(o.uphill_output.sum()) for o in study.outcomes if o.uphill_output is not None),
        "up_q": int(short.uphill_network.sum()) if short.uphill_network is not None else 0,
        "shortcut_steps": f"{int(short.steps.sum()) if short.steps is not None else 0:,}",
        "sweep_table": "\n".join(_sweep_table(study)),
        "learning_rate_findings": _learning_rate_findings(study, chain, short),
        "chain_share": _share(chain),
        "short_share": _share(short),
        "references": "\n".join(
            line
            for note in coincidence_notes(study)
            for line in textwrap.wrap(
                note, width=100, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False
            )
        ),
        "rounding_note": "\n".join(_rounding_note(study)),
        "ties_note": "\n".join(_ties_note(study)),
    }


def _learning_rate_findings(study: ConvergenceStudy, chain: Outcome, short: Outcome) -> str:
    """The paragraph after the sweep table: slow at the smallest η, where the shortcut breaks down, the
    largest η and the best of each rule."""
    q = QUESTION_RATE
    lo, hi = min(study.learning_rates), max(study.learning_rates)
    c_lo, s_lo = (study.outcome(r, None, lo) for r in ("chain", "shortcut"))
    c_hi, s_hi = (study.outcome(r, None, hi) for r in ("chain", "shortcut"))
    slow_at_lo = all(a.separated.mean() < b.separated.mean() for a, b in ((c_lo, chain), (s_lo, short)))
    drops = [
        o
        for o in study.outcomes
        if o.label == "shortcut" and o.learning_rate > q and o.separated.mean() < short.separated.mean() / 2
    ]
    best_c, best_s = _best(study, "chain"), _best(study, "shortcut")
    parts = [
        f"At η = {lo:g}, {study.epochs} epochs are too few: chain separates {_share(c_lo)}, the "
        f"shortcut {_share(s_lo)}."
        if slow_at_lo
        else f"At η = {lo:g}: chain {_share(c_lo)}, shortcut {_share(s_lo)}."
    ]
    if drops:
        d = drops[0]
        parts += [
            f"From η = {d.learning_rate:g} the shortcut breaks down: {_share(d)} separated, chain",
            f"{_share(study.outcome('chain', None, d.learning_rate))}. Its hidden units saturate (median",
            f"slope {np.median(d.hidden_slope):.2g}), while its uphill steps stay at",
            f"{percent((d.uphill() or {})['network']['steps'])} of the steps: the direction is rarely",
            "uphill; the longer steps drive the hidden units into saturation, where they pass almost no",
            "gradient back.",
        ]
    parts += [
        f"At η = {hi:g}: chain {_share(c_hi)}, shortcut {_share(s_hi)}.",
        f"The best of these η: chain {_share(best_c)} at η = {best_c.learning_rate:g}, shortcut",
        f"{_share(best_s)} at η = {best_s.learning_rate:g}.",
    ]
    return " ".join(parts)


def doc_study() -> ConvergenceStudy:
    """The study of the document (:data:`DOC_STUDY`)."""
    return run_study(**DOC_STUDY)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Write the document and its figure; with ``--check``, only report whether the text is current."""
    parser = argparse.ArgumentParser(prog="python -m verification.convergence.document", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the text is stale; write nothing")
    args = parser.parse_args(argv)
    study = doc_study()
    text = render_document(study)
    if args.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
        if current != text:
            print(f"{DOC_PATH} is stale; run python -m verification.convergence.document", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    try:
        plot_study(study, FIGURE_PATH)
        print(f"wrote {FIGURE_PATH}")
    except InputError as exc:  # matplotlib is not installed
        print(f"{FIGURE_PATH} not redrawn: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
