"""``--json`` prints strict JSON (RFC 8259): a non-finite number is ``null``, and the object that held it
says which it was, in ``non_finite``; Python's ``NaN`` and ``Infinity`` tokens never reach stdout."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import verification.question
from verification.cli import main
from verification.runs.strict_json import dumps, strict


def parse_strictly(text: str) -> Any:
    return json.loads(text, parse_constant=lambda token: pytest.fail(f"non-strict JSON token {token}"))


def test_non_finite_numbers_become_null_with_the_reason_beside_them() -> None:
    obj = {
        "scale": math.nan,
        "errors": [1.0, math.inf, [2.0, -math.inf]],
        "fine": 3.5,
        "parameters": {"W1": {"relative_error": math.nan, "name": "W1"}},
    }
    assert strict(obj) == {
        "scale": None,
        "errors": [1.0, None, [2.0, None]],
        "fine": 3.5,
        "parameters": {"W1": {"relative_error": None, "name": "W1", "non_finite": {"relative_error": "NaN"}}},
        "non_finite": {"scale": "NaN", "errors[1]": "Infinity", "errors[2][1]": "-Infinity"},
    }
    assert parse_strictly(dumps(obj)) == strict(obj)


def test_an_object_without_non_finite_numbers_is_unchanged() -> None:
    obj = {"a": 1, "b": [0.5, None, "x"], "c": {"d": True}}
    assert strict(obj) == obj and dumps(obj) == json.dumps(obj)


def test_a_reason_the_producer_gave_is_kept() -> None:
    obj = {"scale": None, "x": math.inf, "non_finite": {"scale": "no finite scale fits"}}
    assert strict(obj)["non_finite"] == {"scale": "no finite scale fits", "x": "Infinity"}


def test_the_command_line_writes_its_json_strictly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Answer:
        answers_question = True

        def to_dict(self) -> dict[str, Any]:
            return {"command": "seed", "results": [{"max_relative_error": math.nan}]}

    monkeypatch.setattr(verification.question, "answer_question", lambda **kwargs: Answer())
    assert main(["seed", "--json"]) == 0
    assert parse_strictly(capsys.readouterr().out) == {
        "command": "seed",
        "results": [{"max_relative_error": None, "non_finite": {"max_relative_error": "NaN"}}],
    }
