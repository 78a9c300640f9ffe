"""The decisions of identification, taken in one place (``verification.identification.verdicts``), pinned
on comparisons built by hand: every branch of the verdict, so that a change of any of them fails here.

The elements are exact numbers with error estimates at rounding level, so every comparison is decided
by the acceptance rule of the Richardson tolerance with a wide margin: a match differs by nothing, a
mismatch by a factor.
"""

from __future__ import annotations

import numpy as np
import pytest

from verification.compare.reports import ParameterReport
from verification.identification.comparison import Elements
from verification.identification.verdicts import (
    EXACT,
    MISMATCH,
    SCALED,
    LossReport,
    TensorReport,
    decide,
    loss_report,
    pooled_scale,
    tensor_verdict,
)
from verification.tolerances import tolerance_for

TOL = tolerance_for(np.float64, "richardson")
RNG_SEED = 11


def elements(analytic: np.ndarray, numeric: np.ndarray) -> Elements:
    """Entries of one tensor compared one by one, with an estimate at rounding level."""
    n = analytic.size
    floor = float(max(np.abs(analytic).max(), np.abs(numeric).max()))
    return Elements(
        analytic=analytic.astype(float),
        numeric=numeric.astype(float),
        estimate=np.full(n, 1e-16),
        floors=(np.full(n, floor), np.full(n, floor)),
        labels=[(i,) for i in range(n)],
        entries=n,
        shape=(n,),
    )


def numeric_at(probe: int) -> np.ndarray:
    return np.random.default_rng(RNG_SEED + probe).standard_normal(6)


def test_a_tensor_matches_up_to_one_scale_over_all_probes() -> None:
    probes = [elements(2.0 * numeric_at(p), numeric_at(p)) for p in range(3)]
    verdict = tensor_verdict("W", probes, TOL)
    assert (verdict.verdict, verdict.scale) == (SCALED, pytest.approx(2.0)), verdict


def test_a_scale_that_changes_from_probe_to_probe_is_a_mismatch() -> None:
    probes = [elements((2.0 + p) * numeric_at(p), numeric_at(p)) for p in range(3)]
    verdict = tensor_verdict("W", probes, TOL)
    assert verdict.verdict == MISMATCH, (
        f"got {verdict.verdict} with scale {verdict.scale}, but should be a mismatch"
    )


def test_a_pooled_scale_must_fit_every_probe_not_the_one_that_dominates_it() -> None:
    # probe 0 is 1e9 times larger, so the least-squares scale over the probes is its own (2, to rounding);
    # probes 1 and 2 are × 3: one scale does not fit them all
    probes = [elements(2.0 * 1e9 * numeric_at(0), 1e9 * numeric_at(0))]
    probes += [elements(3.0 * numeric_at(p), numeric_at(p)) for p in (1, 2)]
    assert pooled_scale(probes) == pytest.approx(2.0, rel=1e-5), "harness: probe 0 sets the pooled scale"
    verdict = tensor_verdict("W", probes, TOL)
    assert verdict.verdict == MISMATCH, f"got {verdict.verdict} with scale {verdict.scale}"


def test_a_negative_pooled_scale_is_none() -> None:
    probes = [elements(-numeric_at(p), numeric_at(p)) for p in range(2)]
    assert pooled_scale(probes) is None


def test_the_common_scale_is_checked_at_every_probe_not_the_first_only() -> None:
    """W2 matches × 2 at every probe; W1 matches × 3 at probes 1 and 2 and is zero at probe 0 (a dead
    unit), so each tensor matches up to a scale of its own, and the common scale 2 fits W1 at probe 0
    only: the loss is a mismatch, which only a check at every probe sees."""
    w2 = [elements(2.0 * numeric_at(p), numeric_at(p)) for p in range(3)]
    w1 = [elements(np.zeros(6), np.zeros(6))]
    w1 += [elements(3.0 * numeric_at(10 + p), numeric_at(10 + p)) for p in (1, 2)]
    compared = [{"W2": w2[p], "W1": w1[p]} for p in range(3)]
    assert tensor_verdict("W1", w1, TOL).verdict == SCALED, "harness: W1 must match up to its own scale"
    report = loss_report("mse", ["W2", "W1"], compared, TOL, "richardson")
    assert report.verdict == MISMATCH, (
        f"got {report.verdict} (scale {report.scale}), but should be a mismatch"
    )


def test_a_common_scale_that_fits_every_tensor_is_a_scaled_match() -> None:
    compared = [
        {
            "W2": elements(2.0 * numeric_at(p), numeric_at(p)),
            "W1": elements(2.0 * numeric_at(9 + p), numeric_at(9 + p)),
        }
        for p in range(3)
    ]
    report = loss_report("mse", ["W2", "W1"], compared, TOL, "richardson")
    assert (report.verdict, report.scale) == (SCALED, pytest.approx(2.0)), report


def tensor(name: str, verdict: str, scale: float | None) -> TensorReport:
    report = ParameterReport.__new__(ParameterReport)
    return TensorReport(name, verdict, scale, 0.0 if verdict != MISMATCH else 0.5, [report])


def loss(
    name: str, verdict: str, scale: float | None, tensors: dict[str, tuple[str, float | None]]
) -> LossReport:
    return LossReport(name, verdict, scale, {n: tensor(n, v, s) for n, (v, s) in tensors.items()})


ORDER = ["W2", "W1"]


def test_an_exact_match_is_preferred_over_a_scaled_one_whatever_the_catalog_order() -> None:
    candidates = [
        loss("mse", SCALED, 2.0, {"W2": (SCALED, 2.0), "W1": (SCALED, 2.0)}),
        loss("bce", EXACT, 1.0, {"W2": (EXACT, 1.0), "W1": (EXACT, 1.0)}),
    ]
    verdict = decide(candidates, ORDER, None, True)
    assert (verdict.identified, verdict.scale) == ("bce", 1.0), verdict


def test_tensors_that_match_one_loss_at_different_scales_are_no_split() -> None:
    candidates = [
        loss("mse", MISMATCH, None, {"W2": (EXACT, 1.0), "W1": (SCALED, 2.0)}),
        loss("bce", MISMATCH, None, {"W2": (MISMATCH, None), "W1": (MISMATCH, None)}),
    ]
    verdict = decide(candidates, ORDER, None, True)
    assert (verdict.identified, verdict.split) == (None, None), verdict


def test_tensors_that_match_different_losses_are_a_split() -> None:
    candidates = [
        loss("mse", MISMATCH, None, {"W2": (EXACT, 1.0), "W1": (MISMATCH, None)}),
        loss("bce", MISMATCH, None, {"W2": (MISMATCH, None), "W1": (EXACT, 1.0)}),
    ]
    verdict = decide(candidates, ORDER, None, True)
    assert verdict.split == {"W2": "mse", "W1": "bce"}, verdict


def test_an_asked_loss_matches_up_to_scale_only_when_the_learning_rate_is_unknown() -> None:
    candidates = [loss("mse", SCALED, 0.5, {"W2": (SCALED, 0.5), "W1": (SCALED, 0.5)})]
    assert decide(candidates, ORDER, "mse", lr_known=False).matches_asked is True
    assert decide(candidates, ORDER, "mse", lr_known=True).matches_asked is False


def test_the_closest_loss_is_the_one_most_tensors_match() -> None:
    candidates = [
        loss("mse", MISMATCH, None, {"W2": (MISMATCH, None), "W1": (MISMATCH, None)}),
        loss("bce", MISMATCH, None, {"W2": (EXACT, 1.0), "W1": (MISMATCH, None)}),
    ]
    assert decide(candidates, ORDER, None, True).closest == "bce"


@pytest.mark.parametrize(
    ("scale", "compound", "single"),
    [
        (1.0, "a − y", "e"),
        (-1.0, "−(a − y)", "−e"),
        (2.0, "2 × (a − y)", "2 × e"),
        (-0.5, "−1/2 × (a − y)", "−1/2 × e"),
        (0.123456789, "0.123457 × (a − y)", "0.123457 × e"),
    ],
)
def test_a_scaled_output_error_reads_as_written_by_hand(scale: float, compound: str, single: str) -> None:
    from verification.identification.sentences import scaled_expression

    assert (scaled_expression("a − y", scale, 1e-9), scaled_expression("e", scale, 1e-9)) == (
        compound,
        single,
    )
