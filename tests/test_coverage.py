"""Coverage of large tensors: which entries are checked one by one, and the miss probability the
report states for the random directions, checked against the model it rests on (Gaussian directions)
and against errors planted in a backward pass.

The statement is about an entry of root-mean-square size wrong by a relative ``δ`` (an absolute error
``δ · rms``), with the entries checked one by one set aside; so the planted errors here are ``δ · rms``,
and the measured misses must lie between ``stated · (1 − p)`` and ``stated``, where ``p`` is the chance
that the planted entry was among those checked one by one at some probe. Counts are compared within
four binomial standard deviations (the seeds are fixed, so each run is the same).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ffnn.backprop import backward
from ffnn.network import Network
from verification.adapters.reference import subject_from_network
from verification.identification.coverage import (
    DIRECTIONS,
    LARGEST,
    MIN_SAMPLE,
    MISS_PROBABILITY,
    choose_entries,
    detectable,
    miss_probability,
)
from verification.identification.identify import identify

SEED = 20261201
SIGMAS = 4.0
"""Binomial standard deviations allowed between a stated probability and a measured frequency."""


def within(measured: int, trials: int, low: float, high: float) -> bool:
    """``measured / trials`` within ``SIGMAS`` binomial standard deviations of ``[low, high]``."""
    sigma = math.sqrt(max(high * (1 - high), low * (1 - low), 1 / trials) / trials)
    return low - SIGMAS * sigma <= measured / trials <= high + SIGMAS * sigma


def test_miss_probability_is_the_chance_that_gaussian_directions_miss() -> None:
    rng = np.random.default_rng(SEED)
    allowances = [rng.uniform(1.0, 3.0, DIRECTIONS), rng.uniform(1.0, 3.0, DIRECTIONS)]
    errors = [1.0, 1.5]
    trials = 200_000
    missed = np.ones(trials, dtype=bool)
    for allowance, error in zip(allowances, errors, strict=True):
        u = rng.standard_normal((trials, allowance.size))
        missed &= np.all(np.abs(error * u) <= allowance, axis=1)
    stated = miss_probability(allowances, errors)
    assert 0.001 < stated < 0.1, f"a stated {stated} would not test the model"
    assert within(int(missed.sum()), trials, stated, stated), (
        f"stated miss probability {stated:.4g}, drawn directions missed {missed.mean():.4g}"
    )


def test_detectable_is_the_error_missed_with_the_stated_probability() -> None:
    rng = np.random.default_rng(SEED)
    allowances = [rng.uniform(0.5, 2.0, DIRECTIONS) for _ in range(3)]
    sizes = [1.0, 2.0, 0.5]
    delta = detectable(allowances, sizes)
    assert miss_probability(allowances, [delta * s for s in sizes]) <= MISS_PROBABILITY
    assert miss_probability(allowances, [delta / 1.01 * s for s in sizes]) > MISS_PROBABILITY
    assert detectable(allowances, [0.0, 0.0, 0.0]) == math.inf


def test_entries_checked_one_by_one() -> None:
    rng = np.random.default_rng(SEED)
    analytic = {"W1": rng.standard_normal((100, 30)), "W2": rng.standard_normal((30, 3))}
    assert {
        n: len(i) for n, i in choose_entries(analytic, np.random.default_rng(0), budget=4000).items()
    } == {
        "W1": 3000,
        "W2": 90,
    }, "under the budget every entry is checked"
    chosen = choose_entries(analytic, np.random.default_rng(0), budget=512)
    again = choose_entries(analytic, np.random.default_rng(0), budget=512)
    other = choose_entries(analytic, np.random.default_rng(1), budget=512)
    for name, index in chosen.items():
        size = analytic[name].size
        assert np.array_equal(index, np.unique(index)), f"{name}: sorted, no repeats"
        assert MIN_SAMPLE <= len(index) < size, f"{name}: {len(index)} of {size}"
        largest = np.argsort(np.abs(analytic[name]).ravel())[::-1][:LARGEST]
        assert set(largest) <= set(index), f"{name}: the {LARGEST} largest entries are always checked"
        assert np.array_equal(index, again[name]), f"{name}: the same seed draws the same entries"
    assert not np.array_equal(chosen["W1"], other["W1"]), "another seed draws other entries"
    assert sum(len(i) for i in chosen.values()) <= 512 + MIN_SAMPLE


NET = Network.initialise((400, 10, 3), ("sigmoid", "sigmoid"), seed=0)
ENTRY = (123, 4)
BUDGET = 64
"""A 4000-entry W1 of which 64 are checked one by one per probe: the directions carry the check."""


def planted(delta: float) -> Callable[..., dict[str, Any]]:
    """The mse gradient with W1[ENTRY] wrong by ``delta`` times the root-mean-square entry of W1."""

    def grads(net: Network, x: Any, y: Any) -> dict[str, Any]:
        g = backward(net, x, y, rule="chain")
        w1 = np.array(g["W1"], copy=True)
        w1[ENTRY] += delta * np.sqrt(np.mean(w1**2))
        return {**g, "W1": w1}

    return grads


@pytest.fixture(scope="module")
def half_miss() -> float:
    """The relative error the report says the directions miss half the time, at seed 0."""
    coverage = identify(subject_from_network(NET, planted(0.0)), seed=0, budget=BUDGET).coverage["W1"]
    low, high = 1e-15, 1.0
    while high / low > 1.0001:
        mid = math.sqrt(low * high)
        low, high = (mid, high) if coverage.miss(mid) > 0.5 else (low, mid)
    return high


@pytest.mark.parametrize("factor", [0.5, 1.0, 2.0])
def test_stated_miss_probability_is_measured_on_planted_errors(half_miss: float, factor: float) -> None:
    delta, seeds = factor * half_miss, 100
    stated, missed = [], 0
    for seed in range(seeds):
        result = identify(subject_from_network(NET, planted(delta)), seed=seed, budget=BUDGET)
        stated.append(result.coverage["W1"].miss(delta))
        missed += result.identified == "mse"
    # the planted entry may be among the 64 of 4000 checked one by one at one of the 3 probes
    checked = 1 - (1 - BUDGET / NET.sizes[0] / NET.sizes[1]) ** 3
    mean = float(np.mean(stated))
    assert within(missed, seeds, mean * (1 - checked), mean), (
        f"planted δ = {delta:.3g} (×{factor} the half-miss error): stated miss {mean:.3f}, "
        f"missed {missed} of {seeds}"
    )


def test_the_sample_of_a_tensor_grows_with_the_budget() -> None:
    analytic = {"W1": np.random.default_rng(SEED).standard_normal((200, 60)), "W2": np.ones((60, 3))}
    small = choose_entries(analytic, np.random.default_rng(0), budget=1024)["W1"].size
    large = choose_entries(analytic, np.random.default_rng(0), budget=8192)["W1"].size
    assert small < large, f"got {small} and {large} entries of W1 at budgets 1024 and 8192, but should grow"


def test_every_entry_means_at_some_probe() -> None:
    from verification.identification.coverage import TensorCoverage

    first_only = TensorCoverage("W1", size=100, checked=[100, 64, 64], directions=8, detectable=1e-6)
    assert first_only.every_entry, "every entry was checked one by one at the first probe"
    never = TensorCoverage("W1", size=100, checked=[64, 64, 64], directions=8, detectable=1e-6)
    assert not never.every_entry
