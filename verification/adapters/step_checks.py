"""Whether the change a training step made can be read as a gradient, ``(W_before − W_after) / lr``.

Refused, each naming why: a change too small against the rounding of the weights
(:func:`check_recoverable`); a step that moves every weight by one amount, an adaptive optimiser's
(:func:`refuse_sign_steps`, :func:`verification.compare.steps.uniform_step`), or one that calls an adaptive
optimiser by its name (``layer.apply_rmsprop(lr, beta, dw, db)``: :func:`refuse_adaptive_optimiser`,
whose first step moves every weight by nearly one amount, but not quite when its ε is not negligible
against the gradient); a step that changes the
weights otherwise when run again from the same weights and data under other seeds
(:func:`refuse_random_steps`): it draws its weights anew, drops units out or picks a random batch, and
its change is no gradient of the data it is given. Returned gradients likewise: ones that differ when
asked again with nothing reset between (:func:`refuse_remembering`) depend on the calls before them,
unless the script resets them by design (a ``zero_grad`` method, :func:`resets_gradients`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.failures import Failed
from verification.compare.steps import uniform_step

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)
MAX_UPDATE_ROUNDING = 0.01
"""The most rounding, relative to the update itself, that a gradient recovered from an update may carry;
beyond it the verdicts would be about the rounding, not the code."""
OTHER_SEED = 20261205
"""The seed of the global generators for the second run of a step (:func:`refuse_random_steps`),
unlike the one every run of the code starts from (:data:`verification.adapters.calls.RESEED`)."""


def reseeded(step: str) -> str:
    """The step's code with numpy's global generator seeded with :data:`OTHER_SEED` first."""
    return f"import numpy as _np_; _np_.random.seed({OTHER_SEED}); del _np_\n{step}"


def refuse_random_steps(label: str, first: Mapping[str, Array], again: Mapping[str, Array]) -> None:
    """Refuse a step whose weights after a second run under other seeds (``again``) differ from those
    after the first (``first``).

    Raises
    ------
    Failed
        Naming up to three parameters that moved otherwise.
    """
    moved = [n for n in first if not np.array_equal(first[n], again[n])]
    if moved:
        raise Failed(
            f"{label} changes {', '.join(moved[:3])} differently run again from the same weights and "
            "data: the step draws random numbers (weights drawn anew, dropout, a random batch), so its "
            "change is no gradient of the data it is given",
            "code",
        )


RESETS = re.compile(r"zero_?grads?|reset_?grad|clear_?grad|zero_?gradients", re.IGNORECASE)
"""Methods that reset gradients kept between calls: adding up across calls is then by design."""


def resets_gradients(script: Any) -> bool:
    """Whether the script resets kept gradients by design (:data:`RESETS`): it calls a reset outside a
    constructor (``optimizer.zero_grad()`` in its loop, in its step), or defines one and trains nowhere
    itself (a module whose user resets, as with an autograd framework). A reset called only in
    ``__init__`` while the file's own training code steps again and again adds every step's gradient to
    the last: a bug, not a design."""
    source, tree = getattr(script, "source", None), getattr(script, "tree", None)
    if source is None or RESETS.search(source.text) is None:
        return False
    if tree is None:
        return True
    constructors = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
    in_constructors = {id(c) for f in constructors for c in ast.walk(f) if isinstance(c, ast.Call)}
    called = [
        c
        for c in ast.walk(tree)
        if isinstance(c, ast.Call) and id(c) not in in_constructors and RESETS.fullmatch(_called_name(c))
    ]
    loops = [n for n in ast.walk(tree) if isinstance(n, ast.For | ast.While)]
    trains = any("backward" in _called_name(c) for n in loops for c in ast.walk(n) if isinstance(c, ast.Call))
    return bool(called) or not trains


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _changed(first: Mapping[str, Array], again: Mapping[str, Array]) -> list[str]:
    """The parameters whose gradient in ``again`` is not ``first``'s to a relative ``1e-8``."""
    return [
        n for n in first if not np.allclose(np.asarray(again[n]), np.asarray(first[n]), rtol=1e-8, atol=0.0)
    ]


def draws(run: Callable[[str], Any], code: str) -> bool:
    """Whether ``code`` (a forward pass) gives another value under other seeds, ``run`` running it: it
    draws random numbers itself (a dropout mask drawn in the forward pass too). True when it fails."""
    try:
        first, again = np.asarray(run(code), dtype=float), np.asarray(run(reseeded(code)), dtype=float)
    except (InputError, TypeError, ValueError):
        return True
    return first.shape != again.shape or not np.array_equal(first, again)


def refuse_random_gradients(
    label: str, first: Mapping[str, Array], again: Mapping[str, Array], forward_draws: Callable[[], bool]
) -> None:
    """Refuse gradients that differ when asked again at the same weights and data under other seeds
    (``again`` against ``first``) while the forward pass does not (``forward_draws`` says whether it
    does): the backward pass draws random numbers the forward pass does not (a dropout mask, ``np.
    random.rand(*h.shape) < keep``, in ``backprop`` beside a ``predict`` without one), so it is the
    gradient of a network the forward pass is not. A forward pass that draws the same mask is checked
    with the same draws (every run seeded alike). Equal to a relative ``1e-8``: the same arithmetic.

    Raises
    ------
    Failed
        Naming up to three parameters whose gradient changed.
    """
    changed = _changed(first, again)
    if changed and not forward_draws():
        raise Failed(
            f"{label} returns another gradient of {', '.join(changed[:3])} under other random seeds, at the "
            "same weights and data, while the forward pass does not: it draws random numbers (a dropout "
            "mask?), so it is the gradient of a network the forward pass is not; check it with the "
            "randomness off (a keep probability of 1)",
            "code",
        )


def refuse_remembering(
    label: str,
    first: Mapping[str, Array],
    again: Mapping[str, Array],
    asked: Callable[[], Mapping[str, Array]] | None = None,
    other: Callable[[], object] | None = None,
) -> None:
    """Refuse gradients that differ when asked again at the same weights and data with nothing reset
    between (``again`` against ``first``): the code keeps what it computed (gradients added up across
    calls and never zeroed), so what one call returns depends on the calls before it. With ``other``
    (a call at other inputs) and ``asked`` (the gradient asked again at the probe's), also those that
    differ after a call at other inputs: the code reads what an earlier call left (activations appended
    to a list and read by position, the first call's ever after). Equal to a relative ``1e-8``: the
    same arithmetic run twice.

    Raises
    ------
    Failed
        Naming up to three parameters whose gradient changed.
    """
    changed = _changed(first, again)
    if changed:
        raise Failed(
            f"{label} returns another gradient of {', '.join(changed[:3])} when asked again at the same "
            "weights and data: it keeps what it computed between calls (gradients added up and never "
            "reset?) or draws at random from a generator of its own (a dropout mask), so what a training "
            "step gets depends on the steps before it",
            "code",
        )
    if asked is None or other is None:
        return
    try:
        other()
    except InputError:  # the code does not run at those inputs: nothing to compare
        return
    changed = _changed(first, asked())
    if changed:
        error = Failed(
            f"{label} returns another gradient of {', '.join(changed[:3])} at the same weights and data "
            "after a call at other inputs: it reads what an earlier call left (activations appended to a "
            "list and read by position?), so in a training loop each step back-propagates another "
            "sample's pass",
            "code",
        )
        error.conclusive = True  # type: ignore[attr-defined]  # the class's other methods read it too
        raise error


def rounding_eps(value: Any) -> float:
    """The machine epsilon of the float type the code keeps a weight in (float32: 1.2e-7), float64's for
    anything else: the rounding unit of an update written into it."""
    dtype = np.asarray(value).dtype
    return float(np.finfo(dtype).eps) if dtype.kind == "f" else float(np.finfo(np.float64).eps)


def update_errors(
    slots: Any, before: Mapping[str, Array], after: Mapping[str, Array], lr: float
) -> tuple[dict[str, Array], dict[str, float]]:
    """Per-entry bounds on the gradient ``(W_before − W_after) / lr`` read off an update, and the
    epsilon of each weight (:func:`rounding_eps` of the value the code keeps in ``slots``): the update
    ``W − lr g`` rounds to half an ulp of each side, their difference to one more, ``2 ε (|W_before| +
    |W_after|) / lr``."""
    eps = {n: rounding_eps(slots.slots[n].get(slots.namespace)) for n in before}
    return {n: 2 * eps[n] * (np.abs(before[n]) + np.abs(after[n])) / abs(lr) for n in before}, eps


def check_recoverable(
    label: str,
    before: Mapping[str, Array],
    after: Mapping[str, Array],
    lr: float,
    given: str | None,
    eps: Mapping[str, float] | None = None,
) -> None:
    """Refuse an update too small against the rounding of the weights to recover a gradient from.

    The gradient ``(W_before − W_after) / lr`` is uncertain by the rounding of both weights,
    ``2 ε (|W_before| + |W_after|) / lr`` per entry, ``ε`` of the float type each weight is kept in
    (``eps``, by name; float64's when not given); the learning rate cancels from the ratio of
    the two, so it says whether the *update* stands above rounding: a tiny ``lr`` (``1e-20``), or an
    output so saturated that the gradient vanishes, leaves it below. Past
    :data:`MAX_UPDATE_ROUNDING` every loss would match within that uncertainty.
    """
    change = np.sqrt(sum(float(np.sum((before[n] - after[n]) ** 2)) for n in before))
    unit = {n: (eps or {}).get(n, EPS) for n in before}  # the precision each weight is kept in
    rounding = 2 * np.sqrt(
        sum(float(np.sum((unit[n] * (np.abs(before[n]) + np.abs(after[n]))) ** 2)) for n in before)
    )
    if change > 0 and rounding <= MAX_UPDATE_ROUNDING * change:
        return
    rate = f"--lr {given!r} = {lr:g}" if given is not None else "unknown (--lr)"
    raise Failed(
        f"{label} changes the weights by {change:.2g} in all, against {rounding:.2g} of rounding in "
        f"them: a gradient cannot be recovered from an update that small (learning rate {rate})",
        "learning-rate",
        hint="give a larger learning rate, or the expression that returns the gradients (--gradient)",
    )


def refuse_sign_steps(label: str, grads: Mapping[str, Array], lr: float) -> None:
    """Refuse a step that moves every weight by the same amount, ``±lr`` or so: an adaptive optimiser's
    first step, or sign SGD (:func:`verification.compare.steps.uniform_step`): no loss can be read off it.

    Raises
    ------
    Failed
        Naming the step's one magnitude.
    """
    size = uniform_step(grads.values())
    if size is not None:
        raise Failed(
            f"{label} moves every weight by the same amount ({size * abs(lr):.3g}): an adaptive optimiser's "
            "step (Adam, RMSprop, sign SGD), which is not a multiple of the gradient; no loss can be read "
            "off it",
            "optimiser",
            hint="check the method that returns or stores the gradients the optimiser is given (--gradient)",
        )


ADAPTIVE = re.compile(
    r"(?:^|(?<=[_\d])|(?<=[a-z])(?=[A-Z]))(?i:n?adam(?:ax|w)?|rms_?prop|adagrad|adadelta|amsgrad)(?=$|[_\dA-Z])"
)
"""Names of an adaptive optimiser (Kingma & Ba 2015, Adam; Tieleman & Hinton 2012, RMSprop; Duchi et
al. 2011, AdaGrad): its step divides the gradient by a running scale of it, no multiple of it. Matched
as a word of the identifier, between underscores, digits, its ends or a change to a capital:
``adam_step``, ``AdamOptimizer``, ``RMSpropOptimizer``, ``updateAdam``, never ``hadamard``."""


def refuse_adaptive_optimiser(step: str, namespace: Mapping[str, Any]) -> None:
    """Refuse a step whose code, or the source of a method it calls (``net.fit(x, y)``), calls an
    adaptive optimiser by name (:data:`ADAPTIVE`) or a method of an object of such a class.

    Raises
    ------
    Failed
        Naming the optimiser's call, for the next candidate (a method that returns or stores the
        gradients) to be tried.
    """
    import ast

    from verification.reading.source_trees import source_tree

    def receiver(call: ast.Call) -> Any:
        return namespace.get(getattr(getattr(call.func, "value", None), "id", ""))

    step_tree = ast.parse(step)
    calls = [n for n in ast.walk(step_tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    methods = [getattr(type(receiver(c)), c.func.attr, None) for c in calls if receiver(c) is not None]  # type: ignore[attr-defined]
    trees = [step_tree] + [t for m in methods if callable(m) and (t := source_tree(m)) is not None]
    for node in (n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        held = type(receiver(node)).__name__ if receiver(node) is not None else ""
        if ADAPTIVE.search(name) or ADAPTIVE.search(held):
            raise Failed(
                f"the step calls an adaptive optimiser ({ast.unparse(node.func)}): its update divides the "
                "gradient by a running scale of it, and no gradient can be read off it",
                "optimiser",
                hint="check the method that returns or stores the gradients (--gradient)",
            )


def refuse_scheduled_rate(label: str, expression: str | None, used: float, now: Callable[[], Any]) -> None:
    """Refuse a step after which its learning rate ``expression`` (``net.lr``; ``now`` reads it) reads
    otherwise than the ``used`` it read before: the step changes its own rate (``self.lr *= 0.99``, a
    schedule), and which of the two its update was made with is not known, so the gradient's scale
    would be a guess. A rate written as a number is not read again.

    Raises
    ------
    Failed
        Naming both rates.
    """
    if not expression or re.fullmatch(r"[-+]?[\d.]+(e[-+]?\d+)?", expression.strip(), re.I):
        return
    try:
        after = float(now())
    except (TypeError, ValueError, InputError):
        return
    if expression is not None and np.isfinite(after) and not np.isclose(after, used, rtol=1e-12, atol=0.0):
        raise Failed(
            f"{label} changes its learning rate {expression} from {used:.6g} to {after:.6g} as it steps (a "
            "schedule): which one its update used is not known",
            "learning-rate",
            hint="give --lr with the rate the first step uses",
        )
