"""For tests: the assertion, the pytest plugin, Hypothesis strategies and conditioning helpers.

* ``assertions``: :func:`~verification.testing.assertions.assert_gradient_of`;
* ``pytest_plugin``: the fixture ``assert_gradient_of``, registered on installation;
* ``strategies``: public Hypothesis strategies for networks, batches and labels;
* ``conditioning``: when finite differences can decide a case at all (kinks, saturation, rounding).
"""
