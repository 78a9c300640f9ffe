"""A step that moves nothing is drawn again at the same labels, and refused when it never moves for them.

A step can be zero at one draw for a reason of the draw (every ReLU unit dead at those weights), so the
probe draws weights and inputs again. It keeps the labels: a step that is zero for one class whatever the
weights (logistic regression written for labels −1 and +1, handed 0 and 1: ``−y / (1 + e^{y z})`` is
zero at y = 0) is the code's own, and a verdict from the other class alone would hide it. After
:data:`~verification.identification.probing.STILL` such draws the check is refused, naming the class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.draws import ClassCycle
from verification.identification.check import check_target
from verification.identification.request import CheckRequest

SIGNED = """
import numpy as np


class Logistic:
    def __init__(self, n_features, lr=0.1):
        self.w = np.random.default_rng(0).normal(0, 0.5, n_features)
        self.b = 0.0
        self.lr = lr

    def predict_proba(self, X):
        return 1 / (1 + np.exp(-(X @ self.w + self.b)))

    def fit(self, X, y):
        t = TARGET
        z = X @ self.w + self.b
        coef = -t / (1 + np.exp(t * z))
        self.w -= self.lr * X.T @ coef / len(y)
        self.b -= self.lr * coef.mean()
"""


@pytest.mark.parametrize(("target", "identified"), [("2 * y - 1", "bce"), ("y", None)])
def test_a_step_that_never_moves_for_a_class_is_refused_naming_it(
    tmp_path: Path, target: str, identified: str | None
) -> None:
    """Written for labels −1 and +1 and handed 0 and 1 (t = y): no step at class 0, refused. Mapping
    0 and 1 to −1 and +1 first (t = 2y − 1) is the mean binary cross-entropy's gradient."""
    path = tmp_path / "signed.py"
    path.write_text(SIGNED.replace("TARGET", target), encoding="utf-8")
    if identified is not None:
        assert check_target(CheckRequest.parse(str(path))).result.identified == identified
        return
    with pytest.raises(InputError, match=r"left every weight unchanged at each of 12 draws .* class 0: "):
        check_target(CheckRequest.parse(str(path)))


def test_classes_given_back_are_taken_next_in_their_order() -> None:
    cycle = ClassCycle(np.random.default_rng(0))
    first = cycle.take(2, 3)
    cycle.again(first)
    assert cycle.take(2, 3).tolist() == first.tolist()
