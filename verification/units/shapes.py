"""What an argument of a unit is: its shape in symbols, whether it holds floats, indices or a mask, read
from the docstring or from the ecosystem's conventions for its name.

A :class:`Template` says how to make one argument: ``float`` arrays of symbolic shape ``(N, C, H, W)``,
``index`` arrays of integers below a symbol (word indices ``< V``, labels ``< C``), boolean ``mask``
arrays, the parameter dictionaries of the course's layers (``conv_param``, ``pool_param``,
``bn_param``, …) and scalars. Symbols get numbers from an environment (:data:`ENVIRONMENTS`, changed by
the settings of :mod:`verification.units.settings`); ``4H`` is four times ``H``, and a docstring's
``d_1, ..., d_k`` is one group of axes that multiplies out to ``D``. A layer object's input, which no
docstring describes, is tried in the shapes its weights suggest (:func:`input_shapes`).

Two sources, the first that says something winning per argument:

1. the docstring: ``- x: Input data of shape (N, C, H, W)`` (the course's style), ``x : ndarray, shape
   (N, D)`` (NumPy style), ``- y: Vector of labels, of shape (N,) … 0 <= y[i] < C``;
2. the conventions of the course's layer API for the argument's name in the unit's family (image,
   sequence or dense, :func:`family`), e.g. ``prev_h`` is ``(N, H)``, ``Wx`` of an LSTM ``(D, 4H)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SHAPE_ITEM = re.compile(r"^\s*(?:(\d+)\s*\*?\s*)?([A-Za-z_][\w']*)?\s*$")
ENTRY = re.compile(r"^\s*[-*]?\s*(\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
SECTION = re.compile(r"^\s*(Returns?|Outputs?|Raises|Yields|Examples?|Notes?)\b.*:?\s*$")
GROUP = "D*"
"""The symbol of a docstring's ``d_1, ..., d_k``: one axis of size ``D``, or the axes a setting gives."""


@dataclass(frozen=True)
class Template:
    """How one argument is made.

    Attributes
    ----------
    kind : str
        ``float``, ``index`` (integers from 0 below ``bound``), ``mask`` (booleans), ``dict`` (a
        parameter dictionary named by ``value``), ``scalar`` (``value`` itself) or ``default`` (the
        function's own default).
    dims : tuple of str
        The shape in symbols (``N``, ``4H``, :data:`GROUP`), or numbers as strings.
    bound : str
        The symbol the integers of an ``index`` array stay below.
    value : object
        The scalar, or the name of the parameter dictionary.
    source : str
        ``docstring`` or ``convention``.
    """

    kind: str
    dims: tuple[str, ...] = ()
    bound: str = ""
    value: Any = None
    source: str = "convention"


def parse_shape(text: str) -> tuple[str, ...] | None:
    """``(N, d_1, ..., d_k)`` → ``('N', 'D*')``; ``(4H,)`` → ``('4H',)``; None when it is not a shape."""
    items = [s.strip() for s in text.split(",")]
    if items and items[-1] == "":
        items = items[:-1]
    if not items or (len(items) == 1 and "," not in text and not re.fullmatch(r"\s*\d*[A-Z]\w*\s*", text)):
        return None
    dims: list[str] = []
    for raw in items:
        item = raw.lstrip(".… ")
        if not item:
            continue
        if re.fullmatch(r"d_?\w+", item):
            if GROUP not in dims:
                dims.append(GROUP)
            continue
        match = SHAPE_ITEM.match(item)
        if match is None or not (match.group(1) or match.group(2)):
            return None
        dims.append(item.replace("*", "").replace(" ", ""))
    return tuple(dims)


def _entries(doc: str, names: set[str]) -> dict[str, str]:
    """The text the docstring gives about each argument name (an entry may span lines; a blank line,
    another entry or a section heading ends it)."""
    out: dict[str, str] = {}
    current = None
    for line in doc.splitlines():
        if not line.strip() or SECTION.match(line):
            current = None
            continue
        match = ENTRY.match(line)
        if match:
            name = match.group(1)
            current = name if name in names and name not in out else None
            if current is not None:
                out[current] = match.group(2)
        elif current is not None:
            out[current] += " " + line.strip()
    return out


def docstring_templates(doc: str, names: list[str]) -> dict[str, Template]:
    """Templates of the arguments ``names`` that the docstring gives a shape to."""
    out = {}
    for name, text in _entries(doc, set(names)).items():
        dims = None
        for group in re.findall(r"\(([^()]*)\)", text):
            dims = parse_shape(group)
            if dims is not None:
                break
        if dims is None:
            continue
        bound = re.search(r"<\s*([A-Za-z_]\w*)", text)
        if re.search(r"\bbool(ean)?\b", text, re.I):
            out[name] = Template("mask", dims, source="docstring")
        elif re.search(r"\binteger|\bindices\b|\blabels?\b|\bint\b", text, re.I):
            out[name] = Template("index", dims, bound.group(1) if bound else "", source="docstring")
        else:
            out[name] = Template("float", dims, source="docstring")
    return out


ENVIRONMENTS: dict[str, dict[str, int]] = {
    "dense": {"N": 4, "D": 5, "M": 3, "C": 4, "H": 4, "K": 3},
    "image": {"N": 4, "C": 3, "H": 5, "W": 5, "F": 2, "HH": 3, "WW": 3, "G": 1, "D": 5},
    "sequence": {"N": 2, "T": 3, "D": 5, "H": 4, "V": 6, "M": 3},
}
"""Numbers for the symbols of each family: the course's standard shapes (a convolution's ``x`` of
``(4, 3, 5, 5)`` and ``w`` of ``(2, 3, 3, 3)``; an LSTM with ``N = 2``, ``T = 3``, ``D = 5``, ``H = 4``).
A symbol not listed is 3."""

PARAMETER_DICTS = ("conv_param", "pool_param", "bn_param", "ln_param", "gn_param", "dropout_param")
SCALARS: dict[str, Any] = {
    "eps": 1e-5,
    "momentum": 0.9,
    "reg": 0.1,
    "p": 0.5,
    "mode": "train",
    "train": True,
    "training": True,
    "is_training": True,
    "alpha": 0.1,
    "activation": "sigmoid",
}
"""Scalar arguments by name: the course's values (``reg`` non-zero, so its term is checked too)."""


def family(stem: str, names: list[str], templates: dict[str, Template]) -> str:
    """``image``, ``sequence`` or ``dense``: from the docstring's rank of ``x``, the unit's name, its
    arguments."""
    text = stem.lower()
    x = templates.get("x")
    if (x is not None and len(x.dims) == 4) or re.search(r"conv|pool|spatial|im2col", text):
        return "image"
    if {"conv_param", "pool_param", "gn_param"} & set(names):
        return "image"
    if re.search(r"rnn|lstm|gru|temporal|embed|word|recurr", text) or {"h0", "prev_h", "Wx"} & set(names):
        return "sequence"
    return "dense"


def _sequence(stem: str, name: str, names: list[str]) -> Template | None:
    gates = 4 if "lstm" in stem else 3 if "gru" in stem else 1
    k = "" if gates == 1 else str(gates)
    step = "step" in stem
    table = {
        "prev_h": ("N", "H"),
        "prev_c": ("N", "H"),
        "h0": ("N", "H"),
        "c0": ("N", "H"),
        "h": ("N", "H"),
        "c": ("N", "H"),
        "Wx": ("D", f"{k}H"),
        "Wh": ("H", f"{k}H"),
    }
    if name in table:
        return Template("float", table[name])
    if name == "x":
        if "embed" in stem or "word" in stem:
            return Template("index", ("N", "T"), "V")
        if "loss" in stem:
            return Template("float", ("N", "T", "V"))
        return Template("float", ("N", "D") if step else ("N", "T", "D"))
    if name == "b":
        return Template("float", (f"{k}H",) if "Wx" in names else ("M",))
    if name == "W":
        return Template("float", ("V", "D"))
    if name == "w":
        return Template("float", ("D", "M"))
    if name == "y":
        return Template("index", ("N", "T"), "V")
    if name == "mask":
        return Template("mask", ("N", "T"))
    return None


def _dense_or_image(fam: str, name: str, names: list[str]) -> Template | None:
    n = name.lower()
    image = fam == "image"
    if n in ("x", "inputs", "input", "z", "a", "a_prev", "prev_a", "scores", "logits", "data"):
        return Template("float", ("N", "C", "H", "W") if image else ("N", "D"))
    if re.fullmatch(r"w\d*|weights?\d*|kernel|filters?", n):
        return Template("float", ("F", "C", "HH", "WW") if image else ("D", "M"))
    if re.fullmatch(r"b\d*|bias(es)?\d*", n):
        return Template("float", ("F",) if image else ("M",))
    if n in ("gamma", "beta"):
        return Template("float", ("C",) if image else ("D",))
    if n in ("y", "labels", "label", "target", "targets"):
        weighted = any(re.fullmatch(r"w\d*|weights?", m.lower()) for m in names)
        return Template("index", ("N",), "M" if weighted else "D")
    return None


def convention(stem: str, fam: str, name: str, names: list[str]) -> Template | None:
    """The course's convention for argument ``name`` of unit ``stem`` in family ``fam`` (None: none)."""
    if name in PARAMETER_DICTS or name.endswith("_param"):
        return Template("dict", value=name)
    if name == "G":
        return Template("scalar", ("G",), value="G")
    if name in SCALARS:
        return Template("scalar", value=SCALARS[name])
    if fam == "sequence":
        found = _sequence(stem.lower(), name, names)
        if found is not None:
            return found
    return _dense_or_image(fam, name, names)


def resolve(dims: tuple[str, ...], env: dict[str, Any]) -> tuple[int, ...]:
    """Numbers for symbolic dims: ``4H`` → ``4 · env[H]``; :data:`GROUP` → ``env['D*']`` (axes) or ``D``."""
    out: list[int] = []
    for d in dims:
        if d == GROUP:
            out += list(env.get(GROUP, (env.get("D", 3),)))
            continue
        if d.isdigit():
            out.append(int(d))
            continue
        match = re.fullmatch(r"(\d*)([A-Za-z_][\w']*)", d)
        factor = int(match.group(1)) if match and match.group(1) else 1
        symbol = match.group(2) if match else d
        out.append(factor * int(env.get(symbol, 3)))
    return tuple(out)


def input_shapes(params: dict[str, Any], n: int) -> list[tuple[int, ...]]:
    """Input shapes to try for a batch of ``n``: rows or columns of each weight's sizes (and one fewer,
    for weights with a bias row or column folded in), images for a four-dimensional weight, rows of a
    vector's size (a scale of each feature, ``gamma``), else ``(n, 5)``; for one sample, last, a 1-D
    vector of a weight's size (``W.dot(x) + b``)."""
    shapes: list[tuple[int, ...]] = []
    for w in params.values():
        if w.ndim == 2:
            a, b = w.shape
            shapes += [(n, a), (b, n), (n, b), (a, n)]
            shapes += [(n, a - 1), (b - 1, n)] if a > 1 and b > 1 else []  # a bias row folded in
        elif w.ndim == 3:  # filters (F, kh, kw) over one image (H, W), or (H, W, C)
            shapes += [(6, 6), (6, 6, w.shape[0])]
        elif w.ndim == 4:
            shapes += [(n, w.shape[1], 6, 6), (n, 6, 6, w.shape[2])]
    shapes += [(n, w.shape[0]) for w in params.values() if w.ndim == 1]  # a scale of each feature
    shapes += [(n, 5), (n, 3, 6, 6), (n, 6, 6, 3), (6, 6, 3), (6, 6)]
    if n == 1:  # one sample as a 1-D vector (W.dot(x) + b), after every batch shape
        shapes += [(w.shape[1],) for w in params.values() if w.ndim == 2]
        shapes += [(w.shape[0],) for w in params.values() if w.ndim == 2]
    return list(dict.fromkeys(shapes))
