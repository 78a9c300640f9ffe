"""Numbers a layer's methods read from their module: a learning rate or a penalty's coefficient kept as
a module constant (``STEP_SIZE = 0.01`` … ``self.w -= dw * STEP_SIZE``, ``REGU = 1e-6`` … ``dw +=
REGU * self.w``) rather than an argument or an attribute of the layer. Read off the method's source
(the names it loads) and its module's globals, so that an update is divided by the rate it was taken
at, not by a default, and a penalty the layer adds is read as one."""

from __future__ import annotations

import ast
import re
from typing import Any

from verification.reading.conventions import LR_NAMES, REGULARISATION
from verification.reading.source_trees import source_tree

LR_CONSTANT = re.compile("^(" + "|".join(re.escape(n) for n in LR_NAMES) + ")$", re.IGNORECASE)
"""A module constant named like a learning rate (:data:`~verification.reading.conventions.LR_NAMES`)."""

PENALTY_CONSTANT = re.compile(REGULARISATION.pattern.rstrip("$") + r"|^regu\w*$", re.IGNORECASE)
"""A module constant named like a penalty's coefficient (``REG``, ``L2``, ``REGU``, ``REGULARIZATION``)."""


def module_constants(method: Any, pattern: re.Pattern[str]) -> list[float]:
    """The positive numbers of the module globals ``method`` reads whose names match ``pattern``, in the
    order of their names; empty when its source cannot be read.

    Parameters
    ----------
    method : function or bound method
    pattern : re.Pattern
        Names to take (:data:`LR_CONSTANT`, :data:`PENALTY_CONSTANT`).
    """
    fn = getattr(method, "__func__", method)
    tree = source_tree(fn)
    scope = getattr(fn, "__globals__", {})
    if tree is None:
        return []
    read = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)})
    return [
        float(scope[n])
        for n in read
        if pattern.match(n)
        and isinstance(scope.get(n), int | float)
        and not isinstance(scope.get(n), bool)
        and scope[n] > 0
    ]
