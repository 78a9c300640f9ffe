"""Modules beside a script that are written in Python 2, translated as they are imported.

A Python 2 course script (CS224n's ``q2_neural.py``) imports its own helpers (``from q2_sigmoid import
sigmoid``), which are Python 2 too: the script itself is translated by 2to3 when it is loaded
(:func:`verification.reading.python2.convert_python2`), but Python's own import of the helper fails
with a bare ``SyntaxError`` ("Missing parentheses in call to 'print'"). :func:`python2_siblings`
puts a finder first on ``sys.meta_path`` for the time the script's folders are on the path: a module
found in one of those folders is compiled as usual, and only when that fails on a Python 2 construct
(:func:`~verification.reading.python2.python2_construct`) is its source translated by 2to3 and
compiled again. The import system's finder and loader protocol is that of the Python Library
Reference, ``importlib.abc.MetaPathFinder`` and ``importlib.machinery.SourceFileLoader``.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ffnn.validation import InputError
from verification.reading.python2 import convert_python2, python2_construct


class _Translating(importlib.machinery.SourceFileLoader):
    """A source loader that translates Python 2 source by 2to3 when it does not compile as it is."""

    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> Any:  # type: ignore[override]
        try:
            return compile(data, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            if python2_construct(exc) is None:
                raise
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
            try:
                translated = convert_python2(text, str(path))
            except InputError:
                raise exc from None
            return compile(translated, path, "exec", dont_inherit=True)


class _Finder:
    """Finds a module in ``folders`` only, with a :class:`_Translating` loader."""

    def __init__(self, folders: Sequence[str]) -> None:
        self.folders = list(folders)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if path is not None:  # a submodule of a package: the package's own path finds it
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, self.folders)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        spec.loader = _Translating(fullname, str(spec.origin))
        return spec


@contextlib.contextmanager
def python2_siblings(folders: Sequence[str]) -> Iterator[None]:
    """Modules found in ``folders`` are imported translated from Python 2 when they are Python 2
    (module docstring), while the block runs."""
    finder = _Finder(folders)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
