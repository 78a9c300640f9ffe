"""The reference network: forward pass against the question's formulas, backprop against the
finite-difference oracle for every valid loss-activation pair, SGD, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import InputError, Network, backward, get_activation, load_glyphs
from ffnn.pairs import valid_pairs
from ffnn.training import train_sgd
from verification.compare.coordinate import check_gradient

SEED = 20261129
EPS = np.finfo(np.float64).eps


def test_glyphs_are_the_question_data() -> None:
    data = load_glyphs()
    assert data.x.shape == (3, 30) and data.classes == ("A", "B", "C") and data.shape == (5, 6)
    np.testing.assert_array_equal(data.y, np.eye(3))
    assert set(np.unique(data.x)) == {0.0, 1.0}


def test_forward_is_the_question_network() -> None:
    """z1 = x W1, a1 = σ(z1), z2 = a1 W2, a2 = σ(z2), written out here with the textbook σ."""
    net = Network.initialise((30, 5, 3), "sigmoid", seed=0)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(net.weights[0], rng.standard_normal((30, 5)))
    np.testing.assert_array_equal(net.weights[1], rng.standard_normal((5, 3)))
    x = load_glyphs().x[:1]
    a1 = 1.0 / (1.0 + np.exp(-(x @ net.weights[0])))
    a2 = 1.0 / (1.0 + np.exp(-(a1 @ net.weights[1])))
    fwd = net.forward(x)
    # The stable sigmoid and the textbook one differ by rounding only: a few ulps of each operation.
    np.testing.assert_allclose(fwd.a[1], a1, rtol=8 * EPS)
    np.testing.assert_allclose(fwd.output, a2, rtol=64 * EPS)
    assert [z.shape for z in fwd.z] == [(1, 5), (1, 3)] and net.parameters().keys() == {"W1", "W2"}


def _labels(loss: str, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    if loss == "mse":
        return rng.standard_normal(shape)
    if loss == "bce":
        return rng.uniform(0.0, 1.0, shape)
    if loss == "cross_entropy":
        return np.eye(shape[1])[rng.integers(0, shape[1], shape[0])]
    return rng.integers(0, 4, shape).astype(float)


@pytest.mark.parametrize(("loss", "activation"), valid_pairs(), ids=lambda v: v)
@pytest.mark.parametrize("bias", [False, True], ids=["nobias", "bias"])
def test_exact_backprop_is_the_gradient_of_the_loss(loss: str, activation: str, bias: bool) -> None:
    rng = np.random.default_rng(SEED)
    # Hidden tanh and softplus: smooth, so no kink falls inside a finite-difference stencil.
    net = Network.initialise((4, 3, 3, 3), ("tanh", "softplus", activation), seed=SEED, bias=bias, scale=0.5)
    x, y = rng.standard_normal((5, 4)), _labels(loss, rng, (5, 3))
    grads = backward(net, x, y, rule="exact", loss=loss)
    report = check_gradient(lambda p: net.with_parameters(p).loss(x, y, loss), net.parameters(), grads)
    assert report.matches, f"{loss}-{activation}: backprop is not the gradient\n{report.format_text()}"


def test_valid_pairs_are_the_catalog_domains() -> None:
    """Every loss has its canonical pair; outputs that leave a domain (tanh for bce, relu's 0 for
    poisson_nll, a sigmoid that is not a probability vector for cross_entropy) are excluded."""
    pairs = set(valid_pairs())
    assert ("cross_entropy", "sigmoid") not in pairs and ("mse", "relu") in pairs
    assert len(pairs) == 14
    assert {
        ("mse", "identity"),
        ("bce", "sigmoid"),
        ("cross_entropy", "softmax"),
        ("poisson_nll", "exp"),
    } <= pairs
    assert ("bce", "tanh") not in pairs and ("poisson_nll", "relu") not in pairs


def test_chain_is_exact_mse_and_shortcut_is_exact_bce_for_a_sigmoid_output() -> None:
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=SEED)
    chain, mse = backward(net, data.x, data.y, rule="chain"), backward(net, data.x, data.y, loss="mse")
    for name in chain:
        # ∂mse/∂a = a − y, so the exact rule performs the chain rule's very operations.
        np.testing.assert_array_equal(chain[name], mse[name], err_msg=f"chain vs exact mse, {name}")
    shortcut, bce = backward(net, data.x, data.y, rule="shortcut"), backward(net, data.x, data.y, loss="bce")
    for name in shortcut:
        # (a − y) / (a (1 − a)) · σ(z)(1 − σ(z)) rounds in five operations (1 − a is exact for
        # a ≥ ½ by Sterbenz' lemma, and below ½ it has no cancellation): a few ulps, carried through
        # the same backward sums; 64 ulps of the largest entry bounds it.
        scale = np.abs(bce[name]).max()
        np.testing.assert_allclose(
            shortcut[name], bce[name], rtol=0, atol=64 * EPS * scale, err_msg=f"shortcut vs exact bce, {name}"
        )


def test_bias_gradient_is_the_sum_of_output_deltas() -> None:
    net = Network.initialise((2, 3), "identity", seed=1, bias=True)
    x, y = np.array([[1.0, 2.0], [3.0, -1.0]]), np.zeros((2, 3))
    grads = backward(net, x, y, loss="mse")
    delta = net.forward(x).output / 2  # mse with identity: δ = (a − y) / n_samples
    np.testing.assert_allclose(grads["b1"], delta.sum(axis=0), rtol=4 * EPS)
    np.testing.assert_allclose(grads["W1"], x.T @ delta, rtol=4 * EPS)


def test_one_epoch_of_sgd_is_per_sample_updates_in_order() -> None:
    data = load_glyphs()
    net = Network.initialise((30, 5, 3), "sigmoid", seed=3)
    run = train_sgd(net, data.x, data.y, rule="shortcut", learning_rate=0.1, epochs=1)
    w = [p.copy() for p in net.weights]
    for i in range(3):
        g = backward(Network(w, net.activations), data.x[i : i + 1], data.y[i : i + 1], rule="shortcut")
        w = [w[0] - 0.1 * g["W1"], w[1] - 0.1 * g["W2"]]
    for got, want in zip(run.network.weights, w, strict=True):
        np.testing.assert_array_equal(got, want)
    assert run.mse_per_epoch.shape == (2,)
    np.testing.assert_array_equal(
        net.weights[0], Network.initialise((30, 5, 3), "sigmoid", seed=3).weights[0]
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Network([np.ones((2, 3)), np.ones((2, 2))], ("sigmoid", "sigmoid")), "W2 has shape"),
        (
            lambda: Network([np.array([[1.0, np.nan]])], ("sigmoid",)),
            r"W1 has a non-finite value nan at index \(0, 1\)",
        ),
        (lambda: Network([np.ones((2, 3))], ("sigmoid", "tanh")), "2 activations for 1 layers"),
        (lambda: Network([np.ones((2, 3))], ("swish",)), "unknown activation 'swish'"),
        (lambda: Network([np.ones((2, 3))], ("sigmoid",), [np.ones(2)]), r"b1 must have shape \(3,\)"),
        (lambda: Network.initialise((3,), "sigmoid", seed=0), "at least two layer widths"),
        (lambda: Network.initialise((3, 2), "sigmoid", seed=-1), "seed must be a whole number ≥ 0"),
        (lambda: Network.initialise((3, 2), "sigmoid", seed=1.5), "seed must be a whole number ≥ 0"),
    ],
)
def test_bad_networks_are_named(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        make()


@pytest.mark.parametrize(
    ("x", "y", "loss", "message"),
    [
        (np.ones(30), np.eye(3)[:1], "mse", r"x must be 2-D .* got shape \(30,\).*reshape"),
        (np.ones((1, 29)), np.eye(3)[:1], "mse", r"x must have 30 columns, got shape \(1, 29\)"),
        (np.full((1, 30), np.inf), np.eye(3)[:1], "mse", "x has a non-finite value inf"),
        (np.ones((1, 30)), np.eye(3), "mse", r"y must have shape \(1, 3\)"),
        (np.ones((1, 30)), [[0.0, 2.0, 0.0]], "bce", r"do not fit loss 'bce'.*outside \[0, 1\]"),
        (np.ones((1, 30)), np.eye(3)[:1], "hinge", "unknown loss 'hinge'"),
        ([["a"] * 30], np.eye(3)[:1], "mse", "x must hold numbers"),
    ],
)
def test_bad_inputs_are_named(x, y, loss: str, message: str) -> None:  # type: ignore[no-untyped-def]
    net = Network.initialise((30, 5, 3), "sigmoid", seed=0)
    with pytest.raises(InputError, match=message):
        net.loss(x, y, loss)


def test_loss_refuses_outputs_outside_its_domain() -> None:
    net = Network.initialise((2, 2), "tanh", seed=0)
    with pytest.raises(InputError, match="'bce' needs output activations in"):
        net.loss(np.array([[5.0, -5.0]]), np.array([[1.0, 0.0]]), "bce")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"learning_rate": 0.0}, "learning_rate must be"), ({"epochs": -1}, "epochs must be")],
)
def test_bad_training_settings_are_named(kwargs, message: str) -> None:  # type: ignore[no-untyped-def]
    data = load_glyphs()
    with pytest.raises(InputError, match=message):
        train_sgd(Network.initialise((30, 5, 3), "sigmoid", seed=0), data.x, data.y, **kwargs)


def test_unknown_rule_and_missing_loss_are_named() -> None:
    net, data = Network.initialise((30, 5, 3), "sigmoid", seed=0), load_glyphs()
    with pytest.raises(InputError, match="unknown output-delta rule 'chian'"):
        backward(net, data.x, data.y, rule="chian")
    with pytest.raises(InputError, match="rule 'exact' needs a loss"):
        backward(net, data.x, data.y, rule="exact")


def test_softmax_jacobian_product_matches_the_explicit_jacobian() -> None:
    z = np.random.default_rng(SEED).standard_normal((1, 4))
    act, g = get_activation("softmax"), np.arange(4.0).reshape(1, 4)
    a = act.value(z)[0]
    jacobian = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(act.vjp(z, a[None, :], g)[0], g[0] @ jacobian, rtol=16 * EPS, atol=16 * EPS)


def test_valid_pairs_agree_with_the_symbolic_domain_decision() -> None:
    """Two independent decisions of the same fact: ffnn's from declared ranges, SymPy's by solving
    for the activation's range (verification.symbolic.catalog)."""
    from verification.symbolic.pairs import derive_table

    symbolic = {(p.loss, p.activation) for p in derive_table() if p.domain_note is None}
    assert symbolic == set(valid_pairs())
