"""Development sessions: one verb each. Run ``nox -l`` to list them, ``nox -s NAME -- ARGS`` to pass
arguments through to the tool."""

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).parent


@nox.session
def tests(session: nox.Session) -> None:
    """The default test run (Hypothesis profile ``ci``), as README.md and CI run it, with the ``test``
    extra so that the figure tests run too."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def property(session: nox.Session) -> None:
    """The whole suite with the ``thorough`` Hypothesis profile: thousands of examples per property."""
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests",
        "-m",
        "slow or not slow",
        "--hypothesis-profile=thorough",
        "--hypothesis-show-statistics",
        *session.posargs,
    )


@nox.session
def sweep(session: nox.Session) -> None:
    """The false-positive sweep: the correct backward pass on 2000 drawn networks (``-- N SEED`` for
    others); the default test run checks the first 100 of ``zoo --networks 500 --seed 7``."""
    session.install("-e", ".")
    defaults = ["2000", "7"]
    networks, seed = [*session.posargs[:2], *defaults[len(session.posargs[:2]) :]]
    session.run("backprop-verify", "zoo", "--networks", networks, "--seed", seed, "--timeout", "7200")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on the packages, tests, benchmarks and this file."""
    session.install("ruff")
    session.run(
        "ruff", "check", "ffnn", "verification", "tests", "benchmarks", "noxfile.py", *session.posargs
    )


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy on the two packages."""
    session.install("-e", ".", "mypy")
    session.run("mypy", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate docs/derivations.md and docs/convergence.md (``-- --check`` only verifies them)."""
    session.install("-e", ".[plot]")
    session.run("python", "-m", "verification.symbolic.render", *session.posargs)
    session.run("python", "-m", "verification.convergence.document", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against other gradient checkers; each script writes its results under docs/."""
    session.install("-e", ".[cross,plot]", "torch==2.13.0")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
