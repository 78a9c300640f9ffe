"""The reference network of :mod:`ffnn` as a subject: its forward pass and a backward function in the
reference style, for the bug zoo and the tests (:func:`subject_from_network`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.network import Network
from ffnn.validation import validate_finite
from verification.adapters.calls import user_call, validated_gradient
from verification.adapters.layouts import Layout
from verification.adapters.subject import Subject

Array = NDArray[Any]


class NetworkSubject(Subject):
    """The reference network of :mod:`ffnn` with a backward function ``backward(network, x, y) -> dict``.

    The forward pass is :meth:`ffnn.network.Network.forward` (it evaluates at complex parameters, except
    through ``relu``); used by the bug zoo and by tests.
    """

    def __init__(
        self,
        network: Network,
        backward: Callable[[Network, Array, Array], Mapping[str, Any]],
        name: str = "backward",
    ) -> None:
        self.network, self.backward, self.name = network, backward, name
        self.parameters = {k: np.array(v, dtype=np.float64) for k, v in network.parameters().items()}
        self.n_inputs, self.n_outputs = network.sizes[0], network.sizes[-1]
        n_layers = len(network.weights)
        self.backward_order = [
            p for l in range(n_layers, 0, -1) for p in (f"W{l}", f"b{l}") if p in self.parameters
        ]
        self.notes = []
        self.recipe = None
        self.lr_known = True
        self.layout = Layout()
        self._params: dict[str, Array] = dict(self.parameters)
        self._x = np.zeros((1, self.n_inputs))

    def load(self, params: Mapping[str, Array], complex_: bool = False) -> None:
        kind = np.complex128 if complex_ else np.float64
        self._params = {n: np.array(params[n], dtype=kind) for n in self.parameters}

    def bind_inputs(self, x: Array) -> None:
        self._x = x

    def output(self) -> Array:
        return self.network.with_parameters(self._params).forward(self._x).output

    def entry_setter(self, name: str) -> Array:
        return self._params[name].reshape(-1)

    def gradient(
        self, params: Mapping[str, Array], x: Array, y: Array
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        net = self.network.with_parameters(
            {n: np.array(params[n], dtype=np.float64) for n in self.parameters}
        )
        grads = user_call(self.name, self.backward, net, x, y)
        out = validated_gradient(self.name, {k: np.asarray(v) for k, v in grads.items()}, params)
        for n, g in out.items():
            validate_finite(f"the gradient of {n} from {self.name}", g)
        return out, {n: np.zeros_like(v) for n, v in out.items()}


def subject_from_network(
    network: Network, backward: Callable[[Network, Array, Array], Mapping[str, Any]], name: str = "backward"
) -> NetworkSubject:
    """A :class:`Subject` for a backward pass in the reference style ``backward(network, x, y) -> dict``.

    ``backward`` may be :func:`ffnn.backprop.backward` with ``rule`` bound.
    """
    return NetworkSubject(network, backward, name)
