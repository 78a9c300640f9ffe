"""The checker called as the field's checkers are: ``torch.autograd.gradcheck``, JAX ``check_grads``,
``scipy.optimize.check_grad`` and ``numpy.testing``.

A report's truth value is its verdict, so ``assert check_gradient(...)`` fails on a mismatch; the point
may be one array and the gradient a function; ``rtol`` and ``atol`` replace the derived tolerance (and
the report says when the derived one disagrees); ``eps`` fixes the step; ``raise_exception`` raises.
Planted errors are sized from the acceptance rule itself (:mod:`verification.compare.rule`), never from
a constant chosen to make a test pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs
from verification import check_directions, check_gradient, check_network, identify, taylor_test
from verification.compare.calling import SINGLE
from verification.compare.reports import GradientCheckError
from verification.tolerances import ESTIMATE_FACTOR, tolerance_for

X0 = np.array([0.5, -1.0, 2.0])


def cubic(x: np.ndarray) -> Any:
    return np.sum(x**3)


def cubic_gradient(x: np.ndarray) -> np.ndarray:
    return 3 * x**2


def one_entry_off(relative: float) -> np.ndarray:
    """The cubic's gradient at X0 with its largest entry off by ``relative`` of itself."""
    g = cubic_gradient(X0)
    g[np.argmax(np.abs(g))] *= 1 + relative
    return g


# --- truth value and printing ----------------------------------------------------------------------


def test_a_mismatch_is_false_so_assert_fails() -> None:
    report = check_gradient(cubic, X0, 2 * X0**2)
    assert not report and report.verdict == "matches up to scale"
    with pytest.raises(AssertionError):
        assert check_gradient(cubic, X0, -cubic_gradient(X0))


def test_a_match_is_true() -> None:
    assert check_gradient(cubic, X0, cubic_gradient(X0))


def test_print_gives_the_table_and_repr_one_line() -> None:
    report = check_gradient(cubic, X0, 2 * X0**2)
    assert str(report) == report.format_text()
    assert repr(report).startswith("<GradientReport matches up to scale: worst x relative error")
    assert "\n" not in repr(report)


def test_the_other_reports_are_their_verdicts_too() -> None:
    assert check_directions(cubic, X0, cubic_gradient)
    assert not check_directions(cubic, X0, -cubic_gradient(X0))
    assert taylor_test(cubic, X0, cubic_gradient)
    assert not taylor_test(cubic, X0, one_entry_off(0.5))
    assert str(taylor_test(cubic, X0, cubic_gradient)).startswith("Taylor remainder test")


def test_an_identification_is_its_success() -> None:
    from verification.adapters.reference import subject_from_network

    net = Network.initialise((4, 3, 2), "sigmoid", seed=1)
    chain = subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="chain"))
    assert identify(chain, "mse")
    assert not identify(chain, "bce")


# --- arrays, mappings and callables -----------------------------------------------------------------


def test_one_array_and_its_gradient_as_an_array_or_a_function() -> None:
    for analytic in (cubic_gradient(X0), cubic_gradient, list(cubic_gradient(X0))):
        report = check_gradient(cubic, X0, analytic)
        assert report.matches and list(report.parameters) == [SINGLE], report.format_text()
        assert report.parameters[SINGLE].shape == X0.shape


def test_a_number_is_a_point_too() -> None:
    report = check_gradient(lambda x: x**3, 1.5, 3 * 1.5**2)
    assert report.matches and report.parameters[SINGLE].shape == ()


def test_a_gradient_function_gets_the_point_in_its_own_form_and_cannot_move_it() -> None:
    params = {"a": X0.copy(), "b": np.array([[1.0, 2.0]])}
    seen = []

    def loss(p: dict[str, np.ndarray]) -> Any:
        return np.sum(p["a"] ** 3) + np.sum(p["a"][:2] * p["b"])

    def gradient(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        seen.append(sorted(p))
        out = {"a": 3 * p["a"] ** 2 + np.r_[p["b"][0], 0.0], "b": p["a"][None, :2].copy()}
        p["a"] += 1.0  # a careless gradient function: must not move the checked point
        return out

    assert check_gradient(loss, params, gradient)
    assert seen == [["a", "b"]] and np.array_equal(params["a"], X0)


def test_a_mapping_for_one_array_is_refused_and_the_other_way_round() -> None:
    with pytest.raises(InputError, match="params is one array, so the analytic gradient must be one array"):
        check_gradient(cubic, X0, {"x": cubic_gradient(X0)})
    with pytest.raises(InputError, match="must be a mapping with the names"):
        check_gradient(lambda p: cubic(p["w"]), {"w": X0}, cubic_gradient(X0))
    with pytest.raises(InputError, match="f must be callable"):
        check_gradient(X0, X0, cubic_gradient(X0))  # type: ignore[arg-type]


# --- rtol and atol -----------------------------------------------------------------------------------

PLANTED = 1e-6
"""A planted relative error of one entry: far above the derived rtol of complex step (about 2e-14)."""


def test_the_derived_tolerance_rejects_the_planted_error() -> None:
    assert tolerance_for(np.float64, "complex-step").rtol < PLANTED / 100
    report = check_gradient(cubic, X0, one_entry_off(PLANTED))
    assert report.verdict == "mismatch" and report.override_note is None
    assert not report.tolerance.given and report.to_dict()["derived_verdict"] is None


def test_an_rtol_as_large_as_the_error_accepts_it_and_says_the_derived_one_would_not() -> None:
    report = check_gradient(cubic, X0, one_entry_off(PLANTED), rtol=PLANTED)
    assert report.matches and report.tolerance.given and report.tolerance.rtol == PLANTED
    assert report.derived_verdict == "mismatch"
    assert report.derived_rtol == tolerance_for(np.float64, "complex-step").rtol
    assert report.override_note is not None and "gives mismatch" in report.override_note
    assert report.override_note in report.format_text()
    assert report.to_dict()["derived_verdict"] == "mismatch"


def test_an_rtol_below_what_the_rule_needs_still_rejects() -> None:
    # The largest entry g is off by PLANTED·g; the rule allows rtol·(max(|g_a|, |g_n|) + G) ≈ 2 rtol·g
    # there, so an rtol under PLANTED / 2 cannot accept it (a loose rtol may still find one scale
    # that fits every entry: not a match either).
    report = check_gradient(cubic, X0, one_entry_off(PLANTED), rtol=PLANTED / 4)
    assert not report and report.derived_verdict == "mismatch", report.format_text()
    assert report.parameters[SINGLE].flagged == 1


def test_atol_is_an_absolute_allowance() -> None:
    g = cubic_gradient(X0)
    error = PLANTED * np.max(np.abs(g))
    planted = one_entry_off(PLANTED)
    assert check_gradient(cubic, X0, planted, rtol=0.0, atol=2 * error)
    refused = check_gradient(cubic, X0, planted, rtol=0.0, atol=error / 2)
    assert not refused and refused.parameters[SINGLE].flagged == 1, refused.format_text()
    assert refused.tolerance.atol == error / 2


def test_check_directions_takes_the_same_overrides() -> None:
    # a whole-tensor error of PLANTED: g·u is off by PLANTED·(g·u) along every direction
    off = (1 + PLANTED) * cubic_gradient(X0)
    assert not check_directions(cubic, X0, off)
    loose = check_directions(cubic, X0, off, rtol=PLANTED)
    assert loose and loose.tolerance.given and loose.tolerance.rtol == PLANTED
    assert not check_directions(cubic, X0, off, rtol=PLANTED / 4)
    along = float(np.max(np.abs(check_directions(cubic, X0, off).parameters[SINGLE].analytic)))
    assert check_directions(cubic, X0, off, rtol=0.0, atol=2 * PLANTED * along)
    with pytest.raises(InputError, match="rtol must be a finite number"):
        check_directions(cubic, X0, off, rtol=-1.0)


def test_numeric_gradient_takes_one_array_as_check_gradient_does() -> None:
    from verification.numeric.methods import numeric_gradient

    numeric = numeric_gradient(cubic, X0)
    assert list(numeric.gradient) == [SINGLE]
    error = np.abs(numeric.gradient[SINGLE] - cubic_gradient(X0))
    assert np.all(error <= ESTIMATE_FACTOR * numeric.error_estimate[SINGLE] + np.spacing(cubic_gradient(X0)))


def test_check_network_takes_the_same_overrides() -> None:
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=0)
    shortcut = backward(net, data.x[:1], data.y[:1], rule="shortcut")
    report = check_network(net, data.x[:1], data.y[:1], "mse", shortcut, rtol=0.0, atol=10.0)
    assert report.matches and report.derived_verdict == "mismatch"


@pytest.mark.parametrize(
    ("keyword", "value"), [("rtol", -1e-3), ("atol", float("nan")), ("rtol", "1e-3"), ("atol", True)]
)
def test_bad_tolerances_are_refused_before_any_work(keyword: str, value: Any) -> None:
    calls = []

    def loss(x: np.ndarray) -> Any:
        calls.append(1)
        return cubic(x)

    with pytest.raises(InputError, match=f"{keyword} must be a finite number"):
        check_gradient(loss, X0, cubic_gradient(X0), **{keyword: value})
    assert not calls


# --- eps -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["central", "richardson", "complex-step", "forward"])
def test_a_fixed_step_is_the_step_taken(method: str) -> None:
    from verification.numeric.methods import numeric_gradient

    numeric = numeric_gradient(lambda p: cubic(p["x"]), {"x": X0}, method, eps=1e-6)
    # exactly representable offsets: within one ulp of the step at the entry
    np.testing.assert_allclose(numeric.step["x"], 1e-6, rtol=0, atol=np.spacing(np.max(np.abs(X0))))
    report = check_gradient(cubic, X0, cubic_gradient, method=method, eps=1e-6)
    assert report.matches and report.step == 1e-6, report.format_text()
    assert "fixed step 1.0e-06" in report.format_text()


def test_a_coarse_fixed_step_widens_the_estimate_not_the_verdict() -> None:
    # Central differences of a cubic err by h² f‴/6 = h²; the estimate |D(h) − D(2h)|/3 is that exactly,
    # so a correct gradient still matches and a wrong one is still caught.
    h = 0.1
    report = check_gradient(cubic, X0, cubic_gradient, method="central", eps=h)
    assert report.matches, report.format_text()
    assert report.max_relative_error > tolerance_for(np.float64, "central").rtol  # the step did cost
    worst = report.parameters[SINGLE].worst[0]
    assert worst.abs_error <= ESTIMATE_FACTOR * worst.error_estimate
    assert not check_gradient(cubic, X0, one_entry_off(0.5), method="central", eps=h)


@pytest.mark.parametrize("eps", [0.0, -1e-6, float("inf"), "1e-6"])
def test_bad_steps_are_refused(eps: Any) -> None:
    with pytest.raises(InputError, match="eps must be a finite number > 0"):
        check_gradient(cubic, X0, cubic_gradient, eps=eps)


# --- raise_exception -----------------------------------------------------------------------------


def test_raise_exception_raises_an_assertion_error_with_the_table() -> None:
    with pytest.raises(GradientCheckError) as info:
        check_gradient(cubic, X0, one_entry_off(PLANTED), raise_exception=True)
    assert isinstance(info.value, AssertionError)
    assert info.value.report.verdict == "mismatch"
    assert str(info.value).startswith("the gradient does not match (mismatch)\n")
    assert info.value.report.format_text() in str(info.value)


def test_raise_exception_returns_a_match() -> None:
    assert check_gradient(cubic, X0, cubic_gradient, raise_exception=True).matches


def test_a_flagged_entry_says_how_far_apart_its_values_are() -> None:
    # 12 against 12.000001: equal to the seven digits printed, so the line says the distance
    report = check_gradient(cubic, X0, cubic_gradient(X0) + np.array([0.0, 0.0, 1e-6]))
    assert not report
    line = next(x for x in report.format_text().splitlines() if x.startswith("    x[2]:"))
    assert line.startswith("    x[2]: analytic 1.200000e+01, numeric 1.200000e+01 ± ")
    assert line.endswith(f", apart by {report.parameters[SINGLE].worst[0].abs_error:.1e}")
    assert f"{report.parameters[SINGLE].worst[0].abs_error:.1e}" == "1.0e-06"
