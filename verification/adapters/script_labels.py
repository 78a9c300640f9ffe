"""The labels a script makes itself, at its top level, without reading a file: their form, 1-D (one value
per sample: class indices, or one target each) or 2-D (one row per sample), so that the check gives the
code labels of the form its own script gives it (a 1-D ``y`` that ``a − y`` broadcasts against an output
column shows its bug only on batches). Read for a script's own training loop
(:func:`own_label_format`, and :func:`own_input_layout` for 1-D inputs) and for the training calls a
script makes on a class it builds (:mod:`verification.identification.check`)."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.reading import slices
from verification.reading.loader import LoadedScript
from verification.reading.loop_records import TrainingLoop
from verification.reading.script_setup import loads_data

OWN_LABELS = {
    "index": "labels one value per sample (1-D), as the script's own labels are",
    "one-hot": "labels one row per sample (2-D), as the script's own labels are",
    "vector": "inputs and labels one value per sample (1-D), as the script's own are",
}


def own_label_format(namespace: dict[str, Any], script: LoadedScript, loop: TrainingLoop) -> str | None:
    """``index`` or ``one-hot``: the form of the labels the script's training loop reads, when the
    script makes them itself at its top level without reading a file (``y = (data[:, 3] > 0)
    .astype(float)``): 1-D labels are one value per sample (class indices, or one target each, which
    ``a − y`` broadcasts against an output column: the bug shows only on batches), 2-D labels one row
    each; or the form the loop's own cut of its labels from a data array makes
    (:attr:`~verification.reading.loop_records.TrainingLoop.cut_labels`). None when they come from a
    file or do not run."""
    if loop.cut_labels is not None:  # Y = batch[:, 3] in the loop: 1-D, as cut
        return loop.cut_labels
    before = script.tree.body[: loop.index]  # not a plot's y after it
    return label_form(namespace, script, before, loop.label)


def own_input_layout(
    namespace: dict[str, Any], script: LoadedScript, loop: TrainingLoop, labels: str | None
) -> str | None:
    """``vector`` when the script's training loop reads inputs that the script makes itself as a 1-D
    array of samples (``x = rng.normal(size=10)`` beside ``y_hat = w * x + b``) and labels it makes 1-D
    (``labels``, :func:`own_label_format`, is ``index``): given as rows ``(n, 1)`` instead, they would
    broadcast against the 1-D labels, a failure of the check's setup, not of the code. Only when every
    weight the loop updates is a number: a 1-D ``x`` beside matrices (``np.dot(x, weights_input_hidden)``)
    is one sample of several inputs (layout ``flat``). None otherwise.

    Raises
    ------
    InputError
        When such 1-D inputs come with labels the script makes as a column ``(n, 1)``: its own
        arithmetic broadcasts the two against each other (``w * x + b − y`` is ``(n, n)``), and the check,
        which gives inputs and labels in one layout, cannot give it both as it makes them.
    """
    before = script.tree.body[: loop.index]
    numbers = bool(loop.updated) and all(w in namespace and np.ndim(namespace[w]) == 0 for w in loop.updated)
    if not numbers or label_form(namespace, script, before, loop.inputs) != "index":
        return None
    if labels == "one-hot":
        raise InputError(
            f"{script.path} makes its inputs {loop.inputs} a 1-D array of samples and its labels "
            f"{loop.label} a column (n, 1): its own arithmetic broadcasts them against each other, and "
            "the check gives inputs and labels in one layout, so it cannot run the code as the script does",
            hint="make both 1-D or both columns, or give the explicit form (--setup, --forward, --step)",
        )
    return "vector" if labels == "index" else None


def label_form(
    namespace: dict[str, Any], script: LoadedScript, before: list[ast.stmt], label: str
) -> str | None:
    """:func:`own_label_format` of the labels ``label`` as the statements ``before`` make them."""
    made = slices.assignment_slice(ast.Module(body=before, type_ignores=[]), label)
    if made is None or any(loads_data(s) for s in ast.parse(made).body):
        return None
    scratch = dict(namespace)
    try:
        run_code(made, scratch, "--setup", script=script)
        for reshaped in _reshapings(before, label):  # y = y.reshape(-1, 1) after y is made
            run_code(reshaped, scratch, "--setup", script=script)
    except InputError:
        return None
    labels = scratch.get(label)
    if not isinstance(labels, np.ndarray | list) or np.asarray(labels).dtype == object:
        return None
    ndim = np.asarray(labels).ndim
    return "index" if ndim == 1 else "one-hot" if ndim == 2 else None


def _reshapings(before: list[ast.stmt], label: str) -> list[str]:
    """The assignments of ``label`` from itself alone (and NumPy) after the last that makes it from other
    values, in order (``y = y.reshape(-1, 1)``, ``y = np.atleast_2d(y).T``), as source."""
    body = slices.flat_body(ast.Module(body=before, type_ignores=[]))
    assigned = [
        s for s in body if isinstance(s, ast.Assign) and [ast.unparse(t) for t in s.targets] == [label]
    ]

    def reads(stmt: ast.Assign) -> set[str]:
        return {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}

    made = [i for i, s in enumerate(assigned) if label not in reads(s)]
    if not made:
        return []
    return [ast.unparse(s) for s in assigned[made[-1] + 1 :] if reads(s) <= {label, "np", "numpy"}]
