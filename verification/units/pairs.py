"""Function units: a forward and a backward function (the cache protocol), and a loss function that
returns its gradient with its value.

**Pairs** (``affine_forward(x, w, b) -> (out, cache)`` with ``affine_backward(dout, cache) -> (dx, dw,
db)``, and the same for any layer). The backward's parameters say what it takes: upstream gradients
first (``dout``; ``dnext_h, dnext_c`` for two outputs), then the ``cache``, or the forward's own
arguments by name, or its output (``out``). The forward's outputs are the first values it returns, as
many as the backward takes upstream gradients; the rest is the cache. The backward returns a gradient
per float argument of the forward, in the forward's order (``dx, dw, db``), or as a dict, or fewer
named by its ``return`` statement (``word_embedding_backward`` returns ``dW`` only).

**Loss functions** (``softmax_loss(x, y) -> (loss, dx)``, ``svm_loss_naive(W, X, y, reg) -> (loss,
dW)``): the gradient belongs to the argument its ``return`` names (``dx`` → ``x``), else to the first float
argument of its shape; the check is the gradient of the loss (an upstream gradient of 1).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.reading.conventions import gradient_stem
from verification.reading.loader import LoadedScript
from verification.units.arguments import Signature, as_call, draw_arguments, parameters, signatures
from verification.units.cases import Case, NotChecked
from verification.units.complexify import ComplexAllocation, namespaces_of
from verification.units.running import Runner, failure_line, is_complex
from verification.units.settings import Setting, settings_for
from verification.units.source import definition, docstring, placeholder, returned_names
from verification.units.vjp import Problem

Array = NDArray[Any]
CACHE_NAMES = re.compile(r"^(cache|caches|ctx|memory|saved|stash|state)$", re.I)
OUTPUT_NAMES = re.compile(r"^(out|output|outputs|y|a|activation|result)$", re.I)


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "fc" and value.dtype != object


def assign(returned: Any, floats: list[str], names: list[str | None], label: str) -> dict[str, Any]:
    """Which returned gradient belongs to which float argument (see the module docstring).

    Raises
    ------
    NotChecked
        ``mismatch`` when the count of gradients cannot be lined up with the arguments.
    """
    if isinstance(returned, dict):
        by_stem = {gradient_stem(str(k)): v for k, v in returned.items()}
        return {n: by_stem.get(n, by_stem.get(n.lower())) for n in floats}
    items = list(returned) if isinstance(returned, (tuple, list)) else [returned]
    if len(items) == len(floats):
        return dict(zip(floats, items, strict=True))
    if len(names) == len(items) and all(names):
        stems = [gradient_stem(str(n)) for n in names]
        out: dict[str, Any] = {}
        for n in floats:
            match = [i for i, s in enumerate(stems) if s == n] or [
                i for i, s in enumerate(stems) if s.lower() == n.lower()
            ]
            out[n] = items[match[0]] if match else None
        if any(v is not None for v in out.values()):
            return out
    raise NotChecked(
        "mismatch", f"{label} returns {len(items)} value(s) for the {len(floats)} inputs {', '.join(floats)}"
    )


class FunctionUnit:
    """What pairs and loss functions share: the forward's signatures, settings and calls.

    Parameters
    ----------
    name, kind : str
        The unit's name (``affine``) and kind (``pair`` or ``loss``).
    forward : tuple of (str, callable)
        The forward's name in the file and the function.
    script : LoadedScript or None
    seed : int
        Re-seeds the generators before every call (dropout's mask).
    """

    def __init__(
        self, name: str, kind: str, forward: tuple[str, Any], script: LoadedScript | None, seed: int
    ) -> None:
        self.name, self.kind = name, kind
        self.forward, self.fn = forward
        self.backward: str | None = None
        self.script = script
        self.seed = seed
        self.node = definition(script, self.forward, self.fn)
        self.signatures, self.unknown = signatures(self.fn, name, docstring(self.node, self.fn))
        self.runner = Runner(script, seed, ComplexAllocation(namespaces_of(self.fn)))
        self.signature = self.signatures[0]

    def settings(self) -> list[Setting]:
        """The grid of settings for the forward's arguments (:mod:`verification.units.settings`)."""
        return settings_for(self.signature.names, self.signature.templates)

    def run_forward(
        self, setting: Setting, rng: np.random.Generator
    ) -> tuple[Signature, dict[str, Any], Any]:
        """The first signature whose arguments the forward runs with: ``(signature, arguments, result)``.

        Raises
        ------
        NotChecked
            ``stub`` when the forward has a placeholder and fails or returns None; ``refused`` when it
            fails with every signature, naming the first failure.
        """
        if self.unknown:
            raise NotChecked("refused", f"cannot tell what {self.forward} takes as {', '.join(self.unknown)}")
        errors: list[str] = []
        for sig in self.signatures:
            values = draw_arguments(sig, setting, rng, self.seed)
            args, kwargs = as_call(sig, values)
            try:
                result = self.runner.call(self.forward, self.fn, *args, **kwargs)
            except InputError as exc:
                errors.append(failure_line(exc))
                continue
            self.signature = sig
            return sig, values, result
        stub = placeholder(self.node)
        if stub:
            raise NotChecked("stub", f"{self.forward} is not implemented ({stub}): {errors[0]}")
        raise NotChecked("refused", f"{self.forward} {errors[0]}")

    def evaluate(self, sig: Signature, values: dict[str, Any], theta: dict[str, Array]) -> Any:
        """The forward at the float arguments ``theta``, the others as drawn."""
        args, kwargs = as_call(sig, {**values, **theta})
        return self.runner.call(self.forward, self.fn, *args, complex_=is_complex(theta), **kwargs)


def split_outputs(result: Any, count: int, label: str) -> tuple[list[Array], Any]:
    """The forward's ``count`` outputs and its cache (None when it returns only outputs)."""
    items = list(result) if isinstance(result, tuple) else [result]
    outs, rest = items[:count], items[count:]
    for k, o in enumerate(outs):
        if o is None:
            raise NotChecked("stub", f"{label} returns None for output {k + 1}")
        if not _is_float_array(np.asarray(o)):
            raise NotChecked(
                "refused", f"{label} returns {type(o).__name__} as output {k + 1}, not a float array"
            )
    cache = None if not rest else rest[0] if len(rest) == 1 else tuple(rest)
    return [np.asarray(o) for o in outs], cache


def backward_roles(backward: Any, forward_names: list[str]) -> list[str]:
    """What each parameter of a backward takes: ``dout`` (an upstream gradient, in order), ``cache``,
    ``out`` (the forward's output) or ``arg:NAME`` (the forward's argument ``NAME``)."""
    roles = []
    for p in parameters(backward):
        if CACHE_NAMES.match(p.name):
            roles.append("cache")
        elif p.name in forward_names:
            roles.append(f"arg:{p.name}")
        elif OUTPUT_NAMES.match(p.name):
            roles.append("out")
        else:
            roles.append("dout")
    return roles


def call_backward(
    runner: Runner,
    backward: tuple[str, Any],
    roles: list[str],
    state: tuple[list[Array], list[Array], Any, dict[str, Any]],
    node: Any = None,
) -> Any:
    """Call a backward with its arguments by role; ``state`` is ``(douts, outs, cache, forward's arguments)``.

    Raises
    ------
    NotChecked
        ``mismatch`` when it raises (``stub`` when its source has a placeholder); ``stub`` when it
        returns None (or only None).
    """
    name, fn = backward
    douts, outs, cache, values = state
    args, it = [], iter(douts)
    for role in roles:
        if role == "dout":
            args.append(next(it, None))
        elif role == "cache":
            args.append(cache)
        elif role == "out":
            args.append(outs[0])
        else:
            args.append(values.get(role[4:]))
    try:
        grads = runner.call(name, fn, *args)
    except InputError as exc:
        stub = placeholder(node)
        unfilled = [p.name for p, a in zip(parameters(fn), args, strict=False) if a is None]
        if unfilled and not stub:  # handed None for what the forward does not give: our call, not its bug
            raise NotChecked(
                "refused", f"cannot tell what {name} takes as {', '.join(unfilled)} ({failure_line(exc)})"
            ) from None
        raise NotChecked("stub" if stub else "mismatch", f"{name} {failure_line(exc)}") from None
    if grads is None or (isinstance(grads, (tuple, list)) and all(g is None for g in grads)):
        stub = placeholder(node)
        raise NotChecked("stub", f"{name} returns None" + (f" ({stub})" if stub else ""))
    return grads


class PairUnit(FunctionUnit):
    """A forward and a backward function (kind ``pair``)."""

    def __init__(
        self,
        name: str,
        forward: tuple[str, Any],
        backward: tuple[str, Any],
        script: LoadedScript | None,
        seed: int,
    ) -> None:
        super().__init__(name, "pair", forward, script, seed)
        self.bname, self.bfn = backward
        self.backward = self.bname
        self.bnode = definition(script, self.bname, self.bfn)
        self.roles = backward_roles(self.bfn, self.signature.names)

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The pair at ``setting``: forward, upstream gradients drawn, backward, gradients lined up.

        Raises
        ------
        NotChecked
            ``stub`` for a placeholder, ``refused`` when the forward does not run, ``mismatch`` when the
            backward raises or its gradients cannot be lined up with the inputs.
        """
        sig, values, result = self.run_forward(setting, rng)
        count = max(1, self.roles.count("dout"))
        outs, cache = split_outputs(result, count, self.forward)
        douts = [rng.standard_normal(o.shape) for o in outs]
        grads = call_backward(
            self.runner, (self.bname, self.bfn), self.roles, (douts, outs, cache, values), self.bnode
        )
        analytic = assign(grads, sig.floats, returned_names(self.bnode), self.bname)
        point = {n: np.asarray(values[n], dtype=np.float64) for n in sig.floats}

        def forward(theta: dict[str, Array]) -> list[Array]:
            return split_outputs(self.evaluate(sig, values, theta), count, self.forward)[0]

        return Case(
            setting.name,
            Problem(forward, point, douts),
            analytic,
            {n: f"d{n}" for n in sig.floats},
            note=f"arguments from the {sig.source}" if sig is not self.signatures[0] else "",
        )


class LossFunctionUnit(FunctionUnit):
    """A function returning its loss and the loss's gradient (kind ``loss``)."""

    def __init__(self, name: str, forward: tuple[str, Any], script: LoadedScript | None, seed: int) -> None:
        super().__init__(name, "loss", forward, script, seed)

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The loss at ``setting``, its gradient against the numeric gradient of its value.

        Raises
        ------
        NotChecked
            As :meth:`PairUnit.case`; ``refused`` when it does not return a value and a gradient.
        """
        sig, values, result = self.run_forward(setting, rng)
        if not isinstance(result, tuple) or len(result) < 2:
            raise NotChecked("refused", f"{self.forward} does not return (loss, gradient)")
        loss, grad = result[0], result[1]
        if loss is None or grad is None:
            raise NotChecked(
                "stub",
                f"{self.forward} returns None"
                + (f" ({placeholder(self.node)})" if placeholder(self.node) else ""),
            )
        names = returned_names(self.node)
        stem = gradient_stem(str(names[1])) if len(names) > 1 and names[1] else ""
        target = (
            stem
            if stem in sig.floats
            else next(
                (n for n in sig.floats if np.shape(values[n]) == np.shape(grad)),
                sig.floats[0] if sig.floats else "",
            )
        )
        if not target:
            raise NotChecked("refused", f"{self.forward} takes no float array to differentiate")

        def forward(theta: dict[str, Array]) -> list[Array]:
            value = self.evaluate(sig, values, theta)
            return [np.asarray(value[0] if isinstance(value, tuple) else value)]

        point = {target: np.asarray(values[target], dtype=np.float64)}
        return Case(
            setting.name, Problem(forward, point, [np.array(1.0)]), {target: grad}, {target: f"d{target}"}
        )
