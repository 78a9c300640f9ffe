"""pytest plugin of backprop-verify: the fixtures ``assert_gradient_of`` and ``assert_backward_matches``,
their command-line options and their marker.

Registered through the ``pytest11`` entry point in ``pyproject.toml``, so installing the package is
enough; a test asks for the fixture by name::

    def test_backward_is_the_mse_gradient(assert_gradient_of):
        assert_gradient_of(NeuralNetwork, "mse")

The fixture is :func:`verification.testing.assertions.assert_gradient_of` (see there for the arguments
and the failure message) with defaults a run or a test may set, listed by ``pytest --help`` (under
"backprop-verify: gradient assertions") and ``pytest --markers``:

* ``--gradient-seed N``, ``--gradient-probes K``, ``--gradient-method M``: for the whole run, e.g. to
  rerun a suite's gradient assertions at other probe points;
* ``@pytest.mark.gradient_settings(probes=5, rtol=1e-6)``: for one test, any keyword argument of the
  assertion.

An argument given in the call wins over the marker, the marker over the command line. A failure shows
the test's own line and the assertion's message; the assertion's frames are hidden
(``__tracebackhide__``).

``assert_backward_matches`` (:mod:`verification.testing.backward`) checks one layer's backward function
against its forward::

    def test_affine_backward(assert_backward_matches):
        assert_backward_matches(affine_forward, affine_backward, {"x": x, "w": w, "b": b})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from verification.identification.request import METHODS
from verification.testing.assertions import assert_gradient_of as _assert_gradient_of
from verification.testing.backward import assert_backward_matches as _assert_backward_matches

MARKER = "gradient_settings"
OPTIONS = {"seed": "--gradient-seed", "probes": "--gradient-probes", "method": "--gradient-method"}
"""Keyword argument of the assertion → the command-line option that sets its default."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The run's defaults for the fixture, under their own heading of ``pytest --help``."""
    group = parser.getgroup(
        "backprop-verify", "backprop-verify: gradient assertions (the assert_gradient_of fixture)"
    )
    group.addoption(
        OPTIONS["seed"],
        type=int,
        metavar="N",
        help="seed of the probe points of assert_gradient_of (default: 0); rerun with others to see "
        "that no verdict depends on the draw",
    )
    group.addoption(
        OPTIONS["probes"], type=int, metavar="K", help="probe points per assertion, 2 to 50 (default: 3)"
    )
    group.addoption(
        OPTIONS["method"],
        choices=METHODS,
        help="how the code's output is differentiated (default: auto, complex step where the code "
        "allows it, else Richardson)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so that ``--strict-markers`` accepts it and ``pytest --markers`` lists it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): keyword arguments of assert_gradient_of for this test's calls (seed, "
        "probes, samples, method, rtol, atol, options); a call's own arguments win",
    )


class GradientAssertion:
    """:func:`verification.testing.assertions.assert_gradient_of` with the defaults of a run and a test.

    Parameters
    ----------
    defaults : dict
        Keyword arguments of the assertion; a call's own arguments win over them.
    """

    def __init__(self, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.__doc__ = _assert_gradient_of.__doc__

    def __call__(self, code: Any, loss: str = "mse", **settings: Any) -> Any:
        __tracebackhide__ = True
        return _assert_gradient_of(code, loss, **{**self.defaults, **settings})

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        return f"<assert_gradient_of fixture{': ' + given if given else ''}>"


@pytest.fixture
def assert_gradient_of(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """The assertion :func:`verification.testing.assertions.assert_gradient_of`: fails unless the code's
    backward pass is the gradient of the asked catalog loss, naming the first differing parameter, its
    worst entries (analytic against numeric) and the loss the code matches instead. Defaults come from
    the ``gradient_settings`` marker, then from the ``--gradient-*`` options."""
    defaults: dict[str, Any] = {}
    for name, option in OPTIONS.items():
        value = request.config.getoption(option)
        if value is not None:
            defaults[name] = value
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        defaults.update(marker.kwargs)
    return GradientAssertion(defaults)


@pytest.fixture
def assert_backward_matches() -> Callable[..., Any]:
    """The assertion :func:`verification.testing.backward.assert_backward_matches`: fails unless a
    backward function gives the numeric vector–Jacobian product of its forward, naming each gradient
    that differs and its worst entries."""
    return _assert_backward_matches
