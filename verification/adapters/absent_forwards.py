"""Why a class has no forward pass the check can call, said truly.

A class may define no method named like a forward pass at all, or one that takes no input: ``forward(self)``
reading the data from module-level names (``sigmoid(x_batch @ W + b)``). The second is no missing
method, and a refusal that said so would be false; :func:`absent_forward` tells the two apart.
"""

from __future__ import annotations

from typing import Any

from verification.reading import conventions as cv


def absent_forward(cls: type, obj: Any) -> str:
    """The reason no forward pass of ``obj`` (an instance of ``cls``) could be called, for a refusal:
    its forward-like method takes no input, or it has none (naming the names looked for)."""
    named = [m for m in cv.FORWARD_NAMES if callable(getattr(obj, m, None))]
    bare = [m for m in named if not cv.positional_parameters(getattr(obj, m))]  # forward(self)
    if bare:
        return (
            f"{cls.__name__}.{bare[0]} takes no input (it reads the data from elsewhere), so the output "
            "cannot be taken as a function of inputs the check gives"
        )
    return f"{cls.__name__} has no forward-pass method (looked for {', '.join(cv.FORWARD_NAMES[:8])} …)"
