"""The ``backprop-verify`` command line: argument parsing and dispatch only.

Each subcommand hands its arguments to one function of the library and prints what it returns; the
work lives in the modules named in each handler. Exit status: 0 success, 1 a check found a mismatch
or identified nothing, 2 bad usage or bad input (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from ffnn.validation import InputError
from verification.identify.identification import MAX_PROBES, MAX_SAMPLES
from verification.subjects.layouts import LABEL_FORMATS, LAYOUTS

PROG = "backprop-verify"
SUBCOMMANDS = ("seed", "derive", "check", "zoo")
METHOD_CHOICES = ("auto", "complex-step", "richardson", "central")
"""The --method choices: ``auto`` and the methods of :mod:`verification.numeric.methods` users pick."""

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage; the message is printed as one line and the exit status is 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


_CHECK_EPILOG = """\
examples:
  backprop-verify check net.py                      detect the network class in net.py and check it
  backprop-verify check net.py:Network --json       the same for the class Network, as JSON
  backprop-verify check network.py --setup "net = Network([3, 4, 2])" \\
      --forward "net.feedforward(x)" --gradient "net.backprop(x, y)"
  backprop-verify check nb.ipynb:NeuralNetwork --step "n.train(x, y)" --lr n.lr

Whatever detection chose is printed as such a command line ("as:"), to repeat and edit.
Large networks: a sample of entries is checked one by one and all entries jointly along random
directions, with the smallest single-entry error caught stated in the report; --full checks every
entry one by one.
"""

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

exit status: 0 success, 1 mismatch or nothing identified, 2 bad usage or bad input.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``backprop-verify`` with its four subcommands."""
    parser = _Parser(
        prog=PROG,
        description="Check which loss a backward pass is the gradient of: by finite differences, "
        "by symbolic derivation (SymPy) and by backpropagation.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{seed,derive,check,zoo}")

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
        description="Load the definitions of a Python script or notebook (its top-level statements are "
        "not run) and find out which loss the backward pass of the network in it is the gradient of. "
        "Without options the way to build, run and differentiate the network is detected and printed "
        "as the explicit form (--setup, --forward, --gradient or --step), which can be given instead.",
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "target", metavar="PATH[:NAME]",
        help="a .py script or .ipynb notebook, and the class, method or function in it (default: detected)",
    )
    explicit = check.add_argument_group("the explicit form (x, y and lr are bound by the checker)")
    explicit.add_argument("--setup", metavar="CODE", help="statements run once after the definitions load, e.g. 'net = Network([3, 4, 2])'")
    explicit.add_argument("--forward", metavar="CODE", help="the network's output for inputs x, e.g. 'net.feedforward(x)'")
    explicit.add_argument("--gradient", metavar="CODE", help="the gradients for x and labels y, in any container, e.g. 'net.backprop(x, y)'")
    explicit.add_argument("--step", metavar="CODE", help="statements that update the weights in place for x and y, e.g. 'net.train(x, y)'")
    explicit.add_argument("--lr", metavar="CODE", help="the learning rate of --step: a number or an expression such as net.lr")
    explicit.add_argument("--layout", choices=LAYOUTS, help="how x and y are given: rows (n, k), columns (k, n), 1-D arrays or lists (default: detected)")
    explicit.add_argument("--labels", choices=LABEL_FORMATS, help="labels one-hot or as class indices (default: detected)")
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
    check.add_argument("--full", action="store_true", help="check every entry individually (slower on large networks)")
    _add_json(check)
    check.add_argument(
        "--seed", type=_seed_value, default=0, metavar="N", help="seed of the probes, sampled entries and directions (default: 0)"
    )
    check.add_argument(
        "--probes", type=_bounded(2, MAX_PROBES), default=3, metavar="K",
        help=f"probe points, 2 to {MAX_PROBES} (default: 3)",
    )
    check.add_argument(
        "--samples", type=_bounded(1, MAX_SAMPLES), default=1, metavar="N",
        help=f"samples per probe, 1 to {MAX_SAMPLES} (default: 1)",
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
    return parser


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
        choices=METHOD_CHOICES,
        default="auto",
        help="finite-difference method (default: auto)",
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
    from verification.identify.progress import ProgressLine
    from verification.subjects.detection import Options

    options = Options(args.setup, args.forward, args.gradient, args.step, args.lr, args.layout, args.labels)
    with contextlib.redirect_stdout(sys.stderr):  # prints of the code under check stay off stdout
        outcome = check_target(
            args.target, args.loss, seed=args.seed, probes=args.probes, samples=args.samples,
            method=args.method, options=options, full=args.full, progress=ProgressLine(sys.stderr),
        )
    print(json.dumps(outcome.to_dict()) if args.json else format_check(outcome))
    return EXIT_OK if outcome.result.success else EXIT_MISMATCH


def _run_zoo(args: argparse.Namespace) -> int:
    from verification.zoo.run import format_zoo, run_zoo

    report = run_zoo(networks=args.networks, seed=args.seed)
    print(json.dumps(report.to_dict()) if args.json else format_zoo(report))
    return EXIT_OK if report.all_detected and report.false_positives == 0 else EXIT_MISMATCH


_HANDLERS = {"seed": _run_seed, "derive": _run_derive, "check": _run_check, "zoo": _run_zoo}


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
