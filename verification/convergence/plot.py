"""The figure of the convergence study: the squared error per epoch, and separation against the
learning rate.

Left: for each rule at one learning rate (the question's 0.1 when studied), the median over the seeds of
the mean ``mse`` after each epoch, with the band from the first to the third quartile. Right (when
several learning rates are studied): the fraction of seeds separated at the end against the learning
rate, on a log axis. Rules that coincide are drawn dashed over each other, so both stay visible.
Needs matplotlib (the optional ``plot`` extra); :func:`check_plot_path` says so before any work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ffnn.validation import InputError
from verification.convergence.study import ConvergenceStudy

SUFFIXES = (".png", ".svg", ".pdf")
QUESTION_RATE = 0.1
STYLES = {
    "chain": {"color": "tab:blue", "linestyle": "-", "linewidth": 2.2},
    "shortcut": {"color": "tab:orange", "linestyle": "-", "linewidth": 2.2},
    "exact mse": {"color": "tab:green", "linestyle": "--", "linewidth": 1.2},
    "exact bce": {"color": "tab:red", "linestyle": "--", "linewidth": 1.2},
}


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
        ax.plot(epochs, median, label=o.label, **style)
        if style["linestyle"] == "-":
            ax.fill_between(epochs, q1, q3, color=style["color"], alpha=0.2, linewidth=0)
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
                ax.semilogx(x, y, marker="o", label=name, **style)
        ax.set_xlabel("learning rate η")
        ax.set_ylabel("fraction of seeds separated at the end")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"separated after {study.epochs} epochs (seeds {study.seed_range})")
        ax.legend()
    fig.tight_layout()
    fig.savefig(out, metadata={"Software": None} if out.suffix.lower() == ".png" else None)
    plt.close(fig)
