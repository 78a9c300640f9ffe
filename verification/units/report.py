"""The report of a file's units: a table (unit, kind, verdict, relative error, settings, what differs),
then for each unit that does not match, its worst entries (analytic against numeric) and the settings
where it fails; and the same as JSON (the ``units`` list of DESIGN.md), strict: a number that is not
finite is ``null`` with the reason beside it.
"""

from __future__ import annotations

import math
from typing import Any

from verification.compare.sampling import MISS_PROBABILITY
from verification.terminal_width import DEFAULT_WIDTH, fit, fit_line
from verification.units.check import UnitsReport
from verification.units.run import UnitResult
from verification.units.verdicts import CHECKED, OutputCheck, SettingResult

HEADER = ("unit", "kind", "verdict", "rel. error", "settings", "differs")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1e}"


def _settings_cell(r: UnitResult) -> str:
    checked = [s for s in r.settings if s.verdict in CHECKED]
    if not checked:
        return ""
    passed = sum(s.verdict != "mismatch" for s in checked)
    return f"{passed}/{len(checked)}"


def _differs_cell(r: UnitResult) -> str:
    if r.verdict in ("stub", "refused"):
        return r.reason
    if r.verdict == "mismatch" and not r.differs:
        return r.reason
    return ", ".join(r.differs)


def _table(results: list[UnitResult], width: int) -> list[str]:
    """The aligned table; a ``differs`` cell too long for ``width`` continues under its own column, or,
    when that column is narrower than :data:`NARROW` (long unit names), on lines of its own below the
    row, indented."""
    rows = [HEADER] + [
        (r.unit, r.kind, r.verdict, _number(r.max_relative_error), _settings_cell(r), _differs_cell(r))
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    column = " " * (2 + sum(w + 2 for w in widths))
    lines = []
    below = width - len(column) < NARROW
    for row in rows:
        cells = [row[i].rjust(widths[i]) if i == 3 else row[i].ljust(widths[i]) for i in range(len(widths))]
        last = "" if below and len(row[-1]) > width - len(column) else row[-1]
        lines += fit_line(("  " + "  ".join(cells) + "  " + last).rstrip(), width, continuation=column)
        if last != row[-1]:
            lines += fit_line("      " + row[-1], width, continuation="      ")
    return lines


NARROW = 20
"""The narrowest ``differs`` column a reason is wrapped in; below it, the reason goes under its row."""


def _method(s: SettingResult) -> str:
    return {"complex-step": "complex step", "richardson": "Richardson"}.get(s.method, s.method)


def _output_lines(o: OutputCheck, s: SettingResult) -> list[str]:
    if o.problem:
        return [f"    {o.name}: {o.problem}"]
    if o.report is None:
        return []
    constant = ""
    if o.constant is not None:
        constant = "; it is the gradient with its sign flipped" if abs(o.constant + 1) < 1e-6 else ""
        constant = constant or f"; it is {o.constant:.6g} × the gradient"
    elements = len(o.report.worst) and o.checked
    lines = [
        f"    {o.name}: relative error {o.report.relative_error:.2e}; {o.report.flagged} outside tolerance "
        f"of {elements} checked ({_method(s)}){constant}"
    ]
    for e in o.report.worst:
        if e.abs_error == 0 and o.verdict != "mismatch":
            continue
        index = f" along {e.index}" if isinstance(e.index, str) else f"[{', '.join(map(str, e.index))}]"
        index = "" if index == "[]" else index
        kind = " (kink)" if e.kink else ""
        values = f"analytic {e.analytic:.6e}, numeric {e.numeric:.6e} ± {e.error_estimate:.1e}"
        lines.append(f"      {o.name}{index}: {values}{kind}")
    return lines


def _verdict_phrase(r: UnitResult) -> str:
    """``mismatch, dx differs``: the unit's verdict and what differs, kept on one line when fitted."""
    if not r.differs:
        return r.verdict
    return f"{r.verdict}, {', '.join(r.differs)} differ{'s' if len(r.differs) == 1 else ''}"


def _details(r: UnitResult) -> list[str]:
    pieces = ", ".join(p for p in (r.forward, r.backward) if p)
    lines = [f"{r.unit} ({pieces}): {_verdict_phrase(r)}"]
    failing = [s for s in r.settings if s.verdict == r.verdict]
    first = failing[0] if failing else None
    if first is not None:
        lines.append(f"  at {first.setting}:" + (f" {first.reason}" if first.reason else ""))
        for o in first.outputs:
            if o.verdict == r.verdict or o.problem:
                lines += _output_lines(o, first)
    fails = [s.setting for s in r.settings if s.verdict == "mismatch"]
    passes = [s.setting for s in r.settings if s.verdict == "matches"]
    if r.verdict == "mismatch":
        lines.append(
            f"  fails in: {'; '.join(fails)}" + (f"; matches in: {'; '.join(passes)}" if passes else "")
        )
    return lines


def _coverage(report: UnitsReport) -> str:
    if report.full:
        return "every entry one by one (--full)"
    sampled = [
        o.detectable for r in report.results for s in r.settings for o in s.outputs if o.detectable > 0
    ]
    text = "a sample of entries one by one and every entry jointly along two random directions per tensor"
    if not sampled:
        return text + " (here every entry was checked one by one)"
    worst = max(sampled)
    if not math.isfinite(worst):  # a tensor sampled with no bound on what one wrong entry can hide
        return (
            f"{text}: for some tensors no size of error in one entry is sure to be caught (--full checks all)"
        )
    guarantee = f"{worst:.0e} × its root-mean-square entry"
    return (
        f"{text}: one entry of a gradient wrong by {guarantee} or more is caught with probability "
        f"≥ {1 - MISS_PROBABILITY:.1%} (--full checks every entry)"
    )


def _counts(report: UnitsReport) -> dict[str, int]:
    """Units per verdict, in the order the verdicts first occur."""
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    return counts


def units_summary(report: UnitsReport) -> str:
    """The one line ``check --quiet`` prints for a file of units: how many, and their verdicts."""
    summary = ", ".join(f"{n} {v}" for v, n in _counts(report).items())
    count = len(report.results)
    line = f"Checked {count} unit{'s' if count != 1 else ''} in {report.path}: {summary}"
    if report.unchecked:
        line += (
            f"; not checked: {', '.join(report.unchecked)} (named like gradients; no forward pass was "
            "found to hold them against, so this is no verdict on them)"
        )
    return line


def format_units(report: UnitsReport, width: int = DEFAULT_WIDTH) -> str:
    """The text report (see the module docstring), fitted to ``width`` columns
    (:mod:`verification.terminal_width`): the table by its own rule, every other line wrapped with a
    unit's verdict phrase and the counts kept whole."""
    head = [
        units_summary(report),
        f"  each backward against the numeric Jᵀ·dout of its forward over a grid of settings, seed "
        f"{report.seed}; complex step where the forward is complex-safe, else Richardson",
        f"  {_coverage(report)}",
    ]
    tail = [
        "  (relative error ‖g_code − g_numeric‖ / max(‖g_code‖, ‖g_numeric‖), the largest over gradients "
        "and settings; settings: those that match of those checked)"
    ]
    for r in report.results:
        if r.verdict in ("mismatch", "kink"):
            tail += ["", *_details(r)]
        noted = {f"{o.name}: {o.note}" for s in r.settings for o in s.outputs if o.note}
        if noted and r.verdict not in ("mismatch", "kink"):
            tail += ["", f"{r.unit}: {r.verdict}; " + "; ".join(sorted(noted))]
    if report.network:
        tail += ["", report.network]
    notes = list(dict.fromkeys(f"{r.unit}: {s.note}" for r in report.results for s in r.settings if s.note))
    if notes:
        tail += ["", "Notes:", *(f"  {n}" for n in notes)]
    refused = refusal(report)
    if refused is not None:
        tail += ["", f"Refused ({refused['cause']}): {refused['error']} (hint: {refused['hint']})"]
    if report.failed_imports:
        tail += ["", "Failed imports (placeholders; a class deriving from one got an empty stand-in base): "]
        tail[-1] += ", ".join(f"{k} ({v})" for k, v in report.failed_imports.items())
    keep = [_verdict_phrase(r) for r in report.results] + [f"{n} {v}" for v, n in _counts(report).items()]
    lines = [*fit(head, width, keep), "", *_table(report.results, width), "", *fit(tail, width, keep)]
    return "\n".join(lines)


def _finite(value: float | None, field: str, out: dict[str, Any]) -> None:
    if value is not None and not math.isfinite(value):
        out[field] = None
        out[f"{field}_note"] = f"not finite ({value})"
    else:
        out[field] = value


def _output_json(o: OutputCheck) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": o.name,
        "verdict": o.verdict,
        "problem": o.problem or None,
        "note": o.note or None,
        "constant": o.constant,
    }
    _finite(o.relative_error, "relative_error", out)
    out["checked"] = o.checked
    _finite(o.detectable if o.detectable else None, "detectable_relative_error", out)
    out["worst"] = [e.to_dict() for e in (o.report.worst if o.report else [])]
    return out


def unit_json(r: UnitResult) -> dict[str, Any]:
    """One entry of the ``units`` list."""
    out: dict[str, Any] = {
        "unit": r.unit,
        "kind": r.kind,
        "forward": r.forward,
        "backward": r.backward,
        "verdict": r.verdict,
        "differs": r.differs,
        "settings": [
            {
                "setting": s.setting,
                "verdict": s.verdict,
                "differs": s.differs,
                "method": s.method or None,
                "reason": s.reason or None,
                "note": s.note or None,
                "outputs": [_output_json(o) for o in s.outputs],
            }
            for s in r.settings
        ],
    }
    _finite(r.max_relative_error, "max_relative_error", out)
    out["reason"] = r.reason or None
    out["seconds"] = r.seconds
    return out


UNITS_HINT = (
    "check one unit by name (FILE:NAME), or the network with the explicit form: --setup, --forward, "
    "--gradient (or --step and --lr)"
)


def refusal(report: UnitsReport) -> dict[str, str] | None:
    """``{error, cause, hint}`` for a file none of whose units could be checked (exit status 2), as any
    refusal says it (DESIGN.md: one line, a cause of :data:`~verification.runs.exits.CAUSES`): the
    first unit's reason, ``code-failed`` when the code raised there, else ``input``; None otherwise."""
    if report.status != 2 or not report.results:
        return None
    first = next((r for r in report.results if r.reason), report.results[0])
    reason = first.reason or first.verdict
    cause = "code-failed" if " raised " in f" {reason} " else "input"
    said = reason if reason.startswith(first.unit) else f"{first.unit}: {reason}"
    count = len(report.results)
    which = (
        "its one unit could not be checked" if count == 1 else f"none of its {count} units could be checked"
    )
    if count == 1 and any(s.convention for s in first.settings):  # checked; a match only under a
        which = "its one unit got no verdict"  # convention of the caller
    error = f"{which}: {said}"
    return {"error": error, "cause": cause, "hint": UNITS_HINT}


def units_json(report: UnitsReport) -> dict[str, Any]:
    """The JSON object of the check (strict: no NaN or Infinity); with ``error``, ``cause`` and ``hint``
    when no unit could be checked (:func:`refusal`)."""
    return (refusal(report) or {}) | {
        "path": report.path,
        "units": [unit_json(r) for r in report.results],
        "seed": report.seed,
        "method": report.method,
        "full": report.full,
        "miss_probability": None if report.full else MISS_PROBABILITY,
        "status": report.status,
        "seconds": report.seconds,
        "failed_imports": report.failed_imports,
        "network": report.network or None,
        "not_checked": report.unchecked,
    }
