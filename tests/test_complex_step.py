"""Complex step and ``auto``: machine-precision gradients where the loss is analytic, detection of
losses where it is not, and the float32 rules. Thresholds come from the tolerance table."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs
from verification.compare.coordinate import check_gradient
from verification.compare.rule import relative_error
from verification.numeric.complex_step import complex_step_derivative, supports_complex_step
from verification.numeric.evaluators import LoopEvaluator
from verification.numeric.methods import numeric_gradient, resolve_method
from verification.tolerances import ESTIMATE_FACTOR, tolerance_for

SEED = 3


def _question() -> tuple[Network, np.ndarray, np.ndarray]:
    data = load_glyphs()
    return Network.initialise((30, 5, 3), "sigmoid", seed=SEED), data.x, data.y


def _loss(net: Network, x: np.ndarray, y: np.ndarray, loss: str = "mse"):  # type: ignore[no-untyped-def]
    return lambda p: net.with_parameters(p).loss(x, y, loss)


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_complex_step_reaches_rounding_level_on_the_question(loss: str) -> None:
    net, x, y = _question()
    exact = backward(net, x, y, loss=loss)
    num = numeric_gradient(_loss(net, x, y, loss), net.parameters(), "complex-step")
    assert num.method == "complex-step" and num.evaluations == 1 + sum(w.size for w in exact.values())
    rtol = tolerance_for(np.float64, "complex-step").rtol
    for name, g in exact.items():
        assert relative_error(num.gradient[name], g) <= rtol, name


def test_auto_detects_complex_support_and_falls_back_for_relu() -> None:
    net, x, y = _question()
    assert resolve_method("auto", LoopEvaluator(_loss(net, x, y), net.parameters())) == "complex-step"
    relu = Network.initialise((4, 3, 2), ("relu", "sigmoid"), seed=SEED)
    xr, yr = np.array([[0.5, -1.0, 2.0, 0.1]]), np.array([[1.0, 0.0]])
    ev = LoopEvaluator(_loss(relu, xr, yr), relu.parameters())
    assert not supports_complex_step(ev)
    assert resolve_method("auto", ev) == "richardson"
    report = check_gradient(_loss(relu, xr, yr), relu.parameters(), backward(relu, xr, yr, loss="mse"))
    assert report.method == "richardson" and report.matches, report.format_text()


@pytest.mark.parametrize(
    "loss",
    [
        lambda p: float(np.sum(np.abs(p["w"]) ** 2)),  # abs is not analytic: Im is dropped
        lambda p: np.sum(np.real(p["w"]) ** 3),  # drops the imaginary part
        lambda p: np.sum(np.conj(p["w"]) * p["w"]),  # |w|² through conj: Im f = 0
        lambda p: np.sum(p["w"].astype(np.float32) ** 2),  # casts complex to real
    ],
    ids=["abs-float", "real", "conj", "cast"],
)
def test_losses_that_break_on_complex_input_are_detected(loss) -> None:  # type: ignore[no-untyped-def]
    ev = LoopEvaluator(loss, {"w": np.array([0.3, -1.5, 2.0])})
    assert not supports_complex_step(ev)
    assert resolve_method("auto", ev) == "richardson"


def test_complex_step_on_a_non_analytic_loss_is_an_input_error() -> None:
    relu = Network.initialise((2, 2), "relu", seed=SEED)
    x, y = np.array([[1.0, 2.0]]), np.array([[0.5, 0.5]])
    with pytest.raises(InputError, match="complex step does not apply to this loss: relu is not analytic"):
        numeric_gradient(_loss(relu, x, y), relu.parameters(), "complex-step")


def test_cli_spelling_is_accepted() -> None:
    assert resolve_method("complex-step") == resolve_method("complex_step") == "complex-step"


@pytest.mark.parametrize("size", [1e-4, 1e-6])
@pytest.mark.parametrize("name", ["W1", "W2"])
def test_planted_error_on_one_entry_is_found_by_complex_step(name: str, size: float) -> None:
    net, x, y = _question()
    grads = backward(net, x, y, loss="mse")
    rng = np.random.default_rng(SEED)
    # A typical entry (magnitude above the median), chosen by the seeded generator.
    big = np.flatnonzero(np.abs(grads[name]) >= np.median(np.abs(grads[name])))
    k = int(rng.choice(big))
    grads[name].flat[k] *= 1 + size
    report = check_gradient(_loss(net, x, y), net.parameters(), grads, method="complex-step")
    p = report.parameters[name]
    assert p.verdict == "mismatch" and p.flagged == 1, report.format_text()
    assert p.worst[0].index == np.unravel_index(k, grads[name].shape)


def test_error_estimate_bounds_the_true_error() -> None:
    w = {"w": np.linspace(-3.0, 3.0, 13)}
    num = numeric_gradient(lambda p: np.sum(np.sin(p["w"]) ** 2), w, "complex-step")
    err = np.abs(num.gradient["w"] - np.sin(2 * w["w"]))
    floor = tolerance_for(np.float64, "complex-step").rtol * np.max(np.abs(np.sin(2 * w["w"])))
    assert np.all(err <= ESTIMATE_FACTOR * num.error_estimate["w"] + floor)


def test_float32_parameters_are_checked_in_float64_with_the_analytic_rounding_added() -> None:
    net, x, y = _question()
    net32 = Network([w.astype(np.float32) for w in net.weights], net.activations)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    grads32 = backward(net32, x32, y32, loss="mse")
    assert all(g.dtype == np.float32 for g in grads32.values())  # sanity check of the harness
    report = check_gradient(_loss(net32, x, y), net32.parameters(), grads32)
    assert report.evaluation_dtype == "float64" and report.analytic_dtype == "float32"
    assert report.method == "complex-step" and report.matches, report.format_text()
    assert report.precision_limited and "float32" in report.precision_note
    assert report.tolerance.rtol == pytest.approx(
        tolerance_for(np.float64, "complex-step").rtol + tolerance_for(np.float32, "rounding").rtol
    )
    # A planted error well above float32 rounding is still found.
    grads32["W2"].flat[0] *= 1 + 1e3 * report.tolerance.rtol
    assert not check_gradient(_loss(net32, x, y), net32.parameters(), grads32).matches


def test_a_loss_that_only_evaluates_in_float32_says_precision_limits_the_verdict() -> None:
    net, x, y = _question()
    net32 = Network([w.astype(np.float32) for w in net.weights], net.activations)
    x32 = x.astype(np.float32)

    def f(p):  # type: ignore[no-untyped-def]
        return net32.with_parameters({k: v.astype(np.float32) for k, v in p.items()}).loss(x32, y, "mse")

    grads = backward(net32, x32, y.astype(np.float32), loss="mse")
    report = check_gradient(f, net32.parameters(), grads, method="central")
    assert report.evaluation_dtype == "float32" and report.precision_limited
    assert "precision limits the verdict" in report.precision_note
    assert report.tolerance == tolerance_for(np.float32, "central", np.float32)
    assert report.matches, report.format_text()
    assert report.to_dict()["precision_limited"] is True


def test_scalar_helper_and_bad_step() -> None:
    assert complex_step_derivative(np.exp, 0.0, 1e-20) == 1.0
    with pytest.raises(InputError, match="step h must be positive"):
        complex_step_derivative(np.exp, 0.0, 0.0)


@pytest.mark.parametrize(
    ("asked", "used"),
    [
        ("auto", "complex-step"),
        ("complex-step", "complex-step"),
        ("richardson", "richardson"),
        ("central", "central"),
    ],
)
def test_seed_answer_names_the_scheme_actually_used(asked: str, used: str) -> None:
    from verification.question import answer_question

    answer = answer_question(0, method=asked, train=False)
    assert answer.method == used and answer.to_dict()["method"] == used
    assert answer.answers_question
