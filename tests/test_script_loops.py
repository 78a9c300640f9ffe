"""Top-level training loops of small teaching scripts: a single neuron of plain floats, and a loop that
stops when the error is small.

* **Floats.** ``w = 0.5; b = 1.0`` and ``y_pred = w * x + b``: one input, one output, one sample, all
  numbers; a weight the first step turns into an array of one entry is read as the number it was, and
  inputs and labels can be given as floats (layout ``scalar``).
* **Per-sample loops.** ``for x, y in zip(xs, ys):`` (or ``for x, y in data:``) inside the epoch loop,
  updating at every sample: the body is one step on one sample, ``x`` and ``y`` its input and label;
  ``for x in p:`` with labels ``t[count]`` is read as ``x = p[i]`` at the first index, and ``for
  count, x in enumerate(p):`` as ``x = p[count]``.
* **One step at the top level.** No loop: the forward pass, the gradients and the in-place updates,
  at a rate the step itself names (``learning_rate = 0.1`` just before the updates).
* **Named next weights.** ``new_w2 = w2 − lr · …`` (printed, never assigned back, in a one-step script)
  or ``W_next = W − lr · G; W = W_next`` in a loop: an update of the weight.
* **Layer loops.** ``for l in range(L, 0, -1): …; params[f"W{l}"] -= lr * dW`` inside the epoch
  loop: the backward pass walks the layers and updates each as it goes, so the loop is part of the
  step (a loop that only prints is not).
* **Stopping tests.** ``if np.square(e) / 2 < 0.01: break`` ``else:`` ``<update>``: one step is checked,
  which does not stop, so the update in the ``else`` is the step.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.adapters.trials import may_read
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.sentences import format_scale

SCALAR_NEURON = """
x = 2.0
y_true = 5.0
w = 0.5
b = 1.0
lr = 0.01
for step in range(100):
    y_pred = w * x + b
    loss = (y_pred - y_true) ** 2
    grad = 2 * (y_pred - y_true)
    w = w - lr * grad * x
    b = b - lr * BIAS
"""


@pytest.mark.parametrize(("bias", "identified"), [("grad", "mse"), ("grad * x", None)])
def test_a_neuron_of_plain_floats_is_checked_with_numbers(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``(y_pred − y)²`` without the ½ is 2 × mse; a bias stepped by the weight's gradient is no
    loss."""
    path = tmp_path / "neuron.py"
    path.write_text(textwrap.dedent(SCALAR_NEURON).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "2", r.scale


STOPPING = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


inputs = np.array([[0.35], [0.9]])
w1 = np.array([[0.1, 0.8], [0.4, 0.6]])
w2 = np.array([[0.3, 0.9]])
real = np.array([[0.5]])
for s in range(100):
    hidden = sigmoid(np.dot(w1, inputs))
    output = sigmoid(np.dot(w2, hidden))
    e = output - real
    if np.square(e) / 2 < 0.01:
        break
    else:
        delta = e * output * (1 - output)
        W1_STEP
        w2 = w2 - np.dot(delta, hidden.T)
"""


@pytest.mark.parametrize(
    ("w1_step", "identified"),
    [
        ("w1 = w1 - np.dot(np.dot(w2.T, delta) * hidden * (1 - hidden), inputs.T)", "mse"),
        ("w1 = w1 - np.dot(np.dot(w2.T, delta), inputs.T)", None),
    ],
)
def test_the_update_in_the_else_of_a_stopping_test_is_the_step(
    tmp_path: Path, w1_step: str, identified: str | None
) -> None:
    """The loop breaks when the error is small and else updates (columns, one sample, rate 1): the
    update is the step; a hidden layer stepped without its sigmoid's derivative is no loss."""
    path = tmp_path / "stopping.py"
    path.write_text(textwrap.dedent(STOPPING).replace("W1_STEP", w1_step), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


PER_SAMPLE = """
import math


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


data = [(0.5, 0.0), (1.5, 0.0), (2.5, 1.0), (3.5, 1.0)]
w = 0.4
b = -0.2
lr = 0.5
for epoch in range(100):
    for x, y in data:
        a = sigmoid(w * x + b)
        delta = (a - y) * DERIVATIVE
        w -= lr * delta * x
        b -= lr * delta
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("a * (1 - a)", "mse"), ("sigmoid(a) * (1 - a)", None)]
)
def test_a_loop_over_the_samples_of_a_plain_python_data_set_is_one_step_on_one_sample(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``for x, y in data:`` updating at each sample: the step is the body on one sample, squared
    error's gradient through the sigmoid; a derivative taken of the sigmoid twice is no loss."""
    path = tmp_path / "per_sample.py"
    path.write_text(textwrap.dedent(PER_SAMPLE).replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


# tanh hidden layer, sigmoid output; s2 = (a2 − t) ⊙ a2(1 − a2) is the output delta of ½(a2 − t)², and
# s1 = (w2 s2) ⊙ (1 − a1²) back-propagates it through tanh: the mse step, one sample at a time; with
# the hidden derivative of the sigmoid instead of tanh's, the hidden step is no loss's
COUNTED = """
import numpy as np

p = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
t = np.array([0.0, 1.0, 1.0, 0.0])
alpha = 0.5
w1 = np.array([[0.1, 0.2], [-0.4, 0.5]])
w2 = np.array([0.7, 0.8])
for epoch in range(1000):
    count = 0
    for x in p:
        a1 = np.tanh(np.dot(w1, x))
        a2 = 1 / (1 + np.exp(-np.dot(a1, w2)))
        s2 = -(t[count] - a2) * a2 * (1 - a2)
        s1 = s2 * w2 * DERIVATIVE
        w2 = w2 - alpha * s2 * a1
        w1 = w1 - alpha * np.outer(s1, x)
        count += 1
"""


@pytest.mark.parametrize(("derivative", "identified"), [("(1 - a1**2)", "mse"), ("a1 * (1 - a1)", None)])
def test_a_loop_over_the_samples_of_a_data_name_with_counted_labels(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``for x in p:`` with the labels read ``t[count]`` by a counter reset each epoch: the body is one
    step on the data's first sample (``x = p[0]``), its label ``t[0]``."""
    path = tmp_path / "counted.py"
    path.write_text(textwrap.dedent(COUNTED).replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "x_sample = p[" in report.command, report.command
    batch = report.result.verdict.batch
    if identified is not None:  # every pass run at a batch: the one-sample steps taken in turn
        assert batch is not None and batch.reduction == "sequential", batch


# the counter never advanced (count += 1 left out): every sample is stepped towards t[0], which at the
# first sample is its own label and at the second is not; the one-pass step is the mse step, and running
# every pass over a batch differs from the one-sample steps taken in turn
def test_a_counter_that_never_advances_is_caught_at_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "stuck.py"
    source = textwrap.dedent(COUNTED).replace("DERIVATIVE", "(1 - a1**2)").replace("        count += 1\n", "")
    path.write_text(source, encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "mse"
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "inconsistent"
    assert not result.success


# the same network, its loop over the samples written with enumerate and the labels read by the index
ENUMERATED = COUNTED.replace("    count = 0\n    for x in p:", "    for count, x in enumerate(p):").replace(
    "        count += 1\n", ""
)


@pytest.mark.parametrize(("derivative", "identified"), [("(1 - a1**2)", "mse"), ("a1 * (1 - a1)", None)])
def test_a_loop_that_enumerates_the_samples_of_a_data_name(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "enumerated.py"
    path.write_text(textwrap.dedent(ENUMERATED).replace("DERIVATIVE", derivative), encoding="utf-8")
    assert "enumerate(p)" in path.read_text(encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "x_sample = p[count]" in report.command, report.command


RENAMED = """
import numpy as np

x = np.array([[0.5], [-1.0]])
y = np.array([[0.25]])
w1 = np.array([[0.3, -0.2], [0.1, 0.4]])
w2 = np.array([[0.7, -0.5]])
lr = 0.1

h = np.tanh(w1 @ x)
out = w2 @ h
d2 = out - y
d1 = (w2.T @ d2) * HIDDEN
new_w2 = w2 - lr * d2 @ h.T
new_w1 = w1 - lr * d1 @ x.T
print(new_w1, new_w2)
"""


@pytest.mark.parametrize(("hidden", "identified"), [("(1 - h ** 2)", "mse"), ("(1 - h)", None)])
def test_a_step_that_names_the_next_weights_is_read_as_assigning_them(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """One step at the top level, no loop, the next weights given names of their own (``new_w2 = w2 −
    lr · …``) and printed: read with ``w2 = new_w2`` added, at the rate ``lr``. A tanh derivative
    written ``1 − h`` is no loss."""
    path = tmp_path / "renamed.py"
    path.write_text(textwrap.dedent(RENAMED).replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    if identified is not None:
        assert format_scale(report.result.scale, report.result.rtol) == "1", report.result.scale


RENAMED_IN_LOOP = """
import numpy as np

X = np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.6]])
Y = np.array([[1.0], [0.0]])
W = np.array([[0.1], [-0.3], [0.2]])
for epoch in range(50):
    A = 1 / (1 + np.exp(-(X @ W)))
    G = X.T @ (A - Y) / len(X)
    W_next = W - 0.5 * STEP
    W = W_next
"""


@pytest.mark.parametrize(("step", "identified"), [("G", "bce"), ("G * A.mean()", None)])
def test_a_loop_that_steps_through_a_named_next_weight_updates_it(
    tmp_path: Path, step: str, identified: str | None
) -> None:
    """``W_next = W − 0.5 · G`` then ``W = W_next``: an update of ``W`` at the rate 0.5, the logistic
    regression's bce mean; a step scaled by the mean output is no loss."""
    path = tmp_path / "renamed_loop.py"
    path.write_text(textwrap.dedent(RENAMED_IN_LOOP).replace("STEP", step), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


ONE_STEP = """
import numpy as np

X = np.array([[0.5, 0.2, 0.1]])
y_true = np.array([[0, 1, 0]])
W1 = np.random.randn(3, 4)
W2 = np.random.randn(4, 3)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


A1 = np.tanh(X @ W1)
A2 = softmax(A1 @ W2)
dZ2 = A2 - y_true
dW2 = A1.T @ dZ2
dW1 = X.T @ (dZ2 @ W2.T * HIDDEN)
learning_rate = 0.1
W2 -= learning_rate * dW2
W1 -= learning_rate * dW1
A2 = softmax(np.tanh(X @ W1) @ W2)
print("after one step:", A2)
"""


@pytest.mark.parametrize(("hidden", "identified"), [("(1 - A1 ** 2)", "cross_entropy"), ("A1", None)])
def test_a_script_of_one_step_at_the_top_level_is_read_with_its_rate(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """No loop: a forward pass, the gradients, ``learning_rate = 0.1`` and the in-place updates at the
    top level are one step, at that rate (a rate named in the step itself). Softmax with ``a − y`` is
    the cross-entropy's gradient, summed over the batch; a tanh derivative written ``A1`` is no loss."""
    path = tmp_path / "one_step.py"
    path.write_text(textwrap.dedent(ONE_STEP).replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "1" and r.lr_known, (r.scale, report.command)


UPDATES_AFTER_THE_LOOP = """
import numpy as np

rng = np.random.default_rng(3)
X = rng.random((4, 2))
y = rng.random((4, 1))
lr = 0.5
wh = rng.uniform(size=(2, 3))
bh = rng.uniform(size=(1, 3))
wout = rng.uniform(size=(3, 1))
bout = rng.uniform(size=(1, 1))
for epoch in range(1000):
    hidden = np.tanh(X @ wh + bh)
    output = hidden @ wout + bout
    d_output = output - y
    d_hidden = d_output @ wout.T * (1 - hidden ** 2)
    if epoch % 100 == 0:
        print(f"epoch {epoch}: {np.sum(d_output ** 2):.4f}")
wout -= lr * hidden.T @ d_output
wh -= lr * X.T @ d_hidden
BIASES
print(output)
"""


@pytest.mark.parametrize(
    ("biases", "identified"),
    [
        (
            "bout -= lr * d_output.sum(axis=0, keepdims=True)\n"
            "bh -= lr * d_hidden.sum(axis=0, keepdims=True)",
            "mse",
        ),
        ("", None),
    ],
)
def test_updates_dedented_out_of_the_epoch_loop_are_one_step_after_one_pass(
    tmp_path: Path, biases: str, identified: str | None
) -> None:
    """The updates sit after the epoch loop, which only repeats the same forward and backward pass (it
    reads its counter only to print it): the step is one pass of the loop's body and the updates. A
    linear output with ``output − y`` is mse's gradient; with the bias updates left out, the biases
    change the output and get no gradient, which is no loss's gradient (the script would be refused
    without the unrolled loop)."""
    path = tmp_path / "dedented.py"
    path.write_text(UPDATES_AFTER_THE_LOOP.replace("BIASES", biases), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert sorted(report.result.coverage) == ["bh", "bout", "wh", "wout"], report.result.coverage


SPLIT_STEP = """
import numpy as np

rng = np.random.default_rng(5)
X = rng.random((5, 3))
y = rng.random((5, 2))
W = rng.normal(size=(3, 2))
b = np.zeros((1, 2))
lr = 0.1
for epoch in range(50):
    out = X @ W + b
    d_out = out - y
    W -= lr * X.T @ d_out
    db = d_out.sum(axis=0, keepdims=True)
b -= lr * db
"""


def test_a_weight_stepped_once_after_a_loop_that_steps_the_others_is_refused_by_name(tmp_path: Path) -> None:
    """The loop steps ``W`` every pass; ``b`` only once, after it. One pass of the loop leaves ``b``
    alone, yet calling ``b`` never updated (a forgotten update, so no loss) would be false: refused,
    naming ``b``."""
    path = tmp_path / "split_step.py"
    path.write_text(SPLIT_STEP, encoding="utf-8")
    with pytest.raises(InputError, match=r"while b is updated after it, once"):
        check_target(CheckRequest.parse(str(path)))


def test_a_1d_data_set_beside_a_column_of_targets_is_refused_not_run_in_rows(tmp_path: Path) -> None:
    """The same fit with its targets made a column ``(n, 1)``: its own ``guess − score`` is ``(n, n)``
    (every prediction against every target), a bug rows ``(n, 1)`` of both would hide (the check would
    call it mse's gradient). The check gives inputs and labels in one layout, so it refuses, naming the
    two shapes."""
    source = ONE_FEATURE.replace("SLOPE_GRADIENT", "np.sum(residual * hours)").replace(
        "w = 0.1\n", "score = score.reshape(-1, 1)\nw = 0.1\n"
    )
    assert "score.reshape(-1, 1)" in source
    path = tmp_path / "column_targets.py"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(
        InputError, match=r"inputs hours a 1-D array of samples and its labels score a column"
    ):
        check_target(CheckRequest.parse(str(path)))


SWEEP = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_output_to_derivative(output):
    return output * (1 - output)


X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([[0, 1, 1, 0]]).T
rates = [0.01, 0.1, 1.0]
for rate in rates:
    np.random.seed(1)
    synapse_0 = 2 * np.random.random((len(X.T), 4)) - 1
    synapse_1 = 2 * np.random.random((4, 1)) - 1
    for j in range(6000):
        layer_1 = sigmoid(np.dot(X, synapse_0))
        layer_2 = sigmoid(np.dot(layer_1, synapse_1))
        layer_2_delta = (layer_2 - y) * sigmoid_output_to_derivative(layer_2)
        layer_1_delta = layer_2_delta.dot(synapse_1.T) * HIDDEN
        synapse_1 -= rate * layer_1.T.dot(layer_2_delta)
        synapse_0 -= rate * X.T.dot(layer_1_delta)
    print("rate", rate, "error", np.mean(np.abs(layer_2 - y)))
"""


@pytest.mark.parametrize(
    ("hidden", "identified"), [("sigmoid_output_to_derivative(layer_1)", "mse"), ("layer_1", None)]
)
def test_a_sweep_of_learning_rates_around_the_training_is_read_as_its_first_run(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """The whole training repeats for each rate of a list bound before the loop; the weights (named
    ``synapse_0``, ``synapse_1``, sized by the data) are made anew in each run. Read as the first run,
    rate 0.01: sigmoid layers with ``a − y`` through σ' are mse's gradient summed over the batch; a
    hidden σ' written as the activation itself is no loss's."""
    path = tmp_path / "sweep.py"
    path.write_text(SWEEP.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert "rate = 0.01" in report.command and r.lr_known, report.command
    assert sorted(r.coverage) == ["synapse_0", "synapse_1"], r.coverage


ONE_FEATURE = """
import numpy as np

gen = np.random.default_rng(1)
hours = gen.uniform(0, 5, size=12)
score = 3.0 * hours - 1.0 + gen.normal(size=12)
w = 0.1
b = 0.0
eta = 0.01
for _ in range(200):
    guess = w * hours + b
    residual = guess - score
    w -= eta * SLOPE_GRADIENT
    b -= eta * np.sum(residual)
"""


@pytest.mark.parametrize(
    ("slope_gradient", "identified"), [("np.sum(residual * hours)", "mse"), ("np.sum(residual)", None)]
)
def test_a_one_feature_data_set_kept_as_a_1d_array_is_given_as_one(
    tmp_path: Path, slope_gradient: str, identified: str | None
) -> None:
    """The script's own inputs and targets are 1-D arrays of samples: given them as rows ``(n, 1)``,
    ``guess − score`` would broadcast to ``(n, n)`` and a correct line fit would fail at every batch
    of more than one sample. Given as the script has them, the fit is mse's gradient summed over the
    batch (ℓ = ½ Σ (guess − score)²); a slope stepped without its input factor is no loss's."""
    path = tmp_path / "line_fit.py"
    path.write_text(ONE_FEATURE.replace("SLOPE_GRADIENT", slope_gradient), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert "--layout vector" in report.command, report.command
    if identified is not None:
        assert r.verdict.batch is not None and r.verdict.batch.reduction == "sum", report.command


SLICED_SAMPLES = """
import numpy as np


def relu(x):
    return (x > 0) * x


def relu2deriv(output):
    return output > 0


lights = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]])
go_signal = np.array([[1, 1, 0, 0]]).T
alpha = 0.2
w01 = 2 * np.random.random((3, 1)) - 1
w12 = 2 * np.random.random((1, 1)) - 1
for it in range(60):
    error = 0
    for j in range(len(lights)):
        layer_0 = lights[j:j + 1]
        layer_1 = relu(np.dot(layer_0, w01))
        layer_2 = np.dot(layer_1, w12)
        error += np.sum((layer_2 - go_signal[j:j + 1]) ** 2)
        delta_2 = layer_2 - go_signal[j:j + 1]
        delta_1 = delta_2.dot(w12.T) * DERIVATIVE
        w12 -= alpha * layer_1.T.dot(delta_2)
        w01 -= alpha * layer_0.T.dot(delta_1)
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("relu2deriv(layer_1)", "mse"), ("2 * relu2deriv(layer_1)", None)]
)
def test_labels_sliced_one_sample_at_a_time_and_a_rectifier_that_is_often_dead(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """The labels are compared as slices (``go_signal[j:j + 1]``), and the one hidden rectifier is dead at
    about half the probe points, where the step moves nothing: such a point is drawn again, not taken
    for code that never steps. A hidden delta at twice the rectifier's derivative is no loss."""
    path = tmp_path / "sliced.py"
    path.write_text(textwrap.dedent(SLICED_SAMPLES).replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path), probes=12))  # some land where the unit is dead
    assert report.result.identified == identified, report.command


PESOS = """
import numpy as np


def sigmoid(soma):
    return 1 / (1 + np.exp(-soma))


entradas = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
saidas = np.array([[0], [1], [1], [0]])
pesos_0 = 2 * np.random.random((2, 3)) - 1
pesos_1 = 2 * np.random.random((3, 1)) - 1
taxa = 0.6
camada_entrada = entradas.copy()
for epoca in range(1000):
    camada_oculta = sigmoid(np.dot(camada_entrada, pesos_0))
    camada_saida = sigmoid(np.dot(camada_oculta, pesos_1))
    erro = saidas - camada_saida
    delta_saida = erro * camada_saida * (1 - camada_saida)
    delta_oculta = delta_saida.dot(pesos_1.T) * camada_oculta * (1 - camada_oculta)
    OUTPUT_STEP = pesos_1 + camada_oculta.T.dot(delta_saida) * taxa
    pesos_0 = pesos_0 + camada_entrada.T.dot(delta_oculta) * taxa
"""


@pytest.mark.parametrize(("target", "identified"), [("pesos_1", "mse"), ("pesos_novos_1", None)])
def test_weights_named_in_portuguese_are_weights(tmp_path: Path, target: str, identified: str | None) -> None:
    """``pesos_0``, ``pesos_1``: weights, not inputs. Updated both, the step is squared error's gradient
    summed over the batch; the output weights' new value left in another name (never updated) is no
    loss, not a verdict on ``pesos_0`` alone."""
    path = tmp_path / "pesos.py"
    path.write_text(textwrap.dedent(PESOS).replace("OUTPUT_STEP", target), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "pesos_1" in report.result.backward_order, report.result.backward_order


SCALAR_FUNCTION = """
import math
import random


def train(X, Y, rate=0.1, epochs=100):
    w1, w2, b = random.uniform(-1, 1), random.uniform(-1, 1), 0.0
    history = []
    for epoch in range(epochs):
        total = 0.0
        for i in range(len(X)):
            x1 = X[i][0]
            x2 = X[i][1]
            o = 1 / (1 + math.exp(-(x1 * w1 + x2 * w2 + b)))
            error = Y[i] - o
            total = total + error ** 2
            delta = error * o * (1 - o)
            w1 = w1 + rate * delta * x1
            w2 = w2 + rate * delta * x2
            b = b + rate * BIAS
        history.append(total)
    return (w1, w2, b), history


def predict(x1, x2, weights):
    w1, w2, b = weights
    return 1 / (1 + math.exp(-(x1 * w1 + x2 * w2 + b)))
"""


@pytest.mark.parametrize(("bias", "identified"), [("delta", "mse"), ("delta * x1", None)])
def test_a_training_function_of_plain_floats_beside_a_predict_function_is_read_as_a_script(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``train(X, Y, rate, epochs)`` makes its weights as floats and keeps a loss history; its
    ``predict(x1, x2, weights)`` pairs with no backward function, so the training function is read as
    a script: one step on one sample, squared error's gradient through the sigmoid. A bias stepped by
    the first weight's gradient is no loss."""
    path = tmp_path / "scalar_function.py"
    path.write_text(textwrap.dedent(SCALAR_FUNCTION).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


# the weights live in the training function's locals; the data are globals the file draws from a
# library this machine lacks (a stand-in for sklearn). probs − onehot(y) summed over the batch is the
# gradient of cross_entropy on the softmax (summed); with the hidden derivative 1 − a1 (not 1 − a1²) it is
# the gradient of nothing.
OVER_GLOBALS = """
import numpy as np
from surely_missing_datasets import make_two_moons

X, y = make_two_moons(200)
num_examples = len(X)
nn_input_dim, nn_output_dim = 2, 2

def build_model(nn_hdim, num_passes=20000, epsilon=0.01):
    W1 = np.random.randn(nn_input_dim, nn_hdim) / np.sqrt(nn_input_dim)
    b1 = np.zeros((1, nn_hdim))
    W2 = np.random.randn(nn_hdim, nn_output_dim) / np.sqrt(nn_hdim)
    b2 = np.zeros((1, nn_output_dim))
    for i in range(num_passes):
        a1 = np.tanh(X.dot(W1) + b1)
        scores = a1.dot(W2) + b2
        probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
        delta3 = probs
        delta3[range(num_examples), y] -= 1
        dW2 = a1.T.dot(delta3)
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * DERIVATIVE
        dW1 = X.T.dot(delta2)
        db1 = np.sum(delta2, axis=0)
        W1 += -epsilon * dW1
        b1 += -epsilon * db1
        W2 += -epsilon * dW2
        b2 += -epsilon * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - np.power(a1, 2))", "cross_entropy"), ("(1 - a1)", None)]
)
def test_a_training_function_over_global_data_unpacked_from_a_missing_library_is_read(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``build_model(nn_hdim, …)``: its first argument is a hidden width by its name (not the inputs by
    its place), and the data it trains on are the globals of a tuple assignment, ``X, y = …``, kept in
    the script of its body, where the loop reads them. Its rate is named ``epsilon``, read as the rate
    where it scales a gradient in an update."""
    path = tmp_path / "over_globals.py"
    path.write_text(OVER_GLOBALS.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "nn_hdim = 5" in (report.command or ""), report.command
    assert (report.recipe.lr if report.recipe else None) == "epsilon", "the step size by another name"


# weights and data are module globals; backward updates the weights through ``global`` and returns
# nothing; train(epochs, lr) reads X and y, which the top level sets and the loader does not run.
# (a2 − y)/m on sigmoid outputs is the mean binary cross-entropy's gradient; (a2 − y)·a2 is no loss's.
GLOBAL_DATA_TRAIN = """
import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])
W1 = np.random.randn(2, 3)
b1 = np.zeros((1, 3))
W2 = np.random.randn(3, 1)
b2 = np.zeros((1, 1))

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(X):
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    return a1, a2

def backward(X, y, a1, a2, learning_rate=0.1):
    global W1, b1, W2, b2
    m = y.shape[0]
    dz2 = DZ2
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    W2 -= learning_rate * a1.T @ dz2 / m
    b2 -= learning_rate * dz2.sum(axis=0, keepdims=True) / m
    W1 -= learning_rate * X.T @ dz1 / m
    b1 -= learning_rate * dz1.sum(axis=0, keepdims=True) / m

def train(epochs=10000, learning_rate=0.1):
    for epoch in range(epochs):
        a1, a2 = forward(X)
        backward(X, y, a1, a2, learning_rate)
"""


@pytest.mark.parametrize(("dz2", "identified"), [("a2 - y", "bce"), ("(a2 - y) * a2", None)])
def test_a_training_function_of_global_data_is_given_the_probes_data(
    tmp_path: Path, dz2: str, identified: str | None
) -> None:
    """``train(epochs, learning_rate)`` takes no data: it reads the script's globals ``X`` and ``y``,
    which the loader leaves unset. The step binds them to the probe's inputs and labels first."""
    path = tmp_path / "global_data.py"
    path.write_text(GLOBAL_DATA_TRAIN.replace("DZ2", dz2), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and (report.recipe.step or "").startswith("X = x; train(1, 0.1)")


# the same functions, with the data from a loader of a library this machine lacks and the weights
# sized by it (W1 = np.random.randn(X.shape[1], 3)): the setup leaves the data out and gives each size
# read off it a small constant, as a top-level script's does.
LOADED_DATA = GLOBAL_DATA_TRAIN.replace(
    """X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])
W1 = np.random.randn(2, 3)""",
    """from not_installed_datasets import load_digits

data = load_digits()
X = data.data / 16.0
y = np.eye(10)[data.target]
n_in = X.shape[1]
W1 = np.random.randn(n_in, 3)""",
).replace(
    "W2 = np.random.randn(3, 1)\nb2 = np.zeros((1, 1))",
    "W2 = np.random.randn(3, y.shape[1])\nb2 = np.zeros((1, y.shape[1]))",
)


@pytest.mark.parametrize(("dz2", "identified"), [("a2 - y", "bce"), ("(a2 - y) * a2", None)])
def test_weights_sized_by_data_a_missing_library_loads_are_given_small_sizes(
    tmp_path: Path, dz2: str, identified: str | None
) -> None:
    path = tmp_path / "digits.py"
    path.write_text(LOADED_DATA.replace("DZ2", dz2), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "load_digits" not in report.recipe.setup
    assert "n_in = 4; W1 = np.random.randn(n_in, 3)" in report.recipe.setup


def test_weights_named_like_none_sized_by_missing_data_are_given_small_sizes(tmp_path: Path) -> None:
    """``w_hidden`` is no weight's usual name, but the forward pass reads it as one: sized by data a
    missing library loads (``X.shape[1]`` read in its own statement), it gets a small size too."""
    source = LOADED_DATA.replace("DZ2", "a2 - y").replace("n_in = X.shape[1]\n", "")
    source = source.replace("np.random.randn(n_in, 3)", "np.random.randn(X.shape[1], 3)").replace(
        "W1", "w_hidden"
    )
    path = tmp_path / "digits.py"
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.command
    assert report.recipe is not None and "w_hidden = np.random.randn(4, 3)" in report.recipe.setup


# the Trask style inside a function: train(weights_0, weights_1) takes the weights first and steps them
# by X.T · delta, with no learning rate; the data are the globals X_train, Y_train. (y − a)·a(1 − a) is
# squared error's gradient summed over the batch, at an implicit rate of 1.
WEIGHTS_FIRST = """
import numpy as np

X_train = np.random.rand(70, 2)
Y_train = (np.random.rand(70, 1) > 0.5) * 1.0
weights_0 = 2 * np.random.rand(2, 3) - 1
weights_1 = 2 * np.random.rand(3, 1) - 1

def sigmoid(s):
    return 1 / (1 + np.exp(-s))

def forward(weights_0, weights_1, X):
    l1 = sigmoid(np.dot(X, weights_0))
    return X, l1, sigmoid(np.dot(l1, weights_1))

def train(weights_0, weights_1):
    for j in range(80001):
        l0, l1, l2 = forward(weights_0, weights_1, X_train)
        l2_delta = (Y_train - l2) * l2 * (1 - l2)
        l1_delta = l2_delta.dot(weights_1.T) * l1 * (1 - l1)
        weights_0 += l0.T.dot(l1_delta)
        weights_1 += l1.T.dot(l2_delta)
    return weights_0, weights_1
"""


def test_weights_taken_first_are_weights_and_an_update_without_a_rate_leaves_it_open(tmp_path: Path) -> None:
    """``train(weights_0, weights_1)``: the first argument is a weight by its name, not the inputs by its
    place; the function takes no learning rate, so none is made up (0.1 made the verdict 10 × mse)."""
    path = tmp_path / "weights_first.py"
    path.write_text(WEIGHTS_FIRST, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert (report.result.identified, report.result.verdict.scale) == ("mse", 1.0), report.command
    assert report.recipe is not None and report.recipe.lr is None
    assert (report.recipe.step or "").endswith("train(weights_0, weights_1)")


LAYER_LOOP = """
import numpy as np

sizes = [6, 3, 3, 3]  # hidden layers as wide as the output, as in the notebook
def init(sizes):
    p = {}
    for l in range(1, len(sizes)):
        p["W%d" % l] = np.random.randn(sizes[l], sizes[l - 1]) * 0.5
        p["b%d" % l] = np.zeros((sizes[l], 1))
    return p

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(X, p):
    cache = {"A0": X}
    for l in range(1, len(sizes)):
        cache["A%d" % l] = sigmoid(p["W%d" % l] @ cache["A%d" % (l - 1)] + p["b%d" % l])
    return cache["A%d" % (len(sizes) - 1)], cache

X = np.random.rand(6, 20)
Y = (np.random.rand(3, 20) > 0.5) * 1.0
eta = 0.5
p = init(sizes)
for epoch in range(500):
    AL, cache = forward(X, p)
    cost = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(len(sizes) - 1, 0, -1):
        A = ACT
        dZ = dA * A * (1 - A)
        dW = dZ @ cache["A%d" % (l - 1)].T
        db = np.sum(dZ, axis=1, keepdims=True)
        dA = p["W%d" % l].T @ dZ
        p["W%d" % l] -= eta * dW
        p["b%d" % l] -= eta * db
    if epoch % 100 == 0:
        print(epoch, cost)
"""


@pytest.mark.parametrize(("act", "identified"), [('cache["A%d" % l]', "bce"), ("AL", None)])
def test_a_loop_over_the_layers_that_updates_them_is_part_of_the_step(
    tmp_path: Path, act: str, identified: str | None
) -> None:
    """Each layer's delta from its own activation is the gradient of BCE summed over the columns (the
    derivative −(y/a − (1−y)/(1−a)) has no 1/m); the output activation used in every layer (the bug
    of a public notebook) is right at the last layer alone, so no loss."""
    path = tmp_path / "deep.py"
    path.write_text(LAYER_LOOP.replace("ACT", act), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert r.identified == identified, report.command
    assert len(r.backward_order) == 6, r.backward_order


RUNS = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, g):
        self.dW = self.x.T @ g
        self.db = g.sum(axis=0, keepdims=True)
        return g @ self.W.T


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, g):
        return g * DERIVATIVE


rate = 0.05
n_runs = 4
scores = []
for run in range(n_runs):
    x_train_d = np.random.randn(12, 3)
    y_train_d = np.random.randn(12, 2)
    n_classes = 2
    first = Linear(3, 4)
    act = Tanh()
    second = Linear(4, n_classes)
    for step in range(200):
        h = act.forward(first.forward(x_train_d))
        out = second.forward(h)[:, :n_classes]
        g = out - y_train_d
        first.backward(act.backward(second.backward(g)))
        for layer in (first, second):
            layer.W -= rate * layer.dW
            layer.b -= rate * layer.db
    scores.append(float(((out - y_train_d) ** 2).mean()))
print(np.mean(scores))
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - self.out ** 2)", "mse"), ("(1 - self.out)", None)]
)
def test_a_training_loop_inside_runs_of_the_experiment_is_read_as_its_first_run(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """The data and the layers are built inside ``for run in range(n_runs):``, and the network trains in
    a loop inside it: the first run, unrolled to the top level, is the script read. The inputs are the
    one data name called like inputs (``x_train_d``), not a size (``n_classes``); the gradients are those
    of the summed squared error, and a tanh derivative of ``1 − a`` is no loss."""
    path = tmp_path / "runs.py"
    path.write_text(RUNS.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "x_train_d = x" in (report.command or "")


LEARN = """
from numpy import array, random, dot, exp

inputs = array([[0, 0], [0, 1], [1, 0], [1, 1]])
outputs = array([[0], [1], [1], [0]])


def learn(X, y):
    l1_w = 2 * random.random((X.shape[1], 6)) - 1
    l2_w = 2 * random.random((6, 1)) - 1
    for j in range(5000):
        l1 = 1 / (1 + exp(-dot(X, l1_w)))
        l2 = 1 / (1 + exp(-dot(l1, l2_w)))
        l2_delta = (y - l2) * (l2 * (1 - l2))
        l1_delta = l2_delta.dot(l2_w.T) * HIDDEN
        l2_w += l1.T.dot(l2_delta)
        l1_w += X.T.dot(l1_delta)
    return l1_w, l2_w


weights = learn(inputs, outputs)
"""


@pytest.mark.parametrize(("hidden", "identified"), [("(l1 * (1 - l1))", "mse"), ("l1", None)])
def test_weights_named_for_their_layer_and_sized_by_the_data_are_made_small(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    """``l1_w`` and ``l2_w`` are weights (a layer's name, then ``_w``); the first is sized by the data
    (``X.shape[1]``), which the setup replaces by a small width. The deltas are the summed squared
    error's; a hidden delta without the sigmoid's derivative is no loss."""
    path = tmp_path / "learn.py"
    path.write_text(LEARN.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


DICT_OF_LAYERS = """
import numpy as np

X = np.random.randn(4, 30)
Y = (X[0] * X[1] > 0).astype(float).reshape(1, -1)
dims = [4, 6, 5, 1]
L = len(dims) - 1
params = {}
for l in range(1, L + 1):
    params["W" + str(l)] = np.random.randn(dims[l], dims[l - 1]) * 0.5
    params["b" + str(l)] = np.zeros((dims[l], 1))

rate = 0.1
for i in range(1000):
    A = {0: X}
    Z = {}
    for l in range(1, L + 1):
        Z[l] = params["W" + str(l)] @ A[l - 1] + params["b" + str(l)]
        A[l] = 1 / (1 + np.exp(-Z[l])) if l == L else np.tanh(Z[l])
    m = Y.shape[1]
    dZ = A[L] - Y
    for l in range(L, 0, -1):
        dW = dZ @ A[l - 1].T / m
        db = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dZ = (params["W" + str(l)].T @ dZ) * DERIVATIVE
        params["W" + str(l)] -= rate * dW
        params["b" + str(l)] -= rate * db
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - A[l - 1] ** 2)", "bce"), ("(1 - A[l - 1])", None)]
)
def test_layers_made_and_run_by_loops_over_a_dict_at_the_top_level(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """The weights are made by a top-level loop filling ``params`` (part of the setup), and the forward
    pass is a loop over the layers too (run as lines, not joined by semicolons); the output delta ``a −
    y`` of the sigmoid output, over ``m`` columns, is mean BCE's."""
    path = tmp_path / "dict_layers.py"
    path.write_text(DICT_OF_LAYERS.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert len(report.result.backward_order) == 6


LISTS_IN_A_FUNCTION = """
import numpy as np


def train(X, Y, sizes=(3, 6, 2), lr=0.01, iters=300):
    Ws = [np.random.randn(a, b) * 0.5 for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    L = len(Ws)
    for it in range(iters):
        acts = [X]
        for l in range(L):
            z = acts[-1] @ Ws[l] + bs[l]
            acts.append(np.tanh(z) if l < L - 1 else z)
        out = acts[-1]
        delta = out - Y
        for l in range(L - 1, -1, -1):
            gW = acts[l].T @ delta
            gb = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ Ws[l].T) * DERIVATIVE
            Ws[l] -= lr * gW
            bs[l] -= lr * gb
    return Ws, bs
"""


@pytest.mark.parametrize(("derivative", "identified"), [("(1 - acts[l] ** 2)", "mse"), ("acts[l]", None)])
def test_a_forward_loop_that_appends_each_layers_activation_is_the_forward_pass(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``acts.append(np.tanh(acts[-1] @ Ws[l] + bs[l]))`` in a loop over the layers is the forward pass,
    not a log to leave out, and ``l < L - 1`` compares no output with the labels: the summed squared
    error is found."""
    path = tmp_path / "lists.py"
    path.write_text(LISTS_IN_A_FUNCTION.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


LAB_SCRIPT = """
import numpy as np

ipData = np.array([[2, 9], [1, 5], [3, 6]], dtype=float) / 9
expectedOp = np.array([[0.92], [0.86], [0.89]])
learning_rate = 0.5
hiddenWt = np.random.uniform(size=(2, 3))
hiddenBias = np.random.uniform(size=(1, 3))
outWt = np.random.uniform(size=(3, 1))
outBias = np.random.uniform(size=(1, 1))
for i in range(20):
    hiddenOp = 1 / (1 + np.exp(-(ipData @ hiddenWt + hiddenBias)))
    outOp = 1 / (1 + np.exp(-(hiddenOp @ outWt + outBias)))
    outErr = (expectedOp - outOp) * outOp * (1 - outOp)
    hiddenErr = outErr @ outWt.T * hiddenOp * (1 - hiddenOp)
    outWt += hiddenOp.T @ outErr * learning_rate
    hiddenWt += ipData.T @ hiddenErr * learning_rate
    outBias += outErr.sum(axis=0, keepdims=True) * learning_rate
    HIDDEN_BIAS
"""


@pytest.mark.parametrize(
    ("hidden_bias", "identified"),
    [("hiddenBias += hiddenErr.sum(axis=0, keepdims=True) * learning_rate", "mse"), ("pass", None)],
)
def test_inputs_named_ip_data_in_a_lab_script(
    tmp_path: Path, hidden_bias: str, identified: str | None
) -> None:
    """``ipData`` is the inputs (``expectedOp`` the labels), also beside a bias the loop reads and never
    updates: the summed squared error's step; the hidden bias never changed (``hiddenBias``, a weight
    by its camelCase name, not data) while the output depends on it is no loss."""
    path = tmp_path / "lab.py"
    path.write_text(LAB_SCRIPT.replace("HIDDEN_BIAS", hidden_bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


FORMAT_TEST = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = 0.1 * np.random.randn(n_in, n_out)
        self.b = np.zeros((1, n_out))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.W + self.b

    def backward(self, dvalues):
        self.dW = self.inputs.T @ dvalues
        self.db = dvalues.sum(axis=0, keepdims=True)
        self.dinputs = dvalues @ self.W.T


class Tanh:
    def forward(self, inputs):
        self.output = np.tanh(inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)


class SoftmaxCrossEntropy:
    def forward(self, logits, labels):
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        self.output = e / e.sum(axis=1, keepdims=True)
        if labels.ndim != 2:
            raise ValueError("one-hot labels expected")
        return -np.sum(labels * np.log(self.output)) / len(labels)

    def backward(self, probs, labels):
        if len(labels.shape) == 2:
            raise ValueError("class indices expected")
        self.dinputs = probs.copy()
        self.dinputs[range(len(probs)), labels] -= 1
        self.dinputs = self.dinputs / SAMPLES


X = np.random.randn(50, 2)
y = np.eye(3)[np.random.randint(0, 3, 50)]
dense1 = Dense(2, 4)
act1 = Tanh()
dense2 = Dense(4, 3)
head = SoftmaxCrossEntropy()
dense1.forward(X)
act1.forward(dense1.output)
dense2.forward(act1.output)
loss = head.forward(dense2.output, y)
predictions = np.argmax(head.output, axis=1)
if len(y.shape) == 2:
    y = np.argmax(y, axis=1)
accuracy = np.mean(predictions == y)
head.backward(head.output, y)
dense2.backward(head.dinputs)
act1.backward(dense2.dinputs)
dense1.backward(act1.dinputs)
print(loss, accuracy)
"""


@pytest.mark.parametrize(("samples", "reduction"), [("len(probs)", "mean"), ("1", "sum")])
def test_a_test_of_the_labels_format_that_converts_them_is_kept_in_the_step(
    tmp_path: Path, samples: str, reduction: str
) -> None:
    """``if len(y.shape) == 2: y = np.argmax(y, axis=1)`` between the forward pass and the backward
    pass converts one-hot labels to the class indices the backward pass takes: the step keeps it (an
    ``if`` that tests only the data's shape and assigns only data), so the code runs on a batch, and
    the batch line says how it reduces: the mean when it divides by the batch size, the sum when not.
    Left out, the accuracy line fails on a batch, and the batch line said the code handles one sample
    only. The checker's own labels are bound again before each run: the forward loss takes one-hot
    labels only, and a second run must not see the class indices the first one left."""
    path = tmp_path / "one_pass.py"
    path.write_text(FORMAT_TEST.replace("SAMPLES", samples), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "cross_entropy", result
    batch = result.verdict.batch
    assert batch is not None and batch.reduction == reduction, batch


PRESET_OUTPUT = """
import numpy as np


def sigmoid(v, deriv=False):
    if deriv:
        return v * (1 - v)
    return 1 / (1 + np.exp(-v))


inputs = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
targets = np.array([[0, 1, 1, 0]]).T
weights = 2 * np.random.random((3, 1)) - 1
layer1 = []
for step in range(500):
    layer0 = inputs
    layer1 = sigmoid(np.dot(layer0, weights))
    error = targets - layer1
    delta = error * DERIVATIVE
    weights += np.dot(layer0.T, delta)
"""


@pytest.mark.parametrize(("derivative", "identified"), [("sigmoid(layer1, True)", "mse"), ("layer1", None)])
def test_an_output_the_top_level_binds_before_the_loop_is_the_steps_own_value(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``layer1 = []`` before the loop (to print it after), and ``layer1 = sigmoid(…)`` computed in the
    step before ``targets - layer1`` reads it: the step's own output, not data compared with the
    labels. The sigmoid's derivative makes the step the squared error's; the output in its place is
    no loss."""
    path = tmp_path / "preset.py"
    path.write_text(PRESET_OUTPUT.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert (report.command or "").count("; layer1'") == 1, report.command  # the forward ends at the output


@pytest.mark.parametrize(
    ("names", "update"), [(("syn0", "syn1"), "mse"), (("weights_0", "weights_1"), "mse")]
)
def test_weights_numbered_from_0_given_to_a_training_function_are_drawn(
    tmp_path: Path, names: tuple[str, str], update: str
) -> None:
    """``train(syn0, syn1)`` with nothing at the top level that makes them (the driver under
    ``__main__`` is not run): the function is read as a script, its weights drawn as a chain by their
    numbers, counted from 0."""
    first, second = names
    source = WEIGHTS_FIRST.replace("weights_0", first).replace("weights_1", second)
    source = "\n".join(
        line for line in source.splitlines() if not line.startswith((f"{first} =", f"{second} ="))
    )
    path = tmp_path / "drawn.py"
    path.write_text(source + "\n", encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == update, report.command


# A top-level loop that steps each weight at a rate of its own (15 and 10). Its error (a − y)/(2n)
# through the sigmoid output is ½ × the gradient of mse, mean over the batch, for both weights once
# each is read at its own rate; at one rate for both, one of them would be off by 15/10.
OWN_RATES = """
import numpy as np


def log(x):
    return 1 / (1 + np.exp(-x))


def d_log(x):
    return log(x) * (1 - log(x))


x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([[0], [0], [0], [1]])
w1 = np.random.randn(3, 5)
w2 = np.random.randn(5, 1)
for iter in range(100):
    layer_1 = x.dot(w1)
    layer_1_act = log(layer_1)
    layer_2 = layer_1_act.dot(w2)
    layer_2_act = log(layer_2)
    part = (layer_2_act - y) / (2 * len(x)) * d_log(layer_2)
    grad_2 = layer_1_act.T.dot(part)
    grad_1 = x.T.dot(part.dot(w2.T) * HIDDEN)
    w1 -= 15.0 * grad_1
    w2 -= 10.0 * grad_2
"""


@pytest.mark.parametrize(("hidden", "identified"), [("d_log(layer_1)", "mse"), ("layer_1_act", None)])
def test_weights_stepped_at_rates_of_their_own_are_each_read_at_their_rate(
    tmp_path: Path, hidden: str, identified: str | None
) -> None:
    path = tmp_path / "own_rates.py"
    path.write_text(OWN_RATES.replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and "w1 -= lr * grad_1" in (report.recipe.step or "")
    if identified is not None:
        assert format_scale(report.result.scale, report.result.rtol) == "1/2", report.result.scale


# Functions over a global parameter dict sized by data a loader reads from a file that is not there,
# through a tuple of sizes (n_in, n_hidden, n_out = X.shape[1], 12, Y.shape[1]): the sizes are made
# small, the loader left out. backward returns the gradients of the cross-entropy on the softmax
# output, one sample a column; with tanh' written 1 + h² the hidden ones are no loss's.
SIZED_PARAMS = """
import numpy as np
from loader import load_data

X, Y = load_data()
n_in, n_hidden, n_out = X.shape[1], 12, Y.shape[1]
params = {
    "W1": np.random.randn(n_hidden, n_in) * 0.1,
    "b1": np.zeros((n_hidden, 1)),
    "W2": np.random.randn(n_out, n_hidden) * 0.1,
    "b2": np.zeros((n_out, 1)),
}


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def forward(x):
    h = np.tanh(params["W1"] @ x + params["b1"])
    p = softmax(params["W2"] @ h + params["b2"])
    return h, p


def backward(x, y, h, p):
    dz2 = p - y
    dz1 = (params["W2"].T @ dz2) * (1 - h ** 2)
    return {"W2": dz2 @ h.T, "b2": dz2, "W1": dz1 @ x.T, "b1": dz1}
"""
LOADER = """
import numpy as np


def load_data():
    data = np.genfromtxt("train.csv", delimiter=",")
    return data[:, :-3], data[:, -3:]
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - h ** 2)", "cross_entropy"), ("(1 + h ** 2)", None)]
)
def test_a_tuple_of_sizes_read_off_loaded_data_is_made_small(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    (tmp_path / "loader.py").write_text(LOADER, encoding="utf-8")
    (tmp_path / "main.py").write_text(SIZED_PARAMS.replace("(1 - h ** 2)", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "main.py")))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.setup.startswith("n_in, n_hidden, n_out = (4, 12, 3)")


# A top-level loop over the samples that steps each weight through a function of the script
# (W2 = step(W2, g, lr), step returning param − lr · grad) and adds up its error as it goes
# (err += 0.5 · Σ(out − t)²): the weights are those the function steps, the rate the one handed to
# it, and the error's 0.5 no rate.
# δ = out − t on a linear output, through the ReLU's derivative: mse's gradient; without the
# derivative the hidden layer's is no loss's.
STEPPED_BY_FUNCTION = """
import numpy as np

features = np.random.randn(20, 4)
targets = np.random.randn(20, 2)
W1 = np.random.randn(8, 4) * 0.5
b1 = np.zeros((8, 1))
W2 = np.random.randn(2, 8) * 0.5
b2 = np.zeros((2, 1))


def relu(z):
    return np.maximum(z, 0)


def relu_deriv(z):
    return (z > 0).astype(float)


def step(param, grad, lr):
    return param - lr * grad


learning_rate = 0.001
for epoch in range(100):
    err = 0
    for x, t in zip(features, targets):
        x = x.reshape(-1, 1)
        t = t.reshape(-1, 1)
        z1 = W1 @ x + b1
        a1 = relu(z1)
        out = W2 @ a1 + b2
        err += 0.5 * np.sum((out - t) ** 2)
        d_out = out - t
        d_hidden = (W2.T @ d_out) * relu_deriv(z1)
        W2 = step(W2, d_out @ a1.T, learning_rate)
        b2 = step(b2, d_out, learning_rate)
        W1 = step(W1, d_hidden @ x.T, learning_rate)
        b1 = step(b1, d_hidden, learning_rate)
"""


@pytest.mark.parametrize(("derivative", "identified"), [(" * relu_deriv(z1)", "mse"), ("", None)])
def test_weights_stepped_by_a_function_of_the_script_at_the_rate_handed_to_it(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    path = tmp_path / "fit.py"
    path.write_text(STEPPED_BY_FUNCTION.replace(" * relu_deriv(z1)", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.recipe is not None and report.recipe.lr == "learning_rate"
    if identified:
        assert report.result.verdict.scale == pytest.approx(1.0)


# labels of one row per sample, made before the loop; after it, a plot reuses the name y for a grid.
# The labels' form is the one the loop reads (2-D), not the plot's (1-D): with flat labels y − out would
# broadcast to a square at a batch. Sigmoid layers, output_error = y − out added: the mse step, summed
LABELS_BEFORE_A_PLOT = """
import numpy as np

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([[0], [1], [1], [0]])
rng = np.random.default_rng(11)
hidden_weights = rng.uniform(size=(3, 3))
output_weights = rng.uniform(size=(3, 1))
learning_rate = 0.1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for epoch in range(1000):
    hidden = sigmoid(np.dot(X, hidden_weights))
    out = sigmoid(np.dot(hidden, output_weights))
    output_delta = (y - out) * out * (1 - out)
    hidden_delta = np.dot(output_delta, output_weights.T) * hidden * (1 - hidden)
    output_weights += learning_rate * np.dot(hidden.T, output_delta)
    hidden_weights += learning_rate * np.dot(X.T, hidden_delta)

x = np.arange(-0.8, 1.2, 0.05)
y = np.arange(-0.8, 1.2, 0.05)
"""


def test_the_labels_form_is_read_before_the_loop_not_after_it(tmp_path: Path) -> None:
    path = tmp_path / "plotted.py"
    path.write_text(textwrap.dedent(LABELS_BEFORE_A_PLOT), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "mse"
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum", result.verdict.batch
    assert "labels one row per sample (2-D), as the script's own labels are" in result.notes


# a script that loads its data from a file and writes the number of its samples as a constant: the
# gradient divided by m = 150 is, as written, 1/150 of the sum over the batch, whatever the file holds;
# the check reports the code as written (1/150 × mse's gradient, summed), since it runs so. The output
# delta (out − Y) out (1 − out) of sigmoid outputs is mse's.
COUNTED_DATA = """
import numpy as np

data = np.loadtxt("flowers.csv", delimiter=",")
X = data[:, :4]
Y = data[:, 4:]
m = 150
W1 = np.random.randn(4, 5)
W2 = np.random.randn(5, 3)
lr = 0.5


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for epoch in range(1000):
    H = sigmoid(X @ W1)
    out = sigmoid(H @ W2)
    d2 = (out - Y) * out * (1 - out)
    d1 = d2 @ W2.T * H * (1 - H)
    W2 -= lr * H.T @ d2 / m
    W1 -= lr * X.T @ d1 / m
"""


def test_a_number_of_samples_a_script_divides_by_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "flowers.py"
    path.write_text(COUNTED_DATA, encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "mse"
    assert result.scale == pytest.approx(1 / 150, rel=1e-9), result.scale
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum"
    assert not any("the number of samples the script sets" in n for n in result.notes), result.notes


# the labels reshaped to the script's own number of samples (t.reshape(n_samples, 1)): as written the
# step runs on no other batch, so n_samples is the batch's (a note says so). A sigmoid output with the
# delta out − T is binary cross-entropy's gradient, summed over the batch; with σ' applied too, mse's.
RESHAPED = """
import numpy as np

data = np.loadtxt("points.csv", delimiter=",")
X = data[:, :2]
t = data[:, 2]
n_samples = 200
W1 = np.random.randn(2, 4)
W2 = np.random.randn(4, 1)
lr = 0.1

for epoch in range(500):
    H = np.tanh(X @ W1)
    out = 1 / (1 + np.exp(-(H @ W2)))
    T = t.reshape(n_samples, 1)
    d2 = DELTA
    d1 = d2 @ W2.T * (1 - H ** 2)
    W2 -= lr * H.T @ d2
    W1 -= lr * X.T @ d1
"""


@pytest.mark.parametrize(
    ("delta", "identified"), [("out - T", "bce"), ("(out - T) * out * (1 - out)", "mse")]
)
def test_a_number_of_samples_the_labels_are_reshaped_to_is_the_batchs(
    tmp_path: Path, delta: str, identified: str
) -> None:
    path = tmp_path / "points.py"
    path.write_text(RESHAPED.replace("DELTA", delta), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == identified
    assert result.verdict.batch is not None and result.verdict.batch.reduction == "sum"
    assert any(
        n.startswith("the number of samples the script sets is the batch's: n_samples = len(X)")
        for n in result.notes
    ), result.notes


# the book "Neural Networks from Scratch" style: layer objects built one by one at top level with
# large sizes (2 → 64 → 3), a fused softmax and cross-entropy head, an SGD object of rate 1; class
# indices for labels. dinputs / samples: the gradient of the batch mean of cross-entropy on the softmax
# of the scores
BOOK = """
import numpy as np


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=BIAS_AXIS, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


class Activation_Tanh:
    def forward(self, inputs):
        self.output = np.tanh(inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def forward(self, inputs, y_true):
        e = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = e / np.sum(e, axis=1, keepdims=True)
        return -np.mean(np.log(self.output[range(len(inputs)), y_true]))

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Optimizer_SGD:
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate

    def update_params(self, layer):
        layer.weights += -self.learning_rate * layer.dweights
        layer.biases += -self.learning_rate * layer.dbiases


X = np.random.randn(100, 2)
y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)

dense1 = Layer_Dense(2, 64)
activation1 = Activation_Tanh()
dense2 = Layer_Dense(64, 3)
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
optimizer = Optimizer_SGD()

for epoch in range(10001):
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    loss = loss_activation.forward(dense2.output, y)
    loss_activation.backward(loss_activation.output, y)
    dense2.backward(loss_activation.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
"""


@pytest.mark.parametrize(("axis", "identified"), [("0", "cross_entropy"), ("None", None)])
def test_layers_built_one_by_one_with_large_sizes_keep_chaining_when_made_small(
    tmp_path: Path, axis: str, identified: str | None
) -> None:
    """64 is made 5 both as the first layer's output and as the second's input; the bias gradient
    summed over every axis (``axis=None``) is the gradient of no loss."""
    path = tmp_path / "book.py"
    path.write_text(BOOK.replace("BIAS_AXIS", axis), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert report.command is not None and "Layer_Dense(2, 5)" in report.command
    assert "Layer_Dense(5, 3)" in report.command


# a training function whose loop steps at a rate kept in a class of settings (``Config.epsilon``), the
# labels class indices; dz = probs − onehot(y) summed over the batch: the gradient of cross-entropy
# (summed). The check divides the rate by 10 once, to see that it is the rate the step moves with: a
# rate kept where no reset of the step's namespace reaches must be put back, or the next calls move a
# tenth as far and the step reads as one that keeps state between calls
CONFIG_RATE = """
import numpy as np


class Config:
    n_in = 2
    n_out = 2
    epsilon = 0.01


def build_model(X, y, nn_hdim, num_passes=20000):
    num_examples = len(X)
    W1 = np.random.randn(Config.n_in, nn_hdim)
    W2 = np.random.randn(nn_hdim, Config.n_out)
    for i in range(0, num_passes):
        a1 = np.tanh(X.dot(W1))
        scores = np.exp(a1.dot(W2))
        probs = scores / np.sum(scores, axis=1, keepdims=True)
        delta = probs
        delta[range(num_examples), y] -= 1
        dW2 = a1.T.dot(delta)
        dW1 = X.T.dot(delta.dot(W2.T) * (1 - a1 ** 2))
        W1 += -Config.epsilon * dW1
        W2 += -Config.epsilon * dW2
    return W1, W2
"""


def test_a_rate_kept_in_a_class_of_settings_is_put_back_after_it_is_divided(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(CONFIG_RATE, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy"
    assert report.recipe is not None and report.recipe.lr == "Config.epsilon", "read from the step's update"
    assert not any("keeps state" in n for n in report.recipe.notes), report.recipe.notes


# columns; a tanh hidden layer, a sigmoid output, dZ2 = A2 − Y over m: the gradients of the mean bce,
# but db1 = np.sum(dZ1, axis=1) / m has shape (4,) where b1 is (4, 1), so b1 - lr * db1 makes b1 a
# (4, 4) matrix: the update the loop makes is the gradient step of no loss. The learning rate decays
# each step (state between calls), so the check reads the gradients the loop names, each as the update
# applies it to its weight
BIAS_BROADCAST = """
import numpy as np

X = np.random.randn(2, 400)
Y = (X[0:1] ** 2 + X[1:2] ** 2 < 1.5).astype(float)
m = X.shape[1]
W1 = np.random.randn(4, 2) * 0.01
b1 = np.zeros((4, 1))
W2 = np.random.randn(1, 4) * 0.01
b2 = np.zeros((1, 1))
learning_rate = 1.2

for i in range(10000):
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    A2 = 1 / (1 + np.exp(-(np.dot(W2, A1) + b2)))
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1KEEP) / m
    learning_rate = learning_rate * 0.999
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
"""


def test_a_named_gradient_is_read_as_the_update_applies_it_to_its_weight(tmp_path: Path) -> None:
    path = tmp_path / "planar.py"
    path.write_text(BIAS_BROADCAST.replace("KEEP", ", keepdims=True"), encoding="utf-8")
    assert check_target(CheckRequest.parse(str(path))).result.identified == "bce"
    path.write_text(BIAS_BROADCAST.replace("KEEP", ""), encoding="utf-8")
    with pytest.raises(InputError, match=r"of the wrong shape for b1 \(\(4, 4\), expected \(4, 1\)\)"):
        check_target(CheckRequest.parse(str(path)))


DATA_IN_A_WITH_BLOCK = """
import numpy as np

RATE = 0.5


def f(z):
    return 1 / (1 + np.exp(-z))


with open("inputs.txt") as a, open("targets.txt") as b:
    X = np.array([[float(v) for v in line.split()] for line in a])
    y = np.array([[float(v) for v in line.split()] for line in b])

weights0 = 2 * np.random.random((X.shape[1], 4)) - 1
weights1 = 2 * np.random.random((4, y.shape[1])) - 1

for epoch in range(1000):
    layer1 = f(X @ weights0)
    layer2 = f(layer1 @ weights1)
    layer2_delta = (y - layer2) * DERIVATIVE
    layer1_delta = (layer2_delta @ weights1.T) * layer1 * (1 - layer1)
    weights1 += layer1.T @ layer2_delta * RATE
    weights0 += X.T @ layer1_delta * RATE
"""


@pytest.mark.parametrize(
    ("derivative", "identified"), [("layer2 * (1 - layer2)", "mse"), ("f(layer2) * (1 - f(layer2))", None)]
)
def test_data_read_from_files_in_a_with_block_is_the_data_of_the_loop(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """Inputs and labels read inside ``with open(…)`` before the loop are its data: the loop is read,
    the block is not run (its files are not there), and the probes stand in for the data."""
    path = tmp_path / "with_data.py"
    path.write_text(DATA_IN_A_WITH_BLOCK.replace("DERIVATIVE", derivative), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "open(" not in report.command


ROWS_READ_IN_A_WITH_BLOCK = """
import numpy as np

with open("data.txt") as f:
    rows = [list(map(float, line.split())) for line in f if line.strip()]
data = np.array(rows)
X = data[:, :3]
y = data[:, 3:4]

w0 = 2 * np.random.random((3, 4)) - 1
w1 = 2 * np.random.random((4, 1)) - 1
for j in range(1000):
    h = 1 / (1 + np.exp(-(X @ w0)))
    out = 1 / (1 + np.exp(-(h @ w1)))
    out_delta = (y - out) * out * (1 - out)
    h_delta = (out_delta @ w1.T) * h * (1 - h)
    w1 += 0.5 * h.T @ out_delta
    w0 += 0.5 * X.T @ h_delta
"""


def test_names_a_data_loading_block_binds_are_data_of_the_setup_too(tmp_path: Path) -> None:
    """``rows`` read in ``with open(…)``, then ``data = np.array(rows)`` at the top level, whose columns
    are the loop's inputs and labels: ``data`` is data, left out of the setup with ``rows``."""
    path = tmp_path / "rows.py"
    path.write_text(ROWS_READ_IN_A_WITH_BLOCK, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse", report.command
    assert "np.array(rows)" not in report.command


RATE_ASKED = """
import numpy as np

lr = float(input("Enter the learning rate: "))
X = np.random.randn(8, 3)
y = np.random.rand(8, 1)
w0 = np.random.randn(3, 4)
w1 = np.random.randn(4, 1)
for j in range(1000):
    l1 = 1 / (1 + np.exp(-(X @ w0)))
    l2 = 1 / (1 + np.exp(-(l1 @ w1)))
    l2_delta = (y - l2) * l2 * (1 - l2)
    l1_delta = (l2_delta @ w1.T) * l1 * (1 - l1)
    w1 += lr * l1.T @ l2_delta
    w0 += lr * X.T @ l1_delta
"""


def test_a_setup_given_for_a_script_is_used_in_place_of_the_one_read_off_it(tmp_path: Path) -> None:
    """The rate is asked for with input(): the setup read off the script raises, and the refusal says to
    give the values in --setup; given, that setup (and rate) is the one run."""
    path = tmp_path / "asks.py"
    path.write_text(RATE_ASKED, encoding="utf-8")
    with pytest.raises(InputError, match="input"):
        check_target(CheckRequest.parse(str(path)))
    setup = "lr = 0.5; w0 = np.random.randn(3, 4); w1 = np.random.randn(4, 1)"
    report = check_target(CheckRequest.parse(str(path), options=Options(setup=setup, lr="lr")))
    assert report.result.identified == "mse", report.command
    assert f"--setup '{setup}'" in report.command and "--lr lr" in report.command


# the whole script under ``if __name__ == "__main__":``: data, weights and the training loop; tanh hidden
# layer, sigmoid output, dZ2 = (A − Y) / m: the gradient of bce, the batch mean
MAIN_BLOCK = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    Y = (rng.random((20, 2)) > 0.5).astype(float)
    W1 = rng.standard_normal((3, 4))
    W2 = rng.standard_normal((4, 2))
    lr = 0.1
    for epoch in range(100):
        H = np.tanh(X @ W1)
        A = sigmoid(H @ W2)
        dZ2 = (A - Y) / len(X)
        W2 -= lr * H.T @ dZ2
        W1 -= lr * X.T @ (dZ2 @ W2.T * (1 - H ** 2))
"""


def test_a_training_loop_under_the_main_guard_is_read_as_the_top_level(tmp_path: Path) -> None:
    """The block runs when the author runs the script, so its loop is the file's training loop; W1's
    step reads W2 already updated, a bug, so W1 matches no loss while W2 is bce's. With the update of
    W1 before W2's, the step is the gradient of bce."""
    path = tmp_path / "main_block.py"
    path.write_text(textwrap.dedent(MAIN_BLOCK), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified is None and report.result.parameter_identified("W2")[0] == "bce"
    fixed = MAIN_BLOCK.replace(
        "        W2 -= lr * H.T @ dZ2\n        W1 -= lr * X.T @ (dZ2 @ W2.T * (1 - H ** 2))\n",
        "        W1 -= lr * X.T @ (dZ2 @ W2.T * (1 - H ** 2))\n        W2 -= lr * H.T @ dZ2\n",
    )
    path.write_text(textwrap.dedent(fixed), encoding="utf-8")
    assert check_target(CheckRequest.parse(str(path))).result.identified == "bce"


# the rate of the next step made from the script's own lr at the end of each step (a decay schedule);
# at epoch 0 it is lr again. Read off the loop, the step reads the author's lr: binding the checker's
# lr over it changed the second run's rate, and the step was refused as drawing random numbers
DECAYED = MAIN_BLOCK.replace("    lr = 0.1\n", "    lr = 0.1\n    current = lr\n").replace(
    "        W2 -= lr * H.T @ dZ2\n        W1 -= lr * X.T @ (dZ2 @ W2.T * (1 - H ** 2))\n",
    "        dW1 = X.T @ (dZ2 @ W2.T * (1 - H ** 2))\n        W2 -= current * H.T @ dZ2\n"
    "        W1 -= current * dW1\n        current = lr / (1 + 0.01 * epoch)\n",
)


def test_a_rate_the_step_makes_from_the_scripts_own_lr_keeps_that_lr(tmp_path: Path) -> None:
    path = tmp_path / "decayed.py"
    path.write_text(textwrap.dedent(DECAYED), encoding="utf-8")
    result = check_target(CheckRequest.parse(str(path))).result
    assert result.identified == "bce", result.notes


# a training function that logs through a helper writing to a file it opens first: the file is not
# opened (the loader runs no such line), so the helper's banners would raise; a call given only text
# binds nothing the network is made of and is left out
LOGGED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def main():
    log = open("training_log.txt", "w")

    def p(msg=""):
        print(msg)
        log.write(str(msg) + "\\n")

    p("=" * 40)
    p("  TRAINING")
    X = np.random.rand(8, 3)
    Y = np.random.rand(8, 2)
    W1 = np.random.randn(3, 4)
    W2 = np.random.randn(4, 2)
    lr = 0.5
    for epoch in range(100):
        a1 = sigmoid(X @ W1)
        a2 = sigmoid(a1 @ W2)
        d2 = DELTA
        d1 = d2 @ W2.T * a1 * (1 - a1)
        W2 -= lr * a1.T @ d2
        W1 -= lr * X.T @ d1
        p(f"epoch {epoch}")


main()
"""


@pytest.mark.parametrize(
    ("delta", "identified"),
    [
        ("(a2 - Y) * a2 * (1 - a2)", "mse"),  # (a − y) σ'(z): the squared error's output delta
        ("(a2 - Y) * a2", None),  # half of σ'(z) left out: no loss's
    ],
)
def test_banners_printed_through_a_helper_that_writes_a_log_are_left_out_of_the_setup(
    tmp_path: Path, delta: str, identified: str | None
) -> None:
    path = tmp_path / "train.py"
    path.write_text(LOGGED.replace("DELTA", delta), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path), seed=0))
    assert report.result.identified == identified
    assert not (tmp_path / "training_log.txt").exists()


@pytest.mark.parametrize(
    ("forward", "may"),
    [
        ("train_x = x; epoch = 0; shuffled = train_x; shuffled", False),  # cut short of the network
        ("h = x; len(h)", False),
        ("np.tanh(x @ W)", True),  # names a weight
        ("a = predict(x); a", True),  # a function of the script may read them
        ("list(map(f, x))", True),  # a name handed to a builtin
        ("x @ net.W", True),
    ],
)
def test_a_forward_that_reads_no_weight_and_calls_nothing_that_could_is_dropped_before_any_width(
    forward: str, may: bool
) -> None:
    """Such a forward pass (a training loop's body cut at its first use of the labels, before the
    network runs) was tried at every layout and width, for seconds, to fail the same way at each."""
    assert may_read(forward, ["W", "net", "mlp"]) is may


EVALUATED = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

rng = np.random.default_rng(0)
X_train, y_train = rng.normal(size=(12, 3)), rng.integers(0, 2, size=(12, 2)).astype(float)
X_test, y_test = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 2)).astype(float)
W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
for epoch in range(5):
    order = np.random.permutation(len(X_train))
    X_train, y_train = X_train[order], y_train[order]
    for i in range(0, len(X_train), 4):
        xb, yb = X_train[i:i + 4], y_train[i:i + 4]
        h = sigmoid(xb @ W1)
        out = sigmoid(h @ W2)
        d2 = (out - yb) * out * (1 - out)
        d1 = d2 @ W2.T * h * (1 - h)
        W2 -= 0.1 * h.T @ d2
        W1 -= 0.1 * xb.T @ d1
    test_out = sigmoid(sigmoid(X_test @ W1) @ W2)
    accuracy = np.mean((test_out > 0.5) == y_test)
    print(epoch, accuracy)
"""


def test_the_evaluation_after_an_epochs_loop_over_batches_is_not_the_step(tmp_path: Path) -> None:
    """An epoch that shuffles, runs its batches, then evaluates on the test set: the step is the batch
    loop's body (mse), never the evaluation's forward on ``X_test``, which the check does not bind. A
    statement after the batches that changes a weight the step reads (a decay of W2) is part of the
    epoch's work: the epoch is then the step, and its evaluation is refused, never passed over."""
    path = tmp_path / "evaluated.py"
    path.write_text(textwrap.dedent(EVALUATED), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "mse"
    assert report.recipe is not None and "X_test" not in report.recipe.forward
    path.write_text(textwrap.dedent(EVALUATED) + "    W2 = W2 * 0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="X_test"):
        check_target(CheckRequest.parse(str(path)))
    # a call named for a step after the batches (shrinking the weights in place) is work, whatever it binds
    decay = "def apply_decay(*ws):\n    for w in ws:\n        w *= 0.5\n"
    path.write_text(
        decay + textwrap.dedent(EVALUATED) + "    shrunk = apply_decay(W1, W2)\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="X_test"):
        check_target(CheckRequest.parse(str(path)))
