"""The ``backprop-verify`` command line: dispatch to the library, and how a run ends.

The grammar and ``--help`` texts are in :mod:`verification.arguments`, the default command and the
refusals of bad usage in :mod:`verification.usage`. Each subcommand hands its
arguments to one function of the library and prints what it returns; the work lives in the modules
named in each handler. ``check``, ``zoo`` and ``converge`` run their work as jobs of
:mod:`verification.runs.jobs` in a supervised child process (:mod:`verification.runs.supervisor`), bounded
by ``--timeout`` and ``--max-memory``. Every JSON object is written strictly
(:mod:`verification.runs.strict_json`).

:func:`main` turns every way a run can end into an exit status (:mod:`verification.runs.exits`): 0
success, 1 a mismatch or nothing identified, 2 a refusal (one line on stderr; with ``--json`` also
``{error, cause, hint}`` on stdout), 3 an internal error (the traceback only with ``--debug``), 74 a
closed or unwritable stdout, 130 Ctrl-C, 141 a closed pipe. No input gives a traceback without
``--debug``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from verification.arguments import build_parser
from verification.runs.exits import EXIT_MISMATCH, EXIT_OK
from verification.runs.limits import Limits
from verification.runs.strict_json import dumps
from verification.runs.supervisor import JobResult, run_job
from verification.runs.terminal import finish, write
from verification.terminal_width import terminal_width
from verification.usage import normalise, unrecognized


def _run_question(args: argparse.Namespace) -> int:
    from verification.question import answer_question, format_question, verdict_line

    answer = answer_question(seed=args.seed, method=args.method)
    if args.json:
        write(dumps(answer.to_dict()))
    else:
        write(verdict_line(answer) if args.quiet else format_question(answer, terminal_width()))
    return EXIT_OK if answer.answers_question else EXIT_MISMATCH


def _run_derive(args: argparse.Namespace) -> int:
    from verification.symbolic.pairs import derive_table
    from verification.symbolic.render import render

    write(render(derive_table(loss=args.loss, activation=args.activation), args.format, terminal_width()))
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from verification.adapters.options import Options
    from verification.identification.request import CheckRequest, Probing
    from verification.reading.targets import Target

    request = CheckRequest(
        target=Target.parse(args.target),
        loss=args.loss,
        probing=Probing(
            seed=args.seed,
            probes=args.probes,
            samples=args.samples,
            method=args.method,
            full=args.full,
            rtol=args.rtol,
            atol=args.atol,
        ),
        options=Options(
            setup=args.setup,
            forward=args.forward,
            gradient=args.gradient,
            step=args.step,
            lr=args.lr,
            layout=args.layout,
            labels=args.labels,
            output=args.output,
        ),
        python2=True if args.python2 else None,
    )
    result = run_job(
        "verification.runs.jobs:check",
        {
            "request": request.to_json(),
            "progress": sys.stderr.isatty(),
            "timeout": args.timeout,
            "width": terminal_width(),
            "quiet": args.quiet,
        },
        _limits(args),
        label=f"the check of {request.target}",
        script=request.target.path,
    )
    return _print_result(args, result)


def _run_zoo(args: argparse.Namespace) -> int:
    kwargs = {"networks": args.networks, "seed": args.seed, "quiet": args.quiet, "width": terminal_width()}
    return _print_result(args, run_job("verification.runs.jobs:zoo", kwargs, _limits(args), label="zoo"))


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, max_memory=args.max_memory)


def _print_result(args: argparse.Namespace, result: JobResult) -> int:
    write(dumps(result.json) if args.json else result.text)
    return result.status


def _run_converge(args: argparse.Namespace) -> int:
    from verification.convergence.plot import check_plot_path

    plot = None if args.plot is None else str(check_plot_path(args.plot))  # before the study, not after
    kwargs = {
        "seeds": args.seeds,
        "first_seed": args.first_seed,
        "learning_rates": list(args.learning_rates),
        "epochs": args.epochs,
        "plot": plot,
        "width": terminal_width(),
    }
    preload = ("matplotlib.pyplot",) if plot is not None else ()
    return _print_result(
        args,
        run_job("verification.runs.jobs:converge", kwargs, _limits(args), label="converge", preload=preload),
    )


_HANDLERS = {
    "question": _run_question,
    "seed": _run_question,
    "derive": _run_derive,
    "check": _run_check,
    "zoo": _run_zoo,
    "converge": _run_converge,
}


def _dispatch(argv: list[str]) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(normalise(argv))
    if extra:
        raise unrecognized(parser.commands, args.command, extra, named=bool(argv) and argv[0] == args.command)
    return _HANDLERS[args.command](args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``backprop-verify``; returns the exit status (table in ``docs/cli.md``).

    Parses and dispatches; how each way a run ends becomes an exit status with at most one line on
    stderr is :func:`verification.runs.terminal.finish`.
    """
    return finish(_dispatch, list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
