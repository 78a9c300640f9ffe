"""A progress line on standard error for checks that take more than about two seconds.

Printed only when standard error is a terminal (a log or a pipe gets nothing), rewritten in place with
the share done and an estimate of the time left from the rate so far, cut to the terminal's width so
that it stays one line. It is cleared with :data:`verification.terminal_width.CLEAR_LINE`, whatever its
length.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from verification.terminal_width import CLEAR_LINE, DEFAULT_WIDTH, fit

SHOW_AFTER = 2.0
"""Seconds before the line appears: quick checks print nothing."""


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

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
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
