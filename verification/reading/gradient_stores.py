"""Forward passes that also store the gradients: the course template whose ``forward(X, y)`` returns
the loss and the accuracy and leaves the gradients in a dict attribute (``self.gradients['W1'] = …``).

Nothing is run: the method's source is read.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from verification.reading import conventions as cv

GRADIENT_STORE = re.compile(r"\bself\.(gradients|grads)\[")
"""A method's assignment into the class's dict of gradients (``self.gradients['W1'] = …``)."""


def stores_gradients(obj: Any, method: str) -> bool:
    """Whether ``method`` of ``obj`` takes the labels (a forward pass given them) and assigns into the
    class's dict of gradients (:data:`GRADIENT_STORE`): it is then also the gradient method, its
    gradients read from the dict after the call."""
    fn = getattr(type(obj), method, None)
    try:
        source = inspect.getsource(fn) if fn is not None else ""
    except (OSError, TypeError):
        return False
    roles = {cv.role(p.name, i) for i, p in enumerate(cv.positional_parameters(getattr(obj, method)))}
    return "y" in roles and any(
        GRADIENT_STORE.search(line) and "=" in line.split("]", 1)[-1] for line in source.splitlines()
    )
