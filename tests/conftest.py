"""Hypothesis settings profiles, registered once.

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
