"""Where a script's imports are found: its own folder, and the folder holding its package.

Python puts a script's folder first on ``sys.path`` when it runs the script; a module beside it
(``from layers import Dense``) is found there. :func:`script_directory_on_path` does the same while the
loader runs the script's definitions.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def script_directory_on_path(directory: Path) -> Iterator[None]:
    """The script's folder first on ``sys.path``, as when Python runs the script, and no bytecode
    written meanwhile (``sys.dont_write_bytecode``): importing a module beside the script must not
    leave a ``__pycache__`` folder in the user's folder. A script inside a package (its folder holds an
    ``__init__.py``) also gets the folder that holds the outermost package, as ``python -m
    package.module`` run from there would: ``from ai.activation_functions import Sigmoid`` in
    ``src/ai/network.py`` finds ``src/ai``."""
    root = directory
    while (root / "__init__.py").is_file() and root.parent != root:
        root = root.parent
    entries = [str(directory)] + ([str(root)] if root != directory else [])
    writes = sys.dont_write_bytecode
    sys.path[:0] = entries
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = writes
        for entry in entries:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)
