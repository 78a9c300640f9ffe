"""pytest plugin of backprop-verify: the fixture ``assert_gradient_of``.

Registered through the ``pytest11`` entry point in ``pyproject.toml``, so installing the package is
enough; a test asks for the fixture by name::

    def test_backward_is_the_mse_gradient(assert_gradient_of):
        assert_gradient_of(NeuralNetwork, "mse")

The fixture is :func:`verification.testing.assertions.assert_gradient_of` itself; see there for the arguments
and the failure message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from verification.testing.assertions import assert_gradient_of as _assert_gradient_of


@pytest.fixture
def assert_gradient_of() -> Callable[..., Any]:
    """The assertion :func:`verification.testing.assertions.assert_gradient_of`: fails unless the code's
    backward pass is the gradient of the asked catalog loss, naming the first differing parameter, its
    worst entries (analytic against numeric) and the loss the code matches instead."""
    return _assert_gradient_of
