"""The question's network as a numeric oracle: the symbolic gradient of every weight, lambdified with
common subexpression elimination and evaluated at given weights, inputs and labels.

The gradient is SymPy's derivative of the loss built by :func:`verification.symbolic.network.
build_network` (exact, independent of ffnn's numeric code: only catalog ids are shared). To keep the
cold build of the 30-5-3 network to seconds, the first layer's pre-activations are named symbols
``zeta1_m`` (see :func:`gradient_after_first_layer`); their definitions ``z[1]_m = Σ_i x_i W1_i_m``
enter the generated code as the first common subexpressions.

Symbol names (``W1_0_2``, ``x_3``, ``y_1``, ``zeta1_4``) cannot collide with the ``x0, x1, …``
temporaries of :func:`sympy.cse`, and arguments are passed to :func:`sympy.lambdify` in a fixed order:
parameters (``W1 … WL``, ``b1 … bL``) row-major, then inputs, then labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ffnn.validation import InputError, as_float_matrix
from verification.symbolic.catalog import layer_exprs, sample_loss
from verification.symbolic.network import SymbolicNetwork, build_network

Array = NDArray[Any]


def _value_after_first_layer(net: SymbolicNetwork, first: list[sp.Expr]) -> sp.Expr:
    """The per-sample loss with ``z[1]`` replaced by the expressions ``first``."""
    a = sp.Matrix([layer_exprs(net.activations[0], first)])
    for l, name in enumerate(net.activations[1:], start=2):
        z = a * net.parameters[f"W{l}"]
        if f"b{l}" in net.parameters:
            z = z + net.parameters[f"b{l}"]
        a = sp.Matrix([layer_exprs(name, list(z))])
    return sample_loss(net.loss, list(a), list(net.y))


def gradient_after_first_layer(net: SymbolicNetwork) -> tuple[dict[str, sp.Matrix], dict[sp.Symbol, sp.Expr]]:
    """``∂ℓ/∂w`` of every parameter written with symbols ``zeta1_m`` that stand for ``z[1]_m``.

    The loss is written as a function of ``zeta1_m`` and the later layers' parameters. A parameter of
    a later layer is differentiated there directly. A first-layer parameter ``w`` (entry of ``W1`` or
    ``b1`` in column ``j``) enters the loss only through ``z[1]_j``, so ``∂ℓ/∂w = ∂ℓ/∂zeta1_j ·
    ∂z[1]_j/∂w``, both factors taken by :func:`sympy.diff`: the multivariable chain rule at one named
    subexpression, which is what SymPy applies inside the full expression anyway. Substituting the
    definitions gives exactly :func:`direct_gradient` (the tests prove it on small networks) at a cost
    of ``n_1`` derivatives instead of ``n_0 · n_1`` walks of the full expression.

    Returns
    -------
    gradient : dict of str to sympy.Matrix
        Per parameter, in terms of ``zeta1_m``, later weights, ``x`` and ``y``.
    definitions : dict of sympy.Symbol to sympy.Expr
        ``zeta1_m → z[1]_m``.
    """
    z1 = list(net.z[0])
    zeta = [sp.Symbol(f"zeta1_{m}") for m in range(len(z1))]
    template = _value_after_first_layer(net, list(zeta))
    by_zeta = [sp.diff(template, zj) for zj in zeta]
    out = {}
    for name, m in net.parameters.items():
        if name in ("W1", "b1"):
            out[name] = sp.Matrix(m.rows, m.cols, lambda i, j, m=m: sp.diff(z1[j], m[i, j]) * by_zeta[j])
        else:
            out[name] = m.applyfunc(lambda s: sp.diff(template, s))
    return out, dict(zip(zeta, z1, strict=True))


def direct_gradient_fast(net: SymbolicNetwork) -> dict[str, sp.Matrix]:
    """:func:`gradient_after_first_layer` with the definitions of ``zeta1_m`` substituted."""
    grads, definitions = gradient_after_first_layer(net)
    return {name: m.applyfunc(lambda e: e.xreplace(definitions)) for name, m in grads.items()}


@dataclass(frozen=True)
class GradientOracle:
    """The symbolic gradient of a network, lambdified with common subexpression elimination.

    Attributes
    ----------
    network : SymbolicNetwork
        The network it was derived from.
    arguments : tuple of sympy.Symbol
        The lambdified function's arguments in their fixed order: every parameter entry (parameters in
        :attr:`SymbolicNetwork.parameters` order, row-major), then ``x_0 …``, then ``y_0 …``.
    function : callable
        ``function(*values) -> list``: one value of ``∂ℓ/∂w`` per parameter entry, in argument order.
    """

    network: SymbolicNetwork
    arguments: tuple[sp.Symbol, ...]
    function: Any

    def __call__(self, params: Mapping[str, Any], x: Any, y: Any) -> dict[str, Array]:
        """Gradient of the batch-mean loss at ``params`` for inputs ``x`` and labels ``y``.

        Parameters
        ----------
        params : mapping of str to array_like
            ``W1 … WL`` of shape (n_{l-1}, n_l) and, with biases, ``b1 … bL`` of shape (n_l,).
        x : array_like, shape (n_samples, n_0)
        y : array_like, shape (n_samples, n_L)

        Returns
        -------
        dict of str to ndarray, float64
            ``∂L/∂W[l]`` and ``∂L/∂b[l]`` of ``L = mean over samples of ℓ``, shaped like ``params``.

        Raises
        ------
        InputError
            If names or shapes differ from the network's, or a value is not finite.
        """
        net = self.network
        if set(params) != set(net.parameters):
            raise InputError(f"params must be named {sorted(net.parameters)}, got {sorted(params)}")
        values: list[Any] = []
        for name, m in net.parameters.items():
            arr = np.asarray(params[name], dtype=np.float64)
            shape = (m.shape[1],) if name.startswith("b") else m.shape
            if arr.shape != shape or not np.isfinite(arr).all():
                raise InputError(f"params[{name!r}] must be a finite array of shape {shape}, got {arr.shape}")
            values.extend(arr.ravel())
        xs = as_float_matrix("x", x, n_cols=net.sizes[0])
        ys = as_float_matrix("y", y, n_cols=net.sizes[-1])
        if xs.shape[0] != ys.shape[0]:
            raise InputError(f"x has {xs.shape[0]} samples but y has {ys.shape[0]}")
        columns = [*values, *xs.T, *ys.T]
        flat = [np.mean(np.broadcast_to(g, (xs.shape[0],))) for g in self.function(*columns)]
        out, start = {}, 0
        for name, m in net.parameters.items():
            shape = (m.shape[1],) if name.startswith("b") else m.shape
            out[name] = np.array(flat[start : start + m.rows * m.cols], dtype=np.float64).reshape(shape)
            start += m.rows * m.cols
        return out


@cache
def gradient_oracle(
    sizes: tuple[int, ...] = (30, 5, 3),
    activations: tuple[str, ...] = ("sigmoid", "sigmoid"),
    loss: str = "mse",
    bias: bool = False,
) -> GradientOracle:
    """Derive ``∂ℓ/∂w`` of every weight symbolically and lambdify it with ``cse=True`` (cached).

    The default is the question's network (30-5-3, sigmoid layers, no biases). The result is a numeric
    oracle independent of ffnn: it evaluates the exact derivative, vectorised over samples.

    Parameters
    ----------
    sizes, activations, loss, bias
        As in :func:`build_network`.

    Raises
    ------
    InputError
        As :func:`build_network`.
    """
    net = build_network(tuple(sizes), tuple(activations), loss, bias)
    grads, definitions = gradient_after_first_layer(net)
    arguments = (*net.parameter_symbols(), *net.x, *net.y)
    exprs = [g for name in net.parameters for g in grads[name]]

    def cse_with_first_layer(expressions: list[sp.Expr]) -> tuple[list[tuple[sp.Symbol, sp.Expr]], Any]:
        # z[1] first, as named subexpressions, then SymPy's own common subexpressions.
        replacements, reduced = sp.cse(expressions)
        return [*definitions.items(), *replacements], reduced

    function = sp.lambdify(arguments, exprs, modules="numpy", cse=cse_with_first_layer, docstring_limit=0)
    return GradientOracle(net, tuple(arguments), function)
