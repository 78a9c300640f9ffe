"""Stand-ins for the modules a script imports but this machine does not have.

The loader binds a :class:`MissingModule` where an import failed, so a missing plotting library stops
the check only if the code under check really uses it; a class deriving from a failed name gets an empty
stand-in base.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

from ffnn.validation import InputError


def install_hint(error: str) -> str | None:
    """What to do about an import that failed with ``error`` (``No module named 'scipy'``): install the
    module where the check runs, since the code under check runs there too; None for another error."""
    missing = re.search(r"No module named '([\w.]+)'", error)
    if missing is None:
        return None
    top = missing.group(1).split(".")[0]
    return f"install the module {top!r} where backprop-verify runs, or check code that does not need it"


class MissingModule:
    """Stands for a module whose import failed while loading a script's definitions.

    Any attribute access or call raises :class:`InputError` naming the module and the import error, so
    a missing plotting library stops the check only if the code under check really uses it.
    """

    def __init__(self, name: str, error: str) -> None:
        self._name = name
        self._error = error

    def _fail(self) -> InputError:
        error = InputError(
            f"the code under check uses {self._name!r}, whose import failed ({self._error})",
            hint=install_hint(self._error),
        )
        error.kind = "import"  # type: ignore[attr-defined]  # the failure kind (verification.adapters.failures)
        return error

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        raise self._fail()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._fail()

    def __repr__(self) -> str:
        return f"<missing module {self._name!r}: {self._error}>"

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type]:
        """A class whose base is a name that failed to import (``from layer import Layer``, then
        ``class Dense(Layer)``) derives from an empty stand-in instead (PEP 560), so the class is
        defined: layer files import their base class from a sibling module more often than not. What
        the class inherits is missing, and using it fails as any use of a missing name does."""
        stand_in = self.__dict__.get("_stand_in")
        if stand_in is None:  # one per failed name, so the classes deriving from it share their base
            stand_in = type(self._name.rsplit(".", 1)[-1], (), {"__doc__": f"stand-in for {self!r}"})
            self.__dict__["_stand_in"] = stand_in
        return (stand_in,)


PROGRESS_MODULES = ("tqdm", "progressbar", "progressbar2", "alive_progress", "progress", "enlighten")
"""Modules that only show progress: when one is missing, the code's training loop still runs without it
(:class:`SilentProgress`)."""


class SilentProgress:
    """Stands for a missing progress-bar module (:data:`PROGRESS_MODULES`): a bar that shows nothing.

    Every attribute is another silent bar; a call returns its first positional argument when that is an
    iterable to wrap (``tqdm(range(epochs))`` → ``range(epochs)``, as the bar would yield), else a silent
    bar (``progressbar.ProgressBar(maxval=…).start()``, ``bar.update(i)``); it is a context manager
    and iterates over nothing. The training loop thus runs as written, only without its display.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return SilentProgress(f"{self._name}.{attribute}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and hasattr(args[0], "__iter__") and not isinstance(args[0], str | bytes):
            return args[0]
        return SilentProgress(self._name)

    def __iter__(self) -> Any:
        return iter(())

    def __enter__(self) -> SilentProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return f"<silent stand-in for the progress bar {self._name!r}>"


def stand_in(module_name: str, error: str) -> tuple[Any, str]:
    """What a failed import binds, and the failure as the report lists it: a :class:`SilentProgress`
    for a progress-bar module, else a :class:`MissingModule`."""
    if module_name.lstrip(".").split(".")[0] in PROGRESS_MODULES:
        return SilentProgress(module_name), f"{error}; a progress bar, run without its display"
    return MissingModule(module_name, error), error


class _StandInModule(types.ModuleType):
    """A module a project module imports and this machine lacks: a package (so ``import
    matplotlib.pyplot`` finds its submodule here too) whose every name is a :class:`MissingModule`,
    so that ``from h5py import File`` binds, and only a use of ``File`` fails, naming the module."""

    def __init__(self, name: str, error: str) -> None:
        super().__init__(name)
        self.__path__: list[str] = []
        self._error = error

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return MissingModule(f"{self.__name__}.{attribute}", self._error)


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds, after every real finder has failed, a :class:`_StandInModule` for each module asked for,
    recording its name."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec:
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        top = spec.name.split(".")[0]
        real = top in sys.modules and not isinstance(sys.modules[top], _StandInModule)
        name = spec.name if real else top  # cs231n.fast_layers, a submodule the project's package lacks
        if name not in self.made:
            self.made.append(name)
        return _StandInModule(spec.name, f"ModuleNotFoundError: No module named {name!r}")

    def exec_module(self, module: types.ModuleType) -> None:
        return None


@contextlib.contextmanager
def missing_modules_stood_in() -> Iterator[list[str]]:
    """While it is open, a module that no finder finds is imported as a stand-in module
    (:class:`_StandInModule`) instead of raising ``ModuleNotFoundError``: a module of the project that
    imports ``h5py`` or ``sklearn`` for its plotting or its data loads, and its other functions run.
    Yields the list of the top-level names stood in for, filled as they are; on leaving, the stand-ins
    are taken out of ``sys.modules`` (the modules that imported them keep them)."""
    finder = _StandInFinder()
    sys.meta_path.append(finder)
    try:
        yield finder.made
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n, m in sys.modules.items() if isinstance(m, _StandInModule)]:
            del sys.modules[name]


def imported_with_stand_ins(modules: set[str], exc: Exception, again: Callable[[], object]) -> dict[str, str]:
    """Run an import of the project's ``modules`` ``again`` with stand-ins for the modules they import
    that this machine lacks (:func:`missing_modules_stood_in`), when that is why it failed with
    ``exc``: ``from linear_forward import linear_forward``, whose module imports ``h5py``, or
    ``from cs231n.layer_utils import *``, whose module imports a ``cs231n.fast_layers`` the copy lacks
    (a compiled extension, say). Returns each
    module stood in for with the failure to list (empty when the failure was another: the module
    itself is missing, or it fails again)."""
    wanted = {m.lstrip(".") for m in modules}
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    if not missing or not all(wanted) or any(w == missing or w.startswith(f"{missing}.") for w in wanted):
        return {}  # the module itself (or its package) is missing: a library, not the project's
    with missing_modules_stood_in() as made:
        try:
            again()
        except Exception:
            return {}
    return {
        n: f"ModuleNotFoundError: No module named {n!r} (imported by a module beside the file)" for n in made
    }
