"""The explicit form: how to build, run and differentiate someone's network, as four pieces of Python.

In the spirit of ``python -m timeit -s SETUP STMT``, a :class:`Recipe` says everything the checker
needs in the code's own terms::

    backprop-verify check network.py --setup "net = Network([3, 4, 2])" \\
        --forward "net.feedforward(x)" --gradient "net.backprop(x, y)"

* ``setup``: statements run once in the script's namespace after its definitions are loaded;
* ``forward``: the network's output for inputs ``x`` (statements, then an expression: the output);
* ``gradient``: the gradients for inputs ``x`` and labels ``y``, in any container that lines up with the
  parameters (a tuple of lists, a dict, a list of layer gradients); or instead
* ``step``: statements that update the weights in place for ``x`` and ``y``, with ``lr`` bound to the
  learning rate; the gradient is recovered as ``(W_before − W_after) / lr``;
* ``lr``: the learning rate of a step, as an expression (``0.1``, ``net.eta``); unknown when empty,
  and then every verdict is up to scale and says so;
* ``layout``: how ``x`` and ``y`` are laid out (:mod:`verification.adapters.layouts`).

Automatic detection (:mod:`verification.adapters.detection`) produces a recipe too, and the report
prints it as a command line, so whatever was detected can be repeated and edited.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from verification.adapters.layouts import Layout


@dataclass(frozen=True)
class Recipe:
    """An explicit description of how to run someone's network (see the module docstring).

    Attributes
    ----------
    setup, forward : str
    gradient, step : str or None
        Exactly one is given.
    lr : str or None
    layout : Layout
    notes : tuple of str
        What detection assumed, for the report.
    readings : tuple of (str, str, str)
        Other readings of the code that detection could not tell from this one, each as the option
        that picks it, its forward, and its gradient or step (labels counted from 1 or from 0: ``y + 1``
        or ``y``; labels of 0 and 1 or of −1 and +1: ``2 * y - 1``); varied like the layout
        (:mod:`verification.adapters.variants`).
    one_sample : bool
        The step is one pass of a script's loop over its samples, read for one sample: no batch is
        probed (:mod:`verification.identification.batches`) unless ``batch_step`` runs every pass.
    batch_step : str or None
        For such a step, the loop over every sample of the batch (:mod:`verification.adapters.
        sample_passes`).
    """

    setup: str
    forward: str
    gradient: str | None = None
    step: str | None = None
    lr: str | None = None
    layout: Layout = field(default_factory=Layout)
    notes: tuple[str, ...] = ()
    readings: tuple[tuple[str, str, str], ...] = ()
    one_sample: bool = False
    batch_step: str | None = None

    @property
    def binds_rate(self) -> bool:
        """Whether the name ``lr`` in the code is the checker's learning rate, bound before each run:
        unless the setup assigns an ``lr`` of its own and the rate is not a number the checker gives
        (a script's training loop read off as the step, ``lr = 1e-2; current_lr = lr`` in the setup and
        ``current_lr = decay(epoch * it, lr)`` in the step, reads the author's ``lr``; binding the
        checker's there changed the step's next rate)."""
        own = re.search(r"(^|;)\s*lr\s*=(?!=)", self.setup) is not None
        return not own or _number(self.lr)

    @property
    def kind(self) -> str:
        """``returned`` (the code returns its gradients) or ``update`` (it updates its weights)."""
        return "returned" if self.gradient is not None else "update"

    def arguments(self) -> list[str]:
        """The options that repeat this recipe on the command line."""
        args = ["--setup", self.setup] if self.setup else []
        args += ["--forward", self.forward]
        if self.gradient is not None:
            args += ["--gradient", self.gradient]
        else:
            args += ["--step", self.step or ""]
            if self.lr is not None:
                args += ["--lr", self.lr]
        default = Layout()
        if self.layout.inputs != default.inputs:
            args += ["--layout", self.layout.inputs]
        if self.layout.labels != default.labels:
            args += ["--labels", self.layout.labels]
        if self.layout.output != default.output:
            args += ["--output", self.layout.output]
        return args

    def command(self, target: str) -> str:
        """``backprop-verify check TARGET …``, quoted for a POSIX shell."""
        return shlex.join(["backprop-verify", "check", target, *self.arguments()])


def _number(text: str | None) -> bool:
    try:
        float(text or "")
    except ValueError:
        return False
    return True
