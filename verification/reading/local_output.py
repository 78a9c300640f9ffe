"""The value a function leaves in a local variable: the output of a forward pass that prints its output
instead of returning it.

Some hand-written forward passes compute the output and then only show it::

    def query(self, inputs_list):
        ...
        final_outputs = self.activation_function(final_inputs)
        print(final_outputs)

Such a method returns None and stores nothing, but its output is its local ``final_outputs`` when it
returns. :func:`local_value` runs the method and reads that local from its frame as it returns (with
:func:`sys.setprofile`, the interpreter's own hook for call and return events; Python Library
Reference, ``sys.setprofile``). The loader binds it in every script's namespace as
:data:`LOCAL_READER`, so the forward expression ``__backprop_verify_local__(net.query, "final_outputs",
x)`` runs as the explicit form too.
"""

from __future__ import annotations

import sys
from typing import Any

from ffnn.validation import InputError

LOCAL_READER = "__backprop_verify_local__"
"""The name :func:`local_value` is bound to in a loaded script's namespace."""


def local_value(function: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)`` and return the value of its local ``name`` when it returns
    (:func:`output_locals`).

    Raises
    ------
    InputError
        When ``function`` returns without having bound ``name``.
    """
    found = output_locals(function, *args, **kwargs)
    if name not in found:
        raise InputError(f"{getattr(function, '__qualname__', function)} returned without setting {name!r}")
    return found[name]


def output_locals(function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The locals of ``function`` as it returns from ``function(*args, **kwargs)`` (its last return, for a
    function called again inside the call); empty when it cannot be read."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    seen: dict[str, Any] = {}
    previous = sys.getprofile()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is code:
            seen.update(frame.f_locals)

    sys.setprofile(profile)
    try:
        function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return seen
