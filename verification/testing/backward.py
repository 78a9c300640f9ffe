"""The assertion for course test suites: :func:`assert_backward_matches` passes when a backward function
is the vector–Jacobian product of its forward at the given inputs, and otherwise fails naming each
gradient that differs, its worst entries (analytic against numeric, with the numeric error estimate)
and the method.

It is :func:`verification.units.api.check_vjp` with an assertion; the pytest plugin
(:mod:`verification.testing.pytest_plugin`) hands it out as the fixture of the same name::

    def test_affine_backward(assert_backward_matches):
        x, w, b = np.random.randn(4, 5), np.random.randn(5, 3), np.random.randn(3)
        assert_backward_matches(affine_forward, affine_backward, {"x": x, "w": w, "b": b})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from verification.units.api import VjpReport, check_vjp


def assert_backward_matches(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    inputs: Mapping[str, Any] | Sequence[Any],
    **options: Any,
) -> VjpReport:
    """Assert that ``backward`` gives the numeric vector–Jacobian product of ``forward`` at ``inputs``.

    Parameters
    ----------
    forward, backward, inputs :
        As :func:`verification.units.api.check_vjp` (the course's ``(out, cache)`` protocol).
    **options :
        ``douts``, ``wrt``, ``seed``, ``method``, ``full`` of :func:`~verification.units.api.check_vjp`.

    Returns
    -------
    VjpReport
        The comparison, for further assertions.

    Raises
    ------
    AssertionError
        When a gradient differs (or crossed a kink, is missing, is a stub): the message is
        :meth:`VjpReport.format_text`.
    InputError
        When the forward cannot be run at the inputs.
    """
    report = check_vjp(forward, backward, inputs, **options)
    if not report.matches:
        raise AssertionError(report.format_text())
    return report
