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
from typing import Any, Protocol, cast

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, described, one_line, validate_finite

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
    """Copy ``params`` into float64 arrays, checking that each is real, numeric, non-empty and finite.

    Parameters
    ----------
    params : mapping of str to array_like
        Real numbers: float, integer or lists of them (float32 is noted by the evaluators).

    Raises
    ------
    InputError
        When ``params`` is not a mapping, is empty, or has two keys with the same name as strings
        (``1`` and ``"1"``); naming the parameter that is empty, not numeric, not finite, or complex
        (its imaginary part would be dropped and another point checked; a complex step is the
        checker's to take, not the caller's), boolean or made of strings (which numpy would parse).
    """
    if not isinstance(params, Mapping):
        raise InputError(f"params must be a mapping of names to arrays (a dict), got {described(params)}")
    if not params:
        raise InputError("params is empty: give at least one named parameter array")
    named: dict[str, Any] = {}
    for key in params:
        if str(key) in named:
            raise InputError(
                f"params has the keys {named[str(key)]!r} and {key!r}, which both name the parameter "
                f"{str(key)!r}: one would replace the other; give each its own name"
            )
        named[str(key)] = key
    return {str(name): real_array(f"parameter {name}", value) for name, value in params.items()}


def loss_function(f: Any) -> LossFunction:
    """``f`` if it can be called as the loss ``f(params)``, else :class:`InputError` naming it.

    Raises
    ------
    InputError
        ``"f must be callable …, got 42 (an int)"``.
    """
    if not callable(f):
        raise InputError(f"f must be callable: the loss f(params) -> float, got {described(f)}")
    return cast(LossFunction, f)


def real_array(label: str, value: Any) -> Array:
    """``value`` as a float64 copy, or :class:`InputError` saying why it is not an array of real numbers.

    Parameters
    ----------
    label : str
        What the value is, for the message (``parameter W1``, ``analytic gradient of W1``).
    value : array_like
        Floating or integer numbers, any shape, non-empty, finite.

    Raises
    ------
    InputError
        ``"{label} is complex (dtype complex128); expected real numbers …"``, and likewise for
        booleans, strings, objects, empty and non-finite arrays.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise InputError(f"{label} is not a real numeric array: {one_line(exc)}") from None
    if arr.dtype.kind == "c":
        raise InputError(
            f"{label} is complex (dtype {arr.dtype}); expected real numbers: the imaginary part "
            "would be dropped and another point checked",
            hint="pass real arrays (np.real(w) if the imaginary parts are zero); the complex step is "
            "taken by method='complex-step', not by the caller",
        )
    if arr.dtype.kind not in "iuf":
        raise InputError(f"{label} must hold real numbers, got dtype {arr.dtype}")
    if arr.size == 0:
        raise InputError(f"{label} is empty (shape {arr.shape})")
    arr = np.array(arr, dtype=np.float64)
    validate_finite(label, arr)
    return arr


def _dtype_name(value: Any) -> str:
    dtype = getattr(value, "dtype", np.dtype(np.float64))
    return str(dtype.name) if np.issubdtype(dtype, np.number) else "float64"


def _scalar_array(value: Any) -> Array | None:
    """The loss value as a numpy array when it is an array (or array-like tensor), else None."""
    if isinstance(value, np.ndarray | np.generic):
        return np.asarray(value)
    if hasattr(value, "__array__") and not isinstance(value, str | bytes):
        try:
            return np.asarray(value)
        except Exception:  # a tensor that will not convert (one that requires grad, say)
            return None
    return None


def _refuse_loss_value(value: Any, *, allow_complex: bool) -> None:
    """Raise :class:`InputError` when ``value`` is not one real (or, if allowed, complex) number."""
    expected = "a real scalar (one float)" if not allow_complex else "a scalar (one number)"
    if isinstance(value, bool | np.bool_):
        raise InputError(f"the loss returned a bool ({value!r}); expected {expected}")
    if isinstance(value, str | bytes):
        raise InputError(f"the loss returned a string ({value[:20]!r}); expected {expected}, not text")
    arr = _scalar_array(value)
    if arr is not None and arr.size != 1:
        raise InputError(
            f"the loss returned an array of shape {arr.shape}; expected {expected}, e.g. the mean over "
            "the batch"
        )
    kind = arr.dtype.kind if arr is not None else ("c" if isinstance(value, complex) else None)
    if kind == "c" and not allow_complex:
        raise InputError(
            f"the loss returned the complex number {complex(np.asarray(value).reshape(-1)[0])} at real "
            f"parameters; expected {expected}: its imaginary part would be dropped"
        )
    if kind is not None and kind not in "iufc":
        what = "a bool array" if kind == "b" else f"an array of dtype {arr.dtype if arr is not None else ''}"
        raise InputError(f"the loss returned {what}; expected {expected}")


def real_scalar(value: Any) -> float:
    """``value`` as a finite Python float, or :class:`InputError` naming what the loss returned.

    Accepted: Python and numpy real numbers, and real arrays (or tensors) holding one value. Refused,
    although ``float()`` would take them: complex numbers (even with a zero imaginary part: the loss
    is then not the real function being checked), bools, numeric strings, and arrays of size ≠ 1.

    Raises
    ------
    InputError
        Naming what the loss returned (type, shape or dtype, value) and what was expected.
    """
    _refuse_loss_value(value, allow_complex=False)
    arr = _scalar_array(value)
    try:
        out = float(arr.reshape(-1)[0]) if arr is not None else float(value)
    except (TypeError, ValueError, RuntimeError):
        expected = "a real scalar (one float)"
        raise InputError(f"the loss returned {described(value)}; expected {expected}") from None
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
        If ``f`` is not callable, ``params`` is not a mapping of real arrays (:func:`as_parameters`),
        or ``f`` does not return a finite real at ``params``.
    """

    def __init__(self, f: LossFunction, params: Mapping[str, Any]) -> None:
        f = loss_function(f)
        self.params = as_parameters(params)
        self.parameter_dtypes = {str(k): _dtype_name(v) for k, v in params.items()}
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
    """``value`` as a finite Python complex, or :class:`InputError` naming what the loss returned.

    As :func:`real_scalar`, but complex numbers are what a loss returns under complex step.
    """
    _refuse_loss_value(value, allow_complex=True)
    arr = _scalar_array(value)
    try:
        out = complex(arr.reshape(-1)[0]) if arr is not None else complex(value)
    except (TypeError, ValueError, RuntimeError):
        raise InputError(f"the loss returned {described(value)}; expected a scalar (one number)") from None
    if not np.isfinite(out):
        raise InputError(f"the loss returned a non-finite value {out}")
    return out
