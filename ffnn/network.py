"""The reference feed-forward network: parameters, initialisation and the forward pass.

Notation (row vectors, samples as rows), for layers ``l = 1 … L``::

    a[0] = x
    z[l] = a[l-1] @ W[l] (+ b[l])        W[l] has shape (n_{l-1}, n_l), b[l] shape (n_l,)
    a[l] = φ_l(z[l])

Parameters are named ``W1 … WL`` and ``b1 … bL`` (the biases only when the network has them), the
names used in every report. Source: Nielsen, *Neural Networks and Deep Learning* (2015), ch. 2, in
row-vector form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.activations import get_activation
from ffnn.losses import get_loss
from ffnn.validation import InputError, as_float_matrix, described, real_number, validate_finite, whole_number

Array = NDArray[Any]


@dataclass(frozen=True)
class ForwardPass:
    """Every pre-activation and activation of one forward pass.

    Attributes
    ----------
    z : list of ndarray
        ``z[l]`` for ``l = 1 … L`` stored at index ``l − 1``; shape (n_samples, n_l).
    a : list of ndarray
        ``a[l]`` for ``l = 0 … L`` stored at index ``l`` (``a[0]`` is the input); shape (n_samples, n_l).
    """

    z: list[Array]
    a: list[Array]

    @property
    def output(self) -> Array:
        """The output activation ``a[L]``, shape (n_samples, n_L)."""
        return self.a[-1]


@dataclass(frozen=True)
class Network:
    """A fully connected feed-forward network with a catalog activation per layer.

    Attributes
    ----------
    weights : list of ndarray
        ``W[1] … W[L]``, ``W[l]`` of shape (n_{l-1}, n_l), float64 (complex128 under complex step).
    activations : tuple of str
        Catalog id of ``φ_l`` for each layer ``l = 1 … L``.
    biases : list of ndarray or None
        ``b[1] … b[L]``, shape (n_l,), or None for a network without biases (the question's).

    Weights and biases may be given as array_like (lists of lists, integer arrays): they are stored
    as float64 arrays (complex arrays are kept, for complex step). ``activations`` may be one id for
    every layer.

    Raises
    ------
    InputError
        On construction, if a weight or bias is not an array of real (or complex) numbers, shapes do
        not chain, a value is not finite, an id is unknown, or the number of activations differs from
        the number of layers.
    """

    weights: list[Array]
    activations: tuple[str, ...]
    biases: list[Array] | None = None

    def __post_init__(self) -> None:
        # Lists of lists and integer arrays are taken as float64 matrices; anything else that is not
        # real (or complex, for complex step) numbers is refused rather than guessed at.
        object.__setattr__(self, "weights", _parameter_arrays("W", self.weights))
        if self.biases is not None:
            object.__setattr__(self, "biases", _parameter_arrays("b", self.biases))
        if isinstance(self.activations, str):
            object.__setattr__(self, "activations", (self.activations,) * len(self.weights))
        elif not isinstance(self.activations, tuple):
            object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.weights) == 0:
            raise InputError("a network needs at least one weight matrix")
        if len(self.activations) != len(self.weights):
            raise InputError(
                f"got {len(self.activations)} activations for {len(self.weights)} layers; "
                "give one activation per layer"
            )
        for act in self.activations:
            get_activation(act)
        for l, w in enumerate(self.weights, start=1):
            if np.ndim(w) != 2:
                raise InputError(f"W{l} must be 2-D (n_in, n_out), got shape {np.shape(w)}")
            validate_finite(f"W{l}", np.asarray(w))
            if l > 1 and w.shape[0] != self.weights[l - 2].shape[1]:
                raise InputError(
                    f"W{l} has shape {w.shape} but W{l - 1} has {self.weights[l - 2].shape[1]} "
                    f"outputs; W{l} needs {self.weights[l - 2].shape[1]} rows"
                )
        if self.biases is not None:
            if len(self.biases) != len(self.weights):
                raise InputError(f"got {len(self.biases)} bias vectors for {len(self.weights)} layers")
            for l, (b, w) in enumerate(zip(self.biases, self.weights, strict=True), start=1):
                if np.shape(b) != (w.shape[1],):
                    raise InputError(f"b{l} must have shape ({w.shape[1]},), got {np.shape(b)}")
                validate_finite(f"b{l}", np.asarray(b))

    @classmethod
    def initialise(
        cls,
        sizes: Sequence[int],
        activations: Sequence[str] | str,
        *,
        seed: int,
        bias: bool = False,
        scale: float = 1.0,
    ) -> Network:
        """Draw a network with weights (and biases) from ``scale · N(0, 1)``.

        Parameters
        ----------
        sizes : sequence of int
            Layer widths ``(n_0, n_1, …, n_L)``, input first; each ≥ 1, at least two entries.
        activations : sequence of str, or str
            One catalog id per layer, or one id used for every layer.
        seed : int
            Seed of ``np.random.default_rng``, ≥ 0; ``W1, …, WL`` are drawn in order, then ``b1, …, bL``.
        bias : bool
            Whether the layers have biases (the question's network has none).
        scale : float
            Standard deviation of the entries.

        Raises
        ------
        InputError
            On a negative or non-integer seed; sizes that are not a sequence (a string such as
            ``"32"`` is refused, not read as ``(3, 2)``), fewer than two sizes, or a size that is not a
            whole number ≥ 1 (``2.5``, ``True``, ``0``, ``-1``, ``"3"``); a ``bias`` that is not a bool;
            a ``scale`` that is not a finite real number; or unknown activation ids.
        """
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InputError(f"seed must be a whole number ≥ 0 (for numpy.random.default_rng), got {seed!r}")
        if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
            raise InputError(
                f"sizes must be a sequence of layer widths such as (30, 5, 3), got {described(sizes)}"
            )
        if len(sizes) < 2:
            raise InputError(f"sizes must list at least two layer widths ≥ 1, got {list(sizes)}")
        sizes = [whole_number(f"sizes[{i}] (a layer width)", n, minimum=1) for i, n in enumerate(sizes)]
        if not isinstance(bias, bool | np.bool_):
            raise InputError(f"bias must be True or False, got {described(bias)}")
        scale = real_number("scale", scale)
        n_layers = len(sizes) - 1
        acts = (activations,) * n_layers if isinstance(activations, str) else tuple(activations)
        rng = np.random.default_rng(seed)
        weights = [scale * rng.standard_normal((sizes[l], sizes[l + 1])) for l in range(n_layers)]
        biases = [scale * rng.standard_normal(sizes[l + 1]) for l in range(n_layers)] if bias else None
        return cls(weights, acts, biases)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer widths ``(n_0, …, n_L)``."""
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    @property
    def output_activation(self) -> str:
        """Catalog id of ``φ_L``."""
        return self.activations[-1]

    def parameters(self) -> dict[str, Array]:
        """The parameters by name: ``W1 … WL`` then ``b1 … bL`` (if any). Arrays are not copied."""
        params = {f"W{l}": w for l, w in enumerate(self.weights, start=1)}
        if self.biases is not None:
            params.update({f"b{l}": b for l, b in enumerate(self.biases, start=1)})
        return params

    def with_parameters(self, params: Mapping[str, Array]) -> Network:
        """A network of the same structure with the given parameters.

        Raises
        ------
        InputError
            If the names differ from :meth:`parameters` or a shape does not fit.
        """
        expected = set(self.parameters())
        if set(params) != expected:
            raise InputError(f"parameters must be named {sorted(expected)}, got {sorted(params)}")
        weights = [np.asarray(params[f"W{l}"]) for l in range(1, len(self.weights) + 1)]
        biases = None
        if self.biases is not None:
            biases = [np.asarray(params[f"b{l}"]) for l in range(1, len(self.weights) + 1)]
        for name, new in params.items():
            if np.shape(new) != self.parameters()[name].shape:
                raise InputError(
                    f"parameter {name} must have shape {self.parameters()[name].shape}, got {np.shape(new)}"
                )
        return Network(weights, self.activations, biases)

    def forward(self, x: Any) -> ForwardPass:
        """Run the forward pass, keeping every ``z[l]`` and ``a[l]``.

        Parameters
        ----------
        x : array_like, shape (n_samples, n_0)
            Inputs, one sample per row.

        Raises
        ------
        InputError
            If ``x`` is not 2-D with ``n_0`` columns or holds non-finite values.
        """
        a = as_float_matrix("x", x, n_cols=self.sizes[0])
        zs: list[Array] = []
        acts: list[Array] = [a]
        for l, w in enumerate(self.weights):
            z = a @ w
            if self.biases is not None:
                z = z + self.biases[l]
            a = get_activation(self.activations[l]).value(z)
            zs.append(z)
            acts.append(a)
        return ForwardPass(zs, acts)

    def loss(self, x: Any, y: Any, loss: str) -> Any:
        """Mean over samples of catalog loss ``loss`` at the output: a float (complex under complex step).

        Raises
        ------
        InputError
            On bad ``x`` or ``y``, labels that do not fit the loss, or outputs outside its domain.
        """
        spec = get_loss(loss)
        fwd = self.forward(x)
        y = validate_labels(spec.name, y, fwd.output.shape)
        spec.validate_activation(fwd.output)
        return spec.value(fwd.output, y)


def _parameter_arrays(prefix: str, values: Any) -> list[Array]:
    """``values`` (a sequence of array_like) as arrays: float64 unless already floating or complex."""
    if isinstance(values, str | bytes | np.ndarray) or not isinstance(values, Sequence):
        what = "weights" if prefix == "W" else "biases"
        raise InputError(f"{what} must be a list with one array per layer, got {described(values)}")
    out = []
    for l, value in enumerate(values, start=1):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as exc:  # ragged lists and the like
            raise InputError(f"{prefix}{l} is not a numeric array: {exc}") from None
        if arr.dtype.kind in "iu":
            arr = arr.astype(np.float64)
        elif arr.dtype.kind not in "fc":
            raise InputError(f"{prefix}{l} must hold real numbers, got dtype {arr.dtype}")
        out.append(arr)
    return out


def validate_labels(loss: str, y: Any, shape: tuple[int, ...]) -> Array:
    """Validate labels ``y`` of shape (n_samples, n_out) for catalog loss ``loss`` and return them.

    Raises
    ------
    InputError
        If ``y`` is not finite, has a shape other than ``shape``, or does not fit the loss.
    """
    arr = as_float_matrix("y", y)
    if arr.shape != tuple(shape):
        raise InputError(f"y must have shape {tuple(shape)} (one row per sample), got {arr.shape}")
    get_loss(loss).validate_labels(arr)
    return arr
