"""Hypothesis strategies for networks, batches and labels drawn from the catalog.

Every strategy draws its numbers through Hypothesis (element by element, so a failing case shrinks to
a readable one), never from a global random state. The building blocks are

* :func:`layer_sizes` — widths ``(n_0, …, n_L)``;
* :func:`weights` — finite matrices (or vectors) with ``|w| ≤ max_magnitude``;
* :func:`inputs` — a batch ``x`` of shape (n_samples, n_0);
* :func:`labels` — labels that fit a catalog loss: real targets (``mse``), binary or soft labels in
  [0, 1] (``bce``), one-hot or soft probability rows (``cross_entropy``), counts (``poisson_nll``);
* :func:`activations`, :func:`losses`, :func:`valid_pairs` — ids from the catalog;
* :func:`cases` — a whole :class:`Case`: network, batch, labels, loss and output activation.

Domain bounds
-------------
A drawn case is kept only where its loss is finite and well conditioned in float64 (the rest is
rejected with ``assume``, so Hypothesis counts it as filtered, never as passed):

* every pre-activation and activation is finite (no overflow of ``exp`` or ``softplus``);
* every output pre-activation satisfies ``|z[L]| ≤`` :data:`MAX_OUTPUT_PREACTIVATION`
  ``= ln(1/ε) / 3 ≈ 12``. The catalog losses are computed from the activation ``a``, not from the
  pre-activation: ``log(1 − σ(z))`` has a relative rounding error of about ``ε · e^|z|`` because
  ``1 − σ(z)`` cancels, and ``log a`` of a softmax output near 1 (a confident right prediction)
  loses digits the same way. Beyond the bound that error exceeds ``ε^(2/3)``, the relative accuracy
  central differences reach at their optimal step (:mod:`verification.tolerances`), so such a draw
  can only test the rounding of the loss. This is a coarse bound that does not depend on the case;
  tests that compare with finite differences refine it per case with the loss's condition number
  (the rounding noise ``ε κ / h`` a central difference picks up, ``tests/test_properties.py``).
  Saturation beyond the bound is a region to test on purpose (pass a larger
  ``max_output_preactivation``, or shift the output bias as the saturation tests do), not to draw by
  accident.

Hidden layers use :data:`HIDDEN_ACTIVATIONS` by default: the catalog without ``exp``, whose growth
compounds through layers (``e^(e^z)``) and leaves float64 for most draws of a deep network; ``exp`` is
the output activation of the Poisson pair and is drawn there.

References: the Hypothesis documentation, "Composite strategies" and ``hypothesis.extra.numpy``;
data-apis/array-api-tests, ``hypothesis_helpers.py`` (one module for all strategies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from numpy.typing import NDArray

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from ffnn.network import Network
from ffnn.pairs import valid_pairs as ffnn_valid_pairs
from verification.testing.arrays import LABEL_KINDS, inputs, labels, weights

__all__ = [
    "CANONICAL_PAIRS",
    "HIDDEN_ACTIVATIONS",
    "LABEL_KINDS",
    "MAX_OUTPUT_PREACTIVATION",
    "Case",
    "activations",
    "cases",
    "inputs",
    "labels",
    "layer_sizes",
    "losses",
    "pair_id",
    "valid_pairs",
    "weights",
]

Array = NDArray[Any]

EPS = float(np.finfo(np.float64).eps)

MAX_OUTPUT_PREACTIVATION = float(np.log(1.0 / EPS) / 3.0)
"""``ln(1/ε) / 3 ≈ 12.01``: the largest output pre-activation magnitude drawn by default (see the
module docstring for the derivation)."""

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(name for name in ACTIVATIONS if name != "exp")
"""Catalog activations drawn for hidden layers by default (all but ``exp``, see the module docstring)."""

CANONICAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("mse", "identity"),
    ("bce", "sigmoid"),
    ("cross_entropy", "softmax"),
    ("poisson_nll", "exp"),
)
"""``(loss, output activation)`` pairs of a canonical link, where ``δ[L] = a − y`` is the exact output
delta (Bishop, *Pattern Recognition and Machine Learning*, 2006, §4.3.6)."""


def pair_id(loss: str, activation: str) -> str:
    """The name of a loss-activation pair used in test ids, messages and docs.

    Parameters
    ----------
    loss, activation : str
        Catalog ids.

    Returns
    -------
    str
        ``"{loss}-{activation}"``.

    Examples
    --------
    >>> pair_id("bce", "sigmoid")
    'bce-sigmoid'
    """
    return f"{loss}-{activation}"


def valid_pairs() -> list[tuple[str, str]]:
    """Every ``(loss, output activation)`` pair whose outputs lie inside the loss's domain.

    The rule lives in :func:`ffnn.pairs.valid_pairs`: an activation fits a loss when its output range
    lies inside the loss's domain; ``relu`` reaches 0, so it does not fit a loss that takes ``log a``;
    ``cross_entropy`` is defined for a probability vector, which only ``softmax`` outputs.

    Returns
    -------
    list of tuple of str
        In catalog order, losses first.

    Examples
    --------
    >>> ("bce", "sigmoid") in valid_pairs() and ("bce", "identity") not in valid_pairs()
    True
    """
    return ffnn_valid_pairs()


def layer_sizes(
    *, min_layers: int = 1, max_layers: int = 4, min_width: int = 1, max_width: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Layer widths ``(n_0, n_1, …, n_L)``, input width first.

    Parameters
    ----------
    min_layers, max_layers : int
        Range of the depth ``L`` (number of weight matrices), ``1 ≤ min_layers ≤ max_layers``.
    min_width, max_width : int
        Range of every width, ``1 ≤ min_width ≤ max_width``.

    Returns
    -------
    SearchStrategy of tuple of int
        ``L + 1`` widths; shrinks towards one layer of width ``min_width``.
    """
    return st.lists(st.integers(min_width, max_width), min_size=min_layers + 1, max_size=max_layers + 1).map(
        tuple
    )


def activations(names: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """A catalog activation id.

    Parameters
    ----------
    names : sequence of str, optional
        Ids to draw from; default the whole catalog, in its order.

    Returns
    -------
    SearchStrategy of str
        Shrinks towards the first id.
    """
    return st.sampled_from(tuple(names) if names is not None else tuple(ACTIVATIONS))


def losses(names: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """A catalog loss id.

    Parameters
    ----------
    names : sequence of str, optional
        Ids to draw from; default the whole catalog, in its order.

    Returns
    -------
    SearchStrategy of str
        Shrinks towards the first id.
    """
    return st.sampled_from(tuple(names) if names is not None else tuple(LOSSES))


class Case(NamedTuple):
    """One drawn gradient-checking case.

    Attributes
    ----------
    network : Network
        Layer ``l`` has activation ``network.activations[l-1]``; biases or not.
    x : ndarray, shape (n_samples, n_0), float64
        The batch.
    y : ndarray, shape (n_samples, n_L), float64
        Labels that fit ``loss``.
    loss : str
        Catalog loss id.
    output_activation : str
        Catalog id of ``φ_L`` (the same as ``network.output_activation``).
    """

    network: Network
    x: Array
    y: Array
    loss: str
    output_activation: str

    @property
    def pair(self) -> str:
        """The pair's name, e.g. ``bce-sigmoid``."""
        return pair_id(self.loss, self.output_activation)

    def describe(self) -> str:
        """A short context string for assertion messages."""
        net = self.network
        return (
            f"{self.pair}, sizes {net.sizes}, activations {net.activations}, "
            f"biases {net.biases is not None}, {self.x.shape[0]} sample(s)"
        )


@dataclass(frozen=True)
class Bounds:
    """The bounds a drawn case keeps to (:func:`cases` takes them as keyword arguments).

    Attributes
    ----------
    min_layers, max_layers : int
        Depth range ``L`` (1 to 4 by default), when no ``sizes`` strategy is given.
    max_width : int
        Largest layer width (input, hidden and output).
    min_samples, max_samples : int
        Batch-size range.
    max_weight : float
        Bound of every weight and bias entry.
    max_input : float
        Bound of every input entry.
    max_output_preactivation : float
        Largest ``|z[L]|`` kept (default :data:`MAX_OUTPUT_PREACTIVATION`).
    """

    min_layers: int = 1
    max_layers: int = 4
    max_width: int = 4
    min_samples: int = 1
    max_samples: int = 3
    max_weight: float = 2.0
    max_input: float = 1.0
    max_output_preactivation: float = MAX_OUTPUT_PREACTIVATION


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    sizes: st.SearchStrategy[tuple[int, ...]] | None = None,
    bias: bool | None = None,
    hidden: Sequence[str] = HIDDEN_ACTIVATIONS,
    label_kind: str | None = None,
    **bounds: Any,
) -> Case:
    """A whole case: network, batch, labels, loss and output activation.

    Parameters
    ----------
    pairs : sequence of (loss, activation), optional
        Pairs to draw from; default :func:`valid_pairs`.
    sizes : SearchStrategy of tuple of int, optional
        Layer widths ``(n_0, …, n_L)``; default :func:`layer_sizes` within the bounds.
    bias : bool, optional
        Whether the network has biases; drawn when None.
    hidden : sequence of str
        Activations of the hidden layers (default :data:`HIDDEN_ACTIVATIONS`).
    label_kind : str, optional
        Passed to :func:`labels`.
    **bounds
        Fields of :class:`Bounds` (``max_layers=2``, ``min_samples=2`` …).

    Returns
    -------
    Case
        A case whose every activation is finite, whose output lies inside the loss's domain, and whose
        output pre-activations are bounded by ``max_output_preactivation``; other draws are rejected
        with ``assume`` (see the module docstring for why).

    Raises
    ------
    TypeError
        On a keyword that is not a field of :class:`Bounds`.
    """
    b = Bounds(**bounds)
    loss, output = draw(st.sampled_from(tuple(pairs) if pairs is not None else tuple(valid_pairs())))
    if sizes is None:
        sizes = layer_sizes(min_layers=b.min_layers, max_layers=b.max_layers, max_width=b.max_width)
    widths = draw(sizes)
    n_layers = len(widths) - 1
    acts = (*(draw(activations(hidden)) for _ in range(n_layers - 1)), output)
    ws = [draw(weights((widths[l], widths[l + 1]), b.max_weight)) for l in range(n_layers)]
    has_bias = draw(st.booleans()) if bias is None else bias
    bs = [draw(weights(widths[l + 1], b.max_weight)) for l in range(n_layers)] if has_bias else None
    network = Network(ws, acts, bs)
    n_samples = draw(st.integers(b.min_samples, b.max_samples))
    x = draw(inputs(n_samples, widths[0], b.max_input))
    y = draw(labels(loss, (n_samples, widths[-1]), kind=label_kind))
    with np.errstate(all="ignore"):
        fwd = network.forward(x)
    assume(all(np.isfinite(a).all() for a in fwd.a))
    assume(bool(np.all(np.abs(fwd.z[-1]) <= b.max_output_preactivation)))
    low, high = LOSSES[loss].activation_range
    assume(bool(np.all((fwd.output > low) & (fwd.output < high))))
    return Case(network, x, y, loss, output)
