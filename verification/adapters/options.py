"""What the user gave of the explicit form, and how inputs and labels are laid out: the options of
``check`` that say how someone's code is run (None for each piece to be detected).

See :mod:`verification.adapters.recipe` for what each piece means.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ffnn.validation import InputError
from verification.adapters.layouts import LABEL_FORMATS, LAYOUTS, OUTPUTS


@dataclass(frozen=True)
class Options:
    """What the user gave; None means detect.

    Attributes
    ----------
    setup, forward, gradient, step, lr : str or None
        The pieces of the explicit form (:mod:`verification.adapters.recipe`).
    layout : str or None
        ``row``, ``column``, ``flat`` or ``list``.
    labels : str or None
        ``one-hot`` or ``index``.
    output : str or None
        ``as-is``, ``softmax`` or ``sigmoid``: what of the forward's output the loss is applied to.

    Raises
    ------
    InputError
        When both ``gradient`` and ``step`` are given, or the layout or label format is unknown.
    """

    setup: str | None = None
    forward: str | None = None
    gradient: str | None = None
    step: str | None = None
    lr: str | None = None
    layout: str | None = None
    labels: str | None = None
    output: str | None = None

    def __post_init__(self) -> None:
        if self.gradient is not None and self.step is not None:
            raise InputError(
                "give --gradient (code that returns gradients) or --step (code that updates the weights), "
                "not both"
            )
        if self.layout is not None and self.layout not in LAYOUTS:
            raise InputError(f"--layout must be one of {', '.join(LAYOUTS)}, got {self.layout!r}")
        if self.labels is not None and self.labels not in LABEL_FORMATS:
            raise InputError(f"--labels must be one of {', '.join(LABEL_FORMATS)}, got {self.labels!r}")
        if self.output is not None and self.output not in OUTPUTS:
            raise InputError(f"--output must be one of {', '.join(OUTPUTS)}, got {self.output!r}")

    @property
    def explicit(self) -> bool:
        """True when the forward pass and the gradient (or step) are both given."""
        return self.forward is not None and (self.gradient is not None or self.step is not None)

    def to_json(self) -> dict[str, Any]:
        """The options as a JSON object (the pieces by name, None for those to detect)."""
        return asdict(self)
