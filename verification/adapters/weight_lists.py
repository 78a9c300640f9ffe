"""Lists of weights (and of biases) that a forward function takes and nothing in its file makes.

A network written as functions may take its layers' weights as one list (``feed_forward(X, weights)``
reading ``weights[i]``; ``forward_prop(W_list, b_list, x)`` zipping a list of weights with a list of
biases) that only the project's driver makes. :func:`weight_lists` draws such lists for a small chain of
layers, in each convention the function may use; the forward pass runs with those that fit.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from verification.reading import conventions as cv
from verification.reading.argument_usage import iterated, usage

WEIGHT_LISTS = re.compile(
    r"^(weights?|thetas?|ws|w|params|parameters|matrices|layers_?weights?|w_?list|weights?_?list)$", re.I
)
"""Arguments that take a list of weight matrices (``feed_forward(X, weights)`` with ``weights[i]``)."""
BIAS_LISTS = re.compile(r"^(biases|bs|b_?list|bias(es)?_?list)$", re.I)
"""Arguments that take the list of the layers' biases beside them (``forward_prop(W_list, b_list, x)``)."""


def weight_lists(namespace: dict[str, Any], forward: Any) -> list[tuple[str, str]]:
    """A list of weight matrices for a forward function that takes one and indexes it (``a @
    weights[i]``), when the script makes none: a 4-5-5-m chain (m = 3 or 1) as rows ``(n_{l−1}, n_l)``
    or columns ``(n_l, n_{l−1})``, and each with a row or column more for a bias folded into the weights
    (``np.hstack((ones, a)) @ weights[i]``), or, for a function that takes a list of biases beside it
    (``forward_prop(W_list, b_list, x)``), with biases as columns, rows or flat vectors: the forward pass
    runs with those that fit. Last, with no biases apart, each list the other way round, the output
    layer's weights first, for code that runs its layers from the end of the list
    (``for i in range(len(W) - 1, -1, -1)``)."""
    numpy = next((n for n, v in namespace.items() if getattr(v, "__name__", "") == "numpy"), None)
    params = cv.positional_parameters(forward)
    listed = [
        p.name
        for p in params
        if cv.role(p.name, 1) != "x" and (usage(forward, p.name) == "list" or iterated(forward, p.name))
    ]
    names = [n for n in listed if WEIGHT_LISTS.match(n)]
    biases = [n for n in listed if BIAS_LISTS.match(n)]
    if len(names) != 1 or len(biases) > 1:
        return []
    imported = "" if numpy is not None else "import numpy as _np; "  # numpy only in the modules it uses
    numpy = numpy or "_np"
    out: list[tuple[str, str]] = []
    backward: list[tuple[str, str]] = []  # the output layer's first: for i in range(len(W) - 1, -1, -1)
    for n_out in (3, 1):
        sizes = [4, 5, 5, n_out]
        for folded in (0,) if biases else (0, 1):
            for columns in (False, True):
                shapes = [
                    (b, a + folded) if columns else (a + folded, b) for a, b in itertools.pairwise(sizes)
                ]
                drawn = ", ".join(
                    f"{numpy}.random.randn{s} / {s[0 if not columns else 1]} ** 0.5" for s in shapes
                )
                made = f"{imported}{names[0]} = [{drawn}]"
                if not biases:
                    out.append((made, ""))
                    backward.append((f"{imported}{names[0]} = [{drawn}][::-1]", ""))
                    continue
                for shape in ("({n}, 1)", "({n},)") if columns else ("(1, {n})", "({n},)"):  # a column, a row
                    drawn = ", ".join(f"{numpy}.random.randn{shape.format(n=n)} * 0.1" for n in sizes[1:])
                    out.append((f"{made}; {biases[0]} = [{drawn}]", ""))
    return out + backward
