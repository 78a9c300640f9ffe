"""Per-sample stochastic gradient descent, as in the question.

For each epoch and each sample in order: forward pass of the one sample (shape (1, n_0)), backward
pass with the chosen output-delta rule (``W[l]`` read before any update), then
``W[l] ← W[l] − η ∂L/∂W[l]`` for every parameter. Source: Nielsen, *Neural Networks and Deep
Learning* (2015), ch. 1, "stochastic gradient descent" with mini-batches of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.backprop import backward
from ffnn.network import Network, validate_labels
from ffnn.validation import InputError, as_float_matrix, described, real_number, whole_number


@dataclass(frozen=True)
class TrainingRun:
    """The outcome of :func:`train_sgd`.

    Attributes
    ----------
    network : Network
        The trained network (the input network is left unchanged).
    mse_per_epoch : ndarray, shape (epochs + 1,), float64
        Mean ``mse`` over the data set before training and after each epoch.
    """

    network: Network
    mse_per_epoch: NDArray[Any]


def train_sgd(
    network: Network,
    x: Any,
    y: Any,
    *,
    rule: str = "exact",
    loss: str | None = None,
    learning_rate: float = 0.1,
    epochs: int = 100,
) -> TrainingRun:
    """Train with per-sample SGD, as in the question (learning rate 0.1, 100 epochs by default).

    Parameters
    ----------
    network : Network
        Starting point; not modified.
    x : array_like, shape (n_samples, n_0)
    y : array_like, shape (n_samples, n_L)
    rule, loss : str
        Output-delta rule and loss, as in :func:`ffnn.backprop.backward`.
    learning_rate : float
        Step size ``η > 0``.
    epochs : int
        Passes over the data, ≥ 0.

    Raises
    ------
    InputError
        On a learning rate that is not a finite number > 0, epochs that are not a whole number ≥ 0
        (a float such as ``2.5`` or a bool is refused), or bad data.
    """
    if not isinstance(network, Network):
        raise InputError(f"network must be an ffnn.Network, got {described(network)}")
    learning_rate = real_number("learning_rate", learning_rate, positive=True)
    epochs = whole_number("epochs", epochs, minimum=0)
    x = as_float_matrix("x", x, n_cols=network.sizes[0])
    y = validate_labels(loss if loss is not None else "mse", y, (x.shape[0], network.sizes[-1]))
    params = {name: p.copy() for name, p in network.parameters().items()}
    current = network.with_parameters(params)
    history = [current.loss(x, y, "mse")]
    for _ in range(epochs):
        for i in range(x.shape[0]):
            grads = backward(current, x[i : i + 1], y[i : i + 1], rule=rule, loss=loss)
            for name, g in grads.items():
                params[name] -= learning_rate * g
        history.append(current.loss(x, y, "mse"))
    return TrainingRun(network=current, mse_per_epoch=np.array(history, dtype=np.float64))
