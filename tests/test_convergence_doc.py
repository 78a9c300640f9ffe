"""docs/convergence.md is what the convergence study generates now (the text; the figure is not
compared). The document's study trains seeds 0–999 with four rules at five learning rates: this one
test takes a few seconds, the rest of the study's tests use a handful of seeds."""

from __future__ import annotations

import re

from verification.convergence.document import DOC_PATH, doc_study, render_document

TIE_COUNT = re.compile(r"\b\d+(?=\s+seeds?\s+of\b)")
"""The number of seeds that end in a tie, which depends on the last bit of the machine's exp (the
document says so); where ties occur (rule, η) is compared."""


def _ties_paragraph(document: str) -> str:
    (paragraph,) = [p for p in document.split("\n\n") if p.startswith("Ties for the largest output")]
    return paragraph


def test_committed_document_is_current() -> None:
    committed = DOC_PATH.read_text(encoding="utf-8")
    generated = render_document(doc_study())
    stale = (
        f"{DOC_PATH} is stale: regenerate it with `python -m verification.convergence.document` (nox -s docs)"
    )
    ties = _ties_paragraph(generated)
    assert committed.replace(_ties_paragraph(committed), ties) == generated, stale
    assert TIE_COUNT.sub("N", _ties_paragraph(committed)) == TIE_COUNT.sub("N", ties), stale
