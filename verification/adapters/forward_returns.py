"""What a forward function returns: the output, and the cache a backward function is handed.

:func:`forward_output` runs a recipe's forward pass and checks what it gives as ``(n, n_out)``: real,
finite, no class predictions (:func:`output_of`).

``return A2``, ``return A2, cache``, ``return a1, a2, a3, cost``, ``return {"Z1": …, "A2": …}``:
:func:`split_returned` finds the output among them by the names the ``return`` statement gives (an
output name, else the last numbered activation) and the cache (an element that is no array).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.failures import Failed, tagged
from verification.adapters.forwards import OUTPUT_ATTRIBUTES
from verification.adapters.recipe import Recipe
from verification.reading.loader import LoadedScript

Array = NDArray[Any]


ACTIVATION_LIST = re.compile(r"^(a|as|acts?|activations?|a_?(data|list|s|mat(rix)?|values|layers?))$", re.I)
"""A returned list of every layer's activation (``a_data``, ``activations``): its last is the output."""


def _arrays(value: Any) -> bool:
    """A non-empty list of float arrays."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in value)
    )


def split_returned(value: Any, names: list[str] | None = None) -> tuple[int | str | None, int | None]:
    """For a forward function's return value: the index of the output (None when it is the value) and of
    the cache (a non-array element). Of a dict of arrays (``{"z1": …, "a2": …}``), the key of the output:
    one named like an output (:data:`~verification.adapters.forwards.OUTPUT_ATTRIBUTES`), else the last
    activation (``a…``/``A…``) by its number; of a tuple the return statement names, the same, or the
    last of a returned list of every layer's activations (``return z_data, a_data``: ``"1][-1"``, the
    index written into the call's brackets)."""
    if isinstance(value, dict) and value:
        keys = [k for k, v in value.items() if isinstance(k, str) and isinstance(v, np.ndarray)]
        named = [k for k in OUTPUT_ATTRIBUTES if k in keys]
        numbered = sorted(
            (k for k in keys if re.fullmatch(r"[aA]_?\d+", k)), key=lambda k: int(re.sub(r"\D", "", k))
        )
        chosen = named or numbered[-1:]
        return (repr(chosen[0]) if chosen else None), None
    if isinstance(value, tuple | list) and value:
        arrays = [i for i, v in enumerate(value) if isinstance(v, np.ndarray) and v.dtype != object]
        others = [i for i, v in enumerate(value) if i not in arrays]
        if names and len(names) == len(value):  # return y, z1: the one named like an output
            numbers = [i for i in others if isinstance(value[i], float | np.floating)]  # one sigmoid unit
            outputs = [i for i in arrays + numbers if names[i] in (*OUTPUT_ATTRIBUTES, "y", "Y", "AL", "A_L")]
            if len(outputs) == 1:
                rest = [i for i in others if i != outputs[0]]
                return outputs[0], (rest[0] if rest else None)
            layers = sorted(  # return a1, a2, a3, cost: the last activation
                (i for i in arrays if re.fullmatch(r"[aA]_?\d+", names[i])),
                key=lambda i: int(re.sub(r"\D", "", names[i])),
            )
            if len(layers) > 1:
                return layers[-1], (others[0] if others else None)
        kept = [i for i in others if names and len(names) >= len(value) and ACTIVATION_LIST.match(names[i])]
        kept = [i for i in kept if _arrays(value[i])]  # return z_data, a_data: every layer's activations
        if not arrays and len(kept) == 1:  # (the names of a return of more values, which come first)
            return f"{kept[0]}][-1", next((i for i in others if i != kept[0]), None)
        if arrays:
            return arrays[0] if others else arrays[-1], (others[0] if others else None)
        numbers = [i for i in others if isinstance(value[i], float | np.floating)]
        if len(numbers) == 1 and len(value) > 1:  # return a3, cache: one output unit at one sample
            return numbers[0], next((i for i in others if i != numbers[0]), None)
    return None, None


def forward_output(
    namespace: dict[str, Any], recipe: Recipe, n_samples: int, script: LoadedScript | None
) -> Array:
    """Run the recipe's forward pass with ``x`` bound; its output as ``(n, n_out)``.

    Raises
    ------
    Failed
        When the output is complex, integer (class predictions), not numeric, or not finite.
    """
    forward_labels(namespace, recipe, n_samples)
    return output_of(run_code(recipe.forward, namespace, "--forward", script=script), recipe, n_samples)


def forward_labels(namespace: dict[str, Any], recipe: Recipe, n_samples: int) -> None:
    """Bind ``y`` to labels of ``n_samples`` (class 0 each) for a forward pass that reads labels: one that
    also computes its loss, which it ignores, and needs them as many as its inputs."""
    if "y" in recipe.forward:
        namespace["y"] = recipe.layout.labels_to_code(np.zeros((n_samples, 1)))


def output_of(value: Any, recipe: Recipe, n_samples: int) -> Array:
    """What the forward pass returned, checked as :func:`forward_output` says, as ``(n, n_out)``."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # a ragged list: the activations of every layer, say
        raise Failed(
            f"--forward {recipe.forward!r} gives {type(value).__name__} that is no array of numbers ({exc})",
            "forward",
        ) from None
    if np.iscomplexobj(array):  # a failure of the code (kind "code"), not of a layout
        raise Failed(
            f"complex output (dtype {array.dtype}) from --forward {recipe.forward!r} at real "
            "weights: a network with real weights has a real output, whose imaginary part would be dropped",
            "code",
        )
    if array.dtype.kind in "biu":
        raise Failed(
            f"--forward {recipe.forward!r} gives {array.dtype} values (class predictions?), not "
            "the network's output activations",
            "forward",
        )
    try:
        output = recipe.layout.from_code(value, n_samples, f"the output of --forward {recipe.forward!r}")
    except InputError as exc:
        raise tagged(exc, "forward") from None
    if not np.all(np.isfinite(output)):
        raise Failed(f"--forward {recipe.forward!r} gave a non-finite output at drawn inputs", "forward")
    return output
