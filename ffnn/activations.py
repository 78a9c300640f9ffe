"""The catalog of activation functions: value, derivative and output range side by side.

Each entry maps a pre-activation ``z`` (shape (n_samples, n_units)) to an activation ``a = φ(z)`` of
the same shape, and pushes a gradient ``g = ∂L/∂a`` back through the Jacobian of ``φ`` to give
``∂L/∂z`` (a vector-Jacobian product). For an element-wise activation that product is ``g ⊙ φ'(z)``;
softmax couples the units of a row and uses its full Jacobian ``diag(a) − aᵀa``.

All values are written with numpy functions that also accept complex arrays (for complex-step
differentiation), except ``relu``, which is not analytic and says so (``analytic=False``).

References: Goodfellow, Bengio & Courville, *Deep Learning* (2016), §6.3 (hidden units) and §6.2.2
(output units); Bishop, *Pattern Recognition and Machine Learning* (2006), §4.3.6 (canonical links).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError

Array = NDArray[Any]


@dataclass(frozen=True)
class Activation:
    """One catalog activation.

    Attributes
    ----------
    name : str
        Catalog id, as used on the command line and in JSON.
    formula : str
        The definition in plain text.
    value : callable
        ``φ(z)``: ndarray (n_samples, n_units) → ndarray of the same shape and dtype.
    derivative : callable or None
        ``φ'(z)`` element-wise, same shape; ``None`` for softmax, whose derivative is a Jacobian.
    output_range : tuple of float
        ``(low, high)``, the interval the activation's values lie in; open unless ``reaches_low``.
    elementwise : bool
        False only for softmax, which couples the units of a row.
    analytic : bool
        True when ``φ`` is analytic on the real line, so complex-step differentiation applies.
    reaches_low : bool
        True when ``low`` itself is a value (``relu(z) = 0`` for every ``z ≤ 0``).
    probability_vector : bool
        True when every row of values sums to 1 (softmax).
    """

    name: str
    formula: str
    value: Callable[[Array], Array]
    derivative: Callable[[Array], Array] | None
    output_range: tuple[float, float]
    elementwise: bool = True
    analytic: bool = True
    reaches_low: bool = False
    probability_vector: bool = False

    def vjp(self, z: Array, a: Array, g: Array) -> Array:
        """Vector-Jacobian product ``∂L/∂z = g · ∂a/∂z`` row by row.

        Parameters
        ----------
        z, a, g : ndarray, shape (n_samples, n_units)
            Pre-activation, activation ``φ(z)`` and upstream gradient ``∂L/∂a``.

        Returns
        -------
        ndarray, shape (n_samples, n_units)
            ``g ⊙ φ'(z)`` for element-wise activations; ``a ⊙ (g − Σ_k g_k a_k)`` for softmax.
        """
        if self.derivative is not None:
            return g * self.derivative(z)
        return a * (g - np.sum(g * a, axis=1, keepdims=True))


def _sigmoid(z: Array) -> Array:
    # Stable for large |z| in real arithmetic: exp is only taken of -|z|.
    if np.iscomplexobj(z):
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_derivative(z: Array) -> Array:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_derivative(z: Array) -> Array:
    # sech²z, written so that it keeps its relative precision where tanh saturates (1 − tanh² would
    # cancel) and never overflows: sech²z = 4 e^(−2|z|) / (1 + e^(−2|z|))² for real z.
    if np.iscomplexobj(z):
        return 1.0 / np.cosh(z) ** 2
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def _relu(z: Array) -> Array:
    if np.iscomplexobj(z):
        raise InputError("relu is not analytic: complex-step differentiation does not apply to it")
    return np.maximum(z, 0.0)


def _relu_derivative(z: Array) -> Array:
    # The subgradient 0 is taken at z = 0, as in most libraries.
    return (np.real(z) > 0).astype(np.result_type(z, np.float64))


def _softplus(z: Array) -> Array:
    if np.iscomplexobj(z):
        return np.log1p(np.exp(z))
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _softmax(z: Array) -> Array:
    shifted = z - np.max(np.real(z), axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def _one(z: Array) -> Array:
    return np.ones_like(z)


_INF = float("inf")

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", "φ(z) = z", lambda z: z, _one, (-_INF, _INF)),
        Activation("sigmoid", "φ(z) = 1 / (1 + e^(−z))", _sigmoid, _sigmoid_derivative, (0.0, 1.0)),
        Activation("tanh", "φ(z) = tanh z", np.tanh, _tanh_derivative, (-1.0, 1.0)),
        Activation(
            "relu",
            "φ(z) = max(z, 0)",
            _relu,
            _relu_derivative,
            (0.0, _INF),
            analytic=False,
            reaches_low=True,
        ),
        Activation("softplus", "φ(z) = log(1 + e^z)", _softplus, _sigmoid, (0.0, _INF)),
        Activation("exp", "φ(z) = e^z", np.exp, np.exp, (0.0, _INF)),
        Activation(
            "softmax",
            "φ(z)_k = e^(z_k) / Σ_j e^(z_j)",
            _softmax,
            None,
            (0.0, 1.0),
            elementwise=False,
            probability_vector=True,
        ),
    )
}
"""Registry of activations by catalog id, in the catalog's order."""


def get_activation(name: str) -> Activation:
    """Look up a catalog activation by id.

    Raises
    ------
    InputError
        If ``name`` is not a catalog id; the message lists the ids.
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(ACTIVATIONS)
        raise InputError(f"unknown activation {name!r}; known activations: {known}") from None
