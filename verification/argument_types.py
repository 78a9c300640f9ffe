"""Types of the command line's arguments: each parses one value or refuses it with one line naming
the value and what was expected (argparse turns the refusal into a usage error, exit status 2)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

LONG = 100
"""Digits past which a number is refused by its length, not read: Python refuses to read or print an
integer of more than 4300 digits (``sys.get_int_max_str_digits``), and no count or seed here has 100."""


def seed_value(text: str) -> int:
    """A seed for ``numpy.random.default_rng``: a whole number from 0 to
    :data:`~verification.draws.MAX_SEED`; a longer one is refused before Python is asked to read it."""
    from verification.draws import MAX_SEED

    most = f"seeds are at most 2^64 − 1 = {MAX_SEED}"
    digits = text.strip().lstrip("+-")
    if digits.isdigit() and len(digits.lstrip("0")) > LONG:
        raise argparse.ArgumentTypeError(f"invalid seed of {len(digits):,} digits: {most}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {_shown(text)}: give a whole number ≥ 0") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid seed {value}: seeds are whole numbers ≥ 0")
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"invalid seed {value}: {most}")
    return value


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut to 40 characters."""
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def bounded(low: int, high: int | None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (no upper bound for None)."""

    def parse(text: str) -> int:
        digits = text.strip().lstrip("+-")
        if high is not None and digits.isdigit() and len(digits.lstrip("0")) > LONG:
            raise argparse.ArgumentTypeError(
                f"must be from {low} to {high}, got a number of {len(digits):,} digits"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {_shown(text)}") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"≥ {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value

    return parse


def argument_type(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a parser that raises ValueError with a message."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def learning_rates(text: str) -> tuple[float, ...]:
    """Comma-separated learning rates: distinct finite numbers > 0, at most ``MAX_RATES`` of them."""
    from verification.convergence.study import MAX_RATES

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


def tolerance_value(text: str) -> float:
    """A tolerance (``--rtol``, ``--atol``): a finite number ≥ 0, such as ``1e-6``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 1e-6, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"tolerances are finite numbers ≥ 0, got {text}")
    return value
