"""What a check is asked to do, as two immutable values built once: :class:`Probing` (how the code is
probed) and :class:`CheckRequest` (what ``backprop-verify check`` checks and how).

The command line builds a :class:`CheckRequest` from its arguments, the supervised run carries it to the
child process as JSON (:meth:`CheckRequest.to_json`, :meth:`CheckRequest.from_json`), and
identification reads its :class:`Probing`; the Python API builds the same values from keyword
arguments. ``PATH[:NAME]`` is parsed once, into a :class:`~verification.reading.targets.Target`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ffnn.losses import get_loss
from ffnn.validation import InputError
from verification.adapters.options import Options
from verification.identification.coverage import DIRECTIONS, ENTRY_BUDGET
from verification.reading.targets import Target
from verification.tolerances import tolerance_overrides

MAX_PROBES = 50
"""Most probe points accepted: a scale is told from a coincidence by 2 or 3 already."""
MAX_SAMPLES = 1000
"""Most samples per probe batch accepted (a batch factor shows with 2 or 3)."""
METHODS = ("auto", "complex-step", "richardson")
"""The methods identification differentiates the code's output by."""
METHOD_ALIASES = {"complex_step": "complex-step", "complex": "complex-step", "cs": "complex-step"}


@dataclass(frozen=True)
class Probing:
    """How someone's code is probed.

    Attributes
    ----------
    seed : int
        Seed of ``np.random.default_rng`` for the probes, the sampled entries and the directions.
    probes : int
        Probe points, 2 … :data:`MAX_PROBES` (two at least, to tell a scale from a coincidence).
    samples : int
        Samples per probe batch, 1 … :data:`MAX_SAMPLES`.
    method : str
        ``auto`` (complex step when the code is complex-safe, else Richardson), ``complex-step`` or
        ``richardson`` (aliases ``complex``, ``cs`` accepted).
    full : bool
        Check every entry one by one at the first probe.
    budget : int
        Entries per probe checked one by one before sampling
        (:data:`verification.identification.coverage.ENTRY_BUDGET`).
    directions : int
        Random directions per tensor per probe.
    rtol, atol : float or None
        The caller's relative and absolute tolerances in place of the table's
        (:func:`verification.tolerances.given_tolerance`); None for the table's.

    Raises
    ------
    InputError
        On a count out of range, an unknown method, or a tolerance that is not a number ≥ 0, naming
        the value.
    """

    seed: int = 0
    probes: int = 3
    samples: int = 1
    method: str = "auto"
    full: bool = False
    budget: int = ENTRY_BUDGET
    directions: int = DIRECTIONS
    rtol: float | None = None
    atol: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", METHOD_ALIASES.get(self.method, self.method))
        if not isinstance(self.probes, int) or not 2 <= self.probes <= MAX_PROBES:
            raise InputError(
                f"probes must be from 2 (to tell a scale from a coincidence) to {MAX_PROBES}, "
                f"got {self.probes!r}"
            )
        if not isinstance(self.samples, int) or not 1 <= self.samples <= MAX_SAMPLES:
            raise InputError(f"samples must be from 1 to {MAX_SAMPLES}, got {self.samples!r}")
        if self.method not in METHODS:
            raise InputError(
                f"method {self.method!r} is not one identification uses; use one of {', '.join(METHODS)}",
                hint="central differences are too coarse to tell a scale from a coincidence; richardson is "
                "their extrapolated form",
            )
        if not isinstance(self.budget, int) or self.budget < 1:
            raise InputError(f"budget must be a positive number of entries, got {self.budget!r}")
        if not isinstance(self.directions, int) or self.directions < 0:
            raise InputError(f"directions must be a count >= 0, got {self.directions!r}")
        for name, value in tolerance_overrides(rtol=self.rtol, atol=self.atol).items():
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, probing: Probing | None = None, **settings: Any) -> Probing:
        """``probing`` (or the defaults) with ``settings`` replaced.

        Raises
        ------
        InputError
            On a setting :class:`Probing` does not have, naming it, or a value out of range.
        """
        unknown = sorted(set(settings) - set(cls.__dataclass_fields__))
        if unknown:
            raise InputError(
                f"unknown probing setting {unknown[0]!r}; known: {', '.join(cls.__dataclass_fields__)}"
            )
        return replace(probing or cls(), **settings)


@dataclass(frozen=True)
class CheckRequest:
    """What ``backprop-verify check`` is asked: the target, the loss, how to probe, how to run the code.

    Attributes
    ----------
    target : Target
        ``PATH[:NAME]``, parsed.
    loss : str
        ``auto`` to identify, or a catalog loss id to ask about.
    probing : Probing
    options : Options
        The explicit form's pieces and the layout; None for each piece to detect.
    python2 : bool or None
        True: translate the script with 2to3 first; None: when reading it as Python 3 finds Python 2
        syntax; False: refuse Python 2 syntax.

    Raises
    ------
    InputError
        On an unknown loss (the other fields validate themselves).
    """

    target: Target
    loss: str = "auto"
    probing: Probing = field(default_factory=Probing)
    options: Options = field(default_factory=Options)
    python2: bool | None = None

    def __post_init__(self) -> None:
        if self.loss != "auto":
            object.__setattr__(self, "loss", get_loss(self.loss).name)

    @classmethod
    def parse(
        cls,
        target: str,
        loss: str = "auto",
        *,
        options: Options | None = None,
        python2: bool | None = None,
        **probing: Any,
    ) -> CheckRequest:
        """The request for ``PATH[:NAME]`` (parsed by :meth:`Target.parse`), ``probing`` being fields of
        :class:`Probing` (``seed=3``).

        Raises
        ------
        InputError
            As :meth:`Target.parse`, :class:`Probing` and the loss.
        """
        return cls(Target.parse(target), loss, Probing.of(**probing), options or Options(), python2)

    @property
    def asked(self) -> str | None:
        """The loss asked about, or None to identify."""
        return None if self.loss == "auto" else self.loss

    def to_json(self) -> dict[str, Any]:
        """The request as a JSON object, as the supervised child receives it."""
        return {
            "target": {"path": self.target.path, "name": self.target.name},
            "loss": self.loss,
            "probing": asdict(self.probing),
            "options": self.options.to_json(),
            "python2": self.python2,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckRequest:
        """The request of :meth:`to_json`."""
        return cls(
            target=Target(**data["target"]),
            loss=data["loss"],
            probing=Probing(**data["probing"]),
            options=Options(**data["options"]),
            python2=data["python2"],
        )
