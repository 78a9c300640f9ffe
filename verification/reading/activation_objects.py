"""Activations and losses a constructor takes as objects, given the project's own classes.

Many projects pass the activation as an object whose methods the network calls
(``NeuralNetwork(…, activation=Sigmoid(), output_activation=Softmax())``, then
``self.activation.forward(z)``, ``self.activation.evaluate(z)`` and ``.derivative(a)``), or a list of
them, one per layer (``for W, b, f in zip(self.W, self.b, self.activations): a = f.evaluate(z)``, or
appended among the layers, ``self.layers.append(activations[i])``, then ``layer.forward(x)`` over them). A
name guessed for such an argument (``'sigmoid'``) makes the code raise. :func:`activation_objects`
reads which methods the class calls on the argument and gives an instance of a class of the project
that has them all, defined in the script, imported by it or defined in a module beside it, named like
an activation: a sigmoid first (smooth everywhere, so that no kink meets a probe), then tanh, ReLU,
softmax. A loss or cost object (``Network(sizes, cost)`` calling ``self.cost.delta(z, a, y)``) is a
choice of the author's, and each choice is another network: :func:`loss_object_choices` gives every
class of the project that fits, in the order the project defines them, and the check is made with the
first that runs (the report's setup names it). Nothing is run: the class's source is parsed, and the
modules beside the script are loaded as the checker loads any script (definitions only).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable

from verification.reading.guesses import Expression
from verification.reading.loader import LoadedScript
from verification.reading.siblings import sibling_functions
from verification.reading.source_trees import source_tree

ACTIVATION_ARGUMENT = re.compile(
    r"^((hidden|output|out|last|final|h|o)_?)?(activation|act|activ|activation_?fn|activation_?function|"
    r"activation_?func|nonlinearity)s?(_?(hidden|output|out|h|o))?$",
    re.I,
)
"""Constructor arguments that name an activation, one (``activation``) or one per layer (``activations``)."""
LOSS_ARGUMENT = re.compile(
    r"^(cost|loss|error|criterion|objective)(_?(f|fn|func|function|obj|object|type))?$", re.I
)
"""Constructor arguments that name a loss object (``cost``, ``loss_function``, ``criterion``)."""
LOSS_CLASS = re.compile(r"loss|cost|error|criterion|entropy|quadratic|squared|mse|bce", re.I)
"""Names of a loss class."""
DERIVATIVE = re.compile(r"prime|deriv|backward|grad|diff|^d_?", re.I)
"""Methods that give an activation's derivative (``prime``, ``derivative``, ``backward``)."""
PREFERENCE = ("sigmoid", "logistic", "tanh", "tangent", "relu", "softmax")
"""Activation classes by preference, by a part of their names."""


def activation_objects(cls: type, script: LoadedScript | None) -> dict[str, Expression]:
    """Required arguments of ``cls``'s constructor named like an activation (:data:`ACTIVATION_ARGUMENT`)
    on which its code calls methods, each given an instance of the first class (by :data:`PREFERENCE`)
    of the script's namespace or of the modules beside it that has every method called and takes no
    argument, with the numbers of arguments they are called with: ``Sigmoid()`` (the class itself when
    its methods take no ``self``), or a list of one per layer (``[Sigmoid(), Sigmoid(), Sigmoid()]``,
    as many as the 4-5-5-3 sizes guessed have layers) for an argument whose code indexes or iterates
    it. Only an argument the network also asks for its derivative (``prime``, ``derivative``,
    ``backward`` …) is given one, so that whichever class is given, the backward pass uses its own
    derivative: one whose derivative the code writes itself goes with the author's activation, which is
    not known. An argument the code calls no such method on, or that no class fits, is not given."""
    if script is None:
        return {}
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return {}
    out: dict[str, Expression] = {}
    for p in params:
        if p.default is not inspect.Parameter.empty or not ACTIVATION_ARGUMENT.match(p.name):
            continue
        called, listed = _methods_called(cls, p.name)
        if not any(DERIVATIVE.search(m) for m in called):  # its derivative written elsewhere: the
            continue  # author's activation, unknown, must match it
        chosen = _fitting_class(called, script)
        if chosen is not None:
            made = chosen[0] if _unbound(chosen[1], set(called)) else f"{chosen[0]}()"
            out[p.name] = Expression(f"[{made}, {made}, {made}]" if listed else made)
    return out


def loss_object_choices(cls: type, script: LoadedScript | None) -> list[dict[str, Expression]]:
    """For the one required argument of ``cls``'s constructor named like a loss object
    (:data:`LOSS_ARGUMENT`) on which its code calls methods: ``[{"cost": "QuadraticCost()"}, …]``, one per
    class named like a loss (:data:`LOSS_CLASS`) that has every method called (with the numbers of
    arguments it is called with) and takes no argument, from the script's namespace in its order, the
    subclasses of the argument's annotation (``cost: CostFunction``), then the modules beside the
    script; empty when there is no such argument or no class fits."""
    if script is None:
        return []
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return []
    asked = [p for p in params if p.default is inspect.Parameter.empty and LOSS_ARGUMENT.match(p.name)]
    if len(asked) != 1:
        return []
    called, _ = _methods_called(cls, asked[0].name)
    if not called:
        return []
    namespace = script.module.__dict__
    found = {n: c for n, c in namespace.items() if isinstance(c, type) and c is not cls}
    given = asked[0].annotation  # cost: CostFunction, a name under `from __future__ import annotations`
    annotation = namespace.get(given) if isinstance(given, str) else given
    subclasses: list[type] = annotation.__subclasses__() if isinstance(annotation, type) else []
    for sub in subclasses:
        found.setdefault(sub.__name__, sub)
    beside = sibling_functions(
        script.path, ("loss", "cost", "error", "entropy", "quadratic"), kind=inspect.isclass
    )
    found |= {n: c for n, (c, _) in beside.items() if n not in found}
    fitting = [
        n
        for n, c in found.items()
        if LOSS_CLASS.search(n) and _bare(c) and all(_accepts(c, m, k, called) for m, k in called.items())
    ]
    bases = {b for n in fitting for b in found[n].__mro__[1:]}  # CostFunction, the interface alone

    def made(n: str) -> str:  # a subclass the script does not name: from the module that defines it
        c = found[n]
        if n in namespace or n in beside:
            return f"{n}()"
        return f"__import__({c.__module__!r}, fromlist=['_']).{c.__name__}()"

    return [{asked[0].name: Expression(made(n))} for n in fitting if found[n] not in bases]


def _methods_called(cls: type, argument: str) -> tuple[dict[str, set[int]], bool]:
    """The methods the class's code calls on ``argument`` (kept as ``self.<attr>``), and whether it
    reads it as a list (indexed, or iterated by a loop whose variable the methods are called on); each
    method with the numbers of positional arguments it is called with."""
    trees = [t for _, fn in inspect.getmembers(cls, inspect.isfunction) if (t := source_tree(fn)) is not None]
    held = {argument}
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Name)
                and node.value.id == argument
            ):
                held |= {t.attr for t in node.targets if isinstance(t, ast.Attribute)}

    init = source_tree(vars(cls)["__init__"]) if "__init__" in vars(cls) else None
    own = {id(n) for n in ast.walk(init)} if init is not None else set()  # the argument's own scope

    def names_it(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id == argument and id(node) in own) or (
            isinstance(node, ast.Attribute) and node.attr in held
        )

    containers = _containers_of([init] if init else [], names_it)  # self.layers.append(activations[i])
    elements: set[str] = set()
    mixed: set[str] = set()  # variables over such a container, whose other layers take other arguments
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.For | ast.comprehension):
                continue
            loop, target = node.iter, node.target
            zipped = isinstance(loop, ast.Call) and isinstance(loop.func, ast.Name) and loop.func.id == "zip"
            if (
                zipped
                and isinstance(loop, ast.Call)
                and isinstance(target, ast.Tuple)
                and len(target.elts) == len(loop.args)
            ):
                pairs = [(t, a) for t, a in zip(target.elts, loop.args, strict=True) if names_it(a)]
                elements |= {t.id for t, _ in pairs if isinstance(t, ast.Name)}  # for W, b, f in zip(…)
            elif names_it(loop) and isinstance(target, ast.Name):  # for f in self.activations
                elements.add(target.id)
            elif _over(loop) in containers and isinstance(target, ast.Name):
                mixed.add(target.id)  # for layer in reversed(self.layers): the activations among them
    called: dict[str, set[int]] = {}
    listed = False
    for tree in trees:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            indexed = isinstance(receiver, ast.Subscript) and names_it(receiver.value)
            element = isinstance(receiver, ast.Name) and receiver.id in elements
            if names_it(receiver) or indexed or element:
                called.setdefault(node.func.attr, set()).add(len(node.args))
                listed = listed or indexed or element
            elif isinstance(receiver, ast.Name) and receiver.id in mixed:
                fewest = min(called.get(node.func.attr, {len(node.args)}) | {len(node.args)})
                called[node.func.attr] = {fewest}  # the fewest: a dropout layer's forward(x, training)
                listed = True
    for string_method in ("lower", "upper", "strip"):  # a name's string methods: no object
        called.pop(string_method, None)
    return called, listed


def _over(loop: ast.expr) -> str | None:
    """The attribute a loop runs over: ``self.layers``, ``reversed(self.layers)``, ``self.layers[::-1]``."""
    if (
        isinstance(loop, ast.Call)
        and isinstance(loop.func, ast.Name)
        and loop.func.id == "reversed"
        and loop.args
    ):
        loop = loop.args[0]
    if isinstance(loop, ast.Subscript):
        loop = loop.value
    return loop.attr if isinstance(loop, ast.Attribute) else None


def _containers_of(trees: list[ast.AST], names_it: Callable[[ast.AST], bool]) -> set[str]:
    """Attributes ``self.<name>`` that the argument, or an element of it, is appended to
    (``self.layers.append(activations[i])``): lists of layers that hold the activations given."""
    out: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and isinstance(node.func.value, ast.Attribute)
                and len(node.args) == 1
            ):
                given = node.args[0]
                if names_it(given) or (isinstance(given, ast.Subscript) and names_it(given.value)):
                    out.add(node.func.value.attr)
    return out


def _fitting_class(methods: dict[str, set[int]], script: LoadedScript) -> tuple[str, type] | None:
    """The name of the preferred class having ``methods``, constructible with no argument, in the
    script's namespace or a module beside it (bound later by the setup's borrowing of such names)."""
    namespace = script.module.__dict__
    found = {n: c for n, c in namespace.items() if isinstance(c, type)}
    beside = sibling_functions(script.path, PREFERENCE, kind=inspect.isclass)
    found |= {n: c for n, (c, _) in beside.items() if n not in found}
    for word in PREFERENCE:
        for name, c in sorted(found.items()):
            if (
                word in name.lower()
                and _bare(c)
                and all(_accepts(c, m, n, methods) for m, n in methods.items())
            ):
                return name, c
    return None


def _bare(c: type) -> bool:
    """Whether ``c()`` needs no argument."""
    try:
        params = inspect.signature(c).parameters.values()
    except (TypeError, ValueError):
        return False
    return not [p for p in params if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _accepts(c: type, method: str, counts: set[int], methods: dict[str, set[int]]) -> bool:
    """Whether ``c.method`` takes each number of positional arguments in ``counts``, on an instance or
    (:func:`_unbound`) on the class."""
    fn = getattr(c, method, None)
    if not callable(fn):
        return False
    try:
        target = fn if _unbound(c, set(methods)) else getattr(c(), method)
        signature = inspect.signature(target)
    except Exception:  # a constructor that raises, a signature that cannot be read
        return False
    for n in counts:
        try:
            signature.bind(*range(n))
        except TypeError:
            return False
    return True


def _unbound(c: type, methods: set[str]) -> bool:
    """Whether the methods are written without ``self`` (``def forward(X):``): the class itself is
    what the project passes (``activation=Sigmoid``), and its methods are called on it."""
    firsts = [next(iter(inspect.signature(getattr(c, m)).parameters), None) for m in methods]
    return all(f is not None and f not in ("self", "cls") for f in firsts)
