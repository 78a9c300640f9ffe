"""Scalar autograd engines in the micrograd style: each operation of a ``Value`` class, alone and in the
settings that catch the common bugs, then a small graph through the engine's own ``backward``.

An engine's class keeps a number (``data``), its gradient (``grad``), its operands (``_prev``) and a
closure (``_backward``) that each operation attaches to its output, to add the output's gradient times
the local derivative into each operand's gradient. The attributes' names are read from the code
(:class:`Engine`). An operation is checked by building leaves, applying it, giving the output a random
gradient ``g`` and running the closures of the graph it built in reverse topological order (so an
operation written through others, ``a - b`` as ``a + (-b)``, is checked whole); the leaves' gradients
must be ``g ∂out/∂leaf``, the numeric derivative of the output's ``data`` (complex step where the
engine's arithmetic takes complex numbers, else Richardson). Settings:

* **alone**, with operands of either sign (or positive, for ``log``, ``**`` and the like);
* **operand used twice** (``a * a``): a closure that assigns (``=``) where it must add (``+=``)
  leaves ``a.grad = a g`` instead of ``2 a g``;
* **gradient already present** (the operand has another consumer): the closure must add to it.

The graph (``Value.backward``) is checked on an expression of the operations that matched, with an
operand used in several places.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.reading.loader import LoadedScript
from verification.units.cases import Case, NotChecked
from verification.units.running import Runner, failed_verdict, failure_line, is_complex
from verification.units.settings import Setting
from verification.units.source import definition, nested_assignments
from verification.units.vjp import Problem

Array = NDArray[Any]
POSITIVE = re.compile(r"log|sqrt|pow|truediv|rtruediv|div", re.I)
EXPONENTS = {"__pow__": [2, 3, 0.5, -1]}
ARITHMETIC = {
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__neg__",
}
"""Operators an engine writes through its other operations (``a - b`` as ``a + (-b)``)."""
SKIP = {"__init__", "__repr__", "__str__", "__hash__", "__eq__", "backward", "build_topo", "_backward"}


class Engine:
    """The names an engine's class uses, read from its code.

    Attributes
    ----------
    cls : type
    closure : str
        The attribute its operations attach the backward closure to (``_backward``).
    data, grad, children : str
        The attributes holding the number, the gradient and the operands.
    """

    def __init__(self, cls: type, script: LoadedScript | None) -> None:
        self.cls = cls
        self.script = script
        node = definition(script, cls.__name__, cls)
        methods = [m for m in getattr(node, "body", []) if hasattr(m, "args")]
        assigned = [attr for m in methods for _, attr in nested_assignments(m)]
        self.closure = max(set(assigned), key=assigned.count) if assigned else "_backward"
        own = [m.name for m in methods if nested_assignments(m)]
        self.operations = [
            m.name
            for m in methods
            if m.name not in SKIP and (m.name in own or m.name in ARITHMETIC or self._unary(m))
        ]
        leaf = cls(1.5)
        attrs = vars(leaf)
        self.data = next((k for k, v in attrs.items() if v == 1.5 and not isinstance(v, bool)), "data")
        self.grad = next((k for k in ("grad", "gradient", "g", "_grad") if k in attrs), "grad")
        containers = [k for k, v in attrs.items() if isinstance(v, (set, tuple, list, frozenset))]
        named = [k for k in containers if re.search(r"prev|child|parent|operand|input", k, re.I)]
        self.children = (named or containers or ["_prev"])[0]

    def _unary(self, method: Any) -> bool:
        """A public method of ``self`` alone that returns a value of the class (``sigmoid`` written as
        ``1 / (1 + (-self).exp())``)."""
        if method.name.startswith("_") or len(method.args.args) != 1:
            return False
        try:
            return isinstance(getattr(self.cls(0.5), method.name)(), self.cls)
        except Exception:  # a method that is not an operation, or fails: not a unit
            return False

    def leaf(self, value: Any) -> Any:
        """A new leaf holding ``value``."""
        return self.cls(value)

    def order(self, root: Any) -> list[Any]:
        """The nodes of the graph below ``root`` in topological order (operands first)."""
        out, seen, stack = [], set(), [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                out.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for child in getattr(node, self.children, ()) or ():
                if isinstance(child, self.cls):
                    stack.append((child, False))
        return out

    def run_closures(self, root: Any, leaves: list[Any]) -> list[float]:
        """Every closure of the graph below ``root``, in reverse topological order; returns, per leaf,
        the sum of the sizes of what the closures added to its gradient (the terms summed into it)."""
        sizes = [0.0] * len(leaves)
        for node in reversed(self.order(root)):
            fn = getattr(node, self.closure, None)
            if not callable(fn):
                continue
            before = [getattr(leaf, self.grad) for leaf in leaves]
            fn()
            for i, leaf in enumerate(leaves):
                sizes[i] += abs(getattr(leaf, self.grad) - before[i])
        return sizes


def arity(fn: Any) -> int:
    """Operands of an operation: 1 for ``tanh(self)``, 2 for ``__mul__(self, other)``."""
    try:
        return len([p for p in inspect.signature(fn).parameters.values() if p.default is p.empty])
    except (TypeError, ValueError):
        return 1


class OperationUnit:
    """One operation of an engine (kind ``op``).

    Parameters
    ----------
    engine : Engine
    operation : str
        The method's name (``__mul__``, ``tanh``).
    seed : int
    """

    kind = "op"

    def __init__(self, engine: Engine, operation: str, seed: int) -> None:
        self.engine, self.operation = engine, operation
        cls = engine.cls.__name__
        self.name = f"{cls}.{operation}"
        self.forward = self.name
        self.backward: str | None = f"{self.name}.{engine.closure}" if self._attaches() else None
        self.runner = Runner(engine.script, seed)
        self.operands = arity(getattr(engine.cls, operation))
        self.reflected = bool(re.fullmatch(r"__r(add|sub|mul|truediv|floordiv|pow|matmul)__", operation))

    def _attaches(self) -> bool:
        node = definition(self.engine.script, self.name, getattr(self.engine.cls, self.operation, None))
        return bool(nested_assignments(node))

    def settings(self) -> list[Setting]:
        """Alone (each sign), operand used twice, gradient already present; ``**`` at four exponents."""
        out = [Setting("alone, operands > 0", {"sign": 1.0})]
        if not POSITIVE.search(self.operation):
            out.append(Setting("alone, operands < 0", {"sign": -1.0}))
        if self.operands == 2 and self.operation not in EXPONENTS and not self.reflected:
            out.append(Setting("operand used twice", {"sign": 1.0}, draw="twice"))
        out.append(Setting("gradient already present", {"sign": 1.0}, draw="present"))
        for p in EXPONENTS.get(self.operation, [])[1:]:
            out.append(Setting(f"exponent {p}", {"sign": 1.0, "exponent": p}))
        return out

    def _apply(self, values: list[Any], setting: Setting) -> tuple[Any, list[Any]]:
        eng = self.engine
        leaves = [eng.leaf(v) for v in values]
        method = getattr(leaves[0], self.operation)
        if self.operands == 1:
            return method(), leaves[:1]
        if self.operation in EXPONENTS:
            return method(setting.env.get("exponent", EXPONENTS[self.operation][0])), leaves[:1]
        if self.reflected:  # Python calls ``b.__radd__(a)`` only when ``a`` is not a value: a number
            return method(values[1]), leaves[:1]
        other = leaves[0] if setting.draw == "twice" else leaves[1]
        try:
            return method(other), leaves if setting.draw != "twice" else leaves[:1]
        except Exception:  # an operation written for numbers only (``__rmul__(2)``)
            return method(values[1]), leaves[:1]

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The operation at one setting (see the module docstring).

        Raises
        ------
        NotChecked
            ``refused`` when the operation raises at the leaves' values (its forward cannot be
            evaluated); ``mismatch`` when its closures raise.
        """
        eng = self.engine
        sign = setting.env["sign"]
        values = [float(sign * rng.uniform(0.5, 1.5)) for _ in range(2)]
        try:
            out, leaves = self.runner.call(self.name, self._apply, values, setting)
        except InputError as exc:
            raise NotChecked("refused", f"{self.name} {failure_line(exc)}") from None
        if not isinstance(out, eng.cls):
            raise NotChecked("refused", f"{self.name} returns {type(out).__name__}, not a {eng.cls.__name__}")
        g = float(rng.uniform(0.5, 1.5))
        present = [float(rng.uniform(0.5, 1.5)) if setting.draw == "present" else 0.0 for _ in leaves]
        for leaf, p in zip(leaves, present, strict=True):
            setattr(leaf, eng.grad, p)
        setattr(out, eng.grad, g)
        try:
            sizes = self.runner.call(
                f"the backward closures of {self.name}", eng.run_closures, out, leaves, copy=False
            )
        except InputError as exc:
            raise NotChecked(failed_verdict(exc), failure_line(exc)) from None
        names = ["self", "other"][: len(leaves)]
        analytic = {
            n: np.array(getattr(leaf, eng.grad) - p)
            for n, leaf, p in zip(names, leaves, present, strict=True)
        }
        point = {n: np.array(values[i]) for i, n in enumerate(names)}

        def forward(theta: dict[str, Array]) -> list[Array]:
            vals = [theta[n][()] for n in names] + values[len(names) :]
            result, _ = self.runner.call(self.name, self._apply, vals, setting, complex_=is_complex(theta))
            return [np.asarray(getattr(result, eng.data))]

        labels = {n: f"{n}.{eng.grad}" for n in names}
        floors = dict(zip(names, sizes, strict=True))
        return Case(setting.name, Problem(forward, point, [np.array(g)]), analytic, labels, floors=floors)


UNARY = ("tanh", "sigmoid", "exp", "relu")


class GraphUnit:
    """An expression graph through the engine's own ``backward`` (kind ``op``): ``((a b + a) → f) · a``
    with ``f`` the first of :data:`UNARY` the engine has and evaluates, ``a`` used three times.

    Parameters
    ----------
    engine : Engine
    method : str
        The backward method (``backward``).
    seed : int
    """

    kind = "op"

    def __init__(self, engine: Engine, method: str, seed: int) -> None:
        self.engine, self.method = engine, method
        self.name = self.forward = f"{engine.cls.__name__}.{method}"
        self.backward: str | None = self.name
        self.runner = Runner(engine.script, seed)
        self.unary = next((u for u in UNARY if self._works(u)), None)
        self.broken: list[str] = []

    def after(self, results: list[Any]) -> None:
        """Leave out of the graph the operations whose own check failed: the graph checks the engine's
        ``backward`` (its order and accumulation), and a broken operation would only repeat itself."""
        verdicts = {r.unit: r.verdict for r in results}
        cls = self.engine.cls.__name__
        self.broken = [
            f"{cls}.{op}" for op in ("__add__", "__mul__") if verdicts.get(f"{cls}.{op}") == "mismatch"
        ]
        if self.unary is not None and verdicts.get(f"{cls}.{self.unary}") == "mismatch":
            self.unary = next(
                (u for u in UNARY if self._works(u) and verdicts.get(f"{cls}.{u}") == "matches"), None
            )

    def _works(self, name: str) -> bool:
        try:
            return isinstance(getattr(self.engine.leaf(0.7), name)(), self.engine.cls)
        except Exception:  # an operation that fails is left out of the graph
            return False

    def settings(self) -> list[Setting]:
        """One graph."""
        shape = f" → {self.unary}" if self.unary else ""
        return [Setting(f"graph (a·b + a){shape} · a")]

    def _graph(self, a: Any, b: Any) -> Any:
        d = a * b + a
        if self.unary is not None:
            d = getattr(d, self.unary)()
        return d * a

    def case(self, setting: Setting, rng: np.random.Generator) -> Case:
        """The graph at drawn leaves; ``root.backward()`` against the numeric gradient of ``root.data``.

        Raises
        ------
        NotChecked
            ``refused`` when the graph cannot be built; ``mismatch`` when ``backward`` raises.
        """
        eng = self.engine
        if self.broken:
            verb = "mismatches" if len(self.broken) == 1 else "mismatch"
            raise NotChecked("refused", f"the graph is built of {' and '.join(self.broken)}, which {verb}")
        values = [float(rng.uniform(0.3, 0.9)), float(rng.uniform(-0.9, -0.3))]

        def build(vals: list[Any]) -> tuple[Any, list[Any]]:
            leaves = [eng.leaf(v) for v in vals]
            return self._graph(*leaves), leaves

        try:
            root, leaves = self.runner.call(self.name, build, values)
        except InputError as exc:
            raise NotChecked("refused", f"the graph {failure_line(exc)}") from None
        try:
            self.runner.call(self.name, getattr(root, self.method))
        except InputError as exc:
            raise NotChecked(failed_verdict(exc), f"{self.name} {failure_line(exc)}") from None
        analytic = {n: np.array(getattr(leaf, eng.grad)) for n, leaf in zip("ab", leaves, strict=True)}

        def forward(theta: dict[str, Array]) -> list[Array]:
            result, _ = self.runner.call(
                self.name, build, [theta["a"][()], theta["b"][()]], complex_=is_complex(theta)
            )
            return [np.asarray(getattr(result, eng.data))]

        point = {"a": np.array(values[0]), "b": np.array(values[1])}
        labels = {"a": f"a.{eng.grad}", "b": f"b.{eng.grad}"}
        return Case(setting.name, Problem(forward, point, [np.array(1.0)]), analytic, labels)
