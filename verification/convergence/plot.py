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

import contextlib
import errno
import importlib.util
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ffnn.validation import InputError, one_line
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
    """Return ``path`` as a Path if a figure can be written there, or raise; called before the study, so
    that a figure that cannot be written is refused at once, not after minutes of training.

    The directory must exist and take a new file (one is created there and removed: a read-only file
    system, ``/proc`` or a folder without write permission refuse it); an existing ``path`` must be a
    regular file that can be written (a symbolic link to ``/dev/full`` is a device, not a figure).

    Raises
    ------
    InputError
        If the suffix is not one of :data:`SUFFIXES`, the directory does not exist or takes no new
        file, ``path`` is a directory, a device or another file that is not a regular one, or cannot be
        written, or matplotlib is not installed.
    """
    out = Path(path)
    if out.suffix.lower() not in SUFFIXES:
        raise InputError(f"plot path {path}: the file name must end in {', '.join(SUFFIXES)}")
    try:
        mode: int | None = out.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError(f"plot path {path}: {one_line(exc.strerror or exc)}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"plot path {path} is a directory; give a file name ending in .png, .svg or .pdf")
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(f"plot path {path} is not a regular file (a device, a pipe or a socket)")
    if not out.parent.is_dir():
        raise InputError(f"plot path {path}: directory {out.parent} does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=out.parent, prefix=".backprop-verify-", suffix=out.suffix)
        os.close(fd)
        os.unlink(probe)
        if mode is not None and not os.access(out, os.W_OK):
            raise PermissionError(errno.EACCES, "Permission denied")
    except OSError as exc:
        raise InputError(f"plot path {path}: cannot write there: {one_line(exc.strerror or exc)}") from None
    if not _installed("matplotlib"):
        raise InputError(
            "drawing the figure needs matplotlib, which is not installed: pip install 'backprop-verify[plot]'"
        )
    return out


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (the study runs elsewhere)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules
        return False


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
        As :func:`check_plot_path`, or when writing the figure fails (a disk that filled up meanwhile).
    """
    out = check_plot_path(path)
    plt = _pyplot()
    fig = study_figure(study)
    # into a file beside it, then renamed over it: a write that fails (a full disk) leaves no half
    # figure; through a symbolic link, the file it points to is replaced, not the link
    target = Path(os.path.realpath(out))
    fd, part = tempfile.mkstemp(dir=target.parent, prefix=".backprop-verify-", suffix=out.suffix)
    try:
        with os.fdopen(fd, "wb") as stream:
            fig.savefig(stream, format=out.suffix[1:].lower(), metadata=_metadata(out))
        os.chmod(part, _file_mode(target))
        os.replace(part, target)
    except OSError as exc:
        raise InputError(f"cannot write the figure to {path}: {one_line(exc.strerror or exc)}") from None
    finally:
        plt.close(fig)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)


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


def _file_mode(target: Path) -> int:
    """The permissions of the file replaced, or those a new file gets under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _metadata(out: Path) -> dict[str, Any] | None:
    """No software name and version in a PNG, so that the committed figure changes only with the data."""
    return {"Software": None} if out.suffix.lower() == ".png" else None
