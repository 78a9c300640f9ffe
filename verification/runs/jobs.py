"""Jobs: the work of ``check`` and ``zoo`` as functions that a supervised child process runs.

A job takes JSON-able keyword arguments and returns ``{"text", "json", "status"}``: the report as text
and as a JSON object, and the exit status (0 success, 1 mismatch or nothing identified); the command
line prints the one asked for. :func:`verification.runs.supervisor.run_job` runs a job by its name, e.g.
``"verification.runs.jobs:check"``; errors are raised as usual (:class:`ffnn.validation.InputError` for a
refusal) and travel back to the parent.

The pipelines are imported here at the top, so the child loads them before its memory limit is set.
"""

from __future__ import annotations

import sys
from typing import Any

from verification.identification.check import check_target
from verification.identification.progress import ProgressLine
from verification.identification.report import check_json, format_check, verdict_line
from verification.identification.request import CheckRequest
from verification.runs.exits import EXIT_MISMATCH, EXIT_OK
from verification.terminal_width import DEFAULT_WIDTH
from verification.zoo.run import format_zoo, run_zoo, zoo_summary


def check(
    request: dict[str, Any], progress: bool = False, width: int = DEFAULT_WIDTH, quiet: bool = False
) -> dict[str, Any]:
    """``backprop-verify check``: identify the loss the backward pass of ``PATH[:NAME]`` is the gradient of.

    Parameters
    ----------
    request : dict
        A :class:`~verification.identification.request.CheckRequest` as JSON
        (:meth:`~verification.identification.request.CheckRequest.to_json`).
    progress : bool
        Draw a progress line on standard error (the parent's standard error is a terminal).
    width : int
        Columns the text report is fitted to (the parent's terminal width).
    quiet : bool
        The text is the verdict line alone (``check --quiet``).

    Raises
    ------
    InputError
        As :func:`verification.identification.check.check_target`.
    """
    line = ProgressLine(sys.stderr, force=progress, width=width)
    outcome = check_target(CheckRequest.from_json(request), progress=line)
    line.close()
    status = EXIT_OK if outcome.result.success else EXIT_MISMATCH
    text = verdict_line(outcome) if quiet else format_check(outcome, width)
    return {"text": text, "json": check_json(outcome), "status": status}


def zoo(networks: int = 40, seed: int = 0, quiet: bool = False, width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """``backprop-verify zoo``: the checker on every mutant and on ``networks`` correct backward passes;
    the text fitted to ``width`` columns, or with ``quiet`` the summary lines alone.

    Raises
    ------
    InputError
        As :func:`verification.zoo.run.run_zoo`.
    """
    report = run_zoo(networks=networks, seed=seed)
    status = EXIT_OK if report.all_detected and report.false_positives == 0 else EXIT_MISMATCH
    text = "\n".join(zoo_summary(report)) if quiet else format_zoo(report, width)
    return {"text": text, "json": report.to_dict(), "status": status}
