"""The ``backprop-verify`` command line's arguments: the parser of every subcommand, with ``--help``
texts that teach (wrapped to the terminal), and argument types that refuse bad values with one line
naming the value.

:func:`build_parser` is the whole grammar. A bad argument raises
:class:`verification.usage.UsageError` (exit status 2, cause ``usage``) instead of argparse's exit, so
that :func:`verification.runs.terminal.finish` can report it like every other refusal; the default
command and the refusals of what the parser did not know are :mod:`verification.usage`.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from verification.adapters.layouts import LABEL_FORMATS, LAYOUTS, OUTPUTS
from verification.argument_types import argument_type, bounded, learning_rates, seed_value, tolerance_value
from verification.help_texts import CHECKEPILOG, EPILOG, HelpFormatter
from verification.identification.request import MAX_PROBES, MAX_SAMPLES
from verification.runs.limits import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    format_seconds,
    format_size,
    parse_seconds,
    parse_size,
)
from verification.runs.terminal import PROG
from verification.usage import ALIASES, SUBCOMMANDS, UsageError

METHOD_CHOICES = ("auto", "complex-step", "richardson", "central")
"""The --method choices: ``auto`` and the methods of :mod:`verification.numeric.methods` users pick."""

MAX_NETWORKS = 10_000
"""Largest ``zoo --networks``: about ten minutes of drawn networks."""


class Parser(argparse.ArgumentParser):
    """argparse's parser, refusing bad usage with :class:`UsageError` and knowing its subcommands."""

    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see '{self.prog} --help'")


def build_parser() -> Parser:
    """The argument parser of ``backprop-verify`` with its subcommands."""
    parser = Parser(
        prog=PROG,
        description="Check which loss a backward pass is the gradient of: by finite differences, "
        "by symbolic derivation (SymPy) and by backpropagation.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    from verification import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(SUBCOMMANDS) + "}")
    parser.commands = {}

    question = add_question(sub)
    derive = add_derive(sub)
    check = add_check(sub)
    zoo = add_zoo(sub)
    converge = add_converge(sub)
    parser.commands = {
        "question": question,
        "seed": question,
        "derive": derive,
        "check": check,
        "zoo": zoo,
        "converge": converge,
    }
    for p in (parser, question, derive, check, zoo, converge):
        p.add_argument(  # read by main() before parsing, so it may stand anywhere
            "--debug", action="store_true", help="print the traceback of an internal error"
        )
    return parser


def add_question(sub: Any) -> argparse.ArgumentParser:
    """The default subcommand: the question answered on its own network and data."""
    question = sub.add_parser(
        "question",
        aliases=list(ALIASES),
        help="answer the question on its own network and data (the default; also 'seed')",
        description="Check the chain and shortcut backward passes of the question's 30-5-3 sigmoid "
        "network against numeric gradients of mse and bce (complex step by default, or finite differences), "
        "on each of the A, B, C glyphs.",
        formatter_class=HelpFormatter,
    )
    add_method(question)
    question.add_argument(
        "--seed", type=seed_value, default=0, metavar="N", help="seed of the weights W1, W2 (default: 0)"
    )
    add_output(question, "the verdict line alone: the loss each backward pass is the gradient of")
    return question


def add_derive(sub: Any) -> argparse.ArgumentParser:
    """The ``derive`` subcommand: the symbolic output delta of each catalog pair."""
    derive = sub.add_parser(
        "derive",
        help="symbolic output delta dL/dz for each loss and activation pair",
        description="Derive the output delta of each catalog loss and output activation with SymPy "
        "and prove whether it equals the shortcut a - y.",
        formatter_class=HelpFormatter,
    )
    derive.add_argument(
        "--loss",
        choices=list(LOSSES),
        metavar="ID",
        help=f"only this loss: {', '.join(LOSSES)} (default: all)",
    )
    derive.add_argument(
        "--activation",
        choices=list(ACTIVATIONS),
        metavar="ID",
        help=f"only this output activation: {', '.join(ACTIVATIONS)} (default: all)",
    )
    derive.add_argument(
        "--format",
        choices=("text", "markdown", "latex", "json"),
        default="text",
        help="output format (default: text)",
    )
    return derive


def add_check(sub: Any) -> argparse.ArgumentParser:
    """The ``check`` subcommand: the target, the explicit form, the loss, the probing and the limits."""
    check = sub.add_parser(
        "check",
        help="identify the loss a hand-written backward pass is the gradient of",
        description="Load the definitions of a Python script or notebook (its top-level statements are "
        "not run) and find out which loss the backward pass of the network in it is the gradient of. "
        "Without options the way to build, run and differentiate the network is detected and printed "
        "as the explicit form (--setup, --forward, --gradient or --step), which can be given instead.",
        epilog=CHECKEPILOG,
        formatter_class=HelpFormatter,
    )
    check.add_argument(
        "target",
        metavar="PATH[:NAME]",
        help="a .py script or .ipynb notebook, and the class, method or function in it (default: detected)",
    )
    add_explicit_form(check)
    check.add_argument(
        "--loss",
        default="auto",
        choices=("auto", *LOSSES),
        help="the loss to check against, or auto to identify it (default: auto)",
    )
    check.add_argument(
        "--method",
        choices=("auto", "complex-step", "richardson"),
        default="auto",
        help="how the network's output is differentiated: auto uses complex step when the code evaluates "
        "correctly at complex weights (detected), else Richardson (default: auto)",
    )
    check.add_argument(
        "--full", action="store_true", help="check every entry individually (slower on large networks)"
    )
    check.add_argument(
        "--python2",
        action="store_true",
        help="translate the script from Python 2 with the standard library's 2to3 before loading it "
        "(done anyway, and reported, when Python 2 syntax is found)",
    )
    check.add_argument(
        "--rtol",
        type=tolerance_value,
        metavar="R",
        help="relative tolerance in place of the derived one (the report says what the derived one "
        "concludes)",
    )
    check.add_argument(
        "--atol",
        type=tolerance_value,
        metavar="A",
        help="absolute tolerance, in gradient units, added to every entry's allowance (default: 0)",
    )
    add_output(check, "the verdict line alone: which loss the code is the gradient of")
    check.add_argument(
        "--seed",
        type=seed_value,
        default=0,
        metavar="N",
        help="seed of the probes, sampled entries and directions (default: 0)",
    )
    check.add_argument(
        "--probes",
        type=bounded(2, MAX_PROBES),
        default=3,
        metavar="K",
        help=f"probe points, 2 to {MAX_PROBES} (default: 3)",
    )
    check.add_argument(
        "--samples",
        type=bounded(1, MAX_SAMPLES),
        default=1,
        metavar="N",
        help=f"samples per probe, 1 to {MAX_SAMPLES} (default: 1)",
    )
    add_limits(check)
    return check


def add_explicit_form(check: argparse.ArgumentParser) -> None:
    """The options of the explicit form, and how inputs, labels and outputs are read."""
    explicit = check.add_argument_group("the explicit form (x, y and lr are bound by the checker)")
    explicit.add_argument(
        "--setup",
        metavar="CODE",
        help="statements run once after the definitions load, e.g. 'net = Network([3, 4, 2])'",
    )
    explicit.add_argument(
        "--forward", metavar="CODE", help="the network's output for inputs x, e.g. 'net.feedforward(x)'"
    )
    explicit.add_argument(
        "--gradient",
        metavar="CODE",
        help="the gradients for x and labels y, in any container, e.g. 'net.backprop(x, y)'",
    )
    explicit.add_argument(
        "--step",
        metavar="CODE",
        help="statements that update the weights in place for x and y, e.g. 'net.train(x, y)'",
    )
    explicit.add_argument(
        "--lr", metavar="CODE", help="the learning rate of --step: a number or an expression such as net.lr"
    )
    explicit.add_argument(
        "--layout",
        choices=LAYOUTS,
        metavar="LAYOUT",
        help="how x and y are given: rows (n, k) (row), columns (k, n) (column), one sample as a 1-D array "
        "(flat), a list (list) or a float (scalar), samples of columns (n, k, 1) (stacked), or a 1-D array "
        "of samples of one value each (vector) (default: detected)",
    )
    explicit.add_argument(
        "--labels", choices=LABEL_FORMATS, help="labels one-hot or as class indices (default: detected)"
    )
    explicit.add_argument(
        "--output",
        choices=OUTPUTS,
        help="what the loss is applied to: the forward's output as it is, or its softmax or sigmoid, for "
        "a forward that returns scores with the softmax inside the loss, or its exp, for a log-rate with "
        "the Poisson loss on exp(output) (default: detected)",
    )


def add_zoo(sub: Any) -> argparse.ArgumentParser:
    """The ``zoo`` subcommand: the mutants and the false-positive sweep."""
    zoo = sub.add_parser(
        "zoo",
        help="run the checker on a zoo of wrong backward passes",
        description="Mutants of the reference backward pass, each a fault people make; report which "
        "the checker detects and its diagnosis.",
        formatter_class=HelpFormatter,
    )
    add_output(zoo, "the two summary lines alone: mutants detected, false positives")
    zoo.add_argument(
        "--networks",
        type=bounded(0, MAX_NETWORKS),
        default=40,
        metavar="N",
        help=f"correct backward passes on N drawn networks, to count false positives, 0 to {MAX_NETWORKS:,} "
        "(default: 40)",
    )
    zoo.add_argument(
        "--seed", type=seed_value, default=0, metavar="N", help="seed of the probes and networks"
    )
    add_limits(zoo)
    return zoo


def add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=argument_type(parse_seconds),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop the run after this wall-clock time (default: {format_seconds(DEFAULT_TIMEOUT)})",
    )
    parser.add_argument(
        "--max-memory",
        type=argument_type(parse_size),
        default=DEFAULT_MAX_MEMORY,
        metavar="SIZE",
        help="stop the run when it grows by more than this, e.g. 512M, 8G "
        f"(default: {format_size(DEFAULT_MAX_MEMORY).replace(' GiB', 'G')})",
    )


def add_method(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=METHOD_CHOICES,
        default="auto",
        metavar="METHOD",
        help=f"how the numeric gradient is taken, one of {', '.join(METHOD_CHOICES)}: auto uses complex step "
        "when the loss evaluates at complex weights, else Richardson; central is plain central differences "
        "(default: auto)",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def add_output(parser: argparse.ArgumentParser, quiet: str) -> None:
    """``--json`` or ``-q/--quiet`` (one of them): the report as JSON, or its verdict line alone."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    group.add_argument("-q", "--quiet", action="store_true", help=quiet)


def add_converge(sub: Any) -> argparse.ArgumentParser:
    """The ``converge`` subcommand: the convergence study's seeds, learning rates, epochs and figure."""
    from verification.convergence.study import EPOCHS, MAX_EPOCHS, MAX_SEEDS, SEEDS

    converge = sub.add_parser(
        "converge",
        formatter_class=HelpFormatter,
        help="train the question's network from many seeds with each rule: how often does each converge?",
        description="Per-sample SGD of the question's 30-5-3 sigmoid network from the weights of many "
        "seeds, with the chain and shortcut rules and the exact gradients of mse and bce: the fraction "
        "of seeds that separate the three letters, how fast, the final losses, and how often a step "
        "pointed uphill for mse.",
    )
    converge.add_argument(
        "--seeds",
        type=bounded(1, MAX_SEEDS),
        default=SEEDS,
        metavar="N",
        help=f"number of weight seeds, 1 to {MAX_SEEDS} (default: {SEEDS})",
    )
    converge.add_argument(
        "--first-seed", type=seed_value, default=0, metavar="N", help="the first seed (default: 0)"
    )
    converge.add_argument(
        "--learning-rates",
        type=learning_rates,
        default=(0.1,),
        metavar="RATES",
        help="comma-separated learning rates > 0, e.g. 0.01,0.1,1,10 (default: 0.1)",
    )
    converge.add_argument(
        "--epochs",
        type=bounded(1, MAX_EPOCHS),
        default=EPOCHS,
        metavar="N",
        help=f"epochs, 1 to {MAX_EPOCHS} (default: {EPOCHS})",
    )
    add_json(converge)
    converge.add_argument(
        "--plot", metavar="PATH", help="also draw the figure into PATH (.png, .svg or .pdf; needs matplotlib)"
    )
    add_limits(converge)
    return converge
