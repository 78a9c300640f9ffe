"""The report of identification and of ``check``, as text and as JSON: rendering only (the verdict is decided
in :mod:`verification.identification.verdicts`, sentences in :mod:`verification.identification.sentences`):
the per-loss and per-tensor table, the first tensor that differs with its worst entries, what the code
back-propagates, the batch, coverage and notes, and the JSON object of ``check`` (DESIGN.md's fields)."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from verification.identification.outcome import CheckReport, IdentificationReport
from verification.identification.sentences import (
    FORMULAS,
    derived_result,
    format_scale,
    matches_instead,
    not_applicable_line,
    override_note,
    penalty_text,
    scaled_expression,
    verdict_sentence,
)
from verification.identification.skipped_lines import skipped_lines
from verification.identification.verdicts import REDUCTIONS, LossReport, Verdict
from verification.terminal_width import DEFAULT_WIDTH, fit, fit_table, wrap_command


def to_dict(result: IdentificationReport) -> dict[str, Any]:
    """The JSON object of ``backprop-verify check`` (field names stable, see DESIGN.md)."""
    parameters = {}
    for n in result.backward_order:
        loss, scale = result.parameter_identified(n)
        against = result.verdict.against.get(n)
        error = None if against is None else result.candidate(against).parameters[n].max_relative_error
        parameters[n] = {"identified": loss, "scale": scale, "max_relative_error": error, "against": against}
    candidates = []
    for c in result.candidates:
        first = result.first_mismatch(c.loss) if c.verdict != "not applicable" else None
        candidates.append(
            {
                "loss": c.loss,
                "verdict": c.verdict,
                "scale": c.scale,
                "max_relative_error": c.max_relative_error,
                "first_mismatch": None if first is None else first.name,
                "reason": c.reason,
                "parameters": {
                    n: {
                        "verdict": t.verdict,
                        "scale": t.scale,
                        "max_relative_error": t.max_relative_error,
                        "cosine": min(r.cosine for r in t.reports),
                    }
                    for n, t in c.parameters.items()
                },
            }
        )
    return {
        "command": "check",
        "code": result.subject,
        "convention": result.convention,
        "seed": result.seed,
        "probes": result.probes,
        "samples": result.samples,
        "method": result.method,
        "asked": result.asked,
        "matches_asked": result.matches_asked,
        "identified": result.identified,
        "holds_for_batches": _batches(result.verdict),
        "success": result.success,
        "scale": result.scale,
        "deviation": result.verdict.deviation,
        "scale_text": format_scale(result.scale, result.rtol) if result.scale is not None else None,
        "verdict": verdict_sentence(result),
        "also": result.also,
        "split": result.split,
        "parameters": parameters,
        "candidates": candidates,
        "notes": result.notes,
        "coverage": {n: c.to_dict() for n, c in result.coverage.items()},
        "method_note": result.method_note or None,
        "lr_known": result.lr_known,
        "layout": result.layout or None,
        "batch": None if result.verdict.batch is None else asdict(result.verdict.batch),
        "labels": None if result.verdict.labels is None else asdict(result.verdict.labels),
        "precision": result.precision,
        "output_error": None
        if result.verdict.output_error is None
        else result.verdict.output_error.to_dict(),
        "rtol": result.rtol,
        "atol": result.atol,
        "tolerance_given": result.derived is not None,
        "derived_verdict": None if result.derived is None else verdict_sentence(derived_result(result)),
    }


def differing_entries(result: IdentificationReport, loss: str, limit: int = 3) -> list[str]:
    """Lines naming the first tensor (output layer first) that differs from ``loss`` (with no learning rate
    known, at any scale: one off by the rate alone is not where it breaks) and its worst entries."""
    unknown = not result.lr_known
    first = (result.first_mismatch(loss, scaled=False) if unknown else None) or result.first_mismatch(loss)
    if first is None:
        return []
    probe = max(range(len(first.reports)), key=lambda i: first.reports[i].relative_error)
    report = first.reports[probe]
    checked = (
        result.coverage[first.name].checked[probe]
        if first.name in result.coverage
        else math.prod(report.shape)
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


def format_check(outcome: CheckReport, width: int = DEFAULT_WIDTH) -> str:
    """The report of ``check`` as text: the recipe run, coverage, a table of losses by tensor, the
    verdict; every line fitted to ``width`` columns (:mod:`verification.terminal_width`)."""
    r, script = outcome.result, outcome.script
    method = f"{r.method} differences of the output, one Jacobian per probe for every loss"
    if r.method_note:
        method += f" ({r.method_note})"
    note = override_note(r)
    lines = [f"Checked {r.subject} in {script.path}"]
    if outcome.command:
        lines += wrap_command("  as: ", outcome.command, width)
    lines += fit(
        [
            f"  gradient: {r.convention}; {r.layout}",
            f"  {r.probes} probes of {r.samples} sample(s), weights, inputs and labels from seed {r.seed}; "
            f"{method}",
            *(
                f"  covered: {c.describe()}"
                for c in r.coverage.values()
                if not all(n >= c.size for n in c.checked)
            ),
            *(f"  note: {n}" for n in r.notes),
            *([] if note is None else [f"  note: {note}"]),
            *_batch_lines(r),
            *_label_lines(r),
        ],
        width,
    )
    lines += ["", *loss_table(r, width), ""]
    tail = [
        "  (relative error ‖g_code − g_numeric‖ / max(‖g_code‖, ‖g_numeric‖) over the entries checked, "
        "worst probe)"
    ]
    tail += [] if (left := not_applicable_line(r)) is None else [left]  # bce: outputs in (0, 1)
    if any(rep.kinks for c in r.candidates for t in c.parameters.values() for rep in t.reports):
        tail.append("  * entries whose difference steps crossed a kink (a ReLU at 0) are left out")
    tail += ["", verdict_sentence(r)]
    if r.asked is not None and not r.matches_asked:
        tail.append(f"Not the gradient of {r.asked}; {matches_instead(r)}.")
        tail += differing_entries(r, r.asked)
    elif r.identified is None:
        tail += _per_tensor(r)
        tail += _output_error_lines(r)
        tail += [] if r.verdict.penalized else differing_entries(r, str(r.verdict.closest))
    said, places = skipped_lines(script, outcome.command)  # the loop the check ran is not "not run"
    tail += said
    if script.failed_imports:
        failed = "; ".join(f"{n} ({e})" for n, e in script.failed_imports.items())
        tail.append(f"Imports that failed and were not needed: {failed}.")
    return "\n".join(lines + fit(tail, width, keep=(*FORMULAS, *places)))


def verdict_line(outcome: CheckReport) -> str:
    """The one line ``check --quiet`` prints: the answer to the question asked (the asked loss, or
    which loss the code is the gradient of)."""
    r = outcome.result
    if r.asked is not None and not r.matches_asked:
        return f"{r.subject} is not the gradient of {r.asked}; {matches_instead(r)}"
    return verdict_sentence(r)


def loss_table(r: IdentificationReport, width: int = DEFAULT_WIDTH) -> list[str]:
    """The table of every loss by tensor: each cell the tensor's verdict and relative error, then the
    loss's verdict; split into blocks of tensors when it is wider than ``width``
    (:func:`verification.terminal_width.fit_table`)."""
    rows = [["loss", *(n[:22] for n in r.backward_order), "verdict"]]
    for c in r.candidates:
        verdict = c.verdict
        if verdict == "matches up to scale":
            verdict += f" {format_scale(c.scale, r.rtol)}"
        rows.append([c.loss, *(_cell(c, n, r.rtol) for n in r.backward_order), verdict])
    return fit_table(rows, width)


def _cell(c: LossReport, name: str, rtol: float) -> str:
    """One cell of :func:`loss_table`: ``matches (3.7e-15)``, ``× 2 (1.2e-15)``, ``mismatch* (…)``."""
    t = c.parameters.get(name)
    if t is None:
        return "-"
    word = {"matches": "matches", "mismatch": "mismatch"}.get(t.verdict, f"× {format_scale(t.scale, rtol)}")
    kink = "*" if any(rep.kinks for rep in t.reports) else ""
    return f"{word}{kink} ({t.max_relative_error:.1e})"


def _output_error_lines(r: IdentificationReport) -> list[str]:
    """For a verdict of no loss: what the code back-propagates."""
    found = r.verdict.output_error
    if found is None:
        return []
    if not found.consistent:
        where = f"; it breaks at {found.first_mismatch} (output layer first)" if found.first_mismatch else ""
        how = f"inconsistently{where}" + (  # the softmax's Jacobian has the ones in its null space
            ", or an error of the scores that does not sum to zero per sample (s − y handed on as it is), "
            "which no error of the softmax of the output can give"
            if r.reading == "softmax"
            else ""
        )
        return [
            "  output error: no single output error explains every tensor (relative residual "
            f"{found.residual:.1e}): the layers back-propagate {how}"
        ]
    missing = ""
    if found.left_out:
        verb = "gets" if len(found.left_out) == 1 else "get"
        missing = (
            f" in the tensors given a gradient; {', '.join(found.left_out)} {verb} none, which is what fails"
        )
    if found.expression is None and found.loss is None:
        return [
            "  output error: the code back-propagates one output error e (relative residual "
            f"{found.residual:.1e}), but none of the usual expressions: a setup or a loss outside the "
            f"catalog{missing}"
        ]
    shown = found.expression or "∂ℓ/∂a"
    scale = found.scale if found.expression else found.loss_scale
    e = scaled_expression(shown, scale, r.rtol)
    residual = f"relative residual {found.residual:.1e}"
    line = f"  output error: the code consistently back-propagates e = {e} ({residual})"
    if found.loss is not None:
        of = f"∂ℓ/∂a of {found.loss}"
        times = scaled_expression(of, found.loss_scale, r.rtol)
        line += f", the {of}" if times == of else f", which is {times}"
        if found.deviation is not None:
            line += f" to a relative {found.deviation:.1e}"
        if found.penalty:
            decay = penalty_text(found.penalty, found.penalty_error, r.rtol)
            line += f"; every tensor's gradient adds that of an L2 penalty {decay}"
    elif not missing:
        line += ", which is the gradient of no catalog loss at these outputs"
    return [line + missing]


def _label_lines(r: IdentificationReport) -> list[str]:
    """The line on how the verdict was checked beyond one-hot labels (nothing when it was not)."""
    labels = r.verdict.labels
    if labels is None:
        return []
    if labels.holds is None:
        return [f"  labels: not probed beyond one-hot ({labels.reason})"]
    if labels.holds:
        return [f"  labels: the gradient holds for {labels.labels} too, not only one-hot labels"]
    return [
        f"  labels: with {labels.labels} {labels.first_mismatch} differs (relative error "
        f"{labels.relative_error:.1e}): the gradient holds for one-hot labels only"
    ]


def _batch_lines(r: IdentificationReport) -> list[str]:
    """The line on how the verdict was checked on a batch (nothing when it was not)."""
    batch = r.verdict.batch
    if batch is None:
        return []
    if batch.reduction is None:  # a step on samples it draws itself is probed, but not judged
        judged = "probed, not judged" if "draws its own" in (batch.reason or "") else "not probed"
        return [f"  batch: {judged} ({batch.reason})"]
    if batch.reduction == "sequential":
        taken = list(batch.order or ())
        shuffled = taken != sorted(taken)
        order = f", in the order {', '.join(map(str, taken))} it shuffled them to" if shuffled else ""
        return [
            f"  batch: at {batch.samples} samples the update is the code's own one-sample steps taken in "
            f"turn (online gradient descent){order}"
        ]
    if batch.reduction == "mini-batches":
        size = (batch.order or (0,))[0]
        return [
            f"  batch: at {batch.samples} samples the update is the code's own steps on mini-batches of "
            f"{size} taken in turn, each the gradient of the {batch.reason} over its mini-batch"
        ]
    if batch.reduction == "reshaped":
        return [f"  batch: {batch.reason}"]
    if batch.reduction == "one":
        alone = (batch.order or (0,))[0]
        return [
            f"  batch: at {batch.samples} samples the update is the code's own step on sample {alone} alone "
            "(the others are left out)"
        ]
    how = REDUCTIONS.get(batch.reduction)
    if how is None:
        return [f"  batch: at {batch.samples} samples the gradient is neither the batch mean nor the sum"]
    given = f" ({batch.reason})" if batch.reason else ""  # labels given 1-D at the batch
    return [f"  batch: at {batch.samples} samples the gradient is that of {how}{given}"]


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


def check_json(outcome: CheckReport) -> dict[str, Any]:
    """The JSON object of ``check``: the identification fields, the recipe, what the loader skipped."""
    out = {"target": str(outcome.target), **to_dict(outcome.result)}
    r = outcome.recipe
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
            "command": outcome.command,
        }
    )
    out["not_run"] = [{"line": s.line, "kind": s.kind} for s in outcome.script.skipped]
    out["failed_imports"] = dict(outcome.script.failed_imports)
    out["seconds"] = outcome.seconds
    out["python2"] = outcome.python2
    out["alternatives"] = [{"option": a.option, "verdict": a.verdict} for a in outcome.alternatives]
    return out


def _batches(verdict: Verdict) -> bool | None:
    """``holds_for_batches`` for the JSON: true or false as a batch probe found, null when no batch was
    probed (code that takes one sample at a time, or fails on a batch: ``batch.reason`` says which),
    so that a reader of the field alone is not told a batch was confirmed."""
    batch = verdict.batch
    return None if batch is None or batch.reduction is None else verdict.holds_for_batches
