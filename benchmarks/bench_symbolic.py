"""Timing of the symbolic oracle (a benchmark, not a test): cold pair table, cold 30-5-3 oracle, warm
evaluation.

Each cold figure is measured in a fresh interpreter (nothing cached, SymPy imported before the clock
starts), so caches of earlier stages cannot flatter it. Targets (2-core machine): pair table
≤ 5 s cold; 30-5-3 oracle ≤ 15 s cold (derivation + lambdify) and ≤ 5 ms per evaluation.

Usage: ``python benchmarks/bench_symbolic.py [--repeat N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"table_cold_s": 5.0, "oracle_cold_s": 15.0, "evaluation_warm_ms": 5.0}


def _stage(name: str) -> float:
    """Run one stage in this (fresh) interpreter and return its time in seconds (ms for ``evaluate``)."""
    import numpy as np
    import sympy  # noqa: F401  (import cost is not part of the derivation)

    from verification.symbolic.oracle import gradient_oracle
    from verification.symbolic.pairs import derive_table

    if name == "table":
        start = time.perf_counter()
        derive_table()
        return time.perf_counter() - start
    if name == "oracle":
        start = time.perf_counter()
        gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), "mse")
        return time.perf_counter() - start
    if name == "evaluate":
        oracle = gradient_oracle((30, 5, 3), ("sigmoid", "sigmoid"), "mse")
        rng = np.random.default_rng(0)
        params = {"W1": rng.standard_normal((30, 5)), "W2": rng.standard_normal((5, 3))}
        x, y = rng.integers(0, 2, (1, 30)).astype(float), np.eye(3)[:1]
        oracle(params, x, y)  # warm up
        times = []
        for _ in range(200):
            start = time.perf_counter()
            oracle(params, x, y)
            times.append(time.perf_counter() - start)
        return 1e3 * statistics.median(times)
    raise SystemExit(f"unknown stage {name!r}")


def _fresh(name: str) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--stage", name],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """Print the three figures (median of ``--repeat`` fresh runs) next to their targets."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="fresh runs per cold figure (default: 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(_stage(args.stage))
        return 0
    results = {
        "table_cold_s": statistics.median(_fresh("table") for _ in range(args.repeat)),
        "oracle_cold_s": statistics.median(_fresh("oracle") for _ in range(args.repeat)),
        "evaluation_warm_ms": _fresh("evaluate"),
    }
    if args.json:
        print(json.dumps({"results": results, "targets": TARGETS}))
        return 0
    for key, value in results.items():
        verdict = "within" if value <= TARGETS[key] else "OVER"
        print(f"{key:<20} {value:8.3f}   target ≤ {TARGETS[key]:g}   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
