"""Timing of the convergence study (a benchmark, not a test): ``backprop-verify converge`` over 1000
seeds, the document's learning-rate sweep, and the default command, which now ends with a line from
the study. Also measured: whether the second core helps (threads over the rules, ``workers``), whether
BLAS threads do (``OPENBLAS_NUM_THREADS=1`` against the default), and what stacking the seeds saves
against a Python loop over ``ffnn.train_sgd``.

Commands run in fresh interpreters (``python -m verification``, the same program as the console script),
so no cache of an earlier run flatters them; in-process figures clear the study's cache first. Target
(2-core machine): ``converge`` over 1000 seeds ≤ 10 s. Writes docs/benchmarks-converge.md.

Run: ``nox -s bench`` or ``python benchmarks/bench_converge.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ffnn import Network, load_glyphs, train_sgd
from verification.convergence.document import DOC_STUDY
from verification.convergence.study import run_study, train_rule

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-converge.md"
TARGET_S = 10.0
LOOP_SEEDS = 50
"""Seeds trained one by one with ffnn.train_sgd; the time is extrapolated per seed to 1000."""


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``fn`` over ``repeat`` runs, in seconds."""
    return best_interleaved([fn], repeat)[0][0]


def best_interleaved(fns: list[Callable[[], Any]], repeat: int) -> list[tuple[float, float]]:
    """Per function, the best wall time and the CPU time of this process during that run (seconds),
    the functions run in turn ``repeat`` times, so that a change of the machine's load hits all alike."""
    best = [(float("inf"), 0.0)] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if wall < best[k][0]:
                best[k] = (wall, cpu)
    return best


def command(args: list[str], env: dict[str, str] | None = None) -> Callable[[], None]:
    """A fresh ``python -m verification ARGS`` run; raises if it fails."""

    def run() -> None:
        subprocess.run(
            [sys.executable, "-m", "verification", *args], cwd=ROOT, check=True, capture_output=True, env=env
        )

    return run


def in_process(workers: int, **kwargs: Any) -> Callable[[], None]:
    """``run_study`` with the cache cleared first, on ``workers`` threads."""

    def run() -> None:
        train_rule.cache_clear()
        run_study(workers=workers, **kwargs)

    return run


def loop_over_seeds() -> None:
    data = load_glyphs()
    for seed in range(LOOP_SEEDS):
        train_sgd(Network.initialise((30, 5, 3), "sigmoid", seed=seed), data.x, data.y, rule="chain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the best is reported")
    args = parser.parse_args()
    r = args.repeat
    rates = ",".join(f"{x:g}" for x in DOC_STUDY["learning_rates"])  # type: ignore[attr-defined]
    one_blas = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    load_before = os.getloadavg()[0]
    study = {"seeds": 1000, "learning_rates": (0.1,)}
    line = {"rules": [("chain", None), ("shortcut", None)], "uphill": False, **study}
    threads = []
    for what, kwargs in (
        ("4 rules × 1000 seeds, η = 0.1", study),
        ("study line of the default answer (chain, shortcut; no uphill count)", line),
    ):
        # Twice the repeats: the best run is the one least disturbed by other work on the machine.
        one, two = best_interleaved([in_process(1, **kwargs), in_process(2, **kwargs)], 2 * r)
        threads.append((what, one, two))
    (default, _), (single, _) = best_interleaved([command(["converge"]), command(["converge"], one_blas)], r)
    rows = [
        ("`backprop-verify converge` (1000 seeds, 4 rules, η = 0.1)", default),
        ("the same, BLAS limited to 1 thread", single),
        (
            f"`backprop-verify converge --learning-rates {rates}` "
            "(the document's study, 20 runs of 1000 seeds)",
            best_of(command(["converge", "--learning-rates", rates]), r),
        ),
        ("`backprop-verify` (the default answer, with its study line)", best_of(command([]), r)),
        ("`backprop-verify --help` (start-up alone, for scale)", best_of(command(["--help"]), r)),
    ]
    one_rule = {"seeds": 1000, "learning_rates": (0.1,), "rules": [("chain", None)], "uphill": False}
    stacked = best_of(in_process(1, **one_rule), r)
    looped = best_of(loop_over_seeds, r) / LOOP_SEEDS * 1000
    load_after = os.getloadavg()[0]
    converge = rows[0][1]
    lines = [
        "# Benchmarks: the convergence study",
        "",
        "Generated by `benchmarks/bench_converge.py` (`nox -s bench`); do not edit by hand. The study and",
        "its explanation are in `docs/convergence.md`.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy "
        f"{np.__version__}. Load average {load_before:.1f} before and {load_after:.1f} after the runs (the",
        f"machine is shared, so times vary with it). Wall times, best of {r} runs ({2 * r} for the threads);",
        "commands in fresh interpreters (`python -m verification`, the console script's program), so",
        "imports count.",
        "",
        "| what | wall time |",
        "|---|---|",
        *[f"| {what} | {t:.2f} s |" for what, t in rows],
        "",
        f"`converge` over 1000 seeds: **{converge:.2f} s** (target ≤ {TARGET_S:g} s on 2 cores: "
        f"{'✔' if converge <= TARGET_S else '✘'}).",
        "",
        "## Both cores",
        "",
        "The rules of a study are trained in parallel threads, one rule's stack of seeds per thread (numpy",
        "releases the GIL inside its loops; the numbers do not depend on the number of threads,",
        "`tests/test_convergence.py`). Every product is a small matrix per network, below the size at",
        "which OpenBLAS starts threads, so BLAS threads should not matter: with one BLAS thread",
        f"`converge` took {rows[1][1]:.2f} s against {rows[0][1]:.2f} s with the default.",
        "",
        "| study, in process | 1 thread | 2 threads | speed-up | CPU time / wall time, 2 threads |",
        "|---|---|---|---|---|",
        *[
            f"| {what} | {w1:.2f} s | {w2:.2f} s | {w1 / w2:.2f}× | {c2 / w2:.2f} |"
            for what, (w1, _), (w2, c2) in threads
        ],
        "",
        "The speed-up depends on how much of the second core is free while the study runs; the last",
        "column says how much it got (2 would be both cores all the time).",
        *(
            []
            if all(c2 / w2 > 1.2 for _, _, (w2, c2) in threads)
            else [
                "Where it is near 1, other work held the second core during these runs, and the row cannot",
                "tell whether threads help.",
            ]
        ),
        "",
        "## Stacking the seeds",
        "",
        f"One rule (chain, η = 0.1, 100 epochs, 1000 seeds): stacked in one array {stacked:.2f} s; a Python",
        f"loop over `ffnn.train_sgd`, timed on {LOOP_SEEDS} seeds and extrapolated per seed, {looped:.1f} s",
        f"(**{looped / stacked:.0f}×** slower). Both give the same weights bit for bit",
        "(`tests/test_stacked_training.py`).",
        "",
    ]
    DOC.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
