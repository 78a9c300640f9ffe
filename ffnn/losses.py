"""The catalog of losses: per-sample value, gradient with respect to the activation, and domain.

A loss compares the output activation ``a`` with the label ``y`` (both shape (n_samples, n_out)). Its
per-sample value is a sum over the outputs; the loss of a batch is the **mean over samples**. Each
entry gives ``∂ℓ/∂a`` for one sample, so the output delta of any loss and output activation is
``δ = ∂ℓ/∂a`` pushed through the activation's Jacobian (:meth:`ffnn.activations.Activation.vjp`).

=============== ======================================= ===================== ====================
id              per-sample value ℓ(a, y)                ∂ℓ/∂a                 domain
=============== ======================================= ===================== ====================
mse             ½ Σ_k (a_k − y_k)²                      a − y                 any real a, y
bce             −Σ_k [y_k log a_k + (1−y_k) log(1−a_k)] (a − y) / (a (1 − a)) a ∈ (0, 1), y ∈ [0, 1]
cross_entropy   −Σ_k y_k log a_k                        −y / a                a ∈ (0, 1), y ≥ 0, Σy = 1
poisson_nll     Σ_k (a_k − y_k log a_k)                 1 − y / a             a > 0, y ≥ 0
=============== ======================================= ===================== ====================

Sources: the quadratic cost of Nielsen, *Neural Networks and Deep Learning* (2015), ch. 1 and the
cross-entropy of ch. 3; Bishop, *Pattern Recognition and Machine Learning* (2006), §4.3.2 and §4.3.4;
McCullagh & Nelder, *Generalized Linear Models* (1989), §2.2 (Poisson deviance).
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
class Loss:
    """One catalog loss.

    Attributes
    ----------
    name : str
        Catalog id.
    formula : str
        Per-sample definition in plain text.
    per_sample : callable
        ``(a, y) → ndarray (n_samples,)``: the loss of each sample (sum over outputs).
    grad_a : callable
        ``(a, y) → ndarray (n_samples, n_out)``: ``∂ℓ/∂a`` of each sample.
    activation_range : tuple of float
        Open interval ``(low, high)`` the activation must lie in for the loss to be finite and smooth.
    label_rule : str
        Plain-text description of the labels the loss accepts.
    label_check : callable
        ``y → str | None``: a description of what is wrong with ``y``, or None when it fits.
    needs_probability_vector : bool
        True when the activation must be a probability vector, each row summing to 1.
    """

    name: str
    formula: str
    per_sample: Callable[[Array, Array], Array]
    grad_a: Callable[[Array, Array], Array]
    activation_range: tuple[float, float]
    label_rule: str
    label_check: Callable[[Array], str | None]
    needs_probability_vector: bool = False

    def value(self, a: Array, y: Array) -> Any:
        """Mean over samples of the per-sample loss: a float (complex under complex step)."""
        return np.mean(self.per_sample(a, y))

    def validate_labels(self, y: Array) -> None:
        """Raise :class:`InputError` when the labels ``y`` do not fit this loss."""
        problem = self.label_check(np.real(y))
        if problem is not None:
            raise InputError(f"labels y do not fit loss {self.name!r} ({self.label_rule}): {problem}")

    def validate_activation(self, a: Array) -> None:
        """Raise :class:`InputError` when the output activation leaves the loss's domain."""
        low, high = self.activation_range
        ar = np.real(a)
        outside = ~((ar > low) & (ar < high))
        if outside.any():
            index = tuple(int(i) for i in np.argwhere(outside)[0])
            raise InputError(
                f"loss {self.name!r} needs output activations in ({low:g}, {high:g}), "
                f"got {float(ar[index])!r} at index {index}; pair it with an output activation whose "
                "values stay inside"
            )


def _first_bad(y: Array, bad: Array, what: str) -> str | None:
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"y{list(index)} = {float(y[index])!r} is {what}"


def _any_real(y: Array) -> str | None:
    return None


def _unit_interval(y: Array) -> str | None:
    return _first_bad(y, (y < 0) | (y > 1), "outside [0, 1]")


def _probability_rows(y: Array) -> str | None:
    problem = _first_bad(y, y < 0, "negative")
    if problem is not None:
        return problem
    sums = y.sum(axis=1)
    # Rounding bound of a sum of n_out terms in [0, 1]: n_out · eps (Higham 2002, §4.2).
    off = np.abs(sums - 1.0) > y.shape[1] * np.finfo(np.float64).eps
    if off.any():
        row = int(np.argmax(off))
        return f"row {row} sums to {float(sums[row])!r}, not 1"
    return None


def _non_negative(y: Array) -> str | None:
    return _first_bad(y, y < 0, "negative")


def _mse(a: Array, y: Array) -> Array:
    d = a - y
    return 0.5 * np.sum(d * d, axis=1)


def _bce(a: Array, y: Array) -> Array:
    return -np.sum(y * np.log(a) + (1.0 - y) * np.log1p(-a), axis=1)


def _cross_entropy(a: Array, y: Array) -> Array:
    return -np.sum(y * np.log(a), axis=1)


def _poisson_nll(a: Array, y: Array) -> Array:
    return np.sum(a - y * np.log(a), axis=1)


_INF = float("inf")

LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "mse",
            "ℓ = ½ Σ_k (a_k − y_k)²",
            _mse,
            lambda a, y: a - y,
            (-_INF, _INF),
            "any real labels",
            _any_real,
        ),
        Loss(
            "bce",
            "ℓ = −Σ_k [y_k log a_k + (1 − y_k) log(1 − a_k)]",
            _bce,
            lambda a, y: (a - y) / (a * (1.0 - a)),
            (0.0, 1.0),
            "labels in [0, 1]",
            _unit_interval,
        ),
        Loss(
            "cross_entropy",
            "ℓ = −Σ_k y_k log a_k",
            _cross_entropy,
            lambda a, y: -y / a,
            (0.0, 1.0),
            "non-negative labels, each row summing to 1",
            _probability_rows,
            needs_probability_vector=True,
        ),
        Loss(
            "poisson_nll",
            "ℓ = Σ_k (a_k − y_k log a_k)",
            _poisson_nll,
            lambda a, y: 1.0 - y / a,
            (0.0, _INF),
            "non-negative labels (counts or rates)",
            _non_negative,
        ),
    )
}
"""Registry of losses by catalog id, in the catalog's order."""


def get_loss(name: str) -> Loss:
    """Look up a catalog loss by id.

    Raises
    ------
    InputError
        If ``name`` is not a catalog id; the message lists the ids.
    """
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        known = ", ".join(LOSSES)
        raise InputError(f"unknown loss {name!r}; known losses: {known}") from None
