"""Usage: what the command line does with what it is given before parsing and with what its parser
did not know.

:func:`normalise` makes ``question`` (alias ``seed``, its first name) the default command and refuses
options given before a command, with the command line that puts them after it; :func:`unrecognized`
words the refusal of arguments the parser did not know, with the hint that fits (the closest option,
the command an option belongs to, ``--seed N`` for a bare number). Both raise or return
:class:`UsageError`: one line, cause ``usage``, exit status 2.
"""

from __future__ import annotations

import argparse
import difflib
import shlex
from collections.abc import Mapping, Sequence

from verification.runs.exits import Refusal
from verification.runs.terminal import PROG

SUBCOMMANDS = ("question", "derive", "check", "zoo", "converge")
ALIASES = {"seed": "question"}
"""Other names of a subcommand: ``seed`` is what ``question`` was called first, and still works."""
COMMAND_WORDS = (*SUBCOMMANDS, *ALIASES)
TOP_LEVEL = ("-h", "--help", "--version")
"""Options of the program itself, not of the default subcommand."""


class UsageError(Refusal):
    """Bad command-line usage: one line, cause ``usage``, exit status 2."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, cause="usage", hint=hint)


def normalise(argv: Sequence[str]) -> list[str]:
    """No command means ``question``: insert it when the first argument is an option (or there is none).

    Raises
    ------
    UsageError
        When the first argument is a word that is no command (``chek``), naming the commands and the
        closest one (for a number, pointing to ``--seed N``); or when options stand before a command
        (``--json check net.py``), naming them and the command line with them after it.
    """
    args = list(argv)
    if args and args[0] not in COMMAND_WORDS and not args[0].startswith("-"):
        close = difflib.get_close_matches(args[0], COMMAND_WORDS, n=1)
        hint = (
            f"did you mean '{PROG} {close[0]}'?"
            if close
            else f"for other weights: '{PROG} --seed {args[0]}'"
            if args[0].isdigit()
            else f"see '{PROG} --help'"
        )
        raise UsageError(f"unknown command {args[0]!r}; the commands are {', '.join(SUBCOMMANDS)}", hint=hint)
    if args and args[0].startswith("-") and args[0] not in TOP_LEVEL:
        at = next((i for i, a in enumerate(args) if a in COMMAND_WORDS), None)
        if at is not None:
            before = " ".join(args[:at])
            raise UsageError(
                f"{before} given before the command {args[at]!r}; options go after the command",
                hint=f"'{shlex.join([PROG, *args[at:], *args[:at]])}'",
            )
    if not args or args[0] not in (*COMMAND_WORDS, *TOP_LEVEL):
        args.insert(0, SUBCOMMANDS[0])
    return args


def unrecognized(
    commands: Mapping[str, argparse.ArgumentParser], command: str, extra: list[str], named: bool
) -> UsageError:
    """The refusal of the arguments ``extra`` that ``command``'s parser did not know, with a hint that
    fits: the closest option of ``command`` (``--jsn`` → ``--json``), the command an option belongs to,
    ``--seed N`` for a bare number, else that command's ``--help``.

    Parameters
    ----------
    commands : mapping of str to ArgumentParser
        The parser of each command (:attr:`verification.arguments.Parser.commands`).
    command : str
        The command parsed (as typed: ``seed`` or ``question``).
    extra : list of str
        What it did not recognise.
    named : bool
        Whether the command was typed (else it is the default, and the message does not name it).
    """
    first = extra[0]
    options = _options(commands[command])
    hint = f"see '{PROG} {command} --help'" if named else f"see '{PROG} --help'"
    if first.startswith("-"):
        name = first.split("=", 1)[0]
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        owners = [
            c for c in SUBCOMMANDS if c != ALIASES.get(command, command) and name in _options(commands[c])
        ]
        if close:
            hint = f"did you mean {close[0]}?"
        elif owners:
            hint = f"{name} is an option of {' and '.join(repr(o) for o in owners)}"
    elif first.isdigit() and ALIASES.get(command, command) == "question":
        hint = f"for other weights: '{PROG} --seed {first}'"
    return UsageError(
        f"unrecognized arguments{f' for {command!r}' if named else ''}: {' '.join(extra)}", hint=hint
    )


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """The option strings a parser knows (``--json``, ``-q``, …), ``--help`` and ``--debug`` left out."""
    return [
        o for action in parser._actions for o in action.option_strings if o not in ("-h", "--help", "--debug")
    ]
