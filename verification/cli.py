"""The ``backprop-verify`` command line: argument parsing and dispatch only.

Each subcommand hands its arguments to one function of the library and prints what it returns; the
work lives in the modules named in each handler. Exit status: 0 success, 1 a check found a mismatch
or identified nothing, 2 bad usage or bad input (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from ffnn.validation import InputError
from verification.identify.identification import MAX_PROBES, MAX_SAMPLES
from verification.subjects.conventions import CONVENTIONS

PROG = "backprop-verify"
SUBCOMMANDS = ("seed", "derive", "check", "zoo", "converge")
METHODS = ("central", "richardson", "complex-step", "auto")

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage; the message is printed as one line and the exit status is 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


_EPILOG = """\
what it proves:
  The question: two hand-written backward passes of a 30-5-3 sigmoid network differ in the output
  delta, chain = (a - y) * sigmoid'(z) and shortcut = a - y. Which one is the gradient, and of what?
  'seed' measures both against finite differences of the squared error (mse) and binary
  cross-entropy (bce): chain is the gradient of mse, shortcut the gradient of bce.

examples:
  backprop-verify                         answer the question (same as 'backprop-verify seed')
  backprop-verify seed --seed 7 --json    the same, other weights, as one JSON object
  backprop-verify derive --loss bce       the symbolic output delta of bce for every activation
  backprop-verify check net.py:Network    which loss is the backward pass in net.py the gradient of?
  backprop-verify zoo                     run the checker on the bug zoo of wrong backward passes
  backprop-verify converge                train from seeds 0-999 with each rule: how often both converge

exit status: 0 success, 1 mismatch or nothing identified, 2 bad usage or bad input.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``backprop-verify`` with its subcommands."""
    parser = _Parser(
        prog=PROG,
        description="Check which loss a backward pass is the gradient of: by finite differences, "
        "by symbolic derivation (SymPy) and by backpropagation.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{seed,derive,check,zoo,converge}")

    seed = sub.add_parser(
        "seed",
        help="answer the question on its own network and data (the default)",
        description="Check the chain and shortcut backward passes of the question's 30-5-3 sigmoid "
        "network against finite-difference gradients of mse and bce, on each of the A, B, C glyphs.",
    )
    _add_method(seed)
    seed.add_argument(
        "--seed", type=_seed_value, default=0, metavar="N", help="seed of the weights W1, W2 (default: 0)"
    )
    _add_json(seed)

    derive = sub.add_parser(
        "derive",
        help="symbolic output delta dL/dz for each loss and activation pair",
        description="Derive the output delta of each catalog loss and output activation with SymPy "
        "and prove whether it equals the shortcut a - y.",
    )
    derive.add_argument("--loss", choices=list(LOSSES), help="only this loss (default: all)")
    derive.add_argument(
        "--activation", choices=list(ACTIVATIONS), help="only this output activation (default: all)"
    )
    derive.add_argument(
        "--format",
        choices=("text", "markdown", "latex", "json"),
        default="text",
        help="output format (default: text)",
    )

    check = sub.add_parser(
        "check",
        help="identify the loss a hand-written backward pass is the gradient of",
        description="Load the definitions of a Python script (its top-level statements are not run) "
        "and check the backward pass NAME in it.",
    )
    check.add_argument("target", metavar="PATH.py:NAME", help="script and the class or function in it")
    check.add_argument(
        "--loss",
        default="auto",
        choices=("auto", *LOSSES),
        help="the loss to check against, or auto to identify it (default: auto)",
    )
    _add_method(check)
    _add_json(check)
    check.add_argument(
        "--seed", type=_seed_value, default=0, metavar="N", help="seed of the probes (default: 0)"
    )
    check.add_argument(
        "--probes", type=_bounded(2, MAX_PROBES), default=3, metavar="K",
        help=f"probe points, 2 to {MAX_PROBES} (default: 3)",
    )
    check.add_argument(
        "--samples", type=_bounded(1, MAX_SAMPLES), default=1, metavar="N",
        help=f"samples per probe, 1 to {MAX_SAMPLES} (default: 1)",
    )
    check.add_argument(
        "--convention", default="auto", choices=CONVENTIONS, help="calling convention (default: auto)"
    )
    check.add_argument("--forward", metavar="METHOD", help="name of the forward method")
    check.add_argument("--backward", metavar="METHOD", help="name of the backward method")
    check.add_argument("--output", metavar="ATTR", help="attribute holding the output after forward")
    check.add_argument("--lr", metavar="ATTR", help="attribute holding the learning rate, or its value")
    check.add_argument(
        "--inputs", type=_bounded(1, None), metavar="N", help="number of inputs of a class's network"
    )
    check.add_argument(
        "--init-args", metavar="ARGS", help="constructor arguments as a Python literal, e.g. '30, 5, 3'"
    )
    check.add_argument(
        "--shapes", metavar="SHAPES", help="weight shapes of a function (not a class), e.g. W1=30x5,W2=5x3"
    )

    zoo = sub.add_parser(
        "zoo",
        help="run the checker on a zoo of wrong backward passes",
        description="Mutants of the reference backward pass, each a fault people make; report which "
        "the checker detects and its diagnosis.",
    )
    _add_json(zoo)
    zoo.add_argument(
        "--networks", type=int, default=40, metavar="N",
        help="correct backward passes on N drawn networks, to count false positives (default: 40)",
    )
    zoo.add_argument(
        "--seed", type=_seed_value, default=0, metavar="N", help="seed of the probes and networks"
    )
    _add_converge(sub)
    return parser


def _add_converge(sub: argparse._SubParsersAction) -> None:
    from verification.convergence import EPOCHS, MAX_EPOCHS, MAX_SEEDS, SEEDS

    converge = sub.add_parser(
        "converge",
        help="train the question's network from many seeds with each rule: how often does each converge?",
        description="Per-sample SGD of the question's 30-5-3 sigmoid network from the weights of many "
        "seeds, with the chain and shortcut rules and the exact gradients of mse and bce: the fraction "
        "of seeds that separate the three letters, how fast, the final losses, and how often a step "
        "pointed uphill for mse.",
    )
    converge.add_argument(
        "--seeds", type=_bounded(1, MAX_SEEDS), default=SEEDS, metavar="N",
        help=f"number of weight seeds, 1 to {MAX_SEEDS} (default: {SEEDS})",
    )
    converge.add_argument(
        "--first-seed", type=_seed_value, default=0, metavar="N", help="the first seed (default: 0)"
    )
    converge.add_argument(
        "--learning-rates", type=_learning_rates, default=(0.1,), metavar="RATES",
        help="comma-separated learning rates > 0, e.g. 0.01,0.1,1,10 (default: 0.1)",
    )
    converge.add_argument(
        "--epochs", type=_bounded(1, MAX_EPOCHS), default=EPOCHS, metavar="N",
        help=f"epochs, 1 to {MAX_EPOCHS} (default: {EPOCHS})",
    )
    _add_json(converge)
    converge.add_argument(
        "--plot", metavar="PATH", help="also draw the figure into PATH (.png, .svg or .pdf; needs matplotlib)"
    )


def _learning_rates(text: str) -> tuple[float, ...]:
    """Comma-separated learning rates: distinct finite numbers > 0, at most ``MAX_RATES`` of them."""
    from verification.convergence import MAX_RATES

    rates = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {part!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"learning rates must be finite numbers > 0, got {part.strip()}")
        if value in rates:
            raise argparse.ArgumentTypeError(f"learning rate {part.strip()} is given twice")
        rates.append(value)
    if len(rates) > MAX_RATES:
        raise argparse.ArgumentTypeError(f"at most {MAX_RATES} learning rates, got {len(rates)}")
    return tuple(rates)


def _seed_value(text: str) -> int:
    """A seed for ``numpy.random.default_rng``: a whole number ≥ 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: give a whole number ≥ 0") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid seed {value}: seeds are whole numbers ≥ 0")
    return value


def _bounded(low: int, high: int | None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (no upper bound for None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"≥ {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value

    return parse


def _add_method(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="finite-difference scheme (default: auto)",
    )


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _normalise(argv: Sequence[str]) -> list[str]:
    """No subcommand means ``seed``: insert it unless the first argument is a subcommand or help."""
    args = list(argv)
    if not args or (args[0] not in SUBCOMMANDS and args[0] not in ("-h", "--help")):
        args.insert(0, "seed")
    return args


def _run_seed(args: argparse.Namespace) -> int:
    from verification.question import answer_question, format_question

    answer = answer_question(seed=args.seed, method=args.method)
    print(answer.to_json() if args.json else format_question(answer))
    return EXIT_OK if answer.answers_question else EXIT_MISMATCH


def _run_derive(args: argparse.Namespace) -> int:
    from verification.symbolic.pairs import derive_table
    from verification.symbolic.render import render

    print(render(derive_table(loss=args.loss, activation=args.activation), args.format))
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    import contextlib

    from verification.identify.check import check_target, format_check
    from verification.subjects.conventions import AdapterOptions, parse_init_args, parse_shapes

    options = AdapterOptions(
        args.convention, args.forward, args.backward, args.output, args.lr,
        parse_init_args(args.init_args), args.inputs, parse_shapes(args.shapes),
    )
    with contextlib.redirect_stdout(sys.stderr):  # prints of the code under check stay off stdout
        outcome = check_target(
            args.target, args.loss, seed=args.seed, probes=args.probes, samples=args.samples,
            method=args.method, options=options,
        )
    print(json.dumps(outcome.to_dict()) if args.json else format_check(outcome))
    return EXIT_OK if outcome.result.success else EXIT_MISMATCH


def _run_zoo(args: argparse.Namespace) -> int:
    from verification.zoo.run import format_zoo, run_zoo

    report = run_zoo(networks=args.networks, seed=args.seed)
    print(json.dumps(report.to_dict()) if args.json else format_zoo(report))
    return EXIT_OK if report.all_detected and report.false_positives == 0 else EXIT_MISMATCH


def _run_converge(args: argparse.Namespace) -> int:
    from verification.convergence import run_study
    from verification.convergence_plot import check_plot_path, plot_study
    from verification.convergence_report import format_study

    plot = check_plot_path(args.plot) if args.plot is not None else None
    study = run_study(
        seeds=args.seeds, first_seed=args.first_seed, learning_rates=args.learning_rates, epochs=args.epochs
    )
    if plot is not None:
        plot_study(study, plot)
    if args.json:
        print(json.dumps({**study.to_dict(), "plot": None if plot is None else str(plot)}))
    else:
        print(format_study(study) + ("" if plot is None else f"\n\nFigure: {plot}"))
    return EXIT_OK


_HANDLERS = {"seed": _run_seed, "derive": _run_derive, "check": _run_check, "zoo": _run_zoo}
_HANDLERS["converge"] = _run_converge


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``backprop-verify``; returns the exit status."""
    try:
        args, extra = build_parser().parse_known_args(_normalise(sys.argv[1:] if argv is None else argv))
        if extra:
            raise UsageError(
                f"unrecognized arguments for '{args.command}': {' '.join(extra)} "
                f"(options go after the subcommand; see '{PROG} {args.command} --help')"
            )
        return _HANDLERS[args.command](args)
    except (UsageError, InputError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
