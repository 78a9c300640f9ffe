"""``backprop-verify check`` at real sizes: time and peak memory on foreign network classes, and how
reliably a planted single-entry error is reported, against the miss probability the report states.

Foreign classes, written as people write them (a class with a forward and an in-place update), of
sizes 30-5-3, 784-30-10, 784-128-10 and 784-300-10 with biases, in the row convention (``x @ W + b``)
and the column convention (``W @ x + b`` with column vectors), complex-safe (numpy's ``exp``) and not
(the same code taking ``np.real`` first, which makes ``check`` fall back to Richardson). Each run is
the command a user types, timed with its peak resident memory (GNU ``time``), the supervised child
included. Then a relative error of 1e-6 planted in one entry of ``W1`` of 784-128-10: found by default
over many probe seeds, compared with the stated miss probability, and by ``--full``; and the same at
the error the report says is missed half the time, to see the statement calibrated.

First, the BLAS threads: the same 784-300-10 check with the child's BLAS at 1 and at 2 threads,
interleaved in one run so that both meet the same load, with the load average stated (``--burn`` keeps
a CPU burner busy meanwhile, as on a shared machine); the ratio of the medians is what decides
:data:`verification.runs.environment.BLAS_THREADS`.

Writes its sections of docs/benchmarks.md. Run: ``nox -s bench`` or ``python benchmarks/bench_check.py``
(``--seeds N`` for the calibration, default 100; ``--blas-only --repeats N --burn`` for the threads).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sections import update

from verification.runs.environment import BLAS_THREADS

ROW = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-REAL(z)))

class Net:
    def __init__(self, n_in, n_hidden, n_out, lr=0.1):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.05
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, n_out) * 0.1
        self.b2 = np.zeros((1, n_out))
        self.lr = lr

    def forward(self, x):
        self.a1 = sigmoid(x @ self.W1 + self.b1)
        self.a2 = sigmoid(self.a1 @ self.W2 + self.b2)
        return self.a2

    def backward(self, x, y):
        d2 = (self.a2 - y) * self.a2 * (1 - self.a2)
        d1 = (d2 @ self.W2.T) * self.a1 * (1 - self.a1)
        g1 = x.T @ d1
        PLANTED
        self.W2 -= self.lr * self.a1.T @ d2
        self.b2 -= self.lr * d2.sum(axis=0, keepdims=True)
        self.W1 -= self.lr * g1
        self.b1 -= self.lr * d1.sum(axis=0, keepdims=True)

net = Net(SIZES)
"""

COLUMN = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-REAL(z)))

class Net:
    def __init__(self, n_in, n_hidden, n_out, lr=0.1):
        self.W1 = np.random.randn(n_hidden, n_in) * 0.05
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = np.random.randn(n_out, n_hidden) * 0.1
        self.b2 = np.zeros((n_out, 1))
        self.lr = lr

    def feedforward(self, a):
        return sigmoid(self.W2 @ sigmoid(self.W1 @ a + self.b1) + self.b2)

    def backprop(self, x, y):
        h = sigmoid(self.W1 @ x + self.b1)
        o = sigmoid(self.W2 @ h + self.b2)
        d2 = (o - y) * o * (1 - o)
        d1 = (self.W2.T @ d2) * h * (1 - h)
        return [d1 @ x.T, d1, d2 @ h.T, d2]

net = Net(SIZES)
"""

SIZES = [(30, 5, 3), (784, 30, 10), (784, 128, 10), (784, 300, 10)]
PLANT_INDEX = (100, 50)
"""The planted entry of W1 (row convention): input 100, hidden unit 50 (in every size above 30-5-3)."""


def script(
    folder: Path,
    style: str,
    sizes: tuple[int, int, int],
    complex_safe: bool = True,
    plant: float = 0.0,
    rms: bool = False,
) -> Path:
    """A foreign class of ``sizes``; ``plant`` makes W1[PLANT_INDEX] wrong by that fraction of its own
    value, or with ``rms`` by that fraction of W1's root-mean-square entry (what the report's stated
    miss probability is about)."""
    text = (ROW if style == "row" else COLUMN).replace("SIZES", ", ".join(map(str, sizes)))
    text = text.replace("REAL(z)", "z" if complex_safe else "np.real(z)")
    if not plant:
        planted = "pass"
    elif rms:
        planted = f"g1[{PLANT_INDEX!r}] += {plant!r} * np.sqrt(np.mean(g1 ** 2))"
    else:
        planted = f"g1[{PLANT_INDEX!r}] *= 1 + {plant!r}"
    text = text.replace("PLANTED", planted)
    kind = f"{plant:g}{'rms' if rms else ''}"
    path = folder / f"{style}_{'x'.join(map(str, sizes))}_{'cs' if complex_safe else 'rs'}_{kind}.py"
    path.write_text(text, encoding="utf-8")
    return path


def measured(argv: list[str]) -> tuple[float, float, dict]:
    """Wall seconds, peak resident MiB (the supervised child included) and the JSON of one command."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        start = time.perf_counter()
        done = subprocess.run(
            [gnu_time, "-f", "%M", "-o", report.name, *argv, "--json"], capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        peak_kib = float(report.read().strip().splitlines()[-1])
    return seconds, peak_kib / 1024, json.loads(done.stdout) if done.stdout else {"error": done.stderr}


def covered(data: dict) -> str:
    cov = data.get("coverage", {})
    w1 = next((c for n, c in cov.items() if n in ("W1",)), None)
    if not w1:
        return "-"
    if w1["every_entry"] and w1["checked"][-1] >= w1["size"]:
        return "every entry"
    delta = w1["detectable_relative_error"]
    return f"{w1['checked'][0]:,} of {w1['size']:,} entries + 8 directions; δ ≥ {delta:.0e}"


def timing_table(folder: Path, command: list[str]) -> list[str]:
    lines = [
        "| network | convention | code | method | wall time | peak memory | W1 covered | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sizes in SIZES:
        for style in ("row", "column"):
            for complex_safe in (True, False):
                if not complex_safe and sizes[1] not in (30, 300):
                    continue
                path = script(folder, style, sizes, complex_safe)
                seconds, mib, data = measured([*command, "check", str(path)])
                verdict = data.get("identified") or data.get("error", "none")
                lines.append(
                    f"| {'-'.join(map(str, sizes))} | {style} | "
                    f"{'complex-safe' if complex_safe else 'np.real'} | {data.get('method', '-')} | "
                    f"{seconds:.1f} s | {mib:.0f} MiB | {covered(data)} | {verdict} |"
                )
                print(lines[-1], flush=True)
    return lines


def planted(folder: Path, command: list[str], seeds: int) -> list[str]:
    from verification.identification.check import check_target
    from verification.identification.request import CheckRequest

    sizes = (784, 128, 10)
    lines = []
    for plant in (1e-6,):
        path = script(folder, "row", sizes, plant=plant)
        seconds, mib, data = measured([*command, "check", str(path), "--full"])
        found = data.get("identified") is None
        lines.append(
            f"`--full` on 784-128-10 with W1{list(PLANT_INDEX)} wrong by {plant:g}: {seconds:.1f} s, "
            f"{mib:.0f} MiB, "
            f"{'reported (no loss identified)' if found else 'NOT reported'}."
        )
    planted_script = str(script(folder, "row", sizes, plant=1e-6))
    first = check_target(CheckRequest.parse(planted_script)).result.coverage["W1"]
    low, high = 1e-15, 1e-3  # the error the report says is missed half the time
    for _ in range(100):
        mid = (low * high) ** 0.5
        low, high = (mid, high) if first.miss(mid) > 0.5 else (low, mid)
    lines += [
        "",
        f"Default mode over probe seeds 0–{seeds - 1}, W1{list(PLANT_INDEX)} wrong. The report's miss "
        "probability is for an entry of root-mean-square size, the entries checked one by one aside; so "
        "the calibration plants an absolute error of δ times W1's root-mean-square entry, at the δ the "
        "report says is missed half the time and at twice and half that. The last row is the target "
        "error, 1e-6 of the entry's own value (which varies with the probe, so no one stated "
        "probability applies).",
        "",
        "| planted error | stated miss probability (mean over the runs) | measured misses |",
        "|---|---|---|",
    ]
    for plant, rms in ((high, True), (2 * high, True), (high / 2, True), (1e-6, False)):
        path = script(folder, "row", sizes, plant=plant, rms=rms)
        stated, missed = [], 0
        for seed in range(seeds):
            result = check_target(CheckRequest.parse(str(path), seed=seed)).result
            if rms:
                stated.append(result.coverage["W1"].miss(plant))
            missed += result.identified == "mse"
        what = f"δ = {plant:.2g} of the rms entry" if rms else f"{plant:g} of the entry's value"
        said = f"{np.mean(stated):.3g}" if stated else "-"
        lines.append(f"| {what} | {said} | {missed} of {seeds} ({missed / seeds:.2f}) |")
        print(lines[-1], flush=True)
    return lines


def blas_threads(folder: Path, command: list[str], repeats: int, burn: bool) -> list[str]:
    """``check`` at 784-300-10 with the child's BLAS at 1 and at 2 threads, interleaved in one run, with
    the load, and with a CPU burner on the other core when ``burn``; the ratio is of medians."""
    from verification.runs.environment import BLAS_VARIABLES

    paths = {
        "complex-safe": script(folder, "row", (784, 300, 10), True),
        "np.real": script(folder, "row", (784, 300, 10), False),
    }
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if burn else None
    seconds: dict[tuple[str, int], list[float]] = {}
    loads = [os.getloadavg()[0]]
    try:
        for _ in range(repeats):
            for code, path in paths.items():
                for threads in (1, 2):
                    env = {**os.environ, **{name: str(threads) for name in BLAS_VARIABLES}}
                    start = time.perf_counter()
                    subprocess.run([*command, "check", str(path)], env=env, capture_output=True, check=True)
                    seconds.setdefault((code, threads), []).append(time.perf_counter() - start)
                    loads.append(os.getloadavg()[0])
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    lines = [
        "| network | code | 1 BLAS thread | 2 BLAS threads | 2 threads / 1 thread |",
        "|---|---|---|---|---|",
    ]
    for code in paths:
        one, two = (float(np.median(seconds[(code, t)])) for t in (1, 2))
        lines.append(f"| 784-300-10 | {code} | {one:.1f} s | {two:.1f} s | {two / one:.2f} |")
    return [
        f"Median wall time of {repeats} interleaved runs each, {os.cpu_count()} CPUs, load average "
        f"{min(loads):.1f} to {max(loads):.1f} during the runs"
        + (", a CPU burner (`while True: pass`) on the other core" if burn else "")
        + ". The child's BLAS threads are set through the environment (`verification.runs.environment`).",
        "",
        *lines,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds", type=int, default=100, help="probe seeds for the calibration (default 100)"
    )
    parser.add_argument(
        "--blas-only", action="store_true", help="only the BLAS threads section (1 against 2 threads)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per BLAS setting (default 5)")
    parser.add_argument("--burn", action="store_true", help="a CPU burner on the other core meanwhile")
    args = parser.parse_args()
    command = [sys.executable, "-m", "verification"]
    with tempfile.TemporaryDirectory() as tmp:
        blas = blas_threads(Path(tmp), command, args.repeats, args.burn)
    update(
        "check-blas",
        "\n".join(["## BLAS threads of `check`", "", "Generated by `benchmarks/bench_check.py`.", "", *blas]),
    )
    print("\n".join(blas), flush=True)
    if args.blas_only:
        return
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        timings = timing_table(folder, command)
        plants = planted(folder, command, args.seeds)
    text = [
        "## `check` at real sizes",
        "",
        "Generated by `benchmarks/bench_check.py`.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, load average {load[0]:.1f} before and {os.getloadavg()[0]:.1f} after; "
        f"the child's BLAS at {BLAS_THREADS} thread(s) (`verification.runs.environment`). Each row is "
        "`backprop-verify check PATH --json` on a foreign class (a forward "
        "pass and an in-place update, row convention; `feedforward` and a `backprop` returning a list, "
        "column convention), timed with its peak resident memory, the supervised child included. `np.real` "
        "marks the same code made not complex-safe, so that `check` falls back to Richardson differences. δ "
        "is the smallest error of one W1 entry, as a multiple of W1's root-mean-square entry, that the "
        "random directions catch with probability ≥ 99.9 %, as the report states it.",
        "",
        *timings,
        "",
        *plants,
    ]
    update("check", "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
