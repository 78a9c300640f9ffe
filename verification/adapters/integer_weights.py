"""Weights the code starts as integers: made floats before the parameters are looked for.

Tutorial code often starts a bias as the integer zero (``self.b2 = 0``), as a NumPy scalar
(``np.float64(0)``), or as an integer array (``np.zeros(n, dtype=int)``), and its first step rebinds it
to a float array. Left as they are, such weights are no parameters (:mod:`verification.adapters.
parameters` takes float arrays and Python floats), so what the code does to them would never be
checked: a wrong bias update would pass. :func:`float_weights` binds each one, where the code keeps it,
as the float it stands for (a Python float, or a float64 array of the same values) before the
parameters are found; the note it returns names them. Only names that say weight or bias are taken
(:data:`INTEGER_WEIGHT`): ``self.n_layers = 2`` or ``self.epochs = 100`` stay integers.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import numpy as np

from verification.adapters.failures import Failed
from verification.adapters.parameters import MAX_DEPTH, walkable
from verification.reading.loader import LoadedScript

INTEGER_WEIGHT = re.compile(
    r"^([wb]\d*|[wb]_\w+|(weights?|bias(es)?)\d*|(weights?|bias(es)?)_\w+|\w+_(weights?|bias(es)?)|theta\d*)$",
    re.IGNORECASE,
)
"""Names under which an integer is a weight the code has not yet trained (``b2``, ``bias``, ``w_out``)."""


def _named_weight(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    plain = key.rsplit("__", 1)[-1] if key.startswith("_") and "__" in key else key  # _Net__b2
    return bool(INTEGER_WEIGHT.match(plain))


def _as_float(value: Any) -> Any:
    """The float ``value`` stands for, or None when it is not an integer or NumPy scalar weight."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer | np.floating) and type(value) is not float:  # np.float64 too
        return float(value)
    if isinstance(value, np.ndarray) and value.size > 0 and np.issubdtype(value.dtype, np.integer):
        return value.astype(np.float64)
    return None


def float_weights(namespace: dict[str, Any], roots: list[str]) -> list[str]:
    """Bind the integer and NumPy-scalar weights reachable from ``roots`` (attributes and dict entries of
    the objects the setup made, and the roots themselves) as floats; the readable names of those
    bound, for the report."""
    done: list[str] = []
    seen: set[int] = set()

    def visit(holder: Any, name: str, depth: int) -> None:
        if depth > MAX_DEPTH or id(holder) in seen:
            return
        seen.add(id(holder))
        if isinstance(holder, dict):
            items = [(k, v) for k, v in holder.items() if isinstance(k, str)]
        elif walkable(holder):
            items = [(k, v) for k, v in vars(holder).items() if not k.startswith("__")]
        elif isinstance(holder, list):
            for i, item in enumerate(holder):
                visit(item, f"{name}[{i}]", depth + 1)
            return
        else:
            return
        for key, value in items:
            where = f"{name}[{key!r}]" if isinstance(holder, dict) else f"{name}.{key}".lstrip(".")
            made = _as_float(value) if _named_weight(key) else None
            if made is not None:
                if isinstance(holder, dict):
                    holder[key] = made
                else:
                    setattr(holder, key, made)
                done.append(where)
            else:
                visit(value, where, depth + 1)

    for root in roots:
        value = namespace.get(root)
        made = _as_float(value) if _named_weight(root) else None
        if made is not None:
            namespace[root] = made
            done.append(root)
        else:
            visit(value, "" if walkable(value) else root, 0)
    return done


def _stored_keys(target: ast.expr) -> list[tuple[str, bool]]:
    """``(key, whole)`` for what an assignment target stores: ``b`` and ``self.b`` store ``b`` whole,
    ``params['b']`` stores ``b`` whole, ``b[0]`` stores into ``b`` (not whole)."""
    if isinstance(target, ast.Tuple | ast.List):
        return [k for t in target.elts for k in _stored_keys(t)]
    if isinstance(target, ast.Starred):
        return _stored_keys(target.value)
    if isinstance(target, ast.Name):
        return [(target.id, True)]
    if isinstance(target, ast.Attribute):
        return [(target.attr, True)]
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return [(key.value, True)]
        return [(k, False) for k, _ in _stored_keys(target.value)]
    return []


def set_once(tree: ast.Module, name: str) -> bool:
    """Whether the file ``tree`` sets the weight ``name`` (its last step: ``b``, ``net.b2`` → ``b2``,
    ``params['b1']`` → ``b1``) in one statement at most and never changes it after: no second
    assignment, no ``b += …``, no store into its entries. Such an integer, given no gradient, may be a
    constant the author wrote into the network (``b = 1``, a bias input never trained) or a weight left
    untrained."""
    key = re.sub(r"^.*?(\w+)'?\]?$", r"\1", name)
    stores = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign):
            if any(k == key for k, _ in _stored_keys(node.target)):
                return False
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.For):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for k, whole in (s for t in targets for s in _stored_keys(t)):
                if k == key:
                    stores += 1
                    if not whole or stores > 1:
                        return False
    return stores <= 1  # return w, 1: never stored under its name at all


def refuse_set_once(missing: list[str], script: LoadedScript | None, why: str) -> None:
    """Refuse when weights the setup held as integers get no gradient (``why``) and the file sets them
    once and never changes them (:func:`set_once`): the verdict hangs on whether each is a constant of
    the network or a weight left untrained, which the code does not say.

    Raises
    ------
    Failed
        Of kind ``code``, naming them.
    """
    fixed = [n for n in missing if script is not None and set_once(script.tree, n)]
    if fixed:
        raise Failed(
            f"{', '.join(fixed)}: an integer the file sets once and never changes, with {why}: a constant "
            "written into the network or a weight left untrained, and the verdict hangs on which (write "
            "its value into --forward to check it as a constant)",
            "code",
        )
