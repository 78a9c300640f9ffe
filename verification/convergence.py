"""Both converge? The question's training over many weight seeds, for each output-delta rule.

The question says both backward passes "converge just fine", having seen one start. Here its network
(30-5-3, sigmoid, no biases) is trained from the weights of many seeds as the question trains it
(per-sample SGD over the glyphs A, B, C in that order), all seeds at once (:mod:`ffnn.stacked_training`),
with each rule of :data:`RULES`. For each rule and learning rate it reports:

* **separated**: the fraction of seeds whose network classifies all three glyphs at the end: for every
  glyph its own output is the largest of the three (argmax equals the letter; an exact tie in float64
  is not counted, and the ties are reported);
* the epochs until a seed first separates them (quartiles over the seeds separated at the end);
* the final ``mse`` and ``bce`` of the data set (quartiles; ``bce`` is computed from the pre-activation
  as ``log(1 + e^z) − y z``, equal to the catalog's formula and finite where σ(z) rounds to 0 or 1),
  and the mean slope σ'(z1) left in the hidden layer;
* **uphill steps for mse**: steps whose update direction ``g`` (``W ← W − η g``) has
  ``⟨g, ∇mse⟩ < 0`` with ``∇mse`` the exact mse gradient of the same sample at the same weights, so
  that to first order the step raises that sample's squared error; for the output layer alone and for
  the whole network, as a fraction of the steps taken and of the seeds with at least one.

At the output layer ``⟨(a − y) ⊙ σ'(z), a − y⟩ ‖a1‖² ≥ 0`` because ``σ'(z) > 0``, so the shortcut is
never uphill there, and in floating point neither (every term of the sum is ≥ 0). Sources: Nielsen,
*Neural Networks and Deep Learning* (2015), ch. 1–3; Bishop, *Pattern Recognition and Machine Learning*
(2006), §4.3.6 and §5.2.4 (gradient descent: a step is downhill when its direction has a positive inner
product with the gradient).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.data import load_glyphs
from ffnn.stacked_training import StackedForward, StackedStep, initial_weights, train_sgd_stacked
from ffnn.validation import InputError
from verification.convergence_measures import (
    bce_from_preactivation,
    hidden_slope,
    inner_products_with_mse,
    separation,
)

Array = NDArray[Any]
SIZES = (30, 5, 3)
ACTIVATIONS = ("sigmoid", "sigmoid")
RULES: tuple[tuple[str, str | None], ...] = (("chain", None), ("shortcut", None), ("exact", "mse"),
                                             ("exact", "bce"))
"""The rules trained: ``(rule, loss)`` as in :func:`ffnn.backprop.backward`."""
MSE_GRADIENT = (("chain", None), ("exact", "mse"))
"""Rules whose step is along the mse gradient itself (⟨g, g⟩ ≥ 0): their uphill steps are not measured."""
EQUAL_IN_EXACT_ARITHMETIC = ((("chain", None), ("exact", "mse")), (("shortcut", None), ("exact", "bce")))
"""Pairs of rules that are one update in exact arithmetic: chain is ∂mse/∂z through σ, and in
∂bce/∂z = (a − y) / (a (1 − a)) · σ'(z) the σ'(z) = a (1 − a) cancels to the shortcut a − y."""
SEEDS, FIRST_SEED, LEARNING_RATES, EPOCHS = 1000, 0, (0.1,), 100
MAX_SEEDS, MAX_EPOCHS, MAX_RATES, MAX_SEED_EPOCHS = 100_000, 10_000, 12, 10_000_000


def label(rule: str, loss: str | None) -> str:
    """The name of a rule in reports: ``chain``, ``shortcut``, ``exact mse``, ``exact bce``."""
    return rule if loss is None else f"{rule} {loss}"


def quartiles(values: Array) -> dict[str, float] | None:
    """``{q1, median, q3}`` of ``values`` (linear interpolation, numpy's default), None when empty."""
    if values.size == 0:
        return None
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return {"q1": float(q1), "median": float(median), "q3": float(q3)}


@dataclass(frozen=True)
class Outcome:
    """Per-seed results of one rule at one learning rate (arrays have one entry per seed, shape (S,)).

    Attributes
    ----------
    rule, loss : str, str or None
    learning_rate : float
    first_seed, epochs : int
    separated : ndarray of bool
        Every glyph's own output strictly the largest of the three at the end.
    tied : ndarray of bool
        Some glyph's own output equal (in float64) to the largest other output at the end.
    first_separated : ndarray of int64
        First epoch (0 = the start) after which all glyphs were separated; −1 if never.
    mse_per_epoch : ndarray, shape (epochs + 1, S), float64
        Mean ``mse`` over the glyphs before training and after each epoch.
    final_bce : ndarray of float64
        Mean ``bce`` over the glyphs at the end.
    hidden_slope : ndarray of float64
        Mean of ``σ'(z)`` over the hidden units and glyphs at the end (at most 1/4; near 0 the hidden
        layer is saturated and passes almost no gradient back).
    steps, uphill_output, uphill_network : ndarray of int64, or None
        Steps taken, and those uphill for mse at the output layer and for the whole network; None when
        not measured (for the rules that step along the mse gradient itself, see :data:`MSE_GRADIENT`).
    stopped_at : ndarray of int64
        Step at which an ``exact`` rule's output left its loss's domain (training stopped), −1 if never.
    """

    rule: str
    loss: str | None
    learning_rate: float
    first_seed: int
    epochs: int
    separated: Array
    tied: Array
    first_separated: Array
    mse_per_epoch: Array
    final_bce: Array
    hidden_slope: Array
    steps: Array | None
    uphill_output: Array | None
    uphill_network: Array | None
    stopped_at: Array

    @property
    def label(self) -> str:
        """See :func:`label`."""
        return label(self.rule, self.loss)

    @property
    def seeds(self) -> int:
        """Number of seeds ``S``."""
        return int(self.separated.size)

    def same_as(self, other: Outcome) -> bool:
        """True when every per-seed number equals ``other``'s, bit for bit."""
        fields = ("separated", "first_separated", "mse_per_epoch", "final_bce", "hidden_slope", "stopped_at",
                  "steps", "uphill_output", "uphill_network")
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in fields)  # None equals None

    def uphill(self) -> dict[str, Any] | None:
        """``{output_layer, network, steps_taken}``, each layer ``{steps, seeds}``: the fraction of the
        steps taken that are uphill for mse, and of the seeds with any; None when not measured."""
        if self.steps is None or self.uphill_output is None or self.uphill_network is None:
            return None
        taken = int(self.steps.sum())
        share = {name: {"steps": float(c.sum() / max(taken, 1)), "seeds": float(np.mean(c > 0))}
                 for name, c in (("output_layer", self.uphill_output), ("network", self.uphill_network))}
        return {**share, "steps_taken": taken}

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of one rule (see docs/cli.md); fractions are of the ``seeds`` seeds."""
        band = {k: np.quantile(self.mse_per_epoch, q, axis=1).tolist()
                for k, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))}
        return {
            "rule": self.rule, "loss": self.loss, "label": self.label, "learning_rate": self.learning_rate,
            "epochs": self.epochs, "seeds": self.seeds, "first_seed": self.first_seed,
            "separated": float(self.separated.mean()), "separated_seeds": int(self.separated.sum()),
            "ties": int(self.tied.sum()),
            "separated_at_some_epoch": float(np.mean(self.first_separated >= 0)),
            "epochs_to_separate": quartiles(self.first_separated[self.separated]),
            "final_mse": quartiles(self.mse_per_epoch[-1]), "final_bce": quartiles(self.final_bce),
            "final_hidden_slope": quartiles(self.hidden_slope),
            "stopped": float(np.mean(self.stopped_at >= 0)),
            "uphill_mse": self.uphill(),
            "mse_per_epoch": band,
        }


class _Recorder:
    """Observes one stacked training run: classification per epoch, final bce, uphill steps for mse."""

    def __init__(self, n_seeds: int, labels: Array, epochs: int) -> None:
        self.labels, self.epochs = labels, epochs
        self.first = np.full(n_seeds, -1, dtype=np.int64)
        self.separated, self.tied = np.zeros(n_seeds, dtype=bool), np.zeros(n_seeds, dtype=bool)
        self.final_bce, self.hidden_slope = np.zeros(n_seeds), np.zeros(n_seeds)
        self.steps, self.uphill_output, self.uphill_network = np.zeros((3, n_seeds), dtype=np.int64)

    def on_epoch(self, epoch: int, forward: StackedForward) -> None:
        self.separated, self.tied = separation(forward.output, self.labels)
        self.first[(self.first < 0) & self.separated] = epoch
        if epoch == self.epochs:
            y = np.eye(forward.output.shape[2])[self.labels]
            self.final_bce = bce_from_preactivation(forward.z[-1], y)
            self.hidden_slope = hidden_slope(forward, ACTIVATIONS)

    def on_step(self, step: StackedStep) -> None:
        inner = inner_products_with_mse(step, ACTIVATIONS)
        self.steps += step.active
        self.uphill_output += step.active & (inner[-1] < 0)
        self.uphill_network += step.active & (np.sum(inner, axis=0) < 0)


@functools.lru_cache(maxsize=4)
def _start(first_seed: int, seeds: int) -> list[Array]:
    weights = initial_weights(SIZES, ACTIVATIONS, range(first_seed, first_seed + seeds))
    for w in weights:
        w.flags.writeable = False
    return weights


@functools.lru_cache(maxsize=32)
def train_rule(
    rule: str, loss: str | None, learning_rate: float, first_seed: int, seeds: int, epochs: int,
    uphill: bool = True,
) -> Outcome:
    """Train the question's network from seeds ``first_seed … first_seed + seeds − 1`` with one rule.

    Weights of seed ``s`` are those of ``Network.initialise((30, 5, 3), "sigmoid", seed=s)``; training
    is :func:`ffnn.stacked_training.train_sgd_stacked` over the glyphs (per-sample SGD, A, B, C in order).
    Uphill steps are counted when ``uphill`` is true and the rule is not in :data:`MSE_GRADIENT`.
    Results are cached, so the study, the default command and the document share them.

    Raises
    ------
    InputError
        On bad arguments (see :func:`run_study`).
    """
    data = load_glyphs()
    rec = _Recorder(seeds, np.argmax(data.y, axis=1), epochs)
    measure = uphill and (rule, loss) not in MSE_GRADIENT
    run = train_sgd_stacked(
        _start(first_seed, seeds), ACTIVATIONS, data.x, data.y, rule=rule, loss=loss,
        learning_rate=learning_rate, epochs=epochs, on_step=rec.on_step if measure else None,
        on_epoch=rec.on_epoch,
    )
    return Outcome(
        rule, loss, learning_rate, first_seed, epochs, rec.separated, rec.tied, rec.first,
        run.mse_per_epoch, rec.final_bce, rec.hidden_slope, rec.steps if measure else None,
        rec.uphill_output if measure else None, rec.uphill_network if measure else None, run.stopped_at,
    )


@dataclass(frozen=True)
class ConvergenceStudy:
    """The outcomes of every rule at every learning rate, over one range of seeds.

    Attributes
    ----------
    first_seed, seeds, epochs : int
    learning_rates : tuple of float
    outcomes : list of Outcome
        For each learning rate in order, each rule of :data:`RULES` in order.
    """

    first_seed: int
    seeds: int
    epochs: int
    learning_rates: tuple[float, ...]
    outcomes: list[Outcome]

    @property
    def seed_range(self) -> str:
        """``"0–999"``: the seeds studied."""
        return f"{self.first_seed}–{self.first_seed + self.seeds - 1}"

    def outcome(self, rule: str, loss: str | None, learning_rate: float) -> Outcome:
        """The outcome of one rule at one learning rate (KeyError if it was not trained)."""
        for o in self.outcomes:
            if (o.rule, o.loss, o.learning_rate) == (rule, loss, learning_rate):
                return o
        raise KeyError((rule, loss, learning_rate))

    def comparisons(self) -> list[dict[str, Any]]:
        """For each pair of :data:`EQUAL_IN_EXACT_ARITHMETIC` and learning rate: ``{rules, learning_rate,
        identical, separated_differs}``, whether every per-seed number coincides bit for bit, and on how
        many seeds the two end differently separated."""
        out = []
        for lr in self.learning_rates:
            for a, b in EQUAL_IN_EXACT_ARITHMETIC:
                try:
                    oa, ob = self.outcome(*a, lr), self.outcome(*b, lr)
                except KeyError:
                    continue
                out.append({"rules": [oa.label, ob.label], "learning_rate": lr, "identical": oa.same_as(ob),
                            "separated_differs": int(np.count_nonzero(oa.separated != ob.separated))})
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``backprop-verify converge`` (field names are stable, see docs/cli.md)."""
        return {
            "command": "converge",
            "network": {"sizes": list(SIZES), "activations": list(ACTIVATIONS), "biases": False},
            "data": "glyphs A, B, C, per-sample SGD in that order every epoch",
            "first_seed": self.first_seed, "seeds": self.seeds, "epochs": self.epochs,
            "learning_rates": list(self.learning_rates),
            "rules": [o.to_dict() for o in self.outcomes],
            "comparisons": self.comparisons(),
        }


def _whole(name: str, value: Any, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
        high is not None and value > high
    ):
        bounds = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise InputError(f"{name} must be a whole number {bounds}, got {value!r}")


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_study(
    seeds: int = SEEDS,
    first_seed: int = FIRST_SEED,
    learning_rates: Sequence[float] = LEARNING_RATES,
    epochs: int = EPOCHS,
    rules: Sequence[tuple[str, str | None]] = RULES,
    workers: int | None = None,
    uphill: bool = True,
) -> ConvergenceStudy:
    """Train every rule at every learning rate from the same seeds (see the module docstring).

    Parameters
    ----------
    seeds : int
        Number of weight seeds, 1 to :data:`MAX_SEEDS`.
    first_seed : int
        The first seed, ≥ 0; the seeds are ``first_seed … first_seed + seeds − 1``.
    learning_rates : sequence of float
        1 to :data:`MAX_RATES` distinct finite values > 0.
    epochs : int
        1 to :data:`MAX_EPOCHS`, with ``seeds × epochs ≤`` :data:`MAX_SEED_EPOCHS` (memory and time).
    rules : sequence of (rule, loss)
        Subset of :data:`RULES`.
    workers : int, optional
        Threads that train rules in parallel (numpy releases the GIL in its loops), ≥ 1; default: the
        CPUs this process may use. The results do not depend on it: each rule's stack is trained whole.
    uphill : bool
        Count the uphill steps for mse (see :class:`Outcome`); off, the study is faster.

    Raises
    ------
    InputError
        On any argument outside the ranges above, naming it and its value.
    """
    _whole("seeds", seeds, 1, MAX_SEEDS)
    _whole("epochs", epochs, 1, MAX_EPOCHS)
    _whole("first_seed", first_seed, 0)
    if workers is not None:
        _whole("workers", workers, 1)
    if seeds * epochs > MAX_SEED_EPOCHS:
        raise InputError(f"seeds × epochs must be ≤ {MAX_SEED_EPOCHS:,} (memory and time of one study), "
                         f"got {seeds} × {epochs}", hint="fewer seeds or fewer epochs")
    rates = tuple(float(r) for r in learning_rates)
    if not 1 <= len(rates) <= MAX_RATES or len(set(rates)) != len(rates):
        raise InputError(f"learning_rates must be 1 to {MAX_RATES} distinct values, got {list(rates)}")
    for r in rates:
        if not (np.isfinite(r) and r > 0):
            raise InputError(f"learning rates must be finite numbers > 0, got {r!r}")
    for rl in rules:
        if tuple(rl) not in RULES:
            raise InputError(f"unknown rule {rl!r}; known rules: {', '.join(label(*r) for r in RULES)}")
    jobs = [(r, lo, lr) for lr in rates for r, lo in rules]
    n = min(len(jobs), workers if workers is not None else _workers())
    with ThreadPoolExecutor(n) as pool:
        outcomes = list(
            pool.map(lambda j: train_rule(*j, int(first_seed), int(seeds), int(epochs), uphill), jobs)
        )
    return ConvergenceStudy(int(first_seed), int(seeds), int(epochs), rates, outcomes)

