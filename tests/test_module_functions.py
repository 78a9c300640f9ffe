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
