"""Functions a file's own code leaves to the modules beside it.

A project split into one module per step (``forward_propagation.py``, ``backward_propagation.py``,
``random_initialization.py`` in one package) keeps the forward pass out of the file that holds the
backward pass, and the file never imports it: the project's driver script joins them. Checked alone,
such a file has a backward pass and nothing to run it on. :func:`sibling_functions` finds the
functions named like the missing piece in the Python files of the same folder, each loaded as the
checker loads any script (definitions only: :func:`verification.reading.loader.load_script`), so
that the pair can be run as the project runs it. The report names the files they came from.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from pathlib import Path
from typing import Any

from ffnn.validation import InputError

MAX_SIBLINGS = 12
"""Files beside the script read at most (the smallest first): a folder of a project, not a dump."""
MAX_BYTES = 100_000


def sibling_functions(
    path: Path, words: tuple[str, ...], avoid: tuple[str, ...] = (), kind: Any = inspect.isfunction
) -> dict[str, tuple[Any, str]]:
    """Functions named with one of ``words`` (and none of ``avoid``) defined in the ``.py`` files beside
    ``path``, by name: ``(function, file name)``. A name defined in several files is left out (which
    one the project means is not known); a file that does not load is passed over.

    Parameters
    ----------
    path : Path
        The script checked; its own definitions are not among the results.
    words, avoid : tuple of str
        Lower-case parts of the names wanted and not wanted (``("forward",)``).
    kind : callable
        What a definition must be: a function (the default), or with ``inspect.isclass`` a class
        (the layer classes of a project whose network is a list of them).
    """
    from verification.reading.loader import load_script

    def size(p: Path) -> int | None:
        """The size of a regular file beside the script, or None (a link loop, a folder, gone)."""
        try:
            return p.stat().st_size if p.is_file() and not (path.exists() and p.samefile(path)) else None
        except (OSError, RuntimeError):
            return None

    sized = [(n, p) for p in path.parent.glob("*.py") if (n := size(p)) is not None]
    beside = [p for n, p in sorted(sized, key=lambda t: (t[0], t[1].name)) if n <= MAX_BYTES]
    found: dict[str, list[tuple[Any, str]]] = {}
    for sibling in beside[:MAX_SIBLINGS]:
        if not re.fullmatch(r"[\w ]+\.py", sibling.name):
            continue
        with contextlib.suppress(InputError, SyntaxError, RecursionError, OSError, RuntimeError):
            loaded = load_script(sibling)
            for name in loaded.defined_names():
                fn = loaded.module.__dict__.get(name)
                low = name.lower()
                if (
                    kind(fn)
                    and getattr(fn, "__module__", None) == loaded.module.__name__
                    and any(w in low for w in words)
                    and not any(a in low for a in avoid)
                ):
                    found.setdefault(name, []).append((fn, sibling.name))
    return {name: hits[0] for name, hits in found.items() if len(hits) == 1}
