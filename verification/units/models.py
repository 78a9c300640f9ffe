"""A neuron, layer or MLP built on an engine's values (micrograd's ``nn``), where the file defines one:
its output's ``backward()`` against the numeric gradient of the output in every parameter.

A class is a model when its instances have ``parameters()`` (the engine's values) and are called on a
list of numbers. It is built with sizes guessed from its constructor's names (``nin`` → 3, ``nout`` →
2, ``nouts`` → ``[4, 1]``), called on three inputs, and its outputs are summed against random weights
with the engine's own operations (a single output: itself); ``backward()`` of that sum gives every
parameter's gradient. The numeric side sets each parameter's number and evaluates the sum again.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.units.arguments import parameters
from verification.units.cases import Case, NotChecked
from verification.units.engines import Engine
from verification.units.running import Runner, failed_verdict, failure_line, is_complex
from verification.units.settings import Setting
from verification.units.vjp import Problem

Array = NDArray[Any]
SIZES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"^n?outs$|sizes|layers", re.I), [4, 1]),
    (re.compile(r"in", re.I), 3),
    (re.compile(r"out", re.I), 2),
)
"""Constructor sizes by name: three inputs, two outputs, an MLP of layers of 4 and 1."""


def is_model(cls: type, engine: Engine) -> bool:
    """A class other than the engine's whose instances have ``parameters`` and are called."""
    return cls is not engine.cls and callable(getattr(cls, "parameters", None)) and "__call__" in dir(cls)


class ModelUnit:
    """A model built on an engine's values (kind ``layer``).

    Parameters
    ----------
    cls : type
    engine : Engine
    seed : int
    """

    kind = "layer"

    def __init__(self, cls: type, engine: Engine, seed: int) -> None:
        self.cls, self.engine = cls, engine
        self.name = cls.__name__
        self.forward = f"{self.name}.__call__"
        self.backward: str | None = f"{engine.cls.__name__}.backward"
        self.runner = Runner(engine.script, seed)

    def settings(self) -> list[Setting]:
        """One setting: three inputs."""
        return [Setting("three inputs")]

    def _build(self) -> Any:
        kwargs = {}
        for p in parameters(self.cls):
            if p.default is p.empty:
                guess = next((v for pattern, v in SIZES if pattern.search(p.name)), None)
                if guess is None:
                    raise NotChecked("refused", f"cannot tell what {self.name}() takes as {p.name}")
                kwargs[p.name] = guess
        try:
            return self.runner.call(f"{self.name}()", self.cls, **kwargs)
        except InputError as exc:
            raise NotChecked("refused", f"{self.name}() {failure_line(exc)}") from None

    def _root(self, model: Any, x: list[float], weights: list[float]) -> Any:
        out = model(x)
        outs = out if isinstance(out, (list, tuple)) else [out]
        root = outs[0] * weights[0]
        for o, w in zip(outs[1:], weights[1:], strict=False):
            root = root + o * w
        return root

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The model at drawn parameters and inputs; ``backward()`` of the weighted sum of its outputs.

        Raises
        ------
        NotChecked
            ``refused`` when it cannot be built or called; ``mismatch`` when ``backward`` raises.
        """
        eng = self.engine
        model = self._build()
        params = list(model.parameters())
        values = rng.uniform(-1.0, 1.0, size=len(params))
        for p, v in zip(params, values, strict=True):
            setattr(p, eng.data, float(v))
        x = [float(v) for v in rng.uniform(-1.0, 1.0, size=3)]
        weights = [float(v) for v in rng.uniform(0.5, 1.5, size=4)]
        try:
            root = self.runner.call(self.forward, self._root, model, x, weights, copy=False)
            self.runner.call(self.backward or "", root.backward)
        except InputError as exc:
            raise NotChecked(failed_verdict(exc), f"{self.name}: {failure_line(exc)}") from None
        analytic = {"parameters": np.array([float(getattr(p, eng.grad)) for p in params])}

        def forward(theta: dict[str, Array]) -> list[Array]:
            for p, v in zip(params, theta["parameters"], strict=True):
                setattr(p, eng.data, v)
            try:
                root = self.runner.call(
                    self.forward, self._root, model, x, weights, copy=False, complex_=is_complex(theta)
                )
                return [np.asarray(getattr(root, eng.data))]
            finally:
                for p, v in zip(params, values, strict=True):
                    setattr(p, eng.data, float(v))

        point = {"parameters": values}
        labels = {"parameters": f"p.{eng.grad} for p in parameters()"}
        return Case(setting.name, Problem(forward, point, [np.array(1.0)]), analytic, labels)
