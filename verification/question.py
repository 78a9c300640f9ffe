"""The question's answer, measured: which loss each of the two backward passes is the gradient of.

On the question's network (30 → 5 → 3, sigmoid in both layers, no biases, weights from
``default_rng(seed)``) and on each glyph A, B, C as a one-sample batch, the gradients of the two
backward passes (``chain`` and ``shortcut`` output deltas, :mod:`ffnn.backprop`) are compared with the
finite-difference gradients of ``mse`` and ``bce`` (:mod:`verification.compare.coordinate`). A backward
pass is the gradient of a loss when every parameter tensor matches on every glyph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ffnn.backprop import backward
from ffnn.data import load_glyphs
from ffnn.losses import get_loss
from ffnn.network import Network
from ffnn.training import train_sgd
from verification.compare.coordinate import check_gradient
from verification.compare.reports import GradientReport
from verification.convergence.report import percent
from verification.convergence.study import run_study
from verification.numeric.evaluators import LoopEvaluator
from verification.numeric.methods import resolve_method
from verification.terminal_width import DEFAULT_WIDTH, fit

SIZES = (30, 5, 3)
QUESTION_RULES = ("chain", "shortcut")
QUESTION_LOSSES = ("mse", "bce")
EXPECTED = {"chain": "mse", "shortcut": "bce"}
"""What the question's accepted answer claims, for comparison with what is measured."""
LEARNING_RATE, EPOCHS = 0.1, 100


@dataclass(frozen=True)
class BackwardLossReport:
    """One backward pass against one loss.

    Attributes
    ----------
    backward, loss : str
    reports : list of GradientReport
        One per glyph.
    """

    backward: str
    loss: str
    reports: list[GradientReport]

    @property
    def max_relative_error(self) -> float:
        """Largest per-tensor relative error over the glyphs."""
        return max(r.max_relative_error for r in self.reports)

    @property
    def matches(self) -> bool:
        """True when every tensor matches on every glyph."""
        return all(r.matches for r in self.reports)


@dataclass(frozen=True)
class TrainingReport:
    """Per-sample SGD with one backward pass from the same weights."""

    backward: str
    mse_before: float
    mse_after: float
    classified: int


@dataclass(frozen=True)
class SeedStudy:
    """How often each backward pass separates the glyphs over many weight seeds
    (:mod:`verification.convergence.study`, same training as :class:`TrainingReport`).

    Attributes
    ----------
    first_seed, seeds : int
        The seeds ``first_seed … first_seed + seeds − 1``.
    separated : dict of str to float
        Per backward pass, the fraction of seeds whose network classifies all three glyphs at the end.
    """

    first_seed: int
    seeds: int
    separated: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The ``convergence`` field of the JSON object."""
        return {
            "first_seed": self.first_seed,
            "seeds": self.seeds,
            "learning_rate": LEARNING_RATE,
            "epochs": EPOCHS,
            "separated": self.separated,
        }


@dataclass(frozen=True)
class QuestionReport:
    """The measured answer to the question for one weight seed."""

    seed: int
    method: str
    results: list[BackwardLossReport]
    training: list[TrainingReport] = field(default_factory=list)
    study: SeedStudy | None = None

    @property
    def verdict(self) -> dict[str, str | None]:
        """The loss each backward pass is the gradient of (the first that matches), or None."""
        out: dict[str, str | None] = {}
        for b in QUESTION_RULES:
            matched = [r.loss for r in self.results if r.backward == b and r.matches]
            out[b] = matched[0] if matched else None
        return out

    @property
    def answers_question(self) -> bool:
        """True when the measurement agrees with the claim chain → mse, shortcut → bce."""
        return self.verdict == EXPECTED

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the ``question`` command (alias ``seed``; field names are stable)."""
        return {
            "command": "question",
            "seed": self.seed,
            "method": self.method,
            "network": {"sizes": list(SIZES), "activations": ["sigmoid", "sigmoid"], "biases": False},
            "results": [
                {
                    "backward": r.backward,
                    "loss": r.loss,
                    "max_relative_error": r.max_relative_error,
                    "matches": r.matches,
                }
                for r in self.results
            ],
            "verdict": self.verdict,
            "training": [
                {
                    "backward": t.backward,
                    "learning_rate": LEARNING_RATE,
                    "epochs": EPOCHS,
                    "mse_before": t.mse_before,
                    "mse_after": t.mse_after,
                    "classified": t.classified,
                    "samples": 3,
                }
                for t in self.training
            ],
            "convergence": None if self.study is None else self.study.to_dict(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as one JSON line."""
        return json.dumps(self.to_dict())


def answer_question(seed: int = 0, method: str = "auto", train: bool = True) -> QuestionReport:
    """Measure which loss the chain and the shortcut backward passes are the gradients of.

    Parameters
    ----------
    seed : int
        Seed of the weights (``Network.initialise((30, 5, 3), "sigmoid", seed=seed)``).
    method : str
        Finite-difference method, see :func:`verification.numeric.methods.numeric_gradient`;
        ``auto`` is resolved (complex step when the loss evaluates on complex parameters, else
        Richardson) and the answer names the method used.
    train : bool
        Also train from the same weights with each backward pass (per-sample SGD, η = 0.1, 100 epochs),
        and from the weights of seeds 0 … 999 (:func:`verification.convergence.run_study`).

    Raises
    ------
    InputError
        On an unknown method.
    """
    resolve_method(method)
    data = load_glyphs()
    network = Network.initialise(SIZES, "sigmoid", seed=seed)

    def first(params: dict[str, Any]) -> Any:
        return network.with_parameters(params).loss(data.x[:1], data.y[:1], QUESTION_LOSSES[0])

    # ``auto`` is resolved once, on the first glyph and loss, so every comparison uses one method and
    # the answer names it.
    method = resolve_method(method, LoopEvaluator(first, network.parameters()))
    results = []
    for b in QUESTION_RULES:
        for loss in QUESTION_LOSSES:
            reports = []
            for i in range(data.x.shape[0]):
                x, y = data.x[i : i + 1], data.y[i : i + 1]
                grads = backward(network, x, y, rule=b)

                def f(params: dict[str, Any], x: Any = x, y: Any = y, loss: str = loss) -> Any:
                    return network.with_parameters(params).loss(x, y, loss)

                reports.append(check_gradient(f, network.parameters(), grads, method=method))
            results.append(BackwardLossReport(b, loss, reports))
    training = []
    if train:
        for b in QUESTION_RULES:
            run = train_sgd(network, data.x, data.y, rule=b, learning_rate=LEARNING_RATE, epochs=EPOCHS)
            predicted = np.argmax(run.network.forward(data.x).output, axis=1)
            classified = int(np.count_nonzero(predicted == np.argmax(data.y, axis=1)))
            training.append(
                TrainingReport(b, float(run.mse_per_epoch[0]), float(run.mse_per_epoch[-1]), classified)
            )
    study = None
    if train:
        many = run_study(
            learning_rates=(LEARNING_RATE,),
            epochs=EPOCHS,
            rules=[(b, None) for b in QUESTION_RULES],
            uphill=False,
        )
        separated = {o.rule: float(o.separated.mean()) for o in many.outcomes}
        study = SeedStudy(many.first_seed, many.seeds, separated)
    return QuestionReport(seed, method, results, training, study)


_DELTA = {"chain": "(a − y) ⊙ σ'(z)", "shortcut": "a − y"}


def format_question(answer: QuestionReport, width: int = DEFAULT_WIDTH) -> str:
    """The answer as text for a terminal: a table, the verdict in plain words, the training runs;
    every line fitted to ``width`` columns (:mod:`verification.terminal_width`)."""
    tol = answer.results[0].reports[0].tolerance
    lines = [
        f"The question's network: 30-5-3, sigmoid, no biases, weights seed {answer.seed}.",
        f"Each backward pass against the {answer.method} numeric gradient of each loss, on the "
        "glyphs A, B, C. rel. error = ‖g_backprop − g_numeric‖ / max(‖g_backprop‖, ‖g_numeric‖), the "
        "largest over W1, W2 and the three glyphs. 'matches' means every entry is within "
        f"{tol.rtol:.1e} × (|entry| + the largest entry of its matrix) plus "
        f"{tol.estimate_factor:g}× the numeric oracle's own error estimate.",
        "",
        f"  {'backward':<10}{'output delta':<18}{'loss':<6}{'rel. error':>11}  verdict",
    ]
    for r in answer.results:
        verdict = "matches" if r.matches else "mismatch"
        lines.append(
            f"  {r.backward:<10}{_DELTA[r.backward]:<18}{r.loss:<6}{r.max_relative_error:>11.1e}  {verdict}"
        )
    lines.append("")
    lines.append("Verdict:")
    for b, loss in answer.verdict.items():
        if loss is None:
            lines.append(f"  {b:<9} = {_DELTA[b]} is the gradient of neither mse nor bce.")
        else:
            lines.append(f"  {b:<9} = {_DELTA[b]} is the gradient of {loss}: {get_loss(loss).formula}")
    if answer.answers_question:
        lines.append(
            "  Both are right, for different losses: with bce the σ'(z) factor of the chain rule cancels "
            "against the 1 / (a (1 − a)) of ∂bce/∂a, which leaves a − y."
        )
    if answer.training:
        lines += ["", f"Training from these weights (per-sample SGD, η = {LEARNING_RATE}, {EPOCHS} epochs):"]
        for t in answer.training:
            lines.append(
                f"  {t.backward:<9} mse {t.mse_before:.4f} → {t.mse_after:.4f}, "
                f"{t.classified}/3 glyphs classified"
            )
        if all(t.mse_after < t.mse_before for t in answer.training):
            lines.append(
                "  Both lower the squared error: at the output σ'(z) > 0, so for one sample the shortcut "
                "never points uphill there, though it is not the gradient of mse."
            )
    if answer.study is not None:
        st = answer.study
        chain, shortcut = (percent(st.separated[b]) for b in QUESTION_RULES)
        lines += [
            "",
            f"Over seeds {st.first_seed}–{st.first_seed + st.seeds - 1} (same training), chain separates the "
            f"three letters in {chain} of starts and shortcut in {shortcut}; see 'backprop-verify converge'.",
        ]
    formulas = [get_loss(loss).formula for loss in QUESTION_LOSSES]
    return "\n".join(fit(lines, width, keep=(*formulas, *_DELTA.values())))


def verdict_line(answer: QuestionReport) -> str:
    """The one line ``question --quiet`` prints: the loss each backward pass is the gradient of."""
    parts = [
        f"{b} is the gradient of {loss}"
        if loss is not None
        else f"{b} is the gradient of neither mse nor bce"
        for b, loss in answer.verdict.items()
    ]
    return "; ".join(parts)
