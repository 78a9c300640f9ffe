"""The output's Jacobian (verification.numeric.jacobian): which code complex step applies to, and error
estimates that bound the true error at the precision the code computes in.

The code under check is a small output function ``a(W) = tanh(x W)`` written here, with its exact
Jacobian ``∂a_nj/∂W_ij = x_ni (1 − a_nj²)``; variants of it take another path at complex values or
conjugate their weights, as code that is not complex-safe does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from verification.numeric.jacobian import columns_richardson, supports_complex
from verification.tolerances import ESTIMATE_FACTOR

X = np.random.default_rng(5).standard_normal((2, 3))
W = {"W": np.random.default_rng(6).standard_normal((3, 2)) * 0.5}


class Output:
    """An output function of the parameters (the protocol identification differentiates)."""

    def __init__(self, f: Callable[[np.ndarray], Any], precision: Any = np.float64) -> None:
        self.f, self.precision = f, precision
        self.params: dict[str, np.ndarray] = {}

    def load(self, params: Mapping[str, np.ndarray], complex_: bool = False) -> None:
        kind = np.complex128 if complex_ else np.float64
        self.params = {n: np.array(v, dtype=kind) for n, v in params.items()}

    def output(self) -> Any:
        return self.f(self.params["W"])

    def entry_setter(self, name: str) -> np.ndarray:
        return self.params[name].reshape(-1)


def exact_columns() -> np.ndarray:
    """``∂a/∂W_k`` for every flat entry ``k = 3 i + j`` of W, shape (6, 2, 2)."""
    a = np.tanh(X @ W["W"])
    out = np.zeros((6, 2, 2))
    for i in range(3):
        for j in range(2):
            out[2 * i + j, :, j] = X[:, i] * (1 - a[:, j] ** 2)
    return out


def test_analytic_code_takes_complex_step() -> None:
    assert supports_complex(Output(lambda w: np.tanh(X @ w)), W) == (True, "")


def test_code_that_takes_another_path_at_complex_values_is_refused_for_complex_step() -> None:
    # complex weights go through another branch: the real part of the output moves
    def branching(w: np.ndarray) -> Any:
        return np.tanh(X @ (w if w.dtype == np.float64 else 1.5 * w))

    assert supports_complex(Output(branching), W) == (False, "its output moves at complex values of W")


def test_code_that_conjugates_its_weights_is_refused_for_complex_step() -> None:
    # conj keeps the real part but flips the imaginary one: Im/h is minus the derivative
    ok, why = supports_complex(Output(lambda w: np.tanh(X @ np.conj(w))), W)
    assert (ok, why) == (False, "its derivative at complex values of W disagrees with central differences")


def test_richardson_bounds_its_error_at_the_codes_float32_precision() -> None:
    """A code computing in float32 rounds every output to 2⁻²⁴ relative; the columns' error estimate
    must cover the error that leaves, measured against the exact Jacobian."""
    fn = Output(lambda w: np.tanh((X @ w).astype(np.float32)).astype(np.float64), precision=np.float32)
    fn.load(W)
    J, E = columns_richardson(fn, W, "W", np.arange(6))
    error = np.abs(J - exact_columns())
    assert np.max(error) > 1e-9, "harness: float32 rounding must show in the columns"
    assert np.all(error <= ESTIMATE_FACTOR * E), float(np.max(error / (ESTIMATE_FACTOR * E + 1e-300)))
