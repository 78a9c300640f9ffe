"""The state a setup leaves: a copy of the objects it made, so that every probe starts from it.

Code under check may keep optimiser state (momentum, Adam moments), step counters that change the
learning rate, or caches between calls. Identification compares the code's gradient at several probe
points; a probe that saw an earlier probe's step would compare a different thing. A
:class:`SetupState` copies the setup's objects once (:func:`copy.deepcopy`, all roots together so that
objects they share stay shared) and binds a fresh copy before each gradient the code is asked for.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from verification.adapters.parameters import Slots


class SetupState:
    """A copy of the objects a setup made, so that every probe starts from the network as the setup
    left it: optimiser state (momentum, Adam moments), step counters that change the rate, and caches
    of one probe never reach the next.

    Parameters
    ----------
    namespace : dict
        The namespace after the setup ran.
    roots : iterable of str
        The names the setup bound; copied together, so objects they share stay shared. Other names
        of the namespace bound to the same objects are bound to the fresh copies too.

    Attributes
    ----------
    copied : bool
        False when the objects could not be copied (:func:`copy.deepcopy` failed, e.g. on an open
        file); probes then share one network and :meth:`restore` does nothing.
    """

    def __init__(self, namespace: Mapping[str, Any], roots: Iterable[str]) -> None:
        self.roots = [r for r in dict.fromkeys(roots) if r in namespace]
        made = {id(namespace[r]): r for r in self.roots}
        self.aliases = {  # other names of the same objects (``nn = net`` for methods that read ``nn``)
            n: made[id(v)] for n, v in namespace.items() if n not in self.roots and id(v) in made
        }
        try:
            self.state: dict[str, Any] | None = copy.deepcopy({r: namespace[r] for r in self.roots})
        except Exception:  # an object that cannot be copied: probes share one network
            self.state = None

    @property
    def copied(self) -> bool:
        """Whether the setup's objects were copied."""
        return self.state is not None

    def rebind(self, namespace: dict[str, Any]) -> None:
        """Bind fresh copies of the setup's objects in ``namespace`` (and their other names)."""
        if self.state is None:
            return
        fresh = copy.deepcopy(self.state)
        namespace.update(fresh)
        namespace.update({alias: fresh[root] for alias, root in self.aliases.items()})

    def restore(self, slots: Slots) -> None:
        """Bind fresh copies of the setup's objects in ``slots``' namespace and point the slots at them."""
        if self.state is None:
            return
        self.rebind(slots.namespace)
        for s in slots.slots.values():
            s.original = s.get(slots.namespace)
