"""Every pass of a script's loop over its samples, for the batch probe.

A top-level loop over a data name's samples (``for x in X:`` with labels read by a counter, ``t[count]``,
or ``for i, x in enumerate(X):`` with ``Y[i]``) is read as one pass: the body at the first index, on the
first sample (:func:`verification.reading.loop_bodies.innermost`). Bugs in how later passes pick their
label (a counter never advanced, ``Y[i - 1]``) do not show there. So the batch probe runs the loop as
written over the batch, every pass in turn, and compares the update with the code's own one-pass steps
taken in turn (:mod:`verification.identification.batches`): a label read from the wrong sample makes
them differ. :func:`all_passes` writes that step; :class:`LoopBatchSubject` runs it, the output of the
batch being the one-pass forward of each sample in turn.
"""

from __future__ import annotations

import ast
import textwrap
from typing import Any

from numpy.typing import NDArray

from verification.adapters.sample_lists import PerSampleSubject, with_step
from verification.adapters.subject import CodeSubject, Subject

Array = NDArray[Any]


def data_copies(inputs: str, labels: str) -> list[str]:
    """The statements that bind a script's data names to copies of the probe's inputs and labels: a
    loop that shuffles its data in place (and forgets its labels) must not shuffle the checker's own."""
    return [f"{n} = {v}.copy() if hasattr({v}, 'copy') else {v}" for n, v in ((inputs, "x"), (labels, "y"))]


def all_passes(head: list[str], body: list[ast.stmt], index: str, data: str) -> str | None:
    """The step that runs every pass: ``head`` (the statements binding the data and the loop variables),
    the body's statements before the first that reads ``data[index]`` (its resets), then ``for index in
    range(len(data)):`` over the rest. None when the body has no such statement."""
    at = next((k for k, s in enumerate(body) if _picks(s, index, data)), None)
    if at is None:
        return None
    lines = [h for h in head if h != f"{index} = 0"] + [ast.unparse(s) for s in body[:at]]
    inner = "\n".join(ast.unparse(s) for s in body[at:])
    return "\n".join([*lines, f"for {index} in range(len({data})):", textwrap.indent(inner, "    ")])


def _picks(stmt: ast.stmt, index: str, data: str) -> bool:
    """A statement that reads ``data[index]`` (``x = data[index]``, ``x, t = data[index], T[index]``)."""
    return any(
        isinstance(n, ast.Subscript)
        and isinstance(n.value, ast.Name)
        and n.value.id == data
        and isinstance(n.slice, ast.Name)
        and n.slice.id == index
        for n in ast.walk(stmt)
    )


class LoopBatchSubject(PerSampleSubject):
    """A subject of a one-pass loop step at a batch: the step runs every pass over the batch, bound
    whole, and the output is the one-pass forward of each sample in turn."""

    def bind_inputs(self, x: Array) -> None:
        self._samples = [self.layout.to_code(x[i : i + 1]) for i in range(x.shape[0])]
        super().bind_inputs(x)


def loop_batch_subject(subject: Subject) -> Subject | None:
    """``subject`` made to run every pass of its loop at a batch (:class:`LoopBatchSubject`), when its
    recipe has such a step and takes rows (or stacked columns); None otherwise."""
    recipe = getattr(subject, "recipe", None)
    if not isinstance(subject, CodeSubject) or recipe is None or recipe.batch_step is None:
        return None
    takes = subject.layout.inputs in ("row", "stacked")  # samples along the first axis
    return with_step(subject, LoopBatchSubject, recipe.batch_step) if takes else None
