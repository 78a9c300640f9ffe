"""How a run of ``backprop-verify`` ends: its output on stdout, one line on stderr, an exit status.

:func:`finish` runs the command and turns every way it can end into an exit status
(:mod:`verification.runs.exits`): 0 or 1 from the command itself; 2 for a refusal (one line on stderr,
``(hint: …)`` appended when there is one; with ``--json`` also ``{error, cause, hint}`` on stdout); 3 for
an internal error, its traceback only with ``--debug``; 74 when standard output is closed or cannot be
written; 130 for Ctrl-C; 141, silently, when the reader of stdout went away (as a process killed by
SIGPIPE). :func:`write` prints a report so that a write error is seen once, here. Sources: the Python
documentation's "Note on SIGPIPE" (:mod:`signal`) and ``sysexits.h`` (``EX_IOERR`` = 74).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from ffnn.validation import InputError
from verification.runs.exits import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    InternalError,
    Refusal,
    alternatives_of,
    cause_of,
    exit_status,
    refusal_object,
)
from verification.terminal_width import CLEAR_LINE

PROG = "backprop-verify"


def finish(dispatch: Callable[[list[str]], int], raw: list[str]) -> int:
    """Run ``dispatch(argv)`` and turn every way it ends into an exit status (table in
    ``docs/cli.md``). ``--debug`` anywhere in ``raw`` is taken out and shows internal tracebacks.

    Every way a run ends is an exit status with at most one line on stderr: a refusal
    (:class:`verification.runs.exits.Refusal`, any :class:`ffnn.validation.InputError`) is 2, or 74 when
    standard output is closed or cannot be written; Ctrl-C is 130; a closed pipe on stdout is 141,
    silently, as for a process killed by SIGPIPE; any other exception is an internal error, 3, whose
    traceback is printed only with ``--debug``.
    """
    debug = "--debug" in raw
    argv_ = [a for a in raw if a != "--debug"]
    _fill_closed_streams()
    as_json = False
    try:
        as_json = _wants_json(argv_)
        if sys.stdout is None or sys.stdout.closed:
            raise Refusal(
                "standard output is closed, so the report cannot be printed",
                cause="output",
                hint="redirect it to /dev/null instead of closing it",
            )
        return dispatch(argv_)
    except KeyboardInterrupt:
        _clear_terminal_line()  # a progress line drawn there, and the ^C the terminal echoed
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except InputError as exc:  # Refusal and UsageError included
        cause = cause_of(exc)
        detail = getattr(exc, "detail", None) if debug else None
        refusal = refusal_object(
            " ".join(str(exc).split()), cause, getattr(exc, "hint", None), alternatives_of(exc)
        )
        return _refuse(refusal, as_json, detail)
    except InternalError as exc:
        return _internal(str(exc), exc.detail, debug, as_json)
    except Exception as exc:
        return _internal(
            f"{type(exc).__name__}: {' '.join(str(exc).split())}", traceback.format_exc(), debug, as_json
        )


def _fill_closed_streams() -> None:
    """A closed standard input or standard error (``<&-``, ``2>&-``) becomes ``/dev/null``.

    Python sets ``sys.stderr`` to None when descriptor 2 is closed at start-up, and a pipe opened later
    would take the free number 0 or 2 and be mistaken for a standard stream by the child. Standard
    output is different: its report would be lost, so a closed one is refused (status 74).
    """
    for fd, mode in ((0, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, mode)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:
        sys.stdin = open(0, closefd=False, encoding="utf-8")
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False, encoding="utf-8", errors="backslashreplace")


def _wants_json(argv: list[str]) -> bool:
    """Whether the run asked for JSON output (``--json``, or ``derive --format json``)."""
    formats = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"]
    return "--json" in argv or "json" in formats or "--format=json" in argv


def write(text: str) -> None:
    """Print ``text`` on stdout and flush it, so a write error is seen here, once.

    Raises
    ------
    BrokenPipeError
        The reader went away (``| head``); stdout is then pointed at /dev/null so that the
        interpreter's last flush is quiet (the advice of the Python docs, "Note on SIGPIPE").
    Refusal
        Any other write error (``> /dev/full``), cause ``output``.
    """
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise
    except OSError as exc:
        _silence_stdout()
        raise Refusal(f"cannot write to standard output: {exc.strerror or exc}", cause="output") from None


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so unwritten output is dropped without another error."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


def _clear_terminal_line() -> None:
    """Erase the current line of standard error when it is a terminal (nothing for a log or a pipe)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if sys.stderr.isatty():
            sys.stderr.write(CLEAR_LINE)
            sys.stderr.flush()


def _say(line: str) -> None:
    """One line on stderr; if even that fails, there is nowhere left to say it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _refuse(refusal: dict[str, Any], as_json: bool, detail: str | None) -> int:
    """Say a refusal (``refusal_object``: one line, whatever raised it) on stderr, and as JSON on
    stdout when asked."""
    hint = refusal["hint"]
    if detail:
        _say(detail.rstrip("\n"))
    _say(f"{PROG}: error: {refusal['error']}" + (f" (hint: {hint})" if hint else ""))
    if as_json and refusal["cause"] != "output":
        _write_quietly(json.dumps(refusal))
    return exit_status(refusal["cause"])


def _internal(message: str, detail: str, debug: bool, as_json: bool) -> int:
    hint = "rerun with --debug for the traceback"
    if debug:
        _say(detail.rstrip("\n"))
        _say(f"{PROG}: internal error: {message}")
    else:
        _say(f"{PROG}: internal error: {message}; {hint}")
    if as_json:
        _write_quietly(json.dumps(refusal_object(message, "internal", None if debug else hint)))
    return EXIT_INTERNAL


def _write_quietly(text: str) -> None:
    """Print a refusal's JSON object; if stdout fails too, the stderr line has said it all."""
    with contextlib.suppress(BrokenPipeError, InputError):
        write(text)
