"""A forward pass with a training switch (``predict(x, train_flg=False)``, Saito's *Deep Learning from
Scratch*, ch. 6) is checked in training mode, the mode its gradient is taken in, unless a forward pass of
the file draws random numbers (:mod:`verification.reading.training_flags`). The networks are the team's,
in that style.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.reading.loader import load_script
from verification.reading.training_flags import training_mode

# Batch normalisation, inference with running statistics and training with the batch's. The gradient is
# that of the mean cross-entropy in training mode; in inference mode the forward is another function
# of the weights (the running statistics are constants there), so a check against it would call a
# right gradient wrong. In training mode one sample normalises to the shift beta whatever its inputs:
# a one-sample probe cannot see them, and the check is refused, never answered.
BATCH_NORMALISED = """
import numpy as np


class Net:
    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = 0.5 * np.random.randn(input_size, hidden_size)
        self.gamma = np.ones(hidden_size)
        self.beta = np.zeros(hidden_size)
        self.W2 = 0.5 * np.random.randn(hidden_size, output_size)
        self.running_mean = None

    def predict(self, x, train_flg=False):
        z = x @ self.W1
        if self.running_mean is None:
            self.running_mean, self.running_var = np.zeros(z.shape[1]), np.ones(z.shape[1])
        if train_flg:
            mu, var = z.mean(axis=0), z.var(axis=0)
            self.running_mean = 0.9 * self.running_mean + 0.1 * mu
            self.running_var = 0.9 * self.running_var + 0.1 * var
        else:
            mu, var = self.running_mean, self.running_var
        self.std = np.sqrt(var + 1e-7)
        self.zn = (z - mu) / self.std
        self.h = np.maximum(self.gamma * self.zn + self.beta, 0)
        return self.h @ self.W2

    def gradient(self, x, t):
        y = self.predict(x, train_flg=True)
        e = np.exp(y - y.max(axis=1, keepdims=True))
        dy = (e / e.sum(axis=1, keepdims=True) - t) / x.shape[0]
        da = (dy @ self.W2.T) * (self.h > 0)
        dzn = da * self.gamma
        n = x.shape[0]
        dz = (n * dzn - dzn.sum(axis=0) - self.zn * (dzn * self.zn).sum(axis=0)) / (n * self.std)
        dgamma, dbeta = (da * self.zn).sum(axis=0), da.sum(axis=0)
        return {"W1": x.T @ dz, "gamma": dgamma, "beta": dbeta, "W2": self.h.T @ dy}
"""

DROPOUT = """
import numpy as np


class Dropout:
    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > 0.5
            return x * self.mask
        return x * 0.5


class Net:
    def predict(self, x, train_flg=False):
        return Dropout().forward(x, train_flg)
"""


def test_a_batch_normalised_network_is_refused_not_judged_against_its_inference_forward(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bn_net.py"
    path.write_text(BATCH_NORMALISED, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_target(CheckRequest.parse(str(path)))
    assert "train_flg=True" in str(caught.value), caught.value


@pytest.mark.parametrize(("source", "said"), [(BATCH_NORMALISED, ", train_flg=True"), (DROPOUT, "")])
def test_the_training_mode_is_asked_for_unless_a_forward_draws_random_numbers(
    tmp_path: Path, source: str, said: str
) -> None:
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    cls = load_script(path).module.Net
    params = list(inspect.signature(cls.predict).parameters.values())[1:]
    assert training_mode(params, object.__new__(cls)) == said
