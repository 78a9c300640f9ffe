"""A unit's arguments: read from its signature, docstring and the ecosystem's conventions, drawn at a
setting.

:func:`signatures` lists the ways to make a function's arguments, most trusted first (the docstring's
shapes completed by the conventions, then the conventions alone, then the alternatives the course has
used over the years, such as group norm's ``gamma`` of shape ``(1, C, 1, 1)``); the caller tries them
until the forward runs. :func:`draw_arguments` makes the values at a setting: float arrays from normal
distributions scaled so a layer's outputs stay of order one, index arrays below their bound, masks,
the parameter dictionaries and scalars. Float arrays are the tensors the backward's gradients are
checked for; indices, masks, dictionaries and scalars are held fixed.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from verification.units.settings import Setting
from verification.units.shapes import ENVIRONMENTS, Template, convention, docstring_templates, family, resolve

Array = NDArray[Any]


@dataclass(frozen=True)
class Signature:
    """One way to make a function's arguments.

    Attributes
    ----------
    names : list of str
        The parameters that can be given by position, in order (``self`` excluded).
    templates : dict of str to Template
        How each argument that is given is made (the others keep their defaults).
    family : str
        ``image``, ``sequence`` or ``dense`` (:func:`verification.units.shapes.family`).
    source : str
        ``docstring``, ``convention`` or ``alternative``, for the report.
    """

    names: list[str]
    templates: dict[str, Template]
    family: str
    source: str

    @property
    def floats(self) -> list[str]:
        """The arguments that are float arrays: the tensors differentiated, in order."""
        return [n for n in self.names if n in self.templates and self.templates[n].kind == "float"]

    @property
    def env(self) -> dict[str, Any]:
        """The family's symbols."""
        return dict(ENVIRONMENTS[self.family])


def parameters(fn: Any) -> list[inspect.Parameter]:
    """Parameters of ``fn`` that can be given by position or keyword (``self`` of a bound method is
    already out)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p for p in sig.parameters.values() if p.kind in kinds]


COLUMNS = {("N", "D"): ("D", "N"), ("D", "M"): ("M", "D"), ("M",): ("M", "1")}
"""Samples as columns (``W @ A + b`` with ``b`` of ``(M, 1)``), the other layout of dense layers."""


def _alternatives(sig: Signature) -> list[Signature]:
    """Shapes the ecosystem also uses: ``gamma``, ``beta`` of ``(1, C, 1, 1)`` in image layers; samples
    as columns in dense layers."""
    changed = dict(sig.templates)
    for n, t in sig.templates.items():
        if sig.family == "image" and n in ("gamma", "beta") and t.dims == ("C",):
            changed[n] = replace(t, dims=("1", "C", "1", "1"))
        elif sig.family == "dense" and t.kind == "float" and t.dims in COLUMNS:
            changed[n] = replace(t, dims=COLUMNS[t.dims])
    return [replace(sig, templates=changed, source="alternative")] if changed != sig.templates else []


def signatures(fn: Any, stem: str, doc: str) -> tuple[list[Signature], list[str]]:
    """The ways to make the arguments of ``fn``, most trusted first, and the required arguments that
    no source knows (empty when every one is known).

    Parameters
    ----------
    fn : callable
    stem : str
        The unit's name (``conv_naive``, ``lstm_step``), which says its family.
    doc : str
        The docstring of the forward.
    """
    params = parameters(fn)
    names = [p.name for p in params]
    from_doc = docstring_templates(doc, names)
    fam = family(stem, names, from_doc)
    known: dict[str, Template] = {}
    conventional: dict[str, Template] = {}
    unknown = []
    for p in params:
        found = convention(stem, fam, p.name, names)
        if found is not None:
            conventional[p.name] = found
        template = from_doc.get(p.name, found)
        if template is not None and (template.kind != "scalar" or p.default is inspect.Parameter.empty):
            known[p.name] = template
        elif template is None and p.default is inspect.Parameter.empty:
            unknown.append(p.name)
    first = Signature(names, known, fam, "docstring" if from_doc else "convention")
    out = [first]
    if from_doc and any(conventional.get(n) != t for n, t in known.items() if t.source == "docstring"):
        merged = {**known, **{n: t for n, t in conventional.items() if n in known}}
        out.append(Signature(names, merged, fam, "convention"))
    for sig in list(out):
        out += _alternatives(sig)
    return out, unknown


def _scale(name: str, shape: tuple[int, ...]) -> tuple[float, float]:
    """Mean and standard deviation of a float argument: weights scaled by their fan-in, ``gamma``
    about one, biases and shifts small, inputs standard normal."""
    n = name.lower()
    if n == "gamma":
        return 1.0, 0.25
    if n == "beta" or re.fullmatch(r"b\d*|bias(es)?\d*", n):
        return 0.0, 0.25
    if re.fullmatch(r"w\w*|weights?\d*|kernel|filters?", n) and len(shape) >= 2:
        fan = int(np.prod(shape[1:])) if len(shape) > 2 else shape[0]
        return 0.0, 1.0 / np.sqrt(max(fan, 1))
    return 0.0, 1.0


def draw_arguments(sig: Signature, setting: Setting, rng: np.random.Generator, seed: int) -> dict[str, Any]:
    """The arguments of ``sig`` at ``setting`` (only those it makes; the rest keep their defaults).

    Parameters
    ----------
    sig : Signature
    setting : Setting
    rng : numpy.random.Generator
        Draws the float arrays, indices and masks.
    seed : int
        The check's seed, given to a dropout's ``dropout_param``.
    """
    env = {**sig.env, **setting.env}
    out: dict[str, Any] = {}
    for name in sig.names:
        t = sig.templates.get(name)
        if t is None:
            continue
        shape = resolve(t.dims, env)
        if t.kind == "float":
            mean, sd = _scale(name, shape)
            out[name] = mean + sd * rng.standard_normal(shape)
        elif t.kind == "index":
            bound = max(1, resolve((t.bound,), env)[0] if t.bound else 3)
            out[name] = rng.integers(0, bound, size=shape)
        elif t.kind == "mask":
            out[name] = np.ones(shape, dtype=bool) if setting.draw == "unmasked" else rng.random(shape) < 0.7
        elif t.kind == "dict":
            out[name] = setting.parameter_dict(str(t.value), seed)
        elif t.kind == "scalar":
            out[name] = resolve(t.dims, env)[0] if t.dims else env.get(name, t.value)
    return out


def as_call(sig: Signature, values: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional arguments until one is left to its default, keywords after."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name in sig.names:
        if name not in values:
            break
        args.append(values[name])
    for name in sig.names[len(args) :]:
        if name in values:
            kwargs[name] = values[name]
    return args, kwargs
