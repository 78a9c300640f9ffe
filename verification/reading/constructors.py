"""A constructor spelt so that Python never calls it: ``def _init_(self, n_in, n_out)``.

A class whose ``__init__`` is misspelt (``_init_``, ``__init``, ``init__``, ``__inti__``) is built by
``object.__init__``: it takes no arguments and makes no weights, so every setup detection tries fails,
and the refusal would name only the last of those failures. :func:`misspelt_constructor` finds such a
method, so that the refusal names the bug instead.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

MISSPELT = re.compile(r"^_{0,3}(init|inti|int|innit|intit)_{0,3}$")
"""Names within a few underscores or a swapped letter of ``__init__``."""


def misspelt_constructor(cls: Any) -> str | None:
    """The name of ``cls``'s method that is a misspelt ``__init__``, or None.

    Such a method is one of ``cls``'s own whose name matches :data:`MISSPELT`, is not ``__init__``
    (nor ``__int__`` of ``self`` alone, Python's conversion to ``int``), takes arguments beyond
    ``self`` or sets attributes of it, and ``cls`` has no ``__init__`` of its own or of a base.
    """
    if not isinstance(cls, type) or vars(object)["__init__"] is not getattr(cls, "__init__", None):
        return None
    for key, member in vars(cls).items():
        name = key.removeprefix(f"_{cls.__name__}")  # __init is kept as _NN__init (name mangling)
        name = name if name.startswith("__") else key
        if name == "__init__" or not MISSPELT.match(name) or not inspect.isfunction(member):
            continue
        params = list(inspect.signature(member).parameters)
        try:
            sets = "self." in inspect.getsource(member)
        except (OSError, TypeError):
            sets = False
        if len(params) > 1 or (sets and name != "__int__"):
            return name
    return None
