"""The ``check`` command's work: load a script, adapt the code in it, identify its loss, and report.

:func:`check_target` loads ``PATH.py[:NAME]`` without running its top-level statements
(:mod:`verification.reading.loader`), makes a subject of the code by the explicit form or by detection
(:mod:`verification.adapters.detection`) and identifies the loss its backward pass is the gradient of
(:mod:`verification.identification.identify`); :func:`format_check` writes the report as text,
:meth:`CheckReport.to_dict` as JSON. Both print the explicit form that was run, so a reader can repeat
and edit it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ffnn.validation import InputError
from verification.adapters.detection import Options, adapt
from verification.adapters.recipe import Recipe
from verification.identification.identify import identify
from verification.identification.report import IdentificationReport, format_scale, to_dict, verdict_sentence
from verification.reading.loader import LoadedScript, load_script
from verification.reading.sources import Python2Syntax
from verification.reading.targets import default_name, parse_target


def differing_entries(result: IdentificationReport, loss: str, limit: int = 3) -> list[str]:
    """Lines naming the first tensor (output layer first) that differs from ``loss`` and its worst
    entries, analytic against numeric, at the probe where it differs most."""
    first = result.first_mismatch(loss)
    if first is None:
        return []
    probe = max(range(len(first.reports)), key=lambda i: first.reports[i].relative_error)
    report = first.reports[probe]
    checked = (
        result.coverage[first.name].checked[probe]
        if first.name in result.coverage
        else shape_size(report.shape)
    )
    directions = result.coverage[first.name].directions if first.name in result.coverage else 0
    lines = [
        f"  first parameter that differs from {loss} (output layer first): {first.name}, "
        f"{report.flagged} of the {checked + directions} values checked ({checked} entries, "
        f"{directions} random directions) outside tolerance at probe {probe} (seed {result.seed}), "
        f"relative error {report.relative_error:.2e}"
    ]
    for e in report.worst[:limit]:
        where = f" along {e.index}" if isinstance(e.index, str) else str(list(e.index))
        lines.append(
            f"    {first.name}{where}: analytic {e.analytic:.6e}, numeric {e.numeric:.6e} "
            f"± {e.error_estimate:.1e}"
        )
    return lines


def closest_loss(result: IdentificationReport) -> str:
    """The loss to show differences from when none is identified: the one the most tensors match
    (exactly or up to scale), of those the one with the smallest relative error."""
    applicable = [c for c in result.candidates if c.parameters]
    matched = {c.loss: sum(t.verdict != "mismatch" for t in c.parameters.values()) for c in applicable}
    best = max(applicable, key=lambda c: (matched[c.loss], -(c.max_relative_error or 0.0)))
    return best.loss


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
    """What ``backprop-verify check`` found: the loaded script, the recipe run, and the identification."""

    target: str
    script: LoadedScript
    result: IdentificationReport
    recipe: Recipe | None = None
    seconds: float = 0.0
    python2: bool = False

    @property
    def command(self) -> str | None:
        """The explicit command line that repeats the check."""
        path = (
            self.target.rsplit(":", 1)[0]
            if self.target.count(":") and not self.target.endswith(".py")
            else self.target
        )
        if self.recipe is None:
            return None
        return self.recipe.command(path) + (" --python2" if self.python2 else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``check``: the identification fields, the recipe, what the loader skipped."""
        out = {"target": self.target, **to_dict(self.result)}
        r = self.recipe
        out["recipe"] = (
            None
            if r is None
            else {
                "setup": r.setup,
                "forward": r.forward,
                "gradient": r.gradient,
                "step": r.step,
                "lr": r.lr,
                "layout": r.layout.inputs,
                "labels": r.layout.labels,
                "command": self.command,
            }
        )
        out["not_run"] = [{"line": s.line, "kind": s.kind} for s in self.script.skipped]
        out["failed_imports"] = dict(self.script.failed_imports)
        out["seconds"] = self.seconds
        out["python2"] = self.python2
        return out


def check_target(
    target: str,
    loss: str = "auto",
    *,
    seed: int = 0,
    probes: int = 3,
    samples: int = 1,
    method: str = "auto",
    options: Options | None = None,
    full: bool = False,
    progress: Any = None,
    python2: bool | None = None,
) -> CheckReport:
    """Load ``PATH.py[:NAME]`` without running its top-level statements, make a subject of the code and
    identify its loss.

    Parameters
    ----------
    target : str
        ``PATH.py:NAME`` (a class, or a method of one), or ``PATH.py`` with the explicit form.
    loss, seed, probes, samples, method, full, progress :
        As in :func:`verification.identification.identify.identify`.
    options : Options, optional
        The explicit form's pieces and the layout (:class:`verification.adapters.detection.Options`).
    python2 : bool or None
        True: the script is Python 2, translate it with 2to3 before loading it. None (the default):
        translate it when reading it as Python 3 finds Python 2 syntax, and say so in the report.
        False: refuse Python 2 syntax.

    Raises
    ------
    InputError
        File or name not found, code that raises, wrong shapes, non-finite values, a zero learning
        rate: one line naming the problem.
    """
    import time

    start = time.perf_counter()
    options = options or Options()
    path, name = parse_target(target)
    script, translated = _load(path, python2)
    code = None if name is None and options.explicit else script.get(name) if name else _default(script)
    subject = adapt(code, options, script)
    if translated:
        subject.notes.insert(0, f"{translated}; translated by 2to3{_division_note(script)}")
    result = identify(
        subject, loss, seed=seed, probes=probes, samples=samples, method=method, full=full, progress=progress
    )
    seconds = time.perf_counter() - start
    return CheckReport(target, script, result, subject.recipe, seconds, python2=bool(translated))


def _division_note(script: LoadedScript) -> str:
    """``: / at lines 12, 30 divides exactly now, where Python 2 floored two integers`` for the
    divisions whose operands are not float literals (which may have been integers), else ``""``."""
    import ast

    lines = sorted(
        {
            node.lineno
            for node in ast.walk(script.tree)
            if isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and not any(
                isinstance(side, ast.Constant) and isinstance(side.value, float)
                for side in (node.left, node.right)
            )
        }
    )
    if not lines:
        return ""
    shown = ", ".join(map(str, lines[:6])) + ("…" if len(lines) > 6 else "")
    where = f"line {shown}" if len(lines) == 1 else f"lines {shown}"
    return f": / at {where} divides exactly now, where Python 2 floored two integers"


def _load(path: str, python2: bool | None) -> tuple[LoadedScript, str]:
    """The loaded script, and why it was translated from Python 2 (empty when it was not): asked for
    (``python2=True``), or Python 2 syntax found when read as Python 3 (``python2=None``)."""
    if python2:
        return load_script(path, python2=True), "read as Python 2 (--python2)"
    try:
        return load_script(path), ""
    except Python2Syntax as exc:
        if python2 is not None:
            raise
        at = f"line {exc.line}: " if exc.line else ""
        try:
            return load_script(path, python2=True), f"read as Python 2 ({at}{exc.construct})"
        except InputError as failed:
            raise InputError(f"{exc}, and reading it as Python 2 failed: {failed}", hint=exc.manual) from None


def _default(script: LoadedScript) -> Any:
    name = default_name(script)
    return None if name is None else script.get(name)


def format_check(outcome: CheckReport) -> str:
    """The report of ``check`` as text: the recipe run, coverage, a table of losses by tensor, the verdict."""
    r, script = outcome.result, outcome.script
    names = r.backward_order
    method = f"{r.method} differences of the output, one Jacobian per probe for every loss"
    if r.method_note:
        method += f" ({r.method_note})"
    lines = [f"Checked {r.subject} in {script.path}"]
    if outcome.command:
        lines.append(f"  as: {outcome.command}")
    lines += [
        f"  gradient: {r.convention}; {r.layout}",
        f"  {r.probes} probes of {r.samples} sample(s), weights, inputs and labels from seed {r.seed}; "
        f"{method}",
        *(
            f"  covered: {c.describe()}"
            for c in r.coverage.values()
            if not all(n >= c.size for n in c.checked)
        ),
        *(f"  note: {n}" for n in r.notes),
        "",
        f"  {'loss':<14}" + "".join(f"{n[:22]:<24}" for n in names) + "verdict",
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
    lines += [
        "",
        "  (relative error ‖g_code − g_numeric‖ / max(‖g_code‖, ‖g_numeric‖) over the entries checked, "
        "worst probe)",
    ]
    if any(rep.kinks for c in r.candidates for t in c.parameters.values() for rep in t.reports):
        lines.append("  * entries whose difference steps crossed a kink (a ReLU at 0) are left out")
    lines.append("")
    lines.append(verdict_sentence(r))
    if r.asked is not None and not r.matches_asked:
        lines.append(f"Not the gradient of {r.asked}; {matches_instead(r)}.")
        lines += differing_entries(r, r.asked)
    elif r.identified is None:
        lines += _per_tensor(r)
        lines += differing_entries(r, closest_loss(r))
    if script.skipped:
        shown = ", ".join(str(s.line) for s in script.skipped[:12])
        more = "…" if len(script.skipped) > 12 else ""
        which = "statements at lines" if len(script.skipped) > 1 else "statement at line"
        lines.append(f"Not run: top-level {which} {shown}{more}.")
    if script.failed_imports:
        failed = "; ".join(f"{n} ({e})" for n, e in script.failed_imports.items())
        lines.append(f"Imports that failed and were not needed: {failed}.")
    return "\n".join(lines)


def _per_tensor(r: IdentificationReport) -> list[str]:
    """For a 'none' verdict: which tensors do match which loss, so a reviewer knows where to look."""
    parts = []
    for n in r.backward_order:
        loss, scale = r.parameter_identified(n)
        if loss is None:
            parts.append(f"{n} matches no loss")
        else:
            parts.append(
                f"{n} matches {loss}" + ("" if scale == 1.0 else f" × {format_scale(scale, r.rtol)}")
            )
    return [f"  per tensor: {'; '.join(parts)}"]
