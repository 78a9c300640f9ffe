"""Supervision: run a job in a child process with a wall-clock and a memory limit.

``check`` runs someone else's code, and that code may loop, sleep, allocate without end, print onto
standard output, call ``os._exit`` or crash the interpreter. :func:`run_job` therefore runs the work in
a fresh interpreter, ``python -P -m verification.runs.child`` (:mod:`verification.runs.child`), and
watches it:

* **the job** is a named top-level function (``"verification.runs.jobs:check"``) with JSON-able keyword
  arguments, sent as one JSON object on the child's stdin. It returns ``{"text", "json", "status"}``:
  the report as text and as a JSON object, and the exit status; the parent prints the one asked for.
* **the result** comes back as one JSON object over a pipe of its own (not stdout): the job's result,
  or a refusal ``{error, cause, hint}``, or an internal error with its traceback. The parent believes
  it only behind the run's token and reads a bounded amount (:mod:`verification.runs.channel`).
* **the process tree**: the child runs in a session of its own; every way the run ends, the child and
  every process started under it are killed (:mod:`verification.runs.tree`).
* **standard output**: before any job code runs, the child's file descriptor 1 is the same pipe as its
  descriptor 2; the parent copies that pipe to its own stderr. Whatever the checked code prints, with
  ``print`` or ``os.write(1, …)``, goes to stderr and never into the report or the JSON.
* **time**: past ``timeout`` seconds of wall-clock time the parent sends ``SIGUSR1``, on which the child's
  :mod:`faulthandler` writes the Python stack of every thread to a third pipe, kills the child
  (``SIGKILL``) and refuses with the deepest frame of the checked script in that stack (``timeout``).
  The dump is written by a C signal handler, so it arrives even from code stuck in one long C call
  such as ``9 ** 9 ** 9``.
* **memory**: after its imports the child limits its own address space to what it holds then plus
  ``max_memory`` bytes (``resource.setrlimit(RLIMIT_AS, …)``), so an allocation past the limit raises
  :exc:`MemoryError` inside the checked code; that, or a child that stays at its limit without
  ending (:mod:`verification.runs.memory_stall`), is reported as ``memory``, naming the limit.
* **crashes**: a child that exits or dies without sending a result (``os._exit``, a signal, a
  segmentation fault) is a failure of the checked code (``code-failed``), never a success. ``os._exit``
  is patched in the child to report its caller first; fatal signals dump the stack through
  :func:`faulthandler.enable`.
* **Ctrl-C**: the child ignores ``SIGINT``; the parent, interrupted, kills the tree and re-raises
  :exc:`KeyboardInterrupt`. On Linux the child also dies with the parent (``PR_SET_PDEATHSIG``).
* **BLAS threads** are set in the child's environment (:mod:`verification.runs.environment`).

Start-up costs one interpreter and the job's imports (numpy, the checker): about 0.2 s, 0.1 to 0.15 s
of it added to a ``check`` (the parent imports neither the adapters nor the loader).

Sources: Python's :mod:`faulthandler` (``register``, ``enable``), :mod:`resource` (``RLIMIT_AS``:
"the maximum area (in bytes) of address space which may be taken by the process") and
:mod:`subprocess` (``pass_fds``) documentation; ``prctl(2)`` for ``PR_SET_PDEATHSIG``.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from verification.runs.channel import DUMP_LIMIT, RESULT_LOST, Forged, new_token, result_limit, unframe
from verification.runs.environment import child_environment
from verification.runs.exits import (
    InternalError,
    Refusal,
    dumped_frame,
)
from verification.runs.limits import Limits, format_seconds, format_size
from verification.runs.memory_stall import StallWatch, stalled_refusal
from verification.runs.tree import ProcessTree, ended_by_signals, uninterrupted
from verification.terminal_width import CLEAR_LINE

_POLL, _DUMP_WAIT = 0.25, 1.0  # seconds between looks at a quiet child; to wait for a stack dump
NOTICE_AFTER = 20.0
"""Seconds after which a person at a terminal is told, once, that the run goes on and how to stop it."""


def notice_stream() -> Any:
    """Where the still-running notice goes: standard error when it is a terminal, else nowhere."""
    stderr = sys.stderr
    return stderr if stderr is not None and not stderr.closed and stderr.isatty() else None


RESERVE = 8 * 2**20
"""Bytes the child sets aside and frees to report a :exc:`MemoryError`."""


@dataclass(frozen=True)
class JobResult:
    """What a job returns: the report as text and as a JSON object, and the exit status."""

    text: str
    json: dict[str, Any]
    status: int


# --- the parent ---------------------------------------------------------------------------------


def run_job(
    job: str,
    kwargs: dict[str, Any],
    limits: Limits,
    *,
    label: str,
    script: str | None = None,
    preload: tuple[str, ...] = (),
) -> JobResult:
    """Run ``job(**kwargs)`` in a supervised child process and return its result.

    Parameters
    ----------
    job : str
        ``"module:function"``, a top-level function returning ``{"text": str, "json": dict, "status":
        int}`` from JSON-able keyword arguments.
    kwargs : dict
        Its arguments; must survive ``json.dumps``.
    limits : Limits
        Wall-clock time and memory.
    label : str
        What runs, for messages: ``the check of net.py:Net``.
    script : str, optional
        The checked script, whose deepest frame a refusal names.
    preload : tuple of str
        Modules the child imports before its memory limit is set, beyond the job's own module.

    Returns
    -------
    JobResult

    Raises
    ------
    Refusal
        The job refused (its :class:`ffnn.validation.InputError`, with a cause), ran past
        ``limits.timeout`` (``timeout``), past ``limits.max_memory`` (``memory``), ended without a
        result, or its result channel held something the checker did not write or more than
        :func:`~verification.runs.channel.result_limit` bytes (``code-failed``). One line each.
    InternalError
        The job raised an exception of ours; its traceback is the ``detail``.
    KeyboardInterrupt
        Ctrl-C: the child's whole process tree is killed first.

    Every way this function ends, the child and every process started under it have ended
    (:class:`~verification.runs.tree.ProcessTree`). ``SIGTERM`` and ``SIGHUP`` to this process end
    the tree too, and then this process by the same signal.
    """
    token = new_token()
    description = {
        "job": job,
        "kwargs": kwargs,
        "max_memory": limits.max_memory,
        "label": label,
        "script": script,
        "parent": os.getpid(),
        "token": token,
        "preload": list(preload),
    }
    payload = json.dumps(description).encode()
    with ended_by_signals():
        with _Child(payload, token, result_limit(limits.max_memory)) as child:
            return child.supervise(limits, label, script)


class _Child:
    """A running ``python -m verification.runs.child`` in a session of its own, and the three pipes it
    talks through: its output (copied to our stderr), the result channel and the stack dump."""

    def __init__(self, payload: bytes, token: str, limit: int) -> None:
        self.token, self.limit, self.overflow = token, limit, False
        self.output_r, output_w = os.pipe()  # the child's stdout and stderr, copied to ours
        self.result_r, result_w = os.pipe()
        self.dump_r, dump_w = os.pipe()
        self.buffers: dict[int, bytearray] = {self.result_r: bytearray(), self.dump_r: bytearray()}
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.tree = ProcessTree()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "verification.runs.child", str(result_w), str(dump_w)],
                stdin=subprocess.PIPE,
                stdout=output_w,
                stderr=output_w,
                pass_fds=(result_w, dump_w),
                start_new_session=True,
                env=child_environment(),
            )
        except BaseException:
            self.tree.close()
            for fd in (self.output_r, self.result_r, self.dump_r):
                os.close(fd)
            raise
        finally:
            for fd in (output_w, result_w, dump_w):
                os.close(fd)
        self.selector = selectors.DefaultSelector()
        for fd in (self.output_r, self.result_r, self.dump_r):
            self.selector.register(fd, selectors.EVENT_READ)
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # a child that died at once is seen below
            self.proc.stdin.write(payload)
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()

    def __enter__(self) -> _Child:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            with uninterrupted():  # a second Ctrl-C waits until the tree is ended
                self.tree.end(self.proc)
        finally:
            self.tree.close()
            self.selector.close()
            for fd in (self.output_r, self.result_r, self.dump_r):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _read(self, timeout: float) -> bool:
        """Read what the pipes hold, waiting up to ``timeout`` seconds; copy the child's output, keep
        the result up to its limit and the dump up to :data:`DUMP_LIMIT`. False when nothing came."""
        ready = self.selector.select(timeout)
        for key, _ in ready:
            fd = int(key.fd)
            data = os.read(fd, 1 << 16)
            if not data:
                self.selector.unregister(fd)
            elif fd == self.output_r:
                self._relay(self.decoder.decode(data))
            elif fd == self.result_r and len(self.buffers[fd]) + len(data) > self.limit:
                self.overflow = True  # read no more of it: the run ends at once
                self.selector.unregister(fd)
            else:
                room = (self.limit if fd == self.result_r else DUMP_LIMIT) - len(self.buffers[fd])
                self.buffers[fd] += data[:room]
        return bool(ready)

    def _open(self, fd: int) -> bool:
        return fd in self.selector.get_map()

    @staticmethod
    def _relay(text: str) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # stderr may be closed
            sys.stderr.write(text)
            sys.stderr.flush()

    def _drain(self, timeout: float = 0.0) -> None:
        """Read until the child's pipes are closed, or nothing comes for ``timeout`` seconds, or for
        one second at most."""
        until = time.monotonic() + 1.0
        while self.selector.get_map() and self._read(timeout) and time.monotonic() < until:
            pass

    def supervise(self, limits: Limits, label: str, script: str | None) -> JobResult:
        start = time.monotonic()
        deadline = start + limits.timeout
        stream = notice_stream()
        # the result pipe closes when the child has sent its result, or has died
        watch = StallWatch(self.proc.pid)
        while self._open(self.result_r) and self.proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or watch.stalled():  # or spinning at its memory limit, where it cannot raise
                self._stop()
                if remaining > 0:
                    raise stalled_refusal(label, limits.max_memory, self._where(script))
                raise _timeout(label, limits, self._where(script), self._dump())
            if stream is not None and time.monotonic() - start > NOTICE_AFTER:
                stream.write(
                    f"{CLEAR_LINE}{label} is still running after {NOTICE_AFTER:.0f} s; it is stopped at "
                    f"{format_seconds(limits.timeout)} (--timeout), or now by Ctrl-C\n"
                )
                stream.flush()
                stream = None
            self._read(min(remaining, _POLL))
        if self.overflow:
            self.tree.end(self.proc)
            raise _oversized(label, self.limit)
        try:
            self.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:  # closed the result pipe but goes on: stop it
            self._stop()
            raise _timeout(label, limits, self._where(script), self._dump()) from None
        self.tree.end(self.proc)  # whatever the checked code started ends with the child
        self._drain(0.05)
        self._relay(self.decoder.decode(b"", final=True))
        return self._outcome(label, script, limits.max_memory)

    def _stop(self) -> None:
        """Ask the child for its stack (SIGUSR1), wait for it briefly, then end the child's tree."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGUSR1)
        waited = time.monotonic() + _DUMP_WAIT
        while not self.buffers[self.dump_r] and time.monotonic() < waited and self._open(self.dump_r):
            self._read(0.05)
        self._drain(0.05)  # the rest of the dump
        self.tree.end(self.proc)
        self._drain()

    def _dump(self) -> str:
        return self.buffers[self.dump_r].decode("utf-8", errors="replace")

    def _where(self, script: str | None) -> str:
        """``, in backward at net.py, line 9``: the deepest frame of ``script`` in the stack dump."""
        frame = dumped_frame(self._dump(), script)
        return "" if frame is None else f", in {frame}"

    def _outcome(self, label: str, script: str | None, max_memory: int) -> JobResult:
        try:
            message = unframe(self.token, bytes(self.buffers[self.result_r]))
        except Forged as forged:
            raise Refusal(
                f"{label} gave no result the checker can trust: {forged} (the checked code wrote into "
                "the checker's result channel)",
                cause="code-failed",
            ) from None
        if message is None:
            raise _crash(label, self.proc.returncode, self._where(script), self._dump(), max_memory)
        if "result" in message:
            r = message["result"]
            return JobResult(str(r["text"]), dict(r["json"]), int(r["status"]))
        if "internal" in message:
            raise InternalError(message["internal"]["error"], message["internal"]["traceback"])
        refusal = message["refusal"]
        alternatives = refusal.get("alternatives")
        raise Refusal(
            refusal["error"], cause=refusal["cause"], hint=refusal["hint"], alternatives=alternatives
        )


def _timeout(label: str, limits: Limits, where: str, dump: str) -> Refusal:
    return Refusal(
        f"{label} ran longer than the limit of {format_seconds(limits.timeout)} (--timeout){where}",
        cause="timeout",
        hint="raise --timeout if the code is only slow",
        detail=dump or None,
    )


def _oversized(label: str, limit: int) -> Refusal:
    return Refusal(
        f"{label} sent more than {format_size(limit)} on the checker's result channel, more than a "
        "result of the checker can be (the checked code wrote into it)",
        cause="code-failed",
    )


def _crash(label: str, returncode: int | None, where: str, dump: str, max_memory: int) -> Refusal:
    if returncode == RESULT_LOST:
        return Refusal(
            f"{label} ended without a result: the checked code closed or replaced the checker's result "
            f"channel{where}",
            cause="code-failed",
            detail=dump or None,
        )
    hint = None
    if returncode is not None and returncode < 0:
        try:
            how = f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            how = f"was killed by signal {-returncode}"
        if -returncode in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            # under RLIMIT_AS a refused mmap is ENOMEM, and C code that does not check it crashes so
            hint = (
                f"under the address-space limit of {format_size(max_memory)} (--max-memory), C code whose "
                "allocation fails can end this way: raise --max-memory to tell a crash from a lack of memory"
            )
    else:
        how = f"exited with status {returncode}"
    return Refusal(
        f"{label} ended without a result: the process {how}{where}",
        cause="code-failed",
        hint=hint,
        detail=dump or None,
    )
