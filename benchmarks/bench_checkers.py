"""Gradient checkers side by side: our methods and modes against torch.autograd.gradcheck,
scipy.optimize.check_grad and numdifftools, on the question's network and on a 784-128-10 sigmoid
network with biases (batch 32, float64). Writes docs/benchmarks.md (and docs/step_sweep.png when
matplotlib is installed). Tools that are not installed are skipped with a message.

Run: ``nox -s bench`` or ``python benchmarks/bench_checkers.py``.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ffnn import Network, backward, load_glyphs
from verification.compare.coordinate import compare_gradients
from verification.compare.directional import check_directions
from verification.compare.rule import relative_error
from verification.compare.taylor import taylor_test
from verification.numeric.evaluators import LoopEvaluator
from verification.numeric.methods import METHODS
from verification.numeric.network_evaluator import NetworkEvaluator
from verification.numeric.step_sweep import classic_sweep, plot_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sections import update

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SEED = 0
PLANT = 1e-6
TORCH_SUBSET = 400
"""Entries of W1 (the planted one among them) that torch's slow mode and scipy perturb; their time is
extrapolated per entry."""
REPEAT = {"complex-step": 3, "central": 1, "richardson": 1}
"""Runs of the structured mode on the large network; the best wall time is reported."""
LOOP_SUBSET = 1000
"""Entries of W1 that our plain loop perturbs on the large network; extrapolated per entry."""

Row = tuple[str, str, str, str]
lines: list[str] = []


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[Any, float]:
    """Result of ``fn`` and its best wall time over ``repeat`` runs."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def max_rel(numeric: dict[str, np.ndarray], exact: dict[str, np.ndarray]) -> float:
    return max(relative_error(numeric[k], exact[k]) for k in exact)


def flat(grads: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    return np.concatenate([np.ravel(grads[n]) for n in names])


def unflat(vec: np.ndarray, like: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out, k = {}, 0
    for n, w in like.items():
        out[n] = vec[k : k + w.size].reshape(w.shape)
        k += w.size
    return out


def table(rows: list[Row]) -> None:
    lines.append("| checker | wall time | max relative error vs exact | notes |")
    lines.append("|---|---|---|---|")
    lines.extend(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    lines.append("")


def torch_loss(torch: Any, net: Network, x: np.ndarray, y: np.ndarray) -> Callable[..., Any]:
    """The same loss as ``net.loss(x, y, "mse")`` in torch (sigmoid layers, batch mean of ½Σ(a − y)²)."""
    xt, yt = torch.tensor(x), torch.tensor(y)
    n = len(net.weights)

    def f(*tensors: Any) -> Any:
        ws, bs = tensors[:n], tensors[n:]
        a = xt
        for l, w in enumerate(ws):
            z = a @ w
            if bs:
                z = z + bs[l]
            a = torch.sigmoid(z)
        return 0.5 * ((a - yt) ** 2).sum(dim=1).mean()

    return f


def planted_function(torch: Any, loss: Callable[..., Any], grads: list[np.ndarray]) -> Callable[..., Any]:
    """``loss`` with a hand-written backward returning ``grads`` (the gradient under test)."""

    class Planted(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *tensors: Any) -> Any:
            with torch.no_grad():
                return loss(*tensors)

        @staticmethod
        def backward(ctx: Any, grad_out: Any) -> Any:
            return tuple(grad_out * torch.tensor(g) for g in grads)

    return Planted.apply


def bench_question(torch: Any, scipy_opt: Any, nd: Any) -> None:
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=SEED)
    x, y = data.x, data.y
    params = net.parameters()
    names = list(params)
    f = lambda p: net.with_parameters(p).loss(x, y, "mse")  # noqa: E731
    exact = backward(net, x, y, loss="mse")
    rows: list[Row] = []
    results: dict[str, float] = {}
    for method in ("central", "richardson", "complex-step"):
        num, t = timed(lambda m=method: METHODS[m](LoopEvaluator(f, params)), 3)
        err = max_rel(num.gradient, exact)
        results[method] = err
        rows.append(
            (
                f"ours, coordinate loop, {method}",
                f"{t * 1e3:.1f} ms",
                f"{err:.1e}",
                f"{num.evaluations} evaluations",
            )
        )
        num, t = timed(lambda m=method: METHODS[m](NetworkEvaluator(net, x, y, "mse")), 3)
        rows.append(
            (
                f"ours, structured, {method}",
                f"{t * 1e3:.1f} ms",
                f"{max_rel(num.gradient, exact):.1e}",
                "vectorised shifts",
            )
        )
    rep, t = timed(lambda: check_directions(f, params, exact, directions=4, seed=SEED), 3)
    dir_err = max(
        float(np.max(np.abs(p.analytic - p.numeric) / np.abs(p.analytic))) for p in rep.parameters.values()
    )
    rows.append(
        (
            "ours, directional (4 per tensor, auto)",
            f"{t * 1e3:.1f} ms",
            f"{dir_err:.1e} (of g·v)",
            f"{rep.method}, seed {SEED}",
        )
    )
    tay, t = timed(lambda: taylor_test(f, params, exact, directions=3, seed=SEED))
    rows.append(
        (
            "ours, Taylor test (3 directions)",
            f"{t * 1e3:.1f} ms",
            "—",
            "slopes " + ", ".join(f"{s:.2f}" for s in tay.slopes),
        )
    )
    if torch is not None:
        tensors = [torch.tensor(params[n], requires_grad=True) for n in names]
        loss = torch_loss(torch, net, x, y)
        ok, t = timed(lambda: torch.autograd.gradcheck(loss, tensors, raise_exception=False), 3)
        gc = importlib.import_module("torch.autograd.gradcheck")
        jac = gc._get_numerical_jacobian(loss, tuple(tensors), eps=1e-6)  # one entry per input
        num = {n: j[0].detach().numpy().reshape(params[n].shape) for n, j in zip(names, jac, strict=True)}
        rows.append(
            (
                "torch gradcheck, slow",
                f"{t * 1e3:.1f} ms",
                f"{max_rel(num, exact):.1e}",
                f"passed = {ok}; error of its numerical Jacobian (eps 1e-6)",
            )
        )
        ok, t = timed(
            lambda: torch.autograd.gradcheck(loss, tensors, fast_mode=True, raise_exception=False), 3
        )
        rows.append(
            ("torch gradcheck, fast_mode", f"{t * 1e3:.1f} ms", "—", f"passed = {ok}; one projection")
        )
    else:
        rows.append(("torch gradcheck", "—", "—", "skipped: torch is not installed"))
    x0 = flat(params, names)
    fv = lambda v: f(unflat(v, params))  # noqa: E731
    gv = lambda v: flat(exact, names)  # noqa: E731
    if scipy_opt is not None:
        err, t = timed(lambda: scipy_opt.check_grad(fv, gv, x0), 3)
        num = unflat(scipy_opt.approx_fprime(x0, fv), params)
        rows.append(
            (
                "scipy check_grad",
                f"{t * 1e3:.1f} ms",
                f"{max_rel(num, exact):.1e}",
                f"returns ‖g − g_fd‖ = {err:.1e} (forward differences, no verdict)",
            )
        )
    else:
        rows.append(("scipy check_grad", "—", "—", "skipped: scipy is not installed"))
    if nd is not None:
        g, t = timed(lambda: nd.Gradient(fv)(x0))
        rows.append(
            (
                "numdifftools Gradient",
                f"{t * 1e3:.1f} ms",
                f"{max_rel(unflat(g, params), exact):.1e}",
                "central + Richardson, step sequence",
            )
        )
    else:
        rows.append(("numdifftools", "—", "—", "skipped: numdifftools is not installed"))
    lines.append("### The question's network: 30-5-3, sigmoid, no biases, glyphs A, B, C, mse")
    lines.append("")
    lines.append(
        f"Weights `Network.initialise((30, 5, 3), 'sigmoid', seed={SEED})`; the exact gradient is "
        "the reference backward pass (`rule='exact'`). Wall times are the best of 3 runs."
    )
    lines.append("")
    table(rows)
    targets = [
        ("complex step", results["complex-step"], 1e-13),
        ("Richardson", results["richardson"], 1e-11),
        ("central", results["central"], 1e-8),
    ]
    lines.append(
        "Targets, coordinate loop: "
        + "; ".join(f"{n} {e:.1e} ≤ {t:.0e} {'✔' if e <= t else '✘'}" for n, e, t in targets)
    )
    lines.append("")


def bench_large(torch: Any, scipy_opt: Any, nd: Any) -> None:
    rng = np.random.default_rng(SEED)
    net = Network.initialise((784, 128, 10), "sigmoid", seed=SEED, bias=True, scale=0.1)
    x, y = rng.uniform(0, 1, (32, 784)), np.eye(10)[rng.integers(0, 10, 32)]
    params = net.parameters()
    names = list(params)
    total = sum(w.size for w in params.values())
    f = lambda p: net.with_parameters(p).loss(x, y, "mse")  # noqa: E731
    exact = backward(net, x, y, loss="mse")
    planted = {k: v.copy() for k, v in exact.items()}
    big = np.flatnonzero(np.abs(exact["W1"]) >= np.median(np.abs(exact["W1"])))
    k_plant = int(rng.choice(big))
    planted["W1"].flat[k_plant] *= 1 + PLANT
    where = tuple(int(i) for i in np.unravel_index(k_plant, exact["W1"].shape))
    rows: list[Row] = []
    detect: list[tuple[str, str]] = []
    times: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for method in ("complex-step", "central", "richardson"):
        cpu = time.process_time()
        num, t = timed(lambda m=method: METHODS[m](NetworkEvaluator(net, x, y, "mse")), REPEAT[method])
        cpus[method] = (time.process_time() - cpu) / REPEAT[method]
        times[method] = t
        rows.append(
            (
                f"ours, structured, {method}, all {total} entries",
                f"{t:.2f} s",
                f"{max_rel(num.gradient, exact):.1e}",
                f"{num.evaluations} shifted losses",
            )
        )
        rep = compare_gradients(planted, num)
        p = rep.parameters["W1"]
        found = p.verdict == "mismatch" and p.worst[0].index == where
        detect.append(
            (
                f"ours, structured coordinate, {method}",
                f"{'detected' if found else 'missed'}: W1 {p.verdict}, {p.flagged} flagged, "
                f"worst {list(p.worst[0].index)}",
            )
        )
    ev = LoopEvaluator(f, params)
    sub = np.arange(LOOP_SUBSET)
    h = np.finfo(np.float64).eps * np.maximum(1, np.abs(ev.params["W1"].ravel()[sub]))
    _, t = timed(lambda: ev.shifted("W1", sub, 1j * h))
    loop_total = t / LOOP_SUBSET * total
    rows.append(
        (
            "ours, coordinate loop, complex-step",
            f"≈ {loop_total:.1f} s (extrapolated)",
            "—",
            f"timed on {LOOP_SUBSET} entries of W1, {t / LOOP_SUBSET * 1e6:.0f} µs per entry",
        )
    )
    f_small = lambda p: f(p)  # noqa: E731
    for method in ("complex-step", "central"):
        rep, t = timed(
            lambda m=method: check_directions(f_small, params, planted, directions=4, seed=SEED, method=m)
        )
        detect.append(
            (
                f"ours, directional (4 per tensor), {method}",
                f"{'detected' if not rep.matches else 'missed'}: W1 {rep.parameters['W1'].verdict} "
                f"({t:.2f} s)",
            )
        )
    tay = taylor_test(f, params, planted, directions=3, seed=SEED)
    detect.append(
        (
            "ours, Taylor test (3 directions)",
            f"{'detected' if tay.verdict == 'mismatch' else 'missed'}: slopes "
            + ", ".join(f"{s:.2f}" for s in tay.slopes),
        )
    )
    ratio_line = ""
    others = rng.choice(exact["W1"].size, TORCH_SUBSET - 1, replace=False)
    subset = np.unique(np.concatenate([[k_plant], others]))
    if torch is not None:
        loss = torch_loss(torch, net, x, y)
        consts = [torch.tensor(params[n]) for n in names]
        idx = subset
        idx_t = torch.tensor(idx)

        def on_subset(fn: Callable[..., Any]) -> Callable[[Any], Any]:
            def g(sub_w1: Any) -> Any:
                w1 = consts[0].reshape(-1).index_put((idx_t,), sub_w1).reshape(consts[0].shape)
                return fn(w1, *consts[1:])

            return g

        sub_in = torch.tensor(params["W1"].ravel()[idx], requires_grad=True)
        ok, t = timed(lambda: torch.autograd.gradcheck(on_subset(loss), (sub_in,), raise_exception=False))
        per_entry = t / idx.size
        torch_total = per_entry * total
        rows.append(
            (
                "torch gradcheck, slow",
                f"≈ {torch_total:.1f} s (extrapolated)",
                "—",
                f"timed on {idx.size} entries of W1: {per_entry * 1e3:.2f} ms per entry; passed = {ok}",
            )
        )
        ratio = torch_total / times["complex-step"]
        ratio_line = (
            f"Structured complex step vs torch slow gradcheck (same run, extrapolated per entry): "
            f"**{ratio:.0f}×** faster (target ≥ 10×: {'✔' if ratio >= 10 else '✘'})."
        )
        tensors = [torch.tensor(params[n], requires_grad=True) for n in names]
        ok, t = timed(lambda: torch.autograd.gradcheck(loss, tensors, fast_mode=True, raise_exception=False))
        rows.append(("torch gradcheck, fast_mode, all entries", f"{t:.2f} s", "—", f"passed = {ok}"))
        bad = planted_function(torch, loss, [planted[n] for n in names])
        sub_bad = planted_function(torch, on_subset(loss), [planted["W1"].ravel()[idx]])
        ok_slow = torch.autograd.gradcheck(sub_bad, (sub_in,), raise_exception=False)
        ok_fast = torch.autograd.gradcheck(bad, tensors, fast_mode=True, raise_exception=False)
        detect.append(
            (
                "torch gradcheck, slow (subset containing the entry)",
                f"{'missed' if ok_slow else 'detected'}: passed = {ok_slow} (atol 1e-5, rtol 1e-3)",
            )
        )
        detect.append(
            ("torch gradcheck, fast_mode", f"{'missed' if ok_fast else 'detected'}: passed = {ok_fast}")
        )
    else:
        rows.append(("torch gradcheck", "—", "—", "skipped: torch is not installed"))
        ratio_line = "torch is not installed: no ratio."
    x0 = flat(params, names)
    fv = lambda v: f(unflat(v, params))  # noqa: E731
    if scipy_opt is not None:
        # check_grad needs n + 1 evaluations of the whole loss: on a function of the subset entries of
        # W1 (the others fixed), extrapolated per entry like torch's slow mode.
        w1 = params["W1"].ravel()

        def f_sub(s: np.ndarray) -> float:
            w = w1.copy()
            w[subset] = s
            return float(f({**params, "W1": w.reshape(params["W1"].shape)}))

        g_ok = exact["W1"].ravel()[subset]
        g_bad = planted["W1"].ravel()[subset]
        err_ok, t = timed(lambda: scipy_opt.check_grad(f_sub, lambda s: g_ok, w1[subset]))
        err_bad = scipy_opt.check_grad(f_sub, lambda s: g_bad, w1[subset])
        rows.append(
            (
                "scipy check_grad",
                f"≈ {t / subset.size * total:.1f} s (extrapolated)",
                "—",
                f"timed on {subset.size} entries of W1; ‖g − g_fd‖ = {err_ok:.2e} there "
                "(forward differences)",
            )
        )
        detect.append(
            (
                "scipy check_grad (same subset)",
                f"missed: returns {err_bad:.3e} with the planted error vs {err_ok:.3e} without "
                f"(the planted change is {PLANT * abs(exact['W1'].flat[k_plant]):.1e}); no verdict",
            )
        )
    else:
        rows.append(("scipy check_grad", "—", "—", "skipped: scipy is not installed"))
    if nd is not None:
        sub = x0[:20]
        _, t = timed(lambda: nd.Gradient(lambda s: fv(np.concatenate([s, x0[20:]])))(sub))
        rows.append(
            (
                "numdifftools Gradient",
                f"≈ {t / 20 * total / 60:.0f} min (extrapolated)",
                "—",
                "not run on all entries: timed on 20 entries",
            )
        )
        detect.append(("numdifftools", "not run: does not finish in reasonable time on 101,770 entries"))
    else:
        rows.append(("numdifftools", "—", "—", "skipped: numdifftools is not installed"))
    lines.append("### 784-128-10 sigmoid network with biases, batch 32, float64, mse")
    lines.append("")
    lines.append(
        f"`Network.initialise((784, 128, 10), 'sigmoid', seed={SEED}, bias=True, scale=0.1)`, inputs "
        f"uniform in [0, 1), one-hot labels, {total} parameters. Single runs unless noted. torch's slow "
        f"mode on all entries would take very long: it is timed on {TORCH_SUBSET} entries of W1 (a "
        "function of those entries only, the others fixed) and extrapolated per entry; our plain "
        "loop likewise."
    )
    lines.append("")
    table(rows)
    target = times["complex-step"]
    lines.append(
        f"Structured coordinate check of all entries (complex step): **{target:.2f} s** wall, best of "
        f"{REPEAT['complex-step']} (target ≤ 2 s on 2 cores: {'✔' if target <= 2 else '✘'}); "
        f"{cpus['complex-step']:.2f} s of CPU per run; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs during the run (the machine is shared). {ratio_line}"
    )
    lines.append("")
    lines.append(
        f"### Planted error: W1{list(where)} × (1 + {PLANT:g}) (an entry of above-median magnitude, "
        f"drawn with seed {SEED})"
    )
    lines.append("")
    lines.append("| checker | outcome |")
    lines.append("|---|---|")
    lines.extend(f"| {a} | {b} |" for a, b in detect)
    lines.append("")
    lines.append(
        "Directional modes and the Taylor test compare `g·v` for random unit `v`; one wrong entry among n "
        "moves it by about `δ |g_i| / ‖g‖` relative (`δ / √n` for a typical entry, ≈ 3e-9 here), so only "
        "a method at rounding level can see a 1e-6 error there (see `verification/compare/directional.py`)."
    )
    lines.append("")


def bench_sweep() -> None:
    sw = classic_sweep()
    lines.append("### Error against step: f(x) = eˣ / √(sin³x + cos³x) at x = 1.5")
    lines.append("")
    lines.append("Relative error against f'(1.5) = 4.053427893898621 (Martins et al. 2003), exact steps.")
    lines.append("")
    lines.append(sw.format_markdown())
    lines.append("")
    best = {s: sw.best(s) for s in sw.errors}
    lines.append("Best: " + "; ".join(f"{s} {e:.1e} at h = {h:.0e}" for s, (h, e) in best.items()) + ".")
    lines.append("")
    if plot_sweep(sw, DOCS / "step_sweep.png"):
        lines.append("![error against step](step_sweep.png)")
    else:
        lines.append("(matplotlib is not installed: no plot.)")
    lines.append("")


def main() -> None:
    torch = optional("torch")
    scipy_opt = optional("scipy.optimize")
    nd = optional("numdifftools")
    versions = [f"numpy {np.__version__}"]
    for mod, name in ((torch, "torch"), (optional("scipy"), "scipy"), (nd, "numdifftools")):
        versions.append(f"{name} {mod.__version__}" if mod is not None else f"{name} not installed (skipped)")
    lines.append("## Gradient checkers side by side")
    lines.append("")
    lines.append("Generated by `benchmarks/bench_checkers.py`.")
    lines.append("")
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        + ", ".join(versions)
        + ". Times depend on the machine and its load; ratios are measured "
        "in the same run."
    )
    lines.append("")
    bench_question(torch, scipy_opt, nd)
    bench_large(torch, scipy_opt, nd)
    bench_sweep()
    update("checkers", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
