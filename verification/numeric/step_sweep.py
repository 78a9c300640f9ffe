"""Error against step: the V-shaped curves of finite differences and the flat floor of complex step.

For a scalar function with a known derivative, each method is evaluated over a range of steps ``h``
and its relative error recorded. Forward and central differences trade truncation (``h`` and ``h²``)
against the cancellation error ``ε |f| / h``, so their error falls and then rises again, with the
bottom near ``ε^(1/2)`` and ``ε^(1/3)``; Richardson extrapolation moves the bottom lower; complex step
has no cancellation and stays at rounding level for every small ``h`` (Squire & Trapp, SIAM Rev.
40(1), 1998; Martins, Sturdza & Alonso, ACM TOMS 29(3), 2003, fig. 1).

The classic test function of both papers is :func:`classic_function`,
``f(x) = eˣ / √(sin³x + cos³x)`` at ``x = 1.5``, ``f'(1.5) = 4.053427893898621`` (hyper-dual value,
JuliaDiff/HyperDualNumbers.jl ``test_Paper_example.jl``; agrees with a 50-digit mpmath derivative).

Real steps are made exactly representable (``(x + h) − x`` is the step divided by). The sweep is data
(:class:`SweepReport`); :func:`plot_sweep` draws it when matplotlib is installed (optional ``plot``
extra).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.numeric.complex_step import complex_step_derivative
from verification.numeric.evaluators import Array
from verification.numeric.methods import METHODS
from verification.numeric.richardson import richardson_derivative

CLASSIC_POINT = 1.5
CLASSIC_DERIVATIVE = 4.053427893898621
"""``f'(1.5)`` of :func:`classic_function` (Martins et al. 2003; hyper-dual reference value)."""


def classic_function(x: Any) -> Any:
    """``f(x) = eˣ / √(sin³x + cos³x)``, real or complex ``x`` (the test function of Squire & Trapp and
    Martins et al.)."""
    return np.exp(x) / np.sqrt(np.sin(x) ** 3 + np.cos(x) ** 3)


def _step(x: float, h: float) -> float:
    return (x + h) - x


def derivative(f: Callable[[Any], Any], x: float, h: float, method: str) -> float:
    """One derivative of the scalar ``f`` at ``x`` by ``method`` with step ``h``.

    Parameters
    ----------
    f : callable
        Real function of a real scalar (complex-capable for ``complex-step``).
    x : float
    h : float
        Step, ``> 0`` (the first step for ``richardson``).
    method : {"forward", "central", "richardson", "complex-step"}

    Raises
    ------
    InputError
        On an unknown method or a step that is not positive.
    """
    if not h > 0:
        raise InputError(f"step h must be positive, got {h}")
    if method == "forward":
        s = _step(x, h)
        return (float(f(x + s)) - float(f(x))) / s if s else float("nan")
    if method == "central":
        up, down = _step(x, h), _step(x, -h)
        return (float(f(x + up)) - float(f(x + down))) / (up - down) if up else float("nan")
    if method == "richardson":
        if _step(x, h / 8) == 0:
            return float("nan")
        return richardson_derivative(f, x, h)[0]
    if method == "complex-step":
        return complex_step_derivative(f, x, h)
    raise InputError(f"unknown method {method!r}; known: {', '.join(METHODS)}")


@dataclass(frozen=True)
class SweepReport:
    """Relative error of each method at each step.

    Attributes
    ----------
    x : float
    exact : float
        The reference derivative.
    steps : ndarray, shape (m,)
        Decreasing steps.
    errors : dict of str to ndarray, shape (m,)
        ``|D(h) − f'| / |f'|`` per method (nan where the step vanishes against ``x``).
    """

    x: float
    exact: float
    steps: Array
    errors: dict[str, Array]

    def best(self, method: str) -> tuple[float, float]:
        """``(h, error)`` at the smallest error of ``method``."""
        err = self.errors[method]
        k = int(np.nanargmin(err))
        return float(self.steps[k]), float(err[k])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "x": self.x,
            "exact": self.exact,
            "steps": self.steps.tolist(),
            "errors": {s: [None if np.isnan(v) else float(v) for v in e] for s, e in self.errors.items()},
        }

    def format_markdown(self) -> str:
        """A markdown table: one row per step, one column per method."""
        head = "| h | " + " | ".join(self.errors) + " |"
        lines = [head, "|" + "---|" * (len(self.errors) + 1)]
        for k, h in enumerate(self.steps):
            cells = [("—" if np.isnan(e[k]) else f"{e[k]:.2e}") for e in self.errors.values()]
            lines.append(f"| {h:.0e} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def sweep(
    f: Callable[[Any], Any],
    x: float,
    exact: float,
    steps: Sequence[float] | None = None,
    methods: Sequence[str] = tuple(METHODS),
) -> SweepReport:
    """Relative error of each method over a range of steps.

    Parameters
    ----------
    f : callable
        Scalar function (complex-capable if ``complex-step`` is swept).
    x : float
        Point.
    exact : float
        Reference derivative ``f'(x)``, non-zero.
    steps : sequence of float, optional
        Default ``10⁻¹ … 10⁻²⁰``.
    methods : sequence of str
        Subset of :data:`METHODS`.

    Raises
    ------
    InputError
        On ``exact == 0``, an unknown method or a non-positive step.
    """
    if exact == 0 or not np.isfinite(exact):
        raise InputError(f"exact derivative must be finite and non-zero for relative errors, got {exact}")
    hs = np.array(steps if steps is not None else 10.0 ** -np.arange(1, 21), dtype=np.float64)
    errors = {
        s: np.array([abs(derivative(f, x, float(h), s) - exact) / abs(exact) for h in hs]) for s in methods
    }
    return SweepReport(float(x), float(exact), hs, errors)


def classic_sweep(steps: Sequence[float] | None = None) -> SweepReport:
    """:func:`sweep` of :func:`classic_function` at 1.5 against ``f'(1.5) = 4.053427893898621``."""
    return sweep(classic_function, CLASSIC_POINT, CLASSIC_DERIVATIVE, steps)


def plot_sweep(result: SweepReport, path: str | Path) -> bool:
    """Draw the sweep on log–log axes into ``path`` (PNG/SVG by extension).

    Returns
    -------
    bool
        False (and draws nothing) when matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    floor = float(np.finfo(np.float64).eps) / 4
    for method, err in result.errors.items():
        ax.loglog(result.steps, np.maximum(err, floor), marker="o", ms=3, label=method)
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error (floored at ε/4)")
    ax.set_title(f"error against step at x = {result.x}")
    ax.invert_xaxis()
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True
