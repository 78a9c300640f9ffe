"""The progress of a check: a line on standard error for checks that take more than about two seconds,
and the stop before ``--timeout``.

The line is printed only when standard error is a terminal (a log or a pipe gets nothing), rewritten in
place with the share done and an estimate of the time left from the rate so far, cut to the terminal's
width so that it stays one line. It is cleared with :data:`verification.terminal_width.CLEAR_LINE`,
whatever its length.

The stop: a run given a ``timeout`` raises :class:`OutOfTime` at the first progress count past
``timeout − margin`` (:func:`margin`), so that the check can still say what it did before the
supervisor's hard limit ends the process with nothing but a stack.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ffnn.validation import InputError
from verification.terminal_width import CLEAR_LINE, DEFAULT_WIDTH, fit

SHOW_AFTER = 2.0
"""Seconds before the line appears: quick checks print nothing."""


def margin(timeout: float) -> float:
    """Seconds before ``timeout`` at which a check stops itself: 5 % of it, at least 1 s (the judging
    and the report of what was done take well under that at the sizes of the benchmarks) and at most
    10 s."""
    return min(max(0.05 * timeout, 1.0), 10.0)


class OutOfTime(InputError):
    """The check reached its own stop before ``--timeout`` (cause ``timeout``).

    Attributes
    ----------
    done, total : int
        Forward evaluations done and planned when it stopped.
    """

    cause = "timeout"

    def __init__(self, done: int, total: int, timeout: float) -> None:
        super().__init__(
            f"the check reached --timeout ({timeout:g} s) at {done / total if total else 0:.0%} of its "
            "forward passes",
            hint="raise --timeout",
        )
        self.done, self.total, self.timeout = done, total, timeout


class ProgressLine:
    """A ``progress(done, total)`` callback drawing
    ``check: 45 % (1,234 of 2,731 forward passes), about 12 s left``.

    Parameters
    ----------
    stream : text stream
        Where to draw (standard error); nothing is drawn unless it is a terminal.
    force : bool
        Draw even when ``stream`` is not a terminal (a supervised child whose parent's standard error
        is one).
    timeout : float, optional
        Seconds from now after which the run is stopped (``--timeout``). When the first estimate of
            notice = (
                f"check: about {left:.0f} s left at this rate, past the limit of {self.timeout:g} s "
                "(--timeout) that will stop it; raise --timeout to let it finish"
    """

    def __init__(
        self,
        stream: TextIO = sys.stderr,
        force: bool = False,
        timeout: float | None = None,
        width: int = DEFAULT_WIDTH,
    ) -> None:
        self.stream = stream
        self.width = width
        self.start = time.monotonic()
        self.shown = False
        self.last = 0.0
        self.enabled = force or bool(getattr(stream, "isatty", lambda: False)())
        self.timeout = timeout
        self.limit = timeout
        self.stop = None if timeout is None else self.start + timeout - margin(timeout)

    def __call__(self, done: int, total: int) -> None:
        """Draw the line; past the stop, clear it and raise :class:`OutOfTime`.

        Raises
        ------
        OutOfTime
            Past ``timeout − margin(timeout)`` seconds since the line was made.
        """
        now = time.monotonic()
        if self.stop is not None and self.limit is not None and now > self.stop:
            self.close()
            raise OutOfTime(done, total, self.limit)
        if not self.enabled:
            return
        elapsed = now - self.start
        if elapsed < SHOW_AFTER or now - self.last < 0.2:
            return
        self.last = now
        share = min(1.0, done / total) if total else 0.0
        left = elapsed * (1 - share) / share if share > 0 else float("nan")
        if self.timeout is not None and elapsed + left > self.timeout:
            notice = (
                f"check: about {left:.0f} s left at this rate, past the limit of {self.timeout:g} s "
                "(--timeout) that will stop it; raise --timeout to let it finish"
            )
            self.stream.write(CLEAR_LINE + "\n".join(fit([notice], self.width)) + "\n")
            self.timeout = None  # said once
        text = f"check: {share:4.0%} ({done:,} of {total:,} forward passes), about {left:.0f} s left"
        self.stream.write(CLEAR_LINE + text[: self.width - 1])
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line if one was drawn."""
        if self.shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
