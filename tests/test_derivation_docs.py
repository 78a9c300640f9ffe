"""docs/derivations.md is current, and `backprop-verify derive` prints the table in every format with
the JSON contract of DESIGN.md."""

from __future__ import annotations

import json

import pytest

from ffnn.activations import ACTIVATIONS
from ffnn.losses import LOSSES
from verification.cli import main
from verification.symbolic.pairs import derive_pair, derive_table
from verification.symbolic.render import DOC_PATH, FORMATS, delta_latex, render, render_document

CANONICAL = {"mse-identity", "bce-sigmoid", "cross_entropy-softmax", "poisson_nll-exp"}


def test_committed_document_is_current() -> None:
    committed = DOC_PATH.read_text(encoding="utf-8")
    assert committed == render_document(), (
        f"{DOC_PATH} is stale: regenerate it with `python -m verification.symbolic.render`"
    )


def _derive_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["derive", "--format", "json", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def test_json_lists_every_pair_with_its_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    pairs = _derive_json(capsys)["pairs"]
    assert [(p["loss"], p["activation"]) for p in pairs] == [(lo, ac) for lo in LOSSES for ac in ACTIVATIONS]
    for p in pairs:
        name = f"{p['loss']}-{p['activation']}"
        assert {"loss", "activation", "delta", "delta_latex", "shortcut"} <= p.keys(), name
        if p["shortcut"] is None:
            assert p["domain_note"] and p["delta"] is None and p["counterexample"] is None, name
        elif p["shortcut"]:
            assert name in CANONICAL and p["counterexample"] is None, name
        else:
            assert name not in CANONICAL, name
            ce = p["counterexample"]
            assert ce["delta"] != ce["shortcut"], f"{name}: the counterexample does not differ: {ce}"
    assert {f"{p['loss']}-{p['activation']}" for p in pairs if p["shortcut"]} == CANONICAL


def test_json_filters_by_loss_and_activation(capsys: pytest.CaptureFixture[str]) -> None:
    pairs = _derive_json(capsys, "--loss", "bce", "--activation", "sigmoid")["pairs"]
    assert len(pairs) == 1
    assert (pairs[0]["delta"], pairs[0]["delta_latex"], pairs[0]["shortcut"]) == ("a - y", "a - y", True)
    softmax = _derive_json(capsys, "--activation", "softmax")["pairs"]
    assert all(p["k"] == [2, 3, 4, 5] for p in softmax), softmax


def test_latex_is_pinned_for_two_pairs() -> None:
    assert delta_latex(derive_pair("cross_entropy", "softmax")) == "{a}_{i} - {y}_{i}"
    assert delta_latex(derive_pair("mse", "relu")) == (
        r"\begin{cases} a - y & \text{for}\: z > 0 \\0 & \text{for}\: z < 0 \end{cases}"
    )


def test_default_text_names_every_pair(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive"]) == 0
    out = capsys.readouterr().out
    for pair in derive_table():
        assert pair.name in out, pair.name
    assert "not differentiable at z = 0" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_pair(fmt: str) -> None:
    text = render(derive_table(), fmt)
    for pair in derive_table():
        name = pair.name.replace("_", "\\_") if fmt == "latex" else pair.name
        assert name in text, f"{fmt}: {pair.name} missing"


def test_bad_usage_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "--loss", "l2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "l2" in captured.err, captured.err


def test_unknown_render_format_raises() -> None:
    with pytest.raises(ValueError, match="yaml"):
        render(derive_table(), "yaml")
