"""Numeric Jacobians of a network's output with respect to its parameters, entry by entry or along
directions, with an error estimate for every component.

The gradient of any loss ``L(a)`` of the output ``a`` is the Jacobian ``∂a/∂θ`` against the loss's own
derivative ``∂L/∂a`` (the chain rule). Differentiating the *output* once per probe therefore serves every
loss of the catalog: adding a loss costs nothing, and the network is still differentiated only
numerically, through its own forward pass.

A column ``∂a/∂θ_k`` (shape ``(n, m)`` for ``n`` samples and ``m`` outputs) comes from

* complex step, ``Im a(θ + ih e_k) / h`` with ``h = ε max(1, |θ_k|)``: one evaluation per entry, accurate
  to rounding (Squire & Trapp 1998; Martins, Sturdza & Alonso 2003); error estimate per component as in
  :mod:`verification.numeric.complex_step`;
* Richardson-extrapolated central differences (:mod:`verification.numeric.richardson`): ``2K``
  evaluations per entry, each component extrapolated with its own error estimate.

Along a direction ``u`` (a whole tensor at once) the same gives ``∂a/∂t`` of ``a(θ + t u)``.

The function differentiated is anything with the :class:`OutputFunction` interface: parameters
loaded where the code reads them, single entries set in place, the output evaluated (a
:class:`verification.adapters.subject.Subject` is one). :func:`supports_complex` detects, rather than
assumes, that the code evaluates correctly at complex parameters: complex output, the same real part,
and ``Im / h`` that agrees with a central difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.numeric.differences import exact_offsets, relative_step
from verification.numeric.richardson import extrapolate
from verification.tolerances import RICHARDSON_LEVELS, tolerance_for

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)
Progress = Callable[[int], None]
"""Called with the number of evaluations just made, for a progress indicator."""


class OutputFunction(Protocol):
    """A network's output as a function of its parameters, with entries set in place."""

    def load(self, params: Mapping[str, Array], complex_: bool = False) -> None:
        """Put the parameters where the code reads them (complex arrays when ``complex_``)."""

    def output(self) -> Array:
        """The output ``(n, m)`` at the loaded parameters."""

    def entry_setter(self, name: str) -> Any:
        """``setter[i]`` gets and sets entry ``i`` (flat) of parameter ``name`` as the code reads it."""


def unit_roundoff(fn: Any) -> float:
    """``ε`` of the precision ``fn`` computes in (its ``precision`` attribute, float64 when it has none):
    a code that computes in float32 rounds its outputs to ``2⁻²⁴``, whatever dtype they are handed back
    in, and the differences of its outputs carry that rounding."""
    return float(np.finfo(getattr(fn, "precision", np.float64)).eps)


def _check_complex(out: Array, what: str) -> Array:
    if not np.iscomplexobj(out):
        raise InputError(f"complex step does not apply: {what} is real at complex parameters")
    return out


def columns_complex_step(
    fn: OutputFunction, params: Mapping[str, Array], name: str, flat: Array, progress: Progress | None = None
) -> tuple[Array, Array]:
    """``∂a/∂θ`` for the entries ``flat`` of parameter ``name`` by complex step.

    Parameters
    ----------
    fn : OutputFunction
        With its inputs bound.
    params : mapping of str to ndarray
        The point (float64).
    name : str
    flat : ndarray of int, shape (k,)
        Flat indices of the entries.
    progress : callable, optional

    Returns
    -------
    (J, E) : ndarray, shape (k, n, m), float64
        The columns and their error estimates ``ε |J| + ε² max(1, |θ|)² |J|``.

    Raises
    ------
    InputError
        If the output is not complex at complex parameters, or not finite.
    """
    fn.load(params, complex_=True)
    setter = fn.entry_setter(name)
    w = np.asarray(params[name], dtype=np.float64).reshape(-1)
    columns = []
    for count, i in enumerate(np.asarray(flat, dtype=np.intp)):
        h = EPS * max(1.0, abs(float(w[i])))
        original = setter[i]
        setter[i] = original + 1j * h
        try:
            out = _check_complex(fn.output(), "the output")
        finally:
            setter[i] = original
        columns.append(out.imag / h)
        if progress is not None and count % 256 == 255:
            progress(256)
    if progress is not None:
        progress(len(columns) % 256)
    J = np.stack(columns) if columns else np.zeros((0, 1, 1))
    scale = np.maximum(1.0, np.abs(w[np.asarray(flat, dtype=np.intp)]))[:, None, None]
    eps = unit_roundoff(fn)
    E = eps * np.abs(J) + EPS**2 * scale**2 * np.abs(J)
    return J, E


def columns_richardson(
    fn: OutputFunction, params: Mapping[str, Array], name: str, flat: Array, progress: Progress | None = None
) -> tuple[Array, Array]:
    """``∂a/∂θ`` for the entries ``flat`` of parameter ``name`` by Richardson-extrapolated central
    differences (``2K`` evaluations per entry, ``K`` = :data:`~verification.tolerances.RICHARDSON_LEVELS`),
    extrapolated for all entries and components at once.

    Returns
    -------
    (J, E) : ndarray, shape (k, n, m), float64
        The columns and the extrapolation's error estimate per component.
    """
    fn.load(params)
    setter = fn.entry_setter(name)
    w = np.asarray(params[name], dtype=np.float64).reshape(-1)
    flat = np.asarray(flat, dtype=np.intp)
    if flat.size == 0:
        return np.zeros((0, 1, 1)), np.zeros((0, 1, 1))
    levels = RICHARDSON_LEVELS
    eps = unit_roundoff(fn)
    h0 = relative_step(w[flat], 1 / (2 * levels + 1), getattr(fn, "precision", np.float64))
    ups = np.stack([exact_offsets(w[flat], h0 / 2**k) for k in range(levels)])  # (K, k)
    downs = np.stack([exact_offsets(w[flat], -h0 / 2**k) for k in range(levels)])
    d: Array | None = None
    fmax = np.zeros(0)
    shape: tuple[int, ...] = ()
    for j, i in enumerate(flat):
        original = setter[i]
        try:
            for k in range(levels):
                setter[i] = w[i] + ups[k, j]
                fp = fn.output()
                setter[i] = w[i] + downs[k, j]
                fm = fn.output()
                if d is None:
                    shape = fp.shape
                    d = np.empty((levels, flat.size, fp.size))
                    fmax = np.zeros((flat.size, fp.size))
                d[k, j] = ((fp - fm) / (ups[k, j] - downs[k, j])).reshape(-1)
                fmax[j] = np.maximum(fmax[j], np.maximum(np.abs(fp), np.abs(fm)).reshape(-1))
        finally:
            setter[i] = original
        if progress is not None and j % 64 == 63:
            progress(64 * 2 * levels)
    if progress is not None:
        progress((flat.size % 64) * 2 * levels)
    assert d is not None
    m = d.shape[2]
    steps = np.repeat(ups[:, :, None], m, axis=2).reshape(levels, -1)
    value, estimate = extrapolate(d.reshape(levels, -1), steps, fmax.reshape(-1), eps)
    return value.reshape(flat.size, *shape), estimate.reshape(flat.size, *shape)


def direction_complex_step(
    fn: OutputFunction, params: Mapping[str, Array], name: str, u: Array
) -> tuple[Array, Array]:
    """``∂a/∂t`` of ``a(θ + t u)`` at ``t = 0`` (``u`` changes parameter ``name`` only), by complex step.

    Returns
    -------
    (D, E) : ndarray, shape (n, m)
        The directional derivative and its error estimate.
    """
    h = EPS
    shifted = {n: np.asarray(v, dtype=np.complex128) for n, v in params.items()}
    shifted[name] = shifted[name] + 1j * h * u.reshape(shifted[name].shape)
    fn.load(shifted, complex_=True)
    D = _check_complex(fn.output(), "the output").imag / h
    return D, unit_roundoff(fn) * np.abs(D)


def direction_richardson(
    fn: OutputFunction, params: Mapping[str, Array], name: str, u: Array
) -> tuple[Array, Array]:
    """``∂a/∂t`` of ``a(θ + t u)`` at ``t = 0`` by Richardson-extrapolated central differences, with
    the first step ``ε^(1/(2K+1)) max(1, ‖θ‖) / ‖u‖``: the tensor moves by the relative step one entry
    would, so the output stays in the range where the extrapolation's error expansion holds."""
    levels = RICHARDSON_LEVELS
    w = np.asarray(params[name], dtype=np.float64)
    h0 = (
        unit_roundoff(fn) ** (1 / (2 * levels + 1))
        * max(1.0, float(np.linalg.norm(w)))
        / (float(np.linalg.norm(u)) or 1.0)
    )
    d, steps, fmax = [], [], None
    for k in range(levels):
        h = h0 / 2**k
        values = []
        for t in (h, -h):
            shifted = dict(params)
            shifted[name] = w + t * u.reshape(w.shape)
            fn.load(shifted)
            values.append(fn.output())
        fp, fm = values
        d.append(((fp - fm) / (2 * h)).reshape(-1))
        steps.append(np.full(fp.size, h))
        big = np.maximum(np.abs(fp), np.abs(fm)).reshape(-1)
        fmax = big if fmax is None else np.maximum(fmax, big)
    fn.load(params)
    value, estimate = extrapolate(np.stack(d), np.stack(steps), np.asarray(fmax), unit_roundoff(fn))
    return value.reshape(fp.shape), estimate.reshape(fp.shape)


COLUMNS = {"complex-step": columns_complex_step, "richardson": columns_richardson}
DIRECTIONS = {"complex-step": direction_complex_step, "richardson": direction_richardson}
"""The methods this module differentiates outputs by."""

DETECTION_ENTRIES = 2
"""Entries per parameter tensor probed by :func:`supports_complex`."""


def supports_complex(fn: OutputFunction, params: Mapping[str, Array], seed: int = 0) -> tuple[bool, str]:
    """Whether the code evaluates correctly at complex parameters, so complex step applies to it.

    For :data:`DETECTION_ENTRIES` entries per tensor (drawn with ``np.random.default_rng(seed)``): the
    output at ``θ + ih e_k`` must be complex, its real part the real output to rounding (the ``rounding``
    row of :mod:`verification.tolerances`), and ``Im / h`` must agree with a central difference to the
    accuracy of a first-order method (the ``forward`` row): the probe looks for gross failures (code
    that drops imaginary parts, takes ``abs``, casts to ``float``), not for rounding.

    Returns
    -------
    (bool, str)
        Whether it applies, and if not, why (one clause, for the report).
    """
    rng = np.random.default_rng(seed)
    rounding, loose = tolerance_for(np.float64, "rounding"), tolerance_for(np.float64, "forward")
    fn.load(params)
    base = np.asarray(fn.output())
    for name, w in params.items():
        wf = np.asarray(w, dtype=np.float64).reshape(-1)
        flat = rng.choice(wf.size, size=min(DETECTION_ENTRIES, wf.size), replace=False)
        try:
            J, _ = columns_complex_step(fn, params, name, flat)
        except InputError as exc:
            return False, str(exc).removeprefix("complex step does not apply: ")
        fn.load(params, complex_=True)
        real = np.asarray(fn.output()).real
        fn.load(params)
        if np.any(np.abs(real - base) > rounding.rtol * (np.abs(base) + np.max(np.abs(base)))):
            return False, f"its output moves at complex values of {name}"
        setter = fn.entry_setter(name)
        for k, i in enumerate(flat):
            h = float(relative_step(wf[i : i + 1], 1 / 3)[0])
            up = float(exact_offsets(wf[i : i + 1], np.array([h]))[0])
            original = setter[i]
            try:
                setter[i] = wf[i] + up
                fp = fn.output()
                setter[i] = wf[i] - up
                fm = fn.output()
            finally:
                setter[i] = original
            central = (fp - fm) / (2 * up)
            noise = EPS * np.maximum(np.abs(fp), np.abs(fm)) / up
            allowed = loose.rtol * (np.maximum(np.abs(central), np.abs(J[k])) + np.max(np.abs(J[k]))) + (
                loose.estimate_factor * noise
            )
            if np.any(np.abs(J[k] - central) > allowed):
                return False, f"its derivative at complex values of {name} disagrees with central differences"
    return True, ""
