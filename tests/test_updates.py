"""What the source of a training method says (``verification.reading.updates``), and the epoch loops the
loader cuts to one step (``verification.reading.loop_cuts``), read from small methods written here."""

from __future__ import annotations

import ast
import textwrap

import numpy as np

from verification.reading.loop_cuts import cut_loops
from verification.reading.updates import loop_attributes, update_sign
from verification.reading.written_rates import handed_rate, written_rate


class Momentum:
    """An update that subtracts from the weights and adds into its velocity and a step counter."""

    def __init__(self) -> None:
        self.W1 = np.zeros((2, 2))
        self.b1 = np.zeros(2)
        self.steps = 0

    def train(self, x: np.ndarray, y: np.ndarray) -> None:
        g = np.outer(x, y)
        self.b1 += 0.0 * y  # a parameter slot added to beside the weights' -= update
        self.W1 -= 0.1 * g
        self.steps += 1


class Adds:
    """An update that adds a step in the direction of y − a."""

    def __init__(self) -> None:
        self.W1 = np.zeros((2, 2))

    def train(self, x: np.ndarray, error: np.ndarray) -> None:
        self.W1 += 0.1 * np.outer(x, error)


def test_a_minus_update_beside_a_plus_on_another_slot_reads_as_minus() -> None:
    assert update_sign(Momentum.train, ["W1", "b1"]) == -1


def test_an_update_that_adds_reads_as_plus() -> None:
    assert update_sign(Adds.train, ["W1"]) == 1


def test_a_step_counter_is_not_a_parameter() -> None:
    assert update_sign(Momentum.train, ["steps_not_named"]) is None


def _cut(source: str) -> tuple[str, int]:
    stmt = ast.parse(textwrap.dedent(source)).body[0]
    changed, cuts = cut_loops(stmt)
    return ast.unparse(changed), len(cuts)


def test_an_epoch_loop_runs_once_from_its_own_start() -> None:
    text, cuts = _cut(
        """
        def train(self, X, y):
            for epoch in range(1, self.epochs + 1):
                self.W -= 0.1 * self.grad(X, y)
        """
    )
    assert cuts == 1 and "range(1, 1 + 1)" in text, text


def test_a_constant_bound_of_fifty_or_more_is_an_epoch_loop_whatever_its_variable() -> None:
    text, cuts = _cut(
        """
        def train(self, X, y):
            epochs = 1000
            for i in range(epochs):
                self.W -= 0.1 * self.grad(X, y)
        """
    )
    assert cuts == 1 and "range(0, 0 + 1)" in text, text


def test_loops_over_layers_and_samples_stay() -> None:
    text, cuts = _cut(
        """
        def backprop(self, X, y):
            for i in range(self.num_layers):
                self.W[i] -= 0.1
            for x, t in zip(X, y):
                self.b -= t
        """
    )
    assert cuts == 0, text


def test_a_loop_that_never_ends_is_not_cut() -> None:
    text, cuts = _cut(
        """
        def forward(self, x):
            while True:
                pass
        """
    )
    assert cuts == 0, text


def test_a_cut_loop_counts_as_bounded_for_a_training_method() -> None:
    class Net:
        def train(self, x: np.ndarray) -> None:
            for _epoch in range(5000):
                self.W = self.W - x

    assert loop_attributes(Net.train) == ([], False)


LEARNING_RATE = 0.05  # a module-level rate, as a config module beside a network defines it
L2_LAMBDA = 0.001


class Layer:
    def backward(self, d: np.ndarray, learning_rate: float, l2_lambda: float = 0.0) -> np.ndarray:
        return d


class Composed:
    """A network that hands its module's rate on to each layer, as model files composing layers do."""

    def __init__(self) -> None:
        self.layers = [Layer(), Layer()]

    def backward(self, d: np.ndarray) -> None:
        for layer in reversed(self.layers):
            d = layer.backward(d, learning_rate=LEARNING_RATE, l2_lambda=L2_LAMBDA)

    def backward_mixed(self, d: np.ndarray) -> None:
        self.layers[1].backward(d, learning_rate=LEARNING_RATE)
        self.layers[0].backward(d, learning_rate=0.5)

    def backward_given(self, d: np.ndarray, lr: float) -> None:
        self.layers[0].backward(d, learning_rate=lr)


def test_a_module_rate_handed_on_by_keyword_is_the_steps_rate() -> None:
    assert handed_rate(Composed.backward) == (LEARNING_RATE, "learning_rate=LEARNING_RATE")
    assert written_rate(Composed().backward) == (
        repr(LEARNING_RATE),
        [f"learning rate {LEARNING_RATE:g} read from learning_rate=LEARNING_RATE in backward"],
    )


def test_rates_that_differ_or_are_handed_as_arguments_are_not_read() -> None:
    assert handed_rate(Composed.backward_mixed) is None
    assert handed_rate(Composed.backward_given) is None
    assert written_rate(Composed.backward_given) == (None, [])


class DefaultRate:
    """Updates scaled by an argument with a default (the rate) and a local gradient that adds the weight
    decay (no update of the weights): the rate is that default. Two arguments with defaults scaling the
    updates: none is read."""

    def __init__(self) -> None:
        self.W = [np.ones((2, 2))]
        self.b = [np.zeros(2)]

    def train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        num_passes: int = 20000,
        epsilon: float = 0.01,
        reg_lambda: float = 0.02,
    ) -> None:
        dW, db = X.T @ y, y.sum(axis=0)
        dW += reg_lambda * self.W[0]
        self.b[0] += -epsilon * db
        self.W[0] += -epsilon * dW

    def train_two(self, X: np.ndarray, y: np.ndarray, alpha: float = 0.1, beta: float = 0.2) -> None:
        self.b[0] -= alpha * y.sum(axis=0)
        self.W[0] -= beta * (X.T @ y)


def test_the_default_of_the_argument_scaling_every_update_of_the_weights_is_the_rate() -> None:
    rate, notes = written_rate(DefaultRate.train)
    assert rate == "0.01"
    assert notes == ["learning rate 0.01: the default of train's argument epsilon, its updates' factor"]
    assert written_rate(DefaultRate.train_two) == (None, [])
