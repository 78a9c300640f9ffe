"""The outcome of identification, as data: how the code was probed, every loss's comparison, what was
covered, and the :class:`~verification.identification.verdicts.Verdict`; and of ``check``, the script and
the recipe around it (:class:`CheckReport`).

Nothing here decides: the verdict is taken by :mod:`verification.identification.verdicts`, and the
report is written by :mod:`verification.identification.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ffnn.losses import get_loss
from verification.adapters.recipe import Recipe
from verification.identification.coverage import TensorCoverage
from verification.identification.verdicts import EXACT, SCALED, LossReport, TensorReport, Verdict
from verification.reading.loader import LoadedScript
from verification.reading.targets import Target


@dataclass(frozen=True)
class IdentificationReport:
    """The outcome of :func:`verification.identification.identify.identify`.

    Attributes
    ----------
    subject : str
        Name of the code under check.
    convention : str
        How the gradient was taken (returned, or recovered from an update and its learning rate).
    seed, probes, samples : int
    method : str
    candidates : list of LossReport
        One per catalog loss, in catalog order.
    backward_order : list of str
        Parameter names, output layer first.
    verdict : Verdict
        What was concluded (identified loss, scale, split, …).
    notes : list of str
        What the adapter assumed.
    rtol : float
        The relative tolerance of the comparisons.
    coverage : dict of str to TensorCoverage
        What was checked of each tensor.
    method_note : str
        Why the method was chosen (e.g. why complex step does not apply).
    lr_known : bool
        False when the gradient came from an update with an unknown learning rate.
    layout : str
        How inputs and labels were given to the code.
    reading : str
        What the loss was applied to: the output ``as-is``, or its ``softmax`` or ``sigmoid``
        (:data:`verification.adapters.layouts.OUTPUTS`).
    atol : float
        The absolute tolerance the caller gave (0 for none).
    derived : Verdict or None
        When the caller gave ``rtol`` or ``atol``: the verdict the table's tolerance reaches on the
        same probes; None otherwise.
    derived_rtol : float
        The table's relative tolerance.
    precision : str
        The dtype the code computes in (``float64``, ``float32``): a verdict on float32 code holds to
        its tolerance's ``rtol``, and says so.

    Its truth value is :attr:`success` (the exit status's sense), so ``assert identify(...)`` fails
    when the asked loss does not match or nothing is identified.
    """

    subject: str
    convention: str
    seed: int
    probes: int
    samples: int
    method: str
    candidates: list[LossReport]
    backward_order: list[str]
    verdict: Verdict
    notes: list[str] = field(default_factory=list)
    rtol: float = 0.0
    coverage: dict[str, TensorCoverage] = field(default_factory=dict)
    method_note: str = ""
    lr_known: bool = True
    layout: str = ""
    reading: str = "as-is"
    atol: float = 0.0
    derived: Verdict | None = None
    derived_rtol: float = 0.0
    precision: str = "float64"

    def __bool__(self) -> bool:
        """:attr:`success`: the asked loss matches, or (automatic) a loss was identified."""
        return self.success

    def candidate(self, loss: str) -> LossReport:
        """The candidate of catalog loss ``loss``."""
        return next(c for c in self.candidates if c.loss == get_loss(loss).name)

    @property
    def identified(self) -> str | None:
        """:attr:`Verdict.identified`."""
        return self.verdict.identified

    @property
    def scale(self) -> float | None:
        """:attr:`Verdict.scale`."""
        return self.verdict.scale

    @property
    def also(self) -> list[str]:
        """:attr:`Verdict.also`."""
        return self.verdict.also

    @property
    def split(self) -> dict[str, str] | None:
        """:attr:`Verdict.split`."""
        return self.verdict.split

    @property
    def asked(self) -> str | None:
        """:attr:`Verdict.asked`."""
        return self.verdict.asked

    @property
    def matches_asked(self) -> bool | None:
        """:attr:`Verdict.matches_asked`."""
        return self.verdict.matches_asked

    @property
    def success(self) -> bool:
        """:attr:`Verdict.success`."""
        return self.verdict.success

    def parameter_identified(self, name: str) -> tuple[str | None, float | None]:
        """The loss and scale tensor ``name`` matches on its own (exact first), or (None, None)."""
        return self.verdict.per_tensor.get(name, (None, None))

    def first_mismatch(self, loss: str, scaled: bool = True) -> TensorReport | None:
        """The first tensor, output layer first, that does not match ``loss`` exactly (with ``scaled``
        False: that matches it at no scale either)."""
        c = self.candidate(loss)
        passing = (EXACT,) if scaled else (EXACT, SCALED)
        for n in self.backward_order:
            if n in c.parameters and c.parameters[n].verdict not in passing:
                return c.parameters[n]
        return None


@dataclass(frozen=True)
class Alternative:
    """One reading of the setup and what identification finds under it
    (:mod:`verification.identification.setups`).

    Attributes
    ----------
    option : str
        The option that picks it (``--labels index``), or ``as detected``.
    verdict : str
        The loss found (``mse``, ``bce × 2``, ``split (…)``) or ``none``.
    """

    option: str
    verdict: str


@dataclass(frozen=True)
class CheckReport:
    """What ``backprop-verify check`` found: the loaded script, the recipe run, and the identification."""

    target: Target
    script: LoadedScript
    result: IdentificationReport
    recipe: Recipe | None = None
    seconds: float = 0.0
    python2: bool = False
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def command(self) -> str | None:
        """The explicit command line that repeats the check."""
        if self.recipe is None:
            return None
        return self.recipe.command(self.target.path) + (" --python2" if self.python2 else "")
