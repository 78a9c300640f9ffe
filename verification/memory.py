"""Which exceptions mean that the process ran out of memory.

Under ``--max-memory`` the supervised child's address space is limited (``setrlimit(RLIMIT_AS)``,
:mod:`verification.runs.child`). Python's allocator then raises :exc:`MemoryError`; but a library that
has to be mapped into memory (an extension module imported for the first time, by the checked code or
lazily by numpy) fails in the dynamic loader instead, and ``dlopen(3)`` errors reach Python as
:exc:`ImportError` with the loader's text: ``…/_generator.cpython-311-x86_64-linux-gnu.so: failed to
map segment from shared object``; and a numpy ufunc whose output cannot be allocated may fail as
:exc:`SystemError` (``<ufunc 'divide'> returned NULL without setting an exception``, or ``error
return without exception set``). All are the
limit, to be reported with it, not a failure of the checked code.

Sources: ``setrlimit(2)`` (``RLIMIT_AS``: "mmap(2) … will fail with the error ENOMEM upon exceeding
this limit"), ``dlopen(3)``, glibc's ``elf/dl-map-segments.h`` (the message).
"""

from __future__ import annotations

import errno

_NO_MEMORY = ("failed to map segment from shared object", "cannot allocate memory")
"""What the dynamic loader says when ``mmap`` is refused (``ENOMEM``), as under ``RLIMIT_AS``:
``dlopen(3)`` errors surface as :exc:`ImportError` with this text, not as :exc:`MemoryError`."""


_NULL_RETURNS = ("returned null without setting an exception", "error return without exception set")
"""What CPython says of a C function that failed without setting an exception, as an allocation that
fails under ``RLIMIT_AS`` can leave it (a ufunc's output, a C call's result)."""


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` says the process ran out of memory: a :exc:`MemoryError`, an
    :exc:`ImportError` or :exc:`OSError` of a library that could not be mapped into memory
    (``ENOMEM``), or a ufunc's :exc:`SystemError` of an output it could not allocate. Under
    ``--max-memory`` an import of an extension module that no longer fits fails so."""
    if isinstance(exc, MemoryError):
        return True
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return True
    text = str(exc).lower()
    if isinstance(exc, SystemError) and any(words in text for words in _NULL_RETURNS):
        return True  # a ufunc or C call whose output could not be allocated, under the limit
    return isinstance(exc, ImportError | OSError) and any(words in text for words in _NO_MEMORY)
