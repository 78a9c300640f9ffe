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

from verification.adapters.detection import Options
from verification.identification.check import check_target, format_check
from verification.identification.progress import ProgressLine
from verification.runs.exits import EXIT_MISMATCH, EXIT_OK
from verification.zoo.run import format_zoo, run_zoo


def check(
    target: str,
    loss: str = "auto",
    *,
    seed: int = 0,
    probes: int = 3,
    samples: int = 1,
    method: str = "auto",
    options: dict[str, Any] | None = None,
    full: bool = False,
    progress: bool = False,
    python2: bool | None = None,
) -> dict[str, Any]:
    """``backprop-verify check``: identify the loss the backward pass of ``PATH[:NAME]`` is the gradient of.

    Parameters
    ----------
    target, loss, seed, probes, samples, method, full, python2
        As :func:`verification.identification.check.check_target`.
    options : dict, optional
        The explicit form as given on the command line: ``setup``, ``forward``, ``gradient``, ``step``,
        ``lr``, ``layout``, ``labels`` (None for what is to be detected).
    progress : bool
        Draw a progress line on standard error (the parent's standard error is a terminal).

    Raises
    ------
    InputError
        As :func:`verification.identification.check.check_target`.
    """
    line = ProgressLine(sys.stderr, force=progress)
    outcome = check_target(
        target,
        loss,
        seed=seed,
        probes=probes,
        samples=samples,
        method=method,
        options=Options(**(options or {})),
        full=full,
        progress=line,
        python2=python2,
    )
    line.close()
    status = EXIT_OK if outcome.result.success else EXIT_MISMATCH
    return {"text": format_check(outcome), "json": outcome.to_dict(), "status": status}


def zoo(networks: int = 40, seed: int = 0) -> dict[str, Any]:
    """``backprop-verify zoo``: the checker on every mutant and on ``networks`` correct backward passes.

    Raises
    ------
    InputError
        As :func:`verification.zoo.run.run_zoo`.
    """
    report = run_zoo(networks=networks, seed=seed)
    status = EXIT_OK if report.all_detected and report.false_positives == 0 else EXIT_MISMATCH
    return {"text": format_zoo(report), "json": report.to_dict(), "status": status}
