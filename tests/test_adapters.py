"""Calling conventions: the gradient recovered from someone's code equals the reference backprop's."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from ffnn.backprop import backward
from ffnn.network import Network
from ffnn.validation import InputError
from verification.subjects.adapters import adapt, subject_from_network
from verification.subjects.conventions import AdapterOptions, parse_init_args, parse_shapes
from verification.subjects.loader import load_script, load_target
from verification.tolerances import tolerance_for

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ROUNDING = tolerance_for(np.float64, "rounding")

HEADER = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

class Net:
    def __init__(self, lr=0.1):
        rng = np.random.default_rng(1)
        self.W1 = rng.standard_normal((4, 3))
        self.W2 = rng.standard_normal((3, 2))
        self.lr = lr

    def forward(self, x):
        self.a1 = sigmoid(x @ self.W1)
        self.a2 = sigmoid(self.a1 @ self.W2)
        return self.a2
"""


def script(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "net.py"
    path.write_text(
        textwrap.dedent(header) + textwrap.indent(textwrap.dedent(body), "    "), encoding="utf-8"
    )
    return path


def subject_of(path: Path, name: str = "Net", **options: object):  # type: ignore[no-untyped-def]
    loaded, code = load_target(f"{path}:{name}")
    return adapt(code, AdapterOptions(**options), loaded)  # type: ignore[arg-type]


def reference(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, rule: str) -> dict:
    net = Network([params["W1"], params["W2"]], ("sigmoid", "sigmoid"))
    return backward(net, x, y, rule=rule)


def draw(subject, seed: int = 3):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    params = {n: rng.standard_normal(p.shape) for n, p in subject.parameters.items()}
    x = rng.standard_normal((1, subject.n_inputs))
    return params, x, rng.uniform(0, 1, (1, 3 if subject.n_inputs == 30 else 2))


def assert_recovered(got: dict, want: dict, params: dict, lr: float) -> None:
    for name in want:
        # (W_before − W_after) / lr carries the rounding of the update, ε·|W|, divided by lr
        atol = ROUNDING.rtol * float(np.max(np.abs(params[name]))) / lr
        np.testing.assert_allclose(got[name], want[name], rtol=ROUNDING.rtol, atol=atol, err_msg=name)


@pytest.mark.parametrize(
    ("example", "rule"), [("question_chain", "chain"), ("question_shortcut", "shortcut")]
)
def test_question_convention_recovers_the_gradient_from_the_update(example: str, rule: str) -> None:
    subject = subject_of(EXAMPLES / f"{example}.py", "NeuralNetwork")
    assert subject.convention == "update-error, lr = 0.1"
    assert {n: p.shape for n, p in subject.parameters.items()} == {"W1": (30, 5), "W2": (5, 3)}
    assert subject.n_inputs == 30
    params, x, y = draw(subject)
    got = subject.gradient(params, x, y)
    assert_recovered(got, reference(params, x, y, rule), params, 0.1)
    again = subject.gradient(params, x, y)  # the weights were restored: probes are independent
    for n in got:
        np.testing.assert_array_equal(again[n], got[n])


def test_constructor_arguments_come_from_the_scripts_own_call() -> None:
    loaded, cls = load_target(f"{EXAMPLES / 'question_chain.py'}:NeuralNetwork")
    from verification.subjects.conventions import constructor_arguments

    assert constructor_arguments(cls, loaded) == (30, 5, 3)


CONVENTIONS = {
    "update-flipped-error": """
    def backward(self, x, error):
        d2 = error * self.a2 * (1 - self.a2)
        d1 = (d2 @ self.W2.T) * self.a1 * (1 - self.a1)
        self.W2 += self.lr * self.a1.T @ d2
        self.W1 += self.lr * x.T @ d1
    """,
    "update-labels": """
    def backward(self, x, y):
        d2 = (self.a2 - y) * self.a2 * (1 - self.a2)
        d1 = (d2 @ self.W2.T) * self.a1 * (1 - self.a1)
        self.W2 = self.W2 - self.lr * self.a1.T @ d2
        self.W1 = self.W1 - self.lr * x.T @ d1
    """,
    "return-labels": """
    def backward(self, x, target):
        d2 = (self.a2 - target) * self.a2 * (1 - self.a2)
        d1 = (d2 @ self.W2.T) * self.a1 * (1 - self.a1)
        return self.a1.T @ d2, x.T @ d1
    """,
    "return-error": """
    def gradients(self, x, err):
        d2 = err * self.a2 * (1 - self.a2)
        return {"dW1": x.T @ ((d2 @ self.W2.T) * self.a1 * (1 - self.a1)), "dW2": self.a1.T @ d2}
    """,
}


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_conventions_are_detected_and_recover_the_chain_gradient(tmp_path: Path, convention: str) -> None:
    subject = subject_of(script(tmp_path, CONVENTIONS[convention]))
    assert subject.convention.split(",")[0] == convention
    params, x, y = draw(subject)
    assert_recovered(subject.gradient(params, x, y), reference(params, x, y, "chain"), params, 0.1)


def test_convention_can_be_overridden(tmp_path: Path) -> None:
    body = "def learn(self, x, foo):\n    self.W2 -= self.lr * self.a1.T @ (self.a2 - foo)\n"
    subject = subject_of(script(tmp_path, body), backward="learn", convention="update-labels")
    assert subject.convention.startswith("update-labels")


def test_output_stored_in_an_attribute(tmp_path: Path) -> None:
    header = HEADER.replace("        return self.a2\n", "")
    body = CONVENTIONS["update-labels"]
    subject = subject_of(script(tmp_path, body, header))
    assert "output read from attribute 'a2'" in subject.notes
    params, x, y = draw(subject)
    assert_recovered(subject.gradient(params, x, y), reference(params, x, y, "chain"), params, 0.1)


@pytest.mark.parametrize(
    ("body", "header_change", "message"),
    [
        (CONVENTIONS["update-labels"], ("lr=0.1", "lr=0.0"), r"learning rate lr = 0\.0"),
        (
            "def backward(self, x, error):\n    raise ValueError('boom')\n",
            None,
            r"Net\.backward raised ValueError: boom",
        ),
        (CONVENTIONS["update-labels"], ("return self.a2", "return self.a2 * np.nan"), r"non-finite"),
        ("def backward(self, x, y):\n    return self.W1, self.W1\n", None, r"returned|shape"),
        (
            "def backward(self, x, error):\n    self.W2 -= self.a1.T @ error\n",
            ("self.lr = lr", "self.rate_ = lr"),
            "no learning rate was found",
        ),
        ("def backward(self, x, y):\n    return None\n", ("self.lr = lr", "self.rate_ = lr"),
         r"returned None; the weights never changed"),
        ("def backward(self, x, y):\n    return 'hello'\n", ("self.lr = lr", "self.rate_ = lr"),
         r"returned str 'hello'; the weights never changed"),
        ("def backward(self, x, error):\n    pass\n", None, r"the weights never changed"),
        (
            CONVENTIONS["return-labels"].replace("return self.a1.T @ d2,", "return 0j + self.a1.T @ d2,"),
            None,
            r"complex gradient of W2",
        ),
        ("def backward(self, x, y):\n    import sys\n    sys.exit(3)\n", None,
         r"Net\.backward called sys\.exit\(3\) at net\.py, line \d+$"),
        ("def backward(self, x, y):\n    raise ValueError('shapes (3,2) \\n ')\n", None,
         r"ValueError: shapes \(3,2\) at net\.py"),
        (
            "def backward(self):\n    return {}\n",
            None,
            r"Net\.backward was called as the backward pass, backward\(x, error\) \(--backward\) with",
        ),
    ],
    ids=[
        "zero-lr", "raises", "non-finite-output", "wrong-shapes", "no-lr", "returns-none", "returns-str",
        "updates-nothing", "complex-gradient", "sys-exit", "message-spaces", "wrong-arguments",
    ],
)
def test_bad_code_raises_one_line_input_error(
    tmp_path: Path, body: str, header_change: tuple[str, str] | None, message: str
) -> None:
    header = HEADER if header_change is None else HEADER.replace(*header_change)
    with pytest.raises(InputError, match=message) as info:
        subject = subject_of(script(tmp_path, body, header))
        params, x, y = draw(subject)
        subject.gradient(params, x, y)
    assert "\n" not in str(info.value)


def test_name_error_points_at_the_skipped_top_level_line(tmp_path: Path) -> None:
    header = HEADER.replace(
        "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))", "sigmoid = np.vectorize(lambda z: z)"
    )
    with pytest.raises(
        InputError, match=r"'sigmoid' is set by top-level line 4, which the loader does not run"
    ):
        subject_of(script(tmp_path, CONVENTIONS["update-labels"], header))


def test_constructor_without_arguments_asks_for_them(tmp_path: Path) -> None:
    header = HEADER.replace("def __init__(self, lr=0.1):", "def __init__(self, n, lr=0.1):")
    path = script(tmp_path, CONVENTIONS["update-labels"], header)
    with pytest.raises(InputError, match="give the constructor's arguments"):
        subject_of(path)
    assert subject_of(path, init_args=parse_init_args("7")).parameters["W1"].shape == (4, 3)


def test_plain_function_of_the_weights(tmp_path: Path) -> None:
    subject = subject_of(EXAMPLES / "weights_as_functions.py", "backward")
    assert subject.convention == "return-labels (function)"
    assert {n: p.shape for n, p in subject.parameters.items()} == {"W1": (30, 5), "W2": (5, 3)}
    params, x, y = draw(subject)
    assert_recovered(subject.gradient(params, x, y), reference(params, x, y, "chain"), params, 1.0)


def test_plain_function_needs_a_forward_and_shapes(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_text("def grads(W1, W2, x, y):\n    return W1, W2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no forward function of W1, W2 and x found for grads"):
        subject_of(path, "grads")
    path.write_text(path.read_text() + "def predict(x, W1, W2):\n    return x @ W1 @ W2\n", encoding="utf-8")
    with pytest.raises(InputError, match="the shapes of W1, W2 are unknown"):
        subject_of(path, "grads")
    subject = subject_of(path, "grads", shapes=parse_shapes("W1=4x3,W2=3x2"))
    assert subject.n_inputs == 4 and subject.parameters["W2"].shape == (3, 2)


def test_subject_from_network_follows_the_reference() -> None:
    net = Network.initialise((3, 4, 2), ("tanh", "sigmoid"), seed=0, bias=True)
    subject = subject_from_network(net, lambda n, x, y: backward(n, x, y, rule="chain"))
    assert subject.backward_order == ["W2", "b2", "W1", "b1"]
    x, y = np.ones((2, 3)), np.full((2, 2), 0.5)
    got = subject.gradient(net.parameters(), x, y)
    want = backward(net, x, y, rule="chain")
    for n in want:
        np.testing.assert_array_equal(got[n], want[n])


def test_parse_init_args() -> None:
    assert parse_init_args("30, 5, 3") == (30, 5, 3)
    assert parse_init_args(None) is None
    with pytest.raises(InputError, match="init-args"):
        parse_init_args("open('x')")


def test_loaded_script_is_reusable(tmp_path: Path) -> None:
    path = script(tmp_path, CONVENTIONS["return-labels"])
    loaded = load_script(path)
    a, b = adapt(loaded.get("Net"), script=loaded), adapt(loaded.get("Net"), script=loaded)
    assert a.parameters.keys() == b.parameters.keys()


TUTORIAL = """
import numpy as np

class Neural_Network(object):
    def __init__(self):
        self.inputSize, self.outputSize, self.hiddenSize = 2, 1, 3
        self.W1 = np.random.randn(self.inputSize, self.hiddenSize)
        self.W2 = np.random.randn(self.hiddenSize, self.outputSize)
        self.a1 = np.zeros((1, 3))  # preallocated, written in place by forward: not a weight

    def forward(self, X):
        self.z = np.dot(X, self.W1)
        self.a1[...] = self.sigmoid(self.z)
        self.z3 = np.dot(self.a1, self.W2)
        return self.sigmoid(self.z3)

    def sigmoid(self, s):
        return 1 / (1 + np.exp(-s))

    def sigmoidPrime(self, s):
        return s * (1 - s)

    def backward(self, X, y, o):
        self.o_error = y - o
        self.o_delta = self.o_error * self.sigmoidPrime(o)
        self.z2_delta = self.o_delta.dot(self.W2.T) * self.sigmoidPrime(self.a1)
        self.W1 += X.T.dot(self.z2_delta)
        self.W2 += self.a1.T.dot(self.o_delta)
"""


def test_tutorial_style_backward_with_output_argument_and_no_learning_rate(tmp_path: Path) -> None:
    path = tmp_path / "tutorial.py"
    path.write_text(TUTORIAL, encoding="utf-8")
    with pytest.raises(InputError, match="no learning rate was found"):
        subject_of(path, "Neural_Network").gradient  # noqa: B018
    subject = subject_of(path, "Neural_Network", lr="1")
    assert list(subject.parameters) == ["W1", "W2"]
    assert subject.convention == "update-labels, lr = 1"
    params, x, _ = draw(subject)
    y = np.array([[0.3]])
    assert_recovered(subject.gradient(params, x, y), reference(params, x, y, "chain"), params, 1.0)


def test_parse_shapes() -> None:
    assert parse_shapes("W1=30x5, b1=5") == {"W1": (30, 5), "b1": (5,)}
    with pytest.raises(InputError, match="W1=30x5"):
        parse_shapes("W1:30,5")


def test_options_are_validated_and_named(tmp_path: Path) -> None:
    path = script(tmp_path, CONVENTIONS["update-labels"])
    cases = [
        ({"output": "nope"}, r"output attribute 'nope' \(--output\): Net has no attribute 'nope'"),
        ({"n_inputs": 5}, r"number of inputs 5 \(--inputs\) does not fit Net"),
        ({"n_inputs": 0}, r"--inputs\) must be a whole number ≥ 1, got 0"),
        ({"lr": "nosuchattr"}, r"'nosuchattr' \(--lr\) is neither a number nor an attribute of Net"),
        ({"shapes": parse_shapes("W1=3x4")}, r"--shapes is for functions .*Net is a class"),
    ]
    for options, message in cases:
        with pytest.raises(InputError, match=message):
            subject_of(path, **options)


def test_warnings_of_the_code_under_check_are_silenced(tmp_path: Path) -> None:
    header = HEADER.replace("self.lr = lr", "self.lr = lr\n        self.W1[0, 0] = np.inf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning reaching here would raise instead
        with pytest.raises(InputError, match="non-finite"):
            subject = subject_of(script(tmp_path, CONVENTIONS["update-labels"], header))
            subject.forward(subject.parameters, np.ones((1, 4)))


def test_keyboard_interrupt_still_interrupts(tmp_path: Path) -> None:
    body = "def backward(self, x, y):\n    raise KeyboardInterrupt\n"
    with pytest.raises(KeyboardInterrupt):
        subject_of(script(tmp_path, body))


def test_adapted_code_is_real_only(tmp_path: Path) -> None:
    assert subject_of(script(tmp_path, CONVENTIONS["update-labels"])).real_only
