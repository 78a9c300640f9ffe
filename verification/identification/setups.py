"""A verdict that survives its setup: identification under every plausible reading of it.

Detection guesses what it cannot read (the label format, what the loss is applied to); a verdict made at
a wrong guess is a wrong verdict ("none" for correct code whose one-hot labels were given as indices, or
whose scores were taken for probabilities). :func:`identify_setups` identifies the code under the setup
detected and under each variant that runs (:func:`verification.adapters.variants.variants`) and keeps a
verdict only when it holds:

Variant readings are first identified at a glance (two probes, a smaller entry budget, no batch probe);
the reading kept is identified in full.

* every reading gives the same loss (or none at all): that verdict;
* exactly one loss (or split) is found among the readings, the others finding none: the reading that
  finds it, which the report names (with the option that picks it);
* readings that find *different* losses: no verdict; the check is refused with cause ``ambiguous``,
  listing each reading with the option that picks it and what it finds.

When no reading finds a loss although the code back-propagates one output error (a setup read wrong
gives a clean error of the wrong thing), the other input layouts are read too (``layouts``), under the
same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ffnn.validation import InputError, one_line
from verification.adapters.subject import Subject
from verification.adapters.variants import Variant
from verification.identification.identify import NotApplicable, identify
from verification.identification.outcome import Alternative, IdentificationReport
from verification.identification.request import Probing
from verification.identification.sentences import format_scale
from verification.reading.label_use import sibling_trees, uses_labels_as_indices

DETECTED = "as detected"
"""How the reading detection chose is named among the alternatives."""
GLANCE_BUDGET = 256
"""Entries per probe checked one by one when a variant reading is first tried (two probes, no batch):
enough to see whether it finds a loss at all; the reading kept is then checked in full."""


@dataclass(frozen=True)
class Kept:
    """The reading whose verdict survives, and every reading tried.

    Attributes
    ----------
    report : IdentificationReport
    subject : Subject
        The subject of the reading kept (its recipe is the explicit form the report prints).
    alternatives : list of Alternative
        Every reading with what it found; empty when nothing was varied.
    """

    report: IdentificationReport
    subject: Subject
    alternatives: list[Alternative]


class Ambiguous(InputError):
    """Readings of the setup that find different losses, or a backward pass and the training code that
    calls it (``why`` says which): no verdict (cause ``ambiguous``).

    Attributes
    ----------
    alternatives : list of Alternative
    """

    def __init__(
        self, subject: str, alternatives: list[Alternative], hint: str | None = None, why: str | None = None
    ) -> None:
        listed = "; ".join(f"{a.option}: {a.verdict}" for a in alternatives)
        why = why or "the verdict depends on how the setup is read, and the code's own use does not say which"
        super().__init__(
            f"{subject}: {why} ({listed})",
            hint=hint
            or "pick the reading with its option, e.g. "
            + _example(alternatives)
            + _as_detected(alternatives),
        )
        self.cause = "ambiguous"
        self.alternatives = alternatives


def _as_detected(alternatives: list[Alternative]) -> str:
    """How to pick the reading detected when the others read the output otherwise: ``--output as-is``."""
    if any(a.option.startswith("--output") for a in alternatives):
        return "; --output as-is keeps the reading as detected"
    return ""


def _example(alternatives: list[Alternative]) -> str:
    """The option of the first reading other than the one detected that finds a loss (else of the first
    other reading)."""
    others = [a for a in alternatives if a.option != DETECTED]
    finding = [a for a in others if a.verdict != "none" and not a.verdict.startswith("did not")]
    return (finding or others)[0].option


def identify_setups(
    subject: Subject,
    variants: list[Variant],
    loss: str,
    probing: Probing,
    progress: Callable[[int, int], None] | None = None,
    layouts: Callable[[], list[Variant]] | None = None,
) -> Kept:
    """Identify ``subject`` and its variants and keep the verdict that survives (module docstring).

    Returns
    -------
    Kept
        The report of the reading kept (its notes say which was kept and why), its subject, and every
        reading with what it found.

    Raises
    ------
    Ambiguous
        When readings find different losses.
    InputError
        As :func:`verification.identification.identify.identify` on the detected reading.
    """
    try:
        first = identify(subject, loss, probing, progress=progress)
        inapplicable: NotApplicable | None = None
    except NotApplicable as exc:  # the loss asked may apply at another reading (scores: --output softmax)
        first, inapplicable = identify(subject, "auto", probing, progress=progress), exc
    except InputError as exc:  # step(x, y_pm1) raising at labels of 0: the reading that runs, if one
        return _other_reading(variants, loss, probing, exc)
    error = first.verdict.output_error
    layout_doubt = first.identified is None and error is not None and error.consistent
    if not variants and not (layout_doubt and layouts is not None):
        if inapplicable is not None:
            raise inapplicable
        if _found(first) == "none":
            _confirm_index_labels(subject, [])
            _confirm_output_domain(subject.name, first)
        return Kept(first, subject, [])
    results = [(DETECTED, first)]
    subjects = {DETECTED: subject}
    glance = replace(probing, probes=2, budget=min(probing.budget, GLANCE_BUDGET), full=False)
    _glance(variants, loss, glance, first, results, subjects)
    found = _findings(results)
    if not found and layout_doubt and layouts is not None:
        # one output error back-propagated, of no catalog loss: the layout may have been read wrong
        _glance(layouts(), loss, glance, first, results, subjects)
        found = _findings(results)
    alternatives = [Alternative(option, _found(report)) for option, report in results]
    if len(found) > 1:
        raise Ambiguous(first.subject, alternatives)
    if inapplicable is not None and not found:
        raise inapplicable
    if not found or alternatives[0].verdict in found:
        if inapplicable is not None:
            raise inapplicable
        if not found:
            _confirm_index_labels(subject, alternatives)
            _confirm_output_domain(subject.name, first)
        return Kept(_noted(first, alternatives, kept=DETECTED), subject, alternatives)
    option = next(o for o, r in results if _found(r) in found)
    report = identify(subjects[option], loss, probing)  # the reading kept, checked in full
    return Kept(_noted(report, alternatives, kept=option), subjects[option], alternatives)


def _other_reading(variants: list[Variant], loss: str, probing: Probing, exc: InputError) -> Kept:
    """When the detected reading raises, the first other reading of the code itself (a call given
    ``2 * y - 1`` for labels named as −1 or +1), if it runs (for a gradient that did not change with its
    labels, :func:`_label_reading`); else ``exc`` is raised."""
    if getattr(exc, "label_blind", False):  # labels in a format the code does not read them in
        return _label_reading(variants, loss, probing, exc)
    for v in [v for v in variants if v.option.startswith(("--gradient", "--step"))]:
        try:
            report = identify(v.subject, loss, probing)
        except InputError:
            continue
        alternatives = [
            Alternative(DETECTED, f"did not run: {one_line(exc)}"),
            Alternative(v.option, _found(report)),
        ]
        return Kept(_noted(report, alternatives, kept=v.option), v.subject, alternatives)
    raise exc


def _label_reading(variants: list[Variant], loss: str, probing: Probing, exc: InputError) -> Kept:
    """When the detected reading's gradient did not change with its labels (one-hot rows handed to code
    that indexes with them: ``p[range(n), y] -= 1`` subtracts at the same places for every class), the
    one other reading whose glance finds a loss, checked in full; ``exc`` is raised when none does, or
    when readings find different losses."""
    glance = replace(probing, probes=2, budget=min(probing.budget, GLANCE_BUDGET), full=False)
    results = []
    for v in variants:
        try:
            results.append((v, identify(v.subject, loss, glance, batches=False)))
        except InputError:
            continue
    finding = [(v, r) for v, r in results if _found(r) != "none"]
    if len({_found(r) for _, r in finding}) != 1:
        raise exc
    kept = finding[0][0]
    report = identify(kept.subject, loss, probing)
    alternatives = [Alternative(DETECTED, f"did not run: {one_line(exc)}")]
    alternatives += [Alternative(v.option, _found(r)) for v, r in results]
    return Kept(_noted(report, alternatives, kept=kept.option), kept.subject, alternatives)


def _confirm_index_labels(subject: Subject, alternatives: list[Alternative]) -> None:
    """Refuse a verdict of no loss made at labels read as class indices when one-hot labels did not run
    and the script never uses its labels as indices (nor do the modules beside it whose classes and
    functions the run uses) (:mod:`verification.reading.label_use`): the code
    may take its labels in a form the checker cannot give, and run with indices only by broadcasting
    one index against every output.

    Raises
    ------
    Ambiguous
        Listing the reading detected and the one-hot reading that did not run.
    """
    recipe = getattr(subject, "recipe", None)
    script = getattr(subject, "script", None)
    if recipe is None or recipe.layout.labels != "index" or subject.n_outputs < 2 or script is None:
        return
    if any(a.option.startswith("--labels one-hot") for a in alternatives):
        return  # one-hot labels ran too, and found no loss either
    namespace = getattr(subject, "namespace", {})
    folder = script.path.resolve().parent
    beside = sibling_trees(namespace, folder, script.path.resolve())
    if any(uses_labels_as_indices(tree) for tree in [script.tree, *beside]):
        return
    raise Ambiguous(
        subject.name,
        [
            Alternative(f"{DETECTED} (--labels index)", "none"),
            Alternative("--labels one-hot", "did not run"),
        ],
        hint="the code runs with class indices, but nowhere uses its labels as indices; give the labels as "
        "it takes them, converting y in --gradient or --step of the reading detected: "
        + recipe.command(str(script.path)),
    )


DOMAIN_ERRORS = {"(a − y) / (a (1 − a))": "bce", "−y / a": "cross_entropy"}
"""Output errors that are a catalog loss's own ``∂ℓ/∂a`` (:data:`verification.identification.
output_error.EXPRESSIONS`) where that loss holds only for outputs in its domain (probabilities)."""


def _confirm_output_domain(name: str, report: IdentificationReport) -> None:
    """Refuse a verdict of no loss for code that consistently back-propagates a catalog loss's own output
    error (bce's ``(a − y) / (a (1 − a))``) on outputs outside that loss's domain (not probabilities):
    the code is that loss's gradient for the network its author builds, and the network as built here
    (a guessed construction without its last sigmoid) is another.

    Raises
    ------
    Ambiguous
        Naming the loss and the output error.
    """
    error = report.verdict.output_error
    if error is None or not error.consistent or error.loss is not None:
        return
    loss = DOMAIN_ERRORS.get(error.expression or "")
    if loss is None:
        return
    raise Ambiguous(
        name,
        [
            Alternative(DETECTED, "none"),
            Alternative("outputs in the loss's domain", f"{loss}'s output error"),
        ],
        hint=f"the code back-propagates {loss}'s output error {error.expression}, on outputs that are not "
        f"probabilities: the network as built is not one {loss} applies to, likely not built as its author "
        "builds it; give the construction with --setup",
    )


def _glance(
    variants: list[Variant],
    loss: str,
    glance: Probing,
    first: IdentificationReport,
    results: list[tuple[str, IdentificationReport]],
    subjects: dict[str, Subject],
) -> None:
    """Identify each variant at a glance, appending ``(option, report)`` to ``results``."""
    for v in variants:
        subjects[v.option] = v.subject
        try:
            results.append((v.option, identify(v.subject, loss, glance, batches=False)))
        except InputError as exc:
            results.append((v.option, _failed(first, str(exc))))


def _findings(results: list[tuple[str, IdentificationReport]]) -> set[str]:
    """The losses (or splits) the readings found."""
    return {f for f in (_found(r) for _, r in results) if f != "none" and not f.startswith("did not")}


def _found(report: IdentificationReport) -> str:
    if report.notes and report.notes[-1].startswith("did not run"):
        return report.notes[-1]
    if report.identified is not None:
        scale = "" if report.scale == 1.0 else f" × {format_scale(report.scale, report.rtol)}"
        return f"{report.identified}{scale}" + ("" if report.verdict.holds_for_batches else " (one sample)")
    if report.split is not None:
        return "split (" + ", ".join(f"{n}: {l}" for n, l in report.split.items()) + ")"
    error = report.verdict.output_error
    if error is not None and error.penalty and error.loss is not None:
        return f"{error.loss} + L2 penalty"
    return "none"


def _failed(template: IdentificationReport, why: str) -> IdentificationReport:
    return replace(template, notes=[*template.notes, f"did not run: {why}"])


def _noted(report: IdentificationReport, alternatives: list[Alternative], kept: str) -> IdentificationReport:
    others = [a for a in alternatives if a.option != kept]
    if not others:
        return report
    listed = "; ".join(f"{a.option}: {a.verdict}" for a in others)
    how = "the setup as run" if kept == DETECTED else f"the reading {kept}"
    return replace(report, notes=[*report.notes, f"setup varied: {how} is kept; the others found: {listed}"])
