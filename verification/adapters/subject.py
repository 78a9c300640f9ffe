"""The code under check, reduced to what identification needs: parameters, an output, a gradient.

A :class:`Subject` holds named parameters and, for a batch ``x`` of shape ``(n, n_in)`` and one-hot
labels ``y`` of shape ``(n, n_out)``:

* the network's output ``a`` of shape ``(n, n_out)`` at given parameters, real, or complex when the
  code is evaluated at complex parameters for complex-step differentiation;
* the gradient the code's backward pass gives (returned, or recovered from its update), with a bound
  on its own rounding (an update ``W − lr g`` rounds to ``ε |W|``, which ``(W_before − W_after) / lr``
  divides by ``lr``); an update whose rounding passes :data:`MAX_UPDATE_ROUNDING` of its size (a
  learning rate of ``1e-20``, a saturated output) is refused, naming both;
* single-entry writes of a parameter in the object the code reads, for finite differences.

:class:`CodeSubject` runs someone's code through a :class:`~verification.adapters.recipe.Recipe`;
:class:`NetworkSubject` runs the reference network of :mod:`ffnn` with a backward function (the bug
zoo, tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.network import Network
from ffnn.validation import InputError, validate_finite
from verification.adapters.calls import compile_block, run_code, user_call, validated_gradient
from verification.adapters.layouts import Layout
from verification.adapters.matching import apply_matching
from verification.adapters.parameters import EntrySetter, Slots
from verification.adapters.recipe import Recipe
from verification.reading.loader import LoadedScript

Array = NDArray[Any]
EPS = float(np.finfo(np.float64).eps)
MAX_UPDATE_ROUNDING = 0.01
"""The most rounding, relative to the update itself, that a gradient recovered from an update may carry
(:meth:`CodeSubject.gradient`); beyond it the verdicts would be about the rounding, not the code."""


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


class CodeSubject(Subject):
    """Someone's code run through a recipe in the namespace of its script.

    Parameters
    ----------
    name : str
    namespace : dict
        The script's definitions with the setup's names.
    slots : Slots
        The parameters where the code keeps them.
    recipe : Recipe
    n_inputs, n_outputs : int
    lr : float or None
        The learning rate of an update recipe (None: unknown, taken as 1).
    script : LoadedScript, optional
    notes : list of str, optional
    plan : mapping of str to int, optional
        For a recipe whose gradient is returned: where each parameter's gradient sits in what is
        returned (:func:`verification.adapters.matching.plan_matching`).
    """

    def __init__(
        self,
        name: str,
        namespace: dict[str, Any],
        slots: Slots,
        recipe: Recipe,
        n_inputs: int,
        n_outputs: int,
        lr: float | None,
        script: LoadedScript | None = None,
        notes: list[str] | None = None,
        plan: Mapping[str, int] | None = None,
    ) -> None:
        self.name, self.namespace, self.slots = name, namespace, slots
        self.recipe: Recipe = recipe
        self.n_inputs, self.n_outputs, self.script = n_inputs, n_outputs, script
        self.layout = recipe.layout
        self.lr_known = recipe.kind == "returned" or lr is not None
        self.lr = 1.0 if lr is None else lr
        self.notes = list(notes or recipe.notes)
        self.parameters = slots.read()
        self.backward_order = list(reversed(list(self.parameters)))
        self._forward = compile_block(recipe.forward, "--forward")
        self._gradient = compile_block(
            recipe.gradient or recipe.step or "", "--gradient" if recipe.gradient else "--step"
        )
        self._n = 1
        self._complex = False
        self.plan = dict(plan or {})

    def load(self, params: Mapping[str, Array], complex_: bool = False) -> None:
        self._complex = complex_
        if complex_:
            self.slots.write_complex(params)
        else:
            self.slots.write(params)

    def bind_inputs(self, x: Array) -> None:
        self.namespace["x"] = self.layout.to_code(x)
        self._n = x.shape[0]

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
        return self.layout.from_code(value, self._n, f"the output of --forward {self.recipe.forward!r}")

    def entry_setter(self, name: str) -> EntrySetter:
        return self.slots.entry_setter(name)

    def restore(self) -> None:
        self.slots.restore()

    def gradient(
        self, params: Mapping[str, Array], x: Array, y: Array
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        self.load(params)
        self.bind_inputs(x)
        self.namespace["y"] = self.layout.labels_to_code(y)
        self.namespace["lr"] = self.lr
        option = "--gradient" if self.recipe.gradient is not None else "--step"
        code = self.recipe.gradient or self.recipe.step or ""
        before = {n: np.array(params[n], dtype=np.float64) for n in self.parameters}
        returned = run_code(code, self.namespace, option, script=self.script, compiled=self._gradient)
        label = f"{option} {code!r}"
        if self.recipe.gradient is not None:
            grads = apply_matching(label, returned, self.plan)
            self.load(before)
            errors = {n: np.zeros_like(v) for n, v in before.items()}
            return validated_gradient(label, grads, before), errors
        after = self.slots.read()
        self.load(before)
        unchanged = all(np.array_equal(before[n], after[n]) for n in before)
        if unchanged and self.recipe.lr is not None and abs(self.lr) < np.sqrt(EPS):
            self._check_recoverable(label, before, after)  # unchanged because the learning rate is tiny
        if unchanged:
            raise InputError(
                f"{label} left every weight unchanged: it neither updates them in place nor is the step "
                "that trains them",
                hint="give the statement that updates the weights (--step) or the expression that returns "
                "the gradients (--gradient)",
            )
        with np.errstate(all="ignore"):  # a learning rate of 1e-300 overflows: refused just below
            grads = {n: (before[n] - after[n]) / self.lr for n in before}
            # the update W − lr g rounds to half an ulp of each side, (W_before − W_after) to one more
            errors = {n: 2 * EPS * (np.abs(before[n]) + np.abs(after[n])) / abs(self.lr) for n in before}
        self._check_recoverable(label, before, after)
        return validated_gradient(label, grads, before), errors

    def _check_recoverable(self, label: str, before: Mapping[str, Array], after: Mapping[str, Array]) -> None:
        """Refuse an update too small against the rounding of the weights to recover a gradient from.

        The gradient ``(W_before − W_after) / lr`` is uncertain by the rounding of both weights,
        ``2 ε (|W_before| + |W_after|) / lr`` per entry; the learning rate cancels from the ratio of
        the two, so it says whether the *update* stands above rounding: a tiny ``lr`` (``1e-20``), or an
        output so saturated that the gradient vanishes, leaves it below. Past
        :data:`MAX_UPDATE_ROUNDING` every loss would match within that uncertainty.
        """
        change = np.sqrt(sum(float(np.sum((before[n] - after[n]) ** 2)) for n in before))
        rounding = (
            2 * EPS * np.sqrt(sum(float(np.sum((np.abs(before[n]) + np.abs(after[n])) ** 2)) for n in before))
        )
        if change > 0 and rounding <= MAX_UPDATE_ROUNDING * change:
            return
        given = f"--lr {self.recipe.lr!r} = {self.lr:g}" if self.recipe.lr is not None else "unknown (--lr)"
        raise InputError(
            f"{label} changes the weights by {change:.2g} in all, against {rounding:.2g} of rounding in "
            f"them: a gradient cannot be recovered from an update that small (learning rate {given})",
            hint="give a larger learning rate, or the expression that returns the gradients (--gradient)",
        )


class NetworkSubject(Subject):
    """The reference network of :mod:`ffnn` with a backward function ``backward(network, x, y) -> dict``.

    The forward pass is :meth:`ffnn.network.Network.forward` (it evaluates at complex parameters, except
    through ``relu``); used by the bug zoo and by tests.
    """

    def __init__(
        self,
        network: Network,
        backward: Callable[[Network, Array, Array], Mapping[str, Any]],
        name: str = "backward",
    ) -> None:
        self.network, self.backward, self.name = network, backward, name
        self.parameters = {k: np.array(v, dtype=np.float64) for k, v in network.parameters().items()}
        self.n_inputs, self.n_outputs = network.sizes[0], network.sizes[-1]
        n_layers = len(network.weights)
        self.backward_order = [
            p for l in range(n_layers, 0, -1) for p in (f"W{l}", f"b{l}") if p in self.parameters
        ]
        self.notes = []
        self.recipe = None
        self.lr_known = True
        self.layout = Layout()
        self._params: dict[str, Array] = dict(self.parameters)
        self._x = np.zeros((1, self.n_inputs))

    def load(self, params: Mapping[str, Array], complex_: bool = False) -> None:
        kind = np.complex128 if complex_ else np.float64
        self._params = {n: np.array(params[n], dtype=kind) for n in self.parameters}

    def bind_inputs(self, x: Array) -> None:
        self._x = x

    def output(self) -> Array:
        return self.network.with_parameters(self._params).forward(self._x).output

    def entry_setter(self, name: str) -> Array:
        return self._params[name].reshape(-1)

    def gradient(
        self, params: Mapping[str, Array], x: Array, y: Array
    ) -> tuple[dict[str, Array], dict[str, Array]]:
        net = self.network.with_parameters(
            {n: np.array(params[n], dtype=np.float64) for n in self.parameters}
        )
        grads = user_call(self.name, self.backward, net, x, y)
        out = validated_gradient(self.name, {k: np.asarray(v) for k, v in grads.items()}, params)
        for n, g in out.items():
            validate_finite(f"the gradient of {n} from {self.name}", g)
        return out, {n: np.zeros_like(v) for n, v in out.items()}


def subject_from_network(
    network: Network, backward: Callable[[Network, Array, Array], Mapping[str, Any]], name: str = "backward"
) -> NetworkSubject:
    """A :class:`Subject` for a backward pass in the reference style ``backward(network, x, y) -> dict``.

    ``backward`` may be :func:`ffnn.backprop.backward` with ``rule`` bound.
    """
    return NetworkSubject(network, backward, name)
