"""How the checks are called: the point as named arrays or as one array, the claimed gradient as
arrays or as a function of the point.

``check_gradient(f, params, analytic)`` takes the point ``params`` as a mapping of names to arrays (a
network's ``{"W1": …, "W2": …}``) or as one array, as ``scipy.optimize.check_grad(func, grad, x0)`` and
``torch.autograd.gradcheck(func, inputs)`` take theirs; and ``analytic`` as the claimed gradient at the
point, in the same form, or as a function that computes it from the point (scipy's ``grad``). The
checks work on named arrays; :func:`named_form` turns a call into that form, naming one array
:data:`SINGLE`, so ``check_gradient(lambda x: np.sum(x**3), x0, lambda x: 3 * x**2)`` reports on ``x``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffnn.validation import InputError, described
from verification.numeric.evaluators import Array, LossFunction, loss_function

SINGLE = "x"
"""The name one array gets in reports."""


@dataclass(frozen=True)
class NamedForm:
    """A check's loss, point and claimed gradient, all over named arrays.

    Attributes
    ----------
    f : callable
        ``f(params) -> float`` on a dict of arrays.
    params : mapping of str to array_like
        The point.
    analytic : mapping of str to array_like
        The claimed gradient at the point, same names.
    single : bool
        True when the caller gave one array (named :data:`SINGLE`).
    """

    f: LossFunction
    params: Mapping[str, Any]
    analytic: Any
    single: bool


def named_form(f: Callable[[Any], Any], params: Any, analytic: Any) -> NamedForm:
    """The named form of a call ``check(f, params, analytic)``.

    Parameters
    ----------
    f : callable
        The loss: ``f(params) -> float`` for a mapping, ``f(x) -> float`` for one array.
    params : mapping of str to array_like, or array_like
        The point: named arrays of any shapes, or one array (a list or a number too), float64 or
        float32.
    analytic : mapping of str to array_like, array_like, or callable
        The claimed gradient at ``params`` in the same form, or a function of the point returning it
        (called once, with a copy of the point, so it cannot move it).

    Returns
    -------
    NamedForm
        ``f`` wrapped to take ``{"x": x}`` when the point is one array.

    Raises
    ------
    InputError
        If ``f`` is not callable (:func:`verification.numeric.evaluators.loss_function`), ``params``
        is None, or the gradient is a mapping for one array (or the other way round), naming what was
        given.
    """
    function: Callable[[Any], Any] = loss_function(f)
    if params is None:
        raise InputError(
            "params must be a mapping of names to arrays (a dict) or one array, got None (a NoneType)"
        )
    single = not isinstance(params, Mapping)
    if callable(analytic):
        point = _copy(params)
        analytic = analytic(point)
    if single:
        if isinstance(analytic, Mapping):
            raise InputError(
                f"params is one array, so the analytic gradient must be one array too, got a mapping of "
                f"{sorted(map(str, analytic))}"
            )

        def loss(p: dict[str, Array]) -> Any:
            return function(p[SINGLE])

        return NamedForm(loss, {SINGLE: params}, {SINGLE: analytic}, True)
    if not isinstance(analytic, Mapping):
        raise InputError(
            f"params maps names to arrays, so the analytic gradient must be a mapping with the names "
            f"{sorted(map(str, params))}, got {described(analytic)}"
        )
    return NamedForm(loss_function(function), params, analytic, False)


def _copy(params: Any) -> Any:
    """A copy of the point, in its own form, for a gradient function to read."""
    if isinstance(params, Mapping):
        return {name: np.array(value, copy=True) for name, value in params.items()}
    return np.array(params, copy=True)
