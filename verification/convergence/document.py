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
    return _para(f"Ties for the largest output, counted as not separated: {'; '.join(tied)}.")


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


def render_document(study: ConvergenceStudy) -> str:
    """The whole of ``docs/convergence.md`` for ``study``.

    Raises
    ------
    KeyError
        If the study lacks η = 0.1 or the chain and shortcut rules.
    """
    q, n = QUESTION_RATE, study.seeds
    chain, short = study.outcome("chain", None, q), study.outcome("shortcut", None, q)
    both, only_short, only_chain, neither = _joint(study, q)
    lowered = {
        o.label: int(np.count_nonzero(o.mse_per_epoch[-1] < o.mse_per_epoch[0])) for o in (chain, short)
    }
    lowered_text = (
        f"every one of the {n} starts"
        if min(lowered.values()) == n
        else f"{lowered['chain']} (chain) and {lowered['shortcut']} (shortcut) of the {n} starts"
    )
    verb = {True: "separates", False: "does not separate"}
    mse_c, mse_s = (float(np.median(o.mse_per_epoch[-1])) for o in (chain, short))
    ep_c, ep_s = (float(np.median(o.first_separated[o.separated])) for o in (chain, short))
    measured = [u for o in study.outcomes if (u := o.uphill()) is not None]
    steps_all = sum(int(u["steps_taken"]) for u in measured)
    up_out = sum(int(o.uphill_output.sum()) for o in study.outcomes if o.uphill_output is not None)
    up_q = int(short.uphill_network.sum()) if short.uphill_network is not None else 0
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
    rates = ", ".join(f"{r:g}" for r in study.learning_rates)
    lines = [
        "# Both converge? Training the question's network from many starts",
        "",
        "<!-- Generated by `python -m verification.convergence.document` (`nox -s docs`) from the study",
        "in verification/convergence/study.py. Do not edit by hand: tests/test_convergence_doc.py fails",
        "when this file differs from what the code generates. -->",
        "",
        *_para(
            'The question: *"Both of these functions converge just fine, but obviously one of them is',
            'wrong. Which one, and why?"* `backprop-verify` answers *which*: `chain` is the gradient of the',
            "squared error `mse`, `shortcut` the gradient of binary cross-entropy `bce`. This page measures",
            "the other half, *both converge*, which the question saw from one start. The question's network",
            "(30-5-3, sigmoid, no biases) is trained as the question trains it (per-sample SGD over the",
            f"glyphs A, B, C in that order, {study.epochs} epochs) from the weights of seeds",
            f"{study.seed_range} (`Network.initialise((30, 5, 3), 'sigmoid', seed=s)`), at learning rates",
            f"η = {rates}, with four rules: `chain`, `shortcut`, and as references the exact gradients",
            "of `mse` and `bce` (`backward(rule='exact', loss=...)`).",
        ),
        "",
        "- **separated**: at the end, each glyph's own output is the largest of its three (argmax equals",
        "  the letter; an exact tie in float64 does not count). **epochs to separate**: the first epoch",
        "  after which all three were classified, over the seeds separated at the end. Spreads are",
        "  q1 / median / q3 over the seeds.",
        "- **final mse, bce**: the mean over the glyphs at the end (`bce` from the pre-activation,",
        "  `log(1 + e^z) − y z`, finite where σ(z) rounds to 1). **mse lowered**: seeds whose final mse",
        "  is below their initial one.",
        "- **uphill for mse**: a step whose direction `g` (the update is `W ← W − η g`) has",
        "  `⟨g, ∇mse⟩ < 0`, with `∇mse` the exact mse gradient of the same sample at the same weights:",
        "  to first order, the step raises that sample's squared error.",
        "",
        f"## At the question's learning rate, η = {q:g}",
        "",
        *_separation_table(study, q),
        "",
        *_para(
            f"Both rules lower the squared error from {lowered_text}. Within {study.epochs} epochs they do",
            f"not both separate the letters: from {both} starts both do, from {only_short} only the",
            f"shortcut, from {only_chain} only chain, from {neither} neither. With seed {study.first_seed}",
            f"chain {verb[bool(chain.separated[0])]} the letters and the shortcut",
            f"{verb[bool(short.separated[0])]} them. The seeds that separate take a median of {ep_s:g}",
            f"epochs with the shortcut and {ep_c:g} with chain, and the median final mse is {mse_s:.3g}",
            f"with the shortcut, {mse_c:.3g} with chain"
            + (", although chain is the gradient of mse." if mse_s < mse_c else "."),
        ),
        "",
        "## Why the shortcut still lowers the squared error",
        "",
        *_para(
            "For one sample, with `e = a2 − y`, the shortcut's output-layer update is `a1ᵀ e` and the mse",
            "gradient is `a1ᵀ (e ⊙ σ'(z2))`. Their inner product is",
        ),
        "",
        "    ⟨a1ᵀ e, a1ᵀ (e ⊙ σ'(z2))⟩ = ‖a1‖² Σ_k e_k² σ'(z2_k) ≥ 0,",
        "",
        *_para(
            "because `σ'(z2) = a2 (1 − a2) > 0` element-wise: the shortcut's output-layer step is never",
            "uphill for mse, and in floating point neither, since every term of the sum is ≥ 0. Measured",
            f"over all {steps_all:,} steps of the shortcut and exact bce in this study: {up_out} uphill at",
            "the output layer. The shortcut only drops the factor σ'(z2) ≤ 1/4, so at the same weights and",
            "η its output-layer step is at least 4 times longer than chain's; and it is gradient descent on",
            "`bce`, a loss that, like `mse`, is smallest where a2 = y.",
        ),
        "",
        "For the whole network the hidden layer adds",
        "",
        "    ⟨xᵀ δ1_shortcut, xᵀ δ1_mse⟩ = ‖x‖² Σ_j σ'(z1_j)² (Σ_k e_k W2_jk) (Σ_k e_k σ'(z2_k) W2_jk),",
        "",
        *_para(
            "which can be negative: the shortcut sends the output errors back with equal weights, the",
            f"gradient with the weights σ'(z2_k). At η = {q:g} it never outweighed the output layer:",
            f"{up_q} of the",
            f"{int(short.steps.sum()) if short.steps is not None else 0:,} shortcut steps were uphill for",
            "the whole network.",
        ),
        "",
        "## When it fails: the learning rate",
        "",
        *_para(
            "Fraction of seeds separated at the end, per rule and learning rate; uphill steps of the",
            "shortcut for the whole network (share of the steps, share of the seeds with any); median of",
            "the hidden units' mean slope σ'(z1) at the end (at most 0.25; near 0 the hidden layer is",
            "saturated and passes almost no gradient back):",
        ),
        "",
        *_sweep_table(study),
        "",
        *_para(
            (
                f"At η = {lo:g}, {study.epochs} epochs are too few: chain separates {_share(c_lo)}, the "
                f"shortcut {_share(s_lo)}."
                if slow_at_lo
                else f"At η = {lo:g}: chain {_share(c_lo)}, shortcut {_share(s_lo)}."
            ),
            *(
                [
                    f"From η = {drops[0].learning_rate:g} the shortcut breaks down: {_share(drops[0])}",
                    "separated, chain",
                    f"{_share(study.outcome('chain', None, drops[0].learning_rate))}. Its hidden units",
                    f"saturate (median slope {np.median(drops[0].hidden_slope):.2g}), while its uphill",
                    f"steps stay at {percent((drops[0].uphill() or {})['network']['steps'])} of the steps:",
                    "the direction is rarely uphill; the longer steps drive the hidden units into",
                    "saturation, where they pass almost no gradient back.",
                ]
                if drops
                else []
            ),
            f"At η = {hi:g}: chain {_share(c_hi)}, shortcut {_share(s_hi)}.",
            f"The best of these η: chain {_share(best_c)} at η = {best_c.learning_rate:g}, shortcut",
            f"{_share(best_s)} at η = {best_s.learning_rate:g}.",
        ),
        "",
        '## What this says about "both converge"',
        "",
        *_para(
            f"Both rules lower the squared error at η = {q:g}: chain as gradient descent on mse, the",
            "shortcut as gradient descent on bce, never uphill for mse at the output layer. Whether they",
            f"*separate the letters within {study.epochs} epochs* depends on the start and on η: at the",
            f"question's settings chain does from {_share(chain)} of the starts and the shortcut from",
            f"{_share(short)}; one training run shows one of these outcomes. Neither rule fails as an",
            "optimiser; they descend different losses, and the one without σ'(z2) takes longer steps.",
            "Which one is *the gradient* is a question of the loss, not of convergence.",
        ),
        "",
        "## The references",
        "",
        *[
            line
            for note in coincidence_notes(study)
            for line in textwrap.wrap(
                note, width=100, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False
            )
        ],
        "",
        *_rounding_note(study),
        "",
        *_ties_note(study),
        "",
        "## Figure",
        "",
        "![mse per epoch at η = 0.1 with quartile bands; fraction separated against η](convergence.png)",
        "",
        "## Reproduce",
        "",
        "```sh",
        f"backprop-verify converge --learning-rates {','.join(f'{r:g}' for r in study.learning_rates)} "
        "--plot convergence.png",
        "python -m verification.convergence.document     # this page and its figure (nox -s docs)",
        "```",
        "",
        *_para(
            "All seeds are trained at once (`ffnn.stacked_training`: the weights of every seed stacked in",
            "one array); each seed's run equals `ffnn.train_sgd` bit for bit",
            "(`tests/test_stacked_training.py`). Timings: `docs/benchmarks-converge.md`.",
        ),
        "",
    ]
    return "\n".join(lines)


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
