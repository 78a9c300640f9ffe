"""A verdict on a backward pass, confirmed by the training code of the same file that calls it.

Checked without a name (``check FILE``), a file's backward function or gradient method is what
detection picks: ``backward(x, y, …)`` beside a top-level loop that calls it, ``Network.backprop``
beside the ``update_mini_batch`` that sums its gradients and steps. The bug may be in the caller: it
hands the backward pass the label of another sample (``backward(x, Y[i - 1], …)``), overwrites where
it should add up over a mini-batch (``nabla_b = …`` for ``+=``), or never steps a parameter.
:func:`confirm_with_callers` checks the caller too, as written, and when the two verdicts differ
refuses with cause ``ambiguous``, naming both: the function alone and the training that uses it are
two readings of the file, and a verdict must hold for both. A caller that cannot be checked leaves
the verdict as it is; ``FILE:NAME`` checks one alone.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError
from verification.adapters.method_calls import DECAY_OFF
from verification.adapters.options import Options
from verification.adapters.scripts import detect_script
from verification.adapters.variants import variants
from verification.identification.outcome import Alternative, IdentificationReport
from verification.identification.request import CheckRequest
from verification.identification.sentences import verdict_sentence
from verification.identification.setups import Ambiguous, identify_setups
from verification.reading.loader import LoadedScript
from verification.reading.source_trees import source_tree
from verification.reading.targets import Target
from verification.reading.training_loops import training_loop
from verification.units.construction import BIAS


def confirm_with_callers(
    script: LoadedScript,
    code: Any,
    report: IdentificationReport,
    request: CheckRequest,
    options: Options,
    check: Callable[[CheckRequest], Any],
    setup: str | None = None,
) -> str | None:
    """Check the training code that calls the backward pass ``report`` is about: the script's top-level
    loop that calls the function ``code``, or the method of the class ``code`` that calls the method
    checked (``check`` checks ``CLASS.METHOD`` as the ``check`` command does), built by the ``setup``
    the method was checked with, when given: the same network, and no other construction tried.

    Returns
    -------
    str or None
        A note for the report when the caller agrees and adds an L2 penalty (weight decay) that the
        backward pass alone does not have: the caller's verdict, which is what the training follows.

    Raises
    ------
    Ambiguous
        When the two verdicts differ, naming both and how to check each alone.
    """
    found, caller_name = None, None
    if inspect.isfunction(code):
        found = _loop_reading(script, code, request, options)
    elif isinstance(code, type) and "." in report.subject:
        found = _method_reading(script, code, report.subject.rsplit(".", 1)[1], request, check, setup)
        caller_name = found[0].split(",")[0] if found is not None else None
    if found is None:
        return None
    caller, other = found
    alone, called = _reading(report), _reading(other)
    if alone == called:
        if other.verdict.penalized and not report.verdict.penalized:
            return f"the training that calls it ({caller}): {verdict_sentence(other)}"
        off = [n for n in other.notes if DECAY_OFF in n]  # update_mini_batch(…, lmbda, n) given lmbda = 0
        return f"the training that calls it ({caller}) agrees; {off[0]}" if off else None
    name, path = report.subject, request.target.path
    where = f"check it by name to see where: {path}:{caller_name}" if caller_name else "check what it does"
    raise Ambiguous(
        name,
        [Alternative(f"{name} alone ({path}:{name})", alone), Alternative(caller, called)],
        hint=f"{name} alone is {_as_loss(alone)}, the training that calls it {_as_loss(called)} (the "
        f"labels it hands on, the update it makes); {where}; {path}:{name} checks {name} alone",
        why="the training code that calls it steps along another gradient",
    )


def _loop_reading(
    script: LoadedScript, code: Any, request: CheckRequest, options: Options
) -> tuple[str, IdentificationReport] | None:
    """The script's own training loop checked, when it calls the function ``code``."""
    loop = training_loop(script.tree)
    if loop is None or not any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == code.__name__
        for stmt in loop.body
        for n in ast.walk(stmt)
    ):
        return None
    try:
        subject = detect_script(script.module.__dict__, script, options)
        found = identify_setups(subject, variants(subject, options), request.loss, request.probing).report
    except InputError:
        return None
    return f"the training loop at line {loop.line} that calls it", found


def _method_reading(
    script: LoadedScript,
    cls: type,
    method: str,
    request: CheckRequest,
    check: Callable[[CheckRequest], Any],
    setup: str | None,
) -> tuple[str, IdentificationReport] | None:
    """The first method of ``cls`` that calls ``self.method(…)`` checked, by name, built by ``setup``
    when given (the construction ``method`` was checked with; guessing others again costs seconds, as
    many as a wide default makes: ``NumpyNet(arch=[784] * 4)``)."""
    for name, member in vars(cls).items():
        tree = source_tree(member) if inspect.isfunction(member) and name != method else None
        if tree is None or not any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == method
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "self"
            for n in ast.walk(tree)
        ):
            continue
        try:
            options = replace(request.options, setup=setup or request.options.setup)
            target = Target(request.target.path, f"{cls.__name__}.{name}")
            other = check(replace(request, target=target, options=options))
        except InputError:
            return None
        return f"{cls.__name__}.{name}, which calls it", other.result
    return None


def _reading(report: IdentificationReport) -> str:
    """A verdict in a few words: the loss, ``none``, or the loss for one sample but not at a batch. A
    loss plus an L2 penalty is the loss: a caller that adds weight decay (``reg`` at its default,
    ``5e-6``) to the gradient of a function checked without it (``reg=0.0``) confirms that gradient."""
    verdict = report.verdict
    error = verdict.output_error
    loss = report.identified or (error.loss if verdict.penalized and error is not None else None)
    if loss is not None and verdict.penalized and error is not None and _biases_only(error.penalty):
        return f"{loss} with weight decay on the biases alone"  # a decay meant for the weights, misplaced
    if loss is None:
        return "none"
    if verdict.holds_for_batches is False:
        return f"{loss} for one sample, not at a batch"
    return loss


def _biases_only(penalty: dict[str, float]) -> bool:
    """Whether an L2 penalty falls on biases alone (``biases[0]``, ``b1``, ``params['b1']``), on no
    weight: the last name in each parameter's path is a bias's (:data:`~verification.units.construction.
    BIAS`)."""
    decayed = [n for n, lam in penalty.items() if lam]
    names = [[t for t in re.split(r"[.\[\]'\"]+", n) if t and not t.isdigit()] for n in decayed]
    return bool(decayed) and all(parts and BIAS.search(parts[-1]) for parts in names)


def _as_loss(name: str) -> str:
    return "the gradient of no catalog loss" if name == "none" else f"the gradient of {name}"
