"""Where a layer object keeps its parameters, and where its backward leaves their gradients.

Parameters are float arrays held in attributes (``self.weights``) or in a dict attribute
(``self.params['W']``); each gets a name (``weights``, ``params['W']``) and its *key*, the last part
(``weights``, ``W``), which gradients are matched by. A backward's gradients are found, in order:

* returned: one array is the input's gradient; a tuple is matched by the names its ``return``
  statement gives (``return dx, dW, db``), else the input's gradient first and then the parameters';
* stored in attributes named like a gradient of a key (``dweights``, ``dW``, ``dLdW``, ``grad_W``,
  ``W_grad``; ``dinputs``, ``dx`` for the input), or in a dict attribute keyed so (``self.grads['W']``).

A float array the forward pass does not read is no parameter (:func:`unread`): a constructor's
placeholders for the gradients (``self.deltaLossW = np.zeros(...)``) and for the input the forward keeps
(``self.dataX``), running statistics used only at inference. Arrays the backward stores under names
that tie them to no parameter are :func:`unclaimed`: the gradients cannot be told apart by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.reading.conventions import gradient_stem

Array = NDArray[Any]
Slot = tuple[str, str | None]
INPUT_KEYS = ("inputs", "input", "x", "X", "in", "in_", "a_prev", "prev", "a", "inp")
"""Keys of an input's gradient (``dinputs``, ``dx``, ``grad_input``)."""


def _is_parameter(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size > 0


def parameter_slots(obj: Any) -> dict[str, Slot]:
    """The object's float arrays, in attributes and in dict attributes, by name."""
    out: dict[str, Slot] = {}
    for attr, value in vars(obj).items():
        if _is_parameter(value):
            out[attr] = (attr, None)
        elif isinstance(value, dict):
            out.update(
                {
                    f"{attr}[{k!r}]": (attr, k)
                    for k, v in value.items()
                    if isinstance(k, str) and _is_parameter(v)
                }
            )
    return out


def key(name: str, slot: Slot) -> str:
    """The part of a parameter's name its gradient is matched by: the attribute or the dict key."""
    return slot[1] if slot[1] is not None else slot[0]


def get(obj: Any, slot: Slot) -> Any:
    """The value at a slot."""
    value = getattr(obj, slot[0])
    return value if slot[1] is None else value[slot[1]]


def put(obj: Any, slot: Slot, value: Any) -> None:
    """Bind ``value`` at a slot (a dict entry is set in the dict the object holds)."""
    if slot[1] is None:
        setattr(obj, slot[0], value)
    else:
        getattr(obj, slot[0])[slot[1]] = value


def snapshot(obj: Any) -> dict[str, Any]:
    """The object's attributes now, dicts copied one level (so entries set later are seen as new)."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in vars(obj).items()}


def _new(obj: Any, before: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(label, array)`` for arrays the backward set: new or rebound attributes and dict entries, and
    numbers (``self.db = np.sum(dout)``, a gradient summed to one number), as arrays of no axes."""
    out = []
    for attr, value in vars(obj).items():
        if isinstance(value, np.ndarray) and before.get(attr) is not value:
            out.append((attr, value))
        elif isinstance(value, float | np.floating) and before.get(attr) is not value:  # np.sum(dout)
            out.append((attr, np.asarray(value, dtype=np.float64)))
        elif isinstance(value, dict):
            old = before.get(attr, {}) if isinstance(before.get(attr), dict) else {}
            out += [
                (f"{attr}[{k!r}]", v)
                for k, v in value.items()
                if isinstance(k, str) and isinstance(v, np.ndarray) and old.get(k) is not v
            ]
    return out


def _match(label: str, keys: dict[str, str]) -> str | None:
    """The parameter (or ``x``) a gradient labelled ``label`` belongs to, by its key's stem."""
    last = label.rsplit("[", 1)[-1].strip("]'\"") if "[" in label else label
    stem = gradient_stem(last)
    if stem != last and stem in keys:
        return keys[stem]
    if "[" in label and last in keys and label.split("[")[0] not in keys:  # self.grads['W']
        return keys[last]
    if stem != last and stem in INPUT_KEYS:
        return "x"
    return None


def gradients(
    obj: Any, before: dict[str, Any], slots: dict[str, Slot], returned: Any, names: list[str | None]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The gradients a backward gave, by parameter name (``x`` for the input), and how it named them.

    Parameters
    ----------
    obj : object
        The layer after its backward.
    before : dict
        :func:`snapshot` before the backward.
    slots : dict of str to Slot
        The parameters.
    returned : object
        What the backward returned.
    names : list of str or None
        The names its ``return`` statement gives.
    """
    keys = {key(n, s): n for n, s in slots.items()}
    found: dict[str, Any] = {}
    labels: dict[str, str] = {}
    if dataclasses.is_dataclass(returned) and not isinstance(returned, type):  # BackwardResult(grads, dx)
        returned, names = tuple(vars(returned).values()), [None] * len(vars(returned))
    if isinstance(returned, tuple) and any(isinstance(r, dict) for r in returned):  # ({'W': dW}, dx)
        arrays = [r for r in returned if isinstance(r, np.ndarray)]
        grads = next(r for r in returned if isinstance(r, dict))
        if len(arrays) == 1:
            found["x"], labels["x"] = arrays[0], "dx"
        returned = grads
    if _grouped(returned, len(slots)):  # return dx, [dw, db] (or dx, [] of a layer of no parameters)
        returned, names = (returned[0], *returned[1]), [None] * (1 + len(returned[1]))
    if isinstance(returned, np.ndarray):
        found["x"], labels["x"] = returned, "dx"
    elif isinstance(returned, (tuple, list)) and all(isinstance(r, np.ndarray) for r in returned):
        order = ["x", *slots]
        for i, r in enumerate(returned):
            named = names[i] if len(names) == len(returned) else None
            target = _match(named, keys) if named else None
            target = target or (order[i] if i < len(order) and not named else None)
            if target is not None:
                found[target], labels[target] = r, named or f"d{target}"
    elif isinstance(returned, dict):  # return {"W1": dW1, "b1": db1}: keyed by the parameters' names
        for k, r in returned.items():
            target = _match(f"returned[{k!r}]", keys) if isinstance(k, str) else None
            if target is not None and isinstance(r, np.ndarray):
                found[target], labels[target] = r, f"[{k!r}]"
    for label, value in _new(obj, before):
        target = _match(label, keys)
        if target is not None and target not in found and label not in slots:
            found[target], labels[target] = value, label
    return found, labels


def _grouped(returned: Any, n_params: int) -> bool:
    """``(dx, [dw, db])``: the input's gradient, then a list of one gradient per parameter, in order."""
    return (
        isinstance(returned, tuple)
        and len(returned) == 2
        and isinstance(returned[0], np.ndarray)
        and isinstance(returned[1], list | tuple)
        and len(returned[1]) == n_params
        and all(isinstance(r, np.ndarray) for r in returned[1])
    )


def _shift(value: Any) -> Any:
    """``1 … 2`` spread evenly over the entries of ``value`` in their order (1.0 for a number)."""
    size = int(np.size(value))
    return np.linspace(1.0, 2.0, size).reshape(np.shape(value)) if size > 1 else 1.0


def unread(
    run: Callable[[], Any],
    obj: Any,
    slots: dict[str, Slot],
    params: dict[str, Array],
    original: dict[str, Any],
) -> list[str]:
    """The parameters the forward pass does not read: its output is the same, bit for bit, with the
    parameter shifted (``run()`` is the forward on a fixed input). The shift is 1 to 2, a different amount
    in every entry (:func:`_shift`): a shift of one in every entry moves every score of a softmax
    output alike, through its bias or its weights, and leaves the output as it was. The parameters
    are put back, those not read with their ``original`` values (an optimiser's zero velocity, not a
    draw), and the forward run again, so that what it caches is of these values."""
    out: list[str] = []
    reference = run()
    for name, slot in slots.items():
        put(obj, slot, params[name] + _shift(params[name]))
        try:
            shifted = run()
        except Exception:  # a forward that fails on the shifted value reads it
            shifted = None
        finally:
            put(obj, slot, params[name].copy())
        same = isinstance(shifted, np.ndarray) and shifted.shape == np.shape(reference)
        if same and np.array_equal(shifted, reference):
            out.append(name)
    for name in out:
        put(obj, slots[name], original[name])
    run()
    return out


def unclaimed(obj: Any, before: dict[str, Any], slots: dict[str, Slot], labels: dict[str, str]) -> list[str]:
    """Arrays the backward set (new or rebound) that are no parameter and no gradient it was read to
    give (``labels``): ``deltaLossW`` when the parameter is ``weight``."""
    used = set(labels.values()) | set(slots)
    return [label for label, _ in _new(obj, before) if label not in used]
