"""The result channel of a supervised run: the one message the child sends the parent, and what the
parent accepts as that message.

The child runs someone else's code, so the parent trusts nothing on the channel it did not ask for:

* **a pipe of its own**, not standard output (which goes to the parent's stderr), passed to the child
  as a file descriptor that the child makes non-inheritable (``O_CLOEXEC``) before any job code runs,
  so no program the checked code starts receives it;
* **a token**: the parent draws 128 random bits (:func:`secrets.token_hex`) for each run and sends
  them with the job; the child's message starts with the token on a line of its own. Bytes that do not
  start so (code that found the descriptor and wrote into it, by accident or not) are refused before
  they are parsed;
* **one JSON object** after the token, nothing before or after it;
* **bounded**: the parent reads at most :func:`result_limit` bytes, and no longer than the run's
  ``--timeout``; past that the run ends with a refusal, and the parent never holds more.

What this does not promise: the checked code runs in the same process as the checker, so code written
to deceive it can read the token from the process's memory, or replace the checker's functions; no
channel inside one process can prevent that. The channel keeps a run honest against code that writes
where it should not; it is not a sandbox (``docs/cli.md``, "What supervision promises").
"""

from __future__ import annotations

import json
import secrets
from typing import Any

MAX_RESULT = 256 * 2**20
"""Bytes: the most the parent reads from the result channel. The largest result of ours, ``converge
--json`` at its largest settings, is tens of MB."""
RESULT_LOST = 90
"""The child's exit status when its result channel was closed or replaced by the checked code
(``os.closerange``, a ``dup2`` onto it) and the message could not be sent."""
DUMP_LIMIT = 2**20
"""Bytes of a stack dump (:mod:`faulthandler`) the parent keeps; a dump of a few threads is a few KB."""


def new_token() -> str:
    """A fresh token for one run: 32 hexadecimal digits (128 random bits from :mod:`secrets`)."""
    return secrets.token_hex(16)


def result_limit(max_memory: int) -> int:
    """The most bytes the parent reads from the result channel of a run limited to ``max_memory``:
    :data:`MAX_RESULT`, or less when the child could not hold more (its message is built in its own
    memory)."""
    return min(MAX_RESULT, max_memory)


def framed(token: str, message: dict[str, Any]) -> bytes:
    """The bytes the child sends: the token, a newline, the message as one JSON object."""
    return token.encode("ascii") + b"\n" + json.dumps(message).encode()


class Forged(ValueError):
    """The result channel held bytes the child's checker did not write, or not one JSON object."""


def unframe(token: str, data: bytes) -> dict[str, Any] | None:
    """The message in ``data``; None when the channel is empty (the child ended without a result).

    Raises
    ------
    Forged
        When ``data`` does not start with the token on a line of its own, or what follows is not
        exactly one JSON object. The token is compared before anything is parsed.
    """
    if not data:
        return None
    head, newline, body = data.partition(b"\n")
    if not newline or not secrets.compare_digest(head, token.encode("ascii")):
        raise Forged("the result channel held bytes that do not come from the checker")
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        raise Forged("the result channel held more or less than one JSON object") from None
    if not isinstance(message, dict):
        raise Forged("the result channel held JSON that is not an object")
    return message
