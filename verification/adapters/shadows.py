"""Copies the code keeps of its weights, kept in step when the checker sets the weights.

Some code keeps a second array derived from a weight: the weights without their bias row beside the
extended ones (``self.weights = [np.delete(w, -1, axis=0) for w in self.weights_ext]``), a copy for a
later step. The forward pass reads one, the backward pass the other, and the code itself updates both
together. The checker sets the weights the output depends on to drawn values; the copy would keep the
code's own values, and the backward pass would read weights the forward pass never used: a correct
backward pass would read as wrong.

So when the setup has run, every float array of the code's objects that is not a parameter but equals a
block of one (the whole of it, or its first or last rows or columns along each axis; never a constant
array, which equals any constant block by chance; of the weight or of its transpose, ``self.W_T``) is its
*shadow*, and every write of the parameter
writes the block into the shadow too (:func:`keep_in_step`): the relation the setup established holds
at every probe. A step that changes a weight but leaves its copy as it was (the code never refreshes
it) is refused (:func:`stale_copies`): from the second step on the code would back-propagate through
weights its forward pass no longer has.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

Slot = Any
"""A :class:`verification.adapters.parameters.Slot` (not imported: the parameters write through
:func:`keep_in_step`)."""

Block = tuple[bool, tuple[slice, ...]]
"""Whether the weight is transposed first, and the block of it."""


def _blocks(big: tuple[int, ...], small: tuple[int, ...]) -> list[tuple[slice, ...]]:
    """The blocks of an array of shape ``big`` with shape ``small``: along each axis the whole, the
    first or the last entries."""
    if len(big) != len(small) or any(s > b for s, b in zip(small, big, strict=True)):
        return []
    choices = [
        [slice(None)] if s == b else [slice(0, s), slice(b - s, b)] for s, b in zip(small, big, strict=True)
    ]
    return [tuple(c) for c in itertools.product(*choices)]


def find_shadows(params: Any, others: list[Slot]) -> dict[str, list[tuple[Slot, Block]]]:
    """Parameter name → the slots among ``others`` (float arrays that are not parameters) that equal a
    block of it (module docstring), with the block; ``params`` are the
    :class:`~verification.adapters.parameters.Slots` of the parameters."""
    out: dict[str, list[tuple[Slot, Block]]] = {}
    values = {n: np.asarray(s.get(params.namespace)) for n, s in params.slots.items() if s.kind == "array"}
    for other in others:
        if other.name in params.slots or other.kind != "array":
            continue
        shadow = np.asarray(other.get(params.namespace))
        if shadow.size < 2 or np.ptp(shadow) == 0:
            continue
        for name, value in values.items():
            if shadow is value or np.shares_memory(shadow, value):
                continue  # a view: in-place writes reach it already
            block = next(
                (
                    (flip, b)
                    for flip, seen in ((False, value), (True, value.T))
                    for b in _blocks(seen.shape, shadow.shape)
                    if np.array_equal(seen[b], shadow)
                ),
                None,
            )
            if block is not None:
                out.setdefault(name, []).append((other, block))
                break
    return out


def keep_in_step(shadow: Slot, block: Block, value: Any, namespace: dict[str, Any]) -> None:
    """Write the block of ``value`` (transposed first when the block says so) into the shadow where the
    code holds it now (in place when it can)."""
    flip, where = block
    new = np.real(np.asarray(value).T if flip else np.asarray(value))[where]
    held = shadow.get(namespace)
    if isinstance(held, np.ndarray) and held.shape == new.shape and held.flags.writeable:
        held[...] = new
    else:
        shadow.bind(namespace, np.array(new, dtype=np.float64))


def stale_copies(
    shadows: dict[str, list[tuple[Slot, Block]]], after: dict[str, Any], namespace: Any
) -> list[str]:
    """``W2_nobias (of W2)`` for each copy that a step left unequal to the block of its weight after the
    step changed the weight: the code's next step would read weights its forward pass no longer has (a
    copy it never refreshes), which one step from a consistent state cannot show."""
    out = []
    for name, found in shadows.items():
        for shadow, (flip, where) in found:
            value = np.asarray(after[name])
            expected = (value.T if flip else value)[where]
            held = np.asarray(shadow.get(namespace), dtype=np.float64)
            if held.shape != expected.shape or not np.allclose(held, expected, rtol=1e-12, atol=0.0):
                out.append(f"{shadow.name} (of {name})")
    return out


def copied_before_update(tree: Any, copy: str) -> str | None:
    """The method of ``tree`` (a module's syntax tree) that sets the copy ``copy`` (an attribute's name,
    ``W2_old``) and then changes arrays in place (``self.W2_old = self.W2.copy()`` above ``p +=
    self.vel[i]``): the copy keeps the weights from before the step, and the next backward pass reads
    weights one step old, when another method reads it. None when no method but ``__init__`` sets it
    so (a copy refreshed after the update, or in the forward pass, stays equal to its weight), or
    nothing else reads it."""
    import ast

    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name != "__init__"):
        body = list(ast.walk(fn))
        sets = [
            s.lineno
            for s in body
            if isinstance(s, ast.Assign)
            and any(isinstance(t, ast.Attribute) and t.attr == copy for t in s.targets)
        ]
        changes = [s.lineno for s in body if isinstance(s, ast.AugAssign)]
        if sets and any(line > min(sets) for line in changes) and _read_elsewhere(tree, copy, fn):
            return fn.name
    return None


def _read_elsewhere(tree: Any, copy: str, setter: Any) -> bool:
    """Whether a function of ``tree`` other than ``setter`` and ``__init__`` reads the attribute ``copy``."""
    import ast

    return any(
        isinstance(a, ast.Attribute) and a.attr == copy and isinstance(a.ctx, ast.Load)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef) and fn is not setter and fn.name != "__init__"
        for a in ast.walk(fn)
    )


def refuse_lagging_copies(shadows: dict[str, list[tuple[Slot, Block]]], script: Any) -> None:
    """Refuse code whose copy of a weight is set before its step changes the weights
    (:func:`copied_before_update`): set with the weights at every probe, it would pass; in training it
    lags one step.

    Raises
    ------
    Failed
        Naming the copy, its weight and the method.
    """
    from verification.adapters.failures import Failed

    tree = getattr(script, "tree", None)
    for name, found in shadows.items() if tree is not None else []:
        for shadow, _ in found:
            attribute = shadow.name.rsplit(".", 1)[-1]
            method = copied_before_update(tree, attribute)
            if method is not None:
                raise Failed(
                    f"{method} sets {shadow.name}, a copy of {name}, before it changes the weights: from the "
                    f"second step on, the backward pass reads {name} as it was a step before",
                    "code",
                )
