"""Strict JSON for ``--json``: no ``NaN`` or ``Infinity`` token ever reaches standard output.

Python's :func:`json.dumps` writes a non-finite float as the tokens ``NaN``, ``Infinity`` and
``-Infinity``, which are not JSON (RFC 8259, section 6: "Numeric values that cannot be represented in
the grammar below (such as Infinity and NaN) are not permitted") and which strict parsers (``jq``,
JavaScript's ``JSON.parse``, Go, Rust's ``serde_json``) reject. The producers of the reports say why a
number is missing where they can; :func:`strict` is the last line that holds for every object printed:

* a non-finite number becomes ``null``;
* the object that held it (or held the list that held it) gets a field ``non_finite``: for each such
  value, its place (the key, ``key[3]`` in a list, ``key[3][0]`` in a nested one) and what it was
  (``NaN``, ``Infinity``, ``-Infinity``). A key of that name the producer already wrote is kept and
  extended.

Then the object is written with ``allow_nan=False``, so a value that escaped this is an error of ours,
never a silent non-JSON token.
"""

from __future__ import annotations

import json
import math
from typing import Any

FIELD = "non_finite"
"""The field that names the values written as ``null``."""


def _token(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _clean(value: Any, place: str, found: dict[str, str]) -> Any:
    """``value`` with non-finite floats as None; what was replaced goes into ``found`` (by place)
    unless it sits in an object of its own, which then records it itself."""
    if isinstance(value, float) and not math.isfinite(value):
        found[place] = _token(value)
        return None
    if isinstance(value, dict):
        return strict(value)
    if isinstance(value, list | tuple):
        return [_clean(v, f"{place}[{i}]", found) for i, v in enumerate(value)]
    return value


def strict(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` in which every non-finite float is None, with the reason beside it (see the
    module docstring). Nested objects are cleaned the same way, each recording its own."""
    found: dict[str, str] = {}
    out = {key: _clean(value, str(key), found) for key, value in obj.items()}
    if found:
        previous = out.get(FIELD)
        out[FIELD] = {**previous, **found} if isinstance(previous, dict) else found
    return out


def dumps(obj: dict[str, Any]) -> str:
    """``obj`` as one line of strict JSON (:func:`strict`, then ``allow_nan=False``).

    Raises
    ------
    ValueError
        Never for floats; for a value :func:`strict` could not reach (an error of ours).
    """
    return json.dumps(strict(obj), allow_nan=False)
