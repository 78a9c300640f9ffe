"""docs/convergence.md is what the convergence study generates now (the text; the figure is not
compared). The document's study trains seeds 0–999 with four rules at five learning rates: this one
test takes a few seconds, the rest of the study's tests use a handful of seeds."""

from __future__ import annotations

from verification.convergence.document import DOC_PATH, doc_study, render_document


def test_committed_document_is_current() -> None:
    committed = DOC_PATH.read_text(encoding="utf-8")
    assert committed == render_document(doc_study()), (
        f"{DOC_PATH} is stale: regenerate it with `python -m verification.convergence.document` (nox -s docs)"
    )
