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
from typing import Any, NamedTuple

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from ffnn.network import Network
from ffnn.pairs import valid_pairs as ffnn_valid_pairs

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

LABEL_KINDS: dict[str, tuple[str, ...]] = {
    "mse": ("real",),
    "bce": ("binary", "soft"),
    "cross_entropy": ("one_hot", "soft"),
    "poisson_nll": ("counts",),
}
"""The kinds of labels :func:`labels` draws for each loss."""


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


def weights(shape: int | tuple[int, ...], max_magnitude: float = 2.0) -> st.SearchStrategy[Array]:
    """Finite float64 arrays of the given shape with every ``|w| ≤ max_magnitude``.

    Parameters
    ----------
    shape : int or tuple of int
        ``(n_{l-1}, n_l)`` for a weight matrix, ``n_l`` for a bias vector.
    max_magnitude : float
        Bound on the magnitude of each entry, > 0.

    Returns
    -------
    SearchStrategy of ndarray, float64
        No NaN, no infinity, no subnormal numbers; shrinks towards zeros.
    """
    elements = st.floats(-max_magnitude, max_magnitude, allow_nan=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=elements)


def inputs(n_samples: int, n_in: int, max_magnitude: float = 1.0) -> st.SearchStrategy[Array]:
    """A batch ``x``, one sample per row.

    Parameters
    ----------
    n_samples, n_in : int
        Batch size and input width ``n_0``.
    max_magnitude : float
        Bound of every entry; the question's glyphs are binary, so 1 covers them.

    Returns
    -------
    SearchStrategy of ndarray, shape (n_samples, n_in), float64
        Finite entries with ``|x| ≤ max_magnitude``; shrinks towards zeros.
    """
    return weights((n_samples, n_in), max_magnitude)


@st.composite
def _probability_rows(draw: st.DrawFn, shape: tuple[int, int]) -> Array:
    raw = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0, allow_subnormal=False)))
    raw[:, -1] += 1.0  # keeps every row sum ≥ 1, away from 0
    rows = raw / raw.sum(axis=1, keepdims=True)
    # Close each row exactly: the last entry takes the rounding left by the others (≥ 0 since each
    # other entry is at most its share of a sum of non-negative terms).
    rows[:, -1] = np.maximum(1.0 - rows[:, :-1].sum(axis=1), 0.0)
    return rows


@st.composite
def _one_hot(draw: st.DrawFn, shape: tuple[int, int]) -> Array:
    hot = draw(st.lists(st.integers(0, shape[1] - 1), min_size=shape[0], max_size=shape[0]))
    return np.eye(shape[1])[hot]


def labels(
    loss: str,
    shape: tuple[int, int],
    *,
    kind: str | None = None,
    max_magnitude: float = 2.0,
    max_count: int = 5,
) -> st.SearchStrategy[Array]:
    """Labels ``y`` of shape (n_samples, n_out) that fit the catalog loss ``loss``.

    Parameters
    ----------
    loss : str
        Catalog loss id.
    shape : tuple of int
        (n_samples, n_out).
    kind : str, optional
        One of :data:`LABEL_KINDS` ``[loss]``; by default any of them:

        * ``real`` (mse): real targets with ``|y| ≤ max_magnitude``;
        * ``binary`` (bce): entries in {0, 1};
        * ``soft`` (bce): entries in [0, 1]; (cross_entropy): non-negative rows summing to 1;
        * ``one_hot`` (cross_entropy): one 1 per row;
        * ``counts`` (poisson_nll): integers ``0 … max_count`` as float64.
    max_magnitude : float
        Bound of ``real`` labels.
    max_count : int
        Largest count.

    Returns
    -------
    SearchStrategy of ndarray, float64
        Labels accepted by ``LOSSES[loss].validate_labels``.

    Raises
    ------
    KeyError
        On an unknown loss or a kind that does not belong to it.
    """
    kinds = LABEL_KINDS[loss]
    if kind is not None and kind not in kinds:
        raise KeyError(f"loss {loss!r} has label kinds {kinds}, not {kind!r}")
    strategies = {
        "real": lambda: weights(shape, max_magnitude),
        "binary": lambda: hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])),
        "soft": lambda: (
            _probability_rows(shape)
            if loss == "cross_entropy"
            else hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0, allow_subnormal=False))
        ),
        "one_hot": lambda: _one_hot(shape),
        "counts": lambda: hnp.arrays(np.float64, shape, elements=st.integers(0, max_count).map(float)),
    }
    chosen = [kind] if kind is not None else list(kinds)
    return st.one_of(*(strategies[k]() for k in chosen))


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


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    sizes: st.SearchStrategy[tuple[int, ...]] | None = None,
    min_layers: int = 1,
    max_layers: int = 4,
    max_width: int = 4,
    min_samples: int = 1,
    max_samples: int = 3,
    bias: bool | None = None,
    hidden: Sequence[str] = HIDDEN_ACTIVATIONS,
    max_weight: float = 2.0,
    max_input: float = 1.0,
    label_kind: str | None = None,
    max_output_preactivation: float = MAX_OUTPUT_PREACTIVATION,
) -> Case:
    """A whole case: network, batch, labels, loss and output activation.

    Parameters
    ----------
    pairs : sequence of (loss, activation), optional
        Pairs to draw from; default :func:`valid_pairs`.
    sizes : SearchStrategy of tuple of int, optional
        Layer widths ``(n_0, …, n_L)``; default :func:`layer_sizes` with the bounds below.
    min_layers, max_layers : int
        Depth range ``L`` (1 to 4 by default), when ``sizes`` is not given.
    max_width : int
        Largest layer width (input, hidden and output).
    min_samples, max_samples : int
        Batch-size range.
    bias : bool, optional
        Whether the network has biases; drawn when None.
    hidden : sequence of str
        Activations of the hidden layers (default :data:`HIDDEN_ACTIVATIONS`).
    max_weight : float
        Bound of every weight and bias entry.
    max_input : float
        Bound of every input entry.
    label_kind : str, optional
        Passed to :func:`labels`.
    max_output_preactivation : float
        Largest ``|z[L]|`` kept (default :data:`MAX_OUTPUT_PREACTIVATION`).

    Returns
    -------
    Case
        A case whose every activation is finite, whose output lies inside the loss's domain, and whose
        output pre-activations are bounded by ``max_output_preactivation``; other draws are rejected
        with ``assume`` (see the module docstring for why).
    """
    loss, output = draw(st.sampled_from(tuple(pairs) if pairs is not None else tuple(valid_pairs())))
    if sizes is None:
        sizes = layer_sizes(min_layers=min_layers, max_layers=max_layers, max_width=max_width)
    widths = draw(sizes)
    n_layers = len(widths) - 1
    acts = (*(draw(activations(hidden)) for _ in range(n_layers - 1)), output)
    ws = [draw(weights((widths[l], widths[l + 1]), max_weight)) for l in range(n_layers)]
    has_bias = draw(st.booleans()) if bias is None else bias
    bs = [draw(weights(widths[l + 1], max_weight)) for l in range(n_layers)] if has_bias else None
    network = Network(ws, acts, bs)
    n_samples = draw(st.integers(min_samples, max_samples))
    x = draw(inputs(n_samples, widths[0], max_input))
    y = draw(labels(loss, (n_samples, widths[-1]), kind=label_kind))
    with np.errstate(all="ignore"):
        fwd = network.forward(x)
    assume(all(np.isfinite(a).all() for a in fwd.a))
    assume(bool(np.all(np.abs(fwd.z[-1]) <= max_output_preactivation)))
    low, high = LOSSES[loss].activation_range
    assume(bool(np.all((fwd.output > low) & (fwd.output < high))))
    return Case(network, x, y, loss, output)
