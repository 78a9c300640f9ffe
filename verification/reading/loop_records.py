"""What a training loop is read as: :class:`TrainingLoop` (what it trains, on which data, towards which
labels, with which forward pass) and :class:`SampleLoop` (a loop over the samples inside one step).

They are filled by :func:`verification.reading.training_loops.training_loop` from a script's syntax
tree; nothing is run here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TrainingLoop:
    """A top-level training loop, read (see :mod:`verification.reading.training_loops`).

    Attributes
    ----------
    index : int
        Its position among the script's top-level statements.
    line : int
    body : list of ast.stmt
        The innermost body that does one step's work.
    loop_variables : list of str
        The ``range`` loop variables around it (bound to 0).
    updated : list of str
        Top-level names the body updates in place (``W += …``).
    rate : str or None
        The learning rate an in-place update multiplies by.
    objects : list of str
        Top-level names the body calls methods of.
    label : str
    inputs : str
    output : str
        The expression the body compares with the labels.
    cut : int
        Statements of ``body`` before the one that reads the labels: the forward pass.
    arrays : list of str
        Other weight-named top-level arrays the forward pass reads (compared even if never updated).
    looped : bool
        False for one forward and backward pass at the top level, with no loop.
    changes : list of str
        Weight changes the body computes and never applies (``delta_w_h_o = learnrate * … * a``, as
        exercises print them): each is added to the weight of its shape when the step runs.
    samples : SampleLoop or None
        A loop over the samples inside the step, run whole.
    one_sample : bool
        The body is one pass of a loop over the samples (``for x, y in zip(X, Y):``, ``for x in X:``):
        it steps one sample by construction.
    sample_index : (str, str) or None
        For a loop over a data name's samples (``for x in X:``, ``for i, x in enumerate(X):``), its index
        variable and the data name: the body's first statement is ``x = X[i]``.
    skipping : str or None
        A loop over the samples by index on the way to the body whose range leaves samples out
        (:mod:`verification.reading.sample_ranges`): no one-sample step can be read off it.
    sources : tuple of str
        The data arrays the body's head cut the inputs and the labels from, that cut taken out of the
        body (:func:`verification.reading.data_splits.split_data`): the setup leaves them out.
    cut_labels : str or None
        The form of the labels that cut makes: ``index`` (1-D), ``one-hot`` (2-D), or None.
    stepped_after : list of str
        Weights the forward pass reads that the loop leaves alone and a top-level statement after it
        updates, once (``b -= lr * db`` dedented out of a loop that steps ``W``): the loop's step is
        not the step of every weight.
    """

    index: int
    line: int
    body: list[ast.stmt]
    loop_variables: list[str]
    updated: list[str]
    rate: str | None
    objects: list[str]
    label: str
    inputs: str
    output: str
    cut: int
    arrays: list[str] = field(default_factory=list)
    looped: bool = True
    changes: list[str] = field(default_factory=list)
    samples: SampleLoop | None = None
    one_sample: bool = False
    sample_index: tuple[str, str] | None = None
    skipping: str | None = None
    sources: tuple[str, ...] = ()
    cut_labels: str | None = None
    stepped_after: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SampleLoop:
    """A loop over the samples inside one step (``for x, y in zip(features.values, targets):``) that
    adds each sample's weight change to an accumulator the step applies after it (the Udacity
    exercise). The step is the whole body around it, the data names (:attr:`TrainingLoop.inputs`,
    :attr:`TrainingLoop.label`) bound to the batch; the forward pass is this loop's body up to ``cut``,
    its inputs the sample.

    Attributes
    ----------
    position : int
        Its place in :attr:`TrainingLoop.body`.
    sample, target : str
        The names one sample's inputs and label are bound to.
    body : list of ast.stmt
    cut : int
        Statements of ``body`` before the one that reads the label.
    """

    position: int
    sample: str
    target: str
    body: list[ast.stmt]
    cut: int
