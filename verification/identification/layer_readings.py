"""A class checked as a layer whose backward does not match its forward, read again as a network.

A backward that takes one argument and hands it on (``backward(self, Y)`` doing ``d2 = output_delta(self.a,
Y)``, ``dp = -Y / self.p``) is what a layer does with its upstream gradient and what a network does with
its labels and a loss derivative. Neither its name nor its syntax settles which: a layer block of two
weights may call its upstream gradient ``y``, and a two-layer network may call its labels ``counts``.
The two readings are two claims, and each can be tested:

* read as a **layer**, the backward must give ``Jᵀ·g`` for any upstream gradient ``g``: a correct layer
  matches, a network does not (its argument is not multiplied through, it is compared with the output);
* read as a **network**, the backward must be the gradient of a catalog loss at the labels: a correct
  network is one, a layer is not (``Jᵀ·y`` is the gradient of no loss of the output).

:func:`network_reading` takes the second reading when the first failed for a class whose forward
multiplies by two or more of its own weights and whose argument is not named like a gradient
(:func:`verification.units.upstream.network_labels`), and keeps it only when it names a catalog loss: the
one alternative under which the code is a consistent gradient (issue of unseen code, point 1). When
neither reading holds, the layer's mismatch stands: under both, the code is no correct gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ffnn.validation import InputError
from verification.adapters.classes import instance_name
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.reading.loader import LoadedScript
from verification.reading.targets import Target
from verification.units.check import UnitsReport
from verification.units.upstream import network_labels


def network_reading(
    request: CheckRequest,
    script: LoadedScript,
    report: UnitsReport,
    check: Callable[[CheckRequest], CheckReport],
) -> CheckReport | None:
    """The network check (``check``, as ``check_target``) of the one unit of ``report`` that mismatched
    when it is a layer that may be a network (module docstring), with a note saying so and naming the
    other units' verdicts; None when there is no such unit, or the network reading names no catalog loss
    or is refused. Its one argument is handed the labels when detection takes it for the inputs.

    Parameters
    ----------
    request : CheckRequest
        The check asked for (``PATH`` or ``PATH:NAME``).
    script : LoadedScript
        The file the units were found in.
    report : UnitsReport
        The check of its units.
    """
    mismatched = [r for r in report.results if r.verdict == "mismatch"]
    if len(mismatched) != 1 or mismatched[0].kind != "layer":
        return None
    unit = mismatched[0]
    cls = script.module.__dict__.get(unit.unit)
    forward = getattr(cls, unit.forward.rsplit(".", 1)[-1], None)
    backward = getattr(cls, (unit.backward or "").rsplit(".", 1)[-1], None)
    if (
        not isinstance(cls, type)
        or forward is None
        or backward is None
        or not network_labels(forward, backward)
    ):
        return None
    named = replace(request, target=Target(request.target.path, request.target.name or unit.unit))
    var = instance_name(cls, script)  # its one argument handed the labels, where detection took it for x
    labels = f"out = {var}.{forward.__name__}(x); {var}.{backward.__name__}(y)"
    outcome = None
    pinned = replace(named, options=replace(named.options, gradient=labels))
    given = request.options.gradient is not None or request.options.step is not None
    for asked in (named,) if given else (named, pinned):
        try:
            outcome = check(asked)
        except InputError:
            continue
        if outcome.result.identified is not None:
            break
    if outcome is None or outcome.result.identified is None:
        return None
    outcome.result.notes.append(
        f"read as a layer (its argument the upstream gradient), {unit.backward} does not match the "
        f"Jacobian of {unit.forward}; read as a network (its argument the labels) it is the gradient of "
        f"{outcome.result.identified}: {unit.unit} multiplies by two of its own weights, a network's"
    )
    others = [f"{r.unit} {r.verdict}" for r in report.results if r is not unit]
    if others:  # the file's other units, checked as units: none mismatched
        outcome.result.notes.append(f"the file's other units, checked as units: {', '.join(others)}")
    return outcome
