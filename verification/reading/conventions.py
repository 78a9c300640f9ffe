"""What the names, signatures and source of someone's code say about how it is called.

Detection (:mod:`verification.adapters.detection`) reads, without running anything:

* method and argument names: which method is the forward pass, which gives the gradient, which
  argument takes the inputs, the labels, the error ``a − y``, the forward output, the learning rate or
  the number of iterations (the lists below, in order of preference, matched without case).

Constructor arguments are guessed in :mod:`.guesses`, a method's source read in :mod:`.updates`.
"""

from __future__ import annotations

import inspect
import re
import types
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
    *("fprop", "fw_prop", "fwd_prop", "fwprop"),
    "forward_propagate",
    "_forward",
    "predict_proba",
    "predict",
    "scores",
    "logits",
    "query",
    "think",
    "__call__",
    "run",
    "test",  # test(self, x): the forward of a class that has no other (an evaluation returns no (n, k))
)
GRADIENT_NAMES = (
    *("backprop", "bprop", "bw_prop", "bwd_prop", "bwprop"),
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
    "back_propagate",
    *("retropropagacion", "retropropagacao", "retropropagazione", "retropropagation", "rueckwaerts"),
)
TRAIN_NAMES = (
    *("train_step", "train", "fit", "learn", "update", "step", "sgd_step", "train_once"),
    *("entrenar", "treinar", "addestrare", "entrainer", "trainieren"),  # the same word in other languages
)
"""Methods that give a gradient by returning it, or a training step by updating the weights (any language)."""

X_ARGS = tuple(
    "x inputs input xs a0 x_batch inputs_list input_list data sample row instance features x_train l0 "
    "input_data in_".split()
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
    "answers",
    "answer",
    "ground_truth",
    "gt",
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
    "learnrate",
    "learning_pace",
    "learning_speed",
    "lrn_rate",
    "gradient_step",
    "grad_step",
    *("tasa_aprendizaje", "tasa_de_aprendizaje", "taxa_aprendizagem", "taxa_aprendizado", "alfa"),
    *("taxa_de_aprendizado", "tasso_apprendimento", "taux_apprentissage", "taux_d_apprentissage", "lernrate"),
)
DATASET_ARGS = (
    "dataset",
    "train",
    "training",
    "train_set",
    "training_set",
    "train_data",
    "training_data",
    "patterns",
    "examples",
    "rows",
)
"""Arguments of a training function that take a whole data set: rows of inputs with their label, or
``[inputs, targets]`` pairs."""
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
SAMPLE_COUNT_ARGS = (
    "m",
    "n_samples",
    "num_samples",
    "n_examples",
    "num_examples",
    "nsamples",
    "n_batch",
    "batch_size",
    "batchsize",
    *("mini_batch_size", "minibatch_size", "mb_size"),
)
"""Arguments that take the number of samples in the batch (``backward_prop(…, one_hot_Y, m)``, the
``m`` of course notation for the examples)."""
GRADIENT_PREFIXES = ("dl_d", "dj_d", "djd", "dld", "grad_", "grad", "nabla_", "delta_", "g_", "d_", "d")
"""How code names the gradient of ``W`` before the name (``dW``, ``dLdW``, ``grad_W``, ``nabla_W``,
``g_W``), longest first; matched without case."""
GRADIENT_SUFFIXES = ("_gradient", "_grad", "grad")
"""... and after it (``W_grad``)."""


def gradient_stem(name: str) -> str:
    """The name a gradient's name is the gradient of, in its own case: ``dx`` → ``x``, ``dLdW`` → ``W``,
    ``grad_b`` → ``b``, ``dprev_h`` → ``prev_h``, ``x_grad`` → ``x``; ``name`` itself when it is no
    gradient's name by :data:`GRADIENT_PREFIXES` and :data:`GRADIENT_SUFFIXES`."""
    low = name.lower()
    for suffix in GRADIENT_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            return name[: -len(suffix)]
    for prefix in GRADIENT_PREFIXES:
        if low.startswith(prefix) and len(low) > len(prefix):
            return name[len(prefix) :]
    return name


def gradient_names(key: str) -> list[str]:
    """The names code gives the gradient of ``key`` before the name (``dW``, ``dLdW``, ``grad_W``), as
    written and with the key capitalised (``dweights``, ``dWeights``)."""
    capital = key[:1].upper() + key[1:]
    return [p + key for p in GRADIENT_PREFIXES] + [p + capital for p in GRADIENT_PREFIXES]


PARAMETER_CONTAINERS: tuple[str, ...] = ("parameters", "params", "weights", "theta", "model", "network")
PARAMETER_CONTAINERS += ("net", "nn", "parametres", "parametros", "parametri")  # French, Spanish, Italian
"""Argument names under which functions take their parameters."""


def lower(names: Iterable[str]) -> tuple[str, ...]:
    """The names in lower case, for matching without case."""
    return tuple(n.lower() for n in names)


def methods_by_preference(obj: Any, names: Iterable[str], fuzzy: Iterable[str] = ()) -> list[str]:
    """Callable attributes of ``obj`` whose names are in ``names`` (that order, any case), then those
    containing one of ``fuzzy``; properties are not read (reading one runs the code: a plot). Of an
    object, only its class's methods: a function it was handed and keeps (``self.loss_prime =
    mse_prime``) is no method of the network."""
    instance = not isinstance(obj, type | types.ModuleType)
    available = {
        n.lower(): n
        for n in dir(obj)
        if (not n.startswith("__") or n == "__call__")
        and not isinstance(inspect.getattr_static(obj, n, None), property)  # reading one runs it
        and (not instance or hasattr(type(obj), n))
    }
    out = []
    for n in names:
        real = available.get(n.lower())
        if real is not None and callable(getattr(obj, real, None)) and real not in out:
            own = isinstance(obj, type) and any("__call__" in vars(k) for k in obj.__mro__[:-1])
            if real != "__call__" or not isinstance(obj, type) or own:  # a class's is its constructor
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


APPLIES = re.compile(r"update|step|descent|apply|optimi", re.IGNORECASE)
GIVEN_GRADIENT = re.compile(r"^(grads?|gradients?|nabla\w*|d_?w\w*|dweights?)$", re.IGNORECASE)


def applies_given_gradient(fn: Any) -> bool:
    """A method named for applying a step that is given the gradient (``gradient_descent(self,
    gradient, learning_rate)``, ``update(grads, lr)``): it computes no gradient, so it is no backward pass
    and no training step to read one off."""
    name = getattr(fn, "__name__", "")
    return bool(APPLIES.search(name)) and any(GIVEN_GRADIENT.match(p.name) for p in positional_parameters(fn))


DERIVATIVE_SUFFIXES = ("_prime", "_derivative", "_deriv", "_derive", "_der", "_grad", "Prime", "Derivative")
"""How a function's derivative beside it is named: ``mse_prime``, ``sigmoid_der``, ``tanhDerivative``."""

REGULARISATION = re.compile(
    r"^(reg|lambd|lambda_?|lmbda|lamda|lam|l2|l2_?reg|l2_?lambda|reg_?lambda|lambda_?(wd|reg|l2)|weight_?decay|wd|decay"
    r"|reg_?strength)$",
    re.IGNORECASE,
)
"""Arguments that take a weight-decay or regularisation strength."""


SHORT_LABELS = ("l", "lbl", "lab")
"""Names of a method's labels right after its inputs (``forward(self, x, l)``): only there, and in lower
case (``L`` is a number of layers, and a lone ``l`` elsewhere a layer's index)."""


def role(name: str, position: int) -> str | None:
    """``x``, ``y``, ``error``, ``output``, ``cache``, ``lr``, ``iterations``, ``dataset``, ``samples``,
    ``held-out`` (a data set to evaluate on), ``reg`` or None, from an argument's name
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
        ("dataset", DATASET_ARGS),
        ("samples", SAMPLE_COUNT_ARGS),
    ):
        if n in lower(names) and not (kind == "samples" and name == "M"):  # M: a momentum factor
            return kind
    if re.search(r"deseada|deseado|esperad[oa]|objetivo|etiqueta|ejemplos_salida|rotulo", n):
        return "y"  # Spanish and Portuguese: the desired output, the target, the labels
    batch = re.match(
        r"^([xy])_?(?:m?b|(?:mini_?)?batch|trn?)$|^(?:mini_?)?(?:batch|data|train)_?([xy])s?$", n
    )
    if batch:  # train_step(self, Xb, yb, lr): a batch of inputs and labels; xTr, dataX: training data
        return batch.group(1) or batch.group(2)
    if re.search(
        r"target|label|expected|desired|truth|(^|_)y(_|s?$)|y_?trues?|(data|train|batch)_?[yt]s?$"
        r"|^t_?(data|list|vec(tor)?|arr(ay)?)$|^tgts?$|^(one_?)?hot_?(vec(tor)?|labels?)?$|^one_?hot"
        r"|^(y_?)?actuals?$|^y_?t$",
        n,
    ) or re.search(r"(train|set|true).*out|out.*(train|set|true)", n):
        return "y"  # a training method's "outputs" are its labels
    if re.search(r"iter|epoc|(^|_)eps?$|^n_?eps?$", n):  # num_ep, epocas: the epochs
        return "iterations"
    if re.match(r"^(test|val|valid|validation|eval|dev)_?(data|set|dataset)$", n):
        return "held-out"  # fit(training_data, …, test_data=None) evaluates on it: given an empty one
    if re.match(r"x_?(valid|val|test|dev|eval)", n):
        return "x"  # validation inputs, given the same inputs (``fit(X_train, y_train, X_valid, y_valid)``)
    if "cache" in n or re.match(r"(forward|fwd|ff)(_|$)", n):
        return "cache"  # what the forward pass returned (forward_res, fwd_cache)
    if re.search(r"learn.*rate|^lr_|_lr$", n) and not re.search(r"decay|schedule", n):
        return "lr"  # learning_rate_decay is a factor of the schedule, not the rate
    if "input" in n or "entrada" in n:  # Spanish and Portuguese: the input
        return "x"
    if REGULARISATION.match(n):
        return "reg"  # weight decay: given 0, so the gradient checked is the loss's own
    if re.match(
        r"^d_?(loss|l|c|cost|e|j|out|output|outputs|a|al|y_?hat|y_?pred|pred)$"
        r"|^(d|deriv|derivative)_?(of_?)?(c|cost|e|loss)(_?d_?(a|y|o|out|output))?$",
        n,
    ):
        return "error"  # backward(self, d_loss), backpropagate(dC): ∂L/∂(output), what training hands it
    if ("err" in n or "delta" in n or "grad" in n) and not re.search(
        r"thresh|tol|min_|max_|limit|goal|target|^(return|print|show|plot|log|compute)_", n
    ):
        return "error"  # not error_threshold (a stopping rule), return_error (a switch); no gradient given
    if position == 0 and not FIRST_WEIGHTS.match(n):
        return "x"
    return None


FIRST_WEIGHTS = re.compile(r"^(w|weights?|theta|syn|p|params?|parameters?)_?\d*$")
"""Weights a function may take first (``propagate(w, b, X, Y)``): never the inputs by their place."""


def unnamed_arguments(fn: Any) -> str:
    """``lmbda, n``: the required arguments of ``fn`` whose names say nothing of their role, for a
    refusal that cannot call it."""
    params = positional_parameters(fn)
    names = [
        p.name
        for i, p in enumerate(params)
        if p.default is inspect.Parameter.empty and role(p.name, i) is None
    ]
    return ", ".join(names) or "an argument"
