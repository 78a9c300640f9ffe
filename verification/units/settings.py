"""The settings a unit is checked over: many real bugs show only in some of them.

A backward that is right at the default shapes can be wrong with overlapping pooling windows, without
padding, with an even kernel, a stride of 2, a batch of one, one time step, or a word that occurs
twice. Each unit is checked over a small grid chosen by its family and arguments
(:func:`settings_for`), and the report names the settings where it fails.

========================== ===================================================================
arguments                  settings (after the default)
========================== ===================================================================
``conv_param``             stride 2; no padding; even 2×2 filters, stride 2; a non-square input
                           and filter; a batch of one
``pool_param``             2×2 windows at stride 1 and 3×3 at stride 2 (overlapping); a batch of
                           one
``G`` (groups)             one group; a group per channel
``bn_param``, ``dropout``  test mode (skipped: inference only); a batch of one; another ``p``
sequences (``T``)          one time step; a batch of one; repeated word indices; no step masked
``x`` of ``(N, d_1, …)``   more than one feature axis
anything with a batch      a batch of one
========================== ===================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verification.units.shapes import GROUP, Template

BASE_DICTS: dict[str, dict[str, Any]] = {
    "conv_param": {"stride": 1, "pad": 1},
    "pool_param": {"pool_height": 2, "pool_width": 2, "stride": 2},
    "bn_param": {"mode": "train", "eps": 1e-5, "momentum": 0.9},
    "ln_param": {"eps": 1e-5},
    "gn_param": {"eps": 1e-5},
    "dropout_param": {"p": 0.5, "mode": "train"},
}
"""The course's parameter dictionaries at the default setting (``dropout_param`` also gets the
check's seed)."""


@dataclass(frozen=True)
class Setting:
    """One point of the grid.

    Attributes
    ----------
    name : str
        ``default``, ``stride 2, pad 1``, ``T = 1``, …
    env : dict of str to object
        Symbols changed from the family's environment (``N``, ``H``, the group of axes ``D*``).
    params : dict of str to dict
        Entries changed in parameter dictionaries (``conv_param`` → ``{"stride": 2}``).
    draw : str
        A special draw: ``repeated`` (index arrays with every value repeated), ``unmasked``.
    skip : str
        Why the setting is listed but not checked (inference only), else empty.
    """

    name: str
    env: dict[str, Any] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    draw: str = ""
    skip: str = ""

    def parameter_dict(self, name: str, seed: int) -> dict[str, Any]:
        """The parameter dictionary ``name`` at this setting."""
        base = dict(BASE_DICTS.get(name, {"mode": "train"}))
        if name == "dropout_param":
            base["seed"] = seed
        base.update(self.params.get(name, {}))
        return base


DEFAULT = Setting("default")
ONE = Setting("batch of one (N = 1)", {"N": 1})


def _conv() -> list[Setting]:
    conv = "conv_param"
    return [
        Setting("stride 1, pad 1, 3×3 filters"),
        Setting("stride 2, pad 1", params={conv: {"stride": 2, "pad": 1}}),
        Setting("pad 0", params={conv: {"stride": 1, "pad": 0}}),
        Setting(
            "even 2×2 filters, stride 2, pad 0",
            {"H": 4, "W": 4, "HH": 2, "WW": 2},
            params={conv: {"stride": 2, "pad": 0}},
        ),
        Setting("non-square 5×7 input, 3×2 filters", {"H": 5, "W": 7, "HH": 3, "WW": 2}),
        ONE,
    ]


def _pool() -> list[Setting]:
    pool = "pool_param"
    return [
        Setting("2×2 windows, stride 2", {"H": 4, "W": 4}),
        Setting(
            "2×2 windows, stride 1 (overlapping)",
            {"H": 4, "W": 4},
            params={pool: {"pool_height": 2, "pool_width": 2, "stride": 1}},
        ),
        Setting(
            "3×3 windows, stride 2 (overlapping)",
            {"H": 5, "W": 5},
            params={pool: {"pool_height": 3, "pool_width": 3, "stride": 2}},
        ),
        Setting("batch of one (N = 1)", {"N": 1, "H": 4, "W": 4}),
    ]


def settings_for(names: list[str], templates: dict[str, Template]) -> list[Setting]:
    """The grid of a unit with arguments ``names`` made by ``templates`` (see the module docstring).

    Parameters
    ----------
    names : list of str
        The forward's arguments.
    templates : dict of str to Template
        How each is made.
    """
    symbols = {d for t in templates.values() for d in t.dims} | {t.bound for t in templates.values()}
    if "conv_param" in names:
        return _conv()
    if "pool_param" in names:
        return _pool()
    out = [DEFAULT]
    if "G" in names:
        out = [
            Setting("G = 2 groups of 2 channels", {"C": 4, "G": 2}),
            Setting("G = 1 (one group)", {"C": 4, "G": 1}),
            Setting("G = C (a group per channel)", {"C": 4, "G": 4}),
        ]
    for mode in ("bn_param", "dropout_param"):
        if mode in names:
            out.append(
                Setting("test mode", params={mode: {"mode": "test"}}, skip="test mode is inference only")
            )
    if "dropout_param" in names:
        out.append(Setting("p = 0.8", params={"dropout_param": {"p": 0.8}}))
    if "activation" in names:
        out.append(Setting("activation relu", {"activation": "relu"}))
    if "T" in symbols:
        out.append(Setting("one time step (T = 1)", {"T": 1}))
    looked_up = any(t.kind == "float" and t.dims[:1] == ("V",) for t in templates.values())
    if looked_up and any(t.kind == "index" for t in templates.values()):
        out.append(Setting("repeated word indices (V = 2)", {"V": 2}, draw="repeated"))
    if any(t.kind == "mask" for t in templates.values()):
        out.append(Setting("no step masked", draw="unmasked"))
    if GROUP in symbols:
        out.append(Setting("x of shape (N, 2, 3)", {"D": 6, GROUP: (2, 3)}))
    if "N" in symbols:
        out.append(ONE)
    return out
