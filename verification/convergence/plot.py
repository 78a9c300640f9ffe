"""The figure of the convergence study: the squared error per epoch, and separation against the
learning rate.

Left: for each rule at one learning rate (the question's 0.1 when studied), the median over the seeds of
the mean ``mse`` after each epoch, with the band from the first to the third quartile; each rule's
legend entry gives the fraction of seeds it separates at the end, the study's answer. Right (when
several learning rates are studied): that fraction against the learning rate, on a log axis. The exact
rules coincide with ``chain`` (exact mse) and ``shortcut`` (exact bce): they are drawn dashed and
above the wide, translucent solid lines of those two, with their own markers, so both stay visible.
Needs matplotlib (the optional ``plot`` extra); :func:`check_plot_path` says so before any work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.convergence.report import percent
from verification.convergence.study import ConvergenceStudy

SUFFIXES = (".png", ".svg", ".pdf")
QUESTION_RATE = 0.1
STYLES: dict[str, dict[str, Any]] = {
    "chain": {"color": "tab:blue", "linestyle": "-", "linewidth": 4.0, "alpha": 0.55, "zorder": 2},
    "shortcut": {"color": "tab:orange", "linestyle": "-", "linewidth": 4.0, "alpha": 0.55, "zorder": 2},
    "exact mse": {"color": "tab:green", "linestyle": (0, (4, 3)), "linewidth": 1.6, "zorder": 3},
    "exact bce": {"color": "tab:red", "linestyle": (0, (4, 3)), "linewidth": 1.6, "zorder": 3},
}
"""Line styles per rule: the exact rules dashed, narrower and above (``zorder``) the rules they coincide
with."""
MARKERS = {"chain": "o", "shortcut": "o", "exact mse": "x", "exact bce": "x"}
"""Point markers of the right panel: a cross inside the circle where an exact rule and its rule agree."""


def legend_label(label: str, separated: float) -> str:
    """A rule's legend entry with the fraction of seeds it separates: ``chain: 53.0 % separated``."""
    return f"{label}: {percent(separated)} separated"


def check_plot_path(path: str | Path) -> Path:
    """Return ``path`` as a Path if a figure can be written there, or raise.

    Raises
    ------
    InputError
        If the suffix is not one of :data:`SUFFIXES`, the directory does not exist, ``path`` is a
        directory, or matplotlib is not installed.
    """
    out = Path(path)
    if out.suffix.lower() not in SUFFIXES:
        raise InputError(f"plot path {path}: the file name must end in {', '.join(SUFFIXES)}")
    if out.is_dir():
        raise InputError(f"plot path {path} is a directory; give a file name ending in .png, .svg or .pdf")
    if not out.parent.is_dir():
        raise InputError(f"plot path {path}: directory {out.parent} does not exist")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            "drawing the figure needs matplotlib, which is not installed: pip install 'backprop-verify[plot]'"
        ) from None
    return out


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_study(study: ConvergenceStudy, path: str | Path) -> None:
    """Draw the study's figure into ``path`` (format from the suffix).

    Raises
    ------
    InputError
        As :func:`check_plot_path`.
    """
    out = check_plot_path(path)
    fig = study_figure(study)
    fig.savefig(out, metadata={"Software": None} if out.suffix.lower() == ".png" else None)
    _pyplot().close(fig)


def study_figure(study: ConvergenceStudy) -> Any:
    """The study's figure as a matplotlib ``Figure`` (see the module docstring), not yet saved.

    Raises
    ------
    ImportError
        Without matplotlib (:func:`plot_study` checks first).
    """
    plt = _pyplot()
    sweep = len(study.learning_rates) > 1
    fig, axes = plt.subplots(1, 2 if sweep else 1, figsize=(11 if sweep else 6, 4.2), squeeze=False)
    rate = QUESTION_RATE if QUESTION_RATE in study.learning_rates else study.learning_rates[0]
    ax = axes[0][0]
    epochs = np.arange(study.epochs + 1)
    for o in study.outcomes:
        if o.learning_rate != rate:
            continue
        q1, median, q3 = np.quantile(o.mse_per_epoch, [0.25, 0.5, 0.75], axis=1)
        style = STYLES[o.label]
        ax.plot(epochs, median, label=legend_label(o.label, float(o.separated.mean())), **style)
        if style["linestyle"] == "-":
            ax.fill_between(epochs, q1, q3, color=style["color"], alpha=0.15, linewidth=0, zorder=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean mse over the glyphs")
    ax.set_title(f"mse per epoch, η = {rate:g}: median, q1–q3 band ({study.seeds} seeds)")
    ax.legend()
    if sweep:
        ax = axes[0][1]
        for name, style in STYLES.items():
            points = [(o.learning_rate, float(o.separated.mean())) for o in study.outcomes if o.label == name]
            if points:
                x, y = zip(*points, strict=True)
                ax.semilogx(
                    x,
                    y,
                    marker=MARKERS[name],
                    markersize=8 if MARKERS[name] == "o" else 6,
                    label=name,
                    **style,
                )
        ax.set_xlabel("learning rate η")
        ax.set_ylabel("fraction of seeds separated at the end")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"separated after {study.epochs} epochs (seeds {study.seed_range})")
        ax.legend()
    fig.tight_layout()
    return fig
