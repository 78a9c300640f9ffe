"""Running a unit's code: the same randomness every time, its own copies of the inputs, complex runs,
and failures named in one line.

* **Randomness.** A forward that draws (dropout's mask, ``np.random.rand``) must draw the same numbers
  for the forward whose cache the backward reads, for every shifted forward of the numeric side, and
  for the backward: numpy's and Python's global generators are re-seeded with the unit's printed seed
  before every call (:func:`call`).
* **Copies.** Code that writes into its inputs (``x -= mean``, ``bn_param['running_mean'] = …``) gets
  copies, so it cannot move the point the checker differentiates at.
* **Complex runs.** At complex inputs the float arrays the code allocates are made complex
  (:mod:`verification.units.complexify`), and a complex warning (an imaginary part dropped) is an
  error, so :func:`verification.units.vjp.complex_safe` sees it.
* **Failures.** An exception becomes one line naming it and the line of the script where it arose
  (:func:`verification.adapters.calls.user_call`).
"""

from __future__ import annotations

import copy
import random
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.adapters.calls import user_call
from verification.reading.loader import LoadedScript
from verification.units.complexify import ComplexAllocation


def copied(value: Any) -> Any:
    """A copy of an argument: arrays and containers copied, objects of the code (layers) kept."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict) and all(
        isinstance(v, (int, float, str, bool, type(None))) for v in value.values()
    ):
        return dict(value)  # a parameter dictionary (conv_param): a shallow copy is a full one
    if isinstance(value, (dict, list, tuple)):
        return copy.deepcopy(value)
    return value


def reseed(seed: int | None) -> None:
    """Seed numpy's and Python's global generators (nothing when ``seed`` is None)."""
    if seed is not None:
        np.random.seed(seed % 2**32)  # noqa: NPY002  # the code under check draws from the global generator
        random.seed(seed)


def is_complex(args: Any) -> bool:
    """Whether any array among ``args`` (a sequence or mapping, one level deep) is complex."""
    values = args.values() if isinstance(args, dict) else args
    return any(isinstance(v, (np.ndarray, np.generic, complex)) and np.iscomplexobj(v) for v in values)


class Runner:
    """How one unit's code is called.

    Parameters
    ----------
    script : LoadedScript or None
        The script the code comes from, so failures name its line.
    seed : int or None
        Re-seeds the global generators before each call.
    allocation : ComplexAllocation or None
        The code's numpy bindings, swapped during complex calls.
    """

    def __init__(
        self, script: LoadedScript | None, seed: int | None, allocation: ComplexAllocation | None = None
    ) -> None:
        self.script = script
        self.seed = seed
        self.allocation = allocation

    def call(
        self,
        label: str,
        fn: Callable[..., Any],
        *args: Any,
        complex_: bool = False,
        copy: bool = True,
        **kwargs: Any,
    ) -> Any:
        """``fn(*args, **kwargs)`` on copies of the arguments, with the generators re-seeded.

        Parameters
        ----------
        label : str
            How a failure names the code (``affine_backward``).
        complex_ : bool
            A complex run: allocation made complex, complex warnings raised.
        copy : bool
            Give the code copies of its arguments (off for the checker's own helpers, which must see
            the objects the code changes).

        Raises
        ------
        InputError
            One line naming the exception and the script's line, when the code raises.
        """
        if copy:
            args = tuple(copied(a) for a in args)
            kwargs = {k: copied(v) for k, v in kwargs.items()}
        allocation = self.allocation

        def run() -> Any:
            reseed(self.seed)
            if not complex_:
                return fn(*args, **kwargs)
            with warnings.catch_warnings():
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                if allocation is None:
                    return fn(*args, **kwargs)
                with allocation.complex_run():
                    return fn(*args, **kwargs)

        return user_call(label, run, script=self.script)


def failure_line(exc: InputError) -> str:
    """The message of a failure without the label it starts with (``raised KeyError: 'x' at …``, ``was
    called with arguments it does not take: …``)."""
    text = str(exc)
    for word in (" raised ", " was called "):
        at = text.find(word)
        if at >= 0:
            return text[at + 1 :]
    return text


def failed_verdict(exc: InputError, guess: str = "") -> str:
    """The verdict of a setting where running the code raised ``exc``: ``mismatch`` (it raised on input
    it should take: a bug, named with its line), or ``refused`` when it was the check's call that did
    not fit the code's signature, or the input was a guess the code need not take (``guess``, from
    :func:`guessed_input`, not empty)."""
    return "refused" if getattr(exc, "call_misfit", False) or guess else "mismatch"


def backward_failure(label: str, exc: InputError, x: Any, params: dict[str, Any]) -> tuple[str, str]:
    """The verdict and the reason of a layer's backward ``label`` that raised ``exc`` at the input
    ``x``, its weights found being ``params`` (:func:`failed_verdict`, :func:`guessed_input`)."""
    guess = guessed_input(x, params)
    return failed_verdict(exc, guess), f"{label} {failure_line(exc)}{guess}"


def guessed_input(x: Any, params: dict[str, Any]) -> str:
    """Why the input ``x`` a layer's backward raised on is a guess it need not take, or ``""``: an image
    (rank 3 or more) given to a layer none of whose weights found has rank 3 or more. A dense layer
    whose weights are not found (held in wrapper objects) takes ``(N, 6, 6, 3)`` in its forward by
    broadcasting (``x @ W.T``) and its backward rightly fails on it (``g.T @ x``): no bug of the code."""
    if np.ndim(x) <= 2 or any(np.ndim(p) > 2 for p in params.values()):
        return ""
    return (
        f" (on an input of shape {np.shape(x)} its forward took by broadcasting, a guess: no weight "
        "of the layer was found to size its input, none calls for images, and no flat input tried ran)"
    )
