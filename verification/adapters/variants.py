"""Variants: the other plausible readings of a setup that detection chose by trying.

Detection keeps the first candidate that runs (:mod:`verification.adapters.detection`); some of its
choices are guesses that another candidate would have run with as well. A verdict is only worth printing
when it survives its setup, so every guess the user did not pin is varied here, one at a time, when the
code also runs that way:

* **labels**: one-hot vectors or class indices (code that takes one-hot labels often runs with indices
  too, broadcasting ``a − y`` against a scalar);
* **what the loss sees**: when the output is not a probability vector, its softmax or sigmoid (a forward
  pass that ends at the scores, with the softmax inside the loss), also with the other label format
  (scores and class indices together); when it is not positive, its exponential (a log-rate, with the
  Poisson loss on ``exp(o)``);
* **what a method is handed**: when the output is scores and the step hands it to a method of the network
  that no call in the files shows being handed the scores as they are, the output handed as its sigmoid
  or softmax (:mod:`verification.adapters.handed_outputs`).

Identification then judges every reading (:mod:`verification.identification.setups`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ffnn.validation import InputError
from verification.adapters.build import subject_for
from verification.adapters.handed_outputs import handed_step
from verification.adapters.layouts import LABEL_FORMATS, TRIED, Layout
from verification.adapters.options import Options
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject, Subject
from verification.reading.label_use import sibling_trees


@dataclass(frozen=True)
class Variant:
    """Another reading of the setup.

    Attributes
    ----------
    option : str
        The command-line option that picks it, e.g. ``--labels index``.
    subject : Subject
    """

    option: str
    subject: Subject


def variants(subject: Subject, options: Options) -> list[Variant]:
    """The readings of ``subject``'s setup other than the one detected, each that runs (see the module
    docstring); none for code not run through a recipe, or whose choices the user gave."""
    if not isinstance(subject, CodeSubject) or subject.binding.state is None:
        return []
    layout = subject.recipe.layout
    out = []
    if options.labels is None and subject.n_outputs > 1:
        other = "index" if layout.labels == "one-hot" else "one-hot"
        found = _try(subject, replace(layout, labels=other), f"--labels {other}")
        for inputs in [] if found or options.layout is not None else TRIED:
            # one-hot labels may need the inputs in another layout (1-D arrays where rows ran with
            # indices only by broadcasting one index against every output)
            if inputs != layout.inputs and not found:
                found = _try(
                    subject,
                    replace(layout, inputs=inputs, labels=other),
                    f"--labels {other} --layout {inputs}",
                )
        out += found
    if options.output is None and layout.output == "as-is":
        readings = _readings(subject)
        scores = "sigmoid" in readings and not (options.step or options.gradient)  # not all in (0, 1)
        for reading in readings:
            reads = replace(layout, output=reading)
            out += _try(subject, reads, f"--output {reading}")
            out += _handed(subject, reads) if scores else []  # a step the user wrote is as written
            if options.labels is None and subject.n_outputs > 1 and reading != "exp":  # scores, indices
                other = "index" if layout.labels == "one-hot" else "one-hot"
                out += _try(subject, replace(reads, labels=other), f"--labels {other} --output {reading}")
    for option, forward, code in subject.recipe.readings:
        stepped = subject.recipe.step is not None
        read = replace(
            subject.recipe,
            forward=forward,
            gradient=None if stepped else code,
            step=code if stepped else None,
            readings=(),
        )
        out += _try(subject, layout, option, read)
    return out


def other_layouts(subject: Subject, options: Options) -> list[Variant]:
    """The readings of ``subject``'s inputs and labels in the other layouts and label formats that run
    (rows, columns, 1-D arrays, lists; one-hot or index), when the user pinned neither: tried when the
    reading detected finds no loss although the code back-propagates one output error, which is what a
    layout read wrong gives (:mod:`verification.identification.setups`)."""
    if not isinstance(subject, CodeSubject) or subject.binding.state is None or options.layout is not None:
        return []
    current = subject.recipe.layout
    out = []
    for inputs in TRIED:
        for labels in [options.labels] if options.labels else LABEL_FORMATS:
            if (inputs, labels) == (current.inputs, current.labels) or (inputs == current.inputs):
                continue
            out += _try(
                subject,
                replace(current, inputs=inputs, labels=labels),
                f"--layout {inputs} --labels {labels}",
            )
    return out


READING_DRAWS = 4
"""Draws of the weights (each at a batch of two samples, or one) whose outputs decide which readings
are plausible."""


def _readings(subject: CodeSubject) -> list[str]:
    """The output readings that are plausible: softmax when the outputs are not a probability vector per
    sample (and there are several), sigmoid when they are not all inside ``(0, 1)``, exp when they are
    not all positive (a log-rate)."""
    rng = np.random.default_rng(4)
    shapes = {n: p.shape for n, p in subject.parameters.items()}
    samples = 1 if subject.layout.one_sample_only else 2
    outputs = []
    for _ in range(READING_DRAWS):  # one draw of a few outputs may all fall inside (0, 1) by chance
        params = {n: 0.5 * rng.standard_normal(s) for n, s in shapes.items()}
        try:
            outputs.append(subject.forward(params, rng.standard_normal((samples, subject.n_inputs))))
        except InputError:
            if not outputs:
                return []
            break
        finally:
            subject.restore()
    a = np.concatenate([np.reshape(o, (len(o), -1)) for o in outputs])
    inside = bool(np.all((a > 0) & (a < 1)))
    simplex = inside and bool(np.allclose(np.sum(a, axis=1), 1.0))
    readings = []
    if subject.n_outputs > 1 and not simplex:
        readings.append("softmax")
    if not inside:
        readings.append("sigmoid")
    if not bool(np.all(a > 0)):
        readings.append("exp")  # a log-rate: poisson_nll on exp(o)
    return readings


def _handed(subject: CodeSubject, layout: Layout) -> list[Variant]:
    """The reading ``layout`` with the output handed on as the loss sees it (:mod:`verification.adapters.
    handed_outputs`): ``out = sigmoid(net.forward(x)); net.backward(out, y)``."""
    recipe = subject.recipe
    code = (recipe.step if recipe.step is not None else recipe.gradient) or ""
    if subject.script is None:
        return []
    script = subject.script.path.resolve()
    trees = [subject.script.tree, *sibling_trees(subject.namespace, script.parent, script)]
    handed = handed_step(code, recipe.forward, layout.output, layout, subject.namespace, trees)
    if handed is None:
        return []
    if recipe.step is not None:
        read, kind = replace(recipe, readings=(), step=handed), "--step"
    else:
        read, kind = replace(recipe, readings=(), gradient=handed), "--gradient"
    rate = f" --lr {recipe.lr}" if kind == "--step" and recipe.lr is not None else ""  # as detected
    return _try(subject, layout, f"--output {layout.output} {kind} {handed!r}{rate}", read)


def _try(subject: CodeSubject, layout: Layout, option: str, recipe: Recipe | None = None) -> list[Variant]:
    binding = subject.binding
    assert binding.state is not None
    binding.state.restore(subject.slots)  # from the setup's objects, not those the probes left
    recipe = _with_dataset(replace(recipe or subject.recipe, layout=layout), subject.recipe.layout)
    try:
        other = subject_for(
            binding.namespace, recipe, binding.state.roots, binding.script, subject.n_inputs, subject.name
        )
    except InputError:
        return []
    return [Variant(option, other)]


def _with_dataset(recipe: Recipe, was: Layout) -> Recipe:
    """``recipe`` in another layout, with the data set of ``(sample, label)`` pairs its step or gradient
    hands a training method written as that layout gives it (:meth:`~verification.adapters.layouts.
    Layout.dataset`): Nielsen's ``update_mini_batch(list(zip(x[:, None], y[:, None])), lr)`` with
    one-hot labels takes them as stacked ``(n, 1)`` columns, ``list(zip(x, y))``, which the rows'
    pairs are not."""
    old, new = was.dataset(), recipe.layout.dataset()
    if old == new or old == "[(x, y)]":
        return recipe
    step = recipe.step.replace(old, new) if recipe.step is not None else None
    gradient = recipe.gradient.replace(old, new) if recipe.gradient is not None else None
    return replace(recipe, step=step, gradient=gradient)
