"""A driver file that calls its project's modules by name: ``fp.forward_propagation(x, parameters)``.

The project keeps one step per module (``forward_propagation.py``, ``backward_propagation.py``,
``utilities.py`` in a package) and a driver that imports the modules and trains with their functions,
defining none of them; checked as written, the driver was refused ("defines no network class or backward
function"). The verdicts are derived by hand: with sigmoid outputs, the output delta ``a − y`` is the
gradient of binary cross-entropy and ``(a − y) a (1 − a)`` that of the squared error ½ Σ (a − y)².
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

FORWARD = """
import numpy as np


def forward_propagation(x, parameters):
    z1 = parameters["W1"] @ x + parameters["b1"]
    a1 = np.tanh(z1)
    a2 = 1 / (1 + np.exp(-(parameters["W2"] @ a1 + parameters["b2"])))
    return a2, {"a1": a1, "a2": a2}
"""

BACKWARD = """
import numpy as np


def backward_propagation(parameters, cache, x, y):
    m = x.shape[1]
    a1, a2 = cache["a1"], cache["a2"]
    dz2 = OUTPUT_DELTA
    dz1 = (parameters["W2"].T @ dz2) * (1 - a1 ** 2)
    return {
        "dW2": dz2 @ a1.T / m, "db2": dz2.sum(axis=1, keepdims=True) / m,
        "dW1": dz1 @ x.T / m, "db1": dz1.sum(axis=1, keepdims=True) / m,
    }
"""

UTILITIES = """
import numpy as np


def initialize_parameters(n_x, n_h, n_y):
    return {
        "W1": np.random.randn(n_h, n_x) * 0.5, "b1": np.zeros((n_h, 1)),
        "W2": np.random.randn(n_y, n_h) * 0.5, "b2": np.zeros((n_y, 1)),
    }


def update_parameters(parameters, grads, learning_rate=0.5):
    return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}
"""

DRIVER = """
import numpy as np
from course import utilities as ut
from course import forward_propagation as fp
from course import backward_propagation as bp


def model(x, y, n_h, iterations=1000):
    parameters = ut.initialize_parameters(x.shape[0], n_h, y.shape[0])
    for i in range(iterations):
        a2, cache = fp.forward_propagation(x, parameters)
        grads = bp.backward_propagation(parameters, cache, x, y)
        parameters = ut.update_parameters(parameters, grads)
    return parameters


if __name__ == "__main__":
    data = np.loadtxt("train.txt")
    model(data[:, :2].T, data[:, 2:].T, 4)
"""


@pytest.mark.parametrize(("delta", "identified"), [("a2 - y", "bce"), ("(a2 - y) * a2 * (1 - a2)", "mse")])
def test_a_driver_of_its_projects_modules_is_checked_through_them(
    tmp_path: Path, delta: str, identified: str
) -> None:
    """The backward pass the driver calls through ``bp`` is found and checked, with the forward pass and
    the initialisation it calls through ``fp`` and ``ut``; the setup printed imports them."""
    package = tmp_path / "course"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "forward_propagation.py").write_text(FORWARD, encoding="utf-8")
    (package / "backward_propagation.py").write_text(
        BACKWARD.replace("OUTPUT_DELTA", delta), encoding="utf-8"
    )
    (package / "utilities.py").write_text(UTILITIES, encoding="utf-8")
    (package / "driver.py").write_text(DRIVER, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(package / "driver.py")))
    assert report.result.identified == identified, report.command
    command = report.command or ""
    assert "from course.backward_propagation import backward_propagation" in command, command
    assert "backward_propagation(parameters" in command, command


UNNAMED_FORWARD = """
import numpy as np


def forward(X, params):
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    return hidden, 1 / (1 + np.exp(-(hidden @ params["W2"] + params["b2"])))
"""

POSITIONAL_BACKWARD = """
def backward(X, Y, params, H, P):
    n = X.shape[0]
    dZ = (P - Y) / n
    dH = dZ @ params["W2"].T * HIDDEN_FACTOR
    return {"W1": X.T @ dH, "b1": dH.sum(0), "W2": H.T @ dZ, "b2": dZ.sum(0)}
"""

POSITIONAL_UTILS = """
import numpy as np


def init(n_in, n_h, n_out):
    return {"W1": np.random.randn(n_in, n_h) * 0.5, "b1": np.zeros(n_h),
            "W2": np.random.randn(n_h, n_out) * 0.5, "b2": np.zeros(n_out)}


def update(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
"""

POSITIONAL_DRIVER = """
import numpy as np
from steps import forward as fw
from steps import backward as bp
from steps import utils as ut

X = np.random.randn(50, 3)
Y = (np.random.rand(50, 2) > 0.5).astype(float)
params = ut.init(3, 6, 2)
for epoch in range(200):
    H, P = fw.forward(X, params)
    grads = bp.backward(X, Y, params, H, P)
    ut.update(params, grads, 0.3)
"""


@pytest.mark.parametrize(("factor", "identified"), [("(1 - H ** 2)", "bce"), ("(1 - H)", None)])
def test_values_the_driver_unpacks_and_hands_on_by_position_are_paired(
    tmp_path: Path, factor: str, identified: str | None
) -> None:
    """``H, P = fw.forward(X, params)`` then ``bp.backward(X, Y, params, H, P)``: the forward pass
    returns unnamed values, and only the driver's own calls, through the modules, say that ``backward``'s
    ``H`` and ``P`` are its first and second. With sigmoid outputs, ``P − Y`` over the batch is the mean
    binary cross-entropy's gradient; ``1 − H`` in place of ``tanh'`` is no loss's."""
    package = tmp_path / "steps"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "forward.py").write_text(UNNAMED_FORWARD, encoding="utf-8")
    backward = POSITIONAL_BACKWARD.replace("HIDDEN_FACTOR", factor)
    (package / "backward.py").write_text(backward, encoding="utf-8")
    (package / "utils.py").write_text(POSITIONAL_UTILS, encoding="utf-8")
    (tmp_path / "driver.py").write_text(POSITIONAL_DRIVER, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "driver.py")))
    assert report.result.identified == identified, report.command
