"""The child side of a supervised job (:mod:`verification.runs.supervisor`): read the job, set the limits,
run it, send one message back, exit.

Run as ``python -P -m verification.runs.child RESULT_FD DUMP_FD``, in a session of its own
(:mod:`verification.runs.tree`), with the job's description as JSON on standard input. Before the job
runs: ``RESULT_FD`` and ``DUMP_FD`` are made non-inheritable (and in a process the checked code forks
with :func:`os.fork`, they are pointed at ``/dev/null`` at once), standard input reads as empty,
``SIGINT`` is ignored (Ctrl-C is the parent's), the process dies with its parent
(``prctl(PR_SET_PDEATHSIG)`` on Linux), :mod:`faulthandler` dumps every thread's stack to ``DUMP_FD`` on
``SIGUSR1`` and on fatal signals, no bytecode is written (``sys.dont_write_bytecode``: no
``__pycache__`` beside the modules the checked code imports), the address space is limited to its size
after the imports plus the job's ``max_memory`` (``resource.setrlimit(RLIMIT_AS)``), and ``os._exit``
reports its caller before ending the process. The job runs with warnings ignored: the report is the
output, and the checked code's warnings, like ours, would only bury it. The result, a refusal or an
internal error goes back as one message on ``RESULT_FD``, framed with the run's token
(:mod:`verification.runs.channel`); if the checked code closed that descriptor or put another file in
its place, nothing is written and the child exits with :data:`~verification.runs.channel.RESULT_LOST`.

Sources: Python's :mod:`faulthandler`, :mod:`resource`, :mod:`signal` and :mod:`sys`
(``dont_write_bytecode``) documentation; ``prctl(2)``.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import importlib
import json
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from types import FrameType
from typing import Any, NoReturn

from ffnn.validation import InputError
from verification.memory import out_of_memory
from verification.runs.channel import RESULT_LOST, framed
from verification.runs.exits import (
    alternatives_of,
    cause_of,
    describe_frame,
    exception_chain,
    refusal_object,
    resolved,
    script_frame,
)
from verification.runs.limits import format_size
from verification.runs.supervisor import RESERVE


def _no_input(prompt: object = "") -> str:
    """``input`` in the child: the end of input at once, as the built-in at an empty standard input,
    without writing the prompt (which would run into the refusal's line on the terminal)."""
    raise EOFError("EOF when reading a line")


def serve(result_fd: int, dump_fd: int) -> NoReturn:
    """The child's whole life: read the job, set the limits, run it, send one message, exit."""
    real_exit = os._exit
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for fd in (result_fd, dump_fd):
        os.set_inheritable(fd, False)  # no program the checked code starts receives them
    channel, me = os.fstat(result_fd), os.getpid()
    os.register_at_fork(after_in_child=lambda: _hide_from_fork(result_fd, dump_fd))
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    description = json.loads(sys.stdin.buffer.read())
    token = str(description.pop("token"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # code that reads input() gets EOF
    os.close(null)
    builtins.input = _no_input  # … and writes no prompt before the refusal's line
    _die_with_parent(int(description["parent"]))
    _faulthandler_setup(dump_fd)
    script, label = description.get("script"), description["label"]
    sys.argv = [script or label]  # code that parses its command line sees none of the child's own
    max_memory = int(description["max_memory"])

    def send(message: dict[str, Any]) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        try:
            data = framed(token, message)
        except (TypeError, ValueError, RecursionError) as exc:  # a result that is not JSON: ours
            error = {"error": f"{type(exc).__name__}: {_one_line(exc)}", "traceback": traceback.format_exc()}
            data = framed(token, {"internal": error})
        try:
            now = os.fstat(result_fd)
        except OSError:
            now = None
        if now is None or (now.st_dev, now.st_ino) != (channel.st_dev, channel.st_ino):
            real_exit(RESULT_LOST)  # closed, or another file now: write nothing into it
        with contextlib.suppress(OSError):
            while data:
                data = data[os.write(result_fd, data) :]
            os.close(result_fd)

    def exit_reported(status: int) -> NoReturn:
        if os.getpid() != me:  # a process forked by the checked code (multiprocessing ends so)
            real_exit(status)
        frame = _script_caller(sys._getframe(1), script)
        where = "" if frame is None else f" in {frame}"
        text = (
            f"the checked code called os._exit({status}){where}, ending the process before the check was done"
        )
        send({"refusal": refusal_object(text, "code-failed", None)})
        real_exit(status)

    reserve: bytearray | None = None
    try:
        module, _, name = description["job"].partition(":")
        fn: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module), name)
        for preloaded in description.get("preload", ()):
            importlib.import_module(preloaded)
        sys.dont_write_bytecode = True  # write nothing (__pycache__) beside the modules the code imports
        reserve = bytearray(RESERVE)
        _warm_up_blas()
        _limit_memory(max_memory)
        os._exit = exit_reported
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ours and the code's: the report is the output
            result = fn(**description["kwargs"])
        message = {"result": _checked_result(result)}
    except BaseException as exc:  # everything, sys.exit included, is reported to the parent
        reserve = None  # room to build the report after a MemoryError
        message = _report(exc, label, script, max_memory)
    del reserve
    os._exit = real_exit
    gc.collect()
    send(message)
    real_exit(0)


def _checked_result(result: Any) -> dict[str, Any]:
    if not (isinstance(result, dict) and {"text", "json", "status"} <= set(result)):
        raise TypeError(f"a job must return {{text, json, status}}, got {type(result).__name__}")
    return {"text": result["text"], "json": result["json"], "status": result["status"]}


def _report(exc: BaseException, label: str, script: str | None, max_memory: int) -> dict[str, Any]:
    """The message for an exception that ended the job: a refusal, or an internal error."""
    cause = cause_of(exc, script)
    frame = script_frame(exc, script)
    where = "" if frame is None else f", in {describe_frame(frame.name, frame.filename, frame.lineno)}"
    if cause == "memory":
        memory = next(e for e in exception_chain(exc) if out_of_memory(e))
        detail = f": {_one_line(memory)}" if _one_line(memory) else ""
        limit = f"the limit of {format_size(max_memory)} (--max-memory)"
        text = f"{label} ran out of memory at {limit}{where}{detail}"
        return {"refusal": refusal_object(text, "memory", "raise --max-memory if the code needs more")}
    if isinstance(exc, InputError):
        hint = getattr(exc, "hint", None)
        return {"refusal": refusal_object(_one_line(exc), cause, hint, alternatives_of(exc))}
    if frame is not None or isinstance(exc, SystemExit | KeyboardInterrupt):
        if isinstance(exc, SystemExit):
            what = f"called sys.exit({exc.code!r})"
        else:
            what = f"raised {type(exc).__name__}"
        message = f": {_one_line(exc)}" if _one_line(exc) and not isinstance(exc, SystemExit) else ""
        return {"refusal": refusal_object(f"the checked code {what}{message}{where}", "code-failed", None)}
    detail = "".join(traceback.format_exception(exc))
    return {"internal": {"error": f"{type(exc).__name__}: {_one_line(exc)}", "traceback": detail}}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _script_caller(frame: FrameType | None, script: str | None) -> str | None:
    """The innermost frame of ``script`` from ``frame`` outwards, described."""
    if script is None:
        return None
    target = resolved(script)
    while frame is not None:
        if resolved(frame.f_code.co_filename) == target:
            return describe_frame(frame.f_code.co_name, frame.f_code.co_filename, frame.f_lineno)
        frame = frame.f_back
    return None


def _hide_from_fork(*fds: int) -> None:
    """In a process forked by the checked code: point the result channel and the dump at /dev/null,
    so that nothing the fork writes, or its stack dumps, can reach the parent as the child's."""
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in fds:
        with contextlib.suppress(OSError):
            os.dup2(null, fd, inheritable=False)
    os.close(null)


def _faulthandler_setup(fd: int) -> None:
    """Dump every thread's stack to ``fd`` on ``SIGUSR1`` and on fatal signals (see
    :func:`faulthandler.register` and :func:`faulthandler.enable`)."""
    import faulthandler

    faulthandler.enable(file=fd, all_threads=True)
    faulthandler.register(signal.SIGUSR1, file=fd, all_threads=True)


def _warm_up_blas() -> None:
    """One matrix product before the memory limit, when the job uses numpy: OpenBLAS allocates its work
    buffers at its first product, and when that allocation fails under the limit it ends the process
    ("OpenBLAS error: Memory allocation still failed"), leaving no room for a report."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        square = numpy.ones((256, 256))
        square @ square


def _limit_memory(max_memory: int) -> None:
    """Limit the address space to its current size plus ``max_memory`` (Linux; elsewhere no limit)."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration):
        return
    limit = size + max_memory
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if limit < 2**63:  # rlim_t; beyond it there is nothing to limit
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so
    a killed ``backprop-verify`` leaves no child behind."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


if __name__ == "__main__":
    from verification.runs import child  # the module proper, not this __main__ copy

    child.serve(int(sys.argv[1]), int(sys.argv[2]))
