"""Float arrays a forward pass allocates, made complex while it runs at complex inputs.

Hand-written layers fill an output they allocate: ``out = np.zeros((N, F, H_out, W_out))``, then
``out[n, f, i, j] = np.sum(window * w[f]) + b[f]``. At complex inputs (complex step) that assignment
casts a complex value into a float array and drops its imaginary part, so the forward is not
complex-safe, and Richardson extrapolation (eight forwards per entry instead of one) would be needed
for nearly every convolution, pooling or recurrent layer written as loops.

While such a forward runs at complex inputs, :class:`ComplexAllocation` binds the script's ``numpy``
(and the allocators it imported by name) to a stand-in whose ``zeros``, ``ones``, ``empty`` and ``full``
allocate ``complex128`` where the code asked for a float array (no dtype, or a float dtype); integer
and boolean arrays, and everything else, are numpy's own. The real forward, and every backward, run
with numpy untouched. Whether the forward is then complex-safe is still *detected*, not assumed
(:func:`verification.units.vjp.complex_safe`: complex output, the same real part, and agreement with a
central difference), so a forward the stand-in does not make complex-safe falls back to Richardson.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

ALLOCATORS = ("zeros", "ones", "empty", "full")
"""The numpy functions whose float arrays are made complex."""


def _complex_dtype(dtype: Any, fill: Any = 0.0) -> Any:
    """``complex128`` for no dtype (and a real fill value) or a float dtype; else ``dtype``."""
    if dtype is None:
        kind = np.asarray(fill).dtype.kind
        return np.complex128 if kind in "fc" else None
    try:
        return np.complex128 if np.dtype(dtype).kind == "f" else dtype
    except TypeError:
        return dtype


def _allocator(name: str) -> Callable[..., Any]:
    original = getattr(np, name)

    def allocate(*args: Any, **kwargs: Any) -> Any:
        if name == "full":
            fill = args[1] if len(args) > 1 else kwargs.get("fill_value", 0.0)
            dtype = args[2] if len(args) > 2 else kwargs.pop("dtype", None)
            args = args[:2]
            kwargs["dtype"] = _complex_dtype(dtype, fill)
        else:
            dtype = args[1] if len(args) > 1 else kwargs.pop("dtype", None)
            args = args[:1]
            kwargs["dtype"] = _complex_dtype(dtype) if dtype is not None else np.complex128
        return original(*args, **kwargs)

    allocate.__name__ = allocate.__qualname__ = name
    allocate.__doc__ = f"numpy.{name}, with a float array allocated as complex128 (complex step)"
    return allocate


class _ComplexNumpy(types.ModuleType):
    """numpy, with :data:`ALLOCATORS` giving complex arrays where numpy's give float ones."""

    def __init__(self) -> None:
        super().__init__("numpy", "numpy, allocating complex arrays for complex step")
        for name in ALLOCATORS:
            setattr(self, name, _allocator(name))

    def __getattr__(self, name: str) -> Any:
        value = getattr(np, name)
        setattr(self, name, value)  # looked up once: a forward's loop then reads it as fast as numpy's
        return value


STAND_IN = _ComplexNumpy()
"""The one stand-in module."""
_REPLACEMENTS: dict[int, Any] = {id(np): STAND_IN}
_REPLACEMENTS.update({id(getattr(np, n)): getattr(STAND_IN, n) for n in ALLOCATORS})


class ComplexAllocation:
    """The bindings of numpy in some namespaces, to be swapped for the stand-in during a complex run.

    Parameters
    ----------
    namespaces : iterable of dict
        The global namespaces of the code (a loaded script's module, a function's ``__globals__``).
    """

    def __init__(self, namespaces: Iterable[dict[str, Any]]) -> None:
        self.bindings: list[tuple[dict[str, Any], str, Any]] = []
        seen: set[int] = set()
        for ns in namespaces:
            if id(ns) in seen:
                continue
            seen.add(id(ns))
            for key, value in list(ns.items()):
                if id(value) in _REPLACEMENTS and value is not _REPLACEMENTS[id(value)]:
                    self.bindings.append((ns, key, value))

    @property
    def active(self) -> bool:
        """Whether there is anything to swap (the code uses numpy through a global name)."""
        return bool(self.bindings)

    @contextlib.contextmanager
    def complex_run(self, on: bool = True) -> Iterator[None]:
        """Within the block (when ``on``), the namespaces see the stand-in; afterwards numpy again."""
        if not on:
            yield
            return
        for ns, key, value in self.bindings:
            ns[key] = _REPLACEMENTS[id(value)]
        try:
            yield
        finally:
            for ns, key, value in self.bindings:
                ns[key] = value


def namespaces_of(*code: Any) -> list[dict[str, Any]]:
    """The global namespaces of functions, methods and classes (a class's: its methods')."""
    out: list[dict[str, Any]] = []
    for obj in code:
        if isinstance(obj, type):
            out += [f.__globals__ for f in vars(obj).values() if isinstance(f, types.FunctionType)]
            continue
        fn = getattr(obj, "__func__", obj)
        if isinstance(fn, types.FunctionType):
            out.append(fn.__globals__)
    return out
