"""The vectorised evaluator of an ``ffnn`` network: every single-entry perturbation at once (the
structured coordinate mode of the checker).

The plain coordinate loop re-runs the whole forward pass for each shifted entry. The layer structure
makes most of that work redundant (notation of DESIGN.md, ``z[l] = a[l-1] @ W[l] + b[l]``):

* shifting ``W[l][i, j]`` by ``Δ`` changes only column ``j`` of the pre-activation:
  ``z[l][:, j] += Δ · a[l-1][:, i]``; shifting ``b[l][j]`` adds ``Δ`` to the same column;
* with an element-wise ``φ_l`` only column ``j`` of ``a[l]`` changes, so the next pre-activation changes
  by a rank-one term: ``z[l+1] += (a'[l][:, j] − a[l][:, j]) ⊗ W[l+1][j, :]``;
* the layers after that are recomputed in full, for a batch of shifted entries at once (softmax
  layers, which couple a row, are always recomputed in full).

So a batch of ``B`` shifted entries costs ``B · n_samples · (n_l + Σ_{k>l} n_{k-1} n_k)`` operations
instead of ``B`` whole forward passes, in a few large numpy calls. The evaluator implements the same
:class:`verification.numeric.evaluators.Evaluator` interface as the plain loop, so every method
(forward, central, Richardson, complex step) and the kink test run unchanged on it and agree with the
loop to rounding. With complex shifts ``Δ = ih`` it is the complex-step structured mode: accurate to
rounding and the cheapest of all (one evaluation per entry).

The loss of each shifted network is the catalog loss's batch mean, computed with the catalog's own
per-sample function on the stacked outputs (no derivative code of ``ffnn`` is used, so the oracle
stays independent of backprop).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ffnn.activations import get_activation
from ffnn.losses import get_loss
from ffnn.network import Network, validate_labels
from ffnn.validation import InputError, as_float_matrix, described
from verification.numeric.evaluators import Array, LoopEvaluator, as_parameters

CHUNK_ELEMENTS = 2**19
"""Upper bound on the elements of one intermediate array (complex128: 8 MiB), so that each thread's
temporaries stay near the cache."""


class NetworkEvaluator:
    """The loss of an ``ffnn`` network at single-entry shifts of its parameters, vectorised.

    Parameters
    ----------
    network : Network
        Any catalog activations, with or without biases; its parameters are copied to float64.
    x : array_like, shape (n_samples, n_0)
        Inputs.
    y : array_like, shape (n_samples, n_L)
        Labels fitting ``loss``.
    loss : str
        Catalog loss id; the loss is the mean over samples.
    workers : int, optional
        Threads sharing the chunks of shifted entries (default: the number of CPUs).

    Raises
    ------
    InputError
        On bad shapes, labels, outputs outside the loss's domain, or unknown ids; on a ``network``
        that is not an :class:`ffnn.Network` or has complex parameters (set for a complex step: the
        imaginary parts would be dropped).
    """

    def __init__(self, network: Network, x: Any, y: Any, loss: str, workers: int | None = None) -> None:
        if not isinstance(network, Network):
            raise InputError(f"network must be an ffnn.Network, got {described(network)}")
        self.workers = max(1, int(workers if workers is not None else os.cpu_count() or 1))
        self.parameter_dtypes = {k: str(np.asarray(v).dtype.name) for k, v in network.parameters().items()}
        self.params: dict[str, Array] = as_parameters(network.parameters())
        self.network = network.with_parameters(self.params)
        self.spec = get_loss(loss)
        self.x = as_float_matrix("x", x, n_cols=self.network.sizes[0]).astype(np.float64)
        self.forward = self.network.forward(self.x)
        self.y = validate_labels(loss, y, self.forward.output.shape).astype(np.float64)
        self.value = float(self.network.loss(self.x, self.y, loss))
        self.dtype = np.dtype(np.float64)
        self.evaluations = 1
        self.acts = [get_activation(a) for a in self.network.activations]
        self._tiled: dict[int, Array] = {}

    def shifted(self, name: str, flat: Array, delta: Array) -> Array:
        """Loss with ``params[name].flat[flat[k]] += delta[k]`` for each ``k`` (see the module docstring).

        Parameters
        ----------
        name : str
            ``W1 … WL`` or ``b1 … bL``.
        flat : ndarray of int, shape (m,)
        delta : ndarray, shape (m,), float64 or complex128

        Returns
        -------
        ndarray, shape (m,), float64 (complex128 for complex ``delta``)

        Raises
        ------
        InputError
            On an unknown parameter name, a non-analytic activation under complex shifts, outputs that
            leave the loss's domain, or a non-finite loss.
        """
        if name not in self.params:
            raise InputError(f"unknown parameter {name!r}; the network has {sorted(self.params)}")
        flat = np.asarray(flat, dtype=np.intp)
        delta = np.asarray(delta)
        out = np.empty(flat.size, dtype=np.complex128 if np.iscomplexobj(delta) else np.float64)
        layer = int(name[1:])
        width = max(self.network.sizes[layer:])
        chunk = max(1, CHUNK_ELEMENTS // (self.x.shape[0] * max(width, 1)))
        parts = [slice(start, start + chunk) for start in range(0, flat.size, chunk)]

        def run(part: slice) -> None:
            out[part] = self._losses(name[0], layer, flat[part], delta[part])

        if self.workers > 1 and len(parts) > 1:
            # numpy releases the GIL inside its array loops, so threads share the cores.
            with ThreadPoolExecutor(self.workers) as pool:
                list(pool.map(run, parts))
        else:
            for part in parts:
                run(part)
        if not np.all(np.isfinite(out)):
            raise InputError(f"the loss returned a non-finite value {out[~np.isfinite(out)][0]}")
        self.evaluations += flat.size
        return out

    def _losses(self, kind: str, layer: int, flat: Array, delta: Array) -> Array:
        fwd, net = self.forward, self.network
        l0 = layer - 1  # index of W[layer] in net.weights, of z[layer] in fwd.z
        n_out = net.weights[l0].shape[1]
        if kind == "W":
            i, j = np.divmod(flat, n_out)
            column_in = fwd.a[l0].T[i]  # a[l-1][:, i] per entry, shape (B, n)
        else:
            j = flat
            column_in = np.ones((flat.size, self.x.shape[0]))
        dz = delta[:, None] * column_in  # change of z[l][:, j], shape (B, n)
        act = self.acts[l0]
        if act.elementwise and layer < len(net.weights):
            new_col = act.value(fwd.z[l0].T[j] + dz)  # a'[l][:, j], shape (B, n)
            change = new_col - fwd.a[layer].T[j]
            z = fwd.z[layer][None, :, :] + change[:, :, None] * net.weights[layer][j][:, None, :]
            a = self._apply(layer, z)
            start = layer + 1
        else:
            z = np.broadcast_to(fwd.z[l0], (flat.size, *fwd.z[l0].shape)).astype(dz.dtype)
            z[np.arange(flat.size), :, j] += dz
            a = self._apply(l0, z)
            start = layer
        for k in range(start, len(net.weights)):
            z = a @ net.weights[k]
            if net.biases is not None:
                z = z + net.biases[k]
            a = self._apply(k, z)
        return self._loss(a)

    def _apply(self, index: int, z: Array) -> Array:
        """``φ`` of layer ``index + 1`` on stacked pre-activations (B, n, n_l), row-wise for softmax."""
        b, n, m = z.shape
        return self.acts[index].value(z.reshape(b * n, m)).reshape(b, n, m)

    def _loss(self, a: Array) -> Array:
        b, n, m = a.shape
        flat_a = a.reshape(b * n, m)
        if np.isfinite(self.spec.activation_range).any():
            self.spec.validate_activation(flat_a)
        labels = self._tiled.get(b)
        if labels is None:
            labels = self._tiled.setdefault(b, np.tile(self.y, (b, 1)))
        per_sample = self.spec.per_sample(flat_a, labels)
        return np.mean(per_sample.reshape(b, n), axis=1)


def loop_evaluator(network: Network, x: Any, y: Any, loss: str) -> LoopEvaluator:
    """The plain-loop evaluator of the same loss, for comparison with :class:`NetworkEvaluator`."""
    return LoopEvaluator(lambda p: network.with_parameters(p).loss(x, y, loss), network.parameters())
