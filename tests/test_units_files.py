"""The unit check on the team's layer files: every planted bug is found, in the settings where it
shows and only there, and the correct files give no mismatch.

The files in ``tests/layer_files`` are written in the styles of the ecosystem (the course's ``(out,
cache)`` functions, layer objects, a micrograd-style engine, losses with derivatives); each ``*_bugs``
file plants one bug per unit that students make, named in its docstring.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.adapters.calls import user_call
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.runs.jobs import check as check_job
from verification.tolerances import NEAR_MATCH_RTOL, tolerance_for
from verification.units.check import UnitsReport, check_units, wants_units
from verification.units.discovery import discover
from verification.units.layers import LayerUnit
from verification.units.report import units_json, units_summary
from verification.units.run import UnitResult
from verification.units.running import failed_verdict
from verification.units.verdicts import CHECKED, SCALED

FILES = Path(__file__).resolve().parent / "layer_files"
CORRECT = ("course_layers", "course_rnn", "layer_objects", "engine", "losses")


@cache
def checked(name: str, seed: int = 0, full: bool = False) -> UnitsReport:
    script = load_script(FILES / f"{name}.py")
    return check_units(script, discover(script, seed), seed=seed, full=full)


def unit(name: str, unit_name: str) -> UnitResult:
    found = [r for r in checked(name).results if r.unit == unit_name]
    assert len(found) == 1, (
        f"got units {[r.unit for r in checked(name).results]}, but should hold {unit_name}"
    )
    return found[0]


def only_unit(tmp_path: Path, name: str, source: str) -> UnitResult:
    """The one unit of a file written with ``source``, checked at seed 0."""
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    (r,) = check_units(script, discover(script, 0), seed=0).results
    return r


def verdicts(r: UnitResult) -> dict[str, str]:
    return {s.setting: s.verdict for s in r.settings}


def not_right(report: UnitsReport) -> dict[str, dict[str, str]]:
    """The units of a correct file that do not match, by their settings' verdicts; a layer right only
    under its caller's convention (MeanLinear: the batch mean taken in its backward) is refused with
    why, never a mismatch, and not counted."""
    return {
        r.unit: verdicts(r)
        for r in report.results
        if r.verdict != "matches" and not (r.verdict == "refused" and any(s.convention for s in r.settings))
    }


# --- correct files: no mismatch ----------------------------------------------------------------------


@pytest.mark.parametrize("name", CORRECT)
def test_a_correct_file_matches_at_every_setting(name: str) -> None:
    report = checked(name)
    wrong = not_right(report)
    assert not wrong, f"got {wrong}, but every unit of {name}.py is right"
    assert report.status == 0


@pytest.mark.parametrize("name", CORRECT)
def test_matching_gradients_agree_to_the_accuracy_of_their_method(name: str) -> None:
    """A match is not a loose one: each gradient's relative error is within its method's ``rtol``."""
    for r in checked(name).results:
        for s in r.settings:
            if s.verdict not in CHECKED:
                continue
            rtol = tolerance_for(np.float64, s.method).rtol
            errors = {o.name: o.relative_error for o in s.outputs}
            where = f"{r.unit} at {s.setting} ({s.method})"
            assert all(e is not None and e <= rtol for e in errors.values()), (
                f"got relative errors {errors} for {where}, but should be ≤ {rtol:.1e}"
            )


@pytest.mark.slow
@pytest.mark.parametrize("name", CORRECT)
@pytest.mark.parametrize("seed", range(1, 16))
def test_a_correct_file_matches_over_many_seeds(name: str, seed: int) -> None:
    report = checked(name, seed, full=seed % 3 == 0)
    wrong = not_right(report)
    assert not wrong, f"got {wrong} with seed {seed}, but every unit of {name}.py is right"


# --- planted bugs: found where they show -------------------------------------------------------------

BUGS = [
    ("course_layers_bugs", "batchnorm", ["dx"], None),
    ("course_layers_bugs", "dropout", ["dx"], None),
    ("course_layers_bugs", "conv_naive", ["dx"], {"pad 0", "even 2×2 filters, stride 2, pad 0"}),
    (
        "course_layers_bugs",
        "max_pool_naive",
        ["dx"],
        {"2×2 windows, stride 2", "batch of one (N = 1)"},
    ),
    ("course_rnn_bugs", "lstm_step", ["dx", "dprev_h", "dWx", "dWh", "db"], None),
    ("course_rnn_bugs", "word_embedding", ["dW"], {"one time step (T = 1)"}),
    ("course_rnn_bugs", "rnn_step", ["dx", "dprev_h", "dWx", "dWh", "db"], None),
    ("layer_objects_bugs", "Layer_Dense", ["dbiases"], None),
    ("layer_objects_bugs", "Activation_Tanh", ["dinputs"], None),
    ("layer_objects_bugs", "FullyConnected", ["dx"], None),
    ("layer_objects_bugs", "ActivationLayer", ["dx"], None),
    ("layer_objects_bugs", "BiasRowLayer", ["dx"], None),
    ("layer_objects_bugs", "Linear", ["db"], {"batch of one (N = 1)"}),
    ("layer_objects_bugs", "VectorLayer", ["dx"], None),
    ("layer_objects_bugs", "MeanLinear", ["dx", "dLdW", "dLdb"], {"batch of one (N = 1)"}),
    ("layer_objects_bugs", "DecayedLinear", ["dW"], None),
    (
        "engine_bugs",
        "Value.__mul__",
        ["self.grad", "other.grad"],
        {"alone, operands > 0", "alone, operands < 0"},
    ),
    ("engine_bugs", "Value.tanh", ["self.grad"], None),
    ("losses_bugs", "mse", ["dy_pred"], None),
    ("losses_bugs", "tanh", ["dx"], None),
]


@pytest.mark.parametrize(
    ("name", "unit_name", "differs", "passes"), BUGS, ids=[f"{b[0]}-{b[1]}" for b in BUGS]
)
def test_a_planted_bug_is_found_in_the_settings_where_it_shows(
    name: str, unit_name: str, differs: list[str], passes: set[str] | None
) -> None:
    r = unit(name, unit_name)
    assert r.verdict == "mismatch" and r.differs == differs, (
        f"got {r.verdict} {r.differs}, but should differ in {differs}"
    )
    matching = {s.setting for s in r.settings if s.verdict == "matches"}
    assert matching == (passes or set()), f"got matches at {matching}, but the bug hides only at {passes}"


# a loss's derivative with the batch mean's 1 / N left out is N times its gradient: it matches up to
# scale at each batch of N > 1 (c = N named), as a network's verdict would, and plainly at N = 1
SCALED_BUGS = [
    ("course_layers_bugs", "svm_loss", {"batch of one (N = 1)"}),
    ("losses_bugs", "cross_entropy", {"one sample of 4 (1, 4)", "one value (1, 1)"}),
]


@pytest.mark.parametrize(("name", "unit_name", "passes"), SCALED_BUGS, ids=[b[1] for b in SCALED_BUGS])
def test_a_loss_derivative_off_by_a_positive_constant_matches_up_to_scale_where_it_shows(
    name: str, unit_name: str, passes: set[str]
) -> None:
    r = unit(name, unit_name)
    assert r.verdict == SCALED and not r.differs, (r.verdict, r.differs)
    assert {s.setting for s in r.settings if s.verdict == "matches"} == passes
    assert all(
        s.verdict == SCALED and "c × the gradient" in s.note for s in r.settings if s.setting not in passes
    )


def test_the_files_with_bugs_hold_no_other_mismatch() -> None:
    """The units without a planted bug (``Value.__add__``, ``Value.exp``, ``relu``) match."""
    planted = {(b[0], b[1]) for b in BUGS} | {(b[0], b[1]) for b in SCALED_BUGS}
    for name in sorted({b[0] for b in BUGS}):
        for r in checked(name).results:
            if (name, r.unit) not in planted:
                assert r.verdict == "matches", f"got {r.verdict} for {r.unit} in {name}.py, which has no bug"


@pytest.mark.parametrize("unit_name", ["SampleLayer", "Propagating"])
def test_a_layer_written_for_one_sample_matches_and_says_why_the_batch_was_skipped(unit_name: str) -> None:
    """Raising on a batch (``bias -= lr * error`` with a bias of one row), or an update that turns the
    bias into one of the batch's shape, is a layer for one sample at a time, not a wrong gradient."""
    r = unit("layer_objects", unit_name)
    assert verdicts(r) == {"batch of two (N = 2)": "skipped", "batch of one (N = 1)": "matches"}, (
        f"got {verdicts(r)}, but the batch of two should be skipped and one sample matched"
    )
    skipped = r.settings[0]
    assert skipped.reason.startswith("written for one sample at a time: on a batch of two, "), skipped.reason


def test_a_layer_that_averages_its_parameter_gradients_over_the_batch_is_refused_with_why() -> None:
    """``dLdW = dLdZ.T @ A / N`` with the input's gradient not averaged: the product's batch mean,
    right or wrong by the loss above it, which the layer alone does not show: no verdict, not a match
    that rests on the one sample where the mean is the product."""
    r = unit("layer_objects", "MeanLinear")
    assert verdicts(r) == {"batch of two (N = 2)": "skipped", "batch of one (N = 1)": "matches"}, verdicts(r)
    assert r.verdict == "refused" and r.settings[0].convention and not r.settings[1].convention
    assert r.settings[0].reason.startswith("the parameter gradients are 1/N of the vector-Jacobian product")
    assert [o.name for o in r.settings[1].outputs] == ["dx", "dLdW", "dLdb"]


def test_an_array_the_forward_does_not_read_is_no_parameter() -> None:
    r = unit("layer_objects", "Normalised")
    names = {o.name for s in r.settings for o in s.outputs}
    assert r.verdict == "matches" and names == {"dx", "dW"}, (r.verdict, names)


def test_gradients_stored_under_names_of_no_parameter_are_refused_not_called_missing(tmp_path: Path) -> None:
    """Placeholders made in the constructor (``self.changeW = np.zeros(...)``) are not parameters, and
    gradients stored under names that tie them to no parameter cannot be read: refused, naming them."""
    r = only_unit(
        tmp_path,
        "placeholders.py",
        "import numpy as np\n\n\n"
        "class Dense:\n"
        "    def __init__(self, n_in, n_out):\n"
        "        self.lastInput = np.zeros((1, n_in))\n"
        "        self.weight = np.random.randn(n_in, n_out)\n"
        "        self.bias = np.zeros((1, n_out))\n"
        "        self.changeW = np.zeros((n_in, n_out))\n"
        "        self.changeB = np.zeros((1, n_out))\n\n"
        "    def forward(self, x):\n"
        "        self.lastInput = x\n"
        "        return x @ self.weight + self.bias\n\n"
        "    def backward(self, error):\n"
        "        self.changeW = self.lastInput.T @ error\n"
        "        self.changeB = error.sum(axis=0, keepdims=True)\n"
        "        return error @ self.weight.T\n",
    )
    assert r.verdict == "refused", f"got {r.verdict}, but changeW and changeB are named for no parameter"
    assert r.reason.startswith("Dense.backward stores changeW, changeB, names that say of no parameter"), (
        r.reason
    )
    assert "(weight, bias get none by name" in r.reason, r.reason


PARAMETER_DICT = (
    "import numpy as np\n\n\n"
    "class TwoLayer:\n"
    "    def __init__(self, n_in=3, n_hidden=4, n_out=2):\n"
    "        self.W1 = np.random.randn(n_in, n_hidden)\n"
    "        self.b1 = np.zeros(n_hidden)\n"
    "        self.W2 = np.random.randn(n_hidden, n_out)\n\n"
    "    def forward(self, x):\n"
    "        self.x = x\n"
    "        self.h = np.tanh(x @ self.W1 + self.b1)\n"
    "        return self.h @ self.W2\n\n"
    "    def backward(self, grad):\n"
    "        dh = (grad @ self.W2.T) * HIDDEN_FACTOR\n"
    "        return {'W1': self.x.T @ dh, 'b1': dh.sum(axis=0), 'W2': self.h.T @ grad}\n"
)


@pytest.mark.parametrize(("factor", "verdict"), [("(1 - self.h ** 2)", "matches"), ("self.h", "mismatch")])
def test_parameter_gradients_returned_in_a_dict_by_name_are_read(
    tmp_path: Path, factor: str, verdict: str
) -> None:
    """``backward(grad)`` returning ``{'W1': …, 'b1': …, 'W2': …}`` and no input gradient: each entry is its
    parameter's gradient (read as none before, which called correct code a mismatch); the input's is
    not checked. With ``tanh(z)`` in place of ``tanh'(z)`` the first layer's is wrong."""
    r = only_unit(tmp_path, "parameter_dict.py", PARAMETER_DICT.replace("HIDDEN_FACTOR", factor))
    assert r.verdict == verdict, r
    assert set(verdicts(r).values()) == {verdict}, verdicts(r)


RESULT_OBJECT = (
    "from dataclasses import dataclass\n\n"
    "import numpy as np\n\n\n"
    "@dataclass\n"
    "class BackwardResult:\n"
    "    variable_grads: dict\n"
    "    input_grads: np.ndarray\n\n\n"
    "class Linear:\n"
    "    def __init__(self, n_in=3, n_out=2):\n"
    "        self.var = {'W': np.random.randn(n_in, n_out), 'b': np.zeros(n_out)}\n\n"
    "    def forward(self, x):\n"
    "        self.x = x\n"
    "        return x @ self.var['W'] + self.var['b']\n\n"
    "    def backward(self, grad_in):\n"
    "        dW = self.x.T @ grad_in\n"
    "        db = BIAS_GRADIENT\n"
    "        return BackwardResult({'W': dW, 'b': db}, grad_in @ self.var['W'].T)\n"
)


@pytest.mark.parametrize(
    ("bias", "verdict"), [("grad_in.sum(axis=0)", "matches"), ("grad_in.mean(axis=0)", "mismatch")]
)
def test_gradients_returned_in_a_result_object_of_a_dict_and_the_input_gradient_are_read(
    tmp_path: Path, bias: str, verdict: str
) -> None:
    """``return BackwardResult({'W': dW, 'b': db}, d_inputs)``, a dataclass: the dict holds the
    parameters' gradients by name and the array is the input's (read as none before: "gives no gradient
    of var['W']", a mismatch of correct code). A bias gradient averaged over the batch is wrong at two."""
    r = only_unit(tmp_path, "result_object.py", RESULT_OBJECT.replace("BIAS_GRADIENT", bias))
    assert r.verdict == verdict, r


def test_a_gradient_with_the_penalty_term_of_the_layers_own_coefficient_matches_and_says_so() -> None:
    r = unit("layer_objects", "DecayedLinear")
    assert verdicts(r) == {"batch of two (N = 2)": "matches", "batch of one (N = 1)": "matches"}, verdicts(r)
    assert (
        "the weight gradients hold an L2 term λ W, λ = 0.001 (the layer's coefficient)" in r.settings[0].note
    )


def test_a_penalty_written_coefficient_times_the_squared_norm_is_twice_the_coefficient(
    tmp_path: Path,
) -> None:
    """``dW = x.T @ dout + 2 * self.reg * W``, the gradient of ``reg ‖W‖²`` added to the loss."""
    r = only_unit(
        tmp_path,
        "twice.py",
        "import numpy as np\n\n\n"
        "class FC:\n"
        "    def __init__(self, n_in, n_out, reg=0.01):\n"
        "        self.W = np.random.randn(n_in, n_out)\n"
        "        self.reg = reg\n\n"
        "    def forward(self, x):\n"
        "        self.x = x\n"
        "        return x @ self.W\n\n"
        "    def backward(self, dout):\n"
        "        self.dW = self.x.T @ dout + 2 * self.reg * self.W\n"
        "        return dout @ self.W.T\n",
    )
    assert r.verdict == "matches", (r.verdict, [(s.setting, s.verdict) for s in r.settings])
    assert "λ = 0.02 (the layer's coefficient × 2" in r.settings[0].note, r.settings[0].note


def test_an_adaptive_optimisers_step_inside_a_layer_is_refused_not_read_as_a_gradient(tmp_path: Path) -> None:
    """Adam's first step moves every entry by the rate (``m̂ / √v̂ = sign g``): read as a gradient it would
    call a correct layer wrong."""
    r = only_unit(
        tmp_path,
        "adam_layer.py",
        "import numpy as np\n\n\n"
        "class Dense:\n"
        "    def __init__(self, n_in, n_out, lr=0.01):\n"
        "        self.W = np.random.randn(n_in, n_out)\n"
        "        self.lr = lr\n"
        "        self.m = np.zeros_like(self.W)\n"
        "        self.v = np.zeros_like(self.W)\n"
        "        self.t = 0\n\n"
        "    def forward(self, x):\n"
        "        self.x = x\n"
        "        return x @ self.W\n\n"
        "    def backward(self, dout):\n"
        "        g = self.x.T @ dout\n"
        "        dx = dout @ self.W.T\n"
        "        self.t += 1\n"
        "        self.m = 0.9 * self.m + 0.1 * g\n"
        "        self.v = 0.999 * self.v + 0.001 * g**2\n"
        "        m_hat = self.m / (1 - 0.9**self.t)\n"
        "        v_hat = self.v / (1 - 0.999**self.t)\n"
        "        self.W -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)\n"
        "        return dx\n",
    )
    assert r.verdict == "refused", f"got {r.verdict}, but an Adam step is no gradient"
    assert r.reason.startswith("Dense.backward moves every parameter entry by the same amount (0.01)"), (
        r.reason
    )


ACTIVATED_LAYER = """
import numpy as np


class SigmoidDense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out)
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        self.a = 1 / (1 + np.exp(-(x @ self.W + self.b)))
        return self.a

    def backward(self, delta):
        delta = DELTA
        self.dW = self.x.T @ delta
        self.db = delta.sum(axis=0)
        return delta @ self.W.T
"""


@pytest.mark.parametrize(
    ("delta", "verdict"),
    [("delta", "refused"), ("delta * self.a * (1 - self.a)", "matches"), ("delta * self.a", "mismatch")],
    ids=["at-pre-activation", "at-output", "wrong-derivative"],
)
def test_a_backward_taking_the_gradient_at_the_pre_activation_is_no_verdict(
    tmp_path: Path, delta: str, verdict: str
) -> None:
    """A layer applying its sigmoid in its forward and leaving σ' to its caller takes ∂L/∂z: right or
    wrong by its caller, so refused with why; the same layer applying σ' itself matches, and one applying
    a wrong derivative stays a mismatch (the reading run on dout ⊙ σ'(z) does not explain it)."""
    path = tmp_path / "activated.py"
    path.write_text(ACTIVATED_LAYER.replace("DELTA", delta), encoding="utf-8")
    script = load_script(path)
    (r,) = check_units(script, discover(script, 0), seed=0).results
    assert r.verdict == verdict, (r.verdict, [(s.setting, s.verdict, s.reason) for s in r.settings])
    if verdict == "refused":
        assert r.reason.startswith("the backward takes the gradient at the pre-activation z"), r.reason


SOFTMAX_OBJECT = """
import numpy as np


class TinyClassifier:
    def __init__(self, n_in, n_hidden, n_out):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, n_out)
        self.b2 = np.zeros((1, n_out))

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.W1 + self.b1)
        z = self.h @ self.W2 + self.b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        self.a = e / e.sum(axis=1, keepdims=True)
        return self.a

    def backward(self, dLoss):
        m = dLoss.shape[0]
        dz = DZ
        self.dW2 = self.h.T @ dz / SCALE
        self.db2 = dz.sum(axis=0, keepdims=True) / SCALE
        dh = (dz @ self.W2.T) * (1 - self.h**2)
        self.dW1 = self.X.T @ dh / SCALE
        self.db1 = dh.sum(axis=0, keepdims=True) / SCALE
"""
SOFTMAX_VJP = "self.a * (dLoss - (dLoss * self.a).sum(axis=1, keepdims=True))"


@pytest.mark.parametrize(
    ("dz", "scale", "verdict"),
    [
        ("dLoss", "1", "refused"),
        ("dLoss", "m", "refused"),
        (SOFTMAX_VJP, "1", "matches"),
        ("dLoss * self.a * (1 - self.a)", "1", "mismatch"),
    ],
    ids=["shortcut", "shortcut-averaged", "softmax-jacobian", "elementwise-derivative"],
)
def test_a_network_object_taking_the_gradient_at_its_softmax_scores_is_no_verdict(
    tmp_path: Path, dz: str, scale: str, verdict: str
) -> None:
    """``backward(dLoss)`` that uses ``dLoss`` as ``∂L/∂z`` under a softmax output is right for a caller
    handing it ``a − y`` (the cross-entropy shortcut), which the object alone cannot tell: refused with
    why, also when it averages over the batch; applying the softmax's Jacobian itself matches, and an
    elementwise ``a(1 − a)`` in its place stays a mismatch. Every tensor is checked: shifting the output
    bias by the same amount in every entry leaves a softmax unchanged, and must not make it "unread"."""
    path = tmp_path / "classifier.py"
    path.write_text(SOFTMAX_OBJECT.replace("DZ", dz).replace("SCALE", scale), encoding="utf-8")
    script = load_script(path)
    (r,) = check_units(script, discover(script, 0), seed=0).results
    assert r.verdict == verdict, (r.verdict, [(s.setting, s.verdict, s.reason) for s in r.settings])
    assert {o.name for s in r.settings for o in s.outputs} >= {"dW1", "db1", "dW2", "db2"}
    if verdict == "refused":
        assert r.reason.startswith("the backward takes the gradient at the scores z of its softmax output"), (
            r.reason
        )


def test_a_class_that_a_driver_beside_it_trains_is_a_network(tmp_path: Path) -> None:
    """``train.py`` beside ``model.py`` imports the class and calls its ``backward``: the class is a
    network its driver trains, checked as one, not a layer object held to ``∂L/∂(output)``; without the
    driver it is a unit."""
    model = tmp_path / "model.py"
    model.write_text(SOFTMAX_OBJECT.replace("DZ", "dLoss").replace("SCALE", "m"), encoding="utf-8")
    assert wants_units(load_script(model), None) is not None
    (tmp_path / "train.py").write_text(
        "from model import TinyClassifier\n\n"
        "for n_hidden in (8, 16):\n"
        "    net = TinyClassifier(4, n_hidden, 3)\n"
        "    net.backward(net.forward(X) - Y)\n",
        encoding="utf-8",
    )
    assert wants_units(load_script(model), None) is None


def test_top_level_methods_of_a_notebook_are_no_units(tmp_path: Path) -> None:
    """``def sigmoid_derivative(self, x)`` at the top level is a fragment of a class assembled later,
    not a loss with its derivative."""
    path = tmp_path / "fragments.py"
    path.write_text(
        "import numpy as np\n\n\n"
        "def sigmoid(self, x):\n    return 1 / (1 + np.exp(-x))\n\n\n"
        "def sigmoid_derivative(self, x):\n    return x * (1 - x)\n",
        encoding="utf-8",
    )
    assert discover(load_script(path), 0) == []


def test_an_activation_layer_without_a_pair_in_the_project_is_refused(tmp_path: Path) -> None:
    """Which convention the layer expects of its derivative (at the input, or ``s (1 − s)`` at the
    output) is the project's: with no pair defined beside it, the layer is not guessed at."""
    r = only_unit(
        tmp_path,
        "activation_layer.py",
        "class ActivationLayer:\n"
        "    def __init__(self, activation, activation_prime):\n"
        "        self.activation, self.activation_prime = activation, activation_prime\n\n"
        "    def forward(self, x):\n"
        "        self.x = x\n"
        "        return self.activation(x)\n\n"
        "    def backward(self, dout, lr):\n"
        "        return self.activation_prime(self.x) * dout\n",
    )
    assert r.verdict == "refused", f"got {r.verdict}, but the derivative's convention is unknown"
    assert "defines no pair" in r.reason, r.reason


FUNCTION_PAIR_LAYER = """
import numpy as np


def PAIR(y, y_pred=None):
    return np.tanh(y)


def PAIR_prime(y, y_pred=None):
    return 1 - np.tanh(y) ** 2


class Activation:
    def __init__(self, f, f_prime):
        self.f, self.f_prime = f, f_prime

    def forward(self, x):
        self.x = x
        return self.f(x)

    def backward(self, dout):
        return self.f_prime(self.x) * dout
"""


@pytest.mark.parametrize(
    ("pair", "verdict"), [("tanh", "matches"), ("mse", "refused")], ids=["activation", "loss"]
)
def test_a_layer_of_f_and_f_prime_is_built_with_the_projects_activation_never_its_loss(
    tmp_path: Path, pair: str, verdict: str
) -> None:
    """``Activation(f, f_prime)`` is an activation layer: built with the pair the project defines when
    that pair takes one value (``tanh``, ``tanh_prime``); ``mse(y, y_pred)`` with ``mse_prime`` takes
    two, a loss, which no activation layer is built with."""
    source = FUNCTION_PAIR_LAYER.replace("PAIR", pair)
    if pair == "mse":
        source = source.replace("y_pred=None", "y_pred")
    path = tmp_path / "function_pair.py"
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    results = {r.unit: r for r in check_units(script, discover(script, 0), seed=0).results}
    assert set(results) == {"Activation", pair}, set(results)  # the pair is a unit of its own
    r = results["Activation"]
    assert r.verdict == verdict, r
    assert verdict == "matches" or "defines no pair" in r.reason, r.reason


def test_a_gradient_of_the_padded_shape_is_a_mismatch_naming_both_shapes() -> None:
    s = unit("course_layers_bugs", "conv_naive").settings[0]
    dx = next(o for o in s.outputs if o.name == "dx")
    assert dx.problem == "shape (4, 3, 7, 7), but the input has shape (4, 3, 5, 5)"


@pytest.mark.parametrize(
    ("name", "unit_name", "constant", "verdict"),
    [
        ("losses_bugs", "mse", -1.0, "mismatch"),
        ("losses_bugs", "cross_entropy", 4.0, SCALED),
        ("course_layers_bugs", "svm_loss", 4.0, SCALED),
    ],
)
def test_a_gradient_off_by_a_constant_names_the_constant(
    name: str, unit_name: str, constant: float, verdict: str
) -> None:
    """The sign flipped (c = −1): a mismatch, the loss climbed; the batch mean's 1 / N forgotten
    (c = N = 4 samples): a loss that matches up to that scale."""
    first = unit(name, unit_name).settings[0]
    assert first.verdict == verdict, first.verdict
    found = [o.constant for o in first.outputs if o.verdict == verdict]
    rtol = tolerance_for(np.float64, first.method).rtol
    assert len(found) == 1 and found[0] is not None and abs(found[0] - constant) <= rtol * abs(constant), (
        f"got constants {found}, but should be {constant}"
    )


# --- stubs and refusals ------------------------------------------------------------------------------


def test_an_unimplemented_unit_is_a_stub_naming_its_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "todo.py"
    path.write_text(
        "import numpy as np\n"
        "def affine_forward(x, w, b):\n    out = x @ w + b\n    return out, (x, w)\n"
        "def affine_backward(dout, cache):\n    dx, dw, db = None, None, None\n"
        "    pass\n    return dx, dw, db\n"
        "def relu_forward(x):\n    out = None\n    pass\n    return out, x\n"
        "def relu_backward(dout, cache):\n    return dout * (cache > 0)\n",
        encoding="utf-8",
    )
    script = load_script(path)
    report = check_units(script, discover(script))
    got = {r.unit: (r.verdict, r.reason) for r in report.results}
    assert got == {
        "affine": ("stub", "affine_backward returns None (pass at line 7)"),
        "relu": ("stub", "relu_forward returns None for output 1"),
    }
    assert report.status == 2, "no unit could be checked"


def test_a_template_pass_left_in_written_code_is_no_stub_where_the_code_runs_elsewhere(
    tmp_path: Path,
) -> None:
    # the course's conv backward, written, with the template's `pass` kept, and an unpadding by
    # [pad:-pad] that is empty at pad 0: right at pad 1, raises at pad 0 (a bug, not a placeholder)
    source = (FILES / "course_layers.py").read_text(encoding="utf-8")
    written = source.replace(
        "    dx = dxp[:, :, pad : pad + x.shape[2], pad : pad + x.shape[3]]\n",
        "    pass\n    dx = np.zeros(x.shape)\n    dx[:] = dxp[:, :, pad:-pad, pad:-pad]\n",
    )
    assert written != source
    path = tmp_path / "template.py"
    path.write_text(written, encoding="utf-8")
    script = load_script(path)
    conv = next(r for r in check_units(script, discover(script)).results if r.unit == "conv_naive")
    assert conv.verdict == "mismatch", verdicts(conv)
    assert verdicts(conv)["stride 1, pad 1, 3×3 filters"] == "matches"
    assert verdicts(conv)["pad 0"] == "mismatch" and "raised ValueError" in conv.settings[2].reason


def test_a_backward_that_raises_is_a_mismatch_naming_the_exception_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "raises.py"
    path.write_text(
        "def scale_forward(x):\n    return 2 * x, x\n"
        "def scale_backward(dout, cache):\n    return 2 * dout + cache.missing\n",
        encoding="utf-8",
    )
    script = load_script(path)
    (r,) = check_units(script, discover(script)).results
    assert r.verdict == "mismatch"
    assert r.reason == (
        "scale_backward raised AttributeError: 'numpy.ndarray' object has no attribute 'missing' "
        "at raises.py, line 4"
    )


def test_a_network_of_layer_objects_names_the_first_layer_that_breaks_on_the_way_back() -> None:
    report = checked("network_of_layers")
    assert report.network == (
        "Network at the top level (line 55): backward runs loss_activation "
        "(Activation_Softmax_Loss_CategoricalCrossentropy) → dense2 (Layer_Dense) → activation1 "
        "(Activation_ReLU) → dense1 (Layer_Dense). The first layer that breaks on the way back: dense2 "
        "(Layer_Dense: dbiases differ)."
    )


STATEFUL_LOSS = """
import numpy as np


class MSELoss:
    def forward(self, y_pred, y_true):
        self.y_pred, self.y_true = y_pred, y_true
        return np.mean((y_pred - y_true) ** 2)

    def backward(self):
        return 2 * (self.y_pred - self.y_true) / SIZE
"""


@pytest.mark.parametrize(
    ("size", "verdict"), [("self.y_true.size", "matches"), ("self.y_true.shape[0]", SCALED)]
)
def test_a_loss_object_that_keeps_its_inputs_for_backward_is_checked_as_a_loss(
    tmp_path: Path, size: str, verdict: str
) -> None:
    """forward(y_pred, y_true) keeps both; backward() reads them back: its derivative is what backward
    returns after forward. The mean over every entry has the derivative 2 (p − t) / p.size; dividing by
    the number of samples alone is k × it at k outputs (matches only where k = 1, and up to scale k
    elsewhere)."""
    path = tmp_path / "loss_object.py"
    path.write_text(STATEFUL_LOSS.replace("SIZE", size), encoding="utf-8")
    script = load_script(path)
    units = discover(script, 0)
    assert [(u.name, u.kind) for u in units] == [("MSELoss", "loss")]
    report = check_units(script, units)
    assert report.results[0].verdict == verdict, verdicts(report.results[0])


LOSS_LAYER = """
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.y = e / e.sum(axis=1, keepdims=True)
        return -np.sum(t * np.log(self.y)) / x.shape[0]

    def backward(self, dout=1):
        return dout * (self.y - self.t) / SIZE
"""


@pytest.mark.parametrize(("size", "verdict"), [("self.t.shape[0]", "matches"), ("1", SCALED)])
def test_a_loss_layer_whose_backward_takes_the_loss_upstream_gradient_by_default_is_a_loss(
    tmp_path: Path, size: str, verdict: str
) -> None:
    """Deep Learning from Scratch's loss layers: ``forward(x, t)`` keeps both, ``backward(dout=1)`` is
    called with nothing. The mean cross-entropy of softmax(x) over N samples has the derivative
    (y − t) / N; without the 1/N it is N × it (4 samples: it matches up to scale 4)."""
    path = tmp_path / "loss_layer.py"
    path.write_text(LOSS_LAYER.replace("SIZE", size), encoding="utf-8")
    script = load_script(path)
    units = discover(script, 0)
    assert [(u.name, u.kind) for u in units] == [("SoftmaxWithLoss", "loss")]
    r = check_units(script, units).results[0]
    assert verdicts(r)["4 samples × 3 outputs"] == verdict, verdicts(r)


KEEPDIMS_AFFINE = """
import numpy as np


def dense_forward(x, w, b):
    return x @ w + b, (x, w)


def dense_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, DB
"""


@pytest.mark.parametrize(
    ("db", "verdict", "noted"),
    [
        ("dout.sum(axis=0, keepdims=True)", "matches", True),  # (1, M) for b of (M,): broadcasts
        ("dout.sum(axis=0, keepdims=True).T", "mismatch", False),  # (M, 1): not the input's entries
        ("2 * dout.sum(axis=0, keepdims=True)", "mismatch", True),
    ],
)
def test_a_gradient_with_a_leading_axis_of_size_one_is_compared_by_its_values(
    tmp_path: Path, db: str, verdict: str, noted: bool
) -> None:
    """A bias gradient summed with ``keepdims`` has shape ``(1, M)`` for a bias of shape ``(M,)``; it
    broadcasts onto the bias entry for entry, so its values are compared and the report says so. A
    ``(M, 1)`` gradient does not broadcast so and stays a shape mismatch; a doubled one is a mismatch
    of values."""
    r = only_unit(tmp_path, "keepdims.py", KEEPDIMS_AFFINE.replace("DB", db))
    assert r.verdict == verdict, verdicts(r)
    notes = {o.note for s in r.settings for o in s.outputs if o.note}
    assert bool(notes) == noted, notes


PROTOCOL_LAYERS = """
from typing import Protocol

import numpy as np


class Layer(Protocol):
    def forward(self, x: np.ndarray) -> np.ndarray: ...

    def backward(self, grad: np.ndarray) -> np.ndarray: ...


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad):
        return grad * DERIVATIVE
"""


@pytest.mark.parametrize(
    ("derivative", "verdict"), [("(1 - self.out ** 2)", "matches"), ("(1 - self.out)", "mismatch")]
)
def test_a_typing_protocol_beside_the_layers_is_no_base_class_to_test_against(
    tmp_path: Path, derivative: str, verdict: str
) -> None:
    """``class Layer(Protocol)`` cannot be asked ``issubclass`` of (Python raises for a protocol that is
    not runtime-checkable): the layers beside it are still found and checked."""
    path = tmp_path / "layers.py"
    path.write_text(PROTOCOL_LAYERS.replace("DERIVATIVE", derivative), encoding="utf-8")
    script = load_script(path)
    units = [u for u in discover(script, 0) if "Tanh" in u.name]
    report = check_units(script, units, seed=0)
    assert [r.verdict for r in report.results] == [verdict]


SELF_ERROR_NET = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class TwoLayer:
    def __init__(self, hidden, steps=1000):
        self.W1 = np.random.randn(hidden, 2)
        self.W2 = np.random.randn(1, hidden)
        self.steps = steps

    def forward(self, inputs):
        self.x = inputs
        self.a1 = sigmoid(self.W1 @ inputs)
        self.a2 = sigmoid(self.W2 @ self.a1)
        return self.a2

    def backward(self):
        d2 = (self.a2 - self.y) * self.a2 * (1 - self.a2)
        d1 = (self.W2.T @ d2) * self.a1 * (1 - self.a1)
        self.W2 -= 0.1 * d2 @ self.a1.T
        self.W1 -= 0.1 * d1 @ self.x.T

    def train(self, inputs, labels):
        for _ in range(self.steps):
            self.y = labels
            self.forward(inputs)
            self.backward()


net = TwoLayer(8)
"""


@pytest.mark.parametrize("signature", ["def backward(self):", "def backward(self, dout=1):"])
def test_a_class_whose_backward_takes_no_upstream_gradient_is_no_layer(
    tmp_path: Path, signature: str
) -> None:
    """``backward(self)`` (or ``backward(self, dout=1)``, its argument never given) reads the error the
    network keeps (its own labels): no layer's backward, which takes the upstream gradient. The class
    is not a unit; called as one it is refused, never reported as a mismatch over the call that could
    not be made."""
    path = tmp_path / "selferror.py"
    path.write_text(SELF_ERROR_NET.replace("def backward(self):", signature), encoding="utf-8")
    script = load_script(path)
    assert not [u for u in discover(script, 0) if "TwoLayer" in u.name]
    unit = LayerUnit(script.module.TwoLayer, ("forward", "backward"), script, 0)
    report = check_units(script, [unit], seed=0)
    assert [r.verdict for r in report.results] == ["refused"], report.results
    checked = check_target(CheckRequest.parse(str(path)))  # the network check takes it: mse's step
    assert checked.result.identified == "mse", checked.command


def test_a_call_that_does_not_fit_the_signature_is_refused_and_a_raise_inside_the_code_a_mismatch() -> None:
    """The check calling code with arguments it does not take is the check's failure (refused); the
    code raising on input it takes is the code's (mismatch, naming the exception)."""

    def takes_nothing() -> None:  # a backward that takes no upstream gradient
        return None

    def broken(dout: np.ndarray) -> object:
        return dout.missing  # type: ignore[attr-defined]

    with pytest.raises(InputError) as call:
        user_call("unit.backward", takes_nothing, np.ones(2))
    with pytest.raises(InputError) as inside:
        user_call("unit.backward", broken, np.ones(2))
    assert (failed_verdict(call.value), failed_verdict(inside.value)) == ("refused", "mismatch")
    assert "with arguments it does not take" in str(call.value), call.value


HOMEWORK_PAIR = """
import numpy as np

def FeedForward(X, Y, alpha, beta):
    z = 1 / (1 + np.exp(-X @ alpha.T))
    b = z @ beta.T
    yhat = np.exp(b) / np.exp(b).sum()
    hot_vector = np.zeros(yhat.shape[1])
    hot_vector[int(Y)] = 1
    return yhat, hot_vector, z

def FeedBackward(X, yhat, hot_vector, alpha, beta, z):
    gb = yhat - hot_vector
    gbeta = gb.T @ z
    galpha = ((gb @ beta) * z * (1 - z)).T @ X
    return galpha, gbeta
"""


def test_a_forward_backward_pair_that_takes_one_hot_labels_is_a_network_not_a_unit(tmp_path: Path) -> None:
    """``FeedBackward(X, yhat, hot_vector, …)`` takes the labels (one-hot, named ``hot_vector``) and
    returns weight gradients: a network's pair, not a layer's cache protocol. With no initialisation
    function and no top-level weights, the refusal says that nothing makes the weights."""
    from verification.units.check import wants_units

    path = tmp_path / "homework.py"
    path.write_text(HOMEWORK_PAIR, encoding="utf-8")
    assert wants_units(load_script(path), None) is None
    with pytest.raises(InputError, match="nothing makes the weights FeedForward takes: no initialisation"):
        check_target(CheckRequest.parse(str(path)))


INDEXED_SOFTMAX_LOSS = """
import numpy as np


class Softmax:
    def forward(self, logits, labels):
        self.one_hot = np.zeros(logits.shape).reshape(-1)
        self.one_hot[labels.astype(int).reshape(-1) + np.arange(logits.shape[0]) * logits.shape[1]] = 1.0
        self.one_hot = self.one_hot.reshape(logits.shape)
        shifted = logits - logits.max(axis=1, keepdims=True)
        self.p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        return -np.sum(self.one_hot * np.log(self.p)) / logits.shape[0]

    def backward(self, logits, labels):
        return (self.p - self.one_hot) / logits.shape[0]
"""


def test_a_loss_that_indexes_with_its_labels_is_given_class_indices_first(tmp_path: Path) -> None:
    """The softmax loss builds its one-hot by indexing with ``labels.astype(int)``: one-hot labels of a
    single sample, read so, set two entries and ran, and the correct loss was called a mismatch. A loss
    that indexes with its target argument is given class indices first."""
    path = tmp_path / "indexed_loss.py"
    path.write_text(INDEXED_SOFTMAX_LOSS, encoding="utf-8")
    script = load_script(path)
    report = check_units(script, discover(script, 0), seed=0)
    assert [(r.unit, r.verdict) for r in report.results] == [("Softmax", "matches")], report.results


# A 10-601 homework's style: the sigmoid's backward takes the pre-activation, the activation and the
# upstream gradient (a, z, gz), which the pairing cannot all tell; it must not be called with None and
# then blamed for raising. The backward is correct: a refusal, never a mismatch.
UNFILLED_PAIR = """
import numpy as np


def sigmoid_forward(a):
    z = 1 / (1 + np.exp(-a))
    return z


def sigmoid_backward(a, z, gz):
    dzda = np.exp(-a) / np.square(1 + np.exp(-a))
    return np.multiply(gz, dzda)
"""


def test_a_backward_handed_none_for_an_argument_it_could_not_be_given_is_refused_not_a_mismatch(
    tmp_path: Path,
) -> None:
    r = only_unit(tmp_path, "hw5_units.py", UNFILLED_PAIR)
    assert r.verdict == "refused", r
    assert "cannot tell what sigmoid_backward takes as" in (r.settings[0].reason or ""), r.settings


# A network of layers kept in a list, whose backward(da, lr) steps each layer and returns nothing:
# checked as a layer unit it has no input gradient to compare, and it is no placeholder either. It is
# refused as a training step, never called a stub. A backward that is only `pass` stays a stub.
STEPPING_CONTAINER = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_out, n_in) * 0.5

    def forward(self, x):
        self.x = x
        return np.tanh(self.W @ x)


class Network:
    def __init__(self, sizes):
        self.layers = [Dense(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, da, learning_rate):
        BODY
"""


@pytest.mark.parametrize(
    ("body", "verdict"),
    [("for layer in reversed(self.layers):\n            da = layer.W.T @ da", "refused"), ("pass", "stub")],
    ids=["steps-its-layers", "placeholder"],
)
def test_a_network_backward_that_returns_nothing_is_no_stub_unless_it_is_a_placeholder(
    tmp_path: Path, body: str, verdict: str
) -> None:
    r = only_unit(tmp_path, "model.py", STEPPING_CONTAINER.replace("BODY", body))
    assert r.verdict == verdict, r


# Layer objects that step their own weights (backward(grad_output, learning_rate)), and a network class
# that makes them from sizes and activation names and trains on (x, y): train_step one-hot-encodes the
# class indices and hands (probs − onehot) / n to the softmax layer, which passes it through, so the
# step is the gradient of the mean cross-entropy. The network is checked as a network, not as a unit.
BUILDS_ITS_LAYERS = """
import numpy as np


class DenseLayer:
    def __init__(self, n_in, n_out, activation='relu'):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros(n_out)
        self.activation = activation

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + self.b
        if self.activation == 'relu':
            return np.maximum(self.z, 0)
        e = np.exp(self.z - self.z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward(self, grad_output, learning_rate):
        if self.activation == 'relu':
            grad_output = grad_output * (self.z > 0)
        grad_input = grad_output @ self.W.T
        self.W -= learning_rate * self.x.T @ grad_output
        self.b -= learning_rate * grad_output.sum(axis=0)
        return grad_input


class DenseNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(DenseLayer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output, learning_rate)

    def train_step(self, x_batch, y_batch, learning_rate):
        probs = self.forward(x_batch)
        onehot = np.zeros_like(probs)
        onehot[np.arange(len(y_batch)), y_batch] = 1
        self.backward((probs - onehot) / len(y_batch), learning_rate)


def main():
    model = DenseNetwork(layer_sizes=[784, 128, 10], activations=['relu', 'softmax'])
"""


def test_a_network_that_builds_the_files_layer_units_and_trains_on_inputs_and_labels_is_a_network(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dense_numpy.py"
    path.write_text(BUILDS_ITS_LAYERS, encoding="utf-8")
    assert wants_units(load_script(path), None) is None
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.command


def test_an_activations_constant_with_a_default_is_no_input_of_its_derivative(tmp_path: Path) -> None:
    # leaky_relu(z, alpha) and its derivative in z: 1 where z > 0, alpha elsewhere; alpha is the
    # function's own constant, not an input whose gradient the derivative gives
    source = (
        "import numpy as np\n\n\n"
        "def leaky_relu(z, alpha=0.01):\n    return np.where(z > 0, z, alpha * z)\n\n\n"
        "def leaky_relu_derivative(z, alpha=0.01):\n    return np.where(z > 0, 1, alpha)\n"
    )
    r = only_unit(tmp_path, "act.py", source)
    assert (r.kind, r.verdict) == ("pair", "matches")
    wrong = only_unit(tmp_path, "wrong.py", source.replace("1, alpha)", "1, 0.0)"))
    assert wrong.verdict == "mismatch"  # the slope alpha left out below zero


def test_a_derivative_that_takes_the_labels_beside_an_activation_is_refused_naming_them(
    tmp_path: Path,
) -> None:
    # grad_softmax(x, target) = softmax(x) − target: the cross-entropy's gradient on the scores, fused
    # with the softmax; no derivative of softmax alone, so neither a match nor a mismatch
    source = (
        "import numpy as np\n\n\n"
        "def softmax(x):\n    e = np.exp(x - x.max(axis=1, keepdims=True))\n"
        "    return e / e.sum(axis=1, keepdims=True)\n\n\n"
        "def grad_softmax(x, target):\n    return softmax(x) - target\n"
    )
    r = only_unit(tmp_path, "act.py", source)
    assert r.verdict == "refused"
    assert "grad_softmax takes target, which softmax does not take" in r.settings[0].reason


# fwd/backprop methods, sizes named N, M that only randn(N, M) explains, an update at a module constant
# STEP_SIZE and an L2 term REGU · w added to dw: ∂/∂w of loss + ½ REGU ‖w‖², so a right layer once the
# update is divided by 0.01 (not a default rate) and the penalty is read as one; db without the ReLU's
# mask is wrong wherever a unit is off
MODULE_CONSTANTS = """
import numpy as np

STEP_SIZE = 0.01
REGU = 0.000001


class ReLuLayer(object):
    def __init__(self, N, M):
        self.w = np.random.randn(N, M) / np.sqrt(N / 2)
        self.b = np.zeros((1, M))

    def fwd(self, x):
        self.y = np.maximum(0, np.dot(x, self.w) + self.b)
        self.x = x
        return self.y

    def backprop(self, ds):
        mask = ds * (self.y > 0)
        dx = mask.dot(self.w.T)
        dw = np.dot(self.x.T, mask)
        db = np.sum(DB, axis=0, keepdims=True)
        dw += REGU * self.w
        self.w -= dw * STEP_SIZE
        self.b -= db * STEP_SIZE
        return dx
"""


@pytest.mark.parametrize(("db", "verdict"), [("mask", "matches"), ("ds", "mismatch")])
def test_a_layer_stepping_at_a_module_constant_with_a_module_penalty_is_read_at_both(
    tmp_path: Path, db: str, verdict: str
) -> None:
    r = only_unit(tmp_path, "m.py", MODULE_CONSTANTS.replace("DB", db))
    assert r.verdict == verdict
    if verdict == "matches":
        assert all("lr = 0.01" in s.note and "λ = 1e-06" in s.note for s in r.settings)
    else:
        assert "db" in r.differs


# a bce pair whose derivative adds ε = 1e-8 where it divides: the derivative of the loss to a relative
# ε / (p (1 − p)) ≤ 1e-8 / (0.05 · 0.95) ≈ 2.1e-7 on predictions drawn in [0.05, 0.95], within
# NEAR_MATCH_RTOL; ε = 1e-3 deviates by 1e-3 / (1/4) ≥ 4e-3 and stays a mismatch
BCE_PAIR = """
import numpy as np


def binary_cross_entropy(y_true, y_pred):
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


def binary_cross_entropy_prime(y_true, y_pred):
    return ((1 - y_true) / (1 - y_pred + EPS) - y_true / (y_pred + EPS)) / np.size(y_true)
"""


@pytest.mark.parametrize(("eps", "verdict"), [("0.0", "matches"), ("1e-8", "matches"), ("1e-3", "mismatch")])
def test_a_loss_derivative_with_a_stabilising_constant_matches_with_its_deviation_noted(
    tmp_path: Path, eps: str, verdict: str
) -> None:
    r = only_unit(tmp_path, "bce.py", BCE_PAIR.replace("EPS", eps))
    assert r.verdict == verdict
    noted = any("to a relative" in s.note for s in r.settings)
    assert noted == (eps == "1e-8")


# a layer whose activation is picked by a flag kept in an attribute: every branch is a unit of its own,
# named with the flag's value; the tanh branch writes its derivative 1 − a where 1 − a² is right
FLAGGED = """
import numpy as np


class Layer:
    def __init__(self, n_in, n_out, kind='sig'):
        self.kind = kind
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        z = x @ self.W + self.b
        self.a = 1 / (1 + np.exp(-z)) if self.kind == 'sig' else np.tanh(z) if self.kind == 'tanh' else z
        return self.a

    def backward(self, grad):
        if self.kind == 'sig':
            dz = grad * self.a * (1 - self.a)
        elif self.kind == 'tanh':
            dz = grad * (1 - self.a)
        else:
            dz = grad
        self.dW = self.x.T @ dz
        self.db = dz.sum(axis=0, keepdims=True)
        return dz @ self.W.T
"""


def test_every_branch_a_constructor_flag_picks_is_a_unit_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "layer.py"
    path.write_text(FLAGGED, encoding="utf-8")
    script = load_script(path)
    results = {r.unit: r.verdict for r in check_units(script, discover(script, 0), seed=0).results}
    assert results == {"Layer(kind='sig')": "matches", "Layer(kind='tanh')": "mismatch"}


# flags written the other ways: a value picked from a dict of derivatives by the flag, values listed
# with `in`, and a switch tested for truth; each right branch matches, each planted one (tanh's
# derivative written 1 − tanh z; the leaky slope left out) mismatches
DICT_FLAG = """
import numpy as np


class Dense:
    acts = {'sigmoid': lambda z: 1 / (1 + np.exp(-z)), 'tanh': np.tanh}
    derivs = {'sigmoid': lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, 'tanh': lambda z: 1 - np.tanh(z)}

    def __init__(self, n_in, n_out, act='sigmoid'):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.act = act

    def forward(self, x):
        self.x, self.z = x, x @ self.W
        return self.acts[self.act](self.z)

    def backward(self, dout):
        dz = dout * self.derivs[self.act](self.z)
        self.dW = self.x.T @ dz
        return dz @ self.W.T
"""

SWITCH = """
import numpy as np


class Layer:
    def __init__(self, n_in, n_out, kind='relu', leaky=False):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.kind, self.leaky = kind.lower(), leaky

    def forward(self, x):
        self.x, self.z = x, x @ self.W
        if self.kind in ('relu', 'rectifier'):
            return np.where(self.z > 0, self.z, 0.1 * self.z) if self.leaky else np.maximum(0, self.z)
        return self.z

    def backward(self, dout):
        dz = dout * (self.z > 0) if self.kind in ('relu', 'rectifier') else dout
        self.dW = self.x.T @ dz
        return dz @ self.W.T
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (DICT_FLAG, {"Dense(act='sigmoid')": "matches", "Dense(act='tanh')": "mismatch"}),
        (
            SWITCH,
            {
                "Layer(kind='relu', leaky=False)": "matches",
                "Layer(kind='relu', leaky=True)": "mismatch",
                "Layer(kind='rectifier', leaky=False)": "matches",
                "Layer(kind='rectifier', leaky=True)": "mismatch",
            },
        ),
    ],
    ids=["dict-lookup", "in-and-switch"],
)
def test_flags_looked_up_listed_or_tested_are_each_a_unit(
    tmp_path: Path, source: str, expected: dict[str, str]
) -> None:
    path = tmp_path / "layer.py"
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    assert {r.unit: r.verdict for r in check_units(script, discover(script, 0), seed=0).results} == expected


@pytest.mark.parametrize("order", ["nn_output, correct_output", "correct_output, nn_output"])
@pytest.mark.parametrize(
    ("derivative", "verdict"),
    [("nn_output - correct_output", "matches"), ("correct_output - nn_output", "mismatch")],
)
def test_a_loss_whose_argument_names_hold_a_word_of_the_labels_is_differentiated_in_the_prediction(
    tmp_path: Path, order: str, derivative: str, verdict: str
) -> None:
    # mean((t − a)²) in a: 2 (a − t) / size; its arguments named by words inside longer names, in
    # either order (both hold "output": the labels' word "correct" tells them apart)
    source = (
        "import numpy as np\n\n\n"
        f"def mse({order}):\n    return np.mean(np.power(correct_output - nn_output, 2))\n\n\n"
        f"def mse_prime({order}):\n    return 2 * ({derivative}) / np.size(correct_output)\n"
    )
    r = only_unit(tmp_path, "loss.py", source)
    assert r.verdict == verdict
    assert all("dnn_output" in [o.name for o in s.outputs] for s in r.settings if s.outputs)


@pytest.mark.parametrize("order", ["y, t", "t, y"])
@pytest.mark.parametrize(("derivative", "verdict"), [("y - t", "matches"), ("t - y", "mismatch")])
def test_a_loss_of_y_and_t_is_differentiated_in_y(
    tmp_path: Path, order: str, derivative: str, verdict: str
) -> None:
    # mean((y − t)²) in the output y (t the target, Bishop's notation): 2 (y − t) / size; read the
    # other way round, in t, the right derivative would be called a sign flip
    source = (
        "import numpy as np\n\n\n"
        f"def mse_loss({order}):\n    return np.mean(np.square(y - t))\n\n\n"
        f"def mse_loss_grad({order}):\n    return 2 * ({derivative}) / np.prod(y.shape)\n"
    )
    r = only_unit(tmp_path, "loss.py", source)
    assert r.verdict == verdict
    assert all("dy" in [o.name for o in s.outputs] for s in r.settings if s.outputs)


@pytest.mark.parametrize(
    ("db", "verdict"), [("np.ones((x.shape[0], 1)).T @ dy", "matches"), ("dy[:1]", "mismatch")]
)
def test_a_backward_that_returns_the_inputs_gradient_and_a_list_of_the_parameters(
    tmp_path: Path, db: str, verdict: str
) -> None:
    # return dx, [dw, db]: the input's gradient, then one per parameter in the order the layer makes
    # them; db summed over the batch (a row of ones times dy) is the bias's gradient, the first row
    # alone is not
    source = (
        "import numpy as np\n\n\n"
        "class Linear:\n"
        "    def __init__(self, n_in, n_out):\n"
        "        self.w = np.random.normal(0, 1, (n_in, n_out))\n"
        "        self.b = np.random.normal(0, 1, (1, n_out))\n\n"
        "    def forward(self, x):\n"
        "        return x @ self.w + self.b\n\n"
        "    def backward(self, x, dy):\n"
        f"        return dy @ self.w.T, [x.T @ dy, {db}]\n"
    )
    r = only_unit(tmp_path, "linear.py", source)
    assert r.verdict == verdict


@pytest.mark.parametrize(("scale", "verdict"), [("y.shape[0]", "matches"), ("y.size", SCALED)])
def test_a_loss_of_one_value_per_output_is_their_sum(tmp_path: Path, scale: str, verdict: str) -> None:
    # mean over the samples per output, halved: summed over the outputs, ½ Σ (ŷ − y)² / N, whose
    # gradient is (ŷ − y) / N; divided by every entry's count instead, (ŷ − y) / (N K), is 1/K of it:
    # it matches up to scale
    source = (
        "import numpy as np\n\n\n"
        "class MSE:\n"
        "    def forward(self, y, y_hat):\n"
        "        return np.mean(np.square(y - y_hat), axis=0) / 2\n\n"
        "    def backward(self, y, y_hat):\n"
        f"        return (y_hat - y) / {scale}\n"
    )
    r = only_unit(tmp_path, "mse.py", source)
    assert r.verdict == verdict


FUSED_HEAD = """
import numpy as np


class Softmax_CategoricalCrossEntropy:
    def forward(self, inputs, actuals):
        e = np.exp(inputs - inputs.max(axis=1, keepdims=True))
        self.output = e / e.sum(axis=1, keepdims=True)
        return self.output

    def backward(self, dvalues, actuals):
        samples = len(dvalues)
        if len(actuals.shape) == 2:
            actuals = np.argmax(actuals, axis=1)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), actuals] -= 1
        self.dinputs = self.dinputs / SAMPLES
"""


@pytest.mark.parametrize(("samples", "verdict"), [("samples", "matches"), ("1", "mismatch")])
@pytest.mark.parametrize("name", ["Softmax_CategoricalCrossEntropy", "Activation_Softmax_Loss"])
def test_a_fused_head_whose_labels_are_named_actuals_is_handed_its_softmax_output(
    tmp_path: Path, samples: str, verdict: str, name: str
) -> None:
    """The NNFS book's fused softmax and cross-entropy, its labels named ``actuals``: its ``backward``
    takes the softmax output, not the logits, as ``dvalues``, and gives the gradient of the batch mean;
    read as a loss of its input it was called a mismatch. Without the division it is the sum: wrong."""
    source = FUSED_HEAD.replace("SAMPLES", samples).replace("Softmax_CategoricalCrossEntropy", name)
    r = only_unit(tmp_path, "head.py", source)
    assert (r.kind, r.verdict) == ("layer", verdict), r


NAMED_ACTIVATION = """
import numpy as np


class Relu:
    @staticmethod
    def func(x):
        return np.maximum(0, x)

    @staticmethod
    def grad(x):
        return (x > 0) * 1.0


class Sigmoid:
    @staticmethod
    def func(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def grad(x):
        s = 1 / (1 + np.exp(-x))
        return s * (1 - s)


def get_activation(name):
    return {"relu": Relu, "Sigmoid": Sigmoid}.get(name, Relu)


class Dense:
    def __init__(self, output_size: int, activation: str, input_size: int):
        self.activation = get_activation(activation)
        self.W = np.random.uniform(-0.1, 0.1, (input_size, output_size))
        self.b = np.zeros(output_size)

    def forward(self, x):
        self.last_input = x
        self.last_z = x @ self.W + self.b
        return self.activation.func(self.last_z)

    def backward(self, grad_output):
        grad_z = grad_output * self.activation.grad(AT)
        self.grad_W = self.last_input.T @ grad_z
        self.grad_b = grad_z.sum(axis=0)
        return grad_z @ self.W.T
"""


@pytest.mark.parametrize(
    ("at", "verdict"), [("self.last_z", "matches"), ("self.activation.func(self.last_z)", "mismatch")]
)
def test_a_layer_that_takes_its_activation_by_name_is_built_with_a_name_the_code_accepts(
    tmp_path: Path, at: str, verdict: str
) -> None:
    """``Dense(output_size, activation: str, input_size)`` looks its activation up by name: it is built
    with ``"Sigmoid"`` as the code spells it (smooth, so no probe sits on ReLU's kink). The derivative
    taken of the output instead of the pre-activation is a mismatch (with ReLU, the fallback, it would
    not be: ``relu(z) > 0`` where ``z > 0``)."""
    r = only_unit(tmp_path, "dense.py", NAMED_ACTIVATION.replace("AT", at))
    assert r.verdict == verdict, r


# a dense layer that steps itself at a learning rate with a default (backward(grad, lr=0.001)), with
# momentum whose velocity starts at 0: the first step is −lr·dW, so (W − W') / lr is the gradient only
# at the lr the call was made with; read at an lr the call never passed, it is lr_default / lr of it
DEFAULT_RATE = """
import numpy as np


class LinearLayer:
    def __init__(self, input_channel, output_channel):
        self.w = np.random.randn(input_channel, output_channel)
        self.b = np.zeros(output_channel)
        self.m, self.vw, self.vb = 0.9, 0, 0

    def forward(self, input_data):
        self.x = input_data
        return input_data @ self.w + self.b

    def backward(self, input_d, lr=0.001):
        dw, db = self.x.T @ input_d, np.sum(input_d, axis=0)
        dx = input_d @ self.w.T
        self.vw = self.vw * self.m - dw * lr
        self.vb = self.vb * self.m - db * lr
        self.w += self.vw
        self.b += self.vb
        return dx
"""


def test_a_layer_stepping_at_a_default_learning_rate_is_given_the_rate_it_is_read_at(tmp_path: Path) -> None:
    r = only_unit(tmp_path, "linear.py", DEFAULT_RATE)
    assert r.verdict == "matches", r
    assert all("lr = 0.1" in s.note for s in r.settings)


# a base class whose forward and backward raise NotImplementedError, beside getters that return an empty
# default, and one dense layer deriving from it: the base is no unit (no stub), the layer one
ABSTRACT_BASE = """
import numpy as np


class Layer:
    def forward(self, inputs):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError

    def get_params(self):
        return []


class Dense(Layer):
    def __init__(self, input_dim, output_dim):
        self.W = np.random.randn(input_dim, output_dim)
        self.b = np.zeros((1, output_dim))

    def forward(self, inputs):
        self.x = inputs
        return inputs @ self.W + self.b

    def backward(self, grad_output):
        self.dW = self.x.T @ grad_output
        self.db = np.sum(grad_output, axis=0, keepdims=True)
        return grad_output @ self.W.T

    def get_params(self):
        return [self.W, self.b]
"""


@pytest.mark.parametrize(
    ("getter", "init", "units"),
    [
        ("return []", "", ["Dense"]),
        ("return [0]", "", ["Layer", "Dense"]),
        ("return []", "self.input: list = None\n        self.params = {}", ["Dense"]),
        ("return []", "self.params = {'w': 1}", ["Layer", "Dense"]),
    ],
    ids=["empty getter", "getter of a value", "empty attributes", "an attribute with a value"],
)
def test_an_abstract_base_with_empty_getters_is_no_unit(
    tmp_path: Path, getter: str, init: str, units: list[str]
) -> None:
    """Beside its placeholders, a base may give attributes empty values in its ``__init__``
    (``self.input = None``): still an interface; one that gives them values has something to check."""
    path = tmp_path / "layers.py"
    source = ABSTRACT_BASE.replace("return []", getter, 1)
    if init:
        source = source.replace(
            "class Layer:\n", f"class Layer:\n    def __init__(self):\n        {init}\n\n", 1
        )
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    assert [u.name for u in discover(script, 0)] == units


# Keras-like: layers that step themselves (backward(grad, lr)), a Sequential given them at the top level,
# whose fit hands the last layer (p − Y) / n for softmax scores: the gradient of the mean cross-entropy.
# Its layers alone all match; the bug a reviewer is after may be in fit (the sign of the output error).
SEQUENTIAL = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad, lr=0.01):
        dx = grad @ self.W.T
        self.W -= lr * self.x.T @ grad
        self.b -= lr * grad.sum(axis=0)
        return dx


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad, lr=0.01):
        return grad * (1 - self.out ** 2)


class Sequential:
    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def fit(self, X, Y, epochs=10, lr=0.01):
        for _ in range(epochs):
            z = self.forward(X)
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            grad = ERROR / len(X)
            for layer in reversed(self.layers):
                grad = layer.backward(grad, lr)


model = Sequential(Dense(4, 5), Tanh(), Dense(5, 3))
"""


@pytest.mark.parametrize(("error", "identified"), [("(p - Y)", "cross_entropy"), ("(Y - p)", None)])
def test_a_sequential_container_the_script_builds_of_its_layers_is_the_network(
    tmp_path: Path, error: str, identified: str | None
) -> None:
    path = tmp_path / "sequential.py"
    path.write_text(SEQUENTIAL.replace("ERROR", error), encoding="utf-8")
    assert wants_units(load_script(path), None) is None, "its layers are checked within it"
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command


# an activation pair beside a training function whose loop body lost its indentation: the function is
# left out for its syntax error, and the pair alone would be checked, "1 matches", exit 0, with no word
# of the training code that was never read
BROKEN_TRAIN = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1 + np.exp(-z))


def sigmoid_derivative(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def NAME(X, y, W, lr, n_iter):
    for i in range(n_iter):
    A = sigmoid(X @ W)
    W = W - lr * X.T @ ((A - y) * A * (1 - A))
    return W
"""


@pytest.mark.parametrize(("name", "refused"), [("train", True), ("show_samples", False)])
def test_a_training_function_that_does_not_compile_is_refused_not_left_out_in_silence(
    tmp_path: Path, name: str, refused: bool
) -> None:
    path = tmp_path / "prj.py"
    path.write_text(BROKEN_TRAIN.replace("NAME", name), encoding="utf-8")
    script = load_script(path)
    if refused:
        with pytest.raises(
            InputError, match=r"line 15: expected an indented block .* def train \(lines 13–18\) left out: "
        ):
            wants_units(script, None)
        assert [u.name for u in wants_units(script, "sigmoid") or []] == ["sigmoid"], "named, it is checked"
    else:
        assert [u.name for u in wants_units(script, None) or []] == ["sigmoid"]


# weights as module-level arrays; the gradients are functions of no arguments reading them, with no
# forward to hold them against; the activation pair is the one unit the file holds
GLOBAL_GRADIENTS = """
import numpy as np

def act(x):
    return np.tanh(x)

def act_prime(x):
    return 1 - np.tanh(x) ** 2

X = np.random.uniform(-1, 1, (1, 3))
W1 = np.random.uniform(-1, 1, (3, 4))
W2 = np.random.uniform(-1, 1, (4, 2))
H = act(X @ W1)

def dW2():
    return H.T @ act_prime(H @ W2)

def dW1():
    return X.T @ (act_prime(H @ W2) @ W2.T * act_prime(X @ W1))
"""


def test_gradient_functions_no_unit_covers_are_named_as_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "globals.py"
    path.write_text(GLOBAL_GRADIENTS, encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None and [u.name for u in units] == ["act"], units
    report = check_units(script, units)
    assert [r.verdict for r in report.results] == ["matches"] and report.unchecked == ["dW2", "dW1"], report
    line = units_summary(report)
    said = "not checked: dW2, dW1 (named like gradients; no forward pass was found to hold them against, "
    assert line.endswith(f"1 matches; {said}so this is no verdict on them)"), line
    assert units_json(report)["not_checked"] == ["dW2", "dW1"]


BATCH_LOSS = """
import numpy as np


class MeanSquaredError:
    def forward(self, y_pred, y_true):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def calculate(self, output, y):
        return np.mean(self.forward(output, y))

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = -2 * (y_true - dvalues) / OUTPUTS
        self.dinputs = self.dinputs / samples
"""


@pytest.mark.parametrize(("outputs", "verdict"), [("outputs", "matches"), ("1", SCALED)])
def test_a_loss_written_for_batches_that_raises_on_one_vector_is_not_called_wrong_there(
    tmp_path: Path, outputs: str, verdict: str
) -> None:
    """``len(dvalues[0])`` raises on one vector, which its forward takes: written for batches of
    samples, the loss is right wherever it gives values, and the vector is skipped with the error as
    the reason. Leaving out the ``1 / outputs`` makes every batch a multiple: it matches up to scale, and
    the vector is skipped as before."""
    path = tmp_path / "batch_loss.py"
    path.write_text(BATCH_LOSS.replace("OUTPUTS", outputs), encoding="utf-8")
    script = load_script(path)
    report = check_units(script, discover(script))
    (mse,) = report.results
    got = verdicts(mse)
    assert mse.verdict == verdict, got
    vector = next(s for s in mse.settings if s.setting == "one vector of 5")
    assert vector.verdict == "skipped"
    assert "MeanSquaredError.backward raised TypeError" in vector.reason
    assert got["4 samples × 3 outputs"] == verdict


# a dense layer whose weights sit in wrapper objects (``self.weight.data``), in the style of PyTorch's
# ``nn.Parameter``: the check finds no weight array and guesses inputs; the forward takes an image
# (N, 6, 6, 3) by broadcasting ``x @ W.T`` over the leading axes, and the backward's 2-D ``grad.T @ x``
# then fails, rightly, on an input the layer was never written for. The layer is correct: refused.
WRAPPED = """
import numpy as np


class Tensor:
    def __init__(self, data):
        self.data = data
        self.grad = np.zeros_like(data)


class Linear:
    def __init__(self, i, o):
        self.weight = Tensor(np.random.randn(o, i))
        self.bias = Tensor(np.zeros(o))

    def __call__(self, x):
        self.x = x
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad):
        self.weight.grad += grad.T @ self.x
        self.bias.grad += grad.sum(axis=0)
        return grad @ self.weight.data


layers = [Linear(3, 4), Linear(4, 2)]
"""


def test_a_backward_that_fails_only_on_a_guessed_image_input_is_refused_not_a_mismatch(
    tmp_path: Path,
) -> None:
    r = only_unit(tmp_path, "wrapped.py", WRAPPED)
    assert r.verdict == "refused", (r.verdict, r.reason)
    assert "a guess: no weight of the layer was found to size its input" in str(r.reason), r.reason


# a two-layer network in one class, whose backward takes the labels under a name a layer's upstream
# gradient could have and hands them to a helper of the file beside it: ``Y`` is only passed on, as an
# upstream gradient is. Read as a layer, the backward does not match its forward's Jacobian; read as a
# network, its output delta a − y on a sigmoid output is the gradient of bce, summed over the batch
# (derived by hand): the one reading under which the code is a consistent gradient, so the verdict.
# A block of two weights whose backward multiplies the same ``y`` through (an upstream gradient) matches
# as a layer and is never read as a network.
CHAINED = """
import numpy as np
from deltas import output_delta


class Net:
    def __init__(self, n_in=3, n_hidden=4, n_out=2):
        rng = np.random.default_rng(0)
        self.W1 = rng.standard_normal((n_in, n_hidden))
        self.W2 = rng.standard_normal((n_hidden, n_out))

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.W1)
        self.a = 1 / (1 + np.exp(-(self.h @ self.W2)))
        return self.a

    def backward(self, Y):
        d2 = output_delta(self.a, Y)
        d1 = (d2 @ self.W2.T) * (1 - self.h**2)
        return {"W1": self.X.T @ d1, "W2": self.h.T @ d2}
"""
BLOCK = """
import numpy as np


class Block:
    def __init__(self, n_in=3, n_hidden=4, n_out=2):
        rng = np.random.default_rng(0)
        self.W1 = rng.standard_normal((n_in, n_hidden))
        self.W2 = rng.standard_normal((n_hidden, n_out))

    def forward(self, X):
        self.X = X
        self.h = np.tanh(X @ self.W1)
        return self.h @ self.W2

    def backward(self, y):
        self.dW2 = self.h.T @ y
        dh = (y @ self.W2.T) * (1 - self.h**2)
        self.dW1 = self.X.T @ dh
        return dh @ self.W1.T
"""


def checked_as_the_command_does(path: Path, name: str = "") -> dict:
    """The JSON ``backprop-verify check PATH[:NAME] --json`` prints (the job the command runs, in this
    process: the folder it puts on ``sys.path`` and the modules it imports from there are taken back, so
    that a later test's ``net`` package is not this test's ``net.py``)."""
    before = list(sys.path)
    try:
        return check_job(CheckRequest.parse(f"{path}{name}").to_json())["json"]
    finally:
        sys.path[:] = before
        for module in [
            m for m, v in sys.modules.items() if str(getattr(v, "__file__", "")).startswith(str(path.parent))
        ]:
            del sys.modules[module]


@pytest.mark.parametrize("name", ["", ":Net", ":Net.backward"])
def test_a_class_of_two_weights_whose_layer_reading_fails_is_read_as_a_network(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / "deltas.py").write_text("def output_delta(a, y):\n    return a - y\n", encoding="utf-8")
    (tmp_path / "net.py").write_text(CHAINED, encoding="utf-8")
    shown = checked_as_the_command_does(tmp_path / "net.py", name)
    assert shown.get("identified") == "bce", shown
    assert any("read as a network (its argument the labels)" in n for n in shown["notes"])


def test_a_class_of_two_weights_wrong_under_both_readings_keeps_its_layer_mismatch(tmp_path: Path) -> None:
    """The hidden delta without tanh's derivative: no gradient read as a layer, none as a network."""
    (tmp_path / "deltas.py").write_text("def output_delta(a, y):\n    return a - y\n", encoding="utf-8")
    (tmp_path / "net.py").write_text(CHAINED.replace(" * (1 - self.h**2)", ""), encoding="utf-8")
    shown = checked_as_the_command_does(tmp_path / "net.py")
    assert [(u["unit"], u["verdict"]) for u in shown.get("units", [])] == [("Net", "mismatch")], shown


def test_a_block_of_two_weights_that_multiplies_its_argument_through_is_a_layer(tmp_path: Path) -> None:
    (tmp_path / "block.py").write_text(BLOCK, encoding="utf-8")
    shown = checked_as_the_command_does(tmp_path / "block.py")
    assert [(u["unit"], u["verdict"]) for u in shown["units"]] == [("Block", "matches")], shown


# a container of layers and a builder that fills it: built as a unit with no arguments, the container
# holds an empty list, returns its input and hands back the gradient it is given, which matches the
# identity's Jacobian exactly and says nothing of any layer. Refused; the Dense layer is checked.
CONTAINER = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW, self.db = self.x.T @ grad, grad.sum(axis=0)
        return grad @ self.W.T


class Sequential:
    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad


def build(n_in=3, n_hidden=4, n_out=2):
    return Sequential(Dense(n_in, n_hidden), Dense(n_hidden, n_out))
"""


def test_a_container_built_with_no_layers_is_refused_not_a_match(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(CONTAINER, encoding="utf-8")
    script = load_script(path)
    results = {r.unit: r for r in check_units(script, discover(script, 0), seed=0).results}
    assert results["Dense"].verdict == "matches", results["Dense"].reason
    assert results["Sequential"].verdict == "refused", results["Sequential"].verdict
    assert "a container of no layers" in str(results["Sequential"].reason)


# an activation and its derivative, and a main() that loads its data and trains with them: the file's
# network is the training, whose verdict is the loss; the helpers matching their own derivative says
# nothing of it (with the training wrong, "1 matches", exit 0, was a pass for buggy code). Squared error
# through a sigmoid output: delta2 = (a2 − y) σ'(z2), summed over the batch: mse (derived by hand).
TRAINS_IN_MAIN = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def main():
    data = np.loadtxt("data.csv", delimiter=",")
    X, Y = data[:, :3], data[:, 3:]
    W1 = np.random.randn(3, 4)
    W2 = np.random.randn(4, 2)
    for epoch in range(100):
        z1 = X @ W1
        a1 = sigmoid(z1)
        z2 = a1 @ W2
        a2 = sigmoid(z2)
        delta2 = (a2 - Y) * sigmoid_prime(z2)
        delta1 = (delta2 @ W2.T) * sigmoid_prime(z1)
        W2 -= 0.1 * a1.T @ delta2
        W1 -= 0.1 * X.T @ delta1


if __name__ == "__main__":
    main()
"""


def test_a_file_that_trains_in_a_function_is_checked_as_its_training_not_its_helpers(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(TRAINS_IN_MAIN, encoding="utf-8")
    assert checked_as_the_command_does(path).get("identified") == "mse"


# a hand-worked step at the top level, no loop (the style of worked examples of backpropagation):
# scalar weights, each next value named (w5_new = w5 - eta * dE_dw5), beside an activation and its
# derivative. The step is the network to check, not the helper pair ("1 matches", exit 0, was a pass for
# it): the weights' steps are squared error's gradient through the sigmoids (d_o1 = (o − t) σ'(o), and
# the hidden deltas read w5, w6 before they move), but the biases b1, b2 shape the output and never
# move, so the step as a whole is the gradient of no loss; with no biases it is mse's.
HAND_WORKED = """
import numpy as np

i1, i2 = 0.05, 0.10
t1 = 0.01
w1, w2, w3, w4 = 0.15, 0.20, 0.25, 0.30
w5, w6 = 0.40, 0.45
b1, b2 = 0.35, 0.60
eta = 0.5


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_deriv(out):
    return out * (1 - out)


out_h1 = sigmoid(i1 * w1 + i2 * w2 + b1)
out_h2 = sigmoid(i1 * w3 + i2 * w4 + b1)
out_o1 = sigmoid(out_h1 * w5 + out_h2 * w6 + b2)
d_o1 = (out_o1 - t1) * sigmoid_deriv(out_o1)
w5_new = w5 - eta * d_o1 * out_h1
w6_new = w6 - eta * d_o1 * out_h2
d_h1 = d_o1 * w5 * sigmoid_deriv(out_h1)
d_h2 = d_o1 * w6 * sigmoid_deriv(out_h2)
w1_new = w1 - eta * d_h1 * i1
w2_new = w2 - eta * d_h1 * i2
w3_new = w3 - eta * d_h2 * i1
w4_new = w4 - eta * d_h2 * i2
print(w1_new, w2_new, w3_new, w4_new, w5_new, w6_new)
"""


@pytest.mark.parametrize(("biases", "identified"), [(True, None), (False, "mse")])
def test_a_hand_worked_step_at_the_top_level_is_checked_not_passed_by_its_helpers(
    tmp_path: Path, biases: bool, identified: str | None
) -> None:
    source = HAND_WORKED if biases else HAND_WORKED.replace(" + b1)", ")").replace(" + b2)", ")")
    path = tmp_path / "worked.py"
    path.write_text(source, encoding="utf-8")
    shown = checked_as_the_command_does(path)
    assert "units" not in shown and shown["identified"] == identified, shown.get("identified")
    assert {"w1", "w6"} <= set(shown["parameters"])
    assert ({"b1", "b2"} <= set(shown["parameters"])) == biases  # moved by nothing: a zero gradient


# loss classes whose methods take a stabilising constant with a default besides the two arrays
# (loss(self, predicted, actual, epsilon=1e-12)), as course packages write them: the sum of BCE over the
# outputs, averaged over the samples, has the gradient (−y/p + (1 − y)/(1 − p)) / N. Divided by the
# number of outputs K instead, it is N/K times that, a positive multiple at each shape, up to the ε
# the clip adds; the sign flipped, it climbs the loss.
EPSILON_LOSS = """
import numpy as np


class BCELoss:
    def loss(self, predicted, actual, epsilon=1e-7):
        p = np.clip(predicted, epsilon, 1 - epsilon)
        n = actual.shape[0]
        return -np.sum(actual * np.log(p + epsilon) + (1 - actual) * np.log(1 - p + epsilon)) / n

    def grad(self, predicted, actual, epsilon=1e-7):
        p = np.clip(predicted, epsilon, 1 - epsilon)
        return SIGN(-(actual / p) + (1 - actual) / (1 - p)) / SIZE
"""


@pytest.mark.parametrize(
    ("sign", "size", "verdict"),
    [
        ("", "actual.shape[0]", "matches"),
        ("", "actual.shape[-1]", SCALED),
        ("-", "actual.shape[-1]", "mismatch"),
    ],
)
def test_a_loss_class_with_a_default_epsilon_is_a_loss_and_a_positive_multiple_matches_up_to_scale(
    tmp_path: Path, sign: str, size: str, verdict: str
) -> None:
    path = tmp_path / "loss.py"
    path.write_text(EPSILON_LOSS.replace("SIGN", sign).replace("SIZE", size), encoding="utf-8")
    script = load_script(path)
    units = discover(script, 0)
    assert [(u.name, u.kind) for u in units] == [("BCELoss", "loss")]
    r = check_units(script, units).results[0]
    assert r.verdict == verdict, verdicts(r)
    if verdict == SCALED:  # c = N / K: 4 samples of 3 outputs, one sample of 4 outputs
        notes = {s.setting: s.note for s in r.settings}
        for setting, (samples, outputs) in {
            "4 samples × 3 outputs": (4, 3),
            "one sample of 4 (1, 4)": (1, 4),
        }.items():
            assert f"(c: dpredicted {samples / outputs:.6g})" in notes[setting], notes


# a file that only assembles a network of its project's layer classes, with no passes and no training of
# its own: its layers hold all the backward code, and are checked as units, named with their file. The
# sigmoid's backward multiplies by s(1 − s) of its input where its output's is needed: a mismatch.
COMPOSED_LAYERS = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out)
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T


class Sigmoid:
    def forward(self, x):
        self.x = x
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, grad):
        return grad * SLOPE
"""
BUILDER = """
from module.layers import Linear, Sigmoid


class Network:
    def __init__(self, sizes):
        self.layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layers.append(Linear(n_in, n_out))
            self.layers.append(Sigmoid())
"""


@pytest.mark.parametrize(
    ("slope", "sigmoid"), [("self.out * (1 - self.out)", "matches"), ("self.x * (1 - self.x)", "mismatch")]
)
def test_the_project_layers_a_file_only_assembles_are_checked_as_its_units(
    tmp_path: Path, slope: str, sigmoid: str
) -> None:
    (tmp_path / "module").mkdir()
    (tmp_path / "module" / "layers.py").write_text(COMPOSED_LAYERS.replace("SLOPE", slope), encoding="utf-8")
    (tmp_path / "module" / "network.py").write_text(BUILDER, encoding="utf-8")
    shown = checked_as_the_command_does(tmp_path / "module" / "network.py")
    verdicts = {u["unit"]: u["verdict"] for u in shown["units"]}
    assert verdicts == {"Linear (module/layers.py)": "matches", "Sigmoid (module/layers.py)": sigmoid}


def test_a_hand_worked_step_that_cannot_be_read_is_refused_saying_so(tmp_path: Path) -> None:
    """Inputs named like nothing (``p``, ``q``): the step cannot be read off, and the helper pair does
    not stand in for it."""
    path = tmp_path / "worked.py"
    source = (
        HAND_WORKED.replace("i1, i2 = 0.05, 0.10", "p, q = 0.05, 0.10").replace("i1", "p").replace("i2", "q")
    )
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InputError, match="nor its one hand-worked step of the weights"):
        checked_as_the_command_does(path)


# the derivative of the sum of BCE over the outputs, averaged over the samples, divided by the outputs
# instead (N/K times the gradient) and with ε = 2e-5 added where it divides: a stabilising constant
# that deviates by ε/p, several times NEAR_MATCH_RTOL at the probes' predictions (0.05, 0.95). Up to
# scale or not, a deviation beyond the near-match allowance is a mismatch; within ten times it, the
# resolution this test pins.
WIDE_EPSILON = """
import numpy as np


class BCELoss:
    def loss(self, predicted, actual):
        n = actual.shape[0]
        return -np.sum(actual * np.log(predicted) + (1 - actual) * np.log(1 - predicted)) / n

    def grad(self, predicted, actual):
        return ((1 - actual) / (1 - predicted + 2e-5) - actual / (predicted + 2e-5)) / actual.shape[-1]
"""


def test_a_scaled_loss_derivative_beyond_the_near_match_allowance_is_a_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "loss.py"
    path.write_text(WIDE_EPSILON, encoding="utf-8")
    script = load_script(path)
    r = check_units(script, discover(script, 0)).results[0]
    assert r.verdict == "mismatch", verdicts(r)
    errors = [o.scaled_error for s in r.settings for o in s.outputs if o.scaled_error is not None]
    assert errors and NEAR_MATCH_RTOL < max(errors) < 10 * NEAR_MATCH_RTOL, errors
