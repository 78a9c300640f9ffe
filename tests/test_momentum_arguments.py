"""A learning rate and a momentum factor named by single letters (``backPropagate(self, targets, N, M)``
with ``w = w + N * change + M * self.c[j][k]``, the online back-propagation code that has been copied
for decades): ``M`` multiplies the change the object kept, so it is a momentum factor and is given 0,
also where the training method hands its default on (``train(self, patterns, N=0.5, M=0.1)``). Before,
``M`` was given the learning rate, and the training that calls the backward pass (its steps carrying
momentum from sample to sample) was read as another gradient: the check was refused as ambiguous.

The network is written for the test in that style; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.adapters.momentum_arguments import factor_roles, passed_momentum
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script

NET = """
import math
import random


def rand(a, b):
    return (b - a) * random.random() + a


class NN:
    def __init__(self, ni, nh, no):
        self.ni, self.nh, self.no = ni, nh, no
        self.ai, self.ah, self.ao = [1.0] * ni, [1.0] * nh, [1.0] * no
        self.wi = [[rand(-0.5, 0.5) for j in range(nh)] for i in range(ni)]
        self.wo = [[rand(-0.5, 0.5) for k in range(no)] for j in range(nh)]
        self.ci = [[0.0] * nh for i in range(ni)]
        self.co = [[0.0] * no for j in range(nh)]

    def update(self, inputs):
        self.ai = list(inputs)
        self.ah = [math.tanh(sum(self.ai[i] * self.wi[i][j] for i in range(self.ni))) for j in range(self.nh)]
        self.ao = [math.tanh(sum(self.ah[j] * self.wo[j][k] for j in range(self.nh))) for k in range(self.no)]
        return self.ao[:]

    def backPropagate(self, targets, N, M):
        out = [OUTPUT_DELTA for k in range(self.no)]
        back = [sum(out[k] * self.wo[j][k] for k in range(self.no)) for j in range(self.nh)]
        hid = [(1 - self.ah[j] ** 2) * back[j] for j in range(self.nh)]
        for j in range(self.nh):
            for k in range(self.no):
                change = out[k] * self.ah[j]
                self.wo[j][k] = self.wo[j][k] + N * change + M * self.co[j][k]
                self.co[j][k] = change
        for i in range(self.ni):
            for j in range(self.nh):
                change = hid[j] * self.ai[i]
                self.wi[i][j] = self.wi[i][j] + N * change + M * self.ci[i][j]
                self.ci[i][j] = change
        return sum(0.5 * (targets[k] - self.ao[k]) ** 2 for k in range(self.no))

    def train(self, patterns, iterations=1000, N=0.5, M=0.1):
        for i in range(iterations):
            error = 0.0
            for p in patterns:
                self.update(p[0])
                error = error + self.backPropagate(p[1], N, M)
"""


def _write(tmp_path: Path, delta: str) -> Path:
    path = tmp_path / "bpnn.py"
    path.write_text(textwrap.dedent(NET).replace("OUTPUT_DELTA", delta), encoding="utf-8")
    return path


def test_the_factor_of_the_kept_change_is_a_momentum(tmp_path: Path) -> None:
    cls = load_script(_write(tmp_path, "(1 - self.ao[k] ** 2) * (targets[k] - self.ao[k])")).module.NN
    assert factor_roles(cls.backPropagate, ["wi", "wo"], ["N", "M"]) == {"N": "lr", "M": "momentum"}
    assert passed_momentum(cls.train, ["wi", "wo"]) == ["M"]  # handed on to backPropagate's M


@pytest.mark.parametrize(
    ("delta", "identified"),
    [
        # tanh output, (t − a)(1 − a²) added at rate N: a step down the gradient of ½ Σ (a − t)²
        ("(1 - self.ao[k] ** 2) * (targets[k] - self.ao[k])", "mse"),
        # the output's tanh' left out: the gradient of no catalog loss of tanh outputs
        ("(targets[k] - self.ao[k])", None),
    ],
)
def test_a_step_with_momentum_named_by_a_letter_is_checked(
    tmp_path: Path, delta: str, identified: str | None
) -> None:
    report = check_target(CheckRequest.parse(str(_write(tmp_path, delta))))
    assert "net.backPropagate(y, lr, 0.0)" in (report.command or ""), report.command
    assert report.result.identified == identified, report.command
