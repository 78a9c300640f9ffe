"""IdentificationReport names the loss a backward pass is the gradient of, its scale, or a split, or none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ffnn.backprop import backward
from ffnn.network import Network
from ffnn.validation import InputError
from verification.adapters.reference import subject_from_network
from verification.identification.identify import identify
from verification.identification.report import to_dict
from verification.identification.request import MAX_PROBES, MAX_SAMPLES
from verification.identification.sentences import format_scale

QUESTION = ((30, 5, 3), ("sigmoid", "sigmoid"))


def subject(rule: Callable[..., dict[str, Any]], sizes=QUESTION[0], acts=QUESTION[1], bias=False):  # type: ignore[no-untyped-def]
    return subject_from_network(Network.initialise(sizes, acts, seed=0, bias=bias), rule)


def rule(name: str, factor: float = 1.0, loss: str | None = None) -> Callable[..., dict[str, Any]]:
    def grads(net: Network, x: Any, y: Any) -> dict[str, Any]:
        return {k: factor * v for k, v in backward(net, x, y, rule=name, loss=loss).items()}

    return grads


@pytest.mark.parametrize(("name", "loss"), [("chain", "mse"), ("shortcut", "bce")])
def test_question_rules_are_identified(name: str, loss: str) -> None:
    result = identify(subject(rule(name)), seed=0)
    assert result.identified == loss
    assert result.scale == 1.0
    assert [c.verdict for c in result.candidates if c.loss != loss] == ["mismatch"] * 3


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ((("sigmoid", "softmax"), "cross_entropy"), "cross_entropy"),
        ((("tanh", "exp"), "poisson_nll"), "poisson_nll"),
        ((("relu", "identity"), "mse"), "mse"),
    ],
    ids=["cross_entropy-softmax", "poisson_nll-exp", "mse-identity"],
)
def test_shortcut_is_the_gradient_of_every_canonical_pair(
    pair: tuple[tuple[str, str], str], expected: str
) -> None:
    acts, _ = pair
    result = identify(subject(rule("shortcut"), (3, 4, 3), acts, bias=True), seed=1)
    assert result.identified == expected
    assert result.scale == 1.0


@pytest.mark.parametrize(("factor", "text"), [(2.0, "2"), (1 / 3, "1/3"), (4.0, "4")])
def test_a_factor_is_reported_as_a_scale_not_another_loss(factor: float, text: str) -> None:
    # 4 × the mse gradient is what bce looks like near a = 0.5; it must still read as mse × 4
    result = identify(subject(rule("chain", factor)), seed=2)
    assert result.identified == "mse"
    assert format_scale(result.scale, result.rtol) == text
    assert result.candidate("bce").verdict == "mismatch"
    assert result.candidate("mse").verdict == "matches up to scale"


def test_single_sigmoid_output_is_not_fooled_by_a_per_probe_ratio() -> None:
    # one output unit: at every probe the bce gradient is exactly the mse one / (a (1 − a)),
    # a different ratio per probe; a single probe would call it 'matches up to scale'
    result = identify(subject(rule("shortcut"), (4, 3, 1), ("tanh", "sigmoid")), seed=3)
    assert result.identified == "bce"
    assert result.candidate("mse").verdict == "mismatch"
    ratios = {round(r.scale, 6) for r in result.candidate("mse").parameters["W2"].reports}
    assert len(ratios) == 3, "every probe has its own ratio, so no one scale fits"


def test_one_scale_must_fit_every_tensor() -> None:
    # each tensor is a multiple of the mse gradient, but not the same multiple: that is no loss's
    # gradient (one factor on the loss scales every tensor alike), so nothing is identified
    def uneven(net: Network, x: Any, y: Any) -> dict[str, Any]:
        out = backward(net, x, y, rule="chain")
        return {"W2": 2.0 * out["W2"], "W1": 3.0 * out["W1"]}

    result = identify(subject(uneven), seed=0)
    mse = result.candidate("mse")
    assert {n: t.verdict for n, t in mse.parameters.items()} == {
        "W2": "matches up to scale",
        "W1": "matches up to scale",
    }
    assert {n: round(t.scale, 9) for n, t in mse.parameters.items()} == {"W2": 2.0, "W1": 3.0}
    assert mse.verdict == "mismatch" and result.identified is None


def test_split_when_tensors_match_different_losses() -> None:
    def mixed(net: Network, x: Any, y: Any) -> dict[str, Any]:
        out = backward(net, x, y, rule="chain")
        out["W2"] = backward(net, x, y, rule="shortcut")["W2"]
        return out

    result = identify(subject(mixed), seed=0)
    assert result.identified is None
    assert result.split == {"W2": "bce", "W1": "mse"}


def test_nothing_identified_for_a_sign_error() -> None:
    result = identify(subject(rule("chain", -1.0)), "mse", seed=0)
    assert result.identified is None and result.split is None
    assert result.matches_asked is False and result.success is False
    first = result.first_mismatch("mse")
    assert first is not None and first.name == "W2"
    assert min(r.cosine for r in first.reports) < 0
    w2 = to_dict(result)["parameters"]["W2"]
    errors = {c.loss: c.parameters["W2"].max_relative_error for c in result.candidates if c.parameters}
    assert w2["identified"] is None and w2["against"] == min(errors, key=errors.__getitem__)
    assert w2["max_relative_error"] == errors[w2["against"]]


def test_asked_loss_outside_the_outputs_domain_is_bad_input() -> None:
    s = subject(rule("shortcut"), (3, 2, 2), ("tanh", "identity"))
    with pytest.raises(InputError, match="bce"):
        identify(s, "bce")


@pytest.mark.parametrize(("kwargs", "message"), [({"probes": 1}, "probes"), ({"samples": 0}, "samples")])
def test_bad_arguments(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(InputError, match=message):
        identify(subject(rule("chain")), **kwargs)  # type: ignore[arg-type]


def test_same_seed_same_report_and_json_fields() -> None:
    a = to_dict(identify(subject(rule("chain")), seed=5, samples=2))
    b = to_dict(identify(subject(rule("chain")), seed=5, samples=2))
    assert a == b
    assert a["identified"] == "mse" and a["scale"] == 1.0 and a["seed"] == 5
    assert set(a["parameters"]) == {"W1", "W2"}
    assert set(a["parameters"]["W1"]) == {"identified", "scale", "max_relative_error", "against"}
    assert [c["loss"] for c in a["candidates"]] == ["mse", "bce", "cross_entropy", "poisson_nll"]


def test_batch_mean_versus_sum_is_a_scale_of_the_batch_size() -> None:
    result = identify(subject(rule("chain", 3.0)), seed=0, samples=3)
    assert result.identified == "mse"
    assert format_scale(result.scale, result.rtol) == "3"


def test_format_scale() -> None:
    assert format_scale(0.5, 1e-12) == "1/2"
    assert format_scale(np.pi, 1e-12) == "3.14159"
    assert format_scale(None, 1e-12) == "-"


def test_complex_step_is_refused_for_code_that_is_not_complex_safe() -> None:
    net = Network.initialise((3, 2), "relu", seed=0)  # ffnn's relu refuses complex input
    subject = subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="exact", loss="mse"))
    with pytest.raises(InputError, match=r"complex step does not apply to backward: .*relu"):
        identify(subject, method="complex-step")
    assert identify(subject, method="auto").method == "richardson"


def test_complex_step_is_used_for_code_that_is_complex_safe() -> None:
    assert identify(subject(rule("chain"))).method == "complex-step"


@pytest.mark.parametrize(
    ("probes", "samples", "message"),
    [
        (MAX_PROBES + 1, 1, rf"probes must be from 2 .* to {MAX_PROBES}"),
        (3, MAX_SAMPLES + 1, "samples must be"),
    ],
)
def test_probes_and_samples_have_a_maximum(probes: int, samples: int, message: str) -> None:
    net = Network.initialise((3, 2), "sigmoid", seed=0)
    subject = subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="exact"))
    with pytest.raises(InputError, match=message):
        identify(subject, probes=probes, samples=samples)


def test_column_inputs_are_transposed_not_reshaped() -> None:
    from verification.adapters.layouts import Layout

    x = np.arange(12.0).reshape(3, 4)
    column = Layout("column")
    np.testing.assert_array_equal(column.to_code(x), x.T, err_msg="a batch of 3 as columns (4, 3)")
    np.testing.assert_array_equal(column.from_code(x.T, 3, "out"), x, err_msg="and back to rows")


def test_one_hot_labels_of_one_output_are_described_as_one_value_per_sample() -> None:
    from verification.adapters.layouts import Layout

    layout = Layout("row", labels="one-hot")
    assert layout.describe() == "inputs and labels as rows (samples, n), labels one-hot"
    assert layout.describe(3) == "inputs and labels as rows (samples, n), labels one-hot"
    assert layout.describe(1) == "inputs and labels as rows (samples, n), labels one value per sample"
    assert Layout("row", labels="index").describe(1).endswith("labels index")
