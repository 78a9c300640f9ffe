"""Jobs: the work of ``check`` and ``zoo`` as functions that a supervised child process runs.

A job takes JSON-able keyword arguments and returns ``{"text", "json", "status"}``: the report as text
and as a JSON object, and the exit status (0 success, 1 mismatch or nothing identified); the command
line prints the one asked for. :func:`verification.runs.supervisor.run_job` runs a job by its name, e.g.
``"verification.runs.jobs:check"``; errors are raised as usual (:class:`ffnn.validation.InputError` for a
refusal) and travel back to the parent.

The pipelines are imported here at the top, so the child loads them before its memory limit is set;
so is ``numpy.random``, which numpy loads on first use, and which the checked code and the probes use
(under a small ``--max-memory`` its extension modules would no longer fit).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy.random  # noqa: F401  (loaded before the memory limit, see above)

from verification.identification.check import check_target
from verification.identification.progress import ProgressLine
from verification.identification.report import check_json, format_check
from verification.identification.request import CheckRequest
from verification.runs.exits import EXIT_MISMATCH, EXIT_OK, resolved
from verification.zoo.run import format_zoo, run_zoo


def check(request: dict[str, Any], progress: bool = False) -> dict[str, Any]:
    """``backprop-verify check``: identify the loss the backward pass of ``PATH[:NAME]`` is the gradient of.

    Parameters
    ----------
    request : dict
        A :class:`~verification.identification.request.CheckRequest` as JSON
        (:meth:`~verification.identification.request.CheckRequest.to_json`).
    progress : bool
        Draw a progress line on standard error (the parent's standard error is a terminal).

    Raises
    ------
    InputError
        As :func:`verification.identification.check.check_target`.
    """
    parsed = CheckRequest.from_json(request)
    # as when Python runs the script, its folder is on the path while its code runs: a module beside
    # it imported inside a function is found (the loader adds the folder only while it loads)
    sys.path.insert(0, str(resolved(parsed.target.path).parent))
    line = ProgressLine(sys.stderr, force=progress)
    outcome = check_target(parsed, progress=line)
    line.close()
    status = EXIT_OK if outcome.result.success else EXIT_MISMATCH
    return {"text": format_check(outcome), "json": check_json(outcome), "status": status}


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
