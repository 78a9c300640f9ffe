"""Verdicts over all probes: per tensor and per loss, exact or up to one common scale.

A tensor ``matches`` a loss when every probe matches; ``matches up to scale`` ``c`` when the pooled
least-squares ``c = Σ⟨g_a, g_n⟩ / Σ⟨g_n, g_n⟩`` over the probes (``c > 0``) makes every probe match;
else ``mismatch``. A loss matches up to scale when one ``c`` (that of the first tensor, output layer
first) makes every tensor match (:mod:`verification.identification.report` explains why one scale for all
probes and tensors tells a factor from a coincidence).
"""

from __future__ import annotations

import numpy as np

from verification.identification.comparison import Elements
from verification.identification.report import LossReport, TensorReport
from verification.tolerances import Tolerance


def tensor_verdict(name: str, per_probe: list[Elements], tol: Tolerance) -> TensorReport:
    reports = [el.report(name, tol) for el in per_probe]
    worst = max(r.relative_error for r in reports)
    if all(r.verdict in ("matches", "kink") for r in reports):
        return TensorReport(name, "matches", 1.0, worst, reports)
    c = _pooled_scale(per_probe)
    if c is not None and all(el.report(name, tol, c).verdict == "matches" for el in per_probe):
        return TensorReport(name, "matches up to scale", c, worst, reports)
    return TensorReport(name, "mismatch", None, worst, reports)


def _pooled_scale(per_probe: list[Elements]) -> float | None:
    a = np.concatenate([el.analytic for el in per_probe])
    n = np.concatenate([el.numeric for el in per_probe])
    nn = float(np.dot(n, n))
    c = float(np.dot(a, n)) / nn if nn > 0 else float("nan")
    return c if np.isfinite(c) and c > 0 else None


def loss_report(
    loss: str,
    names: list[str],
    order: list[str],
    compared: list[dict[str, Elements]],
    tol: Tolerance,
    method: str,
) -> LossReport:
    tensors = {n: tensor_verdict(n, [probe[n] for probe in compared], tol) for n in names}
    if all(t.verdict == "matches" for t in tensors.values()):
        return LossReport(loss, "matches", 1.0, tensors, rtol=tol.rtol, method=method)
    first = next(n for n in order if n in tensors)
    c = tensors[first].scale
    if c is not None and all(t.scale is not None for t in tensors.values()):
        if all(el.report(n, tol, c).verdict == "matches" for n in names for el in (p[n] for p in compared)):
            return LossReport(loss, "matches up to scale", c, tensors, rtol=tol.rtol, method=method)
    return LossReport(loss, "mismatch", None, tensors, rtol=tol.rtol, method=method)
