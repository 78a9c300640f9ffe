"""A constructor argument that takes the output layer's activation function (``output_function``).

Some network classes take their activations as functions (``SimpleNeuralNetwork(input_size, output_size,
activation_function, activation_function_d, output_function)``), and the project defines them in a
module of activations beside the class. The hidden activation and its derivative are a pair of the
project (:func:`verification.adapters.compositions.function_arguments`); the output function is the
one output activation the project defines, by its catalog name (``softmax``, ``sigmoid``). When the
project defines several, which one the network is meant with is not known, and none is given: a
verdict under a guessed output would be a guess (the output delta ``a − y`` is the gradient of
cross-entropy after a softmax and of BCE after a sigmoid).
"""

from __future__ import annotations

import inspect
import re

from verification.adapters.sized_containers import required_parameters
from verification.reading.guesses import Expression
from verification.reading.loader import LoadedScript
from verification.reading.siblings import sibling_functions

OUTPUT_FUNCTION = re.compile(
    r"^(output|out|final|last)_?(activation|act|f(n|unc(tion)?)?)(_?f(n|unc(tion)?))?$", re.I
)
"""The name of an argument that takes the output activation (``output_function``, ``out_activation``)."""

OUTPUT_ACTIVATIONS = ("softmax", "sigmoid")
"""Output activations by their catalog names, as a project names its functions."""


def output_function_arguments(cls: type, script: LoadedScript | None) -> dict[str, Expression]:
    """``{argument: Expression(name)}`` for each required argument of ``cls`` named like an output
    function (:data:`OUTPUT_FUNCTION`), given the one function of :data:`OUTPUT_ACTIVATIONS` that the
    script or the modules beside it define; empty when they define none or several."""
    if script is None:
        return {}
    wanted = [p.name for p in required_parameters(cls) if OUTPUT_FUNCTION.fullmatch(p.name)]
    if not wanted:
        return {}
    own = {n for n, f in script.module.__dict__.items() if inspect.isfunction(f)}
    beside = set(sibling_functions(script.path, OUTPUT_ACTIVATIONS))
    defined = [n for n in OUTPUT_ACTIVATIONS if n in own | beside]
    return {name: Expression(defined[0]) for name in wanted} if len(defined) == 1 else {}
