"""How a call of the code is written from its parameters: each argument's value as source, positionally
until one with a default is left out and by keyword after it; reporting switches off."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

REPORTING = re.compile(
    r"^(verbose|verbosity|graph|plot\w*|show\w*|display\w*|print\w*|debug|progress|logging|visuali[sz]e)$",
    re.IGNORECASE,
)
"""Switches of a training call that report as it goes (printing, plotting): given False when they
default to True, since a step is run once, quietly, and a report's own checks (``step <= iterations``)
then do not apply to its one iteration."""


INTERVAL = re.compile(
    r"^(step|(print|log|display|report|verbose)_?(every|interval|step|freq\w*)|every)$", re.I
)
"""How many iterations pass between reports (an integer default above 1): given 1, since the step is run
for one iteration and a report's own check (``step <= iterations``) may run even when quiet."""

CLIPPING = re.compile(
    r"^(max_?(grad(ient)?_?)?norm|(grad(ient)?_?)?clip(_?(value|val|norm|threshold|grad|at))?|clipping"
    r"|max_?grad(ient)?)$",
    re.IGNORECASE,
)
"""Arguments of a training call that clip the gradient (``train(…, max_norm=1.0)``, ``clip=5``): given
``1e12``, far above any gradient a probe makes (a switch, False; not ``inf``, which code that always
rescales to the bound, ``g / ‖g‖ · max_norm``, turns into ``nan``), since a clipped step is the gradient
scaled by a factor of the probe's own gradient, the gradient of no loss; the step checked is the
unclipped one, which the call shows."""


def call_arguments(
    params: list[inspect.Parameter], value_of: Callable[[int, inspect.Parameter], str | None]
) -> list[str] | None:
    """The arguments of a call, as source: each parameter's ``value_of(position, parameter)``,
    positionally until one with a default is left out, by keyword after it (a reporting switch that
    defaults to True, :data:`REPORTING`, is given False, a report interval, :data:`INTERVAL`, 1, a
    gradient clipping bound, :data:`CLIPPING`, ``1e12``); None
    when a parameter without a default has no value."""
    args, keyword = [], False
    for i, p in enumerate(params):
        value = value_of(i, p)
        if value is None and p.default is True and REPORTING.match(p.name):
            value = "False"  # train(…, verbose=True, graph=True, step=100): run the step quietly
        if value is None and type(p.default) is int and p.default > 1 and INTERVAL.match(p.name):
            value = "1"  # step=100 checked against the one iteration even when quiet
        if value is None and _clips(p):
            value = "False" if isinstance(p.default, bool) else "1e12"  # clipping off
        if value is None:
            if p.default is inspect.Parameter.empty:
                return None
            keyword = True
            continue
        args.append(f"{p.name}={value}" if keyword else value)
    return args


def clipping_notes(method: str, params: list[inspect.Parameter]) -> list[str]:
    """A note for each gradient clipping bound of ``method`` that :func:`call_arguments` switches off."""
    off = "switched off: the step checked is unclipped"
    return [f"{method}'s gradient clipping ({p.name}) {off}" for p in params if _clips(p)]


def _clips(p: inspect.Parameter) -> bool:
    return p.default is not None and bool(CLIPPING.match(p.name))
