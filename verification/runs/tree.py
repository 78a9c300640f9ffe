"""The process tree of a supervised run: the child and every process started under it, ended together.

The checked code may start processes of its own (``subprocess.Popen(["sleep", "45"])``, ``os.fork()``,
a ``multiprocessing`` pool). None of them may outlive the run, whichever way it ends: a result, a
refusal, ``--timeout``, ``--max-memory``, a crash, Ctrl-C, an internal error.

* **A session of its own.** The child is started in a new session (``setsid(2)``, which
  :class:`subprocess.Popen` does with ``start_new_session=True``), so it leads a new process group,
  and every process it starts belongs to that group unless it leaves on purpose. Ending the run sends
  ``SIGKILL`` to the whole group (``killpg(2)``), again and again until the group is empty. The
  group is out of reach of the terminal's Ctrl-C, which the parent handles.
* **What left the group.** A process that calls ``setsid()`` or ``setpgid()`` (a daemon's double fork)
  is no longer in the group. On Linux the parent is therefore a *child subreaper* for the time of the
  run (``prctl(PR_SET_CHILD_SUBREAPER)``, Linux 3.4): an orphaned process under it is reparented to
  the parent instead of to ``init``, so when the group is killed such processes become children of the
  parent, which finds them in ``/proc``, kills them, and reaps them, round after round until none is
  left. Children the parent had before the run are left alone.
* **Signals to the parent.** ``SIGTERM`` and ``SIGHUP`` (``timeout(1)``, a closed terminal) end the
  tree, then the parent by the same signal (:func:`ended_by_signals`); while a tree is being ended,
  Ctrl-C and those signals wait until it is done (:func:`uninterrupted`).

What is not promised, because this is not a sandbox: a process the checked code hands to someone else
to start (``systemd-run``, ``at``, ``ssh``, a server it connects to) is not in the tree; without
``/proc`` and the subreaper (other systems than Linux), processes that left the group survive; and a
parent killed with ``SIGKILL`` cleans up nothing (its child dies with it, ``PR_SET_PDEATHSIG``, but the
child's own children do not).

Sources: ``setsid(2)``, ``killpg(3)``, ``prctl(2)`` (``PR_SET_CHILD_SUBREAPER``), ``proc(5)``
(``/proc/[pid]/stat``: the fourth field is the parent's pid), ``waitpid(2)``; Python's
:mod:`subprocess` (``start_new_session``) and :mod:`os` documentation.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

END_WITHIN = 5.0
"""Seconds to go on killing and reaping before giving up on a process that does not die (a process
stuck in the kernel, state ``D``); SIGKILL normally ends every process within milliseconds."""

_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37


def children(pid: int | None = None) -> set[int]:
    """The pids whose parent is ``pid`` (default: this process), read from ``/proc``; empty elsewhere.

    ``/proc/[pid]/stat`` reads ``pid (comm) state ppid …``; ``comm`` may hold spaces and parentheses,
    so the fields are read after its last ``)``.
    """
    parent = os.getpid() if pid is None else pid
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_bytes()
        except OSError:  # it ended while we looked
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            found.add(int(entry))
    return found


def _prctl(option: int, value: int) -> bool:
    """``prctl(option, value)`` on Linux; False where it is not available or fails."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _is_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        state = ctypes.c_int(0)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(state), 0, 0, 0)
        return bool(state.value)
    except (OSError, AttributeError):
        return False


class ProcessTree:
    """The processes of one supervised run, to be ended together (see the module docstring).

    Create it before starting the child (it makes this process a subreaper and notes the children it
    already has); start the child with ``start_new_session=True``; call :meth:`end` on every way the
    run ends, then :meth:`close`.
    """

    def __init__(self) -> None:
        self._was_subreaper = _is_subreaper()
        self.subreaper = self._was_subreaper or _prctl(_PR_SET_CHILD_SUBREAPER, 1)
        self._others = children() if self.subreaper else set()

    def strays(self, leader: int) -> set[int]:
        """Processes of the run that are now this process's children: those that left the child's
        group and were reparented here when their parent died (subreaper only)."""
        if not self.subreaper:
            return set()
        return children() - self._others - {leader}

    def end(self, proc: subprocess.Popen[bytes]) -> None:
        """Kill the child, its process group and every process of the run reparented here; reap them.

        Repeats until the group is empty and no stray is left (a process may fork while it is being
        killed), for at most :data:`END_WITHIN` seconds.
        """
        until = time.monotonic() + END_WITHIN
        group = True
        while True:
            if group:
                group = _kill_group(proc.pid)
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            strays = self.strays(proc.pid)
            for pid in strays:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            for pid in strays:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
            if (not group and not strays and proc.returncode is not None) or time.monotonic() > until:
                break
            time.sleep(0.002)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(until - time.monotonic(), 0.01))

    def close(self) -> None:
        """Stop being a subreaper if the run made this process one."""
        if self.subreaper and not self._was_subreaper:
            _prctl(_PR_SET_CHILD_SUBREAPER, 0)
            self.subreaper = False


def _kill_group(pgid: int) -> bool:
    """Send SIGKILL to the process group ``pgid``; False when the group has no process left."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member changed its user (setuid): nothing more this process can do
        return False
    return True


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a child ran: end the tree, then end as the signal would."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def ended_by_signals() -> Iterator[None]:
    """While a child runs, turn SIGTERM and SIGHUP into :class:`_Terminated`, so that the child's tree is
    ended on the way out; then die of that signal as before (status 128 + N to the shell)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _Terminated(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    except _Terminated as ended:
        signal.signal(ended.signum, signal.SIG_DFL)
        os.kill(os.getpid(), ended.signum)
        raise SystemExit(128 + ended.signum) from None  # where the signal could not end us
    finally:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is stop:
                signal.signal(sig, handler)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while the block runs (ending a tree must not stop halfway), and
    deliver them, once each, when it is done. In the main thread only, where handlers can be set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(held):
            os.kill(os.getpid(), signum)
