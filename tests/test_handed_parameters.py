"""Layers handed their parameters (``Affine(W, b)``, ``Convolution(W, b, stride, pad)``,
``BatchNormalization(gamma, beta)``, the style of Saito's *Deep Learning from Scratch*, ch. 5–7) are
built in each weight layout in turn and checked; a batch normalisation at a batch of two, whose input
gradient cancels to rounding, is judged against the size of the terms its backward summed
(:mod:`verification.units.rounding_floors`), not against its tiny entries.

The layers are the team's, written in that style; each bug is one a student makes, with the tensor it
breaks derived by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verification.reading.loader import load_script
from verification.tolerances import tolerance_for
from verification.units.check import check_units
from verification.units.discovery import discover
from verification.units.report import format_units
from verification.units.rounding_floors import EPS, SCALES, observed_floors
from verification.units.run import UnitResult

ROW_AFFINE = """
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)
"""

COLUMN_DENSE = """
import numpy as np


class Dense:
    def __init__(self, w, b):
        self.w, self.b = w, b

    def forward(self, x):
        self.x = x
        return self.w @ x + self.b

    def backward(self, grad):
        self.dw = grad @ self.x.T
        self.db = grad.sum(axis=1, keepdims=True)
        return self.w.T @ grad
"""

CONVOLUTION = """
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out = np.zeros((N, FN, H - FH + 1, W - FW + 1), dtype=x.dtype)
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                patch = x[:, :, i:i + FH, j:j + FW]
                out[:, :, i, j] = np.tensordot(patch, self.W, axes=([1, 2, 3], [1, 2, 3])) + self.b
        self.x = x
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dx = np.zeros_like(self.x)
        self.dW = np.zeros_like(self.W)
        self.db = dout.sum(axis=(0, 2, 3))
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                patch = self.x[:, :, i:i + FH, j:j + FW]
                self.dW += np.tensordot(dout[:, :, i, j], patch, axes=([0], [0]))
                dx[:, :, i:i + FH, j:j + FW] += np.tensordot(dout[:, :, i, j], self.W, axes=([1], [0]))
        return dx
"""

BATCH_NORMALIZATION = """
import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9):
        self.gamma, self.beta, self.momentum = gamma, beta, momentum

    def forward(self, x, train_flg=True):
        self.xc = x - x.mean(axis=0)
        self.std = np.sqrt((self.xc ** 2).mean(axis=0) + 1e-7)
        self.xn = self.xc / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / n) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        return dxc - dmu / n
"""

# (source, a line of it, the bug's line, the gradient the bug breaks)
BUGS = {
    "db summed over every entry": (ROW_AFFINE, "np.sum(dout, axis=0)", "np.sum(dout)", "db"),
    "dW without the input": (ROW_AFFINE, "np.dot(self.x.T, dout)", "np.sum(dout, axis=0) * self.W", "dW"),
    "db of the first sample only": (COLUMN_DENSE, "grad.sum(axis=1, keepdims=True)", "grad[:, :1]", "db"),
    "dW halved": (CONVOLUTION, "patch, axes=([0], [0]))", "patch, axes=([0], [0])) / 2", "dW"),
    "the variance's term left out": (BATCH_NORMALIZATION, "dxc += (2.0 / n)", "dxc -= 0 * (2.0 / n)", "dx"),
    "dgamma without the normalised input": (
        BATCH_NORMALIZATION,
        "np.sum(self.xn * dout, axis=0)",
        "np.sum(dout, axis=0)",
        "dgamma",
    ),
}


def only_unit(tmp_path: Path, source: str) -> UnitResult:
    path = tmp_path / "layers.py"
    path.write_text(source, encoding="utf-8")
    script = load_script(path)
    # the convolution is also built at stride 2 and padding 1, which its forward does not read: each
    # build is the same layer, with the same verdict; the first is the author's own defaults
    first, *others = check_units(script, discover(script, 0), seed=0).results
    assert all(o.verdict == first.verdict for o in others), [(o.unit, o.verdict) for o in others]
    return first


@pytest.mark.parametrize("source", [ROW_AFFINE, COLUMN_DENSE, CONVOLUTION, BATCH_NORMALIZATION])
def test_a_layer_handed_its_parameters_is_built_and_matches_at_every_batch(
    tmp_path: Path, source: str
) -> None:
    # the batch normalisation's batch of two too: its dx cancels to rounding (each normalised feature
    # is ±1 whatever x is), far below ε times the terms its backward summed
    r = only_unit(tmp_path, source)
    assert r.verdict == "matches", r
    assert [s.verdict for s in r.settings] == ["matches", "matches"], r.settings


@pytest.mark.parametrize("bug", list(BUGS))
def test_a_planted_bug_in_a_layer_handed_its_parameters_is_a_mismatch_of_its_tensor(
    tmp_path: Path, bug: str
) -> None:
    source, right, wrong, tensor = BUGS[bug]
    assert right in source
    r = only_unit(tmp_path, source.replace(right, wrong))
    assert r.verdict == "mismatch", r
    assert tensor in r.differs, r


def test_observed_floors_read_the_size_of_the_terms_a_sum_cancelled() -> None:
    rng = np.random.default_rng(0)
    big = rng.standard_normal(5) * 1e3

    def backward(dout: np.ndarray) -> dict[str, np.ndarray]:
        return {"x": (dout * big + dout) - dout * big}  # dout in exact arithmetic, summed from 1e3 terms

    dout = rng.standard_normal(5)
    floors = observed_floors(backward, dout, backward(dout))
    # rounding of terms of size |dout · big| ≤ 3e3: ε times that, read back as that size
    assert 1.0 < floors["x"] <= 2 * float(np.max(np.abs(dout * big)))


def test_a_backward_not_linear_in_its_upstream_gradient_gets_no_floor_that_hides_a_slip() -> None:
    dout = np.linspace(0.5, 2.0, 4)

    def backward(d: np.ndarray) -> dict[str, np.ndarray]:
        return {"x": d**2}  # not a vector–Jacobian product of anything at d: a bug

    floors = observed_floors(backward, dout, backward(dout))
    # g(s d) / s − g(d) = (s − 1) d² exactly, up to rounding of ε d²: the floor is max|s − 1| max d² / ε,
    # and the allowance rtol · floor = (rtol / ε) max|s − 1| max d², a relative 2.7e-10 by complex step
    largest = float(np.max(dout**2))
    expected = max(abs(s - 1) for s in SCALES) * largest / EPS
    assert floors["x"] == pytest.approx(expected, rel=1e-3)
    allowed = tolerance_for("float64", "complex-step").rtol * floors["x"]
    assert allowed < 1e-9 * largest  # a slip of a factor changes an entry by O(1) of it


# A layer named in Catalan, as a student's project names it: propaga / retropropaga, a rate named alfa
# and the optimiser's step count iter, which its plain optimiser ignores.
CATALAN_LAYER = """
import numpy as np


class Perceptro:
    def __init__(self, entrades, sortides, optimitzador='cap'):
        self.W = np.random.normal(0, 0.5, (sortides, entrades))
        self.b = np.zeros((sortides, 1))
        self.optimitzador = optimitzador

    def propaga(self, entrada):
        self.entrada = entrada
        return self.W.dot(entrada) + self.b

    def retropropaga(self, delta, alfa, iter):
        anterior = self.W.T.dot(delta)
        dW, db = delta.dot(self.entrada.T), BIAS
        if self.optimitzador == 'adam':  # the first step of Adam moves each entry by alfa: its sign
            dW, db = np.sign(dW) / iter, np.sign(db) / iter
        self.W = self.W - alfa * dW
        self.b = self.b - alfa * db
        return anterior
"""


@pytest.mark.parametrize(
    ("bias", "verdict"), [("np.sum(delta, axis=1, keepdims=True)", "matches"), ("delta[:, :1]", "mismatch")]
)
def test_a_layer_named_in_catalan_with_a_rate_and_a_step_count_is_checked(
    tmp_path: Path, bias: str, verdict: str
) -> None:
    """``propaga``/``retropropaga(delta, alfa, iter)``: checked as a layer, the rate read as ``alfa``, the
    step count given 1; a bias step of the first sample only is wrong at a batch of two."""
    path = tmp_path / "capes.py"
    path.write_text(CATALAN_LAYER.replace("BIAS", bias), encoding="utf-8")
    script = load_script(path)
    report = check_units(script, discover(script, 0), seed=0)
    cap, adam = report.results
    assert (cap.unit, cap.verdict) == ("Perceptro(optimitzador='cap')", verdict)
    assert adam.verdict == "refused" and "an adaptive optimiser's step" in adam.reason, adam
    table = format_units(report, width=80)
    # the refusal's reason is too long for the narrow column the long unit names leave: below its row
    assert "\n      Perceptro.retropropaga moves every parameter entry by the same amount" in table, table


def test_a_bias_gradient_summed_to_one_number_is_read_and_its_shape_named(tmp_path: Path) -> None:
    """``self.db = np.sum(dout)`` stores a number, not an array: it is the gradient of ``b`` by its name,
    of the wrong shape, and the report says which shapes (not that the layer gives no gradient of b)."""
    r = only_unit(tmp_path, ROW_AFFINE.replace("np.sum(dout, axis=0)", "np.sum(dout)"))
    problems = {o.name: o.problem for s in r.settings for o in s.outputs if o.problem}
    assert problems == {"db": "shape (), but b has shape (3,)"}, problems
