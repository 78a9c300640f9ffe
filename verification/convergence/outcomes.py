"""What the convergence study finds: the outcome of one rule at one learning rate over the seeds
(:class:`Outcome`), and of every rule at every learning rate (:class:`ConvergenceStudy`), with the
settings they describe; the training is :mod:`verification.convergence.study`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
SIZES = (30, 5, 3)
ACTIVATIONS = ("sigmoid", "sigmoid")
RULES: tuple[tuple[str, str | None], ...] = (
    ("chain", None),
    ("shortcut", None),
    ("exact", "mse"),
    ("exact", "bce"),
)
"""The rules trained: ``(rule, loss)`` as in :func:`ffnn.backprop.backward`."""
MSE_GRADIENT = (("chain", None), ("exact", "mse"))
"""Rules whose step is along the mse gradient itself (⟨g, g⟩ ≥ 0): their uphill steps are not measured."""
EQUAL_IN_EXACT_ARITHMETIC = ((("chain", None), ("exact", "mse")), (("shortcut", None), ("exact", "bce")))
"""Pairs of rules that are one update in exact arithmetic: chain is ∂mse/∂z through σ, and in
∂bce/∂z = (a − y) / (a (1 − a)) · σ'(z) the σ'(z) = a (1 − a) cancels to the shortcut a − y."""


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
        fields = (
            "separated",
            "first_separated",
            "mse_per_epoch",
            "final_bce",
            "hidden_slope",
            "stopped_at",
            "steps",
            "uphill_output",
            "uphill_network",
        )
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in fields)  # None equals None

    def uphill(self) -> dict[str, Any] | None:
        """``{output_layer, network, steps_taken}``, each layer ``{steps, seeds}``: the fraction of the
        steps taken that are uphill for mse, and of the seeds with any; None when not measured."""
        if self.steps is None or self.uphill_output is None or self.uphill_network is None:
            return None
        taken = int(self.steps.sum())
        share = {
            name: {"steps": float(c.sum() / max(taken, 1)), "seeds": float(np.mean(c > 0))}
            for name, c in (("output_layer", self.uphill_output), ("network", self.uphill_network))
        }
        return {**share, "steps_taken": taken}

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of one rule (see docs/cli.md); fractions are of the ``seeds`` seeds."""
        band = {
            k: np.quantile(self.mse_per_epoch, q, axis=1).tolist()
            for k, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
        }
        return {
            "rule": self.rule,
            "loss": self.loss,
            "label": self.label,
            "learning_rate": self.learning_rate,
            "epochs": self.epochs,
            "seeds": self.seeds,
            "first_seed": self.first_seed,
            "separated": float(self.separated.mean()),
            "separated_seeds": int(self.separated.sum()),
            "ties": int(self.tied.sum()),
            "separated_at_some_epoch": float(np.mean(self.first_separated >= 0)),
            "epochs_to_separate": quartiles(self.first_separated[self.separated]),
            "final_mse": quartiles(self.mse_per_epoch[-1]),
            "final_bce": quartiles(self.final_bce),
            "final_hidden_slope": quartiles(self.hidden_slope),
            "stopped": float(np.mean(self.stopped_at >= 0)),
            "uphill_mse": self.uphill(),
            "mse_per_epoch": band,
        }


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
                out.append(
                    {
                        "rules": [oa.label, ob.label],
                        "learning_rate": lr,
                        "identical": oa.same_as(ob),
                        "separated_differs": int(np.count_nonzero(oa.separated != ob.separated)),
                    }
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``backprop-verify converge`` (field names are stable, see docs/cli.md)."""
        return {
            "command": "converge",
            "network": {"sizes": list(SIZES), "activations": list(ACTIVATIONS), "biases": False},
            "data": "glyphs A, B, C, per-sample SGD in that order every epoch",
            "first_seed": self.first_seed,
            "seeds": self.seeds,
            "epochs": self.epochs,
            "learning_rates": list(self.learning_rates),
            "rules": [o.to_dict() for o in self.outcomes],
            "comparisons": self.comparisons(),
        }
