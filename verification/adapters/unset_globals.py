"""Globals a network's functions read that the script's top level sets and the loader does not run.

A backward function may read the batch's number of samples (``m_batch``) that the training loop sets;
a training function may loop over the script's data (``X``, ``y``) as globals. The check binds them:
the number to the batch's, the data to the probe's inputs and labels.
"""

from __future__ import annotations

import re
from typing import Any

from verification.reading import conventions as cv


def sample_globals(namespace: dict[str, Any], functions: list[str]) -> list[str]:
    """Globals the backward functions read that the loader left unset (the script sets them in its
    training loop) and whose names say a number of samples (``m_batch``, ``batch_size``, ``m``): given
    the batch's."""
    out: list[str] = []
    for f in functions:
        code = getattr(namespace.get(f), "__code__", None)
        for g in code.co_names if code is not None else ():
            if g not in namespace and g not in out and SAMPLE_COUNT.match(g):
                out.append(g)
    return out


SAMPLE_COUNT = re.compile(r"^(m|m_?batch|n_?batch|batch_?size|n_?samples|num_?samples|m_?train)$", re.I)
"""Global names of a number of samples a backward function may read (not a bare ``n``, which code also
uses for a layer's width)."""


def data_globals(namespace: dict[str, Any], train: str) -> str:
    """``X = x; `` for the data a training function reads as globals the top level sets and the loader
    did not run (``train(epochs)`` looping over the script's ``X`` and ``y``): bound to the probe's."""
    code = getattr(namespace[train], "__code__", None)
    names = [
        g for g in (code.co_names if code is not None else ()) if g not in namespace and g not in ("x", "y")
    ]
    roles = {g: cv.role(g, 1) for g in names}
    return "".join(f"{g} = {roles[g]}; " for g in names if roles[g] in ("x", "y"))
