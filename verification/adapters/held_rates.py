"""The learning rate a network object holds: its own attribute, or the one every layer it keeps shares.

A class that keeps ``self.learning_rate = learning_rate`` and reads it in its step is stepped at that
rate; so is a network that only hands the rate to the layers it builds (``self.layers.append(LAYER(n_in,
n_out, learning_rate))``), each of which keeps it and reads it in its own backward pass. A rate the
constructor keeps but no other method reads is no step's rate.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from verification.reading import conventions as cv
from verification.reading.updates import source_tree


def held_rate(obj: Any, var: str) -> str | None:
    """The expression, over the object named ``var``, of the learning rate ``obj`` holds
    (``net.learning_rate``, ``net.LEARNING_RATE`` of the class), else of the rate every object in one of
    its list attributes holds at one value (``net.layers[0].learning_rate``); None when there is none."""
    own = _rate_attribute(obj)
    if own is not None:
        return f"{var}.{own}"
    for attribute, value in vars(obj).items() if hasattr(obj, "__dict__") else ():
        if not isinstance(value, list | tuple) or not value or not hasattr(value[0], "__dict__"):
            continue
        names = {_rate_attribute(v) for v in value}
        if len(names) == 1 and None not in names:
            name = names.pop()
            assert name is not None
            if len({float(getattr(v, name)) for v in value}) == 1:
                return f"{var}.{attribute}[0].{name}"
    return None


def _rate_attribute(obj: Any) -> str | None:
    """The name of the learning-rate attribute ``obj`` or its class holds, a number that a method
    other than the constructor reads; None when there is none."""
    held = [*vars(obj), *(k for k in vars(type(obj)) if k not in vars(obj))]  # LEARNING_RATE of the class
    for name in cv.LR_NAMES:
        real = next((k for k in held if k.lower() == name), None)
        if (
            real is not None
            and isinstance(getattr(obj, real), int | float | np.floating)  # np.float32(lr) too
            and not isinstance(getattr(obj, real), bool)
            and read_outside_constructor(type(obj), real)  # kept but never used: not the rate
        ):
            return real
    return None


def read_outside_constructor(cls: type, attribute: str) -> bool:
    """Whether a method of ``cls`` other than ``__init__`` reads ``self.<attribute>`` (a learning rate
    the constructor keeps but no step uses is not the step's rate)."""
    tree = source_tree(cls)
    if tree is None:
        return True  # no source to read: the attribute is taken at its word
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.name != "__init__":
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == attribute
                    and isinstance(node.ctx, ast.Load)
                ):
                    return True
    return False
