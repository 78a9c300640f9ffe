"""Per-sample SGD of many networks at once: the weights of every network stacked along a first axis.

``S`` networks of one architecture (no biases) are trained on the same data in the same order, each
from its own start and with its own learning rate, exactly as :func:`ffnn.training.train_sgd` trains
one of them. ``W[l]`` of all networks is one array of shape (S, n_{l-1}, n_l); a pre-activation or
activation of one sample is (S, 1, n_l), of the whole data set (S, n_samples, n_l). For each epoch and
each sample ``x_i`` in order::

    z[l] = a[l-1] @ W[l],   a[l] = φ_l(z[l])                  (a[0] = x_i, shared by all networks)
    δ[L] by the output-delta rule, δ[l-1] = (δ[l] @ W[l].T) ⊙ φ'_{l-1}(z[l-1])
    W[l] ← W[l] − η a[l-1].T @ δ[l]                           (every W[l] read before any update)

Source: Nielsen, *Neural Networks and Deep Learning* (2015), ch. 1 (SGD with mini-batches of one) and
ch. 2 (BP1–BP4), in row-vector form.

Why the results are bitwise those of :func:`~ffnn.training.train_sgd`: every product above is a
``numpy.matmul`` of the stacked arrays. Matmul runs the same kernel, with the same strides, on each
(n_{l-1}, n_l) slice as the single network's ``@`` does on its matrix, so every dot product is summed in
the same order. A formulation by ``einsum`` or ``(x[..., None] * W).sum(axis=1)`` sums in another order
and differs in the last bits after one step (and then anywhere after a hundred epochs). The element-wise
parts call the catalog's own functions on the stacked arrays, reshaped to (rows, units) so that a
row-wise activation (softmax) sees one sample per row; ``δ[L]`` is not divided by the batch size 1,
which :func:`~ffnn.backprop.backward` does and which changes no bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.activations import Activation, get_activation
from ffnn.backprop import RULES
from ffnn.losses import get_loss
from ffnn.network import Network, validate_labels
from ffnn.validation import InputError, as_float_matrix, validate_finite

Array = NDArray[Any]


@dataclass(frozen=True)
class StackedForward:
    """Every pre-activation and activation of the stacked networks on the same inputs.

    Attributes
    ----------
    z : list of ndarray
        ``z[l]`` for ``l = 1 … L`` at index ``l − 1``; shape (S, n_samples, n_l), float64.
    a : list of ndarray
        ``a[l]`` for ``l = 0 … L`` at index ``l``; ``a[0]`` is the input, shape (n_samples, n_0), shared
        by all networks; the others have shape (S, n_samples, n_l).
    """

    z: list[Array]
    a: list[Array]

    @property
    def output(self) -> Array:
        """The output activation ``a[L]``, shape (S, n_samples, n_L)."""
        return self.a[-1]


@dataclass(frozen=True)
class StackedStep:
    """What one SGD step of the stacked networks saw, handed to the ``on_step`` observer.

    Attributes
    ----------
    epoch, sample : int
        The epoch (from 0) and the index of the sample ``x_i`` of this step.
    forward : StackedForward
        The forward pass of the one sample, at the weights before the step.
    y : ndarray, shape (1, n_L), float64
        The sample's label.
    weights : list of ndarray
        ``W[l]`` before the step, shape (S, n_{l-1}, n_l).
    deltas : list of ndarray
        ``δ[l]`` by the training rule, shape (S, 1, n_l); the step is ``W[l] ← W[l] − η a[l-1].T @ δ[l]``.
    active : ndarray, shape (S,), bool
        The networks that take this step (False for those stopped earlier or at this step).
    """

    epoch: int
    sample: int
    forward: StackedForward
    y: Array
    weights: list[Array]
    deltas: list[Array]
    active: Array


@dataclass(frozen=True)
class StackedRun:
    """The outcome of :func:`train_sgd_stacked`.

    Attributes
    ----------
    weights : list of ndarray
        The trained ``W[l]``, shape (S, n_{l-1}, n_l), float64 (the inputs are left unchanged).
    mse_per_epoch : ndarray, shape (epochs + 1, S), float64
        Mean ``mse`` over the data set before training and after each epoch, as in
        :class:`~ffnn.training.TrainingRun`.
    stopped_at : ndarray, shape (S,), int64
        The step (``epoch · n_samples + sample``) at which a network's output left the domain of the
        loss of the ``exact`` rule (its weights are kept from before that step, where
        :func:`~ffnn.training.train_sgd` raises :class:`~ffnn.validation.InputError`); −1 for networks
        that trained to the end.
    """

    weights: list[Array]
    mse_per_epoch: Array
    stopped_at: Array


def initial_weights(
    sizes: Sequence[int], activations: Sequence[str] | str, seeds: Iterable[int]
) -> list[Array]:
    """Stacked weights of ``Network.initialise(sizes, activations, seed=s)`` for each ``s`` in ``seeds``.

    Returns
    -------
    list of ndarray
        ``W[l]`` of shape (S, n_{l-1}, n_l), float64, S the number of seeds; slice ``k`` holds the
        weights drawn from ``np.random.default_rng(seeds[k])``, exactly as the network of that seed.

    Raises
    ------
    InputError
        As :meth:`Network.initialise`, or when ``seeds`` is empty.
    """
    networks = [Network.initialise(sizes, activations, seed=int(s)) for s in seeds]
    if not networks:
        raise InputError("seeds is empty; give at least one seed")
    return [np.stack([net.weights[l] for net in networks]) for l in range(len(networks[0].weights))]


def _apply(fn: Callable[[Array], Array], arr: Array) -> Array:
    """``fn`` on ``arr`` (…, n) seen as rows (rows, n), so a row-wise activation sees one sample per row."""
    return fn(arr.reshape(-1, arr.shape[-1])).reshape(arr.shape)


def _vjp(act: Activation, z: Array, a: Array, g: Array) -> Array:
    n = z.shape[-1]
    return act.vjp(z.reshape(-1, n), a.reshape(-1, n), g.reshape(-1, n)).reshape(z.shape)


def _check(weights: Sequence[Array], activations: Sequence[str]) -> list[Activation]:
    if len(weights) == 0 or len(activations) != len(weights):
        raise InputError(
            f"got {len(activations)} activations for {len(weights)} stacked weight arrays; give one "
            "activation per layer"
        )
    for l, w in enumerate(weights, start=1):
        if np.ndim(w) != 3 or w.shape[0] != weights[0].shape[0]:
            raise InputError(
                f"W{l} must have shape (S, n_in, n_out) with S = {np.shape(weights[0])[0]}, got {np.shape(w)}"
            )
        if l > 1 and w.shape[1] != weights[l - 2].shape[2]:
            raise InputError(f"W{l} has shape {w.shape} but W{l - 1} has {weights[l - 2].shape[2]} outputs")
    return [get_activation(name) for name in activations]


def stacked_forward(weights: Sequence[Array], activations: Sequence[str], x: Array) -> StackedForward:
    """The forward pass of every stacked network on the same inputs.

    Parameters
    ----------
    weights : sequence of ndarray
        ``W[l]`` of shape (S, n_{l-1}, n_l), float64.
    activations : sequence of str
        Catalog id of ``φ_l`` for each layer.
    x : ndarray, shape (n_samples, n_0), float64
        Inputs, one sample per row, shared by the networks.

    Raises
    ------
    InputError
        On shapes that do not chain or unknown activation ids.
    """
    acts = _check(weights, activations)
    zs: list[Array] = []
    outs: list[Array] = [x]
    a = x
    for w, act in zip(weights, acts, strict=True):
        z = np.matmul(a, w)
        a = _apply(act.value, z)
        zs.append(z)
        outs.append(a)
    return StackedForward(zs, outs)


def stacked_deltas(
    weights: Sequence[Array],
    activations: Sequence[str],
    forward: StackedForward,
    y: Array,
    rule: str,
    loss: str | None = None,
) -> list[Array]:
    """The deltas ``δ[l] = ∂L/∂z[l]`` of every stacked network for one sample, by the rule ``rule``.

    Parameters
    ----------
    weights, activations
        As :func:`stacked_forward`.
    forward : StackedForward
        The forward pass of one sample (n_samples = 1) at ``weights``.
    y : ndarray, shape (1, n_L), float64
        The sample's label.
    rule : {"chain", "shortcut", "exact"}
        The output delta, as in :func:`ffnn.backprop.output_delta`: ``(a − y) ⊙ φ'(z)``, ``a − y``, or
        ``∂ℓ/∂a`` of the catalog ``loss`` through the output activation's Jacobian; then
        ``δ[l-1] = (δ[l] @ W[l].T) ⊙ φ'_{l-1}(z[l-1])``.
    loss : str, optional
        Catalog loss id, required by ``exact``. Networks whose output lies outside the loss's domain get
        non-finite deltas here; :func:`train_sgd_stacked` stops them before that.

    Returns
    -------
    list of ndarray
        ``δ[l]`` for ``l = 1 … L`` at index ``l − 1``, shape (S, 1, n_l), float64.

    Raises
    ------
    InputError
        On an unknown rule, or ``exact`` without a loss.
    """
    acts = _check(weights, activations)
    z, a = forward.z[-1], forward.output
    if rule == "chain":
        delta = _vjp(acts[-1], z, a, a - y)
    elif rule == "shortcut":
        delta = a - y
    elif rule == "exact":
        if loss is None:
            raise InputError("rule 'exact' needs a loss id (loss=...)")
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = _vjp(acts[-1], z, a, get_loss(loss).grad_a(a, y))
    else:
        raise InputError(f"unknown output-delta rule {rule!r}; known rules: {', '.join(RULES)}")
    deltas = [delta]
    for l in range(len(weights), 1, -1):
        upstream = np.matmul(deltas[0], np.swapaxes(weights[l - 1], -1, -2))
        deltas.insert(0, _vjp(acts[l - 2], forward.z[l - 2], forward.a[l - 1], upstream))
    return deltas


def _gradients(forward: StackedForward, deltas: Sequence[Array]) -> list[Array]:
    return [np.matmul(np.swapaxes(a_prev, -1, -2), d) for a_prev, d in zip(forward.a, deltas, strict=False)]


def _inside(loss: str | None, rule: str, a: Array) -> Array | None:
    """Per network, whether every output lies in the domain of the ``exact`` rule's loss (None: no limit)."""
    if rule != "exact" or loss is None:
        return None
    low, high = get_loss(loss).activation_range
    if np.isinf(low) and np.isinf(high):
        return None
    return np.asarray(((a > low) & (a < high)).reshape(a.shape[0], -1).all(axis=1))


def _mse(outputs: Array, y: Array) -> Array:
    d = outputs - y
    return np.mean(0.5 * np.sum(d * d, axis=-1), axis=-1)


def train_sgd_stacked(
    weights: Sequence[Array],
    activations: Sequence[str],
    x: Any,
    y: Any,
    *,
    rule: str = "exact",
    loss: str | None = None,
    learning_rate: float | Array = 0.1,
    epochs: int = 100,
    on_step: Callable[[StackedStep], None] | None = None,
    on_epoch: Callable[[int, StackedForward], None] | None = None,
) -> StackedRun:
    """Train ``S`` stacked networks with per-sample SGD, each exactly as :func:`ffnn.train_sgd` would.

    Parameters
    ----------
    weights : sequence of ndarray
        Starting ``W[l]``, shape (S, n_{l-1}, n_l), finite (see :func:`initial_weights`); not modified.
    activations : sequence of str
        Catalog id of ``φ_l`` for each layer.
    x : array_like, shape (n_samples, n_0)
        Inputs, visited in row order every epoch.
    y : array_like, shape (n_samples, n_L)
        Labels.
    rule, loss : str
        Output-delta rule and loss, as in :func:`ffnn.backprop.backward`.
    learning_rate : float or ndarray of shape (S,)
        Step size ``η > 0``, one for all networks or one per network.
    epochs : int
        Passes over the data, ≥ 0.
    on_step : callable, optional
        Called with a :class:`StackedStep` before every update (to measure the step, e.g. its angle
        with another rule's gradient); it must not modify the arrays it is given.
    on_epoch : callable, optional
        Called as ``on_epoch(e, forward)`` with the forward pass of the whole data set before training
        (``e = 0``) and after each epoch ``e = 1 … epochs`` (to classify, or to compute other losses);
        it must not modify the arrays.

    Returns
    -------
    StackedRun
        Slice ``k`` of every array is what ``train_sgd`` returns for network ``k``, bit for bit (see the
        module docstring), up to the step where an ``exact`` rule's loss leaves its domain.

    Raises
    ------
    InputError
        On a non-positive or non-finite learning rate, negative epochs, weights that are not finite,
        shapes that do not chain, bad data, or unknown ids.
    """
    _check(weights, activations)
    if rule not in RULES or (rule == "exact" and loss is None):
        raise InputError(f"rule must be one of {', '.join(RULES)} ('exact' with a loss), got {rule!r}")
    n_nets = weights[0].shape[0]
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise InputError(f"epochs must be a whole number ≥ 0, got {epochs!r}")
    eta = np.asarray(learning_rate, dtype=np.float64)
    if eta.shape not in ((), (n_nets,)) or not (np.all(np.isfinite(eta)) and np.all(eta > 0)):
        raise InputError(
            f"learning_rate must be a finite number > 0 or {n_nets} of them, got {learning_rate!r}"
        )
    if eta.ndim == 1:
        eta = eta[:, None, None]
    x = as_float_matrix("x", x, n_cols=weights[0].shape[1])
    y = validate_labels(loss if loss is not None else "mse", y, (x.shape[0], weights[-1].shape[2]))
    rule_loss = loss if rule == "exact" else None
    ws = [np.array(w, dtype=np.float64) for w in weights]
    for l, w in enumerate(ws, start=1):
        validate_finite(f"W{l}", w)
    mse = np.empty((epochs + 1, n_nets))

    def record(epoch: int) -> None:
        fwd = stacked_forward(ws, activations, x)
        mse[epoch] = _mse(fwd.output, y)
        if on_epoch is not None:
            on_epoch(epoch, fwd)

    record(0)
    active = np.ones(n_nets, dtype=bool)
    stopped_at = np.full(n_nets, -1, dtype=np.int64)
    for epoch in range(epochs):
        for i in range(x.shape[0]):
            fwd = stacked_forward(ws, activations, x[i : i + 1])
            inside = _inside(rule_loss, rule, fwd.output)
            if inside is not None and not inside[active].all():
                newly = active & ~inside
                stopped_at[newly] = epoch * x.shape[0] + i
                active &= inside
            deltas = stacked_deltas(ws, activations, fwd, y[i : i + 1], rule, loss)
            grads = _gradients(fwd, deltas)
            if on_step is not None:
                on_step(StackedStep(epoch, i, fwd, y[i : i + 1], ws, deltas, active.copy()))
            for w, g in zip(ws, grads, strict=True):
                step = eta * g
                if active.all():
                    w -= step
                else:
                    w[active] -= step[active]
        record(epoch + 1)
    return StackedRun(ws, mse, stopped_at)
