"""The registry of difference methods, and ``auto``: which method runs, by name.

================ ======================================================= =============================
method           module                                                  accuracy at its optimal step
================ ======================================================= =============================
``forward``      :mod:`verification.numeric.differences`                 ``ε^(1/2)``
``central``      :mod:`verification.numeric.differences`                 ``ε^(2/3)``
``richardson``   :mod:`verification.numeric.richardson`                  ``8 ε^(8/9)``
``complex-step`` :mod:`verification.numeric.complex_step`                ``ε``
================ ======================================================= =============================

``auto`` (:func:`resolve_method`) uses complex step when the loss evaluates correctly on complex
parameters — detected by :func:`verification.numeric.complex_step.supports_complex_step`, not assumed —
and Richardson extrapolation otherwise. Accuracies and tolerances: :mod:`verification.tolerances`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ffnn.validation import InputError, real_number
from verification.numeric.complex_step import complex_step_on, supports_complex_step
from verification.numeric.differences import NumericGradient, central_on, forward_on
from verification.numeric.evaluators import Evaluator, LoopEvaluator, LossFunction, loss_function
from verification.numeric.richardson import richardson_on

METHODS: dict[str, Callable[[Evaluator, float | None], NumericGradient]] = {
    "forward": forward_on,
    "central": central_on,
    "richardson": richardson_on,
    "complex-step": complex_step_on,
}
"""Difference methods by name, as functions of an :class:`~verification.numeric.evaluators.Evaluator` and
a fixed step (None: the method's own step from the dtype and the entry's size)."""

ALIASES = {"complex_step": "complex-step", "complex": "complex-step", "cs": "complex-step"}
"""Other spellings accepted for a method's name."""


def resolve_method(method: str, ev: Evaluator | None = None) -> str:
    """The method that ``method`` names; ``auto`` picks the most accurate one that applies.

    Parameters
    ----------
    method : str
        ``forward``, ``central``, ``richardson``, ``complex-step`` (also spelt ``complex_step``) or
        ``auto``.
    ev : Evaluator, optional
        Needed by ``auto``: complex step when the loss evaluates correctly on complex parameters
        (:func:`verification.numeric.complex_step.supports_complex_step`), else ``richardson``. Without
        an evaluator the loss cannot be probed, and ``auto`` names ``richardson``, the method that
        applies to every loss; :func:`numeric_gradient` probes the loss and may then use complex step
        (its result's ``method`` names the method that ran).

    Raises
    ------
    InputError
        If ``method`` is not a known method.
    """
    if not isinstance(method, str):
        raise InputError(f"method must be a string, got {type(method).__name__}")
    method = ALIASES.get(method, method)
    if method == "auto":
        if ev is None:
            return "richardson"
        return "complex-step" if supports_complex_step(ev) else "richardson"
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; available: auto, {', '.join(METHODS)}")
    return method


def numeric_gradient_on(ev: Evaluator, method: str = "auto", step: float | None = None) -> NumericGradient:
    """The gradient by the method ``method`` on an evaluator (plain loop or vectorised).

    ``step`` is a fixed step ``h`` for every entry (the first of Richardson's), validated by
    :func:`fixed_step`; None uses the method's own.

    Raises
    ------
    InputError
        On an unknown method, a step that is not a finite number > 0, or complex step asked of a loss
        that does not evaluate on complex parameters.
    """
    return METHODS[resolve_method(method, ev)](ev, fixed_step(step))


def fixed_step(step: Any) -> float | None:
    """``step`` as a finite float > 0, or None when it is None (the method's own step).

    Raises
    ------
    InputError
        If ``step`` is not a finite number > 0 (a bool or a string is refused).
    """
    return None if step is None else real_number("eps", step, positive=True)


def numeric_gradient(
    f: LossFunction, params: Mapping[str, Any] | Any, method: str = "auto", *, eps: float | None = None
) -> NumericGradient:
    """Finite-difference gradient of ``f`` at ``params`` by the method ``method`` (see :data:`METHODS`).

    Parameters
    ----------
    f : callable
        ``f(params) -> float``, the loss at the parameters (dict of str to ndarray, float64); ``f(x)``
        when ``params`` is one array.
    params : mapping of str to array_like, or array_like
        Where to differentiate; any shapes; copied, never modified. One array is named ``x`` in the
        result (``numeric_gradient(f, x0).gradient["x"]``).
    method : str
        A name of :data:`METHODS` or ``auto``.
    eps : float, optional
        A fixed step ``h > 0`` for every entry (the first step of Richardson's); by default each
        method takes its own step from the dtype's ``ε`` and the entry's size (module docstring of
        :mod:`verification.numeric.differences`).

    Returns
    -------
    NumericGradient
        The gradient with an error estimate for every entry; ``method`` names the method that ran.

    Raises
    ------
    InputError
        On an unknown method, a step that is not a finite number > 0, bad parameters, or a loss that
        does not return a finite real.
    """
    resolve_method(method)
    fixed_step(eps)
    if not isinstance(params, Mapping) and isinstance(params, np.ndarray | list | tuple | float | int):
        one: Callable[[Any], Any] = loss_function(f)
        try:
            evaluator = LoopEvaluator(lambda p: one(p["x"]), {"x": params})
        except InputError:
            raise
        except Exception as exc:  # f written for a dict, given one array: say which form was used
            raise InputError(
                f"params is one array, so f is called with that array, f(x), and it raised "
                f"{type(exc).__name__}: {exc}",
                hint="give params as a dict of names to arrays to call f with the dict",
            ) from exc
        return numeric_gradient_on(evaluator, method, eps)
    return numeric_gradient_on(LoopEvaluator(f, params), method, eps)
