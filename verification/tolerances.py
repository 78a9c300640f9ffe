"""The one table of tolerances, per dtype and finite-difference method, derived from error analysis.

An entry of an analytic gradient ``g_a`` is accepted against the numeric one ``g_n`` when::

    |g_a − g_n| ≤ rtol · max(|g_a|, |g_n|) + estimate_factor · e_n

where ``e_n`` is the numeric oracle's own error estimate for that entry (truncation plus rounding, see
:mod:`verification.finite_differences`). The two terms play different roles:

* ``e_n`` bounds what the difference scheme itself gets wrong at the step it used; ``estimate_factor``
  allows for the estimate being an order-of-magnitude figure (the truncation estimate
  ``|D(h) − D(2h)| / 3`` is exact only in the limit ``h → 0``).
* ``rtol`` is the relative accuracy the scheme reaches at its optimal step, times a safety factor of
  100 for the unknown ratio of higher derivatives to the first. For central differences the optimal
  step ``h ≈ ε^(1/3)`` balances truncation ``h² |f'''| / 6`` against rounding ``ε |f| / h`` and gives a
  relative accuracy of order ``ε^(2/3)`` (Press et al., *Numerical Recipes*, 3rd ed., §5.7; Nocedal &
  Wright, *Numerical Optimization*, 2nd ed., §8.1).

Nothing else in the project types a tolerance: tests and reports read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ffnn.validation import InputError

SAFETY = 100.0
"""Allowance for the unknown ratio of higher derivatives to the first (see the module docstring)."""

ESTIMATE_FACTOR = 10.0
"""How many error estimates a difference may span before it counts against the gradient."""


@dataclass(frozen=True)
class Tolerance:
    """Acceptance thresholds for one dtype and method.

    Attributes
    ----------
    rtol : float
        Relative tolerance (dimensionless).
    estimate_factor : float
        Multiplier of the numeric error estimate.
    order : str
        The accuracy the method reaches at its optimal step, as a formula in ``ε``.
    """

    rtol: float
    estimate_factor: float
    order: str


def _table() -> dict[tuple[str, str], Tolerance]:
    table: dict[tuple[str, str], Tolerance] = {}
    for dtype in (np.float64, np.float32):
        eps = float(np.finfo(dtype).eps)
        name = np.dtype(dtype).name
        table[(name, "central")] = Tolerance(SAFETY * eps ** (2 / 3), ESTIMATE_FACTOR, "ε^(2/3)")
    return table


TOLERANCES: dict[tuple[str, str], Tolerance] = _table()
"""Tolerances keyed by ``(dtype name, method)``."""


def tolerance_for(dtype: np.dtype | type | str, method: str) -> Tolerance:
    """The tolerance of ``method`` at ``dtype``.

    Raises
    ------
    InputError
        If the table has no entry for that dtype and method.
    """
    key = (np.dtype(dtype).name, method)
    try:
        return TOLERANCES[key]
    except KeyError:
        known = ", ".join(f"{d}/{m}" for d, m in TOLERANCES)
        raise InputError(f"no tolerance for dtype {key[0]} with method {method!r}; known: {known}") from None
