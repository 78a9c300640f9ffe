"""The output error a method is handed, as the class's own training code hands it
(:mod:`verification.reading.error_sites`): the sign its call sites read, the labels where it names an
error but is given them, or a refusal as ``ambiguous`` when the calls cannot be read or disagree,
since the verdict would then rest on a guessed sign (a step that adds ``lr · J_θᵀ (y − a)`` descends
the loss, one that adds ``lr · J_θᵀ (a − y)`` climbs it)."""

from __future__ import annotations

import inspect
import re

from ffnn.validation import InputError
from verification.reading import conventions as cv
from verification.reading.error_sites import LABELS, UNREAD, called_error_sign


def handed_error(
    cls: type, method: str, params: list[inspect.Parameter], pre: str, setup: str = ""
) -> tuple[int | None, dict[str, str]]:
    """``(sign, given)``: the sign of the error the class's calls of ``method`` hand it (+1 for ``y −
    a``, −1 for ``a − y``, None when it never calls it), and arguments to give by role instead
    (``{"err": "y"}`` when the calls hand the labels where the method names an error).

    Parameters
    ----------
    cls : type
    method : str
    params : list of inspect.Parameter
        The method's arguments, ``self`` left out.
    pre : str
        The statement that runs the forward pass before the call (``out = net.forward(x)``): the
        method it calls is the output at a call site (``y - self.forward(X)``).
    setup : str
        The setup that built the object, for the explicit form the refusal prints.

    Raises
    ------
    InputError
        With cause ``ambiguous``, when the class calls the method but what it hands it cannot be read
        (a scaled or multiplied difference, a helper's value) or the calls disagree: whether the
        method updates the weights (the sign decides descent or ascent) or returns gradients (a
        ``σ'`` applied by the caller or not decides the loss), the verdict would rest on a guess.
    """
    found = called_error_sign(cls, method, params, set(re.findall(r"\.(\w+)\(", pre)))
    if found is None:
        return None, {}
    name, sign = found
    if sign == LABELS:
        return None, {name: "y"}
    if sign == UNREAD:  # returned or stored too: what it is handed (σ' applied or not) decides the loss
        exc = InputError(
            f"{cls.__name__}.{method} takes the output error as {name}, and the class's own calls hand it "
            "an expression whose sign the check cannot read (or calls that disagree): its update "
            "descends the loss with one sign and climbs it with the other",
            hint=_explicit_form(method, params, name, pre, setup),
        )
        exc.cause = "ambiguous"  # type: ignore[attr-defined]
        raise exc
    return sign, {}


ROLE_VALUES = {"x": "x", "y": "y", "lr": "lr", "iterations": "1"}
"""What the explicit form hands each argument of the method, by its role."""


def _explicit_form(method: str, params: list[inspect.Parameter], error: str, pre: str, setup: str) -> str:
    """The command that checks the method handed ``y − out`` (the other sign by editing it), or a
    description of one when an argument's role is not known."""
    forward = pre.split("=", 1)[1].strip() if pre.startswith("out =") and ";" not in pre else ""
    var = forward.split(".", 1)[0]
    args = [
        "y - out" if p.name == error else ROLE_VALUES.get(cv.role(p.name, i) or "")
        for i, p in enumerate(params)
    ]
    if not (setup and forward and var.isidentifier()) or None in args:
        return f"give the step with the error the code hands it: --step '{pre}; …{method}(…, y - out)'"
    step = f"{pre}; {var}.{method}({', '.join(str(a) for a in args)})"
    return (
        f"pick the sign in the explicit form: --setup {setup!r} --forward {forward!r} --step {step!r} "
        "(y - out descends when the update adds; write out - y for the other)"
    )
