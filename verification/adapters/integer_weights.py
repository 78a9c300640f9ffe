"""Weights the code starts as integers: made floats before the parameters are looked for.

Tutorial code often starts a bias as the integer zero (``self.b2 = 0``), as a NumPy scalar
(``np.float64(0)``), or as an integer array (``np.zeros(n, dtype=int)``), and its first step rebinds it
to a float array. Left as they are, such weights are no parameters (:mod:`verification.adapters.
parameters` takes float arrays and Python floats), so what the code does to them would never be
checked: a wrong bias update would pass. :func:`float_weights` binds each one, where the code keeps it,
as the float it stands for (a Python float, or a float64 array of the same values) before the
parameters are found; the note it returns names them. Only names that say weight or bias are taken
(:data:`INTEGER_WEIGHT`): ``self.n_layers = 2`` or ``self.epochs = 100`` stay integers.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from verification.adapters.parameters import MAX_DEPTH, walkable

INTEGER_WEIGHT = re.compile(
    r"^([wb]\d*|[wb]_\w+|(weights?|bias(es)?)\d*|(weights?|bias(es)?)_\w+|\w+_(weights?|bias(es)?)|theta\d*)$",
    re.IGNORECASE,
)
"""Names under which an integer is a weight the code has not yet trained (``b2``, ``bias``, ``w_out``)."""


def _named_weight(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    plain = key.rsplit("__", 1)[-1] if key.startswith("_") and "__" in key else key  # _Net__b2
    return bool(INTEGER_WEIGHT.match(plain))


def _as_float(value: Any) -> Any:
    """The float ``value`` stands for, or None when it is not an integer or NumPy scalar weight."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer | np.floating) and type(value) is not float:  # np.float64 too
        return float(value)
    if isinstance(value, np.ndarray) and value.size > 0 and np.issubdtype(value.dtype, np.integer):
        return value.astype(np.float64)
    return None


def float_weights(namespace: dict[str, Any], roots: list[str]) -> list[str]:
    """Bind the integer and NumPy-scalar weights reachable from ``roots`` (attributes and dict entries of
    the objects the setup made, and the roots themselves) as floats; the readable names of those
    bound, for the report."""
    done: list[str] = []
    seen: set[int] = set()

    def visit(holder: Any, name: str, depth: int) -> None:
        if depth > MAX_DEPTH or id(holder) in seen:
            return
        seen.add(id(holder))
        if isinstance(holder, dict):
            items = [(k, v) for k, v in holder.items() if isinstance(k, str)]
        elif walkable(holder):
            items = [(k, v) for k, v in vars(holder).items() if not k.startswith("__")]
        elif isinstance(holder, list):
            for i, item in enumerate(holder):
                visit(item, f"{name}[{i}]", depth + 1)
            return
        else:
            return
        for key, value in items:
            where = f"{name}[{key!r}]" if isinstance(holder, dict) else f"{name}.{key}".lstrip(".")
            made = _as_float(value) if _named_weight(key) else None
            if made is not None:
                if isinstance(holder, dict):
                    holder[key] = made
                else:
                    setattr(holder, key, made)
                done.append(where)
            else:
                visit(value, where, depth + 1)

    for root in roots:
        value = namespace.get(root)
        made = _as_float(value) if _named_weight(root) else None
        if made is not None:
            namespace[root] = made
            done.append(root)
        else:
            visit(value, "" if walkable(value) else root, 0)
    return done
