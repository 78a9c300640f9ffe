"""The Python API of the unit check: :func:`check_vjp` compares a backward function with the numeric
vector–Jacobian product of its forward at inputs you give.

::

    from verification import check_vjp
    report = check_vjp(affine_forward, affine_backward, {"x": x, "w": w, "b": b})
    assert report.matches, report.format_text()

The protocol is the course's: ``forward(*inputs)`` returns its output, or its outputs and a cache
(``(out, cache)``, ``(next_h, next_c, cache)``); the backward takes an upstream gradient per output and
then the cache, or the forward's inputs by name, or its output (``out``), and returns a gradient per
float input, in order (or a dict ``{"dx": …}``). The check is the one ``backprop-verify check`` runs on a
file (:mod:`verification.units`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, described
from verification.units.cases import Case, NotChecked, check_case, refused_setting
from verification.units.complexify import ComplexAllocation, namespaces_of
from verification.units.pairs import assign, backward_roles, call_backward, split_outputs
from verification.units.running import Runner, is_complex
from verification.units.source import definition, returned_names
from verification.units.verdicts import SettingResult
from verification.units.vjp import Problem

Array = NDArray[Any]


@dataclass(frozen=True)
class VjpReport:
    """The comparison of a backward with the numeric ``Jᵀ dout`` of its forward.

    Attributes
    ----------
    result : SettingResult
        Per gradient (``dx``, ``dw``, …): verdict, relative error, worst entries.
    forward, backward : str
        The functions' names.
    seed : int
    """

    result: SettingResult
    forward: str
    backward: str
    seed: int

    @property
    def matches(self) -> bool:
        """True when every gradient matches (a kink is not a match)."""
        return self.result.verdict == "matches"

    @property
    def verdict(self) -> str:
        """``matches``, ``mismatch``, ``kink``, ``stub`` or ``refused``."""
        return self.result.verdict

    def format_text(self) -> str:
        """One line per gradient, then the worst entries of those that differ."""
        against = f"the numeric Jᵀ·dout of {self.forward} (seed {self.seed})"
        lines = [f"{self.backward} against {against}: {self.verdict}"]
        if self.result.reason:
            lines.append(f"  {self.result.reason}")
        for o in self.result.outputs:
            error = "" if o.relative_error is None else f", relative error {o.relative_error:.2e}"
            lines.append(f"  {o.name}: {o.verdict}{error}{'; ' + o.problem if o.problem else ''}")
            if o.verdict in ("mismatch", "kink") and o.report is not None:
                for e in o.report.worst:
                    where = e.index if isinstance(e.index, str) else list(e.index)
                    values = f"analytic {e.analytic:.6e}, numeric {e.numeric:.6e} ± {e.error_estimate:.1e}"
                    lines.append(f"    {o.name}{where}: {values}")
        return "\n".join(lines)


def _inputs(inputs: Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
    if isinstance(inputs, Mapping):
        return dict(inputs)
    if isinstance(inputs, Sequence) and not isinstance(inputs, (str, bytes)):
        return {f"input{i}": v for i, v in enumerate(inputs)}
    raise InputError(f"inputs must be a dict of name to array (or a list), got {type(inputs).__name__}")


def _floats(values: dict[str, Any], wrt: Sequence[str] | None) -> list[str]:
    if wrt is not None:
        unknown = [n for n in wrt if n not in values]
        if unknown:
            raise InputError(f"wrt names {unknown}, which are not among the inputs {list(values)}")
        return list(wrt)
    found = [n for n, v in values.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size]
    if not found:
        shown = ", ".join(f"{n}: {described(v)}" for n, v in values.items()) or "none"
        raise InputError(f"inputs hold no float array to differentiate ({shown})")
    return found


def check_vjp(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    inputs: Mapping[str, Any] | Sequence[Any],
    *,
    douts: Sequence[Any] | None = None,
    wrt: Sequence[str] | None = None,
    seed: int = 0,
    method: str = "auto",
    full: bool = True,
) -> VjpReport:
    """Compare ``backward`` with the numeric vector–Jacobian product of ``forward`` at ``inputs``.

    For outputs ``out_k`` of the forward and upstream gradients ``dout_k``, the backward must return
    ``∂φ/∂x`` of ``φ = Σ_k ⟨dout_k, out_k⟩`` for every float input ``x``. That gradient is differentiated
    numerically, by complex step when the forward evaluates correctly at complex inputs (detected), else
    by Richardson-extrapolated central differences, each with its error estimate, and compared entry by
    entry under the acceptance rule of :mod:`verification.compare.rule` (tolerances:
    :mod:`verification.tolerances`).

    Parameters
    ----------
    forward : callable
        ``forward(*inputs)`` → ``out`` or ``(out_1, …, cache)``.
    backward : callable
        ``backward(dout_1, …, cache)`` (or the forward's inputs by name, or ``out``) → a gradient per float
        input, in order, or a dict ``{"dx": …}``.
    inputs : dict of str to object, or sequence
        The forward's arguments in order: float arrays (differentiated), and anything else (integer
        labels, masks, parameter dicts), passed as given.
    douts : sequence of ndarray, optional
        The upstream gradients, one per output; default drawn from ``N(0, 1)`` with ``seed``.
    wrt : sequence of str, optional
        The inputs differentiated (default: every float array).
    seed : int
        Seeds the upstream gradients, the sample of entries, and numpy's global generator before every
        call of the code (so a dropout mask is the same in every forward).
    method : str
        ``auto``, ``complex-step`` or ``richardson``.
    full : bool
        Every entry one by one (default); False: a sample and random directions.

    Returns
    -------
    VjpReport

    Raises
    ------
    InputError
        On a forward or backward that is not callable, inputs that are not a dict or list or hold no
        float array, ``wrt`` naming no input, douts of the wrong number or shape, a forward that raises
        (naming the exception and its line), or an unknown method.
    """
    for name, fn, what in (
        ("forward", forward, "forward(*inputs)"),
        ("backward", backward, "backward(dout, cache)"),
    ):
        if not callable(fn):
            raise InputError(f"{name} must be callable: the pass {what}, got {described(fn)}")
    values = _inputs(inputs)
    floats = _floats(values, wrt)
    fname = getattr(forward, "__qualname__", "forward")
    bname = getattr(backward, "__qualname__", "backward")
    runner = Runner(None, seed, ComplexAllocation(namespaces_of(forward)))
    names = list(values)
    roles = backward_roles(backward, names)
    count = max(1, roles.count("dout"))
    rng = np.random.default_rng(seed)

    def run(theta: Mapping[str, Any]) -> Any:
        args = [theta.get(n, values[n]) for n in names]
        return runner.call(fname, forward, *args, complex_=is_complex(dict(theta)))

    try:
        outs, cache = split_outputs(run({}), count, fname)
        given = [np.asarray(d, dtype=np.float64) for d in douts] if douts is not None else None
        if given is not None and [d.shape for d in given] != [o.shape for o in outs]:
            raise InputError(
                f"douts have shapes {[d.shape for d in given]}, the outputs {[o.shape for o in outs]}"
            )
        drawn = given if given is not None else [rng.standard_normal(o.shape) for o in outs]
        node = definition(None, bname, backward)
        grads = call_backward(runner, (bname, backward), roles, (drawn, outs, cache, values), node)
        analytic = assign(grads, floats, returned_names(node), bname)
        problem = Problem(
            lambda t: split_outputs(run(t), count, fname)[0],
            {n: np.asarray(values[n], dtype=np.float64) for n in floats},
            drawn,
        )
        result = check_case(
            Case("given inputs", problem, analytic, {n: f"d{n}" for n in floats}),
            rng,
            method=method,
            full=full,
        )
    except NotChecked as exc:
        result = refused_setting("given inputs", exc)
    return VjpReport(result, fname, bname, seed)
