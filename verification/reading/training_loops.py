"""A script's own training loop, read off its syntax tree: what it trains, on which data, towards which
labels, and what its forward pass is.

A network with no class and no function lives in a training loop at the top level, in one of two ways:

* **arrays updated in place**: ``for j in range(60000): l1 = …; l2 = …; syn1 += …`` (the weights are
  the top-level arrays the body updates, the learning rate the constant or name the update multiplies
  by);
* **objects driven by method calls**: layer objects built at the top level and chained in the body
  (``dense1.forward(X)``, …, ``loss.backward(…)``, ``optimizer.update_params(dense1)``), as in NNFS; the
  weights are the arrays inside the objects, the gradient what their backward passes store.

Read from the loop (:func:`training_loop`): the *label*, the data name in the first statement that
compares an output with data (an error ``y − output``, or a loss called on an output and the labels);
the *output*, the stored name or attribute it is compared with; the *inputs*, the other data name the
body reads before it (named like inputs when several are, never one named like a weight); the loop
variables, bound to the first sample. The top-level statements before the loop that build the network
are :func:`verification.reading.script_setup.setup_statements`. Nothing is run here.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import replace

from verification.reading import conventions as cv
from verification.reading.data_splits import split_data
from verification.reading.loop_bodies import inner_loop, innermost, sample_names
from verification.reading.loop_labels import WEIGHT_LIKE, label_statement
from verification.reading.loop_records import SampleLoop, TrainingLoop
from verification.reading.rates import loop_rate, rate_given
from verification.reading.sample_ranges import skips_samples
from verification.reading.top_level_names import (
    assigned_before,
    attribute_updates,
    constructed,
    loads,
    name_of,
    prints,
    receivers,
    steppers,
    stores,
    update_loop,
    updates,
)

INPUT_LIKE = re.compile(r"(^|_)x(_|\d|$)|^x|input|feature|train", re.IGNORECASE)
"""Names of inputs the conventions do not list (``x_train_d``, ``train_inputs``): read as the inputs when
only one of the data a loop reads is named so (beside sizes such as ``batch_size``)."""
CHANGE = re.compile(r"^(delta_?w|del_?w|weight_?change|change_?w|dw_?change)\w*$", re.IGNORECASE)
"""Names of a weight change to be added (``delta_w_h_o``, ``del_w_input_hidden``), never of a gradient."""


def training_loop(tree: ast.Module) -> TrainingLoop | None:
    """The script's training loop (see the module docstring), or None. A script that runs one forward
    and backward pass at its top level, with no loop (``dense1.forward(X)`` … ``dense1.backward(…)``),
    is read the same way, its statements from the first that drives an object taken as the body."""
    for index, stmt in enumerate(tree.body):
        if not isinstance(stmt, ast.For | ast.While):
            continue
        body, variables, indexed = innermost(stmt)
        per_sample = sample_names(stmt)
        found = _read(tree, index, body, variables, stmt.lineno, per_sample=per_sample)
        if found is not None:  # the body of for x, y in zip(X, Y) or of for x in X: one sample's step
            one = (bool(per_sample) or bool(indexed)) and found.samples is None
            skipping = _skipping(stmt, {found.inputs, found.label})
            index_of = indexed[-1] if one and indexed else None
            after = [w for w in updates(tree.body[index + 1 :], steppers(tree))[0] if w in found.arrays]
            return replace(
                found, one_sample=one, sample_index=index_of, skipping=skipping, stepped_after=after
            )
    objects = constructed(tree, len(tree.body))
    start = next((i for i, s in enumerate(tree.body) if receivers([s], objects)), None)
    if start is None:
        return _computed_changes(tree)
    body = [s for s in tree.body[start:] if not isinstance(s, ast.FunctionDef | ast.ClassDef)]
    found = _read(tree, start, body, [], tree.body[start].lineno)
    return None if found is None else replace(found, looped=False)


def _skipping(loop: ast.For | ast.While, data: set[str]) -> str | None:
    """The first loop on the way to the step's body (:func:`inner_loop`) that reads one of ``data`` by
    an index whose range leaves samples out (:func:`~verification.reading.sample_ranges.skips_samples`),
    as source; None when there is none."""
    node: ast.For | ast.While | None = loop
    while node is not None:
        if isinstance(node, ast.For) and skips_samples(node, data):
            return f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}"
        node = inner_loop(node.body)
    return None


NEW_WEIGHT = re.compile(
    r"^(?:new|n|upd(?:ated)?|next)_?(?P<w>\w+)$|^(?P<v>\w+?)_?(?:new|upd(?:ated)?|next)$", re.I
)
"""A name for a weight's next value (``new_w3``, ``n_w2``, ``W1_new``)."""


def _renamed_steps(tree: ast.Module, start: int, body: list[ast.stmt]) -> TrainingLoop | None:
    """A script that runs one step at its top level, no loop: its updates as written (``W2 -= lr *
    dW2``), or, when it gives each weight's next value a name of its own (``new_w3 = w3 - lmb *
    dL_w3``) without assigning it back, read with ``w3 = new_w3`` added at its end."""
    before = assigned_before(tree, start)
    back = []
    for s in body:
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
            continue
        new, v = s.targets[0].id, s.value
        m = NEW_WEIGHT.match(new)
        weight = (m.group("w") or m.group("v")) if m else None
        if (
            weight in before
            and isinstance(v, ast.BinOp)
            and isinstance(v.left, ast.Name)
            and v.left.id == weight
        ):
            back.append(ast.Assign([ast.Name(weight, ast.Store())], ast.Name(new, ast.Load())))
    if not back and not set(updates(body)[0]) & before:
        return None  # no update at all (W2 -= lr * dW2 at the top level is one, read as it is)
    stepped = body + [ast.fix_missing_locations(ast.copy_location(b, body[-1])) for b in back]
    found = _read(tree, start, stepped, [], tree.body[start].lineno)
    return None if found is None else replace(found, looped=False)


def _computed_changes(tree: ast.Module) -> TrainingLoop | None:
    """A script that runs one forward and backward pass at its top level and computes the weight changes
    without applying them (:attr:`TrainingLoop.changes`): its statements from the first that reads a
    weight it assigned before are the body."""
    definitions = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    start = next(
        (
            i
            for i, s in enumerate(tree.body)
            if not isinstance(s, definitions)
            and any(WEIGHT_LIKE.match(n) for n in set(loads(s)) & assigned_before(tree, i))
        ),
        None,
    )
    if start is None:
        return None
    body = _unrolled([s for s in tree.body[start:] if not isinstance(s, definitions)], tree, start)
    changes = [n for s in body if isinstance(s, ast.Assign) for n in stores(s) if CHANGE.match(n)]
    if not changes:
        return _renamed_steps(tree, start, body)
    found = _read(tree, start, body, [], tree.body[start].lineno, changes=True)
    if found is None:
        return None
    exprs = [s.value for s in body if isinstance(s, ast.Assign) and set(stores(s)) & set(changes)]
    return replace(found, looped=False, changes=changes, rate=loop_rate(exprs, assigned_before(tree, start)))


def _unrolled(body: list[ast.stmt], tree: ast.Module, start: int) -> list[ast.stmt]:
    """``body`` with a loop ``for i in range(…)`` that updates no weight, while a statement after it does
    (the updates dedented out of the epoch loop, or in notebook cells after it), replaced by one pass of
    its body, ``i`` bound to the range's first value: the updates run once, after a forward pass that
    every iteration repeats unchanged, so one pass of it is the step the script takes. A body that reads
    ``i`` (``X[i]``: a loop over the samples, whose gradients it may sum) other than to print it is no
    such repetition and is left as it is."""
    before = assigned_before(tree, start)
    if not set(updates(body, steppers(tree))[0]) & before:
        return body
    out: list[ast.stmt] = []
    for s in body:
        if (
            isinstance(s, ast.For)
            and isinstance(s.target, ast.Name)
            and isinstance(s.iter, ast.Call)
            and name_of(s.iter.func) == "range"
            and s.iter.args
            and not s.orelse
            and not set(updates(s.body, steppers(tree))[0]) & before
            and not _counted(s.body, s.target.id)
            and not any(
                isinstance(n, ast.Break | ast.Continue | ast.For | ast.While)
                for b in s.body
                for n in ast.walk(b)
            )
        ):
            first = s.iter.args[0] if len(s.iter.args) > 1 else ast.Constant(0)
            bound = ast.copy_location(ast.Assign([ast.Name(s.target.id, ast.Store())], first), s)
            out += [ast.fix_missing_locations(bound), *s.body]
        else:
            out.append(s)
    return out


def _counted(body: list[ast.stmt], counter: str) -> bool:
    """Whether ``body`` reads ``counter`` other than in a print (``print(f"epoch {i}")``, ``if i % 100
    == 0: print(…)``)."""

    def printed(stmt: ast.stmt) -> bool:
        if isinstance(stmt, ast.If):
            return all(printed(b) for b in [*stmt.body, *stmt.orelse])
        return isinstance(stmt, ast.Expr) and prints(stmt)

    return any(counter in loads(s) for s in body if not printed(s))


def trains_at_top_level(tree: ast.Module) -> bool:
    """Whether a top-level loop of the script updates top-level arrays in place (``syn0 += …``): the
    script trains a network at its top level, even when its loop cannot be read off."""
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.For | ast.While):
            names, _ = updates(stmt.body)
            if set(names) & assigned_before(tree, index):
                return True
    return False


def steps_at_top_level(tree: ast.Module) -> bool:
    """Whether a top-level statement outside any loop steps a name the script assigned before by a
    product, in place (``w5 -= eta * g``, ``w5 = w5 - eta * g``) or into a name for its next value
    (``w5_new = w5 - eta * dE_dw5``, :data:`NEW_WEIGHT`): a script of one hand-worked step, whose step
    is the network to check, even when it cannot be read off."""
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            weight, old, change = stmt.target.id, stmt.target.id, stmt.value
        elif (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        ):
            m = NEW_WEIGHT.match(stmt.targets[0].id)
            weight = (m.group("w") or m.group("v")) if m else stmt.targets[0].id
            v = stmt.value
            if not (isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add | ast.Sub)):
                continue
            old, change = name_of(v.left), v.right
        else:
            continue
        stepped = isinstance(change, ast.BinOp) and isinstance(change.op, ast.Mult)
        if stepped and old == weight and weight in assigned_before(tree, index):
            return True
    return False


def _read(
    tree: ast.Module,
    index: int,
    body: list[ast.stmt],
    variables: list[str],
    line: int,
    changes: bool = False,
    per_sample: list[str] | None = None,
) -> TrainingLoop | None:
    """The loop of ``body`` (:func:`_read_body`); else, when the body's head cuts its inputs and labels
    from one data array (:func:`verification.reading.data_splits.split_data`), the loop of the rest."""
    found = _read_body(tree, index, body, variables, line, changes, per_sample)
    if found is not None:
        return found
    data = assigned_before(tree, index) | set(per_sample or ()) | set(variables)
    split = split_data(body, data, set(updates(body, steppers(tree))[0]))
    if split is None:
        return None
    found = _read_body(tree, index, split[0], variables, line, changes, [*(per_sample or ()), *split[1]])
    return None if found is None else replace(found, sources=split[2], cut_labels=split[3])


def _read_body(
    tree: ast.Module,
    index: int,
    body: list[ast.stmt],
    variables: list[str],
    line: int,
    changes: bool = False,
    per_sample: list[str] | None = None,
) -> TrainingLoop | None:
    before = assigned_before(tree, index) | set(per_sample or ())  # for x, y in zip(xs, ys): one sample
    updated, _ = updates(body, steppers(tree))
    updated = [w for w in updated if w in before]
    _, exprs = updates(body, steppers(tree), only=set(updated))
    made = constructed(tree, index)
    objects = receivers(body, made)
    objects += [o for o in attribute_updates(body) if o in made and o not in objects]  # net.W2 -= …
    if not updated and not objects and not changes:
        return None
    read = list(dict.fromkeys(loads(ast.Module(body=body, type_ignores=[]))))
    computed = _computed_first(body)
    data = [n for n in read if n in before and n not in updated and n not in objects and n not in computed]
    found = label_statement(body, data, {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)})
    numbers = {  # learning_rate = 0.1 in the step itself
        t.id: float(s.value.value)
        for s in body
        if isinstance(s, ast.Assign)
        and isinstance(s.value, ast.Constant)
        and isinstance(s.value.value, int | float)
        and not isinstance(s.value.value, bool)
        for t in s.targets
        if isinstance(t, ast.Name)
    }
    rate = loop_rate(exprs, before, numbers) or rate_given(body, objects, before)
    make = functools.partial(TrainingLoop, index, line, body, variables, updated, rate, objects)
    if found is None:
        nested = _sample_loop(body, [n for n in read if n in before | imported(tree, index)])
        if nested is None:
            return None
        samples, sources, target, compared = nested
        return make(label=target, inputs=sources, output=compared, cut=samples.cut, samples=samples)
    cut, label, output = found
    forward_reads = set(loads(ast.Module(body=body[:cut], type_ignores=[])))
    candidates = [d for d in data if d != label and d in forward_reads and not WEIGHT_LIKE.match(d)]
    named = [d for d in candidates if cv.role(d, 1) == "x"] or [d for d in candidates if INPUT_LIKE.search(d)]
    inputs = named[0] if len(named) == 1 or (named and cv.role(named[0], 1) == "x") else None
    inputs = inputs or (candidates[0] if len(candidates) == 1 else None)
    if inputs is None:
        return None
    arrays = [d for d in data if d in forward_reads and d not in (inputs, label) and WEIGHT_LIKE.match(d)]
    return make(label=label, inputs=inputs, output=output, cut=cut, arrays=arrays)


def imported(tree: ast.Module, index: int) -> set[str]:
    """Names the script imports from modules of its own before statement ``index`` (``from data_prep
    import features, targets``): data, when a loop reads them."""
    return {
        a.asname or a.name
        for s in tree.body[:index]
        if isinstance(s, ast.ImportFrom) and s.module and s.module.split(".")[0] not in ("numpy", "math")
        for a in s.names
    }


def data_name(node: ast.expr) -> str:
    """The data name of ``features``, ``features.values`` or ``features.to_numpy()``."""
    if isinstance(node, ast.Call) and not node.args and isinstance(node.func, ast.Attribute):
        node = node.func.value if node.func.attr == "to_numpy" else node
    if isinstance(node, ast.Attribute) and node.attr == "values":
        node = node.value
    return name_of(node)


def _sample_loop(body: list[ast.stmt], data: list[str]) -> tuple[SampleLoop, str, str, str] | None:
    """``(loop, inputs, labels, output)``: a loop ``for x, y in zip(inputs, labels):`` in ``body`` over
    two data names, whose body compares an output with the sample's label (:class:`SampleLoop`)."""
    for k, s in enumerate(body):
        if not isinstance(s, ast.For) or update_loop(s) or not isinstance(s.target, ast.Tuple):
            continue
        call = s.iter
        targets = [name_of(t) for t in s.target.elts]
        if not (isinstance(call, ast.Call) and name_of(call.func) == "zip" and len(call.args) == 2):
            continue
        sources = [data_name(a) for a in call.args]
        if len(targets) != 2 or not all(targets) or not all(n in data for n in sources):
            continue
        found = label_statement(s.body, [targets[1]])
        if found is not None and found[1] == targets[1]:
            return SampleLoop(k, targets[0], targets[1], s.body, found[0]), sources[0], sources[1], found[2]
    return None


def _computed_first(body: list[ast.stmt]) -> set[str]:
    """Names the step computes before it reads them (``l1 = sigmoid(l0 @ syn0)``, with ``l1 = []`` at the
    top level before the loop): the step's own values, not data, whatever the top level bound them to.
    A name reassigned from itself (``X, y = X[order], y[order]``) is read first, and stays data."""
    seen: set[str] = set()
    out: set[str] = set()
    for s in body:
        read = set(loads(s))
        out |= {n for n in stores(s) if n not in seen and n not in read}
        seen |= read | set(stores(s))
    return out
