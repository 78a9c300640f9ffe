"""Render the table of symbolic output deltas as text, Markdown, LaTeX or JSON, and write
``docs/derivations.md`` from the same SymPy expressions.

``python -m verification.symbolic.render`` regenerates ``docs/derivations.md``; ``--check`` exits 1
(writing nothing) when the committed file differs from what the code generates.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from verification.symbolic.catalog import Z, interval_text, loss_domain
from verification.symbolic.pairs import SOFTMAX_SIZES, PairDerivation, derive_table
from verification.terminal_width import fit_line

FORMATS = ("text", "markdown", "latex", "json")
KINK_NOTE = "(not differentiable at z = 0)"
"""What a branch-wise δ (relu's) says of its kink; the text table never breaks it."""
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "derivations.md"


class _TextPrinter(StrPrinter):
    """Plain-text printing: ``a_i`` for indexed symbols, ``Σ_j (…)`` for sums over ``j = 1 … k``."""

    printmethod = "_delta_text"  # no SymPy class defines it, so the methods below are always used

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        return f"{expr.base.label}_{','.join(self._print(i) for i in expr.indices)}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        ((index, _, _),) = expr.limits
        return f"Σ_{self._print(index)} ({self._print(expr.function)})"


def _display(expr: sp.Expr) -> sp.Expr:
    """The relu branch ``otherwise`` shown as ``z < 0`` (at ``z = 0`` the delta is not defined)."""
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(e, Z < 0 if c == sp.true else c) for e, c in expr.args], evaluate=False)
    return expr


def delta_text(pair: PairDerivation) -> str | None:
    """``δ`` as one line of plain text, or None outside the domain."""
    if pair.delta is None:
        return None
    if isinstance(pair.delta, sp.Piecewise):
        branches = [f"{_TextPrinter().doprint(e)} if {c}" for e, c in _display(pair.delta).args]
        return "; ".join(branches) + f" {KINK_NOTE}"
    text = _TextPrinter().doprint(pair.delta)
    return f"δ_i = {text}" if pair.activation == "softmax" else text


def delta_latex(pair: PairDerivation) -> str | None:
    """``δ`` in LaTeX (``δ_i`` with sums over ``j = 1 … k`` for softmax), or None outside the domain."""
    if pair.delta is None:
        return None
    return sp.latex(_display(pair.delta))


def _number(value: sp.Expr) -> float:
    return float(sp.N(value, 30))


def pair_record(pair: PairDerivation) -> dict[str, Any]:
    """The JSON object of one pair: ``loss, activation, delta, delta_latex, shortcut`` and extras.

    Extras: ``pair`` (``loss-activation``), ``piecewise``, ``domain_note`` (string or null), ``k`` (the
    softmax sizes proven, or null), ``counterexample`` (null, or ``{z, y, delta, shortcut}`` lists of
    floats, one entry per output unit, where ``δ`` and ``a − y`` differ).
    """
    ce = pair.counterexample
    return {
        "pair": pair.name,
        "loss": pair.loss,
        "activation": pair.activation,
        "delta": delta_text(pair),
        "delta_latex": delta_latex(pair),
        "shortcut": pair.shortcut,
        "counterexample": None
        if ce is None
        else {key: [_number(v) for v in getattr(ce, key)] for key in ("z", "y", "delta", "shortcut")},
        "piecewise": pair.piecewise,
        "domain_note": pair.domain_note,
        "k": list(pair.sizes) if pair.sizes else None,
    }


def _verdict(pair: PairDerivation) -> str:
    return {True: "yes", False: "no", None: "outside domain"}[pair.shortcut]


def render_json(pairs: Sequence[PairDerivation]) -> str:
    """One JSON object ``{"pairs": [...]}`` (see :func:`pair_record`)."""
    return json.dumps({"pairs": [pair_record(p) for p in pairs]}, indent=2, ensure_ascii=False)


def _join(values: Sequence[float]) -> str:
    text = ", ".join(f"{v:.6g}" for v in values)
    return text if len(values) == 1 else f"({text})"


def render_text(pairs: Sequence[PairDerivation], columns: int | None = None) -> str:
    """A terminal table: pair, shortcut verdict, then δ, the counterexample or the domain note.

    With ``columns``, the last column is wrapped to that width, going on under itself and never
    inside an equation such as ``a − y = -0.27`` (:func:`verification.terminal_width.fit_line`);
    without, each row is one line.
    """
    width = max(len(p.name) for p in pairs)
    rows: list[tuple[str, list[str]]] = [
        (f"{'pair':<{width}}  {'δ ≡ a − y':<14}  output delta δ = ∂ℓ/∂z", []),
        ("-" * (width + 60 if columns is None else min(width + 60, columns)), []),
    ]
    for p in pairs:
        rows.append((f"{p.name:<{width}}  {_verdict(p):<14}  {delta_text(p) or p.domain_note}", [KINK_NOTE]))
        if p.counterexample is not None:
            rec = pair_record(p)["counterexample"]
            z, y, d, sc = (_join(rec[key]) for key in ("z", "y", "delta", "shortcut"))
            equations = [f"z = {z}", f"y = {y}", f"δ = {d}", f"a − y = {sc}"]
            rows.append(
                (
                    f"{'':<{width}}  {'':<14}  differs at {equations[0]}, {equations[1]}: "
                    f"{equations[2]}, {equations[3]}",
                    equations,
                )
            )
    if columns is None:
        return "\n".join(line for line, _ in rows)
    under = " " * (width + 18)
    return "\n".join(
        part for line, keep in rows for part in fit_line(line, columns, continuation=under, keep=keep)
    )


def _markdown_table(pairs: Sequence[PairDerivation]) -> str:
    rows = ["| pair | δ ≡ a − y | output delta δ = ∂ℓ/∂z |", "|---|---|---|"]
    for p in pairs:
        latex = delta_latex(p)
        cell = f"${latex}$" if latex is not None else f"— ({p.domain_note})"
        rows.append(f"| `{p.name}` | {_verdict(p)} | {cell} |")
    return "\n".join(rows)


def render_markdown(pairs: Sequence[PairDerivation]) -> str:
    """A Markdown table with δ in LaTeX math."""
    return _markdown_table(pairs)


def render_latex(pairs: Sequence[PairDerivation]) -> str:
    """A LaTeX ``tabular`` of the pairs."""
    rows = [r"\begin{tabular}{lll}", r"pair & $\delta \equiv a - y$ & $\delta = \partial\ell/\partial z$ \\"]
    rows.append(r"\hline")
    for p in pairs:
        latex = delta_latex(p)
        cell = f"${latex}$" if latex is not None else r"outside domain"
        rows.append(rf"\texttt{{{p.name.replace('_', chr(92) + '_')}}} & {_verdict(p)} & {cell} \\")
    rows.append(r"\end{tabular}")
    return "\n".join(rows)


def render(pairs: Sequence[PairDerivation], fmt: str = "text", columns: int | None = None) -> str:
    """Render ``pairs`` in one of :data:`FORMATS`; ``columns`` fits the ``text`` table to a terminal.

    Raises
    ------
    ValueError
        For an unknown format.
    """
    renderers = {"text": render_text, "markdown": render_markdown, "latex": render_latex, "json": render_json}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    if fmt == "text":
        return render_text(pairs, columns)
    return renderers[fmt](pairs)


def network_formulas_latex() -> list[tuple[str, str]]:
    """The backpropagation formulas, printed by SymPy from matrix expressions: (name, LaTeX)."""
    n, m, p = sp.symbols("n_{l-1} n_l n_{l+1}", integer=True, positive=True)
    a_prev = sp.MatrixSymbol("a^{[l-1]}", 1, n)
    w = sp.MatrixSymbol("W^{[l]}", n, m)
    b = sp.MatrixSymbol("b^{[l]}", 1, m)
    z = sp.MatrixSymbol("z^{[l]}", 1, m)
    delta = sp.MatrixSymbol(r"\delta^{[l]}", 1, m)
    delta_next = sp.MatrixSymbol(r"\delta^{[l+1]}", 1, p)
    w_next = sp.MatrixSymbol("W^{[l+1]}", m, p)
    slope = sp.MatrixSymbol(r"\varphi_l'(z^{[l]})", 1, m)
    grad_w = sp.MatrixSymbol(r"\frac{\partial \ell}{\partial W^{[l]}}", n, m)
    grad_b = sp.MatrixSymbol(r"\frac{\partial \ell}{\partial b^{[l]}}", 1, m)
    return [
        ("pre-activation", sp.latex(sp.Eq(z, a_prev * w + b, evaluate=False))),
        ("backward recursion", sp.latex(sp.Eq(delta, sp.hadamard_product(delta_next * w_next.T, slope)))),
        ("weight gradient", sp.latex(sp.Eq(grad_w, a_prev.T * delta, evaluate=False))),
        ("bias gradient", sp.latex(sp.Eq(grad_b, delta, evaluate=False))),
    ]


def _domain_section(pairs: Sequence[PairDerivation]) -> list[str]:
    from verification.symbolic.catalog import ACTIVATION_IDS, LOSS_IDS, activation_range

    lines = [
        "A pair is derived only when the output activation stays inside the loss's domain: the range of",
        "the activation (closed at an end it attains, decided by `sympy.solveset`) must lie inside the open",
        "interval the loss needs, and `cross_entropy` also needs a probability vector, outputs summing to 1",
        "(only softmax; a sigmoid layer's outputs do not sum to 1). Pairs outside are reported, not derived.",
        "",
        "| loss | activation must lie in |",
        "|---|---|",
    ]
    lines += [f"| `{lo}` | {interval_text(loss_domain(lo))} |" for lo in LOSS_IDS]
    lines += ["", "| activation | range |", "|---|---|"]
    lines += [f"| `{ac}` | {interval_text(activation_range(ac))} |" for ac in ACTIVATION_IDS]
    return lines


def _counterexample_section(pairs: Sequence[PairDerivation]) -> list[str]:
    lines = ["| pair | z | y | δ | a − y |", "|---|---|---|---|---|"]
    for p in pairs:
        rec = pair_record(p)["counterexample"]
        if rec is None:
            continue
        cells = [", ".join(f"{v:.6g}" for v in rec[key]) for key in ("z", "y", "delta", "shortcut")]
        lines.append(f"| `{p.name}` | " + " | ".join(cells) + " |")
    return lines


def render_document() -> str:
    """The whole of ``docs/derivations.md``."""
    pairs = derive_table()
    canonical = ", ".join(f"`{p.name}`" for p in pairs if p.shortcut)
    sizes = ", ".join(str(k) for k in SOFTMAX_SIZES)
    formulas = [f"- {name}: $${latex}$$" for name, latex in network_formulas_latex()]
    lines = [
        "# Output deltas of every loss and output activation",
        "",
        "<!-- Generated by `python -m verification.symbolic.render` from the SymPy expressions in",
        "verification/symbolic/. Do not edit by hand: tests/test_derivation_docs.py fails when this",
        "file differs from what the code generates. -->",
        "",
        "For a loss ℓ and an output activation a = φ(z), the output delta is δ = ∂ℓ/∂z. Each entry below",
        "is derived by SymPy: ℓ(φ(z), y) is differentiated with respect to z, simplified, and rewritten",
        "in terms of the activation a and the label y (z remains only in relu's branch condition). The",
        "column *δ ≡ a − y* says whether the shortcut backward pass (`shortcut`, δ = a − y) is the exact",
        "gradient: *yes* is proven by simplification to 0, *no* comes with a point where the two differ",
        "(listed below, and checked by substitution in the tests), *outside domain* means the pair is",
        "not a valid loss for that output and is not derived.",
        "",
        f"The shortcut is exact for {canonical}: the canonical links of generalised linear models",
        "(McCullagh & Nelder, *Generalized Linear Models*, 1989, §2.2.4; Bishop, *Pattern Recognition and",
        "Machine Learning*, 2006, §4.3.6). The `chain` backward pass, δ = (a − y) ⊙ φ'(z), is the row",
        "`mse-<activation>` of the table.",
        "",
        "## The table",
        "",
        _markdown_table(pairs),
        "",
        "Softmax rows give the component δ_i, with sums over j = 1 … k. Softmax couples its outputs, so",
        "δ_i = Σ_j ∂ℓ/∂a_j · ∂a_j/∂z_i with the full Jacobian ∂a_j/∂z_i = a_j (1[i = j] − a_i); the",
        f"formula is proven equal to SymPy's derivative at every size k = {sizes}, using Σ_j a_j = 1 and,",
        "for `cross_entropy`, its label rule Σ_j y_j = 1. Relu is piecewise: δ has one formula for z > 0",
        "and another for z < 0, and is not defined at z = 0 (ffnn takes the subgradient 0 there).",
        "",
        "## Where the shortcut differs",
        "",
        "Exact values at one point each (softmax at k = 2), rounded for display:",
        "",
        *_counterexample_section(pairs),
        "",
        "## Domains",
        "",
        *_domain_section(pairs),
        "",
        "## Whole networks",
        "",
        "Row vectors, one sample; the batch loss is the mean over samples. Backpropagation starts from",
        "the output delta of the table, δ^[L], and uses",
        "",
        *formulas,
        "",
        "`tests/test_symbolic_network.py` builds the loss of every weight symbolically for 2-2-2 and",
        "3-2-2 networks (sigmoid hidden layer, with and without biases), for every valid pair with a",
        "smooth output activation, differentiates it with respect to every weight and proves these",
        "formulas equal to it exactly. For the question's 30-5-3 sigmoid network,",
        "`verification.symbolic.oracle.gradient_oracle` lambdifies the symbolic gradient (with common",
        "subexpression elimination) as a numeric oracle; the tests compare it with ffnn's backprop to",
        "1e-12 relative and with central differences within their error estimate.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``docs/derivations.md``; with ``--check``, only report whether it is current (exit 1 if
    not)."""
    parser = argparse.ArgumentParser(prog="python -m verification.symbolic.render", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale; write nothing")
    parser.add_argument("--output", type=Path, default=DOC_PATH, help=f"default: {DOC_PATH}")
    args = parser.parse_args(argv)
    text = render_document()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is stale; run python -m verification.symbolic.render", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
