"""The assertion for tests: :func:`assert_gradient_of` passes when someone's backward pass is the gradient
of the asked catalog loss, and otherwise fails with which parameter, which entries, the analytic value
against the numeric one, and which loss (or multiple of one) the code does match.

It goes through :func:`verification.adapters.detection.adapt` (how the code is called) and
:func:`verification.identification.identify.identify` (probing and verdicts); the pytest plugin
(:mod:`verification.testing.pytest_plugin`) hands it out as the fixture of the same name.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ffnn.losses import get_loss
from ffnn.validation import whole_number
from verification.adapters.detection import adapt
from verification.adapters.options import Options
from verification.adapters.variants import other_layouts, variants
from verification.identification.outcome import IdentificationReport
from verification.identification.report import differing_entries
from verification.identification.request import Probing
from verification.identification.sentences import matches_instead, override_note, verdict_sentence
from verification.identification.setups import identify_setups


def assert_gradient_of(
    code: Any, loss: str = "mse", *, options: Options | None = None, **probing: Any
) -> IdentificationReport:
    """Assert that the backward pass of ``code`` is the gradient of the catalog loss ``loss``.

    Parameters
    ----------
    code : class, instance, method or Subject
        The network code under test (see :func:`verification.adapters.detection.adapt`).
    loss : str
        Catalog loss id (``mse``, ``bce``, ``cross_entropy``, ``poisson_nll``).
    options : Options, optional
        Pieces of the explicit form (setup, forward, gradient or step, lr, layout) that override detection.
    **probing
        Fields of :class:`~verification.identification.request.Probing`: ``seed`` (0), ``probes`` (3),
        ``samples`` (1), ``method`` (``auto``), and ``rtol``, ``atol``, relative (≥ 0) and absolute
        (≥ 0, gradient units) tolerances in place of the table's
        (:func:`verification.tolerances.given_tolerance`); the report's ``derived`` holds what the
        table's tolerance concludes, and a failure message says when it differs.

    Returns
    -------
    IdentificationReport
        The full comparison, for further assertions; its truth value is its verdict.

    Raises
    ------
    AssertionError
        When any parameter tensor differs from the finite-difference gradient of ``loss``. The message
        names the first differing parameter (output layer first), its worst entries as analytic against
        numeric values with the numeric error estimate, and what the code matches instead.
    InputError
        On an argument out of its range (a loss that is not a catalog id, a negative seed, a count or
        method :class:`~verification.identification.request.Probing` refuses), named before the code
        runs; or when the code cannot be run (see :func:`verification.adapters.detection.adapt`).

    Examples
    --------
    >>> from ffnn import Network, backward
    >>> from verification.adapters.reference import subject_from_network
    >>> net = Network.initialise((4, 3, 2), "sigmoid", seed=1)
    >>> chain = subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="chain"))
    >>> assert_gradient_of(chain, "mse").identified
    'mse'
    """
    __tracebackhide__ = True  # pytest shows the caller's line and this message, not this function's body
    asked = get_loss(loss).name  # the arguments first, before the code runs: a bad one is named
    if "seed" in probing:
        probing["seed"] = whole_number("seed", probing["seed"], minimum=0)
    settings = Probing.of(**probing)
    given = options or Options()
    subject = adapt(code, given)
    kept = identify_setups(
        subject, variants(subject, given), asked, settings, layouts=partial(other_layouts, subject, given)
    )
    result = kept.report
    if not result.success:
        note = override_note(result)
        batch = result.verdict.batch
        if result.matches_asked and batch is not None and not result.verdict.holds_for_batches:
            raise AssertionError(verdict_sentence(result))
        if result.matches_asked and not result.verdict.holds_for_labels:  # one-hot labels only
            labels = result.verdict.labels
            raise AssertionError(
                f"{result.subject} is the gradient of {result.asked} for one-hot labels only: with "
                f"{labels.labels} {labels.first_mismatch} differs (relative error "  # type: ignore[union-attr]
                f"{labels.relative_error:.1e})"  # type: ignore[union-attr]
            )
        lines = [
            f"{result.subject} is not the gradient of {result.asked} "
            f"({result.candidate(str(result.asked)).verdict}); {matches_instead(result)}",
            *differing_entries(result, str(result.asked)),
            f"  convention: {result.convention}; {result.probes} probes of {result.samples} sample(s), "
            f"seed {result.seed}, {result.method} differences",
            *([] if note is None else [f"  {note}"]),
        ]
        raise AssertionError("\n".join(lines))
    return result
