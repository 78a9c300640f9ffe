"""Names a file reads but binds nowhere (:mod:`verification.reading.unbound_names`): such a file fails as
written, and the refusal blames the file, not the check. A name bound anywhere (an import, a parameter,
an assignment in a function, a loop target) or one a star import may bind is not such a name."""

from __future__ import annotations

import ast

import pytest

from verification.reading.unbound_names import never_bound

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
