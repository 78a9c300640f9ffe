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

import ast
import sys
from typing import Any

from ffnn.validation import InputError
from verification.reading.source_trees import source_tree

LOCAL_READER = "__backprop_verify_local__"
"""The name :func:`local_value` is bound to in a loaded script's namespace."""


def local_value(function: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)`` and return the value of its local ``name`` when it returns
    (:func:`output_locals`). A function that raises after its last assignment of ``name``, outside any
    loop that assigns it (``return np.mean(np.argmax(scores, axis=1) == y)`` given labels of another
    format), has computed ``name`` whole: its value is returned.

    Raises
    ------
    InputError
        When ``function`` returns without having bound ``name``.
    Exception
        What ``function`` raised before ``name`` was computed whole.
    """
    found, line, raised = _run(function, args, kwargs)
    if raised is not None and not (name in found and _after_output(function, name, line)):
        raise raised
    if name not in found:
        raise InputError(f"{getattr(function, '__qualname__', function)} returned without setting {name!r}")
    return found[name]


def output_locals(function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The locals of ``function`` as it returns from ``function(*args, **kwargs)`` (its last return, for a
    function called again inside the call); empty when it cannot be read.

    Raises
    ------
    Exception
        What ``function`` raises.
    """
    found, _, raised = _run(function, args, kwargs)
    if raised is not None:
        raise raised
    return found


def _run(function: Any, args: Any, kwargs: Any) -> tuple[dict[str, Any], int | None, Exception | None]:
    """The locals of ``function`` at its last return, the line it returned from, and what it raised."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    seen: dict[str, Any] = {}
    line: list[int | None] = [None]
    previous = sys.getprofile()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is code:
            seen.update(frame.f_locals)
            line[0] = frame.f_lineno

    sys.setprofile(profile)
    try:
        function(*args, **kwargs)
    except Exception as exc:  # the caller decides whether it stands
        return seen, line[0], exc
    finally:
        sys.setprofile(previous)
    return seen, line[0], None


def _after_output(function: Any, name: str, line: int | None) -> bool:
    """Whether ``line`` (of the file) comes after every assignment of ``name`` in ``function`` and lies
    in no loop that assigns it: the local was computed whole before the failure."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    tree = source_tree(function)
    if code is None or tree is None or line is None:
        return False
    at = line - code.co_firstlineno + 1  # the line in the function's own source
    assigned = [
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assign | ast.AugAssign) and name in _stored(n)
    ]
    looped = [
        (n.lineno, n.end_lineno or n.lineno)
        for n in ast.walk(tree)
        if isinstance(n, ast.For | ast.While)
        and any(name in _stored(s) for s in ast.walk(n) if isinstance(s, ast.stmt))
    ]
    return bool(assigned) and at > max(assigned) and not any(lo <= at <= hi for lo, hi in looped)


def _stored(node: ast.AST) -> set[str]:
    """The names an assignment stores (``a = …``, ``a, b = …``, ``a += …``)."""
    if isinstance(node, ast.Assign):
        targets: list[ast.expr] = list(node.targets)
    elif isinstance(node, ast.AugAssign):
        targets = [node.target]
    else:
        return set()
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
