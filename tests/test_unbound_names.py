"""Names a file reads but binds nowhere (:mod:`verification.reading.unbound_names`): such a file fails as
written, and the refusal blames the file, not the check. A name bound anywhere (an import, a parameter,
an assignment in a function, a loop target) or one a star import may bind is not such a name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.unbound_names import never_bound, unbound_reads
from verification.runs.exits import cause_of

SOURCE = """
import numpy.linalg
from math import exp as e

def f(w, *rest, scale=1):
    for i, v in enumerate(rest):
        total = i
    try:
        pass
    except ValueError as problem:
        pass
    return w

class Net:
    pass
"""


@pytest.mark.parametrize(
    ("name", "unbound"),
    [
        ("np", True),  # read, never imported
        ("numpy", False),  # import numpy.linalg binds numpy
        ("e", False),
        ("exp", True),  # imported under another name
        ("w", False),
        ("rest", False),
        ("scale", False),
        ("v", False),
        ("total", False),
        ("problem", False),
        ("Net", False),
        ("f", False),
        ("len", False),  # a builtin
    ],
)
def test_names_bound_anywhere_in_the_file_are_not_never_bound(name: str, unbound: bool) -> None:
    assert never_bound(ast.parse(SOURCE), name) is unbound


def test_a_star_import_may_bind_any_name() -> None:
    assert not never_bound(ast.parse("from numpy import *\nw = mat(1)\n"), "mat")


# Nielsen's backprop written alone, its helpers never defined and its list renamed halfway: no forward
# pass to pair it with, and it cannot run as written however it is called.
LONE_BACKPROP = """
import numpy as np


def backprop(biases, weights, x, y):
    acts, zs = [x], []
    for b, w in zip(biases, weights):
        zs.append(w @ acts[-1] + b)
        acts.append(HELPER(zs[-1]))
    delta = (acts[-1] - y) * sigmoid_prime(zs[-1])
    return [delta], [delta @ ACTS[-2].T]
"""


@pytest.mark.parametrize(
    ("helper", "acts", "cause", "named"),
    [
        ("sigmoid", "activations", "code-failed", "backprop reads sigmoid, sigmoid_prime, activations"),
        ("np.tanh", "acts", "code-failed", "backprop reads sigmoid_prime,"),
    ],
)
def test_a_lone_function_that_reads_names_bound_nowhere_is_refused_as_the_codes_failure(
    tmp_path: Path, helper: str, acts: str, cause: str, named: str
) -> None:
    path = tmp_path / "backprop.py"
    path.write_text(LONE_BACKPROP.replace("HELPER", helper).replace("ACTS", acts), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_target(CheckRequest.parse(str(path)))
    assert cause_of(caught.value) == cause
    assert f"; {named}" in str(caught.value)
    assert "which the file binds nowhere: it raises NameError as written" in str(caught.value)


def test_a_lone_function_that_binds_all_it_reads_is_refused_as_the_inputs() -> None:
    tree = ast.parse(LONE_BACKPROP.replace("HELPER", "np.tanh").replace("ACTS", "acts"))
    tree.body.append(ast.parse("def sigmoid_prime(z):\n    return z\n").body[0])
    assert unbound_reads(tree, ["backprop", "sigmoid_prime"]) == ""
