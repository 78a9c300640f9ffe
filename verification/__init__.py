"""backprop-verify: which loss is a backward pass the gradient of? Proven by finite differences, by
SymPy, and by backpropagation.

The front door: the handful of functions a user calls, importable from ``verification`` directly::

    from verification import check_gradient, assert_gradient_of

================================ ==================================================================
name                             what it does (and where it lives)
================================ ==================================================================
:func:`check_gradient`           compare a claimed gradient of ``f(params)`` with finite differences,
                                 every entry (``verification.compare.coordinate``)
:func:`check_network`            the same for an ``ffnn`` network, vectorised (same module)
:func:`check_directions`         compare along random directions (``verification.compare.directional``)
:func:`taylor_test`              step-free Taylor remainder test (``verification.compare.taylor``)
:func:`numeric_gradient`         finite-difference gradient with an error estimate per entry
                                 (``verification.numeric.methods``)
:func:`identify`                 which catalog loss someone's backward pass is the gradient of
                                 (``verification.identification.identify``)
:func:`assert_gradient_of`       the pytest assertion of that (``verification.testing.assertions``)
:func:`check_vjp`                compare a backward function (a layer's) with the numeric vector–Jacobian
                                 product of its forward (``verification.units.api``)
:func:`assert_backward_matches`  the pytest assertion of that (``verification.testing.backward``)
:func:`derive_pair`              SymPy derivation of a loss and activation pair's output delta
                                 (``verification.symbolic.pairs``)
================================ ==================================================================

The rest is organised by concept, from the bottom up: ``tolerances`` (the one table of tolerances),
``draws`` (the probe distribution), ``numeric`` (evaluators and difference methods), ``compare`` (the
acceptance rule, reports, kinks and the checking modes), ``symbolic`` (SymPy derivations and their
rendering), ``reading`` (someone's script read without running it), ``adapters`` (their live code made
callable), ``units`` (layer pairs, losses, layer objects and engine operations, each backward checked
as the vector–Jacobian product of its forward), ``identification`` (probes, verdicts, identification
and the ``check`` command's report), ``testing`` (the assertions, the pytest plugin, Hypothesis
strategies and conditioning helpers), ``zoo`` (mutant backward passes), ``question`` (the question's
answer), ``convergence`` (the training study), ``runs`` (supervised runs and how they end),
``terminal_width`` (reports fitted to the terminal) and, on top, ``cli`` with its ``arguments``,
``argument_types``, ``usage`` and ``help_texts``.

Names are loaded on first use, so ``import verification`` stays cheap (SymPy is imported only when
:func:`derive_pair` is). ``verification.__version__`` is the package's version (the one place it is
written; ``pyproject.toml`` reads it from here).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_WHERE = {
    "check_gradient": "verification.compare.coordinate",
    "check_network": "verification.compare.coordinate",
    "check_directions": "verification.compare.directional",
    "taylor_test": "verification.compare.taylor",
    "numeric_gradient": "verification.numeric.methods",
    "identify": "verification.identification.identify",
    "assert_gradient_of": "verification.testing.assertions",
    "check_vjp": "verification.units.api",
    "assert_backward_matches": "verification.testing.backward",
    "derive_pair": "verification.symbolic.pairs",
}

__all__ = [
    "assert_backward_matches",
    "assert_gradient_of",
    "check_directions",
    "check_gradient",
    "check_network",
    "check_vjp",
    "derive_pair",
    "identify",
    "numeric_gradient",
    "taylor_test",
]


def __getattr__(name: str) -> Any:
    """Load a front-door name from its module on first use (PEP 562)."""
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'verification' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
