"""Bounds on the size of a value, and how operators combine them: the algebra behind
:func:`verification.reading.sizes.size_problem`, which bounds a constant expression's value from its
syntax tree before evaluating it.

A top-level ``HUGE = 9 ** 9 ** 9`` or ``S = "x" * 10**12`` is a constant expression, but evaluating
it hangs or exhausts memory. :func:`~verification.reading.sizes.size_problem` bounds, without
evaluating anything, how large the value of every sub-expression can be:

* an ``int`` by its bit length: ``a + b`` at most ``max(bits) + 1``, ``a * b`` at most the sum,
  ``a ** n`` at most ``n · bits(a)``, ``a << n`` at most ``bits(a) + n``;
* a ``str``, ``bytes`` or container by its length: ``s * n`` at most ``n · len(s)``, ``s + t`` the
  sum; an f-string or ``%`` format by its pieces plus every width written in it;
* a name by the value it is bound to (the statements before it have run), a module's attribute by
  the attribute; floats and numpy values have a fixed size; anything else is of unknown size, which
  only a repetition by a number above :data:`MAX_ITEMS` makes a problem.

The bounds are conservative: the value is never larger, though it may be much smaller. A value that
could exceed :data:`MAX_DIGITS` decimal digits or :data:`MAX_ITEMS` items is a problem, and the
statement holding it is not run. The walk uses an explicit stack, so deep trees cost no recursion.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_DIGITS = 10**6
"""Largest int a constant statement may build, in decimal digits (about 0.3 s of arithmetic)."""
MAX_ITEMS = 10**7
"""Largest str, bytes or container a constant statement may build, in characters or items."""
MAX_BITS = MAX_DIGITS * math.log2(10)
""":data:`MAX_DIGITS` as a bit length."""

_EXACT_BITS = 4096  # ints are tracked exactly while this small
_SHORT_TEXT = 10_000  # strings are tracked exactly while this short
_DIGITS_PER_BIT = math.log10(2)
_INT_OPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}


@dataclass(frozen=True)
class Bound:
    """Upper bounds on a value that may be any of several kinds.

    Attributes
    ----------
    kinds : frozenset of str
        ``int``; ``text`` (str, bytes); ``sized`` (tuple, list, set, dict, range); ``fixed`` (float,
        complex, numpy values: their size does not grow with their value); ``other`` (unknown).
    bits : float
        For ``int``: bit length of ``|value|`` at most this (``inf`` when unbounded).
    length : float
        For ``text`` and ``sized``: ``len(value)`` at most this.
    exact : int or None
        For an ``int`` known exactly (small ones only).
    text : str or bytes or None
        For ``text`` known exactly (short ones only).
    """

    kinds: frozenset[str]
    bits: float = 0.0
    length: float = 0.0
    exact: int | None = None
    text: str | bytes | None = None


def int_bound(value: int) -> Bound:
    bits = value.bit_length()
    return Bound(frozenset({"int"}), bits=bits, exact=value if bits <= _EXACT_BITS else None)


def text_bound(length: float, text: str | bytes | None = None) -> Bound:
    return Bound(frozenset({"text"}), length=length, text=text if length <= _SHORT_TEXT else None)


FIXED = Bound(frozenset({"fixed"}))
OTHER = Bound(frozenset({"other"}))


def classify(value: Any) -> Bound:
    """The bound of an existing value (one a name is bound to)."""
    if isinstance(value, bool | int | np.integer | np.bool_):
        return int_bound(int(value))
    if isinstance(value, float | complex | np.floating | np.complexfloating | np.ndarray):
        return FIXED
    if isinstance(value, str | bytes):
        return text_bound(len(value), value)
    if isinstance(value, bytearray):
        return text_bound(len(value))
    if isinstance(value, tuple | list | set | frozenset | dict | range):
        return Bound(frozenset({"sized"}), length=len(value))
    return OTHER


def join(*bounds: Bound) -> Bound:
    """A bound holding each of ``bounds`` (the value is one of them)."""
    first = bounds[0]
    same = all(b == first for b in bounds)
    return Bound(
        frozenset().union(*(b.kinds for b in bounds)),
        bits=max(b.bits for b in bounds),
        length=max(b.length for b in bounds),
        exact=first.exact if same else None,
        text=first.text if same else None,
    )


def _pow2(bits: float) -> float:
    return math.inf if bits > 1000 else 2.0**bits


def _magnitude(b: Bound) -> float:
    """Largest ``|n|`` of an int bound."""
    return float(abs(b.exact)) if b.exact is not None else _pow2(b.bits)


def _int_op(op: ast.operator, a: Bound, b: Bound) -> Bound:
    kind = type(op)
    if kind is ast.Div:
        return FIXED
    if kind is ast.MatMult or kind not in _INT_OPS:
        return OTHER
    maybe_float = False
    if kind in (ast.Add, ast.Sub):
        bits = max(a.bits, b.bits) + 1
    elif kind is ast.Mult:
        bits = a.bits + b.bits
    elif kind is ast.Pow:
        maybe_float = b.exact is None or b.exact < 0  # a negative exponent gives a float
        exponent = float(b.exact) if b.exact is not None else _pow2(b.bits)
        bits = 1.0 if a.bits <= 1 else a.bits * max(exponent, 0.0)
    elif kind is ast.LShift:
        bits = a.bits + (max(b.exact, 0) if b.exact is not None else _pow2(b.bits))
    elif kind in (ast.RShift, ast.FloorDiv):
        bits = a.bits
    elif kind is ast.Mod:
        bits = b.bits
    else:  # & | ^
        bits = max(a.bits, b.bits)
    exact = None
    if a.exact is not None and b.exact is not None and bits <= _EXACT_BITS:
        try:
            value = _INT_OPS[kind](a.exact, b.exact)
        except (ArithmeticError, ValueError):
            value = None
        if isinstance(value, int):
            exact = value
        elif value is not None:
            return FIXED
    out = Bound(frozenset({"int"}), bits=bits, exact=exact)
    return join(out, FIXED) if maybe_float and exact is None else out


def extent(b: Bound) -> float:
    """Most characters formatting a value of bound ``b`` gives (before any width)."""
    sizes = {"int": b.bits * _DIGITS_PER_BIT + 2, "text": b.length, "sized": b.length * 16}
    return max(sizes.get(k, 64.0) for k in b.kinds)


def widths(text: str | bytes | None) -> float:
    """Sum of the numbers written in a format (its widths and precisions); inf when not known."""
    if text is None:
        return math.inf
    found = re.findall(r"\d+", text if isinstance(text, str) else text.decode("latin-1"))
    return sum(math.inf if len(d) > 9 else int(d) for d in found)


def _repeat(seq: Bound, kind: str, times: Bound) -> Bound:
    length = seq.length * _magnitude(times)
    text = None
    if kind == "text" and seq.text is not None and times.exact is not None and length <= _SHORT_TEXT:
        text = seq.text * times.exact
    return Bound(frozenset({kind}), length=length, text=text)


def _pair(op: ast.operator, ka: str, a: Bound, kb: str, b: Bound) -> Bound:
    repeats = isinstance(op, ast.Mult | ast.Pow | ast.LShift)
    if ka == "int" and kb == "int":
        return _int_op(op, a, b)
    if {ka, kb} <= {"int", "fixed"}:
        return FIXED
    if isinstance(op, ast.Mult) and ka in ("text", "sized") and kb == "int":
        return _repeat(a, ka, b)
    if isinstance(op, ast.Mult) and kb in ("text", "sized") and ka == "int":
        return _repeat(b, kb, a)
    if ka == kb and ka in ("text", "sized") and not isinstance(op, ast.Mod):
        text: str | bytes | None = None
        if isinstance(op, ast.Add) and isinstance(a.text, str) and isinstance(b.text, str):
            text = a.text + b.text
        elif isinstance(op, ast.Add) and isinstance(a.text, bytes) and isinstance(b.text, bytes):
            text = a.text + b.text
        return Bound(frozenset({ka}), length=a.length + b.length, text=text)
    if ka == "text" and isinstance(op, ast.Mod):
        if isinstance(a.text, str):
            count = float(a.text.count("%"))
        elif isinstance(a.text, bytes):
            count = float(a.text.count(b"%"))
        else:
            count = a.length
        return text_bound(a.length + widths(a.text) + count * extent(b))
    if (
        repeats
        and "other" in (ka, kb)
        and ((kb == "int" and _magnitude(b) > MAX_ITEMS) or (ka == "int" and _magnitude(a) > MAX_ITEMS))
    ):
        return Bound(frozenset({"sized"}), length=math.inf)  # an unknown value repeated too often
    return OTHER


def binop(op: ast.operator, a: Bound, b: Bound) -> Bound:
    return join(*(_pair(op, ka, a, kb, b) for ka in sorted(a.kinds) for kb in sorted(b.kinds)))


def unary(op: ast.unaryop, a: Bound) -> Bound:
    if isinstance(op, ast.Not):
        return int_bound(1)
    parts = []
    for kind in a.kinds:
        if kind == "int":
            exact = a.exact
            if exact is not None and isinstance(op, ast.USub):
                exact = -exact
            elif exact is not None and isinstance(op, ast.Invert):
                exact = ~exact
            parts.append(Bound(frozenset({"int"}), bits=a.bits + 1, exact=exact))
        else:
            parts.append(FIXED if kind == "fixed" else OTHER)
    return join(*parts)
