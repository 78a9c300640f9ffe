"""What the gradient candidates of one forward pass of a class share (verification.adapters.methods)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from verification.adapters.forwards import labels_optional
from verification.reading.conventions import positional_parameters, role
from verification.reading.training_methods import forwards_itself


@dataclass(frozen=True)
class MethodContext:
    """What every gradient candidate of one forward pass shares: the statements before the call, the
    output's expression, the names of the forward's returned tuple, the parameters' names, whether the
    inputs are one sample, the expression of the number of samples, and of the samples as a data set
    of ``(sample, label)`` pairs; and, for a training method that runs the forward pass itself
    (``train_step(X, y)`` calling ``self.forward(X)``), the statements before the call without the
    forward call (``bare``, None when the forward call is not all they add), with the forward method's
    name."""

    pre: str
    out: str
    named: dict[str, str]
    parameter_keys: list[str]
    one_sample: bool
    samples: str
    dataset: str
    bare: str | None
    forward_method: str

    def alone(self, method: Any, training: bool, call: str) -> MethodContext:
        """This context for ``call`` of ``method``, without the forward call before it when ``method``
        is a training method that runs the forward pass itself and ``call`` hands it no output: run as
        its training code runs it, a step that reads what an earlier forward pass left (``self.backward
        (X, y)`` before ``self.forward(X)``) is checked so."""
        if not training or self.bare is None or re.search(rf"\b{re.escape(self.out)}\b", call):
            return self
        return replace(self, pre=self.bare) if forwards_itself(method, self.forward_method) else self

    def labelled(self, method: Any, var: str, forward: Any) -> MethodContext:
        """This context for a backward of no arguments (``backward(self)``) after a forward that takes
        optional labels and with them computes the loss the backward starts from (``forward(self, x,
        y_true=None)``, the loss layer keeping its inputs): the forward run again, given the labels,
        before the backward. Without it the backward read what construction left, the same for every
        label. Unchanged for any other pair."""
        if forward is None or not callable(method) or not labels_optional(forward):
            return self
        if any(p.default is p.empty for p in positional_parameters(method)):
            return self  # backward(self, dout): handed what it starts from
        params = positional_parameters(forward)
        label = next(p.name for i, p in enumerate(params) if role(p.name, i) == "y" and p.default is None)
        return replace(self, pre=f"{self.pre}; {var}.{self.forward_method}(x, {label}=y)")


Candidate = tuple[str, str, str | None, list[str]]
"""``(kind, code, lr, notes)`` of one way to get the gradient."""


def after(pre: str, code: str) -> str:
    """``code`` run after the statements ``pre`` (``pre; code``), or alone when there are none."""
    return f"{pre}; {code}" if pre else code
