"""NumPy names that older scripts use and NumPy has since removed, read as what they stood for.

Older code uses aliases NumPy has since removed: ``np.asscalar`` (removed in 1.23), ``np.float`` and
``np.int`` (deprecated in 1.20, removed in 1.24), ``np.mat``, ``np.float_``, ``np.NaN``, ``np.product``
(removed in 2.0; NumPy 1.23, 1.24 and 2.0 release notes, the last under "NumPy 2.0 Python API
removals"). Each was a plain synonym, so a script that uses one computes the same thing with the name
it stood for. When the script's text uses such a name, the loader binds its ``import numpy`` to
:func:`numpy_with_aliases` (NumPy itself, with the removed names put back) and the report says which
names were read so
(:func:`removed_names_used`). A script that does not use them gets NumPy unchanged. Likewise for
``import scipy as sp`` and ``sp.tanh``: NumPy's functions SciPy re-exported and has since dropped
(:func:`scipy_names_from_numpy`), and for ``time.clock``, which Python 3.8 removed (a timer: read as
``time.perf_counter``).
"""

from __future__ import annotations

import re
import time
import types
from typing import Any

import numpy as np

REMOVED: dict[str, Any] = {
    "float": float,
    "int": int,
    "object": object,
    "complex": complex,
    "str": str,
    "unicode": str,
    "mat": np.asmatrix,
    "asscalar": lambda a: np.asarray(a).item(),
    "float_": np.float64,
    "complex_": np.complex128,
    "unicode_": np.str_,
    "string_": np.bytes_,
    "NaN": np.nan,
    "NAN": np.nan,
    "Inf": np.inf,
    "Infinity": np.inf,
    "infty": np.inf,
    "PINF": np.inf,
    "NINF": -np.inf,
    "product": np.prod,
    "cumproduct": np.cumprod,
    "alltrue": np.all,
    "sometrue": np.any,
    "round_": np.round,
    "in1d": np.isin,
}
"""Removed name → what it was a synonym of."""

_USE = re.compile(r"\b(?:np|numpy)\.(" + "|".join(sorted(REMOVED, key=len, reverse=True)) + r")\b(?!\s*=)")


def removed_names_used(text: str) -> list[str]:
    """The removed names (:data:`REMOVED`) that ``text`` uses as ``np.NAME`` or ``numpy.NAME`` and this
    NumPy lacks, in order of first use (``["float", "mat"]``)."""
    found = dict.fromkeys(m.group(1) for m in _USE.finditer(text))
    return [n for n in found if not hasattr(np, n)]


def numpy_with_aliases(names: list[str]) -> types.ModuleType:
    """A module that is NumPy with the removed ``names`` bound again to what they stood for.

    Its namespace is a copy of NumPy's (so ``np.ndarray``, ``np.random`` are NumPy's own objects);
    names NumPy creates on first use are looked up in NumPy."""
    return _with(np, {n: REMOVED[n] for n in names})


def scipy_names_from_numpy(text: str, bound: str, scipy: types.ModuleType) -> list[str]:
    """The names ``text`` uses as ``bound.NAME`` (``sp.tanh``) that the imported SciPy no longer has but
    NumPy does: SciPy re-exported NumPy's functions at its top level until it removed them (SciPy
    1.12 release notes), so old code calls ``sp.tanh`` for ``np.tanh``."""
    used = dict.fromkeys(re.findall(rf"\b{re.escape(bound)}\.([A-Za-z_]\w*)\b", text))
    return [n for n in used if not hasattr(scipy, n) and hasattr(np, n)]


def scipy_with_numpy(scipy: types.ModuleType, names: list[str]) -> types.ModuleType:
    """SciPy with NumPy's ``names`` at its top level again (:func:`scipy_names_from_numpy`)."""
    return _with(scipy, {n: getattr(np, n) for n in names})


def _with(base: types.ModuleType, extra: dict[str, Any]) -> types.ModuleType:
    module = types.ModuleType(base.__name__, base.__doc__)
    module.__dict__.update(vars(base))
    module.__dict__.update(extra)
    module.__dict__["__getattr__"] = lambda name: getattr(base, name)
    return module


def bind_aliases(
    namespace: dict[str, Any], imported: list[tuple[str, str]], aliases: list[str], text: str
) -> list[str]:
    """After an import of ``imported`` (``(bound name, module)`` pairs), bind NumPy with the removed
    names the script uses (``aliases``), and SciPy with the NumPy functions the script calls on it
    (read off the script's ``text``), and ``time`` with ``time.clock`` (removed in Python 3.8, "What's
    New In Python 3.8") as ``time.perf_counter`` where the script calls it. Returns the names added."""
    added: list[str] = []
    for bound, module_name in imported:
        if module_name == "numpy" and aliases and bound in namespace:
            namespace[bound] = numpy_with_aliases(aliases)
        elif module_name == "time" and re.search(rf"\b{re.escape(bound)}\.clock\b", text):
            if not hasattr(time, "clock") and bound in namespace:  # removed in Python 3.8
                namespace[bound] = _with(time, {"clock": time.perf_counter})
                added.append(f"{bound}.clock")
        elif module_name == "scipy" and isinstance(namespace.get(bound), types.ModuleType):
            names = scipy_names_from_numpy(text, bound, namespace[bound])
            if names:
                namespace[bound] = scipy_with_numpy(namespace[bound], names)
                added += [f"{bound}.{n}" for n in names]
    return added
