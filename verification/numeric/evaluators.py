"""Evaluators: the loss at the parameters with single entries shifted, many entries per call.

The difference methods (:mod:`verification.numeric.methods`) never call the loss directly; they ask
an evaluator (:class:`Evaluator`) for ``f`` at ``w + Δ e_k`` for many entries ``k`` at once, with real
or complex shifts ``Δ``. :class:`LoopEvaluator` here calls a user's ``f(params)`` once per shift (the
plain coordinate loop); :class:`verification.numeric.network_evaluator.NetworkEvaluator` evaluates
the same shifts vectorised for an ``ffnn`` network. Both keep the base point, the loss there, and the
precision the loss is evaluated in.

Precision. Parameters are copied to float64 and the loss is called with those copies. When a
parameter was given in float32, :func:`resolved_dtype` probes whether the loss resolves float64
changes; if it returns float32, or rounds its parameters to float32 internally, the evaluator's
``dtype`` is float32: steps then use float32's ``ε`` and reports say that precision limits the
verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, validate_finite

Array = NDArray[Any]
LossFunction = Callable[[dict[str, Array]], Any]


class Evaluator(Protocol):
    """The loss at the parameters with single entries shifted, many entries per call.

    Attributes
    ----------
    params : dict of str to ndarray, float64
        The base point.
    value : float
        The loss at ``params``.
    dtype : numpy.dtype
        The real precision the loss is evaluated in (float64, or float32 when the loss casts).
    parameter_dtypes : dict of str to str
        The dtype each parameter was given in.
    evaluations : int
        Shifted points evaluated so far (plus one for ``value``).
    """

    params: dict[str, Array]
    value: float
    dtype: np.dtype[Any]
    parameter_dtypes: dict[str, str]
    evaluations: int

    def shifted(self, name: str, flat: Array, delta: Array) -> Array:
        """Loss with ``params[name].flat[flat[k]] += delta[k]``, one value per ``k``.

        ``delta`` real gives real values (float64); ``delta`` complex gives complex values.
        """
        ...


def as_parameters(params: Mapping[str, Any]) -> dict[str, Array]:
    """Copy ``params`` into float64 arrays, checking that each is numeric, non-empty and finite.

    Raises
    ------
    InputError
        Naming the parameter that is empty, not numeric or not finite.
    """
    if not isinstance(params, Mapping) or not params:
        raise InputError("params is empty: give at least one named parameter array")
    out: dict[str, Array] = {}
    for name, value in params.items():
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"parameter {name} is not a real numeric array: {exc}") from None
        if arr.size == 0:
            raise InputError(f"parameter {name} is empty (shape {arr.shape})")
        validate_finite(f"parameter {name}", arr)
        out[str(name)] = arr
    return out


def _dtype_name(value: Any) -> str:
    dtype = getattr(value, "dtype", np.dtype(np.float64))
    return str(dtype.name) if np.issubdtype(dtype, np.number) else "float64"


def real_scalar(value: Any) -> float:
    """``value`` as a finite Python float, or :class:`InputError` naming what the loss returned."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"the loss must return a real scalar, got {type(value).__name__}") from None
    if not np.isfinite(out):
        raise InputError(f"the loss returned a non-finite value {out}")
    return out


def evaluation_dtype(value: Any) -> np.dtype[Any]:
    """The real precision a loss value was computed in: float32 for float32/complex64, else float64."""
    dtype = np.asarray(value).dtype
    if np.issubdtype(dtype, np.inexact) and np.finfo(dtype).eps > np.finfo(np.float64).eps:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


class LoopEvaluator:
    """Evaluate ``f`` at shifted parameters one entry at a time (the plain coordinate loop).

    Parameters
    ----------
    f : callable
        ``f(params) -> float``; called with float64 copies (complex128 for complex shifts).
    params : mapping of str to array_like
        The base point; copied.

    Raises
    ------
    InputError
        If a parameter is empty or not finite, or ``f`` does not return a finite real at ``params``.
    """

    def __init__(self, f: LossFunction, params: Mapping[str, Any]) -> None:
        self.parameter_dtypes = {str(k): _dtype_name(v) for k, v in params.items()} if params else {}
        self.params = as_parameters(params)
        self.f = f
        raw = f(dict(self.params))
        self.value = real_scalar(raw)
        self.dtype = evaluation_dtype(raw)
        self.evaluations = 1
        if self.dtype == np.float64 and any(
            np.finfo(d).eps > np.finfo(np.float64).eps
            for d in self.parameter_dtypes.values()
            if np.issubdtype(np.dtype(d), np.floating)
        ):
            self.dtype = resolved_dtype(self)

    def shifted(self, name: str, flat: Array, delta: Array) -> Array:
        """See :meth:`Evaluator.shifted`; loops, calling ``f`` once per shift."""
        delta = np.asarray(delta)
        complex_shift = np.iscomplexobj(delta)
        work_type = np.complex128 if complex_shift else np.float64
        work = {k: v.astype(work_type) for k, v in self.params.items()}
        target = work[name].reshape(-1)
        work[name] = target.reshape(self.params[name].shape)
        out = np.empty(len(flat), dtype=work_type)
        for k, (i, d) in enumerate(zip(np.asarray(flat), delta, strict=True)):
            original = target[i]
            target[i] = original + d
            value = self.f(work)
            target[i] = original
            out[k] = complex_scalar(value) if complex_shift else real_scalar(value)
        self.evaluations += len(flat)
        return out


def resolved_dtype(ev: Evaluator) -> np.dtype[Any]:
    """The precision the loss resolves its parameters in: float64, or float32 when it rounds them.

    A loss that casts its parameters to float32 may still return a float64 value (it mixes in float64
    labels, say). Probe: for the first entry of each tensor, a shift of ``2^-12 · max(1, |w|)`` (seen
    by float32) that changes the loss, while a shift of ``2^-30 · max(1, |w|)`` (below float32's
    resolution, far above float64's) leaves it bit-for-bit unchanged, means float32. Two evaluations
    per tensor.
    """
    for name, w in ev.params.items():
        scale = max(1.0, abs(float(w.flat[0])))
        values = ev.shifted(name, np.array([0, 0]), np.array([2.0**-12 * scale, 2.0**-30 * scale]))
        if values[0] != ev.value and values[1] == ev.value:
            return np.dtype(np.float32)
    return np.dtype(np.float64)


def complex_scalar(value: Any) -> complex:
    """``value`` as a finite Python complex, or :class:`InputError` naming what the loss returned."""
    try:
        out = complex(value)
    except (TypeError, ValueError):
        raise InputError(f"the loss must return a scalar, got {type(value).__name__}") from None
    if not np.isfinite(out):
        raise InputError(f"the loss returned a non-finite value {out}")
    return out
