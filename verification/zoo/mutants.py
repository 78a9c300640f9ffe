"""The bug zoo: mutants of the reference backward pass, each a fault people make, and the run that checks
the checker on them.

Each mutant is a fault of :mod:`verification.zoo.faults`: the reference backward pass of
:mod:`ffnn.backprop` (``δ[l-1] = (δ[l] @ W[l].T) ⊙
φ'(z[l-1])``, ``∂L/∂W[l] = a[l-1].T @ δ[l]``, ``∂L/∂b[l] = Σ_rows δ[l]``, batch mean) with one fault,
on a small network chosen so the fault can show (a square layer for a transposed gradient, a batch for
a mean-versus-sum factor). Each declares the diagnosis a correct checker gives: the first parameter,
output layer first, that differs from the intended loss, and the loss it matches instead (with its
scale), if any. A checker that cannot fail proves nothing (HIPS/autograd ``tests/test_tests.py``).

The mutants are data; :mod:`verification.zoo.run` runs them through the checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from verification.zoo.faults import (
    Grads,
    bias_gradient_first_sample,
    bias_gradient_wrong_axis,
    broadcast_column_against_flat,
    derivative_applied_to_error,
    derivative_applied_twice,
    derivative_at_activation,
    hidden_delta_skips_weights,
    mean_over_outputs,
    missing_output_derivative,
    one_derivative_for_all_layers,
    relu_derivative_in_place,
    sign_error,
    softmax_diagonal_jacobian,
    squared_error_without_half,
    sum_instead_of_mean,
    transposed_square_gradient,
    weights_updated_before_propagation,
    wrong_tanh_derivative,
)


@dataclass(frozen=True)
class Mutant:
    """One fault, the network it shows on and the diagnosis a correct checker gives.

    Attributes
    ----------
    name, fault : str
        Id and one-line description.
    backward : callable
        ``(network, x, y, loss) -> dict`` of gradients.
    sizes, activations : tuple
        The network (``Network.initialise``); ``bias`` whether it has biases.
    loss : str
        The loss the backward pass was meant to differentiate; ``samples`` the batch size.
    first : str
        The first parameter, output layer first, that differs from ``loss``.
    matches : str or None
        What it matches instead: ``None``, a loss id, or ``"mse × 3"`` for a scale.
    """

    name: str
    fault: str
    backward: Callable[..., Grads]
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    first: str
    matches: str | None = None
    loss: str = "mse"
    bias: bool = False
    samples: int = 2


_S, _T, _R = ("sigmoid", "sigmoid"), ("tanh", "identity"), ("relu", "sigmoid")
MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "derivative_at_activation",
        "σ' evaluated at the activation a, not the pre-activation z",
        derivative_at_activation,
        (4, 3, 3),
        _S,
        "W2",
    ),
    Mutant(
        "derivative_applied_twice",
        "σ'(z) applied twice at the output",
        derivative_applied_twice,
        (4, 3, 3),
        _S,
        "W2",
    ),
    Mutant(
        "missing_output_derivative",
        "σ'(z) missing at the output (the shortcut, meant for mse)",
        missing_output_derivative,
        (4, 3, 3),
        _S,
        "W2",
        "bce",
    ),
    Mutant(
        "derivative_applied_to_error",
        "the derivative s (1 − s) applied to the error a − y",
        derivative_applied_to_error,
        (4, 3, 3),
        _S,
        "W2",
    ),
    Mutant(
        "wrong_tanh_derivative",
        "tanh' written 1 − z² instead of 1 − tanh² z",
        wrong_tanh_derivative,
        (4, 3, 2),
        _T,
        "W1",
        bias=True,
    ),
    Mutant(
        "softmax_diagonal_jacobian",
        "softmax Jacobian taken as its diagonal a (1 − a)",
        softmax_diagonal_jacobian,
        (4, 3, 3),
        ("sigmoid", "softmax"),
        "W2",
        loss="cross_entropy",
    ),
    Mutant(
        "relu_derivative_in_place",
        "relu' taken from the output by overwriting the stored activation",
        relu_derivative_in_place,
        (4, 3, 3),
        _R,
        "W2",
    ),
    Mutant(
        "hidden_delta_skips_weights",
        "hidden delta δ2 ⊙ φ'(z1), without W2ᵀ",
        hidden_delta_skips_weights,
        (4, 3, 3),
        _S,
        "W1",
    ),
    Mutant(
        "weights_updated_before_propagation",
        "W2 updated before the error is propagated through it",
        weights_updated_before_propagation,
        (4, 3, 3),
        _S,
        "W1",
    ),
    Mutant(
        "bias_gradient_wrong_axis",
        "bias gradient summed over units (axis 1) instead of samples",
        bias_gradient_wrong_axis,
        (4, 3, 3),
        _S,
        "b2",
        bias=True,
        samples=3,
    ),
    Mutant(
        "bias_gradient_first_sample",
        "bias gradient of the first sample only, not summed",
        bias_gradient_first_sample,
        (4, 3, 3),
        _S,
        "b2",
        bias=True,
        samples=3,
    ),
    Mutant(
        "sum_instead_of_mean",
        "gradient of the batch sum, not the mean",
        sum_instead_of_mean,
        (4, 3, 3),
        _S,
        "W2",
        "mse × 3",
        samples=3,
    ),
    Mutant(
        "mean_over_outputs",
        "also divided by the number of outputs (a mean over units)",
        mean_over_outputs,
        (4, 3, 3),
        _S,
        "W2",
        "mse × 1/3",
    ),
    Mutant(
        "squared_error_without_half",
        "factor 2 of Σ(a − y)² used with the ½ loss",
        squared_error_without_half,
        (4, 3, 3),
        _S,
        "W2",
        "mse × 2",
    ),
    Mutant("sign_error", "sign flipped: y − a in place of a − y", sign_error, (4, 3, 3), _S, "W2"),
    Mutant(
        "transposed_square_gradient",
        "a[l-1].T @ δ transposed on a square layer",
        transposed_square_gradient,
        (4, 3, 3),
        _S,
        "W2",
    ),
    Mutant(
        "broadcast_column_against_flat",
        "a of shape (n, 1) minus y of shape (n,) broadcast to (n, n)",
        broadcast_column_against_flat,
        (4, 3, 1),
        _S,
        "W2",
        samples=3,
    ),
    Mutant(
        "one_derivative_for_all_layers",
        "σ' used for a tanh hidden layer",
        one_derivative_for_all_layers,
        (4, 3, 3),
        ("tanh", "sigmoid"),
        "W1",
    ),
)
"""The zoo: common faults of hand-written backward passes, each with the diagnosis it should get."""
