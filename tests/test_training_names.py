"""Training methods named as their authors name them: ``update_mini_batch`` (Nielsen, *Neural Networks
and Deep Learning*, ch. 1) and an Adaline's ``adapt`` (Widrow and Hoff, 1960; Haykin, §3.5).

Neither is a name the checker looked for: both files were refused as having no method that returns
gradients or updates the weights. The verdicts are derived by hand: with sigmoid outputs the output
delta ``a − y`` is binary cross-entropy's gradient and ``(a − y) a (1 − a)`` the squared error's; an
Adaline's ``w += μ e x`` with ``e = d − w·x`` handed in is the squared error's gradient at rate ``μ``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

MINI_BATCH = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    def __init__(self, n_in=4, n_hidden=5, n_out=3, eta=0.3):
        self.w1 = np.random.randn(n_in, n_hidden)
        self.w2 = np.random.randn(n_hidden, n_out)
        self.eta = eta

    def feedforward(self, x):
        self.h = sigmoid(x @ self.w1)
        return sigmoid(self.h @ self.w2)

    def update_mini_batch(self, batch_x, batch_y):
        a = self.feedforward(batch_x)
        delta2 = OUTPUT_DELTA
        delta1 = (delta2 @ self.w2.T) * self.h * (1 - self.h)
        k = len(batch_x)
        self.w2 -= self.eta / k * self.h.T @ delta2
        self.w1 -= self.eta / k * batch_x.T @ delta1
"""


@pytest.mark.parametrize(
    ("delta", "identified"), [("a - batch_y", "bce"), ("(a - batch_y) * a * (1 - a)", "mse")]
)
def test_update_mini_batch_is_a_training_method(tmp_path: Path, delta: str, identified: str) -> None:
    path = tmp_path / "mini_batch.py"
    path.write_text(MINI_BATCH.replace("OUTPUT_DELTA", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.update_mini_batch(" in (report.command or ""), report.command


ADALINE = """
import numpy as np


class Adaline:
    def __init__(self, n=3, mu=0.05):
        self.w = np.zeros(n)
        self.b = 0.0
        self.mu = mu

    def predict(self, x):
        return self.w @ x + self.b

    def adapt(self, x, e):
        self.w += self.mu * e * INPUT
        self.b += self.mu * e
"""


@pytest.mark.parametrize(("step", "identified"), [("x", "mse"), ("x * x", None)])
def test_an_adalines_adapt_is_a_training_method(tmp_path: Path, step: str, identified: str | None) -> None:
    """``adapt(x, e)`` is handed the error ``e = d − y``: the LMS step is the squared error's gradient
    (up to the rate, which the name ``mu`` does not tell); ``e x²`` is no loss's."""
    path = tmp_path / "adaline.py"
    path.write_text(ADALINE.replace("INPUT", step), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.adapt(" in (report.command or ""), report.command


UNNAMED_STEP = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class BatchNet:
    def __init__(self, n_in=3, n_hidden=5, n_out=2, mu=0.2):
        self.mu = mu
        self.W = [np.random.randn(n_hidden, n_in), np.random.randn(n_out, n_hidden)]

    def forward(self, x):
        return sigmoid(self.W[1] @ sigmoid(self.W[0] @ x))

    def agreement(self, X, d):
        return np.mean([np.round(self.forward(x)) == t for x, t in zip(X, d)])

    def epoch(self, X, d):
        gW = [np.zeros_like(w) for w in self.W]
        for x, target in zip(X, d):
            h = sigmoid(self.W[0] @ x)
            y = sigmoid(self.W[1] @ h)
            delta2 = OUTPUT_DELTA
            delta1 = (self.W[1].T @ delta2) * h * (1 - h)
            gW[1] += np.outer(delta2, h)
            gW[0] += np.outer(delta1, x)
        for i in range(2):
            self.W[i] -= self.mu / len(X) * gW[i]
"""


@pytest.mark.parametrize(
    ("delta", "identified"), [("(y - target) * y * (1 - y)", "mse"), ("y - target", "bce")]
)
def test_a_method_named_for_nothing_that_takes_inputs_and_labels_and_updates_is_a_training_step(
    tmp_path: Path, delta: str, identified: str
) -> None:
    """``epoch(X, d)``, its labels zipped with the inputs (``for x, target in zip(X, d)``) though ``d``
    is named like an error, updating ``self.W`` in place: the training step, handed the labels
    (``agreement(X, d)``, which updates nothing, is not). The step at ``mu / n`` is the batch mean's."""
    path = tmp_path / "unnamed_step.py"
    path.write_text(UNNAMED_STEP.replace("OUTPUT_DELTA", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "net.epoch(" in (report.command or "") and "out - y" not in (report.command or ""), report.command


# a network written in Spanish: weights made by ``generar()``, the forward pass ``fw_prop``, the
# backward pass ``bw_prop(deseada)`` that updates in place at ``alpha``, and a trainer
# ``entrenar(ejemplos_entrada, ejemplos_deseados, epocas)``; with sigmoid outputs the output delta
# (d − o) o (1 − o) added at +alpha is the squared error's descent step, summed over the batch
SPANISH = """
import numpy as np


class Red:
    def __init__(self, entradas=3, ocultas=4, salidas=2, alpha=0.5):
        self.n = (entradas, ocultas, salidas)
        self.alpha = alpha
        self.pesos = []

    def generar(self):
        self.pesos = [np.random.uniform(-1, 1, (self.n[0], self.n[1])),
                      np.random.uniform(-1, 1, (self.n[1], self.n[2]))]

    def fw_prop(self, ejemplo):
        self.x = ejemplo
        self.h = 1 / (1 + np.exp(-(ejemplo @ self.pesos[0])))
        self.o = 1 / (1 + np.exp(-(self.h @ self.pesos[1])))
        return self.o

    def bw_prop(self, deseada):
        d2 = (deseada - self.o) * self.o * (1 - self.o)
        d1 = d2 @ self.pesos[1].T * self.h * (1 - self.h)
        self.pesos[1] += self.alpha * self.h.T @ d2
        self.pesos[0] += self.alpha * self.x.T @ d1

    def entrenar(self, ejemplos_entrada, ejemplos_deseados, epocas):
        for _ in range(epocas):
            self.fw_prop(ejemplos_entrada)
            self.bw_prop(ejemplos_deseados)
"""


def test_a_network_named_in_spanish_is_built_run_and_trained_by_its_own_names(tmp_path: Path) -> None:
    path = tmp_path / "red.py"
    path.write_text(SPANISH, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert "generar()" in (report.command or "") and "fw_prop(x)" in (report.command or ""), report.command


# a network written in French as functions over a dict of parameters, samples as columns: the
# parameters made by ``initialisation(dimensions)``, the forward pass ``forward_propagation(X,
# parametres)`` returning every layer's activation, the gradients ``back_propagation(y, parametres,
# activations)``. With sigmoid outputs dZ = A − y at the output is binary cross-entropy's delta; each
# gradient divided by m is the mean over the batch. With the hidden σ' left out, no loss's.
FRENCH = """
import numpy as np


def initialisation(dimensions):
    parametres = {}
    for c in range(1, len(dimensions)):
        parametres["W" + str(c)] = np.random.randn(dimensions[c], dimensions[c - 1])
        parametres["b" + str(c)] = np.random.randn(dimensions[c], 1)
    return parametres


def forward_propagation(X, parametres):
    activations = {"A0": X}
    C = len(parametres) // 2
    for c in range(1, C + 1):
        Z = parametres["W" + str(c)].dot(activations["A" + str(c - 1)]) + parametres["b" + str(c)]
        activations["A" + str(c)] = 1 / (1 + np.exp(-Z))
    return activations


def back_propagation(y, parametres, activations):
    m = y.shape[1]
    C = len(parametres) // 2
    dZ = activations["A" + str(C)] - y
    gradients = {}
    for c in reversed(range(1, C + 1)):
        gradients["dW" + str(c)] = 1 / m * np.dot(dZ, activations["A" + str(c - 1)].T)
        gradients["db" + str(c)] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        if c > 1:
            A = activations["A" + str(c - 1)]
            dZ = np.dot(parametres["W" + str(c)].T, dZ) * HIDDEN
    return gradients
"""


@pytest.mark.parametrize(("hidden", "identified"), [("A * (1 - A)", "bce"), ("1", None)])
def test_parameters_named_in_french_are_the_parameter_dict(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "reseau.py"
    path.write_text(FRENCH.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "initialisation(dimensions=" in (report.command or ""), report.command
    if identified is not None:  # the batch is probed once a loss is found
        assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "mean"


def test_an_epoch_loop_named_in_spanish_is_cut_to_one_step() -> None:
    """``for epoca in range(epocas)``: an epoch loop by its name (Spanish and Portuguese ``época``), cut to
    one iteration like ``for epoch in range(epochs)``; its count ``epocas`` is an iteration count."""
    import ast

    from verification.reading import conventions as cv
    from verification.reading.loop_cuts import cut_loops

    tree = ast.parse(
        "def entrenar(self, X, Y, epocas=1000):\n    for epoca in range(epocas):\n        self.w -= X.T @ Y\n"
    )
    _, cuts = cut_loops(tree.body[0])
    assert [(c.line, c.function) for c in cuts] == [(2, "entrenar")]
    assert cv.role("epocas", 3) == "iterations"
