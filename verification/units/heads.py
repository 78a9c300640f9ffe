"""Output heads that fuse softmax and cross-entropy: their backward takes the labels, not an upstream
gradient, and gives the gradient of the loss with respect to the logits.

A class named for both (``Activation_Softmax_Loss_CategoricalCrossentropy`` of the NNFS book,
``SoftmaxCrossEntropy``, ``Activation_Softmax_Loss``) whose ``backward`` takes labels (``y_true``, ``y``)
is checked as the gradient of the batch mean of the catalog's cross-entropy (:data:`ffnn.losses.LOSSES`)
of its softmax output: the class's own ``forward`` when it has one that takes the logits alone, else the
catalog's softmax (the report says which). Its ``backward`` is called as the book calls it,
``backward(dvalues, y_true)`` with the softmax output as ``dvalues``, or ``backward(y_true)`` after the
forward; the gradient is what it returns, else what it stores (``dinputs``). Labels are class indices
(one-hot rows as a setting).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.activations import get_activation
from ffnn.losses import get_loss
from ffnn.validation import InputError
from verification.reading import conventions as cv
from verification.reading.loader import LoadedScript
from verification.units.arguments import parameters
from verification.units.cases import Case, NotChecked
from verification.units.complexify import ComplexAllocation, namespaces_of
from verification.units.running import Runner, failed_verdict, failure_line, is_complex
from verification.units.settings import Setting
from verification.units.vjp import Problem

Array = NDArray[Any]
HEAD = re.compile(r"softmax.*(cross_?entropy|crossentropy|nll|loss|_ce\b|ce$)", re.I)


def is_head(cls: type) -> bool:
    """A class named for softmax and cross-entropy whose ``backward`` takes labels (an argument named
    like them: ``y_true``, ``y``, ``actuals``, :func:`verification.reading.conventions.role`)."""
    backward = getattr(cls, "backward", None)
    if not HEAD.search(cls.__name__) or not callable(backward):
        return False
    return any(cv.role(p.name, 1) == "y" for p in parameters(backward))


def _forward_takes_logits(cls: type) -> bool:
    fn = getattr(cls, "forward", None)
    return callable(fn) and len([p for p in parameters(fn) if p.default is p.empty]) == 2


class HeadUnit:
    """A fused softmax and cross-entropy head (kind ``layer``).

    Parameters
    ----------
    cls : type
    script : LoadedScript or None
    seed : int
    """

    kind = "layer"

    def __init__(self, cls: type, script: LoadedScript | None, seed: int) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.own = _forward_takes_logits(cls)
        self.forward = f"{self.name}.forward" if self.own else "softmax and cross_entropy of the catalog"
        self.backward: str | None = f"{self.name}.backward"
        self.runner = Runner(script, seed, ComplexAllocation(namespaces_of(cls)))
        self.softmax, self.loss = get_activation("softmax"), get_loss("cross_entropy")

    def settings(self) -> list[Setting]:
        """Labels as class indices, as one-hot rows, and a batch of one."""
        return [
            Setting("labels as class indices", {"N": 4}),
            Setting("labels one-hot", {"N": 4}, draw="one-hot"),
            Setting("batch of one (N = 1)", {"N": 1}),
        ]

    def _probabilities(self, head: Any, z: Array) -> Array:
        if not self.own:
            return np.asarray(self.softmax.value(z))
        out = self.runner.call(f"{self.name}.forward", head.forward, z, complex_=is_complex([z]))
        return np.asarray(out if out is not None else head.output)

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The head at one setting: the gradient of the mean cross-entropy with respect to the logits.

        Raises
        ------
        NotChecked
            ``refused`` when the class cannot be made or its forward fails; ``mismatch`` when its
            backward raises; ``stub`` when it gives nothing.
        """
        n, c = setting.env["N"], 3
        z = rng.standard_normal((n, c))
        classes = rng.integers(0, c, size=n)
        onehot = np.eye(c)[classes]
        y = onehot if setting.draw == "one-hot" else classes
        try:
            head = self.runner.call(self.name, self.cls)
            probs = self._probabilities(head, z)
        except InputError as exc:
            raise NotChecked("refused", f"{self.forward} {failure_line(exc)}") from None
        takes = [p.name for p in parameters(head.backward)]
        args = [y] if len(takes) == 1 else [probs, y]
        try:
            returned = self.runner.call(self.backward or "", head.backward, *args)
        except InputError as exc:
            if setting.draw == "one-hot":  # labels in a format the head was not written for
                raise NotChecked(
                    "refused", f"{self.backward} takes class indices, not one-hot labels"
                ) from None
            raise NotChecked(failed_verdict(exc), f"{self.backward} {failure_line(exc)}") from None
        grad = returned if returned is not None else getattr(head, "dinputs", None)
        if grad is None:
            raise NotChecked("stub", f"{self.backward} returns nothing and stores no dinputs")

        def forward(theta: dict[str, Array]) -> list[Array]:
            return [np.asarray(self.loss.value(self._probabilities(head, theta["z"]), onehot))]

        note = (
            ""
            if self.own
            else f"{self.name} has no forward of the logits alone: the catalog's softmax is used"
        )
        return Case(
            setting.name,
            Problem(forward, {"z": z}, [np.array(1.0)]),
            {"z": grad},
            {"z": "dinputs"},
            note=note,
        )
