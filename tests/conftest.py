"""Hypothesis settings profiles, registered once; and the ``show_example`` fixture, which keeps the
counterexamples the property tests find for a section at the end of the run's report.

* ``ci`` (the default): derandomised, so every run draws the same examples; no deadline and no
  data-generation speed check, since the machines are shared and a busy machine must not fail a test.
* ``dev``: few examples, for a quick loop while editing.
* ``thorough``: thousands of examples per property with fresh randomness; Hypothesis prints the seed
  and a ``@reproduce_failure`` blob for any failure. Run it with ``nox -s property``.

Pick one with Hypothesis' own option: ``pytest --hypothesis-profile=thorough``; add
``--hypothesis-seed=N`` to repeat a thorough run exactly.

The expensive finite-difference properties in ``tests/test_properties.py`` cap their examples at
``min(profile, N)`` (N = 300 to 1000, see that module), so that a thorough run of the whole suite stays
within about half an hour; under ``ci`` and ``dev`` the caps do not bite.
"""

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=10, deadline=None, print_blob=True)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")


_EXAMPLES: list[str] = []


@pytest.fixture
def show_example(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Keep a text (a counterexample a test found) for the "examples found" section of the report,
    so it is read after the run instead of in the middle of the progress line."""

    def keep(text: str) -> None:
        _EXAMPLES.append(f"{request.node.nodeid}\n{text}")

    return keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _EXAMPLES:
        terminalreporter.section("examples found by the property tests (see docs/properties.md)")
        for text in _EXAMPLES:
            terminalreporter.write_line(text + "\n")


@pytest.fixture(autouse=True)
def _reports_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports are fitted to ``COLUMNS`` (verification.terminal_width): tests read them at the width of
    a pipe, 80, whatever terminal runs the suite."""
    monkeypatch.setenv("COLUMNS", "80")
