"""Calling code under check: an exception, ``sys.exit`` or a wrong gradient becomes one line naming where.

Code written by someone else fails in ways of its own: it raises deep inside numpy, exits, warns, or
returns something that is not a gradient. Every call of that code goes through :func:`user_call` (a
function) or :func:`run_code` (a piece of source from the command line or from automatic detection),
which turn such failures into a one-line :class:`~ffnn.validation.InputError` that names the code, the
exception and the line of the script where it arose. Floating-point and other warnings of the code are
silenced (non-finite results are reported by the checks that follow); ``KeyboardInterrupt`` still
interrupts.
"""

from __future__ import annotations

import ast
import functools
import traceback
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError, validate_finite
from verification.adapters.failures import Failed, tagged
from verification.memory import out_of_memory
from verification.reading.loader import LoadedScript, one_line
from verification.reading.unbound_names import never_bound

Array = NDArray[Any]


def user_frames(frames: traceback.StackSummary) -> list[traceback.FrameSummary]:
    """Frames of a traceback that are not this package's own calling of the code."""
    own = __file__.rsplit("/", 2)[0]  # the verification package: adapters, units, …
    return [f for f in frames if not f.filename.startswith(own) and not f.filename.endswith("/functools.py")]


def where(frames: traceback.StackSummary, script: LoadedScript | None) -> str:
    """`` at FILE, line N``: the last frame in the script; else `` in --setup`` when the failure is in
    a piece of the explicit form itself; else the last frame outside this package."""
    own = user_frames(frames)
    in_script = [f for f in own if script is not None and f.filename == str(script.path)]
    if in_script:
        return f" at {in_script[-1].filename.rsplit('/', 1)[-1]}, line {in_script[-1].lineno}"
    option = [f for f in own if f.filename.startswith("--")]
    if option:
        return f" in {option[-1].filename}"
    chosen = (own or list(frames))[-1:]
    if not chosen:
        return ""
    return f" at {chosen[0].filename.rsplit('/', 1)[-1]}, line {chosen[0].lineno}"


NUMPY_2_REMOVED = frozenset(
    {"mat", "float_", "complex_", "string_", "unicode_", "NaN", "Inf", "NINF", "PINF", "infty", "Infinity"}
    | {"alltrue", "sometrue", "product", "cumproduct", "asfarray", "msort", "round_"}
)
"""Names ``from numpy import *`` bound before numpy 2.0 and no longer binds (NumPy 2.0 release notes,
"Changes to the main namespace"): code that uses one was written for numpy 1."""


def _array_to_scalar(exc: BaseException) -> bool:
    """The error numpy raises where an array of one element is used as a number (``a[i, j] = x[i]`` with
    ``x[i]`` of shape ``(1,)``), deprecated in numpy 1.25 and an error in later releases: its cause says
    so."""
    cause = exc.__cause__ or exc.__context__
    return isinstance(cause, TypeError) and "only 0-dimensional arrays can be converted" in str(cause)


def _failure(
    label: str, exc: BaseException, script: LoadedScript | None, called_as: str | None
) -> InputError:
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SystemExit):
        return InputError(f"{label} called sys.exit({exc.code!r}){where(frames, script)}")
    message = one_line(exc)
    if isinstance(exc, TypeError) and not user_frames(frames):  # the call itself, not the code, failed
        made = f"as {called_as} " if called_as else ""
        error = InputError(f"{label} was called {made}with arguments it does not take: {message}")
        error.call_misfit = True  # type: ignore[attr-defined]  # the checker's call, not the code, is wrong
        return error
    hint, own = "", False
    if isinstance(exc, NameError) and script is not None and getattr(exc, "name", None):
        skipped = script.skipped_binding(str(exc.name))
        if skipped is not None:
            hint = f" ({exc.name!r} is set by top-level line {skipped.line}, which the loader does not run)"
    if (
        isinstance(exc, NameError)
        and script is not None
        and not hint
        and never_bound(script.tree, str(exc.name))
    ):
        hint = f" (the file reads {exc.name!r} but never imports or defines it: it fails so as written)"
        own = True
    if isinstance(exc, NameError) and getattr(exc, "name", None) in NUMPY_2_REMOVED and not hint:
        hint = f" (numpy 2.0 removed {exc.name}, which `from numpy import *` gave: the code needs numpy 1)"
    if _array_to_scalar(exc) and not hint:  # change[i, j] = x[i] * d[j], each of shape (1,)
        hint = (
            " (numpy 1.25 deprecated making a number of an array of one element, and the numpy here, "
            f"{np.__version__}, refuses it: the code was written for an older numpy)"
        )
    if isinstance(exc, EOFError):  # w = input("Enter the weights"): nobody types during a check
        hint = " (the code reads the keyboard, input(), which no check answers: give the values in --setup)"
    error = InputError(f"{label} raised {type(exc).__name__}: {message}{where(frames, script)}{hint}")
    error.fails_as_written = own  # type: ignore[attr-defined]  # the file's fault, whoever runs it
    return error


def user_call(
    label: str,
    fn: Callable[..., Any],
    *args: Any,
    script: LoadedScript | None = None,
    called_as: str | None = None,
    **kwargs: Any,
) -> Any:
    """Call code under check and return what it returns.

    Parameters
    ----------
    label : str
        How messages name the code, e.g. ``Net.backward``.
    fn : callable
        The code.
    *args, **kwargs
        Its arguments.
    script : LoadedScript, optional
        The script the code comes from, to name the line of a failure and a skipped top-level line
        behind a ``NameError``.
    called_as : str, optional
        How the call was meant (e.g. ``backward(x, error)``), for the message when the code does not
        accept its arguments at all.

    Raises
    ------
    InputError
        One line, when the code raises or calls ``sys.exit``.
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except (InputError, MemoryError):
        raise  # running out of memory is the supervisor's to report, with the limit and the line
    except (Exception, SystemExit) as exc:
        if out_of_memory(exc):  # an extension module that no longer fits under --max-memory
            raise MemoryError(f"{type(exc).__name__}: {one_line(exc)}") from exc
        error = _failure(label, exc, script, called_as)
        error.cause = "code-failed"  # type: ignore[attr-defined]  # for the JSON refusal
        raise error from None


@functools.lru_cache(maxsize=1024)
def compile_block(code: str, option: str) -> tuple[Any, Any]:
    """Compile a block of statements whose last statement, if an expression, is its value.

    Returns the compiled statements before the last expression and the compiled expression (or None),
    as a notebook cell is run. Code objects are immutable, so each block is compiled once and kept
    (the search for a setup runs one forward thousands of times).

    Raises
    ------
    InputError
        On a syntax error, naming the option (``--forward`` …) and the column.
    """
    try:
        tree = ast.parse(code, filename=option, mode="exec")
    except SyntaxError as exc:
        lines = code.splitlines()
        if isinstance(exc, IndentationError) and not any(line.rstrip().endswith(":") for line in lines):
            # lines continued on a shell's command line carry its indentation; with no block in the
            # code, that indentation means nothing
            return compile_block("\n".join(line.strip() for line in lines), option)
        raise tagged(
            InputError(f"{option} {code!r} is not valid Python: {exc.msg} (column {exc.offset})"), "code"
        ) from None
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr):
        tree.body.pop()
        last = ast.Expression(final.value)
    body = compile(tree, option, "exec")
    return body, (None if last is None else compile(last, option, "eval"))


def run_code(
    code: str,
    namespace: dict[str, Any],
    option: str,
    *,
    script: LoadedScript | None = None,
    compiled: tuple[Any, Any] | None = None,
) -> Any:
    """Run ``code`` (statements, then an optional final expression) in ``namespace``; return the value
    of the final expression, or None. The global generators are seeded first (:func:`reseed`).

    Parameters
    ----------
    code : str
        Python source, statements separated by ``;`` or newlines.
    namespace : dict
        Globals of the run: the script's definitions plus the names the checker binds (``x``, ``y``,
        ``lr``).
    option : str
        The option the code came from (``--setup``, ``--forward``, ``--gradient``, ``--step``), for
        messages.
    script : LoadedScript, optional
    compiled : tuple, optional
        The result of :func:`compile_block` for ``code``, to skip compiling it again.

    Raises
    ------
    InputError
        One line naming the option and the failure.
    """
    body, last = compiled if compiled is not None else compile_block(code, option)

    def run() -> Any:
        reseed()
        exec(body, namespace)
        return None if last is None else eval(last, namespace)

    kind = {"--forward": "forward", "--lr": "learning-rate"}.get(option, "code")
    try:
        return user_call(f"{option} {code!r}", run, script=script)
    except InputError as exc:
        raise tagged(exc, kind) from exc.__cause__


RESEED = 0
"""The seed numpy's and Python's global generators are set to before every run of the code."""


def reseed() -> None:
    """Seed numpy's and Python's global generators with :data:`RESEED`, so that code drawing from them
    inside a forward or backward pass (a dropout mask, a shuffled mini-batch) draws the same numbers at
    every call: the forward pass is one function of the weights, and the backward pass sees the mask its
    forward pass used."""
    import random

    np.random.seed(RESEED)  # noqa: NPY002  # the code under check draws from the legacy global generator
    random.seed(RESEED)


class WrongShape(InputError):
    """A gradient of another shape than its parameter's, naming the parameter (``tensor``). At a batch,
    code written for one sample at a time gives such gradients (one bias column per sample, one weight
    gradient per sample): the verdict is then said to be for one sample, with the shapes."""

    def __init__(self, message: str, tensor: str) -> None:
        super().__init__(message)
        self.tensor = tensor


PER_SAMPLE = (
    "the gradients come back one per sample, stacked along a leading axis (the caller reduces them): "
    "their sum over the samples is compared"
)
"""The note of a gradient call that returns one gradient per sample of a batch."""


def validated_gradient(
    label: str,
    grads: Mapping[str, Any],
    params: Mapping[str, Array],
    samples: int = 1,
    notes: list[str] | None = None,
) -> dict[str, Array]:
    """The gradients as float64 arrays of the parameters' shapes, or a one-line error. When every
    gradient has a leading axis of the batch's ``samples`` (> 1) before its parameter's shape, one
    gradient per sample (``delta.reshape(b, -1, 1) @ a.reshape(b, 1, -1)``, averaged by the code's own
    training step), their sum is the gradient of the batch's summed loss, and :data:`PER_SAMPLE` is
    added to ``notes``.

    Raises
    ------
    InputError
        When a parameter has no gradient, a gradient has another shape, is not numeric, is complex or
        is not finite.
    """
    shapes = [np.shape(grads[n]) for n in params if n in grads]
    if (
        samples > 1
        and len(shapes) == len(params)
        and all(g == (samples, *np.shape(p)) for g, p in zip(shapes, params.values(), strict=True))
    ):
        grads = {n: np.sum(np.asarray(grads[n]), axis=0) for n in params}
        if notes is not None and PER_SAMPLE not in notes:
            notes.append(PER_SAMPLE)
    try:
        return _validated(label, grads, params)
    except InputError as exc:
        raise tagged(exc, "code") from None


def _validated(label: str, grads: Mapping[str, Any], params: Mapping[str, Array]) -> dict[str, Array]:
    out = {}
    for n, p in params.items():
        if n not in grads:
            raise InputError(f"{label} gave no gradient for parameter {n}")
        g = np.asarray(grads[n])
        if g.shape != p.shape:
            if g.size == p.size and g.squeeze().shape == p.squeeze().shape:
                g = g.reshape(p.shape)
            else:
                raise WrongShape(
                    f"{label} gave a gradient of {n} with shape {g.shape}, expected {p.shape}", n
                )
        if not np.issubdtype(g.dtype, np.number):
            raise InputError(f"{label} gave a non-numeric gradient of {n} (dtype {g.dtype})")
        if np.iscomplexobj(g):
            raise InputError(
                f"{label} gave a complex gradient of {n} (dtype {g.dtype}); the gradient of a real loss "
                "in real weights is real"
            )
        validate_finite(f"the gradient of {n} from {label}", g)
        out[n] = g.astype(np.float64)
    return out


def learning_rate(recipe: Any, namespace: dict[str, Any], script: LoadedScript | None) -> float | None:
    """The value of the ``lr`` expression of ``recipe`` (a :class:`~verification.adapters.recipe.Recipe`)
    run in ``namespace`` (None when it has none).

    Raises
    ------
    InputError
        When it is not a finite number other than 0. A negative rate is returned as it is: the code
        moves by it (``W -= learning_rate * dW`` with ``learning_rate = -0.9`` and ``dW`` from
        ``y − a``); the gradient is read with its size, the direction from the update itself.
    """
    if recipe.lr is None:
        return None
    value = run_code(recipe.lr, namespace, "--lr", script=script)
    try:
        lr = float(value)
    except (TypeError, ValueError):
        raise Failed(f"--lr {recipe.lr!r} is {type(value).__name__}, not a number", "learning-rate") from None
    if not np.isfinite(lr) or lr == 0:
        raise Failed(
            f"--lr {recipe.lr!r} is {lr!r}: the gradient cannot be recovered from an update "
            "(W_before − W_after) / lr with a zero or non-finite learning rate",
            "learning-rate",
        )
    return lr


def negative_rate_note(expression: str | None, rate: float) -> list[str]:
    """The note for a negative learning rate ``rate`` (the value of ``expression``): read by its size,
    the direction of each step from the update itself; none for a rate > 0."""
    if rate >= 0:
        return []
    return [
        f"the learning rate {expression} is {rate:g}: the gradient is read with its size {-rate:g}, and "
        "which way each step goes from the update itself (a step that climbs the loss reads as the sign "
        "flipped)"
    ]
