"""pytest plugin of backprop-verify: the fixtures ``assert_gradient_of`` and ``assert_backward_matches``.

Registered through the ``pytest11`` entry point in ``pyproject.toml``, so installing the package is
enough; a test asks for the fixture by name::

    def test_backward_is_the_mse_gradient(assert_gradient_of):
        assert_gradient_of(NeuralNetwork, "mse")

The fixture is :func:`verification.testing.assertions.assert_gradient_of` itself; see there for the arguments
and the failure message. ``assert_backward_matches`` (:mod:`verification.testing.backward`) checks one
layer's backward function against its forward::

    def test_affine_backward(assert_backward_matches):
        assert_backward_matches(affine_forward, affine_backward, {"x": x, "w": w, "b": b})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from verification.testing.assertions import assert_gradient_of as _assert_gradient_of
from verification.testing.backward import assert_backward_matches as _assert_backward_matches


@pytest.fixture
def assert_gradient_of() -> Callable[..., Any]:
    """The assertion :func:`verification.testing.assertions.assert_gradient_of`: fails unless the code's
    backward pass is the gradient of the asked catalog loss, naming the first differing parameter, its
    worst entries (analytic against numeric) and the loss the code matches instead."""
    return _assert_gradient_of


@pytest.fixture
def assert_backward_matches() -> Callable[..., Any]:
    """The assertion :func:`verification.testing.backward.assert_backward_matches`: fails unless a
    backward function gives the numeric vector–Jacobian product of its forward, naming each gradient
    that differs and its worst entries."""
    return _assert_backward_matches
