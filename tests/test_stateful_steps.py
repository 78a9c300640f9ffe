"""How finely a second call of a step is told from its first (``refuse_stateful_steps``): a second
change that differs from the first by a few times the rounding bound of the two updates is refused, one
that differs by a fraction of it is rounding; momentum's (1 + μ) times the first keeps its verdict with
a note, gradients added up (1, 2, 3 times) are refused. Built on arrays, so the bound is computed, not
typed in: ``SAFETY · lr · (e₁ + e₂)`` with ``eᵢ = 2 ε (|W_before| + |W_after|) / lr``."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from verification.adapters.failures import Failed
from verification.adapters.step_checks import update_errors
from verification.adapters.step_reruns import refuse_stateful_steps
from verification.tolerances import SAFETY

LR = 0.1


def _slots(names: dict[str, np.ndarray]) -> SimpleNamespace:
    """The part of a parameter table ``update_errors`` reads: each weight's value, for its dtype."""
    slots = {n: SimpleNamespace(get=lambda _ns, v=v: v) for n, v in names.items()}
    return SimpleNamespace(slots=slots, namespace={})


def _steps(multiples: tuple[float, float, float], offset: float = 0.0) -> tuple[dict, tuple, SimpleNamespace]:
    rng = np.random.default_rng(7)
    before = {"W": rng.standard_normal((3, 4))}
    change = LR * rng.standard_normal((3, 4))
    calls = tuple({"W": before["W"] - m * change} for m in multiples)
    calls[1]["W"][0, 0] += offset
    calls[2]["W"][0, 0] += offset
    return before, calls, _slots(before)


def _bound(before: dict, calls: tuple) -> float:
    """The rounding bound of the first two updates at the entry the offset is put in."""
    e1, _ = update_errors(_slots(before), before, calls[0], LR)
    e2, _ = update_errors(_slots(before), before, calls[1], LR)
    return float(SAFETY * LR * (e1["W"][0, 0] + e2["W"][0, 0]))


@pytest.mark.parametrize(("times", "refused"), [(3.0, True), (0.3, False)])
def test_a_second_call_is_told_from_the_first_at_a_few_times_the_rounding_bound(
    times: float, refused: bool
) -> None:
    before, calls, slots = _steps((1.0, 1.0, 1.0))
    offset = times * _bound(before, calls)
    before, calls, slots = _steps((1.0, 1.0, 1.0), offset)
    if refused:
        with pytest.raises(Failed, match="keeps state between calls"):
            refuse_stateful_steps("step", before, calls, LR, slots)
    else:
        assert refuse_stateful_steps("step", before, calls, LR, slots) is None


def test_momentum_keeps_its_verdict_and_gradients_added_up_are_refused() -> None:
    before, calls, slots = _steps((1.0, 1.9, 2.71))
    note = refuse_stateful_steps("step", before, calls, LR, slots)
    assert note is not None and "momentum μ = 0.9" in note
    before, calls, slots = _steps((1.0, 2.0, 3.0))
    with pytest.raises(Failed, match="adds up its gradients and never resets them"):
        refuse_stateful_steps("step", before, calls, LR, slots)
