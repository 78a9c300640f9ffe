"""The convergence study: reproducible, each per-seed number equal to the reference trainer's, the uphill
counts equal to a direct count with ffnn.backward, and bad arguments refused."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ffnn import InputError, Network, backward, load_glyphs, train_sgd
from ffnn.losses import get_loss
from verification.convergence.measures import bce_from_preactivation, separation
from verification.convergence.study import run_study, train_rule

SIZES = (30, 5, 3)


def test_same_numbers_twice_and_with_any_number_of_threads() -> None:
    train_rule.cache_clear()
    first = run_study(seeds=24, first_seed=100, learning_rates=(0.1, 10.0), workers=2)
    train_rule.cache_clear()
    second = run_study(seeds=24, first_seed=100, learning_rates=(0.1, 10.0), workers=1)
    assert first.to_dict() == second.to_dict()
    for a, b in zip(first.outcomes, second.outcomes, strict=True):
        assert a is not b and a.same_as(b), f"{a.label} at η = {a.learning_rate} differs between runs"


@pytest.mark.parametrize("rule", ["chain", "shortcut"])
def test_per_seed_outcomes_are_those_of_train_sgd(rule: str) -> None:
    data = load_glyphs()
    seeds = (0, 1, 2, 3)
    outcome = run_study(seeds=len(seeds), learning_rates=(0.1,), rules=[(rule, None)]).outcomes[0]
    for k, seed in enumerate(seeds):
        run = train_sgd(Network.initialise(SIZES, "sigmoid", seed=seed), data.x, data.y, rule=rule)
        out = run.network.forward(data.x).output
        predicted = np.argmax(out, axis=1)
        unique = all(np.count_nonzero(row == row.max()) == 1 for row in out)
        assert bool(outcome.separated[k]) == (unique and bool(np.all(predicted == [0, 1, 2]))), (
            f"seed {seed}: study says separated = {outcome.separated[k]}, train_sgd predicts {predicted}"
        )
        assert np.array_equal(outcome.mse_per_epoch[:, k], run.mse_per_epoch), f"seed {seed}: mse per epoch"


def test_seed_0_is_the_start_where_chain_does_not_separate() -> None:
    """The measurement this study starts from: with seed 0, chain predicts [0, 1, 1] after 100 epochs."""
    study = run_study(seeds=1, learning_rates=(0.1,), rules=[("chain", None), ("shortcut", None)])
    assert [bool(o.separated[0]) for o in study.outcomes] == [False, True]


def test_uphill_counts_equal_a_direct_count_with_ffnn_backward() -> None:
    """Seeds 13 and 42 have uphill shortcut steps at η = 10 (the study found them); recount them step by
    step with ffnn.backward: ⟨g_shortcut, g_mse⟩ < 0 summed over W1 and W2, and over W2 alone."""
    data = load_glyphs()
    seeds = (13, 14, 42)
    outcomes = {
        s: run_study(seeds=1, first_seed=s, learning_rates=(10.0,), rules=[("shortcut", None)]).outcomes[0]
        for s in seeds
    }
    for seed in seeds:
        net = Network.initialise(SIZES, "sigmoid", seed=seed)
        params = {k: v.copy() for k, v in net.parameters().items()}
        current = net.with_parameters(params)
        network_up = output_up = 0
        for _ in range(100):
            for i in range(3):
                x, y = data.x[i : i + 1], data.y[i : i + 1]
                g = backward(current, x, y, rule="shortcut")
                h = backward(current, x, y, rule="exact", loss="mse")
                inner = {k: float(np.sum(g[k] * h[k])) for k in g}
                network_up += inner["W1"] + inner["W2"] < 0
                output_up += inner["W2"] < 0
                for k in g:
                    params[k] -= 10.0 * g[k]
        o = outcomes[seed]
        assert (int(o.uphill_network[0]), int(o.uphill_output[0])) == (network_up, output_up), (
            f"seed {seed}: study counts {int(o.uphill_network[0])} uphill steps for the network and "
            f"{int(o.uphill_output[0])} for the output layer, but the direct count is {network_up}, "
            f"{output_up}"
        )
    assert [int(outcomes[s].uphill_network[0]) > 0 for s in seeds] == [True, False, True]


def test_chain_is_exact_mse_bit_for_bit() -> None:
    study = run_study(seeds=16, learning_rates=(0.1, 10.0))
    pairs = {(tuple(c["rules"]), c["learning_rate"]): c for c in study.comparisons()}
    for rate in (0.1, 10.0):
        assert pairs[("chain", "exact mse"), rate]["identical"] is True
        shortcut, exact_bce = study.outcome("shortcut", None, rate), study.outcome("exact", "bce", rate)
        differs = int(np.count_nonzero(shortcut.separated != exact_bce.separated))
        assert pairs[("shortcut", "exact bce"), rate]["separated_differs"] == differs


def test_separation_does_not_count_ties() -> None:
    outputs = np.array(
        [
            [[0.9, 0.1, 0.1], [0.1, 0.8, 0.2], [0.0, 0.1, 0.7]],  # separated
            [[0.5, 0.5, 0.5], [0.1, 0.8, 0.2], [0.0, 0.1, 0.7]],  # A tied: argmax would say 0
            [[0.9, 0.1, 0.1], [0.1, 0.8, 0.9], [0.0, 0.1, 0.7]],  # B taken for C
        ]
    )
    separated, tied = separation(outputs, np.array([0, 1, 2]))
    assert separated.tolist() == [True, False, False] and tied.tolist() == [False, True, False]


def test_bce_from_the_preactivation_is_the_catalog_bce_and_stays_finite() -> None:
    """At z = 0 both formulas are exact (log 2 per output); at z = ±40, σ(z) rounds to 1 or to
    4.2e-18, and the catalog's bce of the rounded activation is not finite (a label 0 at σ = 1)."""
    y = load_glyphs().y
    z0 = np.zeros((1, 3, 3))
    assert bce_from_preactivation(z0, y)[0] == get_loss("bce").value(np.full((3, 3), 0.5), y)
    z = np.array([[[40.0, -40.0, -40.0], [40.0, 40.0, -40.0], [-40.0, -40.0, 40.0]]])
    with np.errstate(divide="ignore", invalid="ignore"):
        catalog = get_loss("bce").value(1 / (1 + np.exp(-z[0])), y)
    ours = bce_from_preactivation(z, y)[0]
    assert not np.isfinite(catalog) and np.isfinite(ours) and ours > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": 0}, "seeds must be a whole number from 1 to 100000, got 0"),
        ({"epochs": 0}, "epochs must be a whole number from 1 to 10000, got 0"),
        ({"first_seed": -1}, "first_seed must be a whole number ≥ 0, got -1"),
        ({"workers": 0}, "workers must be a whole number ≥ 1, got 0"),
        ({"seeds": 100_000, "epochs": 1000}, "seeds × epochs must be ≤ 10,000,000"),
        ({"learning_rates": ()}, "learning_rates must be 1 to 12 distinct values"),
        ({"learning_rates": (0.1, 0.1)}, "learning_rates must be 1 to 12 distinct values"),
        ({"learning_rates": (float("inf"),)}, "learning rates must be finite numbers > 0, got inf"),
        ({"rules": [("chain", "mse")]}, "unknown rule"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        run_study(**kwargs)


def test_no_cell_of_the_text_tables_runs_into_the_next() -> None:
    """At η = 1 the final mse quartiles are long (0.000112 / …); every row must still split into its
    columns at runs of two or more spaces."""
    import re

    from verification.convergence.report import format_study

    text = format_study(run_study(seeds=50, learning_rates=(0.01, 0.1, 1.0), epochs=100), width=1000)
    labels = tuple(f"  {k} " for k in ("chain", "shortcut", "exact mse", "exact bce"))
    first, second = text.split("Uphill for mse", 1)
    for table, columns in ((first, 6), (second, 5)):
        rows = [line for line in table.splitlines() if line.startswith(labels)]
        assert len(rows) == 4 * 3, text
        fields = {len(re.split(r" {2,}", row.strip())) for row in rows}
        assert fields == {columns}, f"got rows of {fields} columns, but should be {columns}:\n{table}"


def test_at_80_columns_the_tables_split_and_every_block_names_its_rows() -> None:
    from verification.convergence.report import format_study

    text = format_study(run_study(seeds=50, learning_rates=(0.01, 0.1, 1.0), epochs=100), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80, text
    labels = tuple(f"  {k}  " for k in ("chain", "shortcut", "exact mse", "exact bce"))
    rows = [line for line in text.splitlines() if line.startswith(labels)]
    assert len(rows) % 12 == 0 and len(rows) > 24, text  # 12 rows per block, some table split
    for row in rows:
        assert re.match(r"  (chain|shortcut|exact mse|exact bce) +(0\.01|0\.1|1)  ", row), row
