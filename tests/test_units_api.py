"""``check_vjp`` and the assertion ``assert_backward_matches``: the unit check as a Python API, its
resolution pinned from both sides by planted errors sized from the tolerance table, and the default
mode's sample catching one wrong entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ffnn.validation import InputError
from verification import assert_backward_matches, check_vjp
from verification.compare.rule import allowance, tensor_floor
from verification.reading.loader import load_script
from verification.tolerances import tolerance_for
from verification.units.vjp import Problem, Sample, numeric_vjp

SEED = 20261218
LAYERS = load_script(Path(__file__).resolve().parent / "layer_files" / "course_layers.py")
affine_forward, affine_backward = LAYERS.get("affine_forward"), LAYERS.get("affine_backward")
conv_forward, conv_backward = LAYERS.get("conv_forward_naive"), LAYERS.get("conv_backward_naive")


def affine_inputs(seed: int = SEED) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((4, 5)), "w": rng.standard_normal((5, 3)), "b": rng.standard_normal(3)}


def with_error(backward: Any, which: int, index: tuple[int, ...], delta: float) -> Any:
    """``backward`` with ``delta`` added to one entry of its gradient number ``which``."""

    def planted(dout: Any, cache: Any) -> tuple[Any, ...]:
        grads = [np.array(g, dtype=np.float64) for g in backward(dout, cache)]
        grads[which][index] += delta
        return tuple(grads)

    return planted


def test_a_right_backward_matches_to_rounding() -> None:
    report = check_vjp(affine_forward, affine_backward, affine_inputs())
    rtol = tolerance_for(np.float64, "complex-step").rtol
    assert report.matches and report.result.method == "complex-step"
    errors = {o.name: o.relative_error for o in report.result.outputs}
    assert all(e is not None and e <= rtol for e in errors.values()), (
        f"got {errors}, but should be ≤ {rtol:.1e}"
    )


def resolution_allowance(method: str, index: tuple[int, int]) -> float:
    """The acceptance rule's allowance for ``dw[index]`` of the affine layer, computed from the tolerance
    table and the numeric oracle's own estimate, independently of the check under test."""
    inputs = affine_inputs()
    rng = np.random.default_rng(SEED)
    douts = [rng.standard_normal((4, 3))]
    problem = Problem(lambda t: [affine_forward(t["x"], t["w"], t["b"])[0]], dict(inputs), douts)
    numeric = numeric_vjp(problem, Sample.every_entry(inputs), method)
    g = np.asarray(affine_backward(douts[0], (inputs["x"], inputs["w"]))[1])
    n, e = numeric.values["w"].reshape(g.shape), numeric.estimates["w"].reshape(g.shape)
    tol = tolerance_for(np.float64, method)
    return float(allowance(g, n, e, tol, tensor_floor(g, n))[index])


@pytest.mark.parametrize("method", ["complex-step", "richardson"])
def test_an_error_of_three_allowances_is_flagged_and_a_third_of_one_is_not(method: str) -> None:
    """The resolution pinned from both sides: a check whose tolerance or error estimate were loosened
    tenfold would accept the first; one that were too strict would flag the second."""
    index = (1, 2)
    a = resolution_allowance(method, index)
    inputs = affine_inputs()
    douts = [np.random.default_rng(SEED).standard_normal((4, 3))]
    flagged = check_vjp(
        affine_forward, with_error(affine_backward, 1, index, 3 * a), inputs, douts=douts, method=method
    )
    passed = check_vjp(
        affine_forward, with_error(affine_backward, 1, index, a / 3), inputs, douts=douts, method=method
    )
    dw = {o.name: o for o in flagged.result.outputs}["dw"]
    assert dw.verdict == "mismatch" and dw.report is not None and dw.report.worst[0].index == index, (
        f"got {dw.verdict} for an error of 3 allowances ({3 * a:.1e}), but it should be flagged at {index}"
    )
    assert passed.matches, f"got {passed.verdict} for an error of a third of an allowance ({a / 3:.1e})"


def test_the_default_sample_finds_one_entry_of_a_conv_weight_gradient_wrong_by_1e_6() -> None:
    """What ``torch.autograd.gradcheck(fast_mode=True)`` misses (docs/benchmarks-units.md): random
    directions at complex-step accuracy see one entry wrong by 10⁻⁶ among 54."""
    rng = np.random.default_rng(SEED)
    inputs = {
        "x": rng.standard_normal((4, 3, 5, 5)),
        "w": rng.standard_normal((2, 3, 3, 3)) / np.sqrt(27),
        "b": rng.standard_normal(2),
        "conv_param": {"stride": 1, "pad": 1},
    }
    misses = []
    for seed in range(5):
        # the wrong entry is one the sample does not check one by one at this seed, or any: the
        # directions must catch it either way
        report = check_vjp(
            conv_forward, with_error(conv_backward, 1, (1, 2, 0, 1), 1e-6), inputs, seed=seed, full=False
        )
        if {o.name: o.verdict for o in report.result.outputs}["dw"] != "mismatch":
            misses.append(seed)
    assert not misses, f"got the planted error missed at seeds {misses}"


def test_the_assertion_passes_for_a_right_backward_and_names_the_entry_otherwise() -> None:
    inputs = affine_inputs()
    assert assert_backward_matches(affine_forward, affine_backward, inputs).matches
    with pytest.raises(AssertionError, match=r"dw: mismatch, relative error .*\n    dw\[1, 2\]: analytic"):
        assert_backward_matches(affine_forward, with_error(affine_backward, 1, (1, 2), 1e-3), inputs)


def test_the_fixture_is_the_assertion(assert_backward_matches: Any) -> None:
    assert assert_backward_matches(affine_forward, affine_backward, affine_inputs()).verdict == "matches"


def test_a_gradient_missing_from_a_dict_is_reported_by_name() -> None:
    def backward(dout: Any, cache: Any) -> dict[str, Any]:
        dx, dw, _ = affine_backward(dout, cache)
        return {"dx": dx, "dw": dw}

    report = check_vjp(affine_forward, backward, affine_inputs())
    assert {o.name: o.verdict for o in report.result.outputs} == {
        "dx": "matches",
        "dw": "matches",
        "db": "stub",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inputs": 3}, "inputs must be a dict of name to array"),
        ({"wrt": ["nothing"]}, r"wrt names \['nothing'\], which are not among the inputs \['x', 'w', 'b'\]"),
        ({"douts": [np.zeros(2)]}, r"douts have shapes \[\(2,\)\], the outputs \[\(4, 3\)\]"),
    ],
)
def test_bad_input_is_one_line_naming_it(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"inputs": affine_inputs(), **kwargs}
    inputs = arguments.pop("inputs")
    with pytest.raises(InputError, match=message):
        check_vjp(affine_forward, affine_backward, inputs, **arguments)


def test_where_the_richardson_estimate_sets_the_allowance_it_is_pinned_from_both_sides() -> None:
    """On ``sin(10 x)`` Richardson's own error estimate, not the rtol floor, sets the allowance: a check
    whose estimate were inflated tenfold would accept an error of three allowances."""
    k, x = 10.0, np.linspace(-1.0, 1.0, 7)
    dout = np.random.default_rng(SEED).standard_normal(7)
    problem = Problem(lambda t: [np.sin(k * t["x"])], {"x": x}, [dout])
    numeric = numeric_vjp(problem, Sample.every_entry({"x": x}), "richardson")
    g = dout * k * np.cos(k * x)
    tol = tolerance_for(np.float64, "richardson")
    floor = tensor_floor(g, numeric.values["x"])
    i = int(np.argmax(numeric.estimates["x"]))
    rtol_part = tol.rtol * (max(abs(g[i]), abs(numeric.values["x"][i])) + floor)
    estimate_part = tol.estimate_factor * numeric.estimates["x"][i]
    assert estimate_part > 30 * rtol_part, (
        "sanity of the harness: the estimate must dominate the allowance here"
    )
    a = rtol_part + estimate_part

    def backward(delta: float) -> Any:
        def planted(d: Any, cache: Any) -> Any:
            out = d * k * np.cos(k * cache)
            out[i] += delta
            return out

        return planted

    def forward(v: Any) -> tuple[Any, Any]:
        return np.sin(k * v), v

    flagged = check_vjp(forward, backward(3 * a), {"x": x}, douts=[dout], method="richardson")
    passed = check_vjp(forward, backward(a / 3), {"x": x}, douts=[dout], method="richardson")
    assert flagged.verdict == "mismatch", f"got {flagged.verdict} for an error of 3 allowances ({3 * a:.1e})"
    assert passed.matches, f"got {passed.verdict} for a third of an allowance ({a / 3:.1e})"
