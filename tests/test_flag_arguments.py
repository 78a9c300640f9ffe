"""A constructor argument that picks a branch and that only its comparisons explain: compared in the
constructor (``if init_flag == '1':``) or kept in an attribute that another method compares
(``self.kind = kind`` … ``if self.kind == 'sig':``). A network the file never builds is checked once
per value, each a network of its own. The network is written for the tests in that style; its
verdicts are derived by hand in the comment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ffnn.validation import InputError
from verification.cli import main
from verification.identification import several as several_module
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.flags import compared_constant
from verification.reading.guesses import guessed_arguments
from verification.reading.targets import SeveralSetups

# rows; the activation picked by name in set_function; output error (a − t) ⊙ f'(a) with f' written of
# the activation (s (1 − s) for 'sig'): the gradient of mse; an update with + lr · (t − a) terms
NETWORK = """
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_prime(s):
    return s * (1 - s)


def tanh_prime(t):
    return 1 - t ** 2


class MLP:
    def __init__(self, n_inputs, n_hidden_units, n_outputs, type_of_act_f):
        self.kind = type_of_act_f
        self.Wl = np.random.uniform(-0.5, 0.5, (n_inputs, n_hidden_units))
        self.Wu = np.random.uniform(-0.5, 0.5, (n_hidden_units, n_outputs))
        self.set_function()

    def set_function(self):
        if self.kind == 'sig':
            self.f, self.f_prime = sigmoid, sigmoid_prime
        elif self.kind == 'tanh':
            self.f, self.f_prime = np.tanh, tanh_prime

    def feedforward(self, x):
        self.x = x
        self.H = self.f(x @ self.Wl)
        self.O = self.f(self.H @ self.Wu)
        return self.O

    def backpropagation(self, target, learning_rate):
        gradient = (target - self.O) * self.f_prime(self.O)
        hidden = (gradient @ self.Wu.T) * self.f_prime(self.H)
        self.Wu += learning_rate * self.H.T @ gradient
        self.Wl += learning_rate * self.x.T @ hidden
"""


def test_a_flag_kept_in_an_attribute_makes_one_network_per_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(NETWORK, encoding="utf-8")
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(str(path)))
    assert [s.split("type_of_act_f=")[1][:6] for s in several.value.setups] == ["'sig')", "'tanh'"]
    assert main(["check", str(path), "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "MLP with type_of_act_f=sig",
        "MLP with type_of_act_f=tanh",
    ]
    assert all("is the gradient of mse" in line for line in lines)  # tanh' = 1 − t² of the activation too


def test_a_comparison_in_another_function_is_not_read_as_the_arguments() -> None:
    def make(kind):  # compared nowhere: no value
        return kind

    assert compared_constant(make, "kind") is None


# the flag has a default, 'tanh', and is compared only with 'sigmoid' (in conditional expressions): the
# default's branch is right (tanh' = 1 − a²), the sigmoid branch takes σ' of the pre-activation z(1 − z),
# so it is the gradient of no loss; left out, the flag would hide that branch behind the default's mse
DEFAULTED = """
import numpy as np


class MLP:
    def __init__(self, n_in=4, n_hidden=6, n_out=2, activation="tanh"):
        self.W1 = np.random.randn(n_in, n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out)
        self.activation = activation

    def forward(self, X):
        self.z1 = X @ self.W1
        self.a1 = 1 / (1 + np.exp(-self.z1)) if self.activation == "sigmoid" else np.tanh(self.z1)
        self.out = self.a1 @ self.W2
        return self.out

    def backward(self, X, Y):
        d = self.out - Y
        fp = self.z1 * (1 - self.z1) if self.activation == "sigmoid" else 1 - self.a1 ** 2
        return X.T @ ((d @ self.W2.T) * fp), self.a1.T @ d
"""


def test_a_flag_with_a_default_is_checked_at_the_default_and_at_every_value_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(DEFAULTED, encoding="utf-8")
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(str(path)))
    assert several.value.setups == ["net = MLP(activation='tanh')", "net = MLP(activation='sigmoid')"]
    assert main(["check", str(path), "-q"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1) for line in lines] == [
        [
            "MLP with activation=tanh",
            "MLP.backward is the gradient of mse: ℓ = ½ Σ_k (a_k − y_k)²; summed over "
            "the batch (× n at a batch of n samples, checked at 3)",
        ],
        [
            "MLP with activation=sigmoid",
            "MLP.backward is the gradient of none of the catalog losses (nor a multiple of one)",
        ],
    ]


# the flag is handed to a loss class (self.loss = Loss(loss)) whose methods compare it: the default
# branch, bce, is right ((a − y) / (a (1 − a)) times σ'); the mse branch has a typo, a − y·a, the
# gradient of no loss; the network is checked once per value the loss class compares
HANDED = """
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Loss:
    def __init__(self, kind="bce"):
        self.kind = kind

    def derivative(self, a, y):
        if self.kind == "mse":
            return a - y * a
        elif self.kind == "bce":
            return (a - y) / (a * (1 - a))


class Net:
    def __init__(self, n_in=4, n_h=5, n_out=2, loss="bce", lr=0.1):
        self.W1 = np.random.randn(n_in, n_h) * 0.5
        self.W2 = np.random.randn(n_h, n_out) * 0.5
        self.loss = Loss(loss)

    def forward(self, X):
        self.H = np.tanh(X @ self.W1)
        self.A = sigmoid(self.H @ self.W2)
        return self.A

    def backward(self, X, Y):
        A = self.forward(X)
        dZ2 = self.loss.derivative(A, Y) * A * (1 - A)
        dH = dZ2 @ self.W2.T * (1 - self.H ** 2)
        return {"W1": X.T @ dH, "W2": self.H.T @ dZ2}
"""


def test_a_flag_handed_to_a_class_that_compares_it_is_checked_at_each_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "net.py"
    path.write_text(HANDED, encoding="utf-8")
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(f"{path}:Net"))
    assert several.value.setups == ["net = Net(loss='bce')", "net = Net(loss='mse')"]
    assert main(["check", f"{path}:Net", "-q"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["Net with loss=bce", "Net with loss=mse"]
    assert "is the gradient of bce" in lines[0] and "is the gradient of none" in lines[1]


# the flag picks the activation; the constructor pairs each hidden layer with the next by hand, a chain
# only for three sizes (the guess [4, 5, 5, 3] fails, [4, 5, 3] is taken for each branch). The output
# delta (a − y) f'(a) with f' of the activation's output: mse, for tanh and for the logistic alike
PAIRED = """
import numpy as np


def logistic(x):
    return 1 / (1 + np.exp(-x))


def logistic_derivative(a):
    return a * (1 - a)


def tanh_derivative(a):
    return 1 - a ** 2


class NeuralNetwork:
    def __init__(self, layers, activation="tanh"):
        if activation == "logistic":
            self.f = logistic
            self.df = logistic_derivative
        elif activation == "tanh":
            self.f = np.tanh
            self.df = tanh_derivative
        self.weights = []
        for i in range(1, len(layers) - 1):
            self.weights.append(0.5 * np.random.randn(layers[i - 1], layers[i]))
            self.weights.append(0.5 * np.random.randn(layers[i], layers[i + 1]))

    def predict(self, X):
        self.a = [X]
        for W in self.weights:
            self.a.append(self.f(self.a[-1] @ W))
        return self.a[-1]

    def backward(self, X, y):
        out = self.predict(X)
        delta = (out - y) * self.df(out)
        grads = [self.a[0].T @ (delta @ self.weights[1].T * self.df(self.a[1])), self.a[1].T @ delta]
        return grads
"""


def test_each_branch_of_a_flag_is_built_with_the_first_sizes_that_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bp.py"
    path.write_text(PAIRED, encoding="utf-8")
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(str(path)))
    assert several.value.alternatives[1] == [
        "net = NeuralNetwork(layers=[4, 5, 5, 3], activation='logistic')",
        "net = NeuralNetwork(layers=[4, 5, 5, 1], activation='logistic')",
        "net = NeuralNetwork(layers=[4, 5, 3], activation='logistic')",
        "net = NeuralNetwork(layers=[4, 5, 1], activation='logistic')",
    ]
    assert main(["check", str(path), "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        ["NeuralNetwork with activation=tanh", "NeuralNetwork.backward is the gradient of mse"],
        ["NeuralNetwork with activation=logistic", "NeuralNetwork.backward is the gradient of mse"],
    ]


# the weights made after the constructor, by a method given the input width; rows, a sigmoid output and
# an output error a − y averaged over the batch: the gradient of bce, at either hidden activation (the
# derivative of each written of its pre-activation)
DEFERRED = """
import numpy as np


class MLP:
    def __init__(self, n_hidden=100, activation="sigmoid"):
        self.n_hidden, self.activation = n_hidden, activation
        self.W1 = self.W2 = None

    def _initialize_weights(self, input_dim):
        self.W1 = np.random.randn(input_dim, self.n_hidden)
        self.W2 = np.random.randn(self.n_hidden, 1)

    def _act(self, z):
        return np.tanh(z) if self.activation == "tanh" else 1 / (1 + np.exp(-z))

    def _act_prime(self, z):
        return 1 - np.tanh(z) ** 2 if self.activation == "tanh" else self._act(z) * (1 - self._act(z))

    def forward(self, X):
        self.z1 = X @ self.W1
        self.h = self._act(self.z1)
        return 1 / (1 + np.exp(-(self.h @ self.W2)))

    def backward(self, X, y, out):
        e = (out - y.reshape(-1, 1)) / X.shape[0]
        d1 = (e @ self.W2.T) * self._act_prime(self.z1)
        return {"W1": X.T @ d1, "W2": self.h.T @ e}
"""


def test_each_branch_of_a_flag_makes_its_weights_with_the_method_that_makes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(DEFERRED, encoding="utf-8")
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(str(path)))
    assert all(any("_initialize_weights(input_dim=" in s for s in a) for a in several.value.alternatives)
    assert main(["check", str(path), "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = ["MLP with activation=sigmoid", "MLP with activation=tanh"]
    assert [line.split(":")[0] for line in lines] == names
    assert all("is the gradient of bce" in line for line in lines), lines


def test_each_branch_is_first_built_the_way_the_branch_before_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(DEFERRED, encoding="utf-8")
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(str(path)))
    tried: list[str] = []

    def counted(one: CheckRequest, progress: object = None) -> object:
        tried.append(one.options.setup or "")
        return check_target(one)

    monkeypatch.setattr(several_module, "check_target", counted)
    report = several_module.check_each(CheckRequest.parse(str(path)), several.value)
    assert [r.result.identified for r in report.reports] == ["bce", "bce"]
    first = several.value.alternatives[0]
    works = next(k for k, s in enumerate(first) if "_initialize_weights(input_dim=" in s)
    assert len(tried) == works + 2, "the first branch tries each in turn, the second the one that worked"
    assert tried[-1] == several.value.alternatives[1][works]


# five values of a flag, each branch making the same broken network (its forward pass reads an attribute
# no branch sets): three setups in a row fail alike, and the other two are not tried
BROKEN_BRANCHES = NETWORK.replace(
    """        elif self.kind == 'tanh':
            self.f, self.f_prime = np.tanh, tanh_prime""",
    """        elif self.kind == 'tanh':
            self.f, self.f_prime = np.tanh, tanh_prime
        elif self.kind == 'relu':
            self.f, self.f_prime = np.tanh, tanh_prime
        elif self.kind == 'elu':
            self.f, self.f_prime = np.tanh, tanh_prime
        elif self.kind == 'selu':
            self.f, self.f_prime = np.tanh, tanh_prime""",
).replace("self.H = self.f(x @ self.Wl)", "self.H = self.f(x @ self.Wmissing)")


def test_setups_that_fail_alike_three_in_a_row_end_the_check_of_the_others(tmp_path: Path) -> None:
    path = tmp_path / "mlp.py"
    path.write_text(BROKEN_BRANCHES, encoding="utf-8")
    assert BROKEN_BRANCHES.count("elif self.kind") == 4 and "Wmissing" in BROKEN_BRANCHES
    with pytest.raises(SeveralSetups) as several:
        check_target(CheckRequest.parse(str(path)))
    assert len(several.value.setups) == 5
    with pytest.raises(InputError) as refused:
        several_module.check_each(CheckRequest.parse(str(path)), several.value)
    message = str(refused.value)
    assert message.startswith(f"could not check any of the 5 classes of {path}: ")
    assert message.count("'MLP' object has no attribute 'Wmissing'") == 3, message
    assert "the other 2 setups: not tried: the setups before failed alike" in message


# one activation name per layer of weights; the output delta a − y for a sigmoid or softmax output (the
# gradients of BCE and of cross-entropy), (a − y) ⊙ f'(a) otherwise (squared error): which loss the
# training follows is the output activation's, so each output the class names is a network of its own
NAMED_LAYERS = """
import numpy as np


class MLP:
    def __init__(self, layer_sizes, activations, lr=0.1):
        if len(activations) != len(layer_sizes) - 1:
            raise ValueError("one activation per layer of weights")
        self.acts, self.lr = activations, lr
        self.W = [np.random.randn(m, n) * 0.5 for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]

    def act(self, z, name):
        if name == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if name == "tanh":
            return np.tanh(z)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)  # "softmax"

    def slope(self, a, name):
        return a * (1 - a) if name == "sigmoid" else 1 - a ** 2

    def forward(self, X):
        self.A = [X]
        for W, name in zip(self.W, self.acts):
            self.A.append(self.act(self.A[-1] @ W, name))
        return self.A[-1]

    def train_step(self, X, Y):
        out = self.forward(X)
        name = self.acts[-1]
        delta = out - Y if name in ("sigmoid", "softmax") else (out - Y) * self.slope(out, name)
        for i in reversed(range(len(self.W))):
            grad = self.A[i].T @ delta
            if i:
                delta = (delta @ self.W[i].T) * self.slope(self.A[i], self.acts[i - 1])
            self.W[i] -= self.lr * grad
"""


def test_a_list_of_activation_names_makes_one_network_per_output_activation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "named_layers.py"
    path.write_text(NAMED_LAYERS, encoding="utf-8")
    assert main(["check", str(path), "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "MLP with activations=['sigmoid', 'sigmoid', 'sigmoid']",
        "MLP with activations=['sigmoid', 'sigmoid', 'softmax']",
        "MLP with activations=['sigmoid', 'sigmoid', 'tanh']",
    ]
    verdicts = [line.split("is the gradient of ")[1].split()[0].rstrip(":") for line in lines]
    assert verdicts == ["bce", "cross_entropy", "mse"], lines


class OneActivation:
    """Names one activation only: the list is guessed outright, one network."""

    def __init__(self, layer_sizes, activations):
        self.W = [np.zeros((layer_sizes[i + 1], layer_sizes[i])) for i in range(len(layer_sizes) - 1)]
        self.acts = list(activations)

    def act(self, z, name):
        return 1 / (1 + np.exp(-z)) if name == "sigmoid" else z


def test_a_list_of_activation_names_is_guessed_as_names_not_sizes() -> None:
    guessed = guessed_arguments(OneActivation)[0]
    assert guessed == {"layer_sizes": [4, 5, 5, 3], "activations": ["sigmoid", "sigmoid", "sigmoid"]}
    assert len(OneActivation(**guessed).W) == len(guessed["activations"])
