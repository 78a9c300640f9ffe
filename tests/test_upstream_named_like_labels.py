"""A layer family whose backward takes the upstream gradient under the name of the labels
(``backward(self, y)``), in the style of a course's MNIST framework: a base class of placeholders, a
dense layer, an activation, a dropout layer that is in inference mode unless told otherwise, and a
max-pooling layer whose stride of 0 means the kernel's own and whose sizes are normalised to pairs in
the constructor. Before, no unit was found (``y`` read as the labels of a network's backward), and once
found, the pooling layer was built with a list for its kernel, a stride of 1 and a padding of 1.

The file is written for the test; each verdict is derived in its comment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verification.reading.argument_usage import usage
from verification.reading.loader import load_script
from verification.units.check import check_units, wants_units
from verification.units.construction import constructor_arguments
from verification.units.upstream import passed_back

FAMILY = """
import numpy as np


class Layer:
    def __init__(self):
        pass

    def forward(self, x):
        pass

    def backward(self, y):
        pass

    def get_params(self):
        return ()


class Dense(Layer):
    def __init__(self, n, m):
        super().__init__()
        self.w = np.random.randn(n, m) * 0.1
        self.b = np.zeros((1, m))

    def forward(self, x):
        self.x = x
        return np.dot(x, self.w) + self.b

    def backward(self, y):
        self.dw = np.dot(self.x.T, y)
        self.db = np.sum(y, axis=0, keepdims=True)
        return np.dot(y, self.w.T)


class Sigmoid(Layer):
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, y):
        return np.multiply(y, SIGMOID_DERIVATIVE)


class Dropout(Layer):
    def __init__(self, rate):
        super().__init__()
        self.rate = rate
        self.mask = None

    def forward(self, x, is_training=False):
        if is_training:
            self.mask = (np.random.rand(*x.shape) > self.rate) / (1 - self.rate)
            return x * self.mask
        return x

    def backward(self, y):
        return y * self.mask


class MaxPool(Layer):
    def __init__(self, kernel_size, stride=0, padding=0):
        super().__init__()
        self.kernel_size = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
        self.area = self.kernel_size[0] * self.kernel_size[1]
        stride = self.kernel_size if stride == 0 else stride
        self.stride = stride if isinstance(stride, tuple) else (stride, stride)
        self.padding = padding

    def forward(self, x):
        self.x = x
        kh, kw = self.kernel_size
        n, c, h, w = x.shape
        oh, ow = (h - kh) // self.stride[0] + 1, (w - kw) // self.stride[1] + 1
        out = np.zeros((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                hs, ws = i * self.stride[0], j * self.stride[1]
                out[:, :, i, j] = np.max(x[:, :, hs:hs + kh, ws:ws + kw], axis=(2, 3))
        return out

    def backward(self, y):
        kh, kw = self.kernel_size
        dx = np.zeros(self.x.shape)
        for i in range(y.shape[2]):
            for j in range(y.shape[3]):
                hs, ws = i * self.stride[0], j * self.stride[1]
                window = self.x[:, :, hs:hs + kh, ws:ws + kw]
                peak = window == np.max(window, axis=(2, 3), keepdims=True)
                dx[:, :, hs:hs + kh, ws:ws + kw] += peak * y[:, :, i:i + 1, j:j + 1]
        return dx
"""


def checked(tmp_path: Path, derivative: str = "self.out * (1 - self.out)") -> dict[str, str]:
    path = tmp_path / "layers.py"
    path.write_text(textwrap.dedent(FAMILY).replace("SIGMOID_DERIVATIVE", derivative), encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None, "a file of layers whose backward takes y is a file of units"
    return {r.unit: r.verdict for r in check_units(script, units, seed=0).results}


@pytest.mark.parametrize(
    ("derivative", "sigmoid"),
    [
        # σ'(x) = σ(x)(1 − σ(x)): the upstream gradient times it is the vector-Jacobian product
        ("self.out * (1 - self.out)", "matches"),
        # σ(x)(1 + σ(x)): a sign slip in the derivative
        ("self.out * (1 + self.out)", "mismatch"),
    ],
)
def test_layers_whose_backward_takes_y_are_units_each_checked(
    tmp_path: Path, derivative: str, sigmoid: str
) -> None:
    # Dense: dW = xᵀ y, db = Σ_rows y, dx = y Wᵀ, the product for out = x W + b; Dropout in training
    # mode: y ⊙ mask, the mask the re-seeded forward makes; MaxPool with windows of its kernel's size,
    # no padding: the upstream gradient routed to each window's maximum
    # no padding is applied, so each setting of the padding matches; stride 0 is the kernel's own
    # windows, stride 1 overlapping ones, whose gradients add up where they overlap
    assert checked(tmp_path, derivative) == {
        "Dense": "matches",
        "Sigmoid": sigmoid,
        "Dropout": "matches",
        "MaxPool(stride=0, padding=0)": "matches",
        "MaxPool(stride=0, padding=1)": "matches",
        "MaxPool(stride=1, padding=0)": "matches",
        "MaxPool(stride=1, padding=1)": "matches",
    }


def test_an_argument_named_like_labels_is_passed_back_only_when_the_method_returns_what_it_makes_of_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "layers.py"
    path.write_text(textwrap.dedent(FAMILY).replace("SIGMOID_DERIVATIVE", "1.0"), encoding="utf-8")
    ns = load_script(path).module.__dict__
    assert passed_back(ns["Dense"].backward) and passed_back(ns["MaxPool"].backward)
    network = """
import numpy as np


class Net:
    def backward(self, y):
        delta = (self.out - y) * self.out * (1 - self.out)
        self.W -= 0.1 * self.x.T @ delta

    def backward_returning(self, y):
        delta = (self.out - y) * self.out * (1 - self.out)
        return delta @ self.W.T

    def backward_index(self, y):
        g = self.probs.copy()
        g[range(len(y)), y] -= 1
        return g @ self.W.T
"""
    other = tmp_path / "net.py"
    other.write_text(textwrap.dedent(network), encoding="utf-8")
    net = load_script(other).module.__dict__["Net"]
    # compared with the output, or an index of it: the labels of a network's backward
    assert not passed_back(net.backward) and not passed_back(net.backward_index)
    assert not passed_back(net.backward_returning)  # returns what it makes, but of y compared with a


def test_a_pooling_layers_kernel_normalised_to_a_pair_is_one_size_and_its_zero_stride_is_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "layers.py"
    path.write_text(textwrap.dedent(FAMILY).replace("SIGMOID_DERIVATIVE", "1.0"), encoding="utf-8")
    pool = load_script(path).module.__dict__["MaxPool"]
    # self.kernel_size[0]-style reads are of the attribute made from it, a pair, not of the argument
    assert usage(pool, "kernel_size") is None
    assert constructor_arguments(pool) == {"kernel_size": 3}
    convolution = tmp_path / "convolution.py"
    convolution.write_text(
        "class Conv:\n    def __init__(self, input_channels, output_channels, kernel_size):\n        pass\n",
        encoding="utf-8",
    )
    conv = load_script(convolution).module.__dict__["Conv"]
    # three channels in, two filters out, 3 × 3 kernels: the sizes the image shapes tried are made for
    assert constructor_arguments(conv) == {"input_channels": 3, "output_channels": 2, "kernel_size": 3}


SELF_UPDATING = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.w = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        self.out = 1 / (1 + np.exp(-(x @ self.w + self.b)))
        return self.out

    def backward(self, y, lr):
        delta = y * DERIVATIVE
        grad = np.dot(delta, self.w.T)
        self.w -= lr * np.dot(self.x.T, delta)
        self.b -= lr * delta.sum(axis=0, keepdims=True)
        return grad
"""


@pytest.mark.parametrize(
    ("derivative", "verdict"),
    [
        ("self.out * (1 - self.out)", "matches"),  # σ'(z) = a(1 − a): the product, read off the update
        ("self.out", "mismatch"),  # a alone: σ'(z) left half out
    ],
)
def test_a_layer_that_updates_itself_from_y_and_a_rate_is_a_unit(
    tmp_path: Path, derivative: str, verdict: str
) -> None:
    path = tmp_path / "dense.py"
    path.write_text(textwrap.dedent(SELF_UPDATING).replace("DERIVATIVE", derivative), encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None and [u.name for u in units] == ["Dense"]
    (result,) = check_units(script, units, seed=0).results
    assert result.verdict == verdict


PADDED = """
import numpy as np


class AvgPool:
    def __init__(self, size=2, padding=0):
        self.size, self.padding = size, padding

    def forward(self, x):
        p = self.padding
        self.shape = x.shape
        x = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)])
        n, c, h, w = x.shape
        k = self.size
        return x[:, :, : h // k * k, : w // k * k].reshape(n, c, h // k, k, w // k, k).mean(axis=(3, 5))

    def backward(self, dout):
        k, p = self.size, self.padding
        n, c, h, w = self.shape
        up = np.repeat(np.repeat(dout, k, axis=2), k, axis=3) / (k * k)
        dx = np.zeros((n, c, h + 2 * p, w + 2 * p))
        dx[:, :, : up.shape[2], : up.shape[3]] = up
        return UNPADDED
"""


@pytest.mark.parametrize(
    ("unpadded", "padded"),
    [
        ("dx[:, :, p : p + h, p : p + w]", "matches"),  # the padding cut off again: the product
        ("dx[:, :, :h, :w]", "mismatch"),  # cut at the wrong corner: right only without padding
    ],
)
def test_a_layer_is_also_built_with_padding_where_its_default_is_none(
    tmp_path: Path, unpadded: str, padded: str
) -> None:
    path = tmp_path / "pool.py"
    path.write_text(textwrap.dedent(PADDED).replace("UNPADDED", unpadded), encoding="utf-8")
    script = load_script(path)
    units = wants_units(script, None)
    assert units is not None
    found = {r.unit: r.verdict for r in check_units(script, units, seed=0).results}
    assert found == {"AvgPool(padding=0)": "matches", "AvgPool(padding=1)": padded}
