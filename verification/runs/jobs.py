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

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.layer_readings import network_reading
from verification.identification.progress import ProgressLine
from verification.identification.report import check_json, format_check, verdict_line
from verification.identification.request import CheckRequest
from verification.identification.several import check_each, format_several, several_json
from verification.reading.targets import SeveralNetworks, SeveralSetups
from verification.runs.exits import EXIT_MISMATCH, EXIT_OK, EXIT_REFUSED, cause_of, resolved
from verification.terminal_width import DEFAULT_WIDTH
from verification.units.check import check_units, units_target
from verification.units.report import format_units, units_json, units_summary
from verification.zoo.run import format_zoo, run_zoo, zoo_summary


def check(
    request: dict[str, Any],
    progress: bool = False,
    timeout: float | None = None,
    width: int = DEFAULT_WIDTH,
    quiet: bool = False,
) -> dict[str, Any]:
    """``backprop-verify check``: identify the loss the backward pass of ``PATH[:NAME]`` is the gradient of;
    or, for a file of units (layer pairs, losses, layer objects, engine operations,
    :func:`verification.units.check.wants_units`), check each backward as the vector–Jacobian product of
    its forward (exit status 0 every unit matches, 1 a mismatch, 2 none could be checked).

    Parameters
    ----------
    request : dict
        A :class:`~verification.identification.request.CheckRequest` as JSON
        (:meth:`~verification.identification.request.CheckRequest.to_json`).
    progress : bool
        Draw a progress line on standard error (the parent's standard error is a terminal).
    timeout : float, optional
        The run's ``--timeout`` in seconds. The job's deadline is ``time.monotonic() + timeout`` at its
        start (the child's start-up before it, about 0.2 s, is not counted): the progress line says at
        once when its estimate goes past it.
    width : int
        Columns the text report and the progress line are fitted to (the parent's terminal width).
    quiet : bool
        The text is the verdict line alone (``check --quiet``).

    Raises
    ------
    InputError
        As :func:`verification.identification.check.check_target`.
    """
    parsed = CheckRequest.from_json(request)
    # as when Python runs the script, its folder is on the path while its code runs: a module beside
    # it imported inside a function is found (the loader adds the folder only while it loads)
    sys.path.insert(0, str(resolved(parsed.target.path).parent))
    found = units_target(
        parsed.target.path, parsed.target.name, explicit=parsed.options.explicit, seed=parsed.probing.seed
    )
    outcome = None
    if found is not None:
        probing = parsed.probing
        report = check_units(
            *found, seed=probing.seed, method=probing.method, full=probing.full, path=parsed.target.path
        )
        outcome = network_reading(parsed, found[0], report, check_target)  # a layer's mismatch, a network
        if outcome is None and report.status == EXIT_REFUSED and parsed.target.name is None:
            outcome, refused = _as_network(parsed)  # loss_and_gradients(x, y, params) of create_classifier's
            if refused is not None and all(r.reason.startswith("cannot tell what") for r in report.results):
                raise refused  # no unit ran: what the network's run found says more
        if outcome is None:
            text = units_summary(report) if quiet else format_units(report, width)
            return {"text": text, "json": units_json(report), "status": report.status}
    line = ProgressLine(sys.stderr, force=progress, timeout=timeout, width=width)
    try:
        outcome = outcome or check_target(parsed, progress=line)
    except SeveralNetworks as several:  # two network classes in one file: each is checked
        each = check_each(parsed, several if isinstance(several, SeveralSetups) else several.names, line)
        line.close()
        text = format_several(each, lambda r: format_check(r, width), verdict_line, quiet, width)
        shown = several_json(each, check_json, lambda e: cause_of(e, parsed.target.path))
        return {"text": text, "json": shown, "status": EXIT_OK if each.success else EXIT_MISMATCH}
    line.close()
    status = EXIT_OK if outcome.result.success else EXIT_MISMATCH
    text = verdict_line(outcome) if quiet else format_check(outcome, width)
    return {"text": text, "json": check_json(outcome), "status": status}


def _as_network(parsed: CheckRequest) -> tuple[Any, InputError | None]:
    """The network check of a file none of whose units could be checked alone (a function that takes
    the parameters the file's builder makes, ``loss_and_gradients(x, y, params)``): its outcome, or
    None and its refusal."""
    try:
        return check_target(parsed), None
    except InputError as exc:
        return None, exc
    except SeveralNetworks:
        return None, None


def converge(
    seeds: int,
    first_seed: int,
    learning_rates: list[float],
    epochs: int,
    plot: str | None = None,
    width: int = DEFAULT_WIDTH,
) -> dict[str, Any]:
    """``backprop-verify converge``: the training study over many seeds, and its figure into ``plot``;
    the text fitted to ``width`` columns.

    Raises
    ------
    InputError
        As :func:`verification.convergence.study.run_study` and
        :func:`verification.convergence.plot.plot_study` (a figure that cannot be written).
    """
    from verification.convergence.plot import plot_study
    from verification.convergence.report import format_study
    from verification.convergence.study import run_study

    study = run_study(seeds=seeds, first_seed=first_seed, learning_rates=learning_rates, epochs=epochs)
    if plot is not None:
        plot_study(study, plot)
    text = format_study(study, width) + ("" if plot is None else f"\n\nFigure: {plot}")
    return {"text": text, "json": {**study.to_dict(), "plot": plot}, "status": EXIT_OK}


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
