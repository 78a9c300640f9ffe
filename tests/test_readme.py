"""README.md stays true: its Python example runs as printed, and the front door it lists is the one
``verification.__all__`` gives."""

from __future__ import annotations

import re
from pathlib import Path

import verification

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def test_the_api_example_runs_and_its_assertion_holds() -> None:
    example = next(b for b in python_blocks() if b.startswith("from ffnn"))
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)  # its own `assert report.matches` must hold
    assert namespace["report"].matches  # type: ignore[attr-defined]


def test_the_array_example_runs_and_its_assertions_hold() -> None:
    example = next(b for b in python_blocks() if b.startswith("import numpy"))
    assert "assert check_gradient(" in example and "assert not check_gradient(" in example
    exec(compile(example, "README.md", "exec"), {})


def test_the_front_door_listed_is_the_one_exported() -> None:
    section = README.split("## Python API", 1)[1].split("```python", 1)[0]
    listed = set(re.findall(r"`(\w+)`", section)) - {"verification"}
    assert listed == set(verification.__all__), f"README lists {sorted(listed)}"
