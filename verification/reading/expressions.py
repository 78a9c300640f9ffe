"""Arguments given as code, not as values, in the setups the checker writes."""

from __future__ import annotations


class Expression(str):
    """An argument given as code, not as a value: a function of the project by its name (``tanh``),
    whose ``repr`` in a setup is the name itself."""

    def __repr__(self) -> str:
        return str(self)
