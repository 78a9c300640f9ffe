"""The pytest-facing assertion and its fixture: silent on a gradient, informative on anything else."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest
from test_verdicts_on_code import HEAD, LOGITS, OVERWRITE

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


def test_the_plugin_lists_its_options_and_marker(pytester: pytest.Pytester) -> None:
    args = [] if _plugin_installed() else ["-p", "verification.testing.pytest_plugin"]
    helped = pytester.runpytest(*args, "--help").stdout.str()
    assert "backprop-verify: gradient assertions (the assert_gradient_of fixture):" in helped
    for option in ("--gradient-seed=N", "--gradient-probes=K", "--gradient-method="):
        assert option in helped
    assert "@pytest.mark.gradient_settings(**settings)" in pytester.runpytest(*args, "--markers").stdout.str()


FAILING = """
import pytest
from pathlib import Path
from verification.reading.loader import load_script

NETWORK = load_script(Path(__file__).parent / "question_shortcut.py").get("NeuralNetwork")


@pytest.mark.gradient_settings(seed=4)
def test_marked(assert_gradient_of):
    assert_gradient_of(NETWORK(30, 5, 3), "mse")


def test_plain(assert_gradient_of):
    assert_gradient_of(NETWORK(30, 5, 3), "mse")
"""


def test_a_failure_shows_the_message_not_the_assertions_source(pytester: pytest.Pytester) -> None:
    pytester.copy_example(str(EXAMPLES / "question_shortcut.py"))
    pytester.makepyfile(test_failing=FAILING)
    args = [] if _plugin_installed() else ["-p", "verification.testing.pytest_plugin"]
    result = pytester.runpytest(*args, "-p", "no:cacheprovider", "--strict-markers", "--gradient-probes", "2")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "assertions.py" not in out and "pytest_plugin.py" not in out  # the helper frames are hidden
    assert out.count("E       AssertionError: NeuralNetwork.backward is not the gradient of mse") == 2
    # the marker's seed for one test, the command line's probes for both
    assert "2 probes of 1 sample(s), seed 4," in out and "2 probes of 1 sample(s), seed 0," in out


def test_a_given_tolerance_is_applied_and_the_derived_verdict_kept() -> None:
    from verification.identification.report import to_dict
    from verification.identification.sentences import override_note

    # rtol = 1 accepts any pair: the rule allows rtol·(max(|g_a|, |g_n|) + G) ≥ |g_a| + |g_n|
    result = assert_gradient_of(reference("shortcut"), "mse", rtol=1.0)
    assert result.matches_asked and result.rtol == 1.0
    assert result.derived is not None and result.derived.matches_asked is False
    note = override_note(result)
    assert note is not None and "concludes instead: shortcut backward is the gradient of bce" in note
    assert to_dict(result)["tolerance_given"] is True
    # under a tolerance that accepts anything, the other losses match because of it, not a constant
    assert to_dict(result)["verdict"].endswith(
        "(also matches bce, cross_entropy, poisson_nll: within the tolerance given)"
    )


def test_a_failure_under_a_given_tolerance_says_so() -> None:
    with pytest.raises(AssertionError, match=r"tolerance given: rtol 1\.0e-06, atol 0\.0e\+00; the derived"):
        assert_gradient_of(reference("shortcut"), "mse", rtol=1e-6)


def _instance(tmp_path: Path, body: str, name: str) -> Any:
    path = tmp_path / "net.py"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_script(path).get(name)()


def test_a_gradient_right_at_one_sample_but_not_on_batches_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="the gradient of mse for one sample, but not for a batch"):
        assert_gradient_of(_instance(tmp_path, OVERWRITE, "Net"), "mse")


def test_scores_with_the_softmax_in_the_loss_pass_as_cross_entropy(tmp_path: Path) -> None:
    result = assert_gradient_of(_instance(tmp_path, LOGITS, "TwoLayer"), "cross_entropy")
    assert (result.identified, result.reading) == ("cross_entropy", "softmax")
