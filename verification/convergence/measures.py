"""What the convergence study measures on the stacked networks, one function per measure.

All arrays carry the networks along their first axis, ``S`` (see :mod:`ffnn.stacked_training`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.activations import get_activation
from ffnn.stacked_training import StackedForward, StackedStep, stacked_deltas

Array = NDArray[Any]


def separation(outputs: Array, labels: Array) -> tuple[Array, Array]:
    """Which networks classify every sample: its own output strictly the largest of its row.

    Parameters
    ----------
    outputs : ndarray, shape (S, n_samples, n_out), float64
        Output activations.
    labels : ndarray, shape (n_samples,), int
        The class of each sample.

    Returns
    -------
    separated, tied : ndarray, shape (S,), bool
        ``separated``: for every sample ``a[label] > a[k]`` for all ``k ≠ label`` (argmax equals the
        label, a tie not counting); ``tied``: for some sample ``a[label]`` equals the largest other output
        in float64 (numpy's argmax would break the tie by the lower index).
    """
    own = outputs[:, np.arange(outputs.shape[1]), labels]
    mask = np.eye(outputs.shape[2], dtype=bool)[labels]
    others = np.where(mask, -np.inf, outputs).max(axis=2)
    return (own > others).all(axis=1), (own == others).any(axis=1)


def bce_from_preactivation(z: Array, y: Array) -> Array:
    """Mean over samples of ``bce`` for a sigmoid output, from the pre-activation.

    ``−[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y z`` per output (softplus from the catalog,
    computed without overflow), summed over outputs: equal to the catalog's ``bce`` of ``σ(z)`` in exact
    arithmetic and finite where ``σ(z)`` rounds to 0 or 1 (Bishop 2006, §4.3.2).

    Parameters
    ----------
    z : ndarray, shape (S, n_samples, n_out), float64
    y : ndarray, shape (n_samples, n_out), float64

    Returns
    -------
    ndarray, shape (S,), float64
    """
    softplus = get_activation("softplus").value(z.reshape(-1, z.shape[-1])).reshape(z.shape)
    return np.mean(np.sum(softplus - y * z, axis=2), axis=1)


def hidden_slope(forward: StackedForward, activations: tuple[str, ...]) -> Array:
    """Mean of ``φ'(z[l])`` over the hidden layers' units and the samples, per network.

    For sigmoid units ``σ'(z) ≤ 1/4``; near 0 the layer is saturated and passes almost no gradient back
    (Nielsen 2015, ch. 3, "learning slowdown"; ch. 5, vanishing gradients).

    Returns
    -------
    ndarray, shape (S,), float64
    """
    slopes = []
    for name, z in zip(activations[:-1], forward.z[:-1], strict=True):
        derivative = get_activation(name).derivative
        if derivative is None:
            raise ValueError(f"hidden activation {name!r} has no element-wise derivative")
        slopes.append(np.mean(derivative(z.reshape(-1, z.shape[-1])).reshape(z.shape), axis=(1, 2)))
    return np.mean(slopes, axis=0)


def inner_products_with_mse(step: StackedStep, activations: tuple[str, ...]) -> list[Array]:
    """``⟨g[l], ∇mse[l]⟩`` per layer: the step's direction against the exact mse gradient.

    ``g[l] = a[l-1]ᵀ δ[l]`` is the step's direction (``W[l] ← W[l] − η g[l]``) and ``∇mse[l]`` the exact
    gradient of the same sample's ``mse`` at the same weights. For one sample both are outer products
    with the left factor ``a[l-1]``, so ``⟨a ᵀδ, aᵀδ'⟩ = ‖a‖² ⟨δ, δ'⟩`` (Frobenius): computed from the
    deltas alone. A negative sum over the layers means the step raises the sample's squared error to
    first order (Bishop 2006, §5.2.4).

    Returns
    -------
    list of ndarray
        One per layer ``l = 1 … L``, shape (S,), float64.
    """
    exact = stacked_deltas(step.weights, activations, step.forward, step.y, "exact", "mse")
    return [
        np.sum(a * a, axis=(-2, -1)) * np.sum(d * e, axis=(1, 2))
        for a, d, e in zip(step.forward.a, step.deltas, exact, strict=False)
    ]
