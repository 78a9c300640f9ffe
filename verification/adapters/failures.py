"""Failures of candidate recipes, and which of them a refusal names.

Detection tries many candidates (setups, forward passes, layouts, widths, gradient methods) and most
fail by design: at a wrong width or layout the forward pass fails. When all fail, the refusal names the
most telling failure, ranked by its *kind*, which the place that raised it sets (:func:`tagged`), never
by searching its words:

=================== ==================================================================================
kind                what failed (most telling first)
=================== ==================================================================================
``import``          the code uses a module whose import failed (ranked after the next four when a
                    candidate failed of one of them: it ran past the missing module)
``learning-rate``   the learning rate of an update is not a usable number
``optimiser``       an update is an adaptive optimiser's step, not a multiple of the gradient, or makes
                    the weights anew rather than moving those it is given
``shape``           a gradient named for its parameter has another shape (the code's own gradient is
                    wrong, whatever the other candidates raised)
``code``            the code raised, exited, or gave non-finite, complex, misshapen or unmatched values
``unchanged``       a step changed no weight: the candidate is not the step that trains them
``not-gradients``   a method returned nothing that could be gradients
``other``           anything not tagged
``forward``         the forward pass failed or gave no usable output (expected at wrong widths)
=================== ==================================================================================
"""

from __future__ import annotations

from ffnn.validation import InputError
from verification.reading.loader import LoadedScript, one_line
from verification.reading.unbound_names import unbound_reads

KINDS = (
    *("import", "learning-rate", "optimiser", "shape", "code"),
    *("unchanged", "not-gradients", "other", "forward"),
)
"""Failure kinds, most telling first (the table of the module docstring)."""
RAN = {"learning-rate", "optimiser", "shape", "code"}
"""Kinds of a candidate that ran the code past its imports: when one did, a missing module (``import``)
ranks after them. A setup that calls a data loader from a missing module (``load_mnist()``) fails by
import, and a setup without it gets as far as the code's own failure, which is the one to name."""


class Failed(InputError):
    """A candidate recipe that did not run; detection goes on to the next.

    Parameters
    ----------
    message : str
    kind : str
        One of :data:`KINDS`.
    hint : str, optional
    """

    def __init__(self, message: str, kind: str = "other", *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        tagged(self, kind)


def tagged(error: InputError, kind: str) -> InputError:
    """``error`` with its failure kind set (an existing kind is kept: the innermost raiser knows best).

    Raises
    ------
    ValueError
        On a kind not in :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown failure kind {kind!r}; known: {', '.join(KINDS)}")
    if getattr(error, "kind", None) not in KINDS:
        error.kind = kind  # type: ignore[attr-defined]
    return error


def restated(message: str, error: InputError, hint: str | None) -> InputError:
    """A new refusal, ``message`` with ``hint``, for ``error`` caught on the way out; it keeps the
    ``code-failed`` cause when ``error`` is a failure of the file as written (a name it never imports,
    :func:`verification.reading.unbound_names.never_bound`), which no explicit form mends."""
    out = InputError(message, hint=hint)
    if getattr(error, "fails_as_written", False):
        out.cause = "code-failed"  # type: ignore[attr-defined]
    return out


def kind_of(error: InputError | str) -> str:
    """The failure kind of ``error`` (``other`` when it was not tagged)."""
    kind = getattr(error, "kind", None)
    return kind if kind in KINDS else "other"


def most_telling(errors: list[InputError | str]) -> InputError:
    """Of the failures of several candidates, the first of the most telling kind (:data:`KINDS`)."""
    if not errors:
        return InputError("nothing to try")
    order = list(KINDS)
    if {kind_of(e) for e in errors} & RAN:  # a candidate got past the missing module: its failure tells more
        order.insert(order.index("unchanged"), order.pop(0))
    best = min(order.index(kind_of(e)) for e in errors)
    chosen = next(e for e in errors if order.index(kind_of(e)) == best)
    return chosen if isinstance(chosen, InputError) else InputError(chosen)


def refusal(prefix: str, errors: list[InputError | str], hint: str | None) -> InputError:
    """The one-line refusal after every candidate failed: ``prefix`` and the most telling failure, which
    also gives its cause (``code-failed`` when the checked code raised, :mod:`verification.runs.exits`)."""
    chosen = most_telling(errors)
    if getattr(chosen, "kind", None) == "import" and getattr(chosen, "hint", None):
        hint = chosen.hint  # a module to install: no explicit form runs without it
    error = InputError(f"{prefix}: {one_line(chosen)}", hint=hint)
    cause = getattr(chosen, "cause", None)
    if cause is not None:
        error.cause = cause  # type: ignore[attr-defined]
    return error


UNBOUND_HINT = "define those names first"


def no_pair(script: LoadedScript) -> InputError:
    """The refusal of a file of functions with no forward and backward pair to check, naming them; with
    cause ``code-failed`` when they read names the file binds nowhere (``backpropagation`` calling
    ``sigmoid`` that no line defines: it cannot run as written, however it is called)."""
    unbound = unbound_reads(script.tree, script.defined_names())
    exc = InputError(
        f"{script.path} defines no forward and backward functions to pair "
        f"(functions: {', '.join(script.defined_names()) or 'none'}){unbound}",
        hint="define those names first"
        if unbound
        else "give the explicit form: --setup, --forward, --gradient",
    )
    exc.cause = "code-failed" if unbound else None  # type: ignore[attr-defined]
    return exc
