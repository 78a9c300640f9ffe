"""The unit check against the course's entry loop and torch's gradcheck, per layer module, and a whole
file of units end to end.

Layer modules in the course's ``(out, cache)`` protocol at its standard shapes, written here the way
students write them (a convolution and a max pool as loops over every output position): affine, batch
norm, convolution (x of (4, 3, 5, 5), w of (2, 3, 3, 3)), max pool, LSTM (N = 2, T = 3, D = 5, H = 4).
For each:

* **the entry loop**: our own version of the course's ``eval_numerical_gradient_array`` (central
  differences with h = 1e-5, two forwards per entry, in Python), for every input;
* **ours, ``--full``**: :func:`verification.check_vjp` with every entry one by one (complex step: one
  forward per entry, or Richardson where the forward is not complex-safe);
* **ours, default**: a sample of entries and two random directions per tensor;
* **torch gradcheck** on the equivalent torch float64 functions, slow mode (one thread) and
  ``fast_mode``.

Accuracy is the largest relative error, over the module's gradients, of the numeric gradient against
the (right) analytic one. Then one entry of the convolution's weight gradient is made wrong by 1e-6:
whether our default mode and torch's fast mode see it. Last, ``backprop-verify check`` on whole files of
units (every unit over its settings), as a user runs it.

Writes docs/benchmarks-units.md. Run: ``nox -s bench`` or ``python benchmarks/bench_units.py``.
"""

from __future__ import annotations

import os

# before numpy loads: one BLAS thread, as torch is given one
os.environ["OPENBLAS_NUM_THREADS"] = os.environ.get("OPENBLAS_NUM_THREADS", "1")
os.environ["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "1")
os.environ["MKL_NUM_THREADS"] = os.environ.get("MKL_NUM_THREADS", "1")

import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from verification import check_vjp  # noqa: E402

DOC = ROOT / "docs" / "benchmarks-units.md"
SEED = 20261218
REPEATS = 3


# --- the modules, as students write them --------------------------------------------------------------


def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)


def batchnorm_forward(x, gamma, beta, bn_param):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    inv = 1 / np.sqrt(var + bn_param["eps"])
    xhat = (x - mu) * inv
    return gamma * xhat + beta, (xhat, gamma, inv)


def batchnorm_backward(dout, cache):
    xhat, gamma, inv = cache
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def conv_forward_naive(x, w, b, conv_param):
    s, p = conv_param["stride"], conv_param["pad"]
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    ho, wo = 1 + (h + 2 * p - hh) // s, 1 + (wd + 2 * p - ww) // s
    out = np.zeros((n, f, ho, wo))
    for i in range(n):
        for k in range(f):
            for r in range(ho):
                for c in range(wo):
                    out[i, k, r, c] = np.sum(xp[i, :, r * s : r * s + hh, c * s : c * s + ww] * w[k]) + b[k]
    return out, (x, w, conv_param)


def conv_backward_naive(dout, cache):
    x, w, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(x.shape[0]):
        for k in range(f):
            for r in range(dout.shape[2]):
                for c in range(dout.shape[3]):
                    window = (i, slice(None), slice(r * s, r * s + hh), slice(c * s, c * s + ww))
                    dw[k] += dout[i, k, r, c] * xp[window]
                    dxp[window] += dout[i, k, r, c] * w[k]
    return dxp[:, :, p : p + x.shape[2], p : p + x.shape[3]], dw, dout.sum(axis=(0, 2, 3))


def max_pool_forward_naive(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    n, c, h, w = x.shape
    out = np.zeros((n, c, 1 + (h - ph) // s, 1 + (w - pw) // s))
    for i in range(n):
        for k in range(c):
            for r in range(out.shape[2]):
                for q in range(out.shape[3]):
                    out[i, k, r, q] = np.max(x[i, k, r * s : r * s + ph, q * s : q * s + pw])
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros(x.shape)
    for i in range(x.shape[0]):
        for k in range(x.shape[1]):
            for r in range(dout.shape[2]):
                for q in range(dout.shape[3]):
                    window = x[i, k, r * s : r * s + ph, q * s : q * s + pw]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[i, k, r * s + a, q * s + b] += dout[i, k, r, q]
    return dx


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_forward(x, h0, Wx, Wh, b):
    n, t, _ = x.shape
    hidden = h0.shape[1]
    h, prev, c, caches = np.zeros((n, t, hidden)), h0, np.zeros((n, hidden)), []
    for k in range(t):
        a = x[:, k] @ Wx + prev @ Wh + b
        i, f, o = (sigmoid(a[:, j * hidden : (j + 1) * hidden]) for j in range(3))
        g = np.tanh(a[:, 3 * hidden :])
        c_next = f * c + i * g
        caches.append((x[:, k], prev, c, i, f, o, g, c_next))
        prev, c = o * np.tanh(c_next), c_next
        h[:, k] = prev
    return h, (caches, Wx, Wh)


def lstm_backward(dh, cache):
    caches, Wx, Wh = cache
    n, t, hidden = dh.shape
    dx = np.zeros((n, t, Wx.shape[0]))
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(4 * hidden)
    dprev_h, dprev_c = np.zeros((n, hidden)), np.zeros((n, hidden))
    for k in reversed(range(t)):
        xk, hprev, cprev, i, f, o, g, c = caches[k]
        dhk = dh[:, k] + dprev_h
        tc = np.tanh(c)
        dc = dprev_c + dhk * o * (1 - tc**2)
        da = np.hstack(
            [dc * g * i * (1 - i), dc * cprev * f * (1 - f), dhk * tc * o * (1 - o), dc * i * (1 - g**2)]
        )
        dx[:, k], dprev_h, dprev_c = da @ Wx.T, da @ Wh.T, dc * f
        dWx, dWh, db = dWx + xk.T @ da, dWh + hprev.T @ da, db + da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


# --- inputs at the course's standard shapes, and torch's equivalents --------------------------------


def modules(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Each module: its functions, its inputs, and the torch function of its float inputs."""
    import torch
    import torch.nn.functional as F

    def lstm_torch(x, h0, Wx, Wh, b):
        hidden, prev, c, hs = h0.shape[1], h0, torch.zeros_like(h0), []
        for k in range(x.shape[1]):
            a = x[:, k] @ Wx + prev @ Wh + b
            i, f, o = (torch.sigmoid(a[:, j * hidden : (j + 1) * hidden]) for j in range(3))
            c = f * c + i * torch.tanh(a[:, 3 * hidden :])
            prev = o * torch.tanh(c)
            hs.append(prev)
        return torch.stack(hs, dim=1)

    def conv_torch(x, w, b):  # the same loops as the numpy forward
        xp = F.pad(x, (1, 1, 1, 1))
        rows = []
        for i in range(x.shape[0]):
            for k in range(w.shape[0]):
                for r in range(x.shape[2]):
                    for c in range(x.shape[3]):
                        rows.append(torch.sum(xp[i, :, r : r + 3, c : c + 3] * w[k]) + b[k])
        return torch.stack(rows).reshape(x.shape[0], w.shape[0], x.shape[2], x.shape[3])

    def pool_torch(x):  # the same loops as the numpy forward
        n, c, h, w = x.shape
        cells = [
            torch.max(x[i, k, 2 * r : 2 * r + 2, 2 * q : 2 * q + 2])
            for i in range(n)
            for k in range(c)
            for r in range(h // 2)
            for q in range(w // 2)
        ]
        return torch.stack(cells).reshape(n, c, h // 2, w // 2)

    def batchnorm_torch(x, gamma, beta):
        mu = x.mean(dim=0)
        var = ((x - mu) ** 2).mean(dim=0)
        return gamma * (x - mu) / torch.sqrt(var + 1e-5) + beta

    return [
        {
            "name": "affine, x (4, 6), w (6, 5)",
            "pair": (affine_forward, affine_backward),
            "inputs": {
                "x": rng.standard_normal((4, 6)),
                "w": rng.standard_normal((6, 5)),
                "b": rng.standard_normal(5),
            },
            "torch": lambda x, w, b: x @ w + b,
        },
        {
            "name": "batch norm, x (4, 5)",
            "pair": (batchnorm_forward, batchnorm_backward),
            "inputs": {
                "x": rng.standard_normal((4, 5)),
                "gamma": 1 + 0.25 * rng.standard_normal(5),
                "beta": 0.25 * rng.standard_normal(5),
                "bn_param": {"mode": "train", "eps": 1e-5},
            },
            "torch": batchnorm_torch,
        },
        {
            "name": "conv, x (4, 3, 5, 5), w (2, 3, 3, 3), stride 1, pad 1",
            "pair": (conv_forward_naive, conv_backward_naive),
            "inputs": {
                "x": rng.standard_normal((4, 3, 5, 5)),
                "w": rng.standard_normal((2, 3, 3, 3)) / np.sqrt(27),
                "b": 0.25 * rng.standard_normal(2),
                "conv_param": {"stride": 1, "pad": 1},
            },
            "torch": conv_torch,
        },
        {
            "name": "max pool, x (3, 2, 8, 8), 2×2 windows, stride 2",
            "pair": (max_pool_forward_naive, max_pool_backward_naive),
            "inputs": {
                "x": rng.standard_normal((3, 2, 8, 8)),
                "pool_param": {"pool_height": 2, "pool_width": 2, "stride": 2},
            },
            "torch": pool_torch,
        },
        {
            "name": "LSTM, N = 2, T = 3, D = 5, H = 4",
            "pair": (lstm_forward, lstm_backward),
            "inputs": {
                "x": rng.standard_normal((2, 3, 5)),
                "h0": rng.standard_normal((2, 4)),
                "Wx": rng.standard_normal((5, 16)) / np.sqrt(5),
                "Wh": rng.standard_normal((4, 16)) / 2,
                "b": 0.25 * rng.standard_normal(16),
            },
            "torch": lstm_torch,
        },
    ]


def entry_loop(fn: Callable[..., Any], x: np.ndarray, dout: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """The course's way: central differences of ``Σ dout · fn(x)``, one entry at a time, two forwards each."""
    grad = np.zeros_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        kept = flat[k]
        flat[k] = kept + h
        up = fn(x)
        flat[k] = kept - h
        down = fn(x)
        flat[k] = kept
        out[k] = np.sum((up - down) * dout) / (2 * h)
    return grad


def best(run: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of :data:`REPEATS` runs, and the last result."""
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def relative(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300))


def measure(module: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Times and accuracies of the four checkers on one module."""
    import torch
    from torch.autograd import gradcheck

    forward, backward = module["pair"]
    inputs = module["inputs"]
    floats = [n for n, v in inputs.items() if isinstance(v, np.ndarray)]
    out, cache = forward(**inputs)
    dout = rng.standard_normal(out.shape)
    grads = backward(dout, cache)
    analytic = dict(zip(floats, grads if isinstance(grads, tuple) else (grads,), strict=True))

    def loop() -> float:
        errors = []
        for n in floats:
            numeric = entry_loop(lambda v, n=n: forward(**{**inputs, n: v})[0], inputs[n].copy(), dout)
            errors.append(relative(numeric, analytic[n]))
        return max(errors)

    row: dict[str, Any] = {"name": module["name"], "entries": sum(inputs[n].size for n in floats)}
    row["loop"], row["loop error"] = best(loop)
    for key, full in (("full", True), ("default", False)):
        seconds, report = best(
            lambda full=full: check_vjp(forward, backward, inputs, douts=[dout], seed=SEED, full=full)
        )
        row[key], row[f"{key} method"] = seconds, report.result.method
        row[f"{key} error"] = max(o.relative_error or 0.0 for o in report.result.outputs)
        row[f"{key} verdict"] = report.verdict
    torch.set_num_threads(1)
    tensors = [torch.tensor(inputs[n], dtype=torch.float64, requires_grad=True) for n in floats]
    row["torch slow"], row["torch slow passed"] = best(lambda: gradcheck(module["torch"], tensors))
    row["torch fast"], row["torch fast passed"] = best(
        lambda: gradcheck(module["torch"], tensors, fast_mode=True)
    )
    return row


def planted(conv: dict[str, Any], seeds: int) -> list[str]:
    """One entry of the convolution's weight gradient wrong by a relative 1e-6: ours (default and --full)
    and torch."""
    import torch
    import torch.nn.functional as F
    from torch.autograd import gradcheck

    index = (1, 2, 0, 1)

    def wrong(dout: Any, cache: Any) -> tuple[Any, ...]:
        dx, dw, db = conv_backward_naive(dout, cache)
        dw = dw.copy()
        dw[index] *= 1 + 1e-6
        return dx, dw, db

    class PlantedConv(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, w: Any, b: Any) -> Any:
            ctx.save_for_backward(x, w, b)
            return F.conv2d(x, w, b, padding=1)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            with torch.enable_grad():
                leaves = [t.detach().requires_grad_() for t in ctx.saved_tensors]
                dx, dw, db = torch.autograd.grad(F.conv2d(*leaves, padding=1), leaves, g)
            dw = dw.clone()
            dw[index] *= 1 + 1e-6
            return dx, dw, db

    inputs = conv["inputs"]
    found = 0
    for seed in range(seeds):
        report = check_vjp(conv_forward_naive, wrong, inputs, seed=seed, full=False)
        found += {o.name: o.verdict for o in report.result.outputs}["dw"] == "mismatch"
    full = check_vjp(conv_forward_naive, wrong, inputs, seed=0, full=True)
    torch.set_num_threads(1)
    tensors = [torch.tensor(inputs[n], dtype=torch.float64, requires_grad=True) for n in ("x", "w", "b")]
    fast = gradcheck(PlantedConv.apply, tensors, fast_mode=True, raise_exception=False)
    slow = gradcheck(PlantedConv.apply, tensors, raise_exception=False)
    dw = {o.name: o for o in full.result.outputs}["dw"]
    worst = dw.report.worst[0].index if dw.report is not None else None
    return [
        "| checker | outcome |",
        "|---|---|",
        f"| ours, default (a sample and 2 directions per tensor) | found at {found} of {seeds} seeds |",
        f"| ours, --full | {dw.verdict}, worst entry {worst} |",
        f"| torch gradcheck, fast_mode | {outcome(fast)} |",
        f"| torch gradcheck, slow mode (atol 1e-5, rtol 1e-3) | {outcome(slow)} |",
    ]


def outcome(passed: bool) -> str:
    """What gradcheck's verdict means for a planted error."""
    return "missed (passed)" if passed else "found (failed)"


def end_to_end(names: list[str]) -> list[str]:
    """``backprop-verify check FILE`` on whole files of units: wall time, best of :data:`REPEATS`."""
    lines = ["| file | units | wall time (best of 3) | load average before |", "|---|---|---|---|"]
    for name in names:
        path = ROOT / "tests" / "layer_files" / name
        times, units = [], 0
        load = os.getloadavg()[0]
        for _ in range(REPEATS):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "verification", "check", str(path), "--json"],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=False,
            )
            times.append(time.perf_counter() - start)
            if done.stdout:
                import json

                units = len(json.loads(done.stdout)["units"])
        ok = "✔" if min(times) <= 5 else "✘"
        lines.append(f"| `{name}` | {units} | {min(times):.2f} s (target ≤ 5 s: {ok}) | {load:.1f} |")
    return lines


def mark(ok: bool) -> str:
    return "✔" if ok else "✘"


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| module | entries | entry loop | ours --full | ours default | torch slow | torch fast_mode |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['entries']} | {r['loop']:.3f} s, error {r['loop error']:.1e} | "
            f"{r['full']:.3f} s, error {r['full error']:.1e} ({r['full method']}) | "
            f"{r['default']:.3f} s ({r['default method']}) | "
            f"{r['torch slow']:.3f} s | {r['torch fast']:.4f} s |"
        )
    lines += [
        "",
        "| module | --full / loop (≤ 0.6) | accuracy gain (≥ 1000×) | loop / default (≥ 10×) "
        "| default / fast_mode (≤ 2) |",
    ]
    lines.append("|---|---|---|---|---|")
    for r in rows:
        full, gain = r["full"] / r["loop"], r["loop error"] / max(r["full error"], 1e-17)
        speed, fast = r["loop"] / r["default"], r["default"] / r["torch fast"]
        lines.append(
            f"| {r['name']} | {full:.2f} {mark(full <= 0.6)} | {gain:.0e} {mark(gain >= 1000)} | "
            f"{speed:.0f}× {mark(speed >= 10)} | {fast:.1f} {mark(fast <= 2)} |"
        )
    return lines


def main() -> None:
    import torch

    rng = np.random.default_rng(SEED)
    found = modules(rng)
    load_before = os.getloadavg()
    rows = [measure(m, rng) for m in found]
    load_after = os.getloadavg()
    text = [
        "# Benchmarks of the unit check",
        "",
        "Generated by `benchmarks/bench_units.py` (`nox -s bench`); do not edit by hand.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; numpy "
        f"{np.__version__}, torch {torch.__version__}. One BLAS thread (`OPENBLAS_NUM_THREADS=1`) and one "
        f"torch thread. Load average {load_before[0]:.1f} before the module runs and {load_after[0]:.1f} "
        "after (the machine is shared; times vary with it, ratios are measured in the same run). Wall "
        f"times are the best of {REPEATS} runs, seed {SEED}.",
        "",
        "## One module at a time",
        "",
        "The course's entry loop is our own version of its `eval_numerical_gradient_array` (central "
        "differences, h = 1e-5, two forwards per entry, every input). Error: the largest relative error "
        "‖g_numeric − g‖ / ‖g‖ over the module's gradients, against the right analytic gradient. Ours: "
        "`check_vjp(forward, backward, inputs)` with the same upstream gradient; `--full` checks every "
        "entry one by one, the default a sample of entries and two random directions per tensor. torch: "
        "`gradcheck` of the equivalent torch float64 function (its full Jacobian), slow and `fast_mode`.",
        "",
        *table(rows),
        "",
        "The speed targets concern modules whose entry loop takes long enough to matter (the convolution "
        "and the pooling, loops over every output position): there one complex-step forward per entry "
        "costs a little more than one real forward, and the default mode a few dozen forwards. Where "
        "the entry loop takes milliseconds (affine, batch norm, the LSTM), the check's fixed cost (the "
        "complex-safety probe, the forward the backward's cache comes from, the comparison and its "
        "report: a few milliseconds) and the Python cost of each call of the code dominate, and those "
        "rows measure that rather than the cost per entry. The accuracy gain holds everywhere.",
        "",
        "## One wrong entry: a convolution's weight gradient off by a relative 1e-6",
        "",
        "`dw[1, 2, 0, 1] *= 1 + 1e-6` in the convolution above: one entry of the weight gradient wrong by a "
        "relative 1e-6, for every upstream gradient (a wrong linear map, as a bug is). torch checks the same "
        "error planted in a `torch.autograd.Function` around `conv2d`.",
        "",
        *planted(found[2], 20),
        "",
        "## A whole file, every unit over its settings",
        "",
        "`backprop-verify check FILE --json`, as a user runs it (a supervised child process included), on "
        "the team's layer files in `tests/layer_files`.",
        "",
        *end_to_end(["course_layers.py", "course_rnn.py", "layer_objects.py", "engine.py"]),
    ]
    DOC.write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
