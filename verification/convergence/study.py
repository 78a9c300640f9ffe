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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.data import load_glyphs
from ffnn.stacked_training import StackedForward, StackedStep, initial_weights, train_sgd_stacked
from ffnn.validation import InputError
from verification.convergence.measures import (
    bce_from_preactivation,
    hidden_slope,
    inner_products_with_mse,
    separation,
)
from verification.convergence.outcomes import (
    ACTIVATIONS,
    EQUAL_IN_EXACT_ARITHMETIC,
    MSE_GRADIENT,
    RULES,
    SIZES,
    ConvergenceStudy,
    Outcome,
    label,
    quartiles,
)
from verification.draws import MAX_SEED

Array = NDArray[Any]
SEEDS, FIRST_SEED, LEARNING_RATES, EPOCHS = 1000, 0, (0.1,), 100
MAX_SEEDS, MAX_EPOCHS, MAX_RATES, MAX_SEED_EPOCHS = 100_000, 10_000, 12, 10_000_000


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
    rule: str,
    loss: str | None,
    learning_rate: float,
    first_seed: int,
    seeds: int,
    epochs: int,
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
        _start(first_seed, seeds),
        ACTIVATIONS,
        data.x,
        data.y,
        rule=rule,
        loss=loss,
        learning_rate=learning_rate,
        epochs=epochs,
        on_step=rec.on_step if measure else None,
        on_epoch=rec.on_epoch,
    )
    return Outcome(
        rule,
        loss,
        learning_rate,
        first_seed,
        epochs,
        rec.separated,
        rec.tied,
        rec.first,
        run.mse_per_epoch,
        rec.final_bce,
        rec.hidden_slope,
        rec.steps if measure else None,
        rec.uphill_output if measure else None,
        rec.uphill_network if measure else None,
        run.stopped_at,
    )


def _whole(name: str, value: Any, low: int, high: int | None = None) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"from {low} to {high}" if high is not None else f"≥ {low}"
        huge = isinstance(value, int) and abs(value) > 10**100  # Python prints no more than 4300 digits
        shown = f"a number of about {int(abs(value).bit_length() * 0.30103)} digits" if huge else repr(value)
        raise InputError(f"{name} must be a whole number {bounds}, got {shown}")


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
        The first seed, 0 to :data:`~verification.draws.MAX_SEED`; the seeds are ``first_seed …
        first_seed + seeds − 1``.
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
    if first_seed > MAX_SEED:
        _whole("first_seed", first_seed, 0, MAX_SEED)
    if workers is not None:
        _whole("workers", workers, 1)
    if seeds * epochs > MAX_SEED_EPOCHS:
        raise InputError(
            f"seeds × epochs must be ≤ {MAX_SEED_EPOCHS:,} (memory and time of one study), "
            f"got {seeds} × {epochs}",
            hint="fewer seeds or fewer epochs",
        )
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


__all__ = [
    "ACTIVATIONS",
    "EQUAL_IN_EXACT_ARITHMETIC",
    "MSE_GRADIENT",
    "RULES",
    "SIZES",
    "ConvergenceStudy",
    "Outcome",
    "label",
    "quartiles",
    "run_study",
    "train_rule",
]
