"""The progress line of a long check: drawn at a terminal after a few seconds, and, when its first
estimate of the time left goes past ``--timeout``, one line that says so before the limit stops it."""

from __future__ import annotations

import io

import pytest

from verification.identification import progress
from verification.identification.progress import ProgressLine
from verification.identification.request import CheckRequest
from verification.terminal_width import CLEAR_LINE


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress.time, "monotonic", fake)
    return fake


def test_an_estimate_past_the_timeout_is_said_once(clock: Clock) -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, force=True, timeout=600)
    clock.now += 30
    line(2, 100)  # 2 % in 30 s: about 1470 s left, past 600 s
    clock.now += 30
    line(4, 100)
    said = stream.getvalue()
    assert said.count("past the limit") == 1
    notice, _, last = said.rpartition("\n")
    assert " ".join(notice.removeprefix(CLEAR_LINE).split()) == (  # wrapped to the terminal's width
        "check: about 1470 s left at this rate, past the limit of 600 s (--timeout) that will stop it; "
        "raise --timeout to let it finish"
    )
    assert last.endswith(CLEAR_LINE + "check:   4% (4 of 100 forward passes), about 1440 s left")


def test_an_estimate_within_the_timeout_says_nothing_more(clock: Clock) -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, force=True, timeout=600)
    clock.now += 30
    line(50, 100)
    assert stream.getvalue() == CLEAR_LINE + "check:  50% (50 of 100 forward passes), about 30 s left"


def test_the_check_job_passes_its_timeout_to_the_progress_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline reaches the job as its ``timeout`` argument, the command line's --timeout."""
    from verification.runs import jobs

    seen = {}

    class Recording(ProgressLine):
        def __init__(self, *args: object, **kwargs: object) -> None:
            seen.update(kwargs)
            raise RuntimeError("stop here")

    monkeypatch.setattr(jobs, "ProgressLine", Recording)
    monkeypatch.setattr(jobs.sys, "path", list(jobs.sys.path))  # the job puts the script's folder first
    with pytest.raises(RuntimeError, match="stop here"):
        jobs.check(CheckRequest.parse("net.py").to_json(), progress=True, timeout=42.0, width=70)
    assert seen == {"force": True, "timeout": 42.0, "width": 70}


def test_the_check_stops_itself_a_margin_before_the_timeout(clock: Clock) -> None:
    from verification.identification.progress import OutOfTime, margin

    stream = io.StringIO()
    line = ProgressLine(stream, force=True, timeout=600)
    clock.now += 600 - margin(600)
    line(10, 100)  # at the stop itself: still running
    clock.now += 0.01
    with pytest.raises(OutOfTime) as stopped:
        line(11, 100)
    assert (stopped.value.done, stopped.value.total, stopped.value.cause) == (11, 100, "timeout")
    assert stream.getvalue().endswith(CLEAR_LINE), "the progress line is cleared before the message"
    assert (margin(5.0), margin(100.0), margin(3600.0)) == (1.0, 5.0, 10.0)


def _network_subject():  # type: ignore[no-untyped-def]
    from ffnn.backprop import backward
    from ffnn.network import Network
    from verification.adapters.reference import subject_from_network

    net = Network.initialise((30, 5, 3), "sigmoid", seed=0)
    return subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="chain"), "chain backward")


def _stop_after(share: float):  # type: ignore[no-untyped-def]
    from verification.identification.progress import OutOfTime

    def progress(done: int, total: int) -> None:
        if done > share * total:
            raise OutOfTime(done, total, 60.0)

    return progress


def test_a_stopped_check_says_what_its_complete_probes_found_and_gives_no_verdict() -> None:
    from verification.identification.identify import identify
    from verification.identification.progress import OutOfTime

    with pytest.raises(OutOfTime) as stopped:
        identify(_network_subject(), probes=3, progress=_stop_after(0.8))
    message = str(stopped.value)
    assert message.startswith("the check reached --timeout (60 s) at ")
    assert message.endswith(
        ": 2 of 3 probes complete; at those, chain backward matches mse (not a verdict: that needs all 3)"
    ), message
    assert stopped.value.hint == "raise --timeout, or ask for the probes that fit (--probes 2)"


def test_a_check_stopped_inside_its_first_probe_concludes_nothing() -> None:
    from verification.identification.identify import identify
    from verification.identification.progress import OutOfTime

    with pytest.raises(OutOfTime, match=r": no probe of 3 complete, so nothing is concluded$"):
        identify(_network_subject(), probes=3, progress=_stop_after(0.1))
