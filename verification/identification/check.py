"""The ``check`` command's work: load a script, adapt the code in it, identify its loss.

:func:`check_target` carries out a :class:`~verification.identification.request.CheckRequest`: it loads
``PATH[:NAME]`` without running its top-level statements (:mod:`verification.reading.loader`), makes a
subject of the code by the explicit form or by detection (:mod:`verification.adapters.detection`) and
identifies the loss its backward pass is the gradient of
(:mod:`verification.identification.identify`). The report, as text and JSON, is written by
:mod:`verification.identification.report`; both print the explicit form that was run, so a reader can
repeat and edit it.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from ffnn.validation import InputError
from verification.adapters.detection import adapt, driven_subject
from verification.adapters.options import Options
from verification.adapters.script_labels import OWN_LABELS, label_form
from verification.adapters.subject import CodeSubject, Subject
from verification.adapters.variants import other_layouts, variants
from verification.identification.callers import confirm_with_callers
from verification.identification.linearity import linear_note
from verification.identification.outcome import CheckReport
from verification.identification.request import CheckRequest
from verification.identification.setups import identify_setups
from verification.reading import conventions as cv
from verification.reading.constructors import misspelt_constructor
from verification.reading.label_use import uses_labels_as_indices
from verification.reading.loader import LoadedScript, load_script
from verification.reading.python2 import python2_builtins
from verification.reading.slices import constructed_as, flat_body
from verification.reading.source_trees import source_tree
from verification.reading.sources import Python2Syntax
from verification.reading.targets import default_name


def check_target(request: CheckRequest, progress: Callable[[int, int], None] | None = None) -> CheckReport:
    """Carry out ``request``: load its script without running its top-level statements, make a subject
    of the code and identify its loss.

    Parameters
    ----------
    request : CheckRequest
        The target, the loss asked about (or ``auto``), how to probe, the explicit form's pieces, and
        whether the script is Python 2 (``python2``: True translates it with 2to3 first; None
        translates it when reading it as Python 3 finds Python 2 syntax, and says so; False refuses
        Python 2 syntax).
    progress : callable, optional
        ``progress(done, total)`` in forward evaluations.

    Returns
    -------
    CheckReport

    Raises
    ------
    InputError
        File or name not found, code that raises, wrong shapes, non-finite values, a zero learning
        rate: one line naming the problem.
    """
    start = time.perf_counter()
    target, options = request.target, request.options
    script, translated = _load(target.path, request.python2)
    if target.name is not None:
        code = script.get(target.name)
    else:
        code = None if options.explicit else _default(script)
    own = _script_labels(script, options, code)
    if own is not None:  # the labels as the script's own training loop makes them
        options = replace(options, labels=own)
    try:
        subject = adapt(code, options, script)
    except InputError as exc:  # train(net, X, y, …) chosen for the file, refused: the class main() drives
        driven = None if target.name or options.explicit or code is None else driven_subject(script, options)
        if driven is None:
            raise _misspelt(script, code) or exc from None
        subject = driven
    detected = list(subject.notes)
    if own is not None:
        subject.notes.append(OWN_LABELS[own])
    if translated:
        subject.notes.insert(0, f"{translated}; translated by 2to3{_division_note(script)}")
    if script.source is not None and script.source.unparsed:
        cells = "; ".join(script.source.unparsed)
        subject.notes.insert(
            0,
            f"not Python, left out as Jupyter would run the other cells: {cells}"
            if script.source.origins is not None
            else f"a definition with a syntax error, left out: {cells}",
        )
    if script.draws:  # rng.permutation(n) in fit: the batch probe compares samples in order
        drawn = ", ".join(f"{d.call} (line {d.line})" for d in script.draws)
        subject.notes.append(f"random draws of samples made fixed (the samples in order, rotated): {drawn}")
    if script.aliases:
        names = ", ".join(n if "." in n else f"np.{n}" for n in script.aliases)
        pronoun = "it" if len(script.aliases) == 1 else "they"
        subject.notes.insert(
            0, f"{names}, removed from NumPy, SciPy or Python since, read as what {pronoun} stood for"
        )
    old = python2_builtins(script.tree)  # xrange in a script that parses as Python 3
    if old:
        read = ", ".join(f"{n} as {getattr(v, '__name__', v)}" for n, v in old.items())
        subject.notes.insert(0, f"Python 2 builtins read as Python 3's: {read}")
    linear = linear_note(subject, request.probing.seed) if isinstance(subject, CodeSubject) else None
    if linear is not None:
        subject.notes.append(linear)
        _refuse_linear_composition(subject)
    probing = request.probing
    needed = getattr(getattr(subject, "reading", None), "samples", 1)
    if needed > probing.samples:  # labels one-hot encoded as wide as their largest class
        probing = replace(probing, samples=needed)
    kept = identify_setups(
        subject,
        variants(subject, options),
        request.loss,
        probing,
        progress,
        layouts=partial(other_layouts, subject, options),
    )
    if kept.subject is not subject:  # another reading kept: the notes of the file hold for it too
        added = [n for n in subject.notes if n not in detected and n not in kept.report.notes]
        kept = replace(kept, report=replace(kept.report, notes=added + kept.report.notes))
    if target.name is None and not options.explicit:  # a verdict that holds for the code that calls it
        setup = kept.subject.recipe.setup if kept.subject.recipe is not None else None
        note = confirm_with_callers(script, code, kept.report, request, options, check_target, setup)
        kept.report.notes.extend([note] if note else [])
    seconds = time.perf_counter() - start
    return CheckReport(
        target,
        script,
        kept.report,
        kept.subject.recipe,
        seconds,
        python2=bool(translated),
        alternatives=kept.alternatives,
    )


def _misspelt(script: LoadedScript, code: Any) -> InputError | None:
    """A refusal naming a misspelt constructor (:mod:`verification.reading.constructors`) of the
    class checked, or, checking the file, of its one class that has one; None when there is none."""
    classes = [code] if isinstance(code, type) else [script.get(n) for n in script.defined_names()]
    found = [(c, m) for c in classes if isinstance(c, type) for m in [misspelt_constructor(c)] if m]
    if len(found) != 1:
        return None
    cls, name = found[0]
    error = InputError(
        f"{cls.__name__} defines {name}, not __init__: Python never calls it, so {cls.__name__}() "
        "takes no arguments and makes no weights (a bug in the code)",
        hint=f"rename {name} to __init__, then check again",
    )
    error.cause = "code-failed"  # type: ignore[attr-defined]  # for the JSON refusal
    return error


def _script_labels(script: LoadedScript, options: Options, code: Any) -> str | None:
    """The form of the labels (``index`` for 1-D, ``one-hot`` for 2-D) that the script's own top level
    hands a class it builds, as its training or backward method's labels argument (``y = (data[:, 3] >
    0).astype(float)`` … ``net = TinyNet()`` … ``net.backward(X, y)``), when the labels are not given
    and the class is checked without the explicit form; None otherwise, and when the script's calls
    hand labels of different forms. A script's own training loop is read so by
    :func:`verification.adapters.scripts.script_recipes` already."""
    if options.labels is not None or options.explicit or not isinstance(code, type):
        return None
    body = flat_body(script.tree)
    built = constructed_as(body, code.__name__)
    forms = set()
    for index, stmt in enumerate(body):
        for call in (n for n in ast.walk(stmt) if isinstance(n, ast.Call)):
            label = _label_argument(call, built, code)
            if label == "":  # a training call handing an expression (np.eye(3)[y]): its form is not read
                return None
            if label is not None:
                forms.add(label_form(dict(script.module.__dict__), script, body[:index], label))
    return forms.pop() if len(forms) == 1 else None


def _label_argument(call: ast.Call, built: set[str], cls: type) -> str | None:
    """The name handed as labels (the argument whose role is ``y``) in ``net.m(…)``, ``net`` built from
    ``cls`` (or ``Cls(…).m(…)``) and ``m`` a training method of it (:data:`TRAINING_CALL`); ``""`` when
    it hands an expression, not a name, or when ``m`` uses its labels as class indices (one-hot encodes
    them, :func:`~verification.reading.label_use.uses_labels_as_indices`), so that the form it is
    handed is not the form its backward pass takes; None when the call is no such call."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value
    named = isinstance(receiver, ast.Name) and receiver.id in built
    made = (  # Regressor().fit(X, y): built and trained in one expression
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and receiver.func.id == cls.__name__
    )
    if not (named or made):
        return None
    method = getattr(cls, func.attr, None)
    if not callable(method) or not TRAINING_CALL.search(func.attr):
        return None  # accuracy(X, y), score(X, y): an evaluation's labels say nothing of training's
    params = [p for p in cv.positional_parameters(method) if p.name not in ("self", "cls")]
    tree = source_tree(method)
    for i, arg in enumerate(call.args[: len(params)]):
        if cv.role(params[i].name, i) == "y":
            if tree is not None and uses_labels_as_indices(tree):  # fit(X, y): Y = np.eye(k)[y] …
                return ""  # … what it hands its backward pass is not the form it is handed
            return arg.id if isinstance(arg, ast.Name) else ""
    return None


TRAINING_CALL = re.compile(r"train|fit|back|grad|step|update|learn|sgd|descent|propagat", re.I)
"""Methods whose labels are those the network trains on (``train``, ``fit_batch``, ``backward``)."""


def _division_note(script: LoadedScript) -> str:
    """``; / at lines 12, 30 divides as in Python 2 (two integers floor)`` for the divisions whose
    operands are not float literals (which may have been integers), else ``""``; the Python 3 reading
    when the module imports ``division`` from ``__future__``."""
    import ast

    from verification.reading.classic_division import DIVIDE, future_division_written

    lines = sorted(
        {
            node.lineno
            for node in ast.walk(script.tree)
            if isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and not any(
                isinstance(side, ast.Constant) and isinstance(side.value, float)
                for side in (node.left, node.right)
            )
        }
    )
    if not lines:
        return ""
    shown = ", ".join(map(str, lines[:6])) + ("…" if len(lines) > 6 else "")
    where = f"line {shown}" if len(lines) == 1 else f"lines {shown}"
    if DIVIDE in script.module.__dict__:
        return f"; / at {where} divides as in Python 2 (two integers floor)"
    if future_division_written(script.path):
        return f"; / at {where} divides exactly, as its `from __future__ import division` says"
    return f": / at {where} divides exactly now, where Python 2 floored two integers"


def _load(path: str, python2: bool | None) -> tuple[LoadedScript, str]:
    """The loaded script, and why it was translated from Python 2 (empty when it was not): asked for
    (``python2=True``), or Python 2 syntax found when read as Python 3 (``python2=None``)."""
    if python2:
        return load_script(path, python2=True), "read as Python 2 (--python2)"
    try:
        return load_script(path), ""
    except Python2Syntax as exc:
        if python2 is not None:
            raise
        at = f"line {exc.line}: " if exc.line else ""
        try:
            return load_script(path, python2=True), f"read as Python 2 ({at}{exc.construct})"
        except InputError as failed:
            raise InputError(f"{exc}, and reading it as Python 2 failed: {failed}", hint=exc.manual) from None


def _default(script: LoadedScript) -> Any:
    name = default_name(script)
    return None if name is None else script.get(name)


OUTPUT_WORDS = re.compile(r"cross_?entropy|softmax|log_?loss|logistic|bce|nll|sigmoid|tanh|relu", re.I)
"""Names of losses that need an output activation, and of activations: a file that uses one names an
activation its network has somewhere."""


def _refuse_linear_composition(subject: Subject) -> None:
    """Refuse, with cause ``ambiguous``, a network composed by guess of the layer classes it found
    (``net.add(Dense(4, 5)); net.add(Dense(5, 3))``) that came out linear while the file names an
    activation or a loss that needs one (:data:`OUTPUT_WORDS`, ``cross_entropy_gradient``): the project
    puts its activations somewhere the guess did not see (a module elsewhere, a script not copied), and
    where it puts them decides the loss: the same ``a − y`` is the gradient of mse on a linear output
    and of the cross-entropy on a softmax layer whose backward passes it through. A file that names
    none is taken to mean the linear network it composes."""
    if not isinstance(subject, CodeSubject) or subject.reading.composed is None:
        return
    script = subject.binding.script
    names = {n.id for n in ast.walk(script.tree) if isinstance(n, ast.Name)} if script is not None else set()
    names |= (
        {n.name for n in ast.walk(script.tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        if script
        else set()
    )
    if not any(OUTPUT_WORDS.search(n) for n in names):
        return
    exc = InputError(
        f"the network was composed by guess of {subject.reading.composed} and has no activation between "
        "or after its layers; where the project puts its activations decides the loss (a − y is the "
        "gradient of mse on a linear output, of cross_entropy on a softmax layer that passes it on)",
        hint=f"give the network as the project builds it: --setup {subject.recipe.setup!r} with its "
        "activation layers added",
    )
    exc.cause = "ambiguous"  # type: ignore[attr-defined]
    raise exc
