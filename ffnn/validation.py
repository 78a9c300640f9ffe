"""Input validation shared by the reference network: one error type, messages that name the problem.

Every check raises :class:`InputError` (a :class:`ValueError`) whose message names the argument, the
shape or value that is wrong and what was expected, so a caller (or the command line) can print it as
one line without a traceback.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


class InputError(ValueError):
    """Bad input to a public function: wrong shape, non-finite values, values outside a domain,
    unknown catalog ids. The message is one line that names the argument and the problem.

    Parameters
    ----------
    message : str
        One line: which argument, which shape or value, what was expected.
    hint : str, optional
        What fixes it, when there is something to say (an option to give, a call to write); the
        command line prints it after the message and puts it in the ``hint`` field of ``--json``.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def as_float_matrix(name: str, value: Any, *, n_cols: int | None = None) -> NDArray[np.floating]:
    """Return ``value`` as a 2-D floating array of finite numbers, or raise :class:`InputError`.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : array_like, shape (n_rows, n_cols)
        Real (or complex, for complex-step differentiation) numbers. Integers and booleans are
        converted to float64.
    n_cols : int, optional
        Required number of columns.

    Raises
    ------
    InputError
        If ``value`` is not numeric, not 2-D, has the wrong number of columns, is empty, or holds NaN
        or infinity (the message gives the index of the first such entry).
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise InputError(f"{name} is not a numeric array: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise InputError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.complexfloating)):
        arr = arr.astype(np.float64)
    if arr.ndim != 2:
        hint = " (one sample is a row: use x.reshape(1, -1))" if arr.ndim == 1 else ""
        raise InputError(f"{name} must be 2-D (samples as rows), got shape {arr.shape}{hint}")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape})")
    if n_cols is not None and arr.shape[1] != n_cols:
        raise InputError(f"{name} must have {n_cols} columns, got shape {arr.shape}")
    validate_finite(name, arr)
    return arr


def validate_finite(name: str, arr: NDArray[Any]) -> None:
    """Raise :class:`InputError` naming the first NaN or infinite entry of ``arr``, if any."""
    finite = np.isfinite(arr)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise InputError(f"{name} has a non-finite value {arr[index]} at index {index}")


def one_line(text: object) -> str:
    """``text`` with its whitespace runs (newlines included) collapsed to one space, for messages."""
    return " ".join(str(text).split())


def described(value: Any) -> str:
    """``value`` for an error message, with its type when the repr hides it: ``'32' (a string)``."""
    kinds = {bool: "a bool", np.bool_: "a bool", str: "a string", bytes: "bytes", float: "a float"}
    kind = next((k for t, k in kinds.items() if isinstance(value, t)), None)
    if kind is None:
        noun = type(value).__name__
        kind = f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{text} ({kind})"


def whole_number(name: str, value: Any, *, minimum: int) -> int:
    """``value`` as a Python int ≥ ``minimum``, or :class:`InputError` naming it.

    Only ``int`` and numpy integers pass: a bool (``True`` is 1 to Python), a float (even ``3.0``)
    and a numeric string are refused, so a count is never guessed from something else.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message (e.g. ``sizes[1]``, ``epochs``).
    value : int
    minimum : int

    Raises
    ------
    InputError
        ``"{name} must be a whole number ≥ {minimum}, got {value} ({its type})"``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise InputError(f"{name} must be a whole number ≥ {minimum}, got {described(value)}")
    if value < minimum:
        raise InputError(f"{name} must be a whole number ≥ {minimum}, got {value}")
    return int(value)


def real_number(name: str, value: Any, *, positive: bool = False) -> float:
    """``value`` as a finite Python float (``> 0`` when ``positive``), or :class:`InputError` naming it.

    Ints, floats and numpy real scalars pass; a bool, a complex number (whose imaginary part would be
    dropped) and a numeric string are refused.

    Raises
    ------
    InputError
        ``"{name} must be a finite number (> 0), got {value} ({its type})"``.
    """
    expected = "a finite number > 0" if positive else "a finite number"
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be {expected}, got {described(value)}")
    out = float(value)
    if not np.isfinite(out) or (positive and out <= 0):
        raise InputError(f"{name} must be {expected}, got {value!r}")
    return out
