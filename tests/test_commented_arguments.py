"""Sizes said by a comment or a docstring where a constructor argument's name says nothing
(:mod:`verification.reading.commented_arguments`): ``self.n = n  # number of inputs`` makes ``n`` the
input size of the guessed network, and the check runs on a network it could not build before."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.commented_arguments import said_size
from verification.reading.guesses import guessed_arguments


class Commented:
    def __init__(self, n, m, h, k, q):
        self.n = n  # number of inputs
        self.m = m  # number of outputs
        self.h = h  # number of hidden units
        self.k = k  # weights from the inputs to the hidden layer
        self.q = q  # scale of the inputs


class Documented:
    def __init__(self, a, b, c):
        """A small network.

        a: the number of input features
        :param b: size of the hidden layer
        c -- how many classes
        """
        self.sizes = (a, b, c)


@pytest.mark.parametrize(
    ("cls", "name", "size"),
    [
        (Commented, "n", 4),
        (Commented, "m", 3),
        (Commented, "h", 5),
        (Commented, "k", None),  # names two layers, and no count
        (Commented, "q", None),  # a layer, but no count of its units
        (Documented, "a", 4),
        (Documented, "b", 5),
        (Documented, "c", 3),
    ],
)
def test_the_size_a_comment_or_docstring_says(cls: type, name: str, size: int | None) -> None:
    assert said_size(cls.__init__, name) == size


def test_a_constructor_of_single_letters_is_guessed_from_its_comments() -> None:
    class Net:
        def __init__(self, n, m, h):
            self.n = n  # number of inputs
            self.m = m  # number of outputs
            self.h = h  # number of hidden units

    assert guessed_arguments(Net)[0] == {"n": 4, "m": 3, "h": 5}


NET = """
import numpy as np


class Backprop:
    def __init__(self, n, m, h):
        self.n = n  # number of inputs
        self.m = m  # number of outputs
        self.h = h  # number of hidden units
        self.wih = np.random.uniform(-0.5, 0.5, size=(n + 1, h))
        self.who = np.random.uniform(-0.5, 0.5, size=(h + 1, m))

    def squash(self, v):
        return 1 / (1 + np.exp(-v))

    def test(self, inputs):
        hidden = np.append(self.squash(np.dot(np.append(inputs, 1), self.wih)), 1)
        return self.squash(np.dot(hidden, self.who))

    def train(self, inputs, targets, niter=1000, eta=0.5):
        inputs = np.hstack((inputs, np.ones((len(inputs), 1))))
        for _ in range(niter):
            for j in range(len(inputs)):
                h = np.append(self.squash(np.dot(inputs[j], self.wih)), 1)
                o = self.squash(np.dot(h, self.who))
                o_del = (targets[j] - o) * o * (1 - o)
                h_del = np.dot(o_del, self.who.T)[:-1] * h[:-1] * (1 - h[:-1])
                self.wih += eta * np.outer(inputs[j], h_del)
                self.who += eta * np.outer(h, OUTPUT_DELTA)
"""


@pytest.mark.parametrize(("output_delta", "identified"), [("o_del", "mse"), ("o_del * 2", None)])
def test_a_network_sized_by_its_comments_is_checked(
    tmp_path: Path, output_delta: str, identified: str | None
) -> None:
    """``Backprop(n, m, h)``, the sizes said only by comments, built nowhere: built 4-5-3 from them,
    its online step is the squared error's gradient; a doubled output-layer step is no loss's."""
    path = tmp_path / "backprop.py"
    path.write_text(textwrap.dedent(NET).replace("OUTPUT_DELTA", output_delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "Backprop(n=4, m=3, h=5)" in (report.command or ""), report.command
