"""The bug zoo: mutants of the reference backward pass, each a fault people make, and the run that checks
the checker on them.

Each mutant is the reference backward pass of :mod:`ffnn.backprop` (``δ[l-1] = (δ[l] @ W[l].T) ⊙
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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.activations import get_activation
from ffnn.network import ForwardPass, Network

Array = NDArray[Any]
Grads = dict[str, Array]


def _delta_out(net: Network, fwd: ForwardPass, y: Array, loss: str) -> Array:
    """The correct output delta ``∂ℓ/∂a`` through the output Jacobian, divided by ``n_samples``."""
    from ffnn.backprop import output_delta

    return output_delta(net, fwd, y, "exact", loss) / y.shape[0]


def _propagate(net: Network, fwd: ForwardPass, l: int, delta: Array) -> Array:
    """``δ[l-1]`` from ``δ[l]`` (``l`` ≥ 2), correctly."""
    act = get_activation(net.activations[l - 2])
    return act.vjp(fwd.z[l - 2], fwd.a[l - 1], delta @ net.weights[l - 1].T)


def _backprop(
    net: Network,
    x: Array,
    y: Array,
    loss: str,
    *,
    delta: Array | None = None,
    propagate: Callable[..., Array] = _propagate,
    dw: Callable[[Array, Array], Array] | None = None,
    db: Callable[[Array], Array] | None = None,
) -> Grads:
    """The reference recursion with replaceable pieces; the mutants swap one piece each."""
    fwd = net.forward(x)
    d = _delta_out(net, fwd, y, loss) if delta is None else delta
    grads: Grads = {}
    for l in range(len(net.weights), 0, -1):
        grads[f"W{l}"] = dw(fwd.a[l - 1], d) if dw else fwd.a[l - 1].T @ d
        if net.biases is not None:
            grads[f"b{l}"] = db(d) if db else d.sum(axis=0)
        if l > 1:
            d = propagate(net, fwd, l, d)
    return grads


def _sigmoid_prime(v: Array) -> Array:
    s = 1.0 / (1.0 + np.exp(-v))
    return s * (1.0 - s)


# --- the mutants: (network, x, y, loss) -> gradient dict -----------------------------------------


def derivative_at_activation(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = (a − y) ⊙ σ'(a) and δ[l] uses σ'(a[l]): the derivative evaluated at the activation."""
    fwd = net.forward(x)
    a = fwd.output

    def prop(net: Network, fwd: ForwardPass, l: int, d: Array) -> Array:
        return (d @ net.weights[l - 1].T) * _sigmoid_prime(fwd.a[l - 1])

    return _backprop(net, x, y, loss, delta=(a - y) * _sigmoid_prime(a) / len(y), propagate=prop)


def derivative_applied_twice(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = (a − y) ⊙ σ'(z) ⊙ σ'(z)."""
    z = net.forward(x).z[-1]
    return _backprop(net, x, y, loss, delta=_delta_out(net, net.forward(x), y, loss) * _sigmoid_prime(z))


def missing_output_derivative(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = a − y although the loss is mse and the output a sigmoid."""
    return _backprop(net, x, y, loss, delta=(net.forward(x).output - y) / len(y))


def derivative_applied_to_error(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = e ⊙ (1 − e) with e = a − y: the output-form derivative s (1 − s) applied to e."""
    e = net.forward(x).output - y
    return _backprop(net, x, y, loss, delta=e * (1.0 - e) / len(y))  # s (1 − s) of the error


def wrong_tanh_derivative(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """Hidden deltas with tanh'(z) written 1 − z² instead of 1 − tanh² z."""

    def prop(net: Network, fwd: ForwardPass, l: int, d: Array) -> Array:
        return (d @ net.weights[l - 1].T) * (1.0 - fwd.z[l - 2] ** 2)  # 1 − z² for 1 − tanh² z

    return _backprop(net, x, y, loss, propagate=prop)


def softmax_diagonal_jacobian(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = (∂ℓ/∂a) ⊙ a (1 − a): only the diagonal of the softmax Jacobian diag(a) − aᵀa."""
    a = net.forward(x).output
    return _backprop(net, x, y, loss, delta=(-y / a) * a * (1.0 - a) / len(y))


def relu_derivative_in_place(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """relu'(a1) computed by overwriting a1 in place, so ∂L/∂W2 = a1ᵀ δ2 sees 0s and 1s."""
    fwd = net.forward(x)
    d2 = _delta_out(net, fwd, y, loss)
    a1 = fwd.a[1]
    a1[a1 > 0] = 1.0  # relu'(a) computed by overwriting the stored activation
    d1 = (d2 @ net.weights[1].T) * a1
    return {"W2": a1.T @ d2, "W1": x.T @ d1}


def hidden_delta_skips_weights(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[l-1] = δ[l] ⊙ φ'(z[l-1]), without the product with W[l]ᵀ (needs n_{l-1} = n_l)."""

    def prop(net: Network, fwd: ForwardPass, l: int, d: Array) -> Array:
        return d * get_activation(net.activations[l - 2]).derivative(fwd.z[l - 2])  # type: ignore[misc]

    return _backprop(net, x, y, loss, propagate=prop)


def weights_updated_before_propagation(net: Network, x: Array, y: Array, loss: str, lr: float = 0.1) -> Grads:
    """δ1 = (δ2 @ W2'ᵀ) ⊙ φ'(z1) with W2' = W2 − lr ∂L/∂W2 already updated."""
    fwd = net.forward(x)
    d2 = _delta_out(net, fwd, y, loss)
    w2 = net.weights[1] - lr * (fwd.a[1].T @ d2)  # W2 -= lr * dW2 happens first
    d1 = (d2 @ w2.T) * get_activation(net.activations[0]).derivative(fwd.z[0])  # type: ignore[misc]
    return {"W2": fwd.a[1].T @ d2, "W1": x.T @ d1}


def bias_gradient_wrong_axis(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """∂L/∂b[l] = Σ over units (axis 1) instead of over samples (needs n_samples = n_l)."""
    return _backprop(net, x, y, loss, db=lambda d: d.sum(axis=1))


def bias_gradient_first_sample(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """∂L/∂b[l] = δ[l][0], the first sample's delta instead of the sum over the batch."""
    return _backprop(net, x, y, loss, db=lambda d: d[0])


def sum_instead_of_mean(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] not divided by n_samples: the gradient of the batch sum, n_samples × the mean's."""
    return _backprop(net, x, y, loss, delta=_delta_out(net, net.forward(x), y, loss) * len(y))


def mean_over_outputs(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] also divided by n_out: the gradient of a mean over output units."""
    return _backprop(net, x, y, loss, delta=_delta_out(net, net.forward(x), y, loss) / y.shape[1])


def squared_error_without_half(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = 2 (a − y) ⊙ φ'(z): the derivative of Σ (a − y)², twice the ½ loss's."""
    return _backprop(net, x, y, loss, delta=2.0 * _delta_out(net, net.forward(x), y, loss))


def sign_error(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = −(∂ℓ/∂a through φ'): the sign flipped, as with y − a in place of a − y."""
    return _backprop(net, x, y, loss, delta=-_delta_out(net, net.forward(x), y, loss))


def transposed_square_gradient(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """∂L/∂W[l] = (a[l-1]ᵀ δ[l])ᵀ on a square layer, where the shapes do not object."""
    return _backprop(net, x, y, loss, dw=lambda a, d: (a.T @ d).T if a.shape[1] == d.shape[1] else a.T @ d)


def broadcast_column_against_flat(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """e = a − y.ravel(): (n, 1) − (n,) broadcasts to (n, n), 'fixed' by a row mean to a_i − ȳ."""
    fwd = net.forward(x)
    e = fwd.output - y.ravel()  # (n, 1) − (n,) broadcasts to (n, n)
    e = e.mean(axis=1, keepdims=True)  # "fixed" back to (n, 1): a_i − mean(y)
    d = get_activation(net.output_activation).vjp(fwd.z[-1], fwd.output, e) / len(y)
    return _backprop(net, x, y, loss, delta=d)


def one_derivative_for_all_layers(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """σ'(z) used for every hidden layer, here a tanh one."""

    def prop(net: Network, fwd: ForwardPass, l: int, d: Array) -> Array:
        return (d @ net.weights[l - 1].T) * _sigmoid_prime(fwd.z[l - 2])  # σ' on a tanh layer

    return _backprop(net, x, y, loss, propagate=prop)


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
"""The zoo, in the order the issue lists the faults."""
