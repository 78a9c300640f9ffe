"""A correct ReLU step read at an unknown rate: the scale is the rate, whatever kinks the probes meet.

A training step read with the learning rate unknown (``--lr 1``, or no rate found) is the gradient times
the step's real rate; the verdict is then "1/100 × the gradient of mse" for a step at rate 0.01. At a
probe where a hidden ReLU unit sits within the difference steps of its kink, the code's derivative of
that unit is 0 or 1 and the numeric one half a slope, within its wide error estimate; at a scale of 1
those entries pass, but a least-squares scale fitted over them was pulled off the rate, every other
entry failed at it, and correct code was called no loss's gradient (three seeds in fifteen below). The
median ratio is a second candidate, verified entry by entry like the first.

The network is written here as lists of floats (so no complex step applies and Richardson differences
cross the kinks); its step is derived by hand as ``w ← w − 0.01 ∂ℓ/∂w`` with ``ℓ = ½ Σ (a − y)²``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from verification.adapters.options import Options
from verification.identification.check import check_target
from verification.identification.comparison import Elements
from verification.identification.request import CheckRequest
from verification.identification.verdicts import median_scale, pooled_scale

RELU_LISTS = """
import random


class Net:
    def __init__(self, n_in=N_IN, n_hidden=N_HIDDEN, n_out=N_OUT, step=0.01):
        self.step = step
        self.w1 = [[random.gauss(0, 1) for _ in range(n_in + 1)] for _ in range(n_hidden)]
        self.w2 = [[random.gauss(0, 1) for _ in range(n_hidden + 1)] for _ in range(n_out)]

    def forward(self, x):
        self.z = [row[0] + sum(w * v for w, v in zip(row[1:], x)) for row in self.w1]
        self.h = [z if z > 0 else 0.0 for z in self.z]
        return [row[0] + sum(w * v for w, v in zip(row[1:], self.h)) for row in self.w2]

    def learn(self, x, target):
        out = self.forward(x)
        e = [o - t for o, t in zip(out, target)]
        back = [
            sum(self.w2[k][OUT_COLUMN] * e[k] for k in range(len(e))) * (1.0 if self.z[j] > 0 else 0.0)
            for j in range(len(self.h))
        ]
        for k, row in enumerate(self.w2):
            row[0] -= self.step * e[k]
            for j, v in enumerate(self.h):
                row[j + 1] -= self.step * e[k] * v
        for j, row in enumerate(self.w1):
            row[0] -= self.step * back[j]
            for i, v in enumerate(x):
                row[i + 1] -= self.step * back[j] * v
"""


def _check(tmp_path: Path, sizes: tuple[int, int, int], seed: int, column: str = "j + 1") -> Any:
    n_in, n_hidden, n_out = sizes
    source = RELU_LISTS.replace("N_IN", str(n_in)).replace("N_HIDDEN", str(n_hidden))
    path = tmp_path / "relu_lists.py"
    path.write_text(source.replace("N_OUT", str(n_out)).replace("OUT_COLUMN", column), encoding="utf-8")
    step = "net.learn(x, y)"
    options = Options(setup="net = Net()", forward="net.forward(x)", step=step, lr="1", layout="flat")
    return check_target(CheckRequest.parse(str(path), options=options, seed=seed)).result


@pytest.mark.parametrize(("sizes", "seed"), [((3, 6, 2), 1), ((3, 6, 2), 6), ((4, 12, 3), 13)])
def test_a_relu_step_at_an_unknown_rate_is_the_rate_times_the_gradient(
    tmp_path: Path, sizes: tuple[int, int, int], seed: int
) -> None:
    """At these seeds a probe meets a kink: at (4, 12, 3) and seed 13 it is seen only when the kink
    test looks at the update divided by its scale (and the probe is redrawn); at (3, 6, 2) and seeds 1
    and 6 a probe's scale is found only by the median. The verdict is the step's rate times mse's."""
    result = _check(tmp_path, sizes, seed)
    assert result.identified == "mse", result.verdict
    assert result.scale == pytest.approx(0.01, rel=1e-6)


def test_a_relu_step_back_propagated_through_the_wrong_column_is_no_loss(tmp_path: Path) -> None:
    """The hidden error read through ``w2[k][j]`` (the bias column and the neighbour's weight) in
    place of ``w2[k][j + 1]``: the output layer is 1/100 of mse's gradient, the hidden one no loss's."""
    result = _check(tmp_path, (4, 12, 3), 13, column="j")
    assert result.identified is None, result.verdict


def test_the_median_scale_is_not_pulled_by_the_entries_of_one_unit() -> None:
    """Nine entries at the rate 0.01 and three of a unit at a kink (the code's 0 against a numeric half
    slope): least squares lands off the rate, the median on it."""
    numeric = np.array([1.0, -2.0, 0.5, 3.0, -1.5, 2.5, -0.7, 1.2, 0.9, 4.0, -4.0, 3.5])
    analytic = 0.01 * numeric
    analytic[9:] = 0.0
    el = Elements(
        analytic, numeric, np.full(12, 1e-12), (np.zeros(12), np.zeros(12)), list(range(12)), 12, (12,)
    )
    assert pooled_scale([el]) == pytest.approx(
        0.01 * float(numeric[:9] @ numeric[:9]) / float(numeric @ numeric)
    )
    assert median_scale([el]) == pytest.approx(0.01)
