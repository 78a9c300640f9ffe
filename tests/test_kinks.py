"""Kinks: a ReLU whose pre-activation sits on (or within a step of) 0 is reported as ``kink``, not as a
failure; a wrong value at a kink, or a wrong gradient elsewhere, is still a mismatch."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import Network, backward
from verification.compare.coordinate import check_gradient

X = np.array([[1.0, 2.0, 0.0]])
Y = np.array([[1.0, 0.0]])


def _relu_net(offset: float) -> Network:
    """3-4-2, relu then sigmoid; z1[0, 0] = 2·1 − 1·2 + 0.5·0 + offset = offset exactly."""
    net = Network.initialise((3, 4, 2), ("relu", "sigmoid"), seed=11)
    w1 = net.weights[0].copy()
    w1[:, 0] = [2.0 + offset, -1.0, 0.5]
    return Network([w1, net.weights[1]], net.activations)


def _loss(net: Network):  # type: ignore[no-untyped-def]
    return lambda p: net.with_parameters(p).loss(X, Y, "mse")


@pytest.mark.parametrize("offset", [0.0, 2.0**-30, -(2.0**-30)])
@pytest.mark.parametrize("method", ["central", "richardson", "auto"])
def test_relu_at_its_kink_is_reported_as_kink(offset: float, method: str) -> None:
    net = _relu_net(offset)
    assert net.forward(X).z[0][0, 0] == offset  # sanity check of the harness: the kink is where asked
    report = check_gradient(_loss(net), net.parameters(), backward(net, X, Y, loss="mse"), method=method)
    w1 = report.parameters["W1"]
    assert w1.verdict == "kink" and w1.flagged == 0 and w1.kinks >= 1, report.format_text()
    assert report.parameters["W2"].verdict == "matches", report.format_text()
    assert report.matches and report.verdict == "kink"
    assert any(e.kink for e in w1.worst) and "(kink)" in report.format_text()
    assert report.to_dict()["parameters"]["W1"]["kinks"] == w1.kinks


def test_without_kink_detection_the_entry_fails() -> None:
    net = _relu_net(0.0)
    report = check_gradient(
        _loss(net), net.parameters(), backward(net, X, Y, loss="mse"), method="central", kinks=False
    )
    assert report.parameters["W1"].verdict == "mismatch"


def test_a_wrong_value_at_a_kink_is_still_a_mismatch() -> None:
    net = _relu_net(0.0)
    grads = backward(net, X, Y, loss="mse")
    # Outside the bracket of the one-sided slopes (0 and the right-hand slope).
    grads["W1"][0, 0] = 3.0 * np.max(np.abs(grads["W1"])) + 1.0
    report = check_gradient(_loss(net), net.parameters(), grads, method="central")
    assert report.parameters["W1"].verdict == "mismatch", report.format_text()


def test_a_wrong_entry_away_from_the_kink_is_a_mismatch() -> None:
    net = _relu_net(0.0)
    grads = backward(net, X, Y, loss="mse")
    k = int(np.argmax(np.abs(grads["W2"])))
    grads["W2"].flat[k] *= 1 + 1e-4
    report = check_gradient(_loss(net), net.parameters(), grads, method="richardson")
    assert report.parameters["W2"].verdict == "mismatch" and report.parameters["W2"].flagged == 1


def test_smooth_networks_report_no_kinks() -> None:
    net = Network.initialise((3, 4, 2), ("tanh", "sigmoid"), seed=11)
    grads = backward(net, X, Y, loss="mse")
    grads["W1"] = -grads["W1"]
    report = check_gradient(_loss(net), net.parameters(), grads, method="central")
    assert report.parameters["W1"].verdict == "mismatch" and report.parameters["W1"].kinks == 0


def _relu_squared(offset: float) -> object:
    """``t ↦ ½ relu(t + offset)²``: a derivative that is continuous at ``t = −offset`` and a curvature
    that jumps there from 0 to 1."""
    return lambda t: 0.5 * max(t + offset, 0.0) ** 2


@pytest.mark.parametrize("offset", [5e-6, 0.0])
def test_a_right_value_at_a_curvature_jump_is_not_confirmed_as_a_mismatch(offset: float) -> None:
    from verification.identification.kink_probes import confirmed
    from verification.tolerances import tolerance_for

    tol = tolerance_for(np.float64, "richardson")
    exact = max(offset, 0.0)
    assert not confirmed(_relu_squared(offset), 0.018, exact, tol, floor=exact), (
        "the exact derivative at a curvature jump was confirmed as a mismatch"
    )


def test_a_wrong_value_is_confirmed_down_to_the_methods_resolution() -> None:
    """Where the loss is smooth, the loss-level check resolves what the acceptance rule does: a value
    off by 10 × rtol is confirmed, one off by rtol / 10 is not."""
    from verification.identification.kink_probes import confirmed
    from verification.tolerances import tolerance_for

    tol = tolerance_for(np.float64, "richardson")
    exact = float(np.cos(0.3))
    f = lambda t: float(np.sin(0.3 + t))  # noqa: E731
    assert confirmed(f, 0.018, exact * (1 + 10 * tol.rtol), tol, floor=exact), "a real mismatch was excused"
    assert not confirmed(f, 0.018, exact * (1 + tol.rtol / 10), tol, floor=exact), (
        "a value inside the tolerance was confirmed as a mismatch"
    )
