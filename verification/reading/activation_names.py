"""An activation chosen by a string: ``Dense(3, "sigmoid", 4)``.

Layer classes often take their activation by name and look it up (``self.activation =
get_activation(activation)``, a dict of ``"relu"``, ``"sigmoid"``, … in a module of the project, or
``if activation == "tanh": …`` in the class). Guessed from its name alone, such an argument has no
value. :func:`activation_name` reads, without running anything, which names the code accepts: the
string constants of the class and of the functions its constructor hands the argument to.
"""

from __future__ import annotations

import ast
import re
import sys

from verification.reading.source_trees import source_tree

ACTIVATION_ARGUMENT = re.compile(
    r"^(activation|act|activation_?(fn|func|function|name|type)|nonlinearity)$", re.I
)
"""A constructor argument that takes an activation, maybe by name."""
PREFERRED = ("sigmoid", "tanh", "relu")
"""The names tried, in order: smooth first, so that no probe sits on a kink."""


def _strings(tree: ast.AST | None) -> list[str]:
    return (
        [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if tree
        else []
    )


def activation_name(cls: type, argument: str) -> str | None:
    """The activation name, as the code spells it, to give ``cls``'s constructor as ``argument``: the
    first of :data:`PREFERRED` among the string constants of the class and of the functions of its
    module that its constructor calls with the argument (``get_activation(activation)``); None when the
    argument is not named like an activation (:data:`ACTIVATION_ARGUMENT`) or no such string is there.
    """
    if not ACTIVATION_ARGUMENT.match(argument):
        return None
    tree = source_tree(cls)
    strings = _strings(tree)
    module = vars(sys.modules[cls.__module__]) if cls.__module__ in sys.modules else {}
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if any(isinstance(a, ast.Name) and a.id == argument for a in node.args):
                strings += _strings(source_tree(module.get(node.func.id)))
    for wanted in PREFERRED:
        found = next((s for s in strings if s.lower() == wanted), None)
        if found is not None:
            return found
    return None


ACTIVATION_LIST = re.compile(r"^(activations|activation_?(list|names|functions|funcs|fns|types)|acts)$", re.I)
"""A constructor argument that takes one activation name per layer of weights
(``MLP(layer_sizes, activations)``)."""
OUTPUTS = ("sigmoid", "softmax", "linear", "identity", "tanh")
"""The output activations a list may end with, in the order tried."""


def activation_lists(cls: type, argument: str) -> list[list[str]]:
    """The lists of activation names to give ``cls``'s constructor as ``argument``, one per layer of
    the guessed 4-5-5-3 network (:mod:`~verification.reading.guesses`): the hidden layers the first of
    :data:`PREFERRED` the class names, the output each of :data:`OUTPUTS` it names, each list another
    network whose output activation decides the loss its training follows; empty when the argument is
    not named like such a list (:data:`ACTIVATION_LIST`) or the class names no hidden activation."""
    if not ACTIVATION_LIST.match(argument):
        return []
    strings = {s.lower(): s for s in _strings(source_tree(cls))}
    hidden = next((strings[w] for w in PREFERRED if w in strings), None)
    if hidden is None:
        return []
    return [[hidden, hidden, strings[out]] for out in OUTPUTS if out in strings]
