"""The command line's documents follow its grammar: the synopsis in README.md and in docs/cli.md names
every option ``--help`` lists for each command, and no option it does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verification.arguments import build_parser
from verification.usage import COMMAND_WORDS

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = {"-h", "--help", "--debug"}
"""Options every command has, said once in the text instead of on every line."""


def synopsis(document: str) -> dict[str, set[str]]:
    """Command → long options, from the first code block that starts with ``backprop-verify [``."""
    text = (ROOT / document).read_text(encoding="utf-8")
    block = re.search(r"^```\n(backprop-verify \[.*?)^```", text, flags=re.S | re.M)
    assert block is not None, f"{document} has no synopsis block"
    commands: dict[str, set[str]] = {}
    current = ""
    for line in block.group(1).splitlines():
        if line.startswith("backprop-verify"):
            words = line.split()
            word = words[1].strip("[]") if len(words) > 1 else ""
            current = word if word in COMMAND_WORDS else "(program)"
            commands.setdefault(current, set())
        commands[current] |= set(re.findall(r"(?<![\w-])--[a-z0-9][a-z0-9-]*", line))
        commands[current] |= {SHORT[o] for o in re.findall(r"(?<![\w-])-[a-z](?![\w-])", line)}
    return commands


SHORT = {"-q": "--quiet"}
"""The short options the synopsis uses, and their long names (argparse's usage writes them short)."""


def grammar() -> dict[str, set[str]]:
    parser = build_parser()
    out = {
        "(program)": {o for a in parser._actions for o in a.option_strings if o.startswith("--")} - LEFT_OUT
    }
    for name, sub in parser.commands.items():
        if name == "seed":  # the former name of question: one line documents both
            continue
        out[name] = {o for a in sub._actions for o in a.option_strings if o.startswith("--")} - LEFT_OUT
    return out


@pytest.mark.parametrize("document", ["README.md", "docs/cli.md"])
def test_the_synopsis_names_every_option_of_every_command(document: str) -> None:
    documented, actual = synopsis(document), grammar()
    assert set(documented) == set(actual), f"{document} documents the commands {sorted(documented)}"
    for command, options in actual.items():
        missing, extra = options - documented[command], documented[command] - options
        assert not missing and not extra, (
            f"{document}: the synopsis of {command} lacks {sorted(missing)} and names {sorted(extra)}, "
            "but should list what --help lists"
        )


def test_both_synopses_are_the_same_text() -> None:
    def block(document: str) -> str:
        text = (ROOT / document).read_text(encoding="utf-8")
        found = re.search(r"^```\n(backprop-verify \[.*?)^```", text, flags=re.S | re.M)
        assert found is not None
        return found.group(1)

    assert block("README.md") == block("docs/cli.md")
