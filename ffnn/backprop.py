"""Backpropagation with a choice of output-delta rule.

The backward recursion is the same for every rule (Rumelhart, Hinton & Williams, *Nature* 323, 1986;
Nielsen, *Neural Networks and Deep Learning*, ch. 2, equations BP1–BP4 in row-vector form)::

    δ[l-1]   = (δ[l] @ W[l].T) ⊙ φ'_{l-1}(z[l-1])     (a Jacobian product for softmax)
    ∂L/∂W[l] = a[l-1].T @ δ[l]
    ∂L/∂b[l] = Σ_rows δ[l]

The rules differ in the output delta ``δ[L]``:

============ ========================== =====================================================
rule         δ[L] of one sample         exact gradient of
============ ========================== =====================================================
``chain``    ``(a − y) ⊙ φ'(z)``        ``mse`` for any output activation
``shortcut`` ``a − y``                  the canonical pairs (``bce``–sigmoid, ``mse``–identity…)
``exact``    ``∂ℓ/∂a`` through φ's      the named catalog ``loss``, for any output activation
             Jacobian
============ ========================== =====================================================

Because the loss of a batch is the mean over its samples, ``δ[L]`` is divided by ``n_samples``.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

from ffnn.activations import get_activation
from ffnn.losses import get_loss
from ffnn.network import ForwardPass, Network, validate_labels
from ffnn.validation import InputError, described

Array = NDArray[Any]

RULES = ("chain", "shortcut", "exact")
"""Names of the output-delta rules."""


def output_delta(network: Network, forward: ForwardPass, y: Array, rule: str, loss: str | None) -> Array:
    """The output delta ``δ[L]`` of one rule, per sample (not yet divided by ``n_samples``).

    Parameters
    ----------
    network : Network
    forward : ForwardPass
        The forward pass at the same parameters.
    y : ndarray, shape (n_samples, n_L)
        Labels.
    rule : {"chain", "shortcut", "exact"}
    loss : str or None
        Catalog loss id; required by ``exact`` and ignored by the other rules.

    Returns
    -------
    ndarray, shape (n_samples, n_L)

    Raises
    ------
    InputError
        On an unknown rule, a missing loss for ``exact``, or outputs outside the loss's domain.
    """
    z, a = forward.z[-1], forward.output
    activation = get_activation(network.output_activation)
    if rule == "chain":
        return activation.vjp(z, a, a - y)
    if rule == "shortcut":
        return a - y
    if rule == "exact":
        if loss is None:
            raise InputError("rule 'exact' needs a loss id (loss=...)")
        spec = get_loss(loss)
        spec.validate_activation(a)
        return activation.vjp(z, a, spec.grad_a(a, y))
    raise InputError(f"unknown output-delta rule {rule!r}; known rules: {', '.join(RULES)}")


def backward(
    network: Network, x: Any, y: Any, rule: str = "exact", loss: str | None = None
) -> dict[str, Array]:
    """Gradients of every parameter by backpropagation with the output-delta rule ``rule``.

    Parameters
    ----------
    network : Network
    x : array_like, shape (n_samples, n_0)
        Inputs.
    y : array_like, shape (n_samples, n_L)
        Labels (checked against ``loss`` when one is given).
    rule : {"chain", "shortcut", "exact"}
        See the module docstring.
    loss : str, optional
        Catalog loss id, required for ``exact``.

    Returns
    -------
    dict of str to ndarray
        ``W1 … WL`` (shape (n_{l-1}, n_l)) and ``b1 … bL`` (shape (n_l,)) when the network has biases,
        in the dtype of the forward pass. With ``rule="exact"`` these are ``∂L/∂W[l]`` of the batch mean
        loss.

    Raises
    ------
    InputError
        On a ``network`` that is not a :class:`Network`, bad shapes, non-finite values, labels that do
        not fit ``loss``, or an unknown rule.
    """
    if not isinstance(network, Network):
        raise InputError(f"network must be an ffnn.Network, got {described(network)}")
    forward = network.forward(x)
    y = validate_labels(loss if loss is not None else "mse", y, forward.output.shape)
    delta = output_delta(network, forward, y, rule, loss) / forward.output.shape[0]
    n_layers = len(network.weights)
    grads: dict[str, Array] = {}
    for l in range(n_layers, 0, -1):
        grads[f"W{l}"] = forward.a[l - 1].T @ delta
        if network.biases is not None:
            grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            upstream = delta @ network.weights[l - 1].T
            delta = get_activation(network.activations[l - 2]).vjp(
                forward.z[l - 2], forward.a[l - 1], upstream
            )
    names = list(network.parameters())
    return {name: grads[name] for name in names}
