"""The classes of a script's project: those it defines, and those it imports from the files of its
folder (``from layer import Layer``), as opposed to a library's. A network built of them is built small
for the check: its large layer sizes made small (:func:`verification.reading.script_setup.
with_small_layers`), since the verdict does not depend on them and the check's time grows with them.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from verification.reading.loader import LoadedScript
from verification.reading.script_setup import with_small_layers


def small_layers(script: LoadedScript, setup: str) -> str | None:
    """The setup with the large layer sizes it gives the project's classes made small (those the
    script defines, and those it imports from the files of its folder: ``from layer import Layer``;
    :func:`~verification.reading.script_setup.with_small_layers`), or None when it gives none."""
    ns = script.module.__dict__
    classes = [c for c in (ns.get(n) for n in script.defined_names()) if isinstance(c, type)]
    folder = Path(script.path).resolve().parent
    classes += [
        c for c in ns.values() if isinstance(c, type) and c not in classes and written_beside(c, folder)
    ]
    return with_small_layers(setup, classes) if classes else None


def written_beside(cls: type, folder: Path) -> bool:
    """Whether a method of ``cls`` is written in a file in ``folder`` or below it (the project's own),
    outside an environment of installed packages (``.venv/lib/…/site-packages``)."""
    files = [f.__code__.co_filename for f in vars(cls).values() if inspect.isfunction(f)]
    return any(
        not f.startswith("<") and "site-packages" not in f and Path(f).resolve().is_relative_to(folder)
        for f in files
    )
