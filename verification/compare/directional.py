"""Directional mode: compare ``g·v`` with the numeric derivative of ``t ↦ L(w + t v)`` along random ``v``.

For each parameter tensor, ``k`` directions ``v`` (standard normal in that tensor's shape, unit
Frobenius norm, other tensors fixed) are drawn with ``np.random.default_rng(seed)``. The numeric
derivative of the one-variable function ``φ(t) = L(w + t v)`` at 0 comes from the same methods as the
coordinate mode (``auto``: complex step when the loss evaluates on complex parameters, else
Richardson), with their error estimates; it is compared with ``g_a·v`` by the entry rule of
:mod:`verification.compare.coordinate`, the tensor floor being ``‖g_a‖`` (the largest ``|g·v|`` over unit
``v``). Cost: ``k`` one-variable derivatives per tensor instead of one per entry — the idea of JAX
``check_grads`` and of ``torch.autograd.gradcheck(fast_mode=True)``.

What it can miss. A wrong entry ``i`` of relative size ``δ`` changes ``g·v`` by ``δ g_i v_i``. With
``n`` entries, ``|v_i| ≈ 1/√n`` and ``|g·v| ≈ ‖g‖/√n``, so the directional value moves by a relative
``≈ δ |g_i| / ‖g‖``, which for a typical entry is ``δ / √n``: an error of ``10⁻⁶`` on one of 10⁵
entries changes it by ``≈ 3·10⁻⁹``, below the accuracy of central differences and of the float32
rounding floor; only a method at rounding level (complex step) can still see it, and then only if the
entry is not small. An error on a tiny entry, or errors that cancel in ``g·v`` for the drawn ``v``
(probability zero for continuous ``v``, but small effects are the norm), pass. Errors that change the
whole tensor (sign, scale, transposition, a missing factor) move every ``g·v`` and are caught with a
few directions. Use the coordinate or structured mode to find single wrong entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.validation import InputError, whole_number
from verification.compare.calling import named_form
from verification.compare.rule import excess, least_squares_scale
from verification.numeric.evaluators import Array, LoopEvaluator, as_parameters, loss_function, real_array
from verification.numeric.methods import numeric_gradient_on, resolve_method
from verification.tolerances import Tolerance, given_tolerance, tolerance_for, tolerance_overrides


@dataclass(frozen=True)
class DirectionReport:
    """The directional comparison of one parameter tensor.

    Attributes
    ----------
    name : str
    analytic, numeric, error_estimate : ndarray, shape (k,)
        ``g_a·v``, the numeric ``φ'(0)`` and its error estimate, per direction.
    flagged : int
        Directions outside tolerance.
    scale : float
        Least-squares ``c`` with ``g_a·v ≈ c · φ'(0)`` over the directions.
    verdict : str
        ``matches``, ``matches up to scale`` or ``mismatch``.
    """

    name: str
    analytic: Array
    numeric: Array
    error_estimate: Array
    flagged: int
    scale: float
    verdict: str


@dataclass(frozen=True)
class DirectionalReport:
    """The directional check of every tensor.

    Attributes
    ----------
    parameters : dict of str to DirectionReport
    method : str
        The method used for ``φ'(0)``.
    tolerance : Tolerance
    seed : int
        Seed of the directions.
    directions : int
        Directions per tensor.
    evaluations : int
        Loss evaluations spent.
    """

    parameters: dict[str, DirectionReport]
    method: str
    tolerance: Tolerance
    seed: int
    directions: int
    evaluations: int

    @property
    def matches(self) -> bool:
        """True when every tensor matches along every direction."""
        return all(p.verdict == "matches" for p in self.parameters.values())

    def __bool__(self) -> bool:
        """The verdict: :attr:`matches`, so that ``assert check_directions(...)`` fails on a mismatch."""
        return self.matches

    def __str__(self) -> str:
        """The readable lines of :meth:`format_text`."""
        return self.format_text()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "mode": "directional",
            "method": self.method,
            "seed": self.seed,
            "directions": self.directions,
            "evaluations": self.evaluations,
            "matches": self.matches,
            "rtol": self.tolerance.rtol,
            "parameters": {
                n: {
                    "verdict": p.verdict,
                    "flagged": p.flagged,
                    "scale": None if np.isnan(p.scale) else p.scale,
                    "analytic": p.analytic.tolist(),
                    "numeric": p.numeric.tolist(),
                    "error_estimate": p.error_estimate.tolist(),
                }
                for n, p in self.parameters.items()
            },
        }

    def format_text(self) -> str:
        """One line per tensor."""
        lines = [
            f"directional mode: {self.directions} directions per tensor, seed {self.seed}, {self.method}"
        ]
        for p in self.parameters.values():
            lines.append(f"  {p.name:<8} flagged {p.flagged}/{p.analytic.size}  {p.verdict}")
        return "\n".join(lines)


def check_directions(
    f: Callable[[Any], Any],
    params: Any,
    analytic: Any,
    *,
    directions: int = 4,
    seed: int = 0,
    method: str = "auto",
    rtol: float | None = None,
    atol: float | None = None,
) -> DirectionalReport:
    """Check ``analytic`` along ``directions`` random directions per parameter tensor.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``, called with float64 (complex128 under complex step) arrays; ``f(x)``
        when ``params`` is one array.
    params : mapping of str to array_like, or array_like
        The point: named arrays, or one array (reported as ``x``).
    analytic : mapping of str to array_like, array_like, or callable
        Claimed gradient, same names and shapes, or a function of the point that returns it
        (:mod:`verification.compare.calling`).
    directions : int
        Directions per tensor (≥ 1).
    seed : int
        Seed of ``np.random.default_rng`` drawing the directions.
    method : str
        Method for the one-variable derivatives (``auto`` detects complex-step support once).
    rtol, atol : float, optional
        In place of the table's relative tolerance, and an absolute one added (gradient units), as in
        :func:`verification.tolerances.given_tolerance`; the rule is the one of
        :mod:`verification.compare.rule` with the tensor's norm as floor.

    Returns
    -------
    DirectionalReport
        Its truth value is its verdict; ``print(report)`` prints one line per tensor.

    Raises
    ------
    InputError
        On bad parameters or gradient shapes, a complex or non-numeric gradient, ``directions`` or
        ``seed`` that is not a whole number (≥ 1, ≥ 0; a float or bool is refused), an unknown
        method, or ``rtol`` or ``atol`` out of range.
    """
    tolerance_overrides(rtol=rtol, atol=atol)
    f = loss_function(f)
    directions = whole_number("directions", directions, minimum=1)
    seed = whole_number("seed", seed, minimum=0)
    resolve_method(method)
    form = named_form(f, params, analytic)
    f, analytic = form.f, form.analytic
    base = as_parameters(form.params)
    if not isinstance(analytic, Mapping) or set(analytic) != set(base):
        raise InputError(f"the analytic gradient must have parameters {sorted(base)}")
    rng = np.random.default_rng(seed)
    reports: dict[str, DirectionReport] = {}
    evaluations = 0
    used = method
    tolerance = given_tolerance(tolerance_for(np.float64, resolve_method(method)), rtol=rtol, atol=atol)
    for name, w in base.items():
        g = real_array(f"analytic gradient of {name}", analytic[name])
        if g.shape != w.shape:
            raise InputError(f"analytic gradient of {name} has shape {g.shape}, expected {w.shape}")
        vs = rng.standard_normal((directions, *w.shape))
        vs /= np.sqrt(np.sum(vs.reshape(directions, -1) ** 2, axis=1)).reshape(-1, *([1] * w.ndim))

        def along(p: dict[str, Array], name: str = name, vs: Array = vs) -> Any:
            t = p["t"]
            kind = np.complex128 if np.iscomplexobj(t) else np.float64
            shifted = {n: base[n].astype(kind) for n in base}
            shifted[name] = shifted[name] + np.tensordot(t, vs, axes=1)
            return f(shifted)

        ev = LoopEvaluator(along, {"t": np.zeros(directions)})
        if used == "auto":
            used = resolve_method("auto", ev)
            tolerance = given_tolerance(tolerance_for(np.float64, used), rtol=rtol, atol=atol)
        numeric = numeric_gradient_on(ev, used)
        evaluations += numeric.evaluations
        g_v = np.tensordot(vs, g, axes=g.ndim)
        d, e = numeric.gradient["t"], numeric.error_estimate["t"]
        floor = float(np.linalg.norm(g))
        flagged = int(np.count_nonzero(excess(g_v, d, e, tolerance, floor) > 0))
        _, c = least_squares_scale(g_v, d)
        verdict = "matches"
        if flagged:
            scaled_ok = (
                np.isfinite(c) and c > 0 and not np.any(excess(g_v, c * d, abs(c) * e, tolerance, floor) > 0)
            )
            verdict = "matches up to scale" if scaled_ok else "mismatch"
        reports[name] = DirectionReport(name, g_v, d, e, flagged, c, verdict)
    return DirectionalReport(reports, used, tolerance, seed, directions, evaluations)
