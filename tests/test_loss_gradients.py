"""A network whose backward pass takes the output error, handed by a trainer the check does not run
(another module's ``self.model.backward(self.model.compute_loss_gradient(A, Y))``), with the class's own
loss-gradient method beside it: the backward pass is handed what that method makes, never a guessed
``a − y`` (which makes any correct backward pass squared error's gradient). A method that picks its loss
by a flag the setup does not pin is refused as ``ambiguous``, naming the flag and its values; built of the
file's own layers where the script builds it nowhere, the container is checked once per value.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.identification.check import check_target
from verification.identification.outcome import CheckReport
from verification.identification.report import verdict_line
from verification.identification.request import CheckRequest
from verification.identification.several import check_each
from verification.reading.targets import SeveralSetups

# tanh hidden layer, sigmoid output, layers that back-propagate dA; the loss gradient of binary
# cross-entropy, (A − Y) / (A (1 − A)), through the sigmoid's A (1 − A) gives A − Y: the bce gradient.
# Handed a − y instead, the same backward pass would be squared error's.
NETWORK = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        rng = np.random.default_rng(n_in * 10 + n_out)
        self.W = rng.normal(size=(n_in, n_out)) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, X):
        self.X = X
        return X @ self.W + self.b

    def backward(self, dA):
        self.dW = self.X.T @ dA
        self.db = dA.sum(axis=0)
        return dA @ self.W.T


class Tanh:
    def forward(self, Z):
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dA):
        return dA * (1 - self.A ** 2)


class Sigmoid:
    def forward(self, Z):
        self.A = 1 / (1 + np.exp(-Z))
        return self.A

    def backward(self, dA):
        return dA * self.A * (1 - self.A)


class Network:
    def __init__(self, layers, loss="bce"):
        self.layers = layers
        self.loss = loss

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dLoss):
        for layer in reversed(self.layers):
            dLoss = layer.backward(dLoss)

    def compute_loss_gradient(self, A, Y):
        GRADIENT


net = Network([Dense(3, 4), Tanh(), Dense(4, 2), Sigmoid()])
"""

BCE = "return (A - Y) / (A * (1 - A))"
BRANCHES = (
    "if self.loss == 'mse':\n            return A - Y\n"
    "        elif self.loss == 'bce':\n            return (A - Y) / (A * (1 - A))"
)


def _write(tmp_path: Path, gradient: str) -> Path:
    path = tmp_path / "network.py"
    path.write_text(textwrap.dedent(NETWORK).replace("GRADIENT", gradient), encoding="utf-8")
    return path


def test_the_backward_pass_is_handed_the_classs_own_loss_gradient(tmp_path: Path) -> None:
    report = check_target(CheckRequest.parse(str(_write(tmp_path, BCE))))
    assert report.result.identified == "bce", report.command
    assert "net.compute_loss_gradient(out, y)" in str(report.command), report.command


def test_a_loss_gradient_that_a_flag_picks_is_ambiguous_until_the_setup_pins_it(tmp_path: Path) -> None:
    path = _write(tmp_path, BRANCHES)
    with pytest.raises(InputError, match=r"depends on self\.loss \('mse', 'bce'\)") as caught:
        check_target(CheckRequest.parse(str(path)))
    assert getattr(caught.value, "cause", None) == "ambiguous"
    for loss, identified in (("mse", "mse"), ("bce", "bce")):
        setup = f"net = Network([Dense(3, 4), Tanh(), Dense(4, 2), Sigmoid()]); net.loss = {loss!r}"
        request = CheckRequest.parse(str(path), options=Options(setup=setup))
        assert check_target(request).result.identified == identified


def test_a_container_built_nowhere_whose_loss_gradient_a_flag_picks_is_checked_once_per_value(
    tmp_path: Path,
) -> None:
    """Without the script's ``net = Network([...])`` the container is built of the file's own layers, and
    the flag's default leaves the other branch unchecked: each value is a setup of its own. 'mse' hands
    A − Y, through the sigmoid's A (1 − A) squared error's output delta; 'bce' hands the derivative of
    binary cross-entropy, which the sigmoid turns into A − Y."""
    path = tmp_path / "network.py"
    source = textwrap.dedent(NETWORK).replace("GRADIENT", BRANCHES)
    path.write_text(source.replace("net = Network([Dense(3, 4), Tanh(), Dense(4, 2), Sigmoid()])", ""))
    with pytest.raises(SeveralSetups) as raised:
        check_target(CheckRequest.parse(str(path)))
    each = check_each(CheckRequest.parse(str(path)), raised.value)
    assert [(n, r.result.identified) for n, r in each.checked if isinstance(r, CheckReport)] == [
        ("Network with loss='bce'", "bce"),
        ("Network with loss='mse'", "mse"),
    ], raised.value.setups


# A layer file of its own: one sigmoid layer whose backward pass takes ∂ℓ/∂a (d_loss) and stores its
# gradients. The project keeps its loss in another folder (losses/bce.py, the derivative of binary
# cross-entropy (a − y) / (a (1 − a))): handed it, d_loss ⊙ a (1 − a) = a − y and the layer is bce's
# gradient, summed over the batch. Without that module the check hands a − y as before, and the same layer
# is squared error's; with a second loss derivative beside the first, which one the project trains with is
# not known, and the check again hands a − y.
LAYER = """
import numpy as np


class SigmoidLayer:
    def __init__(self, input_size, output_size):
        self.weights = np.random.rand(input_size, output_size) - 0.5
        self.biases = np.random.rand(1, output_size) - 0.5

    def fc_forward(self, input_data):
        self.input = input_data
        self.output = 1 / (1 + np.exp(-(input_data @ self.weights + self.biases)))
        return self.output

    def backward(self, d_loss):
        d_output = d_loss * self.output * (1 - self.output)
        self.d_weights = self.input.T @ d_output
        self.d_biases = np.sum(d_output, axis=0, keepdims=True)
        return d_output @ self.weights.T
"""
BCE_DERIVATIVE = """
import numpy as np


def binary_cross_entropy_loss_derivative(predictions, targets):
    return (predictions - targets) / (predictions * (1 - predictions))
"""


@pytest.mark.parametrize(
    ("losses", "identified"),
    [
        ({"bce.py": BCE_DERIVATIVE}, "bce"),
        ({}, "mse"),
        ({"bce.py": BCE_DERIVATIVE, "mse.py": "def mse_prime(a, y):\n    return a - y\n"}, "mse"),
    ],
)
def test_a_layer_is_handed_the_one_loss_derivative_its_project_defines(
    tmp_path: Path, losses: dict[str, str], identified: str
) -> None:
    (tmp_path / "layers").mkdir()
    (tmp_path / "losses").mkdir()
    for name, source in losses.items():
        (tmp_path / "losses" / name).write_text(source, encoding="utf-8")
    path = tmp_path / "layers" / "dense.py"
    path.write_text(LAYER, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.result.verdict.batch is not None and report.result.verdict.batch.reduction == "sum"
    handed = "binary_cross_entropy_loss_derivative(out, y)" in (report.recipe.gradient or "")
    assert handed == (identified == "bce")
    assert (
        any("the project's own loss derivative (from ../losses/bce.py)" in n for n in report.result.notes)
        == handed
    )


def test_the_projects_loss_derivative_is_found_from_inside_the_layers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # checked as `backprop-verify check dense.py` from the layer's own folder: the folder above is the
    # same as with the whole path, so the project's bce derivative is still the one handed
    (tmp_path / "layers").mkdir()
    (tmp_path / "losses").mkdir()
    (tmp_path / "losses" / "bce.py").write_text(BCE_DERIVATIVE, encoding="utf-8")
    (tmp_path / "layers" / "dense.py").write_text(LAYER, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "layers")
    report = check_target(CheckRequest.parse("dense.py"))
    assert report.result.identified == "bce", report.command


# The project's derivative takes the batch mean ((a − y) / (a (1 − a)) / N) and the layer divides its
# gradients by the batch size again: at a batch of n the gradient is 1/n² of the sum of the per-sample
# bce gradients, a loss's gradient at a scale that depends on n. The verdict is bce, and the report says the
# batch size is divided out twice; with the layer alone dividing, the mean.
@pytest.mark.parametrize(
    ("derivative", "reduction"), [(" / predictions.shape[0]", "twice-divided"), ("", "mean")]
)
def test_a_batch_size_divided_out_twice_is_a_gradient_at_a_scale_of_one_over_n_squared(
    tmp_path: Path, derivative: str, reduction: str
) -> None:
    (tmp_path / "layers").mkdir()
    (tmp_path / "losses").mkdir()
    (tmp_path / "losses" / "bce.py").write_text(
        BCE_DERIVATIVE.replace(
            "(predictions * (1 - predictions))", f"(predictions * (1 - predictions)){derivative}"
        ),
        encoding="utf-8",
    )
    path = tmp_path / "layers" / "dense.py"
    averaged = LAYER.replace("self.input.T @ d_output", "self.input.T @ d_output / len(d_output)").replace(
        "np.sum(d_output, axis=0, keepdims=True)", "np.mean(d_output, axis=0, keepdims=True)"
    )
    path.write_text(averaged, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    batch = report.result.verdict.batch
    assert batch is not None and batch.reduction == reduction
    assert report.result.verdict.holds_for_batches
    twice = "divided by the batch size twice (1/n² × the sum at a batch of n" in verdict_line(report)
    assert twice == (reduction == "twice-divided")


# The layer file trains itself with a loss object of its own (squared error, a − y): the bce derivative
# a file beside it defines is no error this code ever hands the layer, and handed it the verdict would be
# bce for a layer trained on squared error. Refused, naming what the file hands; where the file hands the
# project's derivative itself, that is the error checked.
OWN_LOSS = """

class SquaredError:
    def forward(self, a, y):
        self.a, self.y = a, y
        return 0.5 * ((a - y) ** 2).sum()

    def backward(self):
        return self.a - self.y


if __name__ == "__main__":
    layer, loss = SigmoidLayer(3, 2), SquaredError()
    X, Y = np.random.rand(8, 3), np.random.rand(8, 2)
    for epoch in range(10):
        loss.forward(layer.fc_forward(X), Y)
        layer.backward(loss.backward())
"""
HANDS_PROJECTS = """

from bce import binary_cross_entropy_loss_derivative

if __name__ == "__main__":
    layer = SigmoidLayer(3, 2)
    X, Y = np.random.rand(8, 3), (np.random.rand(8, 2) > 0.5) * 1.0
    for epoch in range(10):
        out = layer.fc_forward(X)
        layer.backward(binary_cross_entropy_loss_derivative(out, Y))
"""


@pytest.mark.parametrize(("driver", "identified"), [(OWN_LOSS, None), (HANDS_PROJECTS, "bce")])
def test_the_projects_loss_derivative_never_replaces_the_error_the_files_own_code_hands(
    tmp_path: Path, driver: str, identified: str | None
) -> None:
    (tmp_path / "bce.py").write_text(BCE_DERIVATIVE, encoding="utf-8")
    path = tmp_path / "dense.py"
    path.write_text(LAYER + driver, encoding="utf-8")
    request = CheckRequest.parse(f"{path}:SigmoidLayer")
    if identified is None:
        with pytest.raises(InputError, match=r"hands it loss\.backward\(\)"):
            check_target(request)
        return
    assert check_target(request).result.identified == identified
