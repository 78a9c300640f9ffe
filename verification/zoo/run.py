"""Running the bug zoo: every mutant of :mod:`verification.zoo.mutants` through the checker, the correct
backward pass on drawn networks as controls, and the report.

:func:`run_zoo` identifies every mutant with :func:`verification.identification.identify.identify` and also
runs the *correct* backward pass on drawn networks, counting those it flags (false positives).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ffnn.backprop import backward as reference_backward
from ffnn.network import Network
from ffnn.pairs import valid_pairs
from verification.adapters.reference import subject_from_network
from verification.identification.identify import identify
from verification.identification.outcome import IdentificationReport
from verification.identification.sentences import format_scale
from verification.terminal_width import DEFAULT_WIDTH, fit, fit_line
from verification.zoo.mutants import MUTANTS, Mutant


@dataclass(frozen=True)
class MutantReport:
    """One mutant's outcome: detected or not, and the diagnosis against the expected one."""

    mutant: Mutant
    result: IdentificationReport

    @property
    def detected(self) -> bool:
        """True when the checker says the mutant is not the gradient of its loss."""
        return not self.result.matches_asked

    @property
    def first(self) -> str | None:
        """The first parameter, output layer first, that differs from the intended loss."""
        t = self.result.first_mismatch(self.mutant.loss)
        return None if t is None else t.name

    @property
    def matches(self) -> str | None:
        """What the mutant matches: a loss id, ``"mse × 3"`` for a scale, or None."""
        r = self.result
        if r.identified is None:
            return None
        return r.identified if r.scale == 1.0 else f"{r.identified} × {format_scale(r.scale, r.rtol)}"

    @property
    def diagnosis_correct(self) -> bool:
        """Detected, with the expected first parameter and the expected match."""
        return self.detected and self.first == self.mutant.first and self.matches == self.mutant.matches

    @property
    def diagnosis(self) -> str:
        """One line: where the fault shows first and what the gradient matches instead."""
        if not self.detected:
            return f"not detected: matches {self.mutant.loss}"
        instead = f"matches {self.matches}" if self.matches else "matches no catalog loss"
        return f"{self.first} differs first from {self.mutant.loss}; {instead}"

    def to_dict(self) -> dict[str, Any]:
        """JSON fields of one mutant."""
        m = self.mutant
        return {
            "name": m.name,
            "fault": m.fault,
            "detected": self.detected,
            "diagnosis": self.diagnosis,
            "first_parameter": self.first,
            "matches": self.matches,
            "loss": m.loss,
            "network": {"sizes": list(m.sizes), "activations": list(m.activations), "biases": m.bias},
            "expected": {"first_parameter": m.first, "matches": m.matches},
            "diagnosis_correct": self.diagnosis_correct,
        }


@dataclass(frozen=True)
class ControlReport:
    """A correct backward pass on a drawn network, and whether the checker flagged it."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: bool
    loss: str
    samples: int
    seed: int
    flagged: bool


@dataclass(frozen=True)
class ZooReport:
    """The zoo's outcome: one entry per mutant and the controls (correct backward passes)."""

    entries: list[MutantReport]
    controls: list[ControlReport]
    seed: int

    @property
    def detection_rate(self) -> float:
        """Fraction of mutants detected."""
        return sum(e.detected for e in self.entries) / len(self.entries)

    @property
    def false_positives(self) -> int:
        """Correct backward passes flagged."""
        return sum(c.flagged for c in self.controls)

    @property
    def all_detected(self) -> bool:
        """Every mutant detected with the expected diagnosis."""
        return all(e.diagnosis_correct for e in self.entries)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``backprop-verify zoo`` (field names stable, see DESIGN.md)."""
        return {
            "command": "zoo",
            "seed": self.seed,
            "mutants": [e.to_dict() for e in self.entries],
            "detection_rate": self.detection_rate,
            "diagnoses_correct": sum(e.diagnosis_correct for e in self.entries),
            "false_positives": self.false_positives,
            "networks_tried": len(self.controls),
            "controls": [
                c.__dict__ | {"sizes": list(c.sizes), "activations": list(c.activations)}
                for c in self.controls
            ],
        }


_LOSSES_FOR = {
    activation: tuple(loss for loss, a in valid_pairs() if a == activation)
    for activation in dict.fromkeys(a for _, a in valid_pairs())
}
"""Output activation → the losses whose domain holds its values (:func:`ffnn.pairs.valid_pairs`)."""
METHOD = "richardson"
"""The method ``check`` uses for code that runs on real numbers only, as scripts do; the zoo uses it too,
so it measures the checker as users meet it."""
_HIDDEN = ("identity", "sigmoid", "tanh", "relu", "softplus")


def run_mutant(mutant: Mutant, seed: int = 0, probes: int = 3, method: str = METHOD) -> MutantReport:
    """Identify one mutant on its network (weights, inputs, labels from ``default_rng(seed)``)."""
    net = Network.initialise(mutant.sizes, mutant.activations, seed=seed, bias=mutant.bias)
    subject = subject_from_network(net, partial(mutant.backward, loss=mutant.loss), mutant.name)
    return MutantReport(
        mutant,
        identify(subject, mutant.loss, seed=seed, probes=probes, samples=mutant.samples, method=method),
    )


def draw_control(rng: np.random.Generator) -> tuple[Network, str, int]:
    """A network with 1–3 layers of width 1–5 (output 2–5), catalog activations, maybe biases; a loss."""
    n_layers = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 6)) for _ in range(n_layers)] + [int(rng.integers(2, 6))]
    out = str(rng.choice(list(_LOSSES_FOR)))
    acts = [str(rng.choice(_HIDDEN)) for _ in range(n_layers - 1)] + [out]
    net = Network.initialise(sizes, acts, seed=int(rng.integers(2**31)), bias=bool(rng.integers(2)))
    return net, str(rng.choice(_LOSSES_FOR[out])), int(rng.integers(1, 4))


def run_control(
    net: Network, loss: str, samples: int, seed: int, probes: int = 3, method: str = METHOD
) -> ControlReport:
    """Check the correct backward pass (``rule="exact"``) of ``net`` for ``loss``; flagged if it fails."""
    subject = subject_from_network(net, partial(reference_backward, rule="exact", loss=loss), "exact")
    result = identify(subject, loss, seed=seed, probes=probes, samples=samples, method=method)
    return ControlReport(
        net.sizes, net.activations, net.biases is not None, loss, samples, seed, not result.matches_asked
    )


def run_zoo(networks: int = 40, seed: int = 0) -> ZooReport:
    """Run every mutant of :data:`MUTANTS`, and the correct backward pass on ``networks`` drawn networks.

    Raises
    ------
    InputError
        If ``networks`` is negative.
    """
    from ffnn.validation import InputError

    if networks < 0:
        raise InputError(f"networks must be ≥ 0, got {networks}")
    entries = [run_mutant(m, seed) for m in MUTANTS]
    rng = np.random.default_rng(seed)
    controls = [run_control(*draw_control(rng), seed=seed + i) for i in range(networks)]
    return ZooReport(entries, controls, seed)


def format_zoo(report: ZooReport, width: int = DEFAULT_WIDTH) -> str:
    """The zoo as a table: mutant, detected, diagnosis; then the rates. A diagnosis too long for
    ``width`` columns goes on under its own column."""
    lines = [f"  {'mutant':<36}{'detected':<10}diagnosis"]
    column = " " * (2 + 36 + 10)
    for e in report.entries:
        mark = "" if e.diagnosis_correct else "   (expected: " + f"{e.mutant.first}, {e.mutant.matches})"
        row = f"  {e.mutant.name:<36}{'yes' if e.detected else 'NO':<10}{e.diagnosis}{mark}"
        lines += fit_line(row, width, continuation=column)
    return "\n".join([*lines, "", *fit(zoo_summary(report), width)])


def zoo_summary(report: ZooReport) -> list[str]:
    """The zoo's verdict in two lines: mutants detected and diagnosed, false positives."""
    n = len(report.entries)
    return [
        f"Detected {sum(e.detected for e in report.entries)} of {n} mutants "
        f"(rate {report.detection_rate:.2f}); diagnosis as expected for "
        f"{sum(e.diagnosis_correct for e in report.entries)} of {n}.",
        f"False positives: {report.false_positives} of {len(report.controls)} correct backward passes on "
        f"drawn networks (seed {report.seed}).",
    ]
