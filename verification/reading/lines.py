"""Single lines of Python source read without the tokenizer: the code part of a line.

Used where a line must be read on its own, even when it does not tokenize: a line on which parsing
failed (:mod:`verification.reading.python2`) or a line of IPython syntax
(:mod:`verification.reading.notebooks`).
"""

from __future__ import annotations

import re

_STRING = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")


def code_of_line(line: str) -> str:
    """``line`` with the contents of its one-line strings blanked and its comment cut off.

    ``x = "a # b?"  # why?`` becomes ``x = ""  ``: a ``#``, ``?`` or backtick inside a string or a
    comment is then never taken for code. The quotes (and string prefixes such as ``ur``) are kept.
    """
    return _STRING.sub(lambda m: m.group(0)[0] * 2, line).split("#", 1)[0]
