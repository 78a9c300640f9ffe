"""The stacked trainer is ``ffnn.train_sgd`` run on many networks at once, bit for bit.

Exact equality (``np.array_equal``), not a tolerance: both compute every dot product with the same
``matmul`` kernel on the same (n_in, n_out) matrices and every element-wise step with the catalog's own
functions (see the docstring of ``ffnn.stacked_training``), so any difference is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from ffnn import (
    InputError,
    Network,
    StackedRun,
    initial_weights,
    load_glyphs,
    train_sgd,
    train_sgd_stacked,
)

SIZES, ACTS = (30, 5, 3), ("sigmoid", "sigmoid")
SEEDS = (0, 1, 12345)
RULES = [("chain", None), ("shortcut", None), ("exact", "mse"), ("exact", "bce")]


def _assert_same_as_train_sgd(
    run: StackedRun,
    seeds: Sequence[int],
    rule: str,
    loss: str | None,
    rates: Sequence[float],
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    sizes: tuple[int, ...] = SIZES,
    acts: tuple[str, ...] = ACTS,
) -> None:
    for k, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        ref = train_sgd(
            Network.initialise(sizes, acts, seed=seed),
            x,
            y,
            rule=rule,
            loss=loss,
            learning_rate=rate,
            epochs=epochs,
        )
        for l, w in enumerate(ref.network.weights, start=1):
            assert np.array_equal(run.weights[l - 1][k], w), (
                f"W{l} of seed {seed} ({rule} {loss}, η = {rate}): stacked differs from train_sgd by up to "
                f"{np.max(np.abs(run.weights[l - 1][k] - w)):.3e}, but should be equal bit for bit"
            )
        assert np.array_equal(run.mse_per_epoch[:, k], ref.mse_per_epoch), (
            f"mse per epoch of seed {seed} ({rule} {loss}, η = {rate}) differs from train_sgd"
        )
        assert run.stopped_at[k] == -1, f"seed {seed} stopped at step {run.stopped_at[k]}"


@pytest.mark.parametrize(("rule", "loss"), RULES, ids=[f"{r}-{lo}" for r, lo in RULES])
@pytest.mark.parametrize("rate", [0.1, 10.0])
def test_equals_train_sgd_bit_for_bit(rule: str, loss: str | None, rate: float) -> None:
    data = load_glyphs()
    weights = initial_weights(SIZES, "sigmoid", SEEDS)
    run = train_sgd_stacked(
        weights, ACTS, data.x, data.y, rule=rule, loss=loss, learning_rate=rate, epochs=100
    )
    _assert_same_as_train_sgd(run, SEEDS, rule, loss, [rate] * len(SEEDS), data.x, data.y, 100)


def test_one_learning_rate_per_network_and_the_input_is_not_modified() -> None:
    data = load_glyphs()
    weights = initial_weights(SIZES, "sigmoid", SEEDS)
    before = [w.copy() for w in weights]
    rates = np.array([0.01, 0.1, 3.0])
    run = train_sgd_stacked(weights, ACTS, data.x, data.y, rule="shortcut", learning_rate=rates, epochs=30)
    _assert_same_as_train_sgd(run, SEEDS, "shortcut", None, rates, data.x, data.y, 30)
    assert all(np.array_equal(w, b) for w, b in zip(weights, before, strict=True))


def test_row_wise_output_activation_and_three_layers() -> None:
    """Softmax couples the outputs of a row; the stacked arrays are seen as one sample per row."""
    sizes, acts = (4, 3, 3, 2), ("tanh", "sigmoid", "softmax")
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((5, 4)), np.eye(2)[rng.integers(0, 2, 5)]
    seeds = (3, 4)
    run = train_sgd_stacked(
        initial_weights(sizes, acts, seeds),
        acts,
        x,
        y,
        rule="exact",
        loss="cross_entropy",
        learning_rate=0.5,
        epochs=20,
    )
    _assert_same_as_train_sgd(run, seeds, "exact", "cross_entropy", [0.5, 0.5], x, y, 20, sizes, acts)


def test_exact_bce_stops_where_train_sgd_refuses() -> None:
    """At η = 100 a sigmoid output rounds to 1.0, outside bce's domain: train_sgd raises there, the
    stacked trainer stops that network and keeps training the others (here at η = 0.1)."""
    data = load_glyphs()
    seeds, rates = (0, 1, 2, 3), np.array([100.0, 100.0, 0.1, 0.1])
    run = train_sgd_stacked(
        initial_weights(SIZES, "sigmoid", seeds),
        ACTS,
        data.x,
        data.y,
        rule="exact",
        loss="bce",
        learning_rate=rates,
        epochs=5,
    )
    stopped = [k for k in range(len(seeds)) if run.stopped_at[k] >= 0]
    assert stopped == [0, 1], f"got stopped networks {stopped}, but should be the two at η = 100"
    for k in stopped:
        with pytest.raises(InputError, match="needs output activations in"):
            train_sgd(
                Network.initialise(SIZES, "sigmoid", seed=seeds[k]),
                data.x,
                data.y,
                rule="exact",
                loss="bce",
                learning_rate=100.0,
                epochs=5,
            )
    assert all(np.isfinite(w).all() for w in run.weights)
    sub = StackedRun([w[2:] for w in run.weights], run.mse_per_epoch[:, 2:], run.stopped_at[2:])
    _assert_same_as_train_sgd(sub, seeds[2:], "exact", "bce", rates[2:], data.x, data.y, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
        ({"learning_rate": np.array([0.1, float("nan")])}, "learning_rate must be a finite number > 0"),
        ({"epochs": -1}, "epochs must be a whole number ≥ 0"),
        ({"rule": "newton"}, "rule must be one of chain, shortcut, exact"),
        ({"rule": "exact"}, "rule must be one of chain, shortcut, exact"),
    ],
)
def test_bad_arguments_raise_input_error(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    data = load_glyphs()
    args = {"rule": "chain", **kwargs}
    with pytest.raises(InputError, match=message):
        train_sgd_stacked(initial_weights(SIZES, "sigmoid", (0, 1)), ACTS, data.x, data.y, **args)


def test_shapes_that_do_not_chain_raise_input_error() -> None:
    data = load_glyphs()
    w1, w2 = initial_weights(SIZES, "sigmoid", (0, 1))
    with pytest.raises(InputError, match="W2 has shape"):
        train_sgd_stacked([w1, w2[:, :4]], ACTS, data.x, data.y, rule="chain")
    with pytest.raises(InputError, match="W2 must have shape"):
        train_sgd_stacked([w1, w2[0]], ACTS, data.x, data.y, rule="chain")
    with pytest.raises(InputError, match="seeds is empty"):
        initial_weights(SIZES, "sigmoid", ())
