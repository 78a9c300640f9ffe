"""Refusals: why a run of ``backprop-verify`` did not give an answer, and the exit status that says so.

A run ends in one of these ways (the table of ``docs/cli.md``, checked against :data:`EXIT_STATUSES`):

* 0, 1: an answer (success; a mismatch or nothing identified);
* 2: a :class:`Refusal` of bad usage, bad input, or checked code that failed, ran too long or grew
  too large; 3: an :class:`InternalError` of ours; 74: standard output could not be written;
  130: interrupted (Ctrl-C); 141: the reader of standard output went away.

A refusal is printed as one line on stderr, ``backprop-verify: error: <message> (hint: <hint>)``, and
with ``--json`` also as the object ``{"error", "cause", "hint"}`` on stdout. Its *cause* is a short
category id from :data:`CAUSES`.
"""

from __future__ import annotations

import os
import re
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from ffnn.validation import InputError
from verification.memory import out_of_memory

EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_REFUSED = 2
EXIT_INTERNAL = 3
EXIT_OUTPUT = 74
"""``EX_IOERR`` of BSD's ``sysexits.h``: "an error occurred while doing I/O on some file"; used when
standard output is closed or cannot be written (a full disk, ``> /dev/full``)."""
EXIT_INTERRUPTED = 130
"""128 + SIGINT, the status a shell reports for a command stopped by Ctrl-C."""
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, the status of a command killed by writing into a closed pipe (``| head``)."""

EXIT_STATUSES = {
    EXIT_OK: "success",
    EXIT_MISMATCH: "mismatch",
    EXIT_REFUSED: "refused",
    EXIT_INTERNAL: "internal error",
    EXIT_OUTPUT: "output error",
    EXIT_INTERRUPTED: "interrupted",
    EXIT_BROKEN_PIPE: "broken pipe",
}
"""Every exit status the command line uses, with a one-word name (the table in ``docs/cli.md``)."""

CAUSES = {
    "usage": "the command line itself: an unknown option, a value out of range",
    "input": "the script or what it defines: not found, not loadable, not a network the checker can run",
    "code-failed": "the checked code raised, exited or crashed",
    "timeout": "the run went past --timeout",
    "memory": "the run went past --max-memory",
    "ambiguous": "the verdict depends on a reading of the setup (labels, what the loss is applied to) that "
    "the code does not settle, or the training code that calls a backward pass is not its gradient; the "
    "alternatives name each reading",
    "internal": "an error of backprop-verify itself",
    "output": "standard output is closed or cannot be written",
}
"""The ``cause`` ids of a refusal, with what each means."""


class Refusal(InputError):
    """A run that ends without an answer, with a one-line message, a cause and maybe a hint.

    Parameters
    ----------
    message : str
        One line naming what is wrong.
    cause : str
        One of :data:`CAUSES`; decides the exit status (:func:`exit_status`).
    hint : str, optional
        What fixes it.
    detail : str, optional
        Shown only with ``--debug``: say, the stack of the checked code when it was stopped.
    alternatives : list of dict, optional
        For cause ``ambiguous``: the readings of the setup, ``{option, verdict}`` each.
    """

    def __init__(
        self,
        message: str,
        *,
        cause: str,
        hint: str | None = None,
        detail: str | None = None,
        alternatives: list[dict[str, str]] | None = None,
    ) -> None:
        if cause not in CAUSES:
            raise ValueError(f"unknown refusal cause {cause!r}; known: {', '.join(CAUSES)}")
        super().__init__(message, hint=hint)
        self.cause = cause
        self.detail = detail
        self.alternatives = alternatives


class InternalError(Exception):
    """An error of ours that happened out of reach (in the supervised child): its one-line description
    and the traceback text, shown only with ``--debug``."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def exit_status(cause: str) -> int:
    """The exit status of a refusal of ``cause``: 3 for ``internal``, 74 for ``output``, else 2."""
    return {"internal": EXIT_INTERNAL, "output": EXIT_OUTPUT}.get(cause, EXIT_REFUSED)


def cause_of(exc: BaseException, script: str | Path | None = None) -> str:
    """The cause id of an :class:`InputError` (or other exception reaching the top of a job).

    An explicit ``cause`` attribute wins. Otherwise: ``memory`` when a :exc:`MemoryError` is in the
    chain of exceptions; ``code-failed`` when a frame of the checked ``script`` is in one of their
    tracebacks, or the code called ``sys.exit`` (the checks wrap such errors in one-line
    :class:`InputError`\\ s, keeping the original as ``__context__``); else ``input``.
    """
    explicit = getattr(exc, "cause", None)
    if isinstance(explicit, str) and explicit in CAUSES:
        return explicit
    chain = exception_chain(exc)
    if any(out_of_memory(e) for e in chain):
        return "memory"
    if any(isinstance(e, SystemExit) for e in chain) or script_frame(exc, script) is not None:
        return "code-failed"
    return "input"


def exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling (``__cause__``, ``__context__``)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def script_frame(exc: BaseException, script: str | Path | None) -> traceback.FrameSummary | None:
    """The deepest frame in ``script`` of the tracebacks of ``exc``'s chain, or None."""
    if script is None:
        return None
    target = resolved(script)
    for e in exception_chain(exc):
        frames = [f for f in _extract(e.__traceback__) if resolved(f.filename) == target]
        if frames:
            return frames[-1]
    return None


def _extract(tb: TracebackType | None) -> traceback.StackSummary:
    return traceback.extract_tb(tb) if tb is not None else traceback.StackSummary()


def resolved(path: str | Path) -> Path:
    """``path`` made absolute with its symbolic links followed, or only made absolute when they cannot
    be followed: a loop of links (``RuntimeError`` before Python 3.13, ``OSError`` after), a name too
    long, a NUL byte. Never raises, so that naming where a failure happened cannot fail in turn."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        try:
            return Path(os.path.abspath(path))
        except ValueError:
            return Path(str(path))


def describe_frame(name: str, filename: str, line: int | None) -> str:
    """``backward at net.py, line 9``; ``the top level of net.py, line 3`` for a script's own statements."""
    where = f"{Path(filename).name}, line {line}"
    return f"the top level of {where}" if name == "<module>" else f"{name} at {where}"


def refusal_object(
    message: str, cause: str, hint: str | None, alternatives: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The JSON object of a refusal (``--json``): ``{"error", "cause", "hint"}``, and for cause
    ``ambiguous`` the ``alternatives``: a list of ``{option, verdict}``."""
    out: dict[str, Any] = {"error": message, "cause": cause, "hint": hint}
    if alternatives is not None:
        out["alternatives"] = alternatives
    return out


def alternatives_of(exc: BaseException) -> list[dict[str, str]] | None:
    """The ``{option, verdict}`` readings an ``ambiguous`` refusal carries (None for other refusals)."""
    found = getattr(exc, "alternatives", None)
    if found is None:
        return None
    return [dict(a) if isinstance(a, dict) else {"option": a.option, "verdict": a.verdict} for a in found]


_DUMP_LINE = re.compile(r'^\s*File "(?P<file>.*)", line (?P<line>\d+|\?\?\?) in (?P<name>.*)$')


def dumped_frame(dump: str, script: str | None) -> str | None:
    """The most recent frame of ``script`` in a :mod:`faulthandler` dump, as ``backward at net.py,
    line 9``; None when the dump shows none.

    The dump lists each thread "most recent call first": lines ``File "PATH", line N in NAME``.
    """
    if script is None:
        return None
    target = resolved(script)
    for text in dump.splitlines():
        m = _DUMP_LINE.match(text)
        if m is not None and resolved(m["file"]) == target:
            line = int(m["line"]) if m["line"].isdigit() else None
            return describe_frame(m["name"], m["file"], line)
    return None
