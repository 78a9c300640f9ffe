"""The ``check`` command's work: load a script, adapt the code in it, identify its loss, and report.

:func:`check_target` loads ``PATH.py:NAME`` without running its top-level statements
(:mod:`verification.subjects.loader`), adapts the code (:mod:`verification.subjects.adapters`) and
identifies the loss its backward pass is the gradient of (:mod:`verification.identify.identification`);
:func:`format_check` writes the report as text, :meth:`CheckReport.to_dict` as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verification.identify.identification import (
    IdentificationReport,
    format_scale,
    identify,
    to_dict,
    verdict_sentence,
)
from verification.subjects.adapters import adapt
from verification.subjects.conventions import AdapterOptions
from verification.subjects.loader import LoadedScript, load_target


def differing_entries(result: IdentificationReport, loss: str, limit: int = 3) -> list[str]:
    """Lines naming the first tensor (output layer first) that differs from ``loss`` and its worst
    entries, analytic against numeric, at the probe where it differs most."""
    first = result.first_mismatch(loss)
    if first is None:
        return []
    probe = max(range(len(first.reports)), key=lambda i: first.reports[i].relative_error)
    report = first.reports[probe]
    lines = [
        f"  first parameter that differs (output layer first): {first.name}, {report.flagged} of "
        f"{shape_size(report.shape)} entries outside tolerance at probe {probe} (seed {result.seed}), "
        f"relative error {report.relative_error:.2e}"
    ]
    for e in report.worst[:limit]:
        lines.append(
            f"    {first.name}{list(e.index)}: analytic {e.analytic:.6e}, numeric {e.numeric:.6e} "
            f"± {e.error_estimate:.1e}"
        )
    return lines


def shape_size(shape: tuple[int, ...]) -> int:
    """The number of entries of an array of ``shape``."""
    n = 1
    for s in shape:
        n *= s
    return n


def matches_instead(result: IdentificationReport) -> str:
    """What the code is the gradient of instead, as a clause: a loss, a multiple of one, a split, or none."""
    if result.identified is not None:
        if result.scale == 1.0:
            return f"it is the gradient of {result.identified}"
        return f"it is {format_scale(result.scale, result.rtol)} × the gradient of {result.identified}"
    if result.split is not None:
        return "tensors match different losses: " + ", ".join(
            f"{n} {loss}" for n, loss in result.split.items()
        )
    return "it matches no catalog loss, nor a multiple of one"



@dataclass(frozen=True)
class CheckReport:
    """What ``backprop-verify check`` found: the loaded script and the identification."""

    target: str
    script: LoadedScript
    result: IdentificationReport

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``check``: the identification fields plus what the loader skipped."""
        out = {"target": self.target, **to_dict(self.result)}
        out["not_run"] = [{"line": s.line, "kind": s.kind} for s in self.script.skipped]
        out["failed_imports"] = dict(self.script.failed_imports)
        return out


def check_target(
    target: str,
    loss: str = "auto",
    *,
    seed: int = 0,
    probes: int = 3,
    samples: int = 1,
    method: str = "auto",
    options: AdapterOptions | None = None,
) -> CheckReport:
    """Load ``PATH.py:NAME`` without running its top-level statements, adapt it and identify its loss.

    Raises
    ------
    InputError
        File or name not found, code that raises, wrong shapes, non-finite values, a zero learning
        rate: one line naming the problem.
    """
    script, code = load_target(target)
    subject = adapt(code, options, script)
    result = identify(subject, loss, seed=seed, probes=probes, samples=samples, method=method)
    return CheckReport(target, script, result)


def format_check(outcome: CheckReport) -> str:
    """The report of ``check`` as text: convention, a table of losses by tensor, the verdict."""
    r, script = outcome.result, outcome.script
    names = r.backward_order
    lines = [
        f"Checked {r.subject} in {script.path}",
        f"  convention: {r.convention}",
        f"  {r.probes} probes of {r.samples} sample(s), weights, inputs and labels from seed {r.seed}; "
        f"{r.method} differences",
        *(f"  note: {n}" for n in r.notes),
        "",
        f"  {'loss':<14}" + "".join(f"{n:<24}" for n in names) + "verdict",
    ]
    for c in r.candidates:
        cells = []
        for n in names:
            t = c.parameters.get(n)
            if t is None:
                cells.append(f"{'-':<24}")
                continue
            word = {"matches": "matches", "mismatch": "mismatch"}.get(
                t.verdict, f"× {format_scale(t.scale, r.rtol)}"
            )
            kink = "*" if any(rep.kinks for rep in t.reports) else ""
            cells.append(f"{word + kink + f' ({t.max_relative_error:.1e})':<24}")
        verdict = (
            c.verdict
            if c.verdict != "matches up to scale"
            else f"matches up to scale {format_scale(c.scale, r.rtol)}"
        )
        lines.append(f"  {c.loss:<14}" + "".join(cells) + verdict)
    lines += ["", "  (relative error ‖g_code − g_numeric‖ / max(‖g_code‖, ‖g_numeric‖), worst probe)"]
    if any(rep.kinks for c in r.candidates for t in c.parameters.values() for rep in t.reports):
        lines.append("  * entries whose difference steps crossed a kink (a ReLU at 0) are left out")
    lines.append("")
    lines.append(verdict_sentence(r))
    if r.asked is not None and not r.matches_asked:
        lines.append(f"Not the gradient of {r.asked}; {matches_instead(r)}.")
        lines += differing_entries(r, r.asked)
    elif r.identified is None:
        lines += differing_entries(r, "mse")
    if script.skipped:
        shown = ", ".join(str(s.line) for s in script.skipped[:12])
        more = "…" if len(script.skipped) > 12 else ""
        lines.append(f"Not run: top-level statements at lines {shown}{more}.")
    if script.failed_imports:
        failed = "; ".join(f"{n} ({e})" for n, e in script.failed_imports.items())
        lines.append(f"Imports that failed and were not needed: {failed}.")
    return "\n".join(lines)
