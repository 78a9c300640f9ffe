"""What the names, signatures and source of someone's code say about how it is called.

Detection (:mod:`verification.subjects.detection`) reads, without running anything:

* method and argument names: which method is the forward pass, which gives the gradient, which
  argument takes the inputs, the labels, the error ``a − y``, the forward output, the learning rate or
  the number of iterations (the lists below, in order of preference, matched without case);
* the sign of an in-place update of the *parameters* (``W += …`` or ``W -= …``), which tells whether
  an ``error`` argument is ``y − a`` or ``a − y`` (a step counter ``self.steps += 1`` is no parameter
  and does not count);
* a learning rate written as a local constant of the training method (``learn_rate = 0.1``);
* loops of a training method, so that "one step" can be asked of it;
* the script's own top-level construction of the network and the statements it needs.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterable
from typing import Any

FORWARD_NAMES = (
    "forward",
    "feedforward",
    "feed_forward",
    "forward_pass",
    "forward_propagation",
    "forward_propogation",
    "forwardprop",
    "forward_prop",
    "fprop",
    "predict",
    "query",
    "think",
    "__call__",
    "run",
)
GRADIENT_NAMES = (
    "backprop",
    "backpropagation",
    "back_propagation",
    "backward",
    "backward_pass",
    "backward_propagation",
    "backward_propogation",
    "backprop_step",
    "gradients",
    "gradient",
    "compute_gradients",
    "get_gradients",
    "grads",
    "costFunctionPrime",
    "cost_function_prime",
    "loss",
    "backpropagate",
    "backPropagate",
)
TRAIN_NAMES = ("train_step", "train", "fit", "learn", "update", "step", "sgd_step", "train_once")
"""Methods that give a gradient by returning it, or one training step by updating the weights."""

X_ARGS = (
    "x",
    "inputs",
    "input",
    "xs",
    "a0",
    "x_batch",
    "inputs_list",
    "input_list",
    "data",
    "sample",
    "features",
    "x_train",
    "l0",
    "input_data",
    "in_",
)
Y_ARGS = (
    "y",
    "t",
    "target",
    "targets",
    "label",
    "labels",
    "y_true",
    "ytrue",
    "expected",
    "desired",
    "targets_list",
    "target_list",
    "y_train",
    "truth",
    "desired_output",
    "expected_output",
    "outputs_expected",
)
ERROR_ARGS = (
    "error",
    "err",
    "e",
    "errors",
    "delta",
    "d",
    "output_error",
    "o_error",
    "diff",
    "dout",
    "grad",
    "loss_grad",
    "dloss",
    "residual",
    "dvalues",
)
OUTPUT_ARGS = (
    "o",
    "out",
    "output",
    "a",
    "y_hat",
    "yhat",
    "pred",
    "prediction",
    "predicted",
    "activation",
    "al",
    "a2",
    "output_activation",
    "outputs",
    "y_pred",
    "ypred",
)
CACHE_ARGS = ("cache", "caches", "memory", "activations")
LR_NAMES = (
    "lr",
    "learning_rate",
    "learningrate",
    "eta",
    "alpha",
    "rate",
    "step_size",
    "learn_rate",
    "l_rate",
    "lrate",
)
ITERATION_ARGS = (
    "iterations",
    "epochs",
    "num_epochs",
    "n_epochs",
    "number_of_training_iterations",
    "n_iter",
    "iters",
    "num_iterations",
    "steps",
    "epoch",
    "n_iterations",
    "max_iter",
)
PARAMETER_CONTAINERS = ("parameters", "params", "weights", "theta", "model")
"""Argument names under which functions take their parameters."""

SIZE_GUESSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(
            r"^(sizes|layers|layer_sizes|layer_dims|layers_dims|dims|shape|architecture|topology|nn_structure)$",
            re.I,
        ),
        [4, 5, 3],
    ),
    (re.compile(r"(input|^n_?x$|^ni$|^n_?in$|inode|num_in|in_features|^d_?in$|n_inputs|^x_size$)", re.I), 4),
    (re.compile(r"(hidden|^n_?h$|^nh$|hnode|^h$)", re.I), 5),
    (
        re.compile(
            r"(output|^n_?y$|^no$|^n_?out$|onode|num_out|num_classes|n_classes|out_features|^d_?out$)", re.I
        ),
        3,
    ),
    (re.compile(r"^(lr|learning_?rate|eta|alpha|learn_rate|rate)$", re.I), 0.1),
    (re.compile(r"(epoch|iteration|iters)", re.I), 1),
    (re.compile(r"^(seed|random_state)$", re.I), 0),
    (re.compile(r"^(activation|act|activation_function)$", re.I), "sigmoid"),
)
"""Constructor arguments guessed from their names when the script does not build its network: a
4-5-3 network, learning rate 0.1, one epoch."""


def lower(names: Iterable[str]) -> tuple[str, ...]:
    """The names in lower case, for matching without case."""
    return tuple(n.lower() for n in names)


def methods_by_preference(obj: Any, names: Iterable[str], fuzzy: Iterable[str] = ()) -> list[str]:
    """Callable attributes of ``obj`` whose names are in ``names`` (that order, any case), then those
    containing one of ``fuzzy``."""
    available = {n.lower(): n for n in dir(obj) if not n.startswith("__") or n == "__call__"}
    out = []
    for n in names:
        real = available.get(n.lower())
        if real is not None and callable(getattr(obj, real, None)) and real not in out:
            if real != "__call__" or not isinstance(obj, type):
                out.append(real)
    for n in sorted(available.values()):
        if any(f in n.lower() for f in fuzzy) and n not in out and callable(getattr(obj, n, None)):
            out.append(n)
    return out


def positional_parameters(fn: Any) -> list[inspect.Parameter]:
    """The parameters of ``fn`` that can be given by position (``self`` excluded for bound methods)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def role(name: str, position: int) -> str | None:
    """``x``, ``y``, ``error``, ``output``, ``cache``, ``lr``, ``iterations`` or None, from an argument's name
    (the first argument is the inputs when its name says nothing)."""
    n = name.lower()
    for kind, names in (
        ("x", X_ARGS),
        ("y", Y_ARGS),
        ("error", ERROR_ARGS),
        ("output", OUTPUT_ARGS),
        ("cache", CACHE_ARGS),
        ("lr", LR_NAMES),
        ("iterations", ITERATION_ARGS),
    ):
        if n in lower(names):
            return kind
    if re.search(r"target|label|expected|desired|truth", n) or re.search(
        r"(train|set|true).*out|out.*(train|set|true)", n
    ):
        return "y"  # a training method's "outputs" are its labels
    if re.search(r"iter|epoch", n):
        return "iterations"
    if re.search(r"learn.*rate|^lr_|_lr$", n):
        return "lr"
    if "input" in n:
        return "x"
    if "err" in n or "delta" in n:
        return "error"
    if position == 0:
        return "x"
    return None


def source_tree(fn: Any) -> ast.AST | None:
    """The parsed source of a function or method, or None when it cannot be read."""
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None


def _target_names(target: ast.expr) -> list[str]:
    """Attribute and variable names along an assignment target: ``self.weights[i]`` → [weights, self]."""
    names = []
    node: ast.expr | None = target
    while node is not None:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            node = None
        else:
            node = None
    return names


def update_sign(fn: Any, parameter_names: Iterable[str]) -> int | None:
    """+1 when the source of ``fn`` updates the parameters with ``+=`` (or ``W = W + …``), −1 with ``-=``,
    None when it updates none of them (step counters and caches do not count).

    Parameters
    ----------
    fn : callable
    parameter_names : iterable of str
        The attribute or key names the parameters are kept under (``W1``, ``weights``, ``wih``).
    """
    tree = source_tree(fn)
    if tree is None:
        return None
    wanted = {n.lower() for n in parameter_names}
    plus = minus = 0
    for node in ast.walk(tree):
        op: ast.operator | None = None
        target: ast.expr | None = None
        if isinstance(node, ast.AugAssign):
            op, target = node.op, node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.BinOp):
            t = node.targets[0]
            if ast.dump(node.value.left) == ast.dump(t).replace("Store()", "Load()"):
                op, target = node.value.op, t
        if target is None or not isinstance(target, ast.Attribute | ast.Subscript | ast.Name):
            continue
        if not wanted & {n.lower() for n in _target_names(target)[:2]}:
            continue
        if isinstance(op, ast.Add):
            plus += 1
        elif isinstance(op, ast.Sub):
            minus += 1
    if plus and not minus:
        return 1
    if minus:
        return -1
    return None


def local_learning_rate(fn: Any) -> tuple[float, int] | None:
    """A learning rate written as a local constant in the source of ``fn`` (``learn_rate = 0.1``), with its
    line, or None."""
    tree = source_tree(fn)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.lower() in lower(LR_NAMES)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, int | float)
            and not isinstance(node.value.value, bool)
        ):
            line = getattr(fn, "__code__", None)
            first = line.co_firstlineno if line is not None else 1
            return float(node.value.value), first + node.lineno - 1
    return None


def loop_attributes(fn: Any) -> tuple[list[str], bool]:
    """The ``self`` attributes named like an epoch count that bound a training method's loops
    (``for _ in range(self.num_epochs)``), and whether it has a loop that no argument or such attribute
    bounds (``while``, ``range(10000)``). Loops over layers or samples (``range(self.num_layers)``,
    ``zip(X, y)``) are one step's own work and do not count."""
    tree = source_tree(fn)
    if tree is None:
        return [], False
    attributes, unbounded = [], False
    for node in ast.walk(tree):
        if isinstance(node, ast.While):
            unbounded = True
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
            call = node.iter
            if isinstance(call.func, ast.Name) and call.func.id in ("range", "xrange") and call.args:
                bound = call.args[-1] if len(call.args) == 1 else call.args[1]
                if (
                    isinstance(bound, ast.Attribute)
                    and isinstance(bound.value, ast.Name)
                    and bound.value.id == "self"
                    and re.search(r"epoch|iter", bound.attr, re.I)
                ):
                    attributes.append(bound.attr)
                elif isinstance(bound, ast.Constant) and isinstance(bound.value, int) and bound.value > 50:
                    unbounded = True
    return attributes, unbounded


def guessed_arguments(fn: Any) -> list[dict[str, Any]]:
    """Required arguments of a constructor or function guessed from their names (:data:`SIZE_GUESSES`):
    a 4-5-3 network, then the same with one output (code written for one sigmoid output); empty when a
    required argument's name says nothing. Arguments with defaults keep the author's choice."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    out: dict[str, Any] = {}
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.default is not inspect.Parameter.empty:
            continue
        guess = next((value for pattern, value in SIZE_GUESSES if pattern.search(p.name)), None)
        if guess is None:
            return []
        out[p.name] = guess
    single = {
        k: (
            [*v[:-1], 1]
            if v == [4, 5, 3]
            else 1
            if v == 3 and re.search(r"out|n_?y|onode|class", k, re.I)
            else v
        )
        for k, v in out.items()
    }
    return [out] if single == out else [out, single]


def _flat_body(tree: ast.Module) -> list[ast.stmt]:
    """Top-level statements, with those under ``if __name__ == "__main__":`` counted as top level."""
    body: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and "__name__" in ast.unparse(stmt.test):
            body += stmt.body
        else:
            body.append(stmt)
    return body


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _with_dependencies(body: list[ast.stmt], index: int) -> str | None:
    """Statement ``index`` and the earlier top-level assignments it reads, transitively, as source."""
    stmt = body[index]
    needed = _loads(stmt)
    chosen = [stmt]
    for earlier in reversed(body[:index]):
        if not isinstance(earlier, ast.Assign | ast.AnnAssign | ast.AugAssign):
            continue
        targets = earlier.targets if isinstance(earlier, ast.Assign) else [earlier.target]
        bound = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if bound & needed:
            chosen.append(earlier)
            if earlier.value is not None:
                needed |= _loads(earlier.value)
        if len(chosen) > 30:
            return None
    return "; ".join(ast.unparse(s) for s in reversed(chosen))


def construction_slice(tree: ast.Module, cls_name: str) -> tuple[str, str] | None:
    """The script's own top-level construction of ``cls_name`` and the top-level assignments it reads.

    Returns
    -------
    (setup source, variable name) or None
        The statements, in script order, as one line of source; the name the network is bound to.
    """
    body = _flat_body(tree)
    for index, stmt in enumerate(body):
        if not (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        ):
            continue
        call = stmt.value
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        called = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        )
        if called == cls_name:
            text = _with_dependencies(body, index)
            return None if text is None else (text, stmt.targets[0].id)
    return None


def assignment_slice(tree: ast.Module, name: str) -> str | None:
    """The script's last top-level assignment of ``name`` with the assignments it reads (e.g. the weights
    ``W1 = np.random.randn(30, 5)`` of a network written as functions), or None."""
    body = _flat_body(tree)
    for index in range(len(body) - 1, -1, -1):
        stmt = body[index]
        if isinstance(stmt, ast.Assign) and any(
            (isinstance(t, ast.Name) and t.id == name)
            or (isinstance(t, ast.Tuple) and name in {e.id for e in t.elts if isinstance(e, ast.Name)})
            for t in stmt.targets
        ):
            return _with_dependencies(body, index)
    return None
