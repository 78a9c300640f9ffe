"""A step that takes a list of samples while the forward pass takes one: probed at a batch as a list.

Much hand-written code runs its forward pass on one sample (a 1-D array or a list of floats) and trains
on a data set given as a list of such samples::

    def compute_output(self, x_input): ...               # one sample
    def train(self, x_inputs, targets): ...              # for x, t in zip(x_inputs, targets): ...

The checker calls such a step with a list of one sample (``net.train([x], [y])``, or ``[(x, y)]`` for
a list of pairs), and then knows it only for one sample. Some of its bugs show only on more: a step
called "one gradient descent on the whole set" that updates after every sample and adds momentum, an
accumulator overwritten where it should be added to. So the batch probe
(:mod:`verification.identification.batches`) calls the same step with a list of ``n`` samples, and
takes the output of the batch as the forward pass of each sample in turn, stacked.

:func:`sample_list_subject` gives that subject; its step is the recipe's with ``[x]``, ``[y]`` and
``[(x, y)]`` read as the lists of the batch's samples, and its inputs and labels those lists.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.adapters.calls import compile_block
from verification.adapters.subject import CodeSubject, Subject

Array = NDArray[Any]

SAMPLES_X, SAMPLES_Y = "_samples_x", "_samples_y"
"""The names the lists of the batch's inputs and labels are bound to."""

LISTED = {
    r"\[\s*\(\s*x\s*,\s*y\s*\)\s*\]": f"list(zip({SAMPLES_X}, {SAMPLES_Y}))",
    r"\[\s*x\s*\]": SAMPLES_X,
    r"\[\s*y\s*\]": SAMPLES_Y,
}
"""A list of the one sample as a step writes it, and the list of the batch's samples it stands for."""


def listed_step(step: str) -> str | None:
    """``step`` with its lists of one sample made the lists of the batch's samples; None when it has
    no list of the inputs (a step that takes one sample)."""
    if not any(re.search(pattern, step) for pattern in list(LISTED)[:2]):
        return None
    for pattern, samples in LISTED.items():
        step = re.sub(pattern, samples, step)
    return step


class PerSampleSubject(CodeSubject):
    """A :class:`CodeSubject` at a batch whose forward pass takes one sample: the output of the batch is
    the forward pass of each sample in turn (``_samples``, each bound as ``x``), stacked; the step is
    another step of the batch (:func:`with_step`)."""

    _samples: list[Any]

    def output(self) -> Array:
        n, whole, rows = self._n, self.namespace["x"], []
        try:
            for sample in self._samples:
                self.namespace["x"], self._n = sample, 1
                rows.append(super().output())
        finally:
            self.namespace["x"], self._n = whole, n
        return np.concatenate(rows, axis=0)


def with_step(subject: CodeSubject, cls: type[PerSampleSubject], step: str) -> PerSampleSubject:
    """A copy of ``subject`` as ``cls``, running ``step``. The copy shares the subject's network and
    namespace: it is used while the subject is not."""
    made = copy.copy(subject)
    made.__class__ = cls
    made.recipe = replace(subject.recipe, step=step)
    made._gradient = compile_block(step, "--step")
    return made  # type: ignore[return-value]


class SampleListSubject(PerSampleSubject):
    """A subject of a one-sample layout at a batch whose step is given lists of samples (see the module
    docstring)."""

    def bind_inputs(self, x: Array) -> None:
        self._samples = [self.layout.to_code(x[i : i + 1]) for i in range(x.shape[0])]
        self.namespace["x"], self.namespace[SAMPLES_X] = self._samples[0], self._samples
        self._n = x.shape[0]
        if self._reads_labels:
            first = np.eye(self.n_outputs)[np.zeros(x.shape[0], dtype=np.intp)]  # class 0 each
            self.bind_labels(first)

    def bind_labels(self, y: Array) -> None:
        labels = [self.layout.labels_to_code(y[i : i + 1]) for i in range(y.shape[0])]
        self.namespace["y"], self.namespace[SAMPLES_Y] = labels[0], labels


def sample_list_subject(subject: Subject) -> Subject | None:
    """``subject`` made to take a batch as lists of samples, when it is code of a one-sample layout
    whose step takes a list of samples (:func:`listed_step`); None otherwise."""
    if not isinstance(subject, CodeSubject) or subject.recipe.step is None:
        return None
    step = listed_step(subject.recipe.step)
    return None if step is None else with_step(subject, SampleListSubject, step)


class SampleForwardSubject(PerSampleSubject):
    """A subject at a batch whose forward pass is written for one sample while its step takes the batch
    (a softmax over the whole array, ``exp(a) / sum(exp(a))``, beside an ``update_mini_batch`` that
    loops over its samples): the step is given the batch, the output of the batch is the forward pass
    of each sample in turn."""

    def bind_inputs(self, x: Array) -> None:
        super().bind_inputs(x)
        self._samples = [self.layout.to_code(x[i : i + 1]) for i in range(x.shape[0])]


def sample_forward_subject(subject: Subject) -> Subject | None:
    """A copy of ``subject`` whose batch output is its forward pass of each sample
    (:class:`SampleForwardSubject`); None for a subject of another kind, or of one sample only."""
    if type(subject) is not CodeSubject or subject.layout.one_sample_only:
        return None
    made = copy.copy(subject)
    made.__class__ = SampleForwardSubject
    return made
