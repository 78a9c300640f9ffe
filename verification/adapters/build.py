"""From a recipe to a subject: run the setup, find the parameters, try the layout and the gradient.

A :class:`~verification.adapters.recipe.Recipe` says how to build, run and differentiate someone's
network; :func:`subject_for` makes it a :class:`~verification.adapters.subject.CodeSubject` by trying
it once at drawn weights:

* the **parameters** are the float arrays (and lists of floats) reachable from the objects the setup
  made (:mod:`verification.adapters.parameters`) that the forward pass does not rebind or write into
  (activations, caches) and whose change changes the output, tested at drawn values (at the code's own
  start, zero weights can hide the layers before them);
* a **returned** gradient is lined up with them (:mod:`verification.adapters.matching`); gradients a
  backward pass *stores* beside its weights (``self.dW1``, ``layer.dweights``) are collected when it
  returns nothing; parameters without a gradient are left out and the report says so;
* an **update** must change some weight; weights it never changes are left out and said so.

A candidate that does not run raises :class:`Failed`, so detection can go on to the next one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.calls import run_code
from verification.adapters.layouts import LABEL_FORMATS, LAYOUTS, Layout
from verification.adapters.matching import PREFIXES, SUFFIXES, plan_matching
from verification.adapters.parameters import Slots, find_slots
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.draws import draw_labels, draw_parameters
from verification.reading.loader import LoadedScript, one_line

Array = NDArray[Any]


class Failed(InputError):
    """A candidate recipe that did not run; detection goes on to the next."""


def run_setup(namespace: dict[str, Any], code: str, script: LoadedScript | None) -> list[str]:
    """Run the setup in ``namespace`` and return the names it bound or rebound."""
    before = {k: id(v) for k, v in namespace.items()}
    run_code(code, namespace, "--setup", script=script)
    return [k for k, v in namespace.items() if before.get(k) != id(v) and not k.startswith("__")]


def layouts(inputs: str | None = None, labels: str | None = None) -> list[Layout]:
    """The layouts to try: the one given, or all (:data:`~verification.adapters.layouts.LAYOUTS` ×
    :data:`~verification.adapters.layouts.LABEL_FORMATS`)."""
    return [
        Layout(i, lab)
        for i in ([inputs] if inputs else LAYOUTS)
        for lab in ([labels] if labels else LABEL_FORMATS)
    ]


def widths(slots: Slots) -> list[int]:
    """Input widths to try: the parameters' dimensions, then one less (a bias folded into the weights
    as an extra input), then small widths (for weights kept as floats)."""
    dims: list[int] = []
    for shape in slots.shapes().values():
        dims += [d for d in shape if d not in dims]
    out = dims + [d - 1 for d in dims if d > 1 and d - 1 not in dims]
    return out + [d for d in range(1, 9) if d not in out]


def forward_output(
    namespace: dict[str, Any], recipe: Recipe, n_samples: int, script: LoadedScript | None
) -> Array:
    """Run the recipe's forward pass with ``x`` bound; its output as ``(n, n_out)``.

    Raises
    ------
    Failed
        When the output is complex, integer (class predictions), not numeric, or not finite.
    """
    return output_of(run_code(recipe.forward, namespace, "--forward", script=script), recipe, n_samples)


def output_of(value: Any, recipe: Recipe, n_samples: int) -> Array:
    """What the forward pass returned, checked as :func:`forward_output` says, as ``(n, n_out)``."""
    if np.iscomplexobj(value):  # worded to rank with failures of the code (TELLING), not of a layout
        raise Failed(
            f"complex output (dtype {np.asarray(value).dtype}) from --forward {recipe.forward!r} at real "
            "weights: a network with real weights has a real output, whose imaginary part would be dropped"
        )
    if np.asarray(value).dtype.kind in "biu":
        raise Failed(
            f"--forward {recipe.forward!r} gives {np.asarray(value).dtype} values (class predictions?), not "
            "the network's output activations"
        )
    output = recipe.layout.from_code(value, n_samples, f"the output of --forward {recipe.forward!r}")
    if not np.all(np.isfinite(output)):
        raise Failed(f"--forward {recipe.forward!r} gave a non-finite output at drawn inputs")
    return output


def parameters_of(
    namespace: dict[str, Any], slots: Slots, recipe: Recipe, n_in: int, script: LoadedScript | None
) -> tuple[Slots, Array]:
    """The slots that are parameters (see the module docstring), and the output at the code's own values.

    Raises
    ------
    Failed
        When the forward pass does not run at this width, gives complex values, or no array changes it.
    """
    rng = np.random.default_rng(1)
    namespace["x"] = recipe.layout.to_code(rng.standard_normal((1, n_in)))
    originals = slots.read()
    identities = {n: id(s.get(namespace)) for n, s in slots.slots.items()}
    value = run_code(recipe.forward, namespace, "--forward", script=script)
    kept = [
        s
        for n, s in slots.slots.items()
        if id(s.get(namespace)) == identities[n] and np.array_equal(s.read(namespace), originals[n])
    ]
    Slots(namespace, kept).refuse_complex(Failed)  # before the output, which they make complex too
    output = output_of(value, recipe, 1)
    pruned = Slots(namespace, kept)
    base = draw_parameters(pruned.shapes(), rng)
    pruned.write(base)
    reference = forward_output(namespace, recipe, 1, script)
    live = []
    for s in kept:
        pruned.write(
            {s.name: base[s.name] + 0.25 * (1 + np.abs(base[s.name])) * rng.standard_normal(s.shape)}
        )
        changed = not np.array_equal(forward_output(namespace, recipe, 1, script), reference)
        pruned.write({s.name: base[s.name]})
        if changed:
            live.append(s)
    pruned.write({n: originals[n] for n in pruned.names})
    if not live:
        raise Failed(
            f"no array that the output of --forward {recipe.forward!r} depends on was found in the objects "
            "the setup made"
        )
    return Slots(namespace, live), output


def learning_rate(recipe: Recipe, namespace: dict[str, Any], script: LoadedScript | None) -> float | None:
    """The value of the recipe's ``lr`` expression (None when it has none).

    Raises
    ------
    InputError
        When it is not a finite nonzero number.
    """
    if recipe.lr is None:
        return None
    value = run_code(recipe.lr, namespace, "--lr", script=script)
    try:
        lr = float(value)
    except (TypeError, ValueError):
        raise InputError(f"--lr {recipe.lr!r} is {type(value).__name__}, not a number") from None
    if not np.isfinite(lr) or lr == 0:
        raise InputError(
            f"--lr {recipe.lr!r} is {lr!r}: the gradient cannot be recovered from an update "
            "(W_before − W_after) / lr with a zero or non-finite learning rate"
        )
    return lr


def stored_gradients(namespace: dict[str, Any], slots: Slots) -> str | None:
    """An expression collecting gradients a backward pass stored beside the parameters (``self.dW1`` by
    ``self.W1``, ``layer.dweights`` by ``layer.weights``), keyed by the parameters' names, or None."""
    found = {}
    for n, s in slots.slots.items():
        if not s.path or s.path[-1][0] != "attr":
            continue
        parent_path, key = s.path[:-1], str(s.path[-1][1])
        parent = namespace[s.root]
        for kind, k in parent_path:
            parent = getattr(parent, k) if kind == "attr" else parent[k]
        candidates = [p + key for p in PREFIXES] + [p + key[:1].upper() + key[1:] for p in PREFIXES]
        for attr in [*candidates, *(key + x for x in SUFFIXES)]:
            value = getattr(parent, attr, None)
            if attr != key and isinstance(value, np.ndarray) and value.size == int(np.prod(s.shape)):
                where = s.root + "".join(f".{k}" if kind == "attr" else f"[{k!r}]" for kind, k in parent_path)
                found[n] = f"{where}.{attr}"
                break
    if not found:
        return None
    return "{" + ", ".join(f"{n!r}: {expr}" for n, expr in found.items()) + "}"


def subject_for(
    namespace: dict[str, Any],
    recipe: Recipe,
    roots: list[str],
    script: LoadedScript | None,
    n_in: int,
    name: str,
) -> CodeSubject:
    """The subject of a recipe whose setup has run, at one layout (``recipe.layout``) and input width.

    Raises
    ------
    Failed or InputError
        When the recipe does not run or gives no usable gradient; the weights are restored first.
    """
    slots = Slots(namespace, find_slots(namespace, roots))
    if not slots.names:
        raise Failed(f"the setup made no object holding float arrays ({', '.join(roots) or 'nothing bound'})")
    originals = slots.read()
    try:
        params, output = parameters_of(namespace, slots, recipe, n_in, script)
        return _with_gradient(namespace, params, recipe, name, n_in, output.shape[1], script)
    except InputError:
        slots.write(originals)
        raise


def _with_gradient(
    namespace: dict[str, Any],
    slots: Slots,
    recipe: Recipe,
    name: str,
    n_in: int,
    n_out: int,
    script: LoadedScript | None,
) -> CodeSubject:
    """Try the recipe's gradient (or step) at drawn weights; keep the parameters it covers."""
    rng = np.random.default_rng(2)
    params = draw_parameters(slots.shapes(), rng)
    x = rng.standard_normal((1, n_in))
    y = draw_labels(rng, (1, n_out))
    notes = list(recipe.notes)
    if recipe.kind == "returned":
        subject = CodeSubject(name, namespace, slots, recipe, n_in, n_out, None, script, notes)
        subject.load(params)
        subject.bind_inputs(x)
        namespace["y"] = recipe.layout.labels_to_code(y)
        namespace["lr"] = 1.0
        returned = run_code(recipe.gradient or "", namespace, "--gradient", script=script)
        if returned is None:
            stored = stored_gradients(namespace, slots)
            if stored is not None:
                recipe = replace(recipe, gradient=f"{recipe.gradient}; {stored}")
                returned = run_code(recipe.gradient or "", namespace, "--gradient", script=script)
        slots.write(params)
        plan = plan_matching(f"--gradient {recipe.gradient!r}", returned, params)
        left = [n for n in slots.names if n not in plan]
        kept = Slots(namespace, [s for n, s in slots.slots.items() if n in plan])
        if left:
            notes.append(f"no gradient returned for {', '.join(left)}: not checked")
        subject = CodeSubject(name, namespace, kept, recipe, n_in, n_out, None, script, notes, plan)
        subject.gradient({n: params[n] for n in kept.names}, x, y)
        return subject
    lr = learning_rate(recipe, namespace, script)
    subject = CodeSubject(name, namespace, slots, recipe, n_in, n_out, lr, script, notes)
    grads, _ = subject.gradient(params, x, y)
    still = [n for n, g in grads.items() if not np.any(g)]
    if still and len(still) < len(grads):
        again, _ = subject.gradient(draw_parameters(slots.shapes(), rng), rng.standard_normal((1, n_in)), y)
        still = [n for n in still if not np.any(again[n])]
    if still:
        kept = Slots(namespace, [s for n, s in slots.slots.items() if n not in still])
        notes.append(f"{', '.join(still)} never changed by the step: not checked")
        subject = CodeSubject(name, namespace, kept, recipe, n_in, n_out, lr, script, notes)
    if recipe.lr is None:
        subject.notes.append(
            "no learning rate found: the update is read as lr × gradient with lr = 1, so scales are up to "
            "the learning rate (give --lr)"
        )
    return subject


TELLING = (
    ("whose import failed",),
    ("--lr",),
    ("raised", "sys.exit", "non-finite", "complex", "shape", "line up", "not valid Python"),
    ("left every weight unchanged",),
    ("not gradients",),
)
"""What a failure's message says, from most to least telling: a module the code cannot import; the
learning rate; the code failing when run (it raised, exited, gave non-finite, complex or misshapen
values); a candidate that is not the kind the code is (an update that changes nothing, a gradient
method that returns nothing). Failures of the forward pass come last: at a wrong width or layout it
fails by design."""


def most_telling(errors: list[InputError | str]) -> InputError:
    """Of the failures of several candidates, the first of the most telling kind (:data:`TELLING`)."""

    def rank(error: InputError | str) -> int:
        message = str(error)
        if message.startswith("--forward") or "the output of --forward" in message:
            return len(TELLING)  # at a wrong width or layout the forward pass fails by design
        return next(
            (i for i, needles in enumerate(TELLING) if any(n in message for n in needles)), len(TELLING)
        )

    if not errors:
        return InputError("nothing to try")
    best = min(rank(e) for e in errors)
    chosen = next(e for e in errors if rank(e) == best)
    return chosen if isinstance(chosen, InputError) else InputError(chosen)


def refusal(prefix: str, errors: list[InputError | str], hint: str | None) -> InputError:
    """The one-line refusal after every candidate failed: ``prefix`` and the most telling failure, which
    also gives its cause (``code-failed`` when the checked code raised, :mod:`verification.runs.exits`)."""
    chosen = most_telling(errors)
    error = InputError(f"{prefix}: {one_line(chosen)}", hint=hint)
    cause = getattr(chosen, "cause", None)
    if cause is not None:
        error.cause = cause  # type: ignore[attr-defined]
    return error


def explicit_subject(
    namespace: dict[str, Any],
    recipe: Recipe,
    script: LoadedScript | None,
    layout: str | None,
    labels: str | None,
) -> CodeSubject:
    """The subject of a recipe given in full (the layout may still be detected).

    The parameters are found from the names the setup bound; without a setup, from the names the
    forward and gradient code use.

    Raises
    ------
    InputError
        When it does not run at any layout, with the reason of the most promising try.
    """
    import ast
    import inspect

    bound = run_setup(namespace, recipe.setup, script) if recipe.setup else []
    roots = [
        n
        for n in bound
        if not inspect.ismodule(namespace[n])
        and not inspect.isroutine(namespace[n])
        and not isinstance(namespace[n], type)
    ]
    if not roots:
        used: set[str] = set()
        for code in (recipe.forward, recipe.gradient, recipe.step):
            if code:
                used |= {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
        roots = sorted(
            n
            for n in used
            if n in namespace
            and n not in ("x", "y", "lr")
            and not inspect.ismodule(namespace[n])
            and not inspect.isroutine(namespace[n])
            and not isinstance(namespace[n], type)
        )
    slots = Slots(namespace, find_slots(namespace, roots))
    calls = re.findall(r"([A-Za-z_][\w.]*)\(", recipe.gradient or recipe.step or "")
    name = calls[-1] if calls else "the code"
    errors: list[InputError | str] = []
    for lay in layouts(layout, labels):
        for n_in in widths(slots):
            try:
                return subject_for(namespace, replace(recipe, layout=lay), roots, script, n_in, name)
            except InputError as exc:
                errors.append(exc)
    raise refusal("the explicit form did not run", errors, None)
