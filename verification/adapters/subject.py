"""The code under check, reduced to what identification needs: parameters, an output, a gradient.

A :class:`Subject` holds named parameters and, for inputs ``x`` ``(n, n_in)`` and one-hot ``y`` ``(n, n_out)``

* the network's output ``a`` of shape ``(n, n_out)`` at given parameters, real, or complex when the
  code is evaluated at complex parameters for complex-step differentiation;
* the gradient the code's backward pass gives (returned, or recovered from its update), with a bound
  on its own rounding (an update ``W − lr g`` rounds to ``ε |W|``, which ``(W_before − W_after) / lr``
  divides by ``lr``); an update whose rounding passes a share of its size (a learning rate of ``1e-20``,
  a saturated output), an optimiser's step of one size, a step that draws random numbers and a
  gradient that reads an earlier call's pass are refused (:mod:`verification.adapters.step_checks`);
* single-entry writes of a parameter in the object the code reads, for finite differences.

:class:`CodeSubject` runs someone's code through a :class:`~verification.adapters.recipe.Recipe`;
:class:`verification.adapters.reference.NetworkSubject` runs the reference network of :mod:`ffnn` with
a backward function (the bug zoo, tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.calls import compile_block, negative_rate_note, run_code, validated_gradient
from verification.adapters.failures import Failed
from verification.adapters.layouts import Layout
from verification.adapters.matching import apply_matching
from verification.adapters.parameters import EntrySetter, Slots
from verification.adapters.recipe import Recipe
from verification.adapters.shadows import stale_copies
from verification.adapters.state import SetupState
from verification.adapters.step_checks import (
    check_recoverable,
    draws,
    refuse_random_gradients,
    refuse_remembering,
    refuse_scheduled_rate,
    refuse_sign_steps,
    reseeded,
    resets_gradients,
    update_errors,
)
from verification.adapters.step_reruns import refuse_by_reruns
from verification.reading.loader import LoadedScript

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)


class Subject:
    """The interface identification uses (see the module docstring).

    Attributes
    ----------
    name : str
        How reports name the code, e.g. ``NeuralNetwork.backward``.
    parameters : dict of str to ndarray
        Parameter names and their values at setup (float64), in the code's order.
    n_inputs, n_outputs : int
    backward_order : list of str
        Parameter names from the output layer back to the input: the order in which a fault shows.
    notes : list of str
        What the adapter assumed, for the report.
    recipe : Recipe or None
        The explicit form that runs the code (None for the reference network).
    lr_known : bool
        False when the gradient is recovered from an update whose learning rate is unknown (taken as
        1): every verdict is then up to scale.
    layout : Layout
    """

    name: str
    parameters: dict[str, Array]
    n_inputs: int
    n_outputs: int
    backward_order: list[str]
    notes: list[str]
    recipe: Recipe | None = None
    lr_known: bool = True
    layout: Layout = Layout()
    precision: Any = np.float64
    """The precision the code computes in: float32 when it holds its weights in float32, or when its
    output or gradient comes back in float32
    (read off the values it returns), for the tolerances and the rounding estimates of the checks."""

    def load(self, params: Mapping[str, Array], complex_: bool = False) -> None:
        """Put ``params`` where the code reads them (complex arrays when ``complex_``)."""
        raise NotImplementedError

    def bind_inputs(self, x: Array) -> None:
        """Use the batch ``x`` (our layout, ``(n, n_in)``) for the following :meth:`output` calls."""
        raise NotImplementedError

    def output(self) -> Array:
        """The output ``(n, n_out)`` at the loaded parameters and bound inputs (complex if loaded so)."""
        raise NotImplementedError

    def entry_setter(self, name: str) -> Any:
        """Single-entry access (``setter[i] = value``) to parameter ``name`` as the code holds it."""
        raise NotImplementedError

    def restore(self) -> None:
        """Undo :meth:`load`'s rebinding (the code holds its original objects again)."""

    def forward(self, params: Mapping[str, Array], x: Array) -> Array:
        """The real output ``(n, n_out)`` at ``params`` for the batch ``x``."""
        self.load(params)
        self.bind_inputs(x)
        return self.output()

    def gradient(
        self, params: Mapping[str, Array], x: Array, y: Array
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        """The code's gradient at ``params`` for ``(x, y)``, and a bound on its rounding per entry."""
        raise NotImplementedError


@dataclass
class Binding:
    """Where someone's code lives: the namespace it runs in, its parameters where it keeps them, its
    script (for messages), and the state its setup left (every probe starts from it).

    Attributes
    ----------
    namespace : dict
        The script's definitions with the setup's names.
    slots : Slots
        The parameters where the code keeps them.
    script : LoadedScript, optional
    state : SetupState, optional
        A copy of the setup's objects (:class:`verification.adapters.parameters.SetupState`).
    """

    namespace: dict[str, Any]
    slots: Slots
    script: LoadedScript | None = None
    state: SetupState | None = None


@dataclass(frozen=True)
class Reading:
    """How the gradient is read from what the code does.

    Attributes
    ----------
    lr : float or None
        The learning rate of an update recipe (None: unknown, taken as 1).
    plan : mapping of str to int, optional
        For a recipe whose gradient is returned: where each parameter's gradient sits in what is
        returned (:func:`verification.adapters.matching.plan_matching`).
    missing : mapping of str to str
        Parameters the output depends on but the code gives no gradient for, with why (no gradient
        returned, never changed by the step). Their gradient is read as zero, so each is a mismatch
        wherever the numeric gradient is not zero: a backward pass that leaves out a layer is wrong
        about that layer.
    samples : int
        Samples every probe must hold: more than one for code that one-hot encodes its labels as wide
        as their largest class (``np.zeros((Y.size, Y.max() + 1))``), whose batches then hold every
        class once.
    composed : str or None
        The layer classes a guessed composition took from the file or beside it (``"Dense"``), for a
        setup that is no construction the project wrote (:func:`verification.adapters.compositions.
        compositions`); None for the project's own setup or a constructor's.
    """

    lr: float | None = None
    plan: Mapping[str, int] | None = None
    missing: Mapping[str, str] = field(default_factory=dict)
    samples: int = 1
    composed: str | None = None


class CodeSubject(Subject):
    """Someone's code run through a recipe in the namespace of its script.

    Parameters
    ----------
    name : str
    binding : Binding
        The namespace, the parameters, the script and the setup's state.
    recipe : Recipe
    sizes : (int, int)
        Input and output width ``(n_in, n_out)``.
    reading : Reading, optional
        The learning rate, the matching plan and the parameters without a gradient.
    notes : list of str, optional
        What detection assumed (default: the recipe's notes).
    """

    def __init__(
        self,
        name: str,
        binding: Binding,
        recipe: Recipe,
        sizes: tuple[int, int],
        reading: Reading | None = None,
        notes: list[str] | None = None,
    ) -> None:
        reading = reading or Reading()
        self.name, self.binding = name, binding
        self.namespace, self.slots, self.script = binding.namespace, binding.slots, binding.script
        self.recipe: Recipe = recipe
        (self.n_inputs, self.n_outputs), self.layout = sizes, recipe.layout
        self.lr_known = recipe.kind == "returned" or reading.lr is not None
        self.rate = 1.0 if reading.lr is None else reading.lr  # as the code reads it, sign and all
        self.lr = abs(self.rate)  # the step size the gradient is read with, (W_before − W_after) / lr
        self.reading, self.missing = reading, dict(reading.missing)
        kept = recipe.notes if notes is None else notes
        self.notes = [*kept, *negative_rate_note(recipe.lr, self.rate)]
        self.parameters = self.slots.read()
        if any(
            s.kind == "array" and getattr(s.original, "dtype", None) in (np.float32, np.complex64)
            for s in self.slots.slots.values()
        ):  # weights held in float32 round every point and every step to float32, whatever x is
            self.precision = np.float32
        self.backward_order = list(reversed(list(self.parameters)))
        self._forward = compile_block(recipe.forward, "--forward")
        self._gradient = compile_block(
            recipe.gradient or recipe.step or "", "--gradient" if recipe.gradient else "--step"
        )
        self._n = 1
        self._steady = False  # run twice once: a step under two seeds, a gradient without a reset
        self._reads_labels = "y" in recipe.forward
        self._complex = False
        self.plan = dict(reading.plan or {})

    def load(self, params: Mapping[str, Array], complex_: bool = False) -> None:
        self._complex = complex_
        if complex_:
            self.slots.write_complex(params)
        else:
            self.slots.write(params)

    def bind_inputs(self, x: Array) -> None:
        self.namespace["x"] = self.layout.to_code(x)
        self._n = x.shape[0]
        if self._reads_labels:  # labels a forward pass reads to compute its loss, which it ignores
            first = np.eye(self.n_outputs)[np.zeros(x.shape[0], dtype=np.intp)]  # class 0 each
            self.bind_labels(first)

    def bind_labels(self, y: Array) -> None:
        self.namespace["y"] = self.layout.labels_to_code(y)

    def output(self) -> Array:
        """The output at the loaded parameters; refused when it is complex at real ones.

        Raises
        ------
        InputError
            When the code raises, or its output is complex although the weights loaded are real.
        """
        value = run_code(
            self.recipe.forward, self.namespace, "--forward", script=self.script, compiled=self._forward
        )
        if not self._complex and np.iscomplexobj(value):
            raise InputError(
                f"complex output (dtype {np.asarray(value).dtype}) from --forward {self.recipe.forward!r} at "
                "real weights: a network with real weights has a real output, whose imaginary part would "
                "be dropped"
            )
        self._note_precision(value)
        what = f"the output of --forward {self.recipe.forward!r}"
        return self.layout.from_code(value, self._n, what, self.n_outputs)

    def entry_setter(self, name: str) -> EntrySetter:
        return self.slots.entry_setter(name)

    def _note_precision(self, value: Any) -> None:
        """float32 (or complex64) values the code hands back make its precision float32 from then on."""
        dtype = getattr(value, "dtype", None)
        if dtype is None and isinstance(value, tuple | list | dict):
            items = value.values() if isinstance(value, dict) else value
            dtype = next((getattr(v, "dtype", None) for v in items if hasattr(v, "dtype")), None)
        if dtype in (np.float32, np.complex64):
            self.precision = np.float32

    def restore(self) -> None:
        self.slots.restore()

    def _fresh(self, params: Mapping[str, Array]) -> None:
        """The network as the setup left it, at ``params``: what the gradient call changed besides the
        parameters (``self.b2 = 0`` made an array by the step, a cache) must not reach the forward
        passes the numeric side runs next."""
        if self.binding.state is not None:
            self.binding.state.restore(self.slots)
        self.load(params)

    def gradient(
        self, params: Mapping[str, Array], x: Array, y: Array
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        if self.binding.state is not None:
            self.binding.state.restore(self.slots)  # a fresh network: no state of an earlier probe
        self.load(params)
        self.bind_inputs(x)
        self.bind_labels(y)
        self.namespace["lr"] = self.rate if self.recipe.binds_rate else self.namespace.get("lr")
        option = "--gradient" if self.recipe.gradient is not None else "--step"
        code = self.recipe.gradient or self.recipe.step or ""
        before = {n: np.array(params[n], dtype=np.float64) for n in self.parameters}
        returned = run_code(code, self.namespace, option, script=self.script, compiled=self._gradient)
        label = f"{option} {code!r}"
        given = {n: v for n, v in before.items() if n not in self.missing}
        if self.recipe.gradient is not None:
            grads = {n: np.array(g) for n, g in apply_matching(label, returned, self.plan).items()}
            self._note_precision(grads)
            if not self._steady and not resets_gradients(self.script):  # asked again, nothing reset
                self._steady = True
                kept = partial(self._run_again, code, before, y=y, reset=False)  # nothing reset between
                at_x = partial(lambda xs: apply_matching(label, kept(x=xs), self.plan), x)
                refuse_remembering(label, grads, at_x(), at_x, lambda: kept(x=x + 1.0, reset=True))
                rerun = partial(self._run_again, before=before, x=x, y=y, reset=True)  # under other seeds
                again = apply_matching(label, rerun(reseeded(code)), self.plan)
                refuse_random_gradients(label, grads, again, lambda: draws(rerun, self.recipe.forward))
            self._fresh(before)
            out = validated_gradient(label, grads, given, x.shape[0], self.notes)
            errors = {n: np.zeros_like(v) for n, v in before.items()}
        else:
            after = self.slots.read()
            rate = self.recipe.lr or ""  # read again: a step may change its own rate (a schedule)
            refuse_scheduled_rate(label, rate, self.rate, lambda: run_code(rate, self.namespace, "--lr"))
            if not self._steady:  # the step run again from the same weights and data, once per subject
                self._steady = True
                refuse_by_reruns(self, label, before, after, x, y)
            stale = stale_copies(self.slots.shadows, after, self.namespace) if self.slots.shadows else []
            self._fresh(before)
            if stale and any(not np.array_equal(before[n], after[n]) for n in self.slots.shadows):
                raise Failed(
                    f"{label} updates the weights but leaves {', '.join(stale)} as it was: a copy of the "
                    "weights that the next step would back-propagate through unchanged",
                    "code",
                )
            unchanged = all(np.array_equal(before[n], after[n]) for n in given)
            if unchanged and self.recipe.lr is not None and abs(self.lr) < np.sqrt(EPS):
                check_recoverable(
                    label, before, after, self.lr, self.recipe.lr
                )  # unchanged because the rate is tiny
            if unchanged:
                raise Failed(
                    f"{label} left every weight unchanged: it neither updates them in place nor is the "
                    "step that trains them",
                    "unchanged",
                    hint="give the statement that updates the weights (--step) or the expression that "
                    "returns the gradients (--gradient)",
                )
            with np.errstate(all="ignore"):  # a learning rate of 1e-300 overflows: refused just below
                grads = {n: (before[n] - after[n]) / self.lr for n in given}
                errors, eps = update_errors(self.slots, before, after, self.lr)
            check_recoverable(label, before, after, self.lr, self.recipe.lr, eps)
            refuse_sign_steps(label, grads, self.lr)
            out = validated_gradient(label, grads, given)
        for n in self.missing:
            out[n] = np.zeros_like(before[n])
        return {n: out[n] for n in before}, errors

    def _run_again(self, code: str, before: Mapping[str, Array], x: Array, y: Array, reset: bool) -> Any:
        """Run ``code`` again at the weights ``before`` and the same data, from the state the first run
        started from (``reset``) or from the state it left."""
        if reset and self.binding.state is not None:
            self.binding.state.restore(self.slots)
        self.load(before)
        self.bind_inputs(x)
        self.bind_labels(y)
        option = "--gradient" if self.recipe.gradient is not None else "--step"
        return run_code(code, self.namespace, option, script=self.script)
