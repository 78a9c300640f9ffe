"""Where someone's code keeps its weights: parameters found in any container, named and set in place.

Hand-written networks keep their weights in many ways: ``ndarray`` attributes (``self.W1``), lists or
tuples of arrays (``self.weights[0]``), arrays of objects (:mod:`verification.adapters.object_arrays`),
dicts (``params['W1']``), sub-objects (``self.layer1.W``), lists of layer objects (``self.layers[1].W``),
nested Python lists of floats, even float attributes (``self.w1 = 0.5``). :func:`find_parameters` walks
the objects a setup created and returns a :class:`Slot` for each candidate, with a stable readable name
and a path from a root name of the namespace, so the checker can read and write it *where the code
keeps it*: the code sees the perturbed weights as it would see its own.

Writing real values goes into the arrays the code holds, in place (after rebinding the original array
if the code replaced it); complex values (for complex-step differentiation) are bound as new complex
arrays and the originals bound back afterwards (:meth:`Slots.restore`).
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.object_arrays import is_number_objects, is_object_vector
from verification.adapters.shadows import keep_in_step

Array = NDArray[Any]

MAX_DEPTH = 6
"""How deep the walk goes from a root: ``net.layers[1].W`` is depth 3."""
MAX_SLOTS = 2000
"""Most candidate parameters a walk returns (past that the code is not a hand-written network)."""
SCALAR_NAME = re.compile(r"^(w|b|weight|bias|theta|threshold)\w*$", re.IGNORECASE)
"""Float attributes count as weights only under a weight's name (``w1``, ``b3``, ``weight``, ``bias``,
a unit's ``threshold``: a bias subtracted)."""

Step = tuple[str, Any]
"""One step of a path: ``("attr", name)`` or ``("item", key)``."""
REAL = (float, np.floating)
"""Real numbers that are no integers: ``list(weights)`` of an array holds ``np.float64`` items."""


def _is_float_array(value: Any) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.size > 0
        and value.ndim >= 1
        and (np.issubdtype(value.dtype, np.floating) or np.issubdtype(value.dtype, np.complexfloating))
    )


def _is_float_list(value: Any) -> bool:
    """A (nested) Python list of floats, all rows of one length: weights written without numpy."""
    if not isinstance(value, list) or not value:
        return False
    if all(isinstance(v, REAL) for v in value):
        return True
    return (
        all(isinstance(v, list) and v and all(isinstance(u, REAL) for u in v) for v in value)
        and len({len(v) for v in value}) == 1
    )


def walkable(value: Any) -> bool:
    """Objects whose attributes may hold weights: instances of user classes, not modules or numpy."""
    if isinstance(value, (types.ModuleType, type, types.FunctionType, types.MethodType, np.ndarray)):
        return False
    module = getattr(type(value), "__module__", "") or ""
    if module.split(".")[0] in ("numpy", "builtins", "sympy", "matplotlib", "scipy", "torch", "ffnn"):
        return False
    return hasattr(value, "__dict__")


def _name(root: str, path: tuple[Step, ...], show_root: bool) -> str:
    text = root if show_root else ""
    for kind, key in path:
        if kind == "attr":
            text = f"{text}.{key}" if text else str(key)
        else:
            text = f"{text}[{key!r}]"
    return text


@dataclass
class Slot:
    """One parameter where the code keeps it.

    Attributes
    ----------
    name : str
        Readable name, e.g. ``W1``, ``weights[0]``, ``params['W1']``, ``layers[1].W``.
    root : str
        The namespace name the path starts from.
    path : tuple of (str, object)
        Attribute and item steps from the root.
    kind : str
        ``array`` (an ndarray), ``list`` (nested Python list of floats) or ``scalar`` (a float).
    shape : tuple of int
    original : object
        The object the code held when the slot was found (the array itself, for ``array`` slots).
    """

    name: str
    root: str
    path: tuple[Step, ...]
    kind: str
    shape: tuple[int, ...]
    original: Any = field(repr=False, default=None)

    def get(self, namespace: Mapping[str, Any]) -> Any:
        """The object at the slot now.

        Raises
        ------
        InputError
            When the code under check removed it (``del net.W1``) or replaced what held it.
        """
        try:
            obj = namespace[self.root]
            for kind, key in self.path:
                obj = getattr(obj, key) if kind == "attr" else obj[key]
        except (AttributeError, LookupError, TypeError):
            where = self.root + "".join(f".{k}" if kind == "attr" else f"[{k!r}]" for kind, k in self.path)
            raise InputError(
                f"the code under check removed the parameter {self.name}: {where} is no longer there"
            ) from None
        return obj

    def bind(self, namespace: dict[str, Any], value: Any) -> None:
        """Bind ``value`` at the slot (a tuple on the way is rebuilt, since it cannot be changed)."""
        if not self.path:
            namespace[self.root] = value
            return
        chain = [namespace[self.root]]
        for kind, key in self.path[:-1]:
            chain.append(getattr(chain[-1], key) if kind == "attr" else chain[-1][key])
        for depth in range(len(self.path) - 1, -1, -1):
            kind, key = self.path[depth]
            parent = chain[depth]
            if kind == "attr":
                setattr(parent, key, value)
                return
            if isinstance(parent, tuple):
                items = list(parent)
                items[key] = value
                value = type(parent)(items) if type(parent) is tuple else type(parent)(*items)
                continue
            parent[key] = value
            return
        namespace[self.root] = value

    def read(self, namespace: Mapping[str, Any]) -> Array:
        """The slot's value as a float64 array of its shape."""
        try:
            value = np.asarray(self.get(namespace))
        except (ValueError, TypeError) as exc:  # w1[j][i] -= lr * dh * x[i] made some entries arrays
            raise InputError(
                f"the code made {self.name} a nest of values of unequal shapes ({exc}), no longer an "
                f"array of shape {self.shape}"
            ) from None
        if value.shape != self.shape and self.kind == "scalar" and value.size == 1:
            value = value.reshape(())  # a bias started as 0 that a step made an array of one entry
        if value.shape != self.shape:
            shapes = f"from {self.shape} to {value.shape}"
            changed = InputError(f"the code changed the shape of {self.name} {shapes}")
            changed.reshaped = self.name  # type: ignore[attr-defined]  # no gradient step: a batch's verdict
            raise changed
        if np.iscomplexobj(value):
            value = value.real
        return np.array(value, dtype=np.float64)


def find_slots(namespace: Mapping[str, Any], roots: Iterable[str]) -> list[Slot]:
    """Every candidate parameter reachable from the namespace names ``roots``.

    Parameters
    ----------
    namespace : mapping
        Names of the script after its setup ran.
    roots : iterable of str
        The names to walk from (those the setup bound).

    Returns
    -------
    list of Slot
        In the order the code defines them (attribute order, list and dict order); an object reached
        twice is listed once.
    """
    roots = list(roots)
    show_root = len(roots) > 1 or not any(walkable(namespace[r]) for r in roots)
    seen: set[int] = set()
    slots: list[Slot] = []

    def visit(root: str, value: Any, path: tuple[Step, ...], depth: int) -> None:
        if len(slots) >= MAX_SLOTS or depth > MAX_DEPTH:
            return
        if id(value) in seen and not isinstance(value, (float, int)):
            return
        if _is_float_array(value) or is_number_objects(value):
            seen.add(id(value))
            slots.append(Slot(_name(root, path, show_root), root, path, "array", value.shape, value))
        elif _is_float_list(value):
            seen.add(id(value))
            shape = np.asarray(value).shape
            slots.append(Slot(_name(root, path, show_root), root, path, "list", shape, value))
        elif isinstance(value, REAL):
            key = path[-1][1] if path else root
            if isinstance(key, str) and SCALAR_NAME.match(key.rsplit("__", 1)[-1]):  # _Net__b2 too
                slots.append(Slot(_name(root, path, show_root), root, path, "scalar", (), value))
        elif isinstance(value, (list, tuple)) or is_object_vector(value):
            seen.add(id(value))
            for i, item in enumerate(value):
                visit(root, item, (*path, ("item", i)), depth + 1)
        elif isinstance(value, dict):
            seen.add(id(value))
            for key, item in value.items():
                if isinstance(key, (str, int)):
                    visit(root, item, (*path, ("item", key)), depth + 1)
        elif walkable(value):
            seen.add(id(value))
            for attr, item in list(vars(value).items()):
                if not attr.startswith("__"):
                    visit(root, item, (*path, ("attr", attr)), depth + 1)

    for root in roots:
        visit(root, namespace[root], (), 0)
    return slots


class Slots:
    """The parameters of code under check, read and written where the code keeps them.

    Parameters
    ----------
    namespace : dict
        The namespace the code runs in (the script's definitions and the setup's names).
    slots : list of Slot
        The parameters, in the code's order.
    """

    def __init__(self, namespace: dict[str, Any], slots: list[Slot]) -> None:
        self.namespace = namespace
        self.slots = {s.name: s for s in slots}
        self.shadows: dict[str, list[tuple[Slot, Any]]] = {}  # (verification.adapters.shadows)
        for s in slots:
            s.original = s.get(namespace)

    @property
    def names(self) -> list[str]:
        """Parameter names in the code's order."""
        return list(self.slots)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of each parameter."""
        return {n: s.shape for n, s in self.slots.items()}

    def read(self) -> dict[str, Array]:
        """Current values, float64 copies."""
        return {n: s.read(self.namespace) for n, s in self.slots.items()}

    def write(self, values: Mapping[str, Array]) -> None:
        """Write real values into the objects the code holds (the original ones, rebound if replaced),
        and into the copies the code keeps of them (:attr:`shadows`)."""
        for n, value in values.items():
            s = self.slots[n]
            if s.kind == "array":
                if s.get(self.namespace) is not s.original:
                    s.bind(self.namespace, s.original)
                if not s.original.flags.writeable:
                    s.original = np.array(s.original)
                    s.bind(self.namespace, s.original)
                s.original[...] = np.real(value)
                for shadow, block in self.shadows.get(n, ()):
                    keep_in_step(shadow, block, value, self.namespace)
            elif s.kind == "list":
                if s.get(self.namespace) is not s.original:
                    s.bind(self.namespace, s.original)
                _fill_list(s.original, np.asarray(value, dtype=np.float64))
            else:
                s.bind(self.namespace, float(np.real(value)))

    def refuse_complex(self, error: type[InputError] = InputError) -> None:
        """Raise ``error`` naming the parameters the code holds as complex numbers: the gradient of a
        real loss in real weights is what is checked."""
        complex_ = [n for n, s in self.slots.items() if np.iscomplexobj(s.get(self.namespace))]
        if complex_:
            dtype = np.asarray(self.slots[complex_[0]].get(self.namespace)).dtype
            raise error(
                f"the weights {', '.join(complex_)} are complex (dtype {dtype}): the checker compares the "
                "gradient of a real loss in real weights; make them real"
            )

    def write_complex(self, values: Mapping[str, Array]) -> None:
        """Bind complex128 arrays (complex numbers for scalars, nested lists for lists) at every slot."""
        for n, value in values.items():
            s = self.slots[n]
            arr = np.array(value, dtype=np.complex128)
            if s.kind == "array":
                s.bind(self.namespace, arr)
            elif s.kind == "list":
                s.bind(self.namespace, arr.tolist())
            else:
                s.bind(self.namespace, complex(arr))

    def entry_setter(self, name: str) -> EntrySetter:
        """Fast access to single entries of ``name`` as the code holds it now (for finite differences)."""
        return EntrySetter(self.slots[name], self.namespace)

    def restore(self) -> None:
        """Bind the original objects back at every slot."""
        for s in self.slots.values():
            if s.kind != "scalar" and s.get(self.namespace) is not s.original:
                s.bind(self.namespace, s.original)


def _fill_list(target: list[Any], values: Array) -> None:
    if values.ndim == 1:
        target[:] = [float(v) for v in values]
    else:
        for row, v in zip(target, values, strict=True):
            row[:] = [float(u) for u in v]


class EntrySetter:
    """Get and set single entries (flat index) of one parameter, in the object the code reads."""

    def __init__(self, slot: Slot, namespace: dict[str, Any]) -> None:
        self.slot, self.namespace = slot, namespace
        self.live = slot.get(namespace)
        self.flat = (
            np.asarray(self.live).reshape(-1) if isinstance(self.live, np.ndarray) else None
        )  # np.matrix too
        if self.flat is not None and not np.shares_memory(self.flat, self.live):
            self.flat = None

    def __getitem__(self, i: int) -> Any:
        if self.flat is not None:
            return self.flat[i]
        if self.slot.kind == "scalar" or self.slot.shape == ():
            return self.slot.get(self.namespace)
        index = np.unravel_index(i, self.slot.shape)
        obj = self.live
        for k in index:
            obj = obj[int(k)]
        return obj

    def __setitem__(self, i: int, value: Any) -> None:
        if self.flat is not None:
            self.flat[i] = value
            return
        if self.slot.kind == "scalar" or self.slot.shape == ():
            self.slot.bind(self.namespace, value)
            return
        index = [int(k) for k in np.unravel_index(i, self.slot.shape)]
        obj = self.live
        for k in index[:-1]:
            obj = obj[k]
        obj[index[-1]] = value
