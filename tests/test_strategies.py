"""The strategies generate what they promise. Every test here is a sanity check of the harness: a
failure means a strategy is wrong, never that a gradient is."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ffnn import ACTIVATIONS, LOSSES, Network
from ffnn.network import validate_labels
from verification.testing import strategies as vs


@given(vs.layer_sizes(min_layers=2, max_layers=3, min_width=2, max_width=5))
def test_layer_sizes_respect_their_bounds(sizes: tuple[int, ...]) -> None:
    """Sanity check of the harness."""
    assert 3 <= len(sizes) <= 4, f"got {len(sizes)} widths, but should be 3 to 4 [sizes {sizes}]"
    assert all(2 <= n <= 5 for n in sizes), f"got widths {sizes}, but should be in [2, 5]"


@given(st.data(), st.floats(0.1, 100.0), st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_weights_are_finite_and_bounded(data: st.DataObject, bound: float, shape: tuple[int, int]) -> None:
    """Sanity check of the harness."""
    w = data.draw(vs.weights(shape, bound))
    assert w.shape == shape and w.dtype == np.float64, f"got {w.shape} {w.dtype}, but should be {shape}"
    assert np.isfinite(w).all(), f"got non-finite weights {w}, but should be finite"
    assert np.abs(w).max() <= bound, f"got max |w| = {np.abs(w).max()}, but should be ≤ {bound}"


@given(st.data(), st.integers(1, 4), st.integers(1, 4))
def test_inputs_have_the_batch_shape(data: st.DataObject, n: int, n_in: int) -> None:
    """Sanity check of the harness."""
    x = data.draw(vs.inputs(n, n_in, 1.0))
    assert x.shape == (n, n_in) and np.abs(x).max() <= 1.0, f"got {x}, but should be ({n}, {n_in}) in [-1, 1]"


KIND_CASES = [(loss, kind) for loss, kinds in vs.LABEL_KINDS.items() for kind in kinds]


@pytest.mark.parametrize(("loss", "kind"), KIND_CASES, ids=[f"{lo}-{k}" for lo, k in KIND_CASES])
@given(data=st.data(), shape=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_labels_fit_their_loss(loss: str, kind: str, data: st.DataObject, shape: tuple[int, int]) -> None:
    """Sanity check of the harness: the loss's own label check accepts every draw, and each kind has
    its defining property."""
    y = data.draw(vs.labels(loss, shape, kind=kind))
    validate_labels(loss, y, shape)  # raises InputError if the labels do not fit
    if kind == "binary":
        assert set(np.unique(y)) <= {0.0, 1.0}, f"got {np.unique(y)}, but should be in {{0, 1}} [{loss}]"
    if kind == "one_hot":
        one_hot = (y.sum(axis=1) == 1).all() and set(np.unique(y)) <= {0.0, 1.0}
        assert one_hot, f"got {y}, but should be one-hot"
    if kind == "soft":
        assert ((y >= 0) & (y <= 1)).all(), f"got {y}, but should be in [0, 1] [{loss}]"
    if kind == "counts":
        assert (y >= 0).all() and (y == np.round(y)).all(), f"got {y}, but should be counts"


def test_unknown_label_kind_is_refused() -> None:
    """Sanity check of the harness."""
    with pytest.raises(KeyError, match="label kinds"):
        vs.labels("mse", (1, 1), kind="one_hot")


@given(vs.activations(), vs.losses())
def test_catalog_ids_come_from_the_catalog(act: str, loss: str) -> None:
    """Sanity check of the harness."""
    assert act in ACTIVATIONS and loss in LOSSES, f"got {act!r}, {loss!r}, but should be catalog ids"


def test_valid_pairs_hold_the_canonical_ones_and_only_fitting_pairs() -> None:
    """Sanity check of the harness: the canonical pairs are valid; pairs whose outputs leave the loss's
    domain are not."""
    pairs = vs.valid_pairs()
    assert set(vs.CANONICAL_PAIRS) <= set(pairs), f"got {pairs}, but should hold {vs.CANONICAL_PAIRS}"
    for bad in [("bce", "identity"), ("bce", "tanh"), ("poisson_nll", "relu"), ("cross_entropy", "sigmoid")]:
        assert bad not in pairs, f"got {vs.pair_id(*bad)} among the valid pairs, but should not be"
    assert vs.pair_id("bce", "sigmoid") == "bce-sigmoid"


def test_output_preactivation_bound_is_where_saturation_costs_the_finite_difference_accuracy() -> None:
    """Sanity check of the harness: ε · e^Z = ε^(2/3) at the bound (module docstring of strategies)."""
    eps = np.finfo(np.float64).eps
    got = eps * np.exp(vs.MAX_OUTPUT_PREACTIVATION)
    np.testing.assert_allclose(got, eps ** (2 / 3), rtol=1e-12, err_msg="ε e^Z vs ε^(2/3)")


@given(vs.cases())
def test_cases_are_valid_networks_inside_the_loss_domain(case: vs.Case) -> None:
    """Sanity check of the harness: shapes chain, the output activation and loss form a valid pair,
    the labels fit, and the outputs lie inside the loss's domain with bounded pre-activations."""
    net = case.network
    assert isinstance(net, Network) and 1 <= len(net.weights) <= 4, f"got {net.sizes}, but should be 1–4"
    assert (case.loss, case.output_activation) in vs.valid_pairs(), f"got {case.pair}, but should be valid"
    assert net.output_activation == case.output_activation, f"got {net.activations} [{case.pair}]"
    assert all(a in vs.HIDDEN_ACTIVATIONS for a in net.activations[:-1]), f"got hidden {net.activations}"
    assert case.x.shape == (case.y.shape[0], net.sizes[0]) and case.y.shape[1] == net.sizes[-1]
    validate_labels(case.loss, case.y, case.y.shape)
    fwd = net.forward(case.x)
    bound = vs.MAX_OUTPUT_PREACTIVATION
    assert np.abs(fwd.z[-1]).max() <= bound, f"got z[L] = {fwd.z[-1]}, but should be ≤ {bound} [{case.pair}]"
    assert np.isfinite(net.loss(case.x, case.y, case.loss)), f"got a non-finite loss [{case.describe()}]"


@given(vs.cases(pairs=[("mse", "sigmoid")], bias=True, min_layers=2, max_layers=2, min_samples=2))
def test_case_options_are_honoured(case: vs.Case) -> None:
    """Sanity check of the harness."""
    assert case.pair == "mse-sigmoid" and case.network.biases is not None, f"got {case.describe()}"
    assert len(case.network.weights) == 2 and 2 <= case.x.shape[0] <= 3, f"got {case.describe()}"
