"""The faults of the bug zoo: the reference backward pass of :mod:`ffnn.backprop` with one fault each.

The reference recursion (``δ[l-1] = (δ[l] @ W[l].T) ⊙ φ'(z[l-1])``, ``∂L/∂W[l] = a[l-1].T @ δ[l]``,
``∂L/∂b[l] = Σ_rows δ[l]``, batch mean) is written once with replaceable pieces (:func:`backprop`);
each fault swaps one piece. :mod:`verification.zoo.mutants` pairs each fault with the network it shows
on and the diagnosis a correct checker gives.
"""

from __future__ import annotations

from collections.abc import Callable
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


def backprop(
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

    return backprop(net, x, y, loss, delta=(a - y) * _sigmoid_prime(a) / len(y), propagate=prop)


def derivative_applied_twice(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = (a − y) ⊙ σ'(z) ⊙ σ'(z)."""
    z = net.forward(x).z[-1]
    return backprop(net, x, y, loss, delta=_delta_out(net, net.forward(x), y, loss) * _sigmoid_prime(z))


def missing_output_derivative(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = a − y although the loss is mse and the output a sigmoid."""
    return backprop(net, x, y, loss, delta=(net.forward(x).output - y) / len(y))


def derivative_applied_to_error(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = e ⊙ (1 − e) with e = a − y: the output-form derivative s (1 − s) applied to e."""
    e = net.forward(x).output - y
    return backprop(net, x, y, loss, delta=e * (1.0 - e) / len(y))  # s (1 − s) of the error


def wrong_tanh_derivative(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """Hidden deltas with tanh'(z) written 1 − z² instead of 1 − tanh² z."""

    def prop(net: Network, fwd: ForwardPass, l: int, d: Array) -> Array:
        return (d @ net.weights[l - 1].T) * (1.0 - fwd.z[l - 2] ** 2)  # 1 − z² for 1 − tanh² z

    return backprop(net, x, y, loss, propagate=prop)


def softmax_diagonal_jacobian(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = (∂ℓ/∂a) ⊙ a (1 − a): only the diagonal of the softmax Jacobian diag(a) − aᵀa."""
    a = net.forward(x).output
    return backprop(net, x, y, loss, delta=(-y / a) * a * (1.0 - a) / len(y))


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

    return backprop(net, x, y, loss, propagate=prop)


def weights_updated_before_propagation(net: Network, x: Array, y: Array, loss: str, lr: float = 0.1) -> Grads:
    """δ1 = (δ2 @ W2'ᵀ) ⊙ φ'(z1) with W2' = W2 − lr ∂L/∂W2 already updated."""
    fwd = net.forward(x)
    d2 = _delta_out(net, fwd, y, loss)
    w2 = net.weights[1] - lr * (fwd.a[1].T @ d2)  # W2 -= lr * dW2 happens first
    d1 = (d2 @ w2.T) * get_activation(net.activations[0]).derivative(fwd.z[0])  # type: ignore[misc]
    return {"W2": fwd.a[1].T @ d2, "W1": x.T @ d1}


def bias_gradient_wrong_axis(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """∂L/∂b[l] = Σ over units (axis 1) instead of over samples (needs n_samples = n_l)."""
    return backprop(net, x, y, loss, db=lambda d: d.sum(axis=1))


def bias_gradient_first_sample(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """∂L/∂b[l] = δ[l][0], the first sample's delta instead of the sum over the batch."""
    return backprop(net, x, y, loss, db=lambda d: d[0])


def sum_instead_of_mean(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] not divided by n_samples: the gradient of the batch sum, n_samples × the mean's."""
    return backprop(net, x, y, loss, delta=_delta_out(net, net.forward(x), y, loss) * len(y))


def mean_over_outputs(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] also divided by n_out: the gradient of a mean over output units."""
    return backprop(net, x, y, loss, delta=_delta_out(net, net.forward(x), y, loss) / y.shape[1])


def squared_error_without_half(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = 2 (a − y) ⊙ φ'(z): the derivative of Σ (a − y)², twice the ½ loss's."""
    return backprop(net, x, y, loss, delta=2.0 * _delta_out(net, net.forward(x), y, loss))


def sign_error(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """δ[L] = −(∂ℓ/∂a through φ'): the sign flipped, as with y − a in place of a − y."""
    return backprop(net, x, y, loss, delta=-_delta_out(net, net.forward(x), y, loss))


def transposed_square_gradient(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """∂L/∂W[l] = (a[l-1]ᵀ δ[l])ᵀ on a square layer, where the shapes do not object."""
    return backprop(net, x, y, loss, dw=lambda a, d: (a.T @ d).T if a.shape[1] == d.shape[1] else a.T @ d)


def broadcast_column_against_flat(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """e = a − y.ravel(): (n, 1) − (n,) broadcasts to (n, n), 'fixed' by a row mean to a_i − ȳ."""
    fwd = net.forward(x)
    e = fwd.output - y.ravel()  # (n, 1) − (n,) broadcasts to (n, n)
    e = e.mean(axis=1, keepdims=True)  # "fixed" back to (n, 1): a_i − mean(y)
    d = get_activation(net.output_activation).vjp(fwd.z[-1], fwd.output, e) / len(y)
    return backprop(net, x, y, loss, delta=d)


def one_derivative_for_all_layers(net: Network, x: Array, y: Array, loss: str) -> Grads:
    """σ'(z) used for every hidden layer, here a tanh one."""

    def prop(net: Network, fwd: ForwardPass, l: int, d: Array) -> Array:
        return (d @ net.weights[l - 1].T) * _sigmoid_prime(fwd.z[l - 2])  # σ' on a tanh layer

    return backprop(net, x, y, loss, propagate=prop)
