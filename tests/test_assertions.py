"""The pytest-facing assertion and its fixture: silent on a gradient, informative on anything else."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest

from ffnn.backprop import backward
from ffnn.network import Network
from verification.adapters.reference import subject_from_network
from verification.reading.loader import load_script
from verification.testing.assertions import assert_gradient_of

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def reference(rule: str, factor: float = 1.0):  # type: ignore[no-untyped-def]
    net = Network.initialise((30, 5, 3), "sigmoid", seed=0)

    def grads(n: Network, x: Any, y: Any) -> dict[str, Any]:
        return {k: factor * v for k, v in backward(n, x, y, rule=rule).items()}

    return subject_from_network(net, grads, f"{rule} backward")


def test_passes_and_returns_the_identification() -> None:
    result = assert_gradient_of(reference("chain"), "mse")
    assert result.identified == "mse" and result.matches_asked


def test_failure_names_parameter_entries_values_and_what_matches() -> None:
    with pytest.raises(AssertionError) as info:
        assert_gradient_of(reference("shortcut"), "mse", seed=4)
    message = str(info.value)
    assert message.startswith(
        "shortcut backward is not the gradient of mse (mismatch); it is the gradient of bce"
    )
    assert "first parameter that differs from mse (output layer first): W2" in message
    assert re.search(r"W2\[\d, \d\]: analytic -?\d\.\d{6}e[+-]\d\d, numeric -?\d\.\d{6}e[+-]\d\d ± ", message)
    assert "seed 4" in message


def test_failure_reports_a_scale() -> None:
    with pytest.raises(AssertionError, match=r"it is 2 × the gradient of mse"):
        assert_gradient_of(reference("chain", 2.0), "mse")


def test_failure_when_nothing_matches() -> None:
    with pytest.raises(AssertionError, match="matches no catalog loss, nor a multiple of one"):
        assert_gradient_of(reference("chain", -1.0), "mse")


def test_accepts_a_users_class_instance() -> None:
    network = load_script(EXAMPLES / "question_shortcut.py").get("NeuralNetwork")
    assert assert_gradient_of(network(30, 5, 3), "bce").convention == "update in place, lr = 0.1"


def _plugin_installed() -> bool:
    return any(
        e.value == "verification.testing.pytest_plugin"
        for e in importlib.metadata.entry_points(group="pytest11")
    )


def test_fixture_through_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.copy_example(str(EXAMPLES / "question_chain.py"))
    pytester.copy_example(str(EXAMPLES / "question_shortcut.py"))
    pytester.copy_example(str(EXAMPLES / "test_question_network.py"))
    args = [] if _plugin_installed() else ["-p", "verification.testing.pytest_plugin"]
    result = pytester.runpytest(*args, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_documented_failure_message_is_the_one_given() -> None:
    doc = (EXAMPLES.parent / "docs" / "checking-your-code.md").read_text(encoding="utf-8")
    shown = doc.split("what\nthe code matches instead:\n\n```\n", 1)[1].split("```", 1)[0].strip()
    network = load_script(EXAMPLES / "question_shortcut.py").get("NeuralNetwork")
    with pytest.raises(AssertionError) as info:
        assert_gradient_of(network(30, 5, 3), "mse")
    assert str(info.value).strip() == shown
