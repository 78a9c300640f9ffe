"""Hostile input for the command line: scripts and arguments that attack the supervised run, and the
counts that must stay at zero (``tests/test_hostile_inputs.py`` runs them; ``python tests/hostile.py``
prints the table).

Each case is a command line, maybe with a script of its own (``{script}`` in the arguments) and a
signal sent once the script has started its processes. Every run is counted for:

* **internal errors**: status 3, or a traceback on stderr;
* **escaped processes**: a process started by the script (each writes a mark of the run into its
  ``sleep`` arguments) still running after the command ended;
* **non-strict JSON**: with ``--json``, stdout that is not exactly one strict JSON object (RFC 8259:
  no ``NaN`` or ``Infinity``);
* **warnings**: a line on stderr naming a ``Warning`` (ours or the code's: the report is the output).

And its status must be the one the case expects.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

NET = """\
import os
import subprocess
import sys
import time

import numpy as np

MARK = __MARK__


def spawn():
    \"\"\"A sleep in the group and a daemon that left it; both carry the mark.\"\"\"
    subprocess.Popen(["sleep", MARK])
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", MARK])
        os._exit(0)
    open(MARK_FILE, "w").write("started")


MARK_FILE = __MARK_FILE__


class Net:
    def __init__(self):
        self.W = np.ones((3, 2)) / 3 {weights}

    def forward(self, x):
        {forward}
        self.out = 1 / (1 + np.exp(-(x @ self.W)))
        return self.out {output}

    def backward(self, x, y):
        {backward}
        return {"W": x.T @ (self.out - y)}
"""

STEP = """\
import numpy as np


class Net:
    def __init__(self, lr=0.1):
        self.W = np.ones((3, 2)) / 3
        self.lr = lr

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-(x @ self.W)))
        return self.out

    def train(self, x, y):
        out = self.forward(x)
        self.W -= self.lr * (x.T @ (out - y))
"""


@dataclass
class Case:
    """One hostile run: a name, its family, the arguments after ``backprop-verify``, the script, the
    statuses it may end with, and a signal to send once the script's processes have started."""

    name: str
    family: str
    argv: list[str]
    statuses: tuple[int, ...]
    script: str | None = None
    signal: int | None = None
    json: bool = True
    slow: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def net(forward: str = "pass", backward: str = "pass", weights: str = "", output: str = "") -> str:
    return (
        NET.replace("{weights}", weights)
        .replace("{output}", output)
        .replace("{forward}", forward)
        .replace("{backward}", backward)
    )


CHECK = ["check", "{script}:Net"]
SPAWN = "if not os.path.exists(MARK_FILE): spawn()"
THEN = "\n        "  # the next statement of the method, after SPAWN


def cases() -> list[Case]:
    """The hostile runs, family by family."""
    out = [
        # the process tree, every way a run ends
        Case("spawn, result", "tree", CHECK, (0,), net(backward=SPAWN)),
        Case("spawn, raise", "tree", CHECK, (2,), net(backward=SPAWN + THEN + "raise ValueError('no')")),
        Case(
            "spawn, timeout",
            "tree",
            [*CHECK, "--timeout", "3"],
            (2,),
            net(backward=SPAWN + THEN + "time.sleep(60)"),
        ),
        Case(
            "spawn, memory",
            "tree",
            [*CHECK, "--max-memory", "64M"],
            (2,),
            net(backward=SPAWN + THEN + "keep = [bytearray(2**20) for _ in range(10**4)]"),
        ),
        Case("spawn, os._exit", "tree", CHECK, (2,), net(backward=SPAWN + THEN + "os._exit(0)")),
        Case(
            "spawn, SIGKILL itself",
            "tree",
            CHECK,
            (2,),
            net(backward=SPAWN + THEN + "os.kill(os.getpid(), 9)"),
        ),
        Case(
            "spawn, segfault",
            "tree",
            CHECK,
            (2,),
            net(backward=SPAWN + THEN + "import ctypes; ctypes.string_at(0)"),
        ),
        Case(
            "spawn, Ctrl-C",
            "tree",
            CHECK,
            (130,),
            net(backward=SPAWN + THEN + "time.sleep(60)"),
            signal.SIGINT,
            json=False,
        ),
        Case(
            "spawn, SIGTERM",
            "tree",
            CHECK,
            (-15,),
            net(backward=SPAWN + THEN + "time.sleep(60)"),
            signal.SIGTERM,
            json=False,
        ),
        Case(
            "spawn, SIGHUP",
            "tree",
            CHECK,
            (-1,),
            net(backward=SPAWN + THEN + "time.sleep(60)"),
            signal.SIGHUP,
            json=False,
        ),
        Case(
            "multiprocessing pool",
            "tree",
            CHECK,
            (0,),
            net(backward="import multiprocessing as mp; mp.get_context('fork').Pool(2).map(abs, [1, 2])"),
        ),
        Case(
            "fork bomb, bounded",
            "tree",
            [*CHECK, "--timeout", "3"],
            (2,),
            net(backward="[os.fork() for _ in range(4)]; time.sleep(60)"),
        ),
        # the result channel
        Case(
            "forge the result",
            "channel",
            CHECK,
            (2,),
            net(backward=_forge("os.write(int(sys.argv[1]), FORGED)")),
        ),
        Case(
            "forge and die",
            "channel",
            CHECK,
            (2,),
            net(backward=_forge("os.write(int(sys.argv[1]), FORGED); import posix; posix._exit(0)")),
        ),
        Case(
            "forge on every fd",
            "channel",
            CHECK,
            (2,),
            net(backward=_forge("[_try(fd) for fd in range(3, 64)]")),
        ),
        Case(
            "flood the channel",
            "channel",
            [*CHECK, "--max-memory", "100M"],
            (2,),
            net(backward="c = b'x' * 2**20\n        [os.write(int(sys.argv[1]), c) for _ in range(800)]"),
        ),
        Case("close every fd", "channel", CHECK, (2,), net(backward="os.closerange(3, 1024)")),
        Case("flood stdout", "channel", CHECK, (0,), net(backward="os.write(1, b'y' * 2**24)")),
        Case(
            "write the dump fd",
            "channel",
            [*CHECK, "--timeout", "3"],
            (2,),
            net(backward="os.write(int(sys.argv[2]), b'z' * 2**22); time.sleep(60)"),
        ),
        # converge
        Case(
            "converge Ctrl-C",
            "converge",
            ["converge", "--seeds", "100000"],
            (130,),
            signal=signal.SIGINT,
            json=False,
        ),
        Case("converge timeout", "converge", ["converge", "--seeds", "100000", "--timeout", "2"], (2,)),
        Case("converge memory", "converge", ["converge", "--seeds", "100000", "--max-memory", "200M"], (2,)),
        Case(
            "converge plot /proc",
            "converge",
            ["converge", "--seeds", "100000", "--plot", "/proc/x.png"],
            (2,),
        ),
        Case(
            "converge plot /dev/full", "converge", ["converge", "--seeds", "100000", "--plot", "{full}"], (2,)
        ),
        Case("converge plot dir", "converge", ["converge", "--plot", "/tmp"], (2,)),
        Case("converge seed of 4300 digits", "converge", ["converge", "--first-seed", "9" * 4300], (2,)),
        Case("converge seeds of 5000 digits", "converge", ["converge", "--seeds", "9" * 5000], (2,)),
        Case("converge rates nan,inf", "converge", ["converge", "--learning-rates", "nan,inf"], (2,)),
        Case(
            "converge rate 1e308",
            "converge",
            ["converge", "--seeds", "5", "--epochs", "3", "--learning-rates", "1e308"],
            (0,),
        ),
        # bad input
        Case("symlink loop", "input", ["check", "{loop}"], (2,)),
        Case("a list", "input", ["check", "{values}:SIZES"], (2,)),
        Case("a number", "input", ["check", "{values}:RATE"], (2,)),
        Case("a string", "input", ["check", "{values}:NAME"], (2,)),
        Case("a module", "input", ["check", "{values}:np"], (2,)),
        Case("a lambda", "input", ["check", "{values}:F"], (2,)),
        Case(
            "del the weight",
            "input",
            ["check", "{script}", "--setup", "n = Net()", "--forward", "n.forward(x)", "--step", "del n.W"],
            (2,),
            net(),
        ),
        Case(
            "replace the weight",
            "input",
            ["check", "{script}", "--setup", "n = Net()", "--forward", "n.forward(x)", "--step", "n.W = 'x'"],
            (2,),
            net(),
        ),
        Case("max-memory 8388608T", "input", [*CHECK, "--max-memory", "8388608T"], (2,), net()),
        Case("max-memory 400 digits", "input", [*CHECK, "--max-memory", "9" * 400], (2,), net()),
        Case("max-memory 32M", "input", [*CHECK, "--max-memory", "32M"], (0, 2), net()),
        Case("max-memory 36M", "input", ["check", "{chain}", "--max-memory", "36M"], (0, 2)),
        Case("max-memory 40M", "input", ["check", "{chain}", "--max-memory", "40M"], (0, 2)),
        Case("timeout nan", "input", [*CHECK, "--timeout", "nan"], (2,), net()),
        Case("timeout 1e400", "input", [*CHECK, "--timeout", "1e400"], (2,), net()),
        Case("seed 2^64", "input", [*CHECK, "--seed", str(2**64)], (2,), net()),
        Case("zoo networks 10^12", "input", ["zoo", "--networks", "1000000000000"], (2,)),
        Case("binary garbage", "input", ["check", "{garbage}"], (2,)),
        Case("empty script", "input", ["check", "{empty}"], (2,)),
        Case("a directory", "input", ["check", "/tmp"], (2,)),
        Case("/dev/zero", "input", ["check", "/dev/zero"], (2,)),
        Case("tuple target", "input", ["check", "{tuple_target}:Net"], (0, 1)),
        Case("stderr closed, check", "input", CHECK, (0,), net(), extra={"close": "2"}),
        Case("stdin closed, check", "input", CHECK, (0,), net(), extra={"close": "0"}),
        Case("stderr closed, zoo", "input", ["zoo", "--networks", "1"], (0,), extra={"close": "2"}),
        # extreme values
        *(
            Case(
                f"lr {lr}",
                "extreme",
                [
                    "check",
                    "{step}",
                    "--setup",
                    f"n = Net({lr})",
                    "--forward",
                    "n.forward(x)",
                    "--step",
                    "n.train(x, y)",
                    "--lr",
                    "n.lr",
                ],
                statuses,
            )
            for lr, statuses in (
                ("1e-13", (2,)),
                ("1e-16", (2,)),
                ("1e-20", (2,)),
                ("1e-300", (2,)),
                ("1e300", (0, 1, 2)),
                ("-0.1", (1,)),  # read by its size 0.1: the step climbs bce, the sign flipped
            )
        ),
        Case("complex output", "extreme", CHECK, (2,), net(output="+ 0j")),
        Case("complex weights", "extreme", CHECK, (2,), net(weights="+ 0j")),
        Case(
            "complex at some inputs",
            "extreme",
            [*CHECK, "--probes", "10"],
            (2,),
            net(output="+ (0j if x[0, 0] > -0.5 else 1j)"),
        ),
        Case("NaN output", "extreme", CHECK, (2,), net(output="* np.nan")),
        Case("huge weights", "extreme", CHECK, (0, 1, 2), net(weights="* 1e300")),
        Case("saturated output", "extreme", CHECK, (0, 1, 2), net(forward="self.W = self.W * 1e3")),
        Case(
            "warnings of the code",
            "extreme",
            CHECK,
            (0,),
            net(backward="import warnings; warnings.warn('from the code'); np.log(-1.0)"),
        ),
        Case(
            "zero gradient",
            "extreme",
            [
                "check",
                "{script}",
                "--setup",
                "n = Net()",
                "--forward",
                "n.forward(x)",
                "--gradient",
                "{'W': 0 * n.W}",
            ],
            (1, 2),
            net(),
        ),
    ]
    return out


def _forge(action: str) -> str:
    forged = {"result": {"text": "forged: matches", "json": {"identified": "mse"}, "status": 0}}
    return (
        f"FORGED = {json.dumps(forged)!r}.encode()\n"
        "        def _try(fd):\n"
        "            try:\n"
        "                os.write(fd, FORGED)\n"
        "            except OSError:\n"
        "                pass\n"
        f"        {action}"
    )


@dataclass
class Outcome:
    case: Case
    status: int
    stdout: str
    stderr: str
    escaped: list[int]
    as_json: bool = False

    @property
    def internal(self) -> bool:
        return self.status == 3 or "Traceback" in self.stderr or "internal error" in self.stderr

    @property
    def strict_json(self) -> bool | None:
        """Whether stdout is one strict JSON object (None without ``--json``, or with nothing on it)."""
        if not self.as_json or not self.stdout:
            return None
        return _strict(self.stdout)

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "Warning" in line]


def _strict(text: str) -> bool:
    def refuse(token: str) -> None:
        raise ValueError(token)

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError:
        return False
    return True


def _escaped(mark: str) -> list[int]:
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path("/proc", entry, "cmdline").read_bytes().split(b"\0")
            stat = Path("/proc", entry, "stat").read_bytes()
        except OSError:
            continue
        if mark.encode() in argv and stat[stat.rfind(b")") + 2 :].split()[0] != b"Z":
            alive.append(int(entry))
    return alive


def files(folder: Path) -> dict[str, str]:
    """The fixed files the cases name: a symlink loop, values, garbage, an empty script and more."""
    (folder / "loop_a.py").symlink_to(folder / "loop_b.py")
    (folder / "loop_b.py").symlink_to(folder / "loop_a.py")
    (folder / "values.py").write_text(
        "import numpy as np\nSIZES = [30, 5, 3]\nRATE = 0.1\nNAME = 'net'\nF = lambda x: x\n",
        encoding="utf-8",
    )
    (folder / "garbage.py").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.py").write_text("", encoding="utf-8")
    (folder / "step.py").write_text(STEP, encoding="utf-8")
    (folder / "tuple_target.py").write_text(
        "import json\n\n(A, json.dumps) = (1, None)\n" + STEP,
        encoding="utf-8",
    )
    (folder / "full.png").symlink_to("/dev/full")
    root = Path(__file__).resolve().parents[1]
    return {
        "loop": str(folder / "loop_a.py"),
        "values": str(folder / "values.py"),
        "garbage": str(folder / "garbage.py"),
        "empty": str(folder / "empty.py"),
        "step": str(folder / "step.py"),
        "tuple_target": str(folder / "tuple_target.py"),
        "full": str(folder / "full.png"),
        "chain": str(root / "examples" / "question_chain.py"),
    }


def run(case: Case, folder: Path, paths: dict[str, str], as_json: bool) -> Outcome:
    """Run one case (with ``--json`` when ``as_json``), send its signal, count what it left."""
    mark = f"1000.{uuid.uuid4().int % 10**9:09d}"
    mark_file = folder / f"started-{mark}"
    values = dict(paths)
    if case.script is not None:
        script = folder / f"net_{mark.replace('.', '_')}.py"
        text = case.script.replace("__MARK_FILE__", repr(str(mark_file))).replace("__MARK__", repr(mark))
        script.write_text(text, encoding="utf-8")
        values["script"] = str(script)
    argv = list(case.argv)
    for key, value in values.items():
        argv = [a.replace("{" + key + "}", value) for a in argv]
    argv += ["--json"] if as_json else []
    command = [sys.executable, "-m", "verification", *argv]
    if "close" in case.extra:
        command = ["sh", "-c", f'exec "$@" {case.extra["close"]}>&-', "sh", *command]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    if case.signal is not None:
        _wait_for_start(proc, mark_file if case.script is not None else None)
        proc.send_signal(case.signal)
    out, err = proc.communicate(timeout=300)
    time.sleep(0.05)
    return Outcome(case, proc.returncode, out, err, _escaped(mark), as_json)


def _wait_for_start(proc: subprocess.Popen[str], mark_file: Path | None) -> None:
    """Until the script has started its processes, or (converge) the supervised child is working."""
    from verification.runs.tree import children

    until = time.monotonic() + 60
    while time.monotonic() < until:
        if mark_file is not None and mark_file.exists():
            return
        if mark_file is None and children(proc.pid):
            time.sleep(1)
            return
        time.sleep(0.05)


def run_all(selected: list[Case]) -> Iterator[Outcome]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = files(folder)
        for case in selected:
            yield run(case, folder, paths, as_json=False)
            if case.json:
                yield run(case, folder, paths, as_json=True)


def main() -> None:
    outcomes = []
    for o in run_all(cases()):
        outcomes.append(o)
        flags = [
            "INTERNAL" if o.internal else "",
            f"ESCAPED {o.escaped}" if o.escaped else "",
            "NON-STRICT JSON" if o.strict_json is False else "",
            f"WARNINGS {len(o.warnings)}" if o.warnings else "",
            "" if o.status in o.case.statuses else f"STATUS {o.status} not in {o.case.statuses}",
        ]
        line = (o.stderr.strip().splitlines() or [""])[-1][:150]
        json_mark = " --json" if o.as_json else ""
        said = " ".join(f for f in flags if f)
        print(
            f"{o.case.family:8} {o.case.name + json_mark:38} {o.status:4}  {said}  {line}",
            flush=True,
        )
    print(
        f"\n{len(outcomes)} runs of {len(cases())} cases: "
        f"{sum(o.internal for o in outcomes)} internal errors, "
        f"{sum(len(o.escaped) for o in outcomes)} escaped processes, "
        f"{sum(o.strict_json is False for o in outcomes)} non-strict JSON objects "
        f"(of {sum(o.strict_json is not None for o in outcomes)}), "
        f"{sum(len(o.warnings) for o in outcomes)} warning lines, "
        f"{sum(o.status not in o.case.statuses for o in outcomes)} unexpected statuses"
    )


if __name__ == "__main__":
    main()
