"""An example test of hand-written network code with the ``assert_gradient_of`` fixture.

Run it with ``pytest examples/test_question_network.py`` once backprop-verify is installed: the fixture
comes from its pytest plugin. The network classes are loaded from the example scripts without running
their training loops.
"""

from pathlib import Path

import pytest

from verification.reading.loader import load_script

HERE = Path(__file__).parent


def test_chain_version_is_the_mse_gradient(assert_gradient_of):
    network = load_script(HERE / "question_chain.py").get("NeuralNetwork")
    assert_gradient_of(network(30, 5, 3), "mse")


def test_shortcut_version_is_not_the_mse_gradient(assert_gradient_of):
    network = load_script(HERE / "question_shortcut.py").get("NeuralNetwork")
    with pytest.raises(AssertionError, match="it is the gradient of bce"):
        assert_gradient_of(network(30, 5, 3), "mse")
