"""Error against step on the published test function f(x) = eˣ / √(sin³x + cos³x) at x = 1.5."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError
from verification.numeric.step_sweep import (
    CLASSIC_DERIVATIVE,
    CLASSIC_POINT,
    classic_function,
    classic_sweep,
    derivative,
    plot_sweep,
    sweep,
)

EPS = float(np.finfo(np.float64).eps)


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return classic_sweep()


def test_central_differences_bottom_out_near_eps_two_thirds_at_eps_one_third(result) -> None:  # type: ignore[no-untyped-def]
    """Published: best central error ≈ 1e-10 at h ≈ 1e-5 (Martins et al. 2003; pracma). Theory: the
    optimum is at h ≈ ε^(1/3) with error ≈ ε^(2/3); we ask for both within a decade."""
    h, err = result.best("central")
    assert abs(np.log10(h) - np.log10(EPS ** (1 / 3))) <= 1, (h, err)
    assert abs(np.log10(err) - np.log10(EPS ** (2 / 3))) <= 1, (h, err)
    # the V: larger and smaller steps are both worse by orders of magnitude
    errors = result.errors["central"]
    assert errors[0] > 1e6 * err and np.nanmax(errors[-10:]) > 1e6 * err


def test_forward_differences_bottom_out_near_sqrt_eps(result) -> None:  # type: ignore[no-untyped-def]
    h, err = result.best("forward")
    assert abs(np.log10(h) - np.log10(EPS ** (1 / 2))) <= 1
    assert abs(np.log10(err) - np.log10(EPS ** (1 / 2))) <= 1


def test_complex_step_stays_at_rounding_level_for_every_small_step(result) -> None:  # type: ignore[no-untyped-def]
    """Published: ≈ 1e-16 for every h ≤ 1e-8, down to 1e-200. Here: within two units in the last place
    of f'(1.5)."""
    two_ulps = 2 * np.spacing(CLASSIC_DERIVATIVE) / CLASSIC_DERIVATIVE
    small = result.steps <= 1e-8
    assert np.all(result.errors["complex-step"][small] <= two_ulps), result.errors["complex-step"]
    for h in (1e-100, 1e-200):
        d = derivative(classic_function, CLASSIC_POINT, h, "complex-step")
        assert abs(d - CLASSIC_DERIVATIVE) / CLASSIC_DERIVATIVE <= two_ulps


def test_richardson_beats_central_at_its_best(result) -> None:  # type: ignore[no-untyped-def]
    assert result.best("richardson")[1] < result.best("central")[1] / 10


def test_sweep_as_data_and_plot(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = result.to_dict()
    assert set(data["errors"]) == {"forward", "central", "richardson", "complex-step"}
    assert len(data["steps"]) == len(data["errors"]["central"]) == 20
    assert "| 1e-05 |" in result.format_markdown()
    pytest.importorskip("matplotlib")
    assert plot_sweep(result, tmp_path / "sweep.png") and (tmp_path / "sweep.png").stat().st_size > 0


def test_bad_input_is_named() -> None:
    with pytest.raises(InputError, match="unknown method 'secant'"):
        derivative(np.exp, 0.0, 1e-3, "secant")
    with pytest.raises(InputError, match="step h must be positive"):
        derivative(np.exp, 0.0, -1.0, "central")
    with pytest.raises(InputError, match="exact derivative must be finite and non-zero"):
        sweep(np.exp, 0.0, 0.0)
