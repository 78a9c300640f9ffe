"""Detecting a network written as a script: no class, no function, a training loop at the top level.

The loop is read off the syntax tree (:mod:`verification.reading.training_loops`); the recipes made of
it, tried in order:

* **arrays updated in place** (``syn1 += …``): the step is the loop body (data names bound to the
  probe's inputs and labels, loop variables to the first sample), the weights the arrays it updates and
  the other weight-named arrays its forward pass reads (a bias the loop never trains is a weight that
  gets no gradient), the learning rate the constant or name the update multiplies by;
* **objects driven by method calls** (``dense1.forward(X)`` … ``dense1.backward(…)``): the gradient is
  what the body's backward passes store beside the weights (``dweights`` beside ``weights``), read after
  the body ran once; else the update the body makes, up to the learning rate.

The setup is the script's top-level statements before the loop that build the network; the forward
pass is the body up to the first statement that reads the labels, its output what they are compared
with; a loop over the samples also gets the step of all its passes, for the batch probe
(:mod:`verification.adapters.sample_passes`). When the loop cannot be read so, the refusal prints the
explicit form to fill in.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError
from verification.adapters.failures import Failed, refusal, restated
from verification.adapters.loop_refusals import loop_refusal
from verification.adapters.options import Options
from verification.adapters.project_classes import small_layers
from verification.adapters.recipe import Recipe
from verification.adapters.sample_passes import all_passes, data_copies
from verification.adapters.scalar_scripts import scalar_recipes
from verification.adapters.script_labels import OWN_LABELS, own_input_layout, own_label_format
from verification.adapters.script_steps import applied_changes, named_gradient_recipe
from verification.adapters.subject import CodeSubject
from verification.adapters.trials import first_subject, run_setup
from verification.adapters.unset_globals import SAMPLE_COUNT
from verification.reading.loader import LoadedScript
from verification.reading.loop_bodies import data_conversion, layer_loop, reshapes, steps_objects
from verification.reading.loop_records import TrainingLoop
from verification.reading.rates import one_rate
from verification.reading.script_setup import setup_statements
from verification.reading.top_level_names import loads, prints, stores
from verification.reading.training_loops import data_name, steps_at_top_level, training_loop


def script_recipes(script: LoadedScript) -> list[tuple[Recipe, list[str]]]:
    """The recipes read off the script's training loop, each with the names its weights are found from
    (none when there is no such loop)."""
    loop = training_loop(script.tree)
    if loop is None:
        return scalar_recipes(script)  # w5 += learning_rate * o_delta * h1: weights that are numbers
    refused = loop_refusal(loop, script)
    if refused is not None:
        raise refused
    in_place = any(reshapes(s, {loop.inputs}) and isinstance(s, ast.AugAssign) for s in loop.body)
    bind = [f"{loop.inputs} = x.copy()" if in_place else f"{loop.inputs} = x"] if loop.inputs != "x" else []
    bind += [f"{v} = 0" for v in loop.loop_variables]
    sizes: dict[str, int] = {}
    lines = setup_statements(script.tree, loop, set(script.failed_imports), sizes)
    setup = ("\n" if any("\n" in line for line in lines) else "; ").join(lines)  # a loop: one per line
    data = {loop.inputs, loop.label}
    kept = [s for s in loop.body if not prints(s) or layer_loop(s, data) or data_conversion(s, data)]
    before_labels = [s for s in kept if loop.body.index(s) < loop.cut and not _reorders(s, data)]
    before_labels = _without_labels(before_labels, loop)
    counts = [f"{n} = len({loop.inputs})" for n in _sample_counts(script.tree, loop)]
    compound = any(isinstance(s, ast.For) for s in before_labels)  # a loop over the layers: lines
    forward = ("\n" if compound else "; ").join(
        [*bind, *(c for c in counts if bind), *(ast.unparse(s) for s in before_labels), loop.output]
    )
    glue = "\n" if any(isinstance(s, ast.For | ast.If) for s in kept) else "; "
    resized = [ast.unparse(s) for s in _data_sizes(script.tree, loop)] + counts
    copies = data_copies(loop.inputs, loop.label)  # a loop that shuffles in place keeps ours intact
    copies += [f"{v} = 0" for v in loop.loop_variables]
    rated = one_rate(kept) if loop.updated else None  # w1 -= 15.0 * g1; w2 -= 10.0 * g2: lr for each
    stepped, rate = (rated[0], repr(rated[1][0])) if rated else (kept, loop.rate)
    step = glue.join([*copies, *resized, *(ast.unparse(s) for s in stepped)])
    what = "training loop" if loop.looped else "forward and backward pass at the top level"
    note: tuple[str, ...] = (f"read off the {what} at line {loop.line}",)
    note += (f"each weight's own rate ({', '.join(map(str, rated[1]))}) is read as lr",) if rated else ()
    if loop.samples is not None:
        forward, step = _through_samples(script.tree, loop)
        note += (
            f"the step goes through the batch one sample at a time ({loop.samples.sample}, "
            f"{loop.samples.target} of {loop.inputs}, {loop.label}) and applies what it adds up",
        )
    if counts:
        note += (f"{COUNTED}: {'; '.join(counts)} (as written, the step does not run on the batch)",)
    if sizes:
        said = ", ".join(f"{k} → {v}" for k, v in sizes.items())
        note += (f"sizes the setup reads off the data are replaced by small ones: {said}",)
    recipes = []
    if loop.changes:  # computed, never applied: added to the weights of their shapes (detect_script)
        told = (
            *note,
            f"the weight changes {', '.join(loop.changes)} are added to the weights of their shapes",
        )
        recipes.append((Recipe(setup, forward, step=step, lr=rate, notes=told), loop.arrays))
    if loop.updated:
        roots, one = list(dict.fromkeys([*loop.updated, *loop.arrays])), loop.one_sample
        passes = all_passes([*copies, *resized], stepped, *loop.sample_index) if loop.sample_index else None
        made = Recipe(setup, forward, step=step, lr=rate, notes=note, one_sample=one, batch_step=passes)
        named = named_gradient_recipe(made, kept, loop, [*copies, *resized])  # AdaGrad: the gradients named
        recipes += [(made, roots), *named]
    if loop.objects:  # a loop that steps its objects is checked as the step: a forgotten update shows
        by_store = (Recipe(setup, forward, gradient=step, notes=note), loop.objects)
        by_step = (Recipe(setup, forward, step=step, lr=loop.rate, notes=note), loop.objects)
        recipes += [by_step, by_store] if steps_objects(loop.body, loop.objects) else [by_store, by_step]
    if counts:  # the code as written first: the count is the batch's only where that alone runs
        recipes = [(_without(r, counts), roots) for r, roots in recipes] + recipes
    small = small_layers(script, setup)
    if small is not None:  # NeuralNetworkClassifier([(784, 'tanh'), (10, 'softmax')]): quicker small
        return [(replace(r, setup=small), roots) for r, roots in recipes] + recipes
    return recipes


def _without(recipe: Recipe, statements: list[str]) -> Recipe:
    """``recipe`` with ``statements`` (and the note naming them) taken out of its code."""

    def cut(code: str | None) -> str | None:
        if code is None:
            return None
        for c in statements:
            code = (
                code.replace(f"; {c}", "").replace(f"\n{c}", "").replace(f"{c}; ", "").replace(f"{c}\n", "")
            )
        return code

    notes = tuple(n for n in recipe.notes if not n.startswith(COUNTED))
    made = replace(
        recipe, step=cut(recipe.step), gradient=cut(recipe.gradient), batch_step=cut(recipe.batch_step)
    )
    return replace(made, forward=cut(recipe.forward) or recipe.forward, notes=notes)


COUNTED = "the number of samples the script sets is the batch's"
"""The note of a recipe giving a number of samples the script sets the batch's (:func:`_sample_counts`)."""


class _Frames(ast.NodeTransformer):
    """``features.values`` and ``features.to_numpy()`` of a data name → ``features``: the checker's
    data are arrays already."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if node.attr == "values" and data_name(node) in self.names:
            return ast.copy_location(ast.Name(data_name(node), ast.Load()), node)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if data_name(node) in self.names and isinstance(node.func, ast.Attribute):
            if node.func.attr == "to_numpy":
                return ast.copy_location(ast.Name(data_name(node), ast.Load()), node)
        return self.generic_visit(node)


def _without_labels(statements: list[ast.stmt], loop: TrainingLoop) -> list[ast.stmt]:
    """The forward pass without the statements that read the labels, or names made from them
    (``y_mini = y[i:i + batch]``, a one-hot ``I_y`` of it): the output does not need them, and the
    forward is run without labels. Kept whole when the output would need one of them."""
    tainted = {loop.label}
    out = []
    for s in [part for statement in statements for part in _pairwise(statement)]:
        if set(loads(s)) & tainted and not set(loads(s)) & {loop.inputs}:
            tainted |= set(stores(s))
        else:
            out.append(s)
    return statements if loop.output in tainted else out


def _pairwise(stmt: ast.stmt) -> list[ast.stmt]:
    """``a, b = e, f`` as ``a = e`` and ``b = f`` when neither value reads the other's name; any other
    statement as it is."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Tuple)
        and isinstance(stmt.value, ast.Tuple)
        and len(stmt.targets[0].elts) == len(stmt.value.elts)
        and all(isinstance(t, ast.Name) for t in stmt.targets[0].elts)
    ):
        return [stmt]
    names = {t.id for t in stmt.targets[0].elts if isinstance(t, ast.Name)}
    if any(set(loads(v)) & names for v in stmt.value.elts):
        return [stmt]
    return [
        ast.copy_location(ast.Assign(targets=[t], value=v), stmt)
        for t, v in zip(stmt.targets[0].elts, stmt.value.elts, strict=True)
    ]


def _through_samples(tree: ast.Module, loop: TrainingLoop) -> tuple[str, str]:
    """The forward pass and the step of a loop whose step goes through the batch one sample at a time
    (:class:`~verification.reading.training_loops.SampleLoop`): the forward is the sample loop's body
    up to its label statement, on the sample ``x``; the step binds the data names to the batch,
    derives the sizes the script reads off the data again (``n_records, n_features =
    features.shape``, so that a mean over the records is one over the batch), and runs the whole body."""
    samples = loop.samples
    assert samples is not None
    data = {loop.inputs, loop.label}
    frames = _Frames(data)

    def source(stmt: ast.stmt) -> str:
        return ast.unparse(frames.visit(copy.deepcopy(stmt)))

    inner = [s for s in samples.body if not prints(s)]
    bind = [f"{samples.sample} = x"] if samples.sample != "x" else []
    forward = "; ".join(
        [*bind, *(source(s) for s in inner if samples.body.index(s) < samples.cut), loop.output]
    )
    lines = [
        f"{loop.inputs} = x.copy() if hasattr(x, 'copy') else x",
        f"{loop.label} = y.copy() if hasattr(y, 'copy') else y",
    ]
    lines += [ast.unparse(s) for s in _data_sizes(tree, loop)]
    lines += [f"{v} = 0" for v in loop.loop_variables]
    for k, s in enumerate(loop.body):
        if k == samples.position:
            assert isinstance(s, ast.For)
            lines.append(source(ast.For(s.target, s.iter, inner, [], lineno=s.lineno)))
        elif not prints(s):
            lines.append(source(s))
    return forward, "\n".join(lines)


def _reorders(stmt: ast.stmt, data: set[str]) -> bool:
    """``np.random.shuffle(X)``, ``order = np.random.permutation(len(X))``, ``X, Y = X[order],
    Y[order]``: a change of the data's order, no part of the forward pass (the step keeps it, on its
    copies of the data)."""
    calls = {
        getattr(n.func, "attr", getattr(n.func, "id", "")) for n in ast.walk(stmt) if isinstance(n, ast.Call)
    }
    return bool(calls & {"shuffle", "permutation"}) or (
        bool(set(stores(stmt)) & data) and not reshapes(stmt, data)
    )


def _data_sizes(tree: ast.Module, loop: TrainingLoop) -> list[ast.stmt]:
    """The script's top-level assignments of sizes read off its data before the loop (``n = len(x)``,
    ``m = X.shape[0]``, ``n_records, n_features = features.shape``): run again in the step after the
    data names are bound to the batch, so that a mean over the samples (``(2 / n) * …``) is one over
    the batch checked, as the script means it, not over the small size the setup put in."""
    data = {loop.inputs, loop.label}
    return [s for s in tree.body[: loop.index] if isinstance(s, ast.Assign) and _reads_size_of(s.value, data)]


def _sample_counts(tree: ast.Module, loop: TrainingLoop) -> list[str]:
    """Top-level names of a number of samples (:data:`~verification.adapters.unset_globals.SAMPLE_COUNT`,
    ``batch_size = 4 * num_d``) set to a constant before the loop, read by its body and by no other
    statement before it (so no layer is sized by it): the number of samples of the script's own data,
    given that of the batch checked in the step (``y.reshape(batch_size)``, ``np.zeros((batch_size,
    k))`` then fit the probe's data)."""
    before = tree.body[: loop.index]
    read = {n for s in before for n in loads(s)}
    body = {n for s in loop.body for n in loads(s)}
    return [
        t.id
        for s in before
        if isinstance(s, ast.Assign) and not _reads_size_of(s.value, {loop.inputs, loop.label})
        for t in s.targets
        if isinstance(t, ast.Name) and SAMPLE_COUNT.match(t.id) and t.id in body and t.id not in read
    ]


def _reads_size_of(value: ast.expr, data: set[str]) -> bool:
    """``features.shape``, ``features.shape[0]``, ``len(features)`` of a data name."""
    if isinstance(value, ast.Subscript):
        value = value.value
    if isinstance(value, ast.Attribute) and value.attr == "shape":
        return data_name(value.value) in data
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "len"
        and len(value.args) == 1
        and data_name(value.args[0]) in data
    )


def _given(recipe: Recipe, options: Options) -> Recipe:
    """``recipe`` with the setup and the learning rate the user gave in place of those read off the
    script (``--setup 'lr = 0.5; w0 = …'`` for a script that asks for its rate with ``input()``)."""
    setup = options.setup if options.setup is not None else recipe.setup
    return replace(recipe, setup=setup, lr=options.lr if options.lr is not None else recipe.lr)


def detect_script(
    namespace: dict[str, Any], script: LoadedScript, options: Options, name: str = "the training loop"
) -> CodeSubject:
    """A subject for a network that lives in a script's training loop (see the module docstring).

    Raises
    ------
    InputError
        When the loop cannot be read or its recipe does not run; the hint is the explicit form.
    """
    from verification.reading.statements import top_level_refusal

    found = script_recipes(script)
    if not found:
        what = (
            "no class or function" if not script.defined_names() else "no network class or backward function"
        )
        once = " (nor its one hand-worked step of the weights)" if steps_at_top_level(script.tree) else ""
        raise InputError(
            f"{script.path} defines {what} to check, and no training loop that could be read off{once}",
            hint=top_level_refusal(script).hint,
        )
    found = [(_given(r, options), roots) for r, roots in found]  # the parts given are used as given
    try:
        run_setup(namespace, found[0][0].setup, script)
    except InputError as exc:
        why = f"the top-level setup of {script.path} did not run: {exc}"
        raise restated(why, exc, hint=_command(script, found[0][0])) from None
    errors: list[InputError | str] = []
    loop = training_loop(script.tree)
    own = own_label_format(namespace, script, loop) if options.labels is None and loop is not None else None
    if own is not None:  # the labels as the script itself makes them: confirmed, not guessed
        vector = options.layout is None and loop and own_input_layout(namespace, script, loop, own)
        options = (
            replace(options, labels="one-hot", layout="vector") if vector else replace(options, labels=own)
        )
        found = [(replace(r, notes=(*r.notes, OWN_LABELS[vector or own])), roots) for r, roots in found]
    for recipe, roots in found:
        if loop is not None and loop.changes and recipe.step is not None and not loop.updated:
            try:
                recipe = applied_changes(namespace, recipe, loop, roots, script)
            except InputError as exc:
                errors.append(exc)
                continue
        unbound = [r for r in roots if r not in namespace]
        if unbound:  # built from the data (W1 = np.random.randn(X.shape[1], 5)), whose loading is left out
            read = {
                n.id
                for stmt in script.tree.body
                if set(stores(stmt)) & set(unbound)
                for n in ast.walk(stmt)
                if isinstance(n, ast.Name)
            }
            missing = [f"{k} ({v})" for k, v in script.failed_imports.items() if k in read]
            cause = f"it reads {', '.join(missing)}" if missing else "its assignment reads the data"
            why = f"the setup leaves {', '.join(unbound)} unbound: {cause}"
            errors.append(Failed(why, "code"))
            continue
        subject = first_subject(namespace, recipe, roots, script, name, options, errors)
        if subject is not None:
            return subject
    raise refusal(
        f"the training loop of {script.path} could not be run as a recipe",
        errors,
        _command(script, found[0][0]),
    )


def _command(script: LoadedScript, recipe: Recipe) -> str:
    return f"check it with the explicit form, edited as needed: {recipe.command(str(script.path))}"


__all__ = ["detect_script", "script_recipes"]
