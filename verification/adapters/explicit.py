"""The explicit form given in full: a subject from the user's setup, forward and gradient (or step).

The parameters are found from the names the setup bound; without a setup, from the names the forward
and gradient code use. The layout and the input width may still be detected
(:mod:`verification.adapters.trials`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ffnn.validation import InputError
from verification.adapters.failures import refusal
from verification.adapters.function_setups import borrow, read_not_bound
from verification.adapters.options import Options
from verification.adapters.recipe import Recipe
from verification.adapters.subject import CodeSubject
from verification.adapters.trials import first_subject, run_setup
from verification.reading.loader import LoadedScript


def explicit_subject(
    namespace: dict[str, Any],
    recipe: Recipe,
    script: LoadedScript | None,
    options: Options,
) -> CodeSubject:
    """The subject of a recipe given in full (the layout may still be detected).

    The parameters are found from the names the setup bound; without a setup, from the names the
    forward and gradient code use.

    Raises
    ------
    InputError
        When it does not run at any layout, with the reason of the most promising try.
    """
    import ast
    import inspect

    if script is not None:  # functions and classes the pieces name that modules beside the script define
        pieces = [recipe.setup, recipe.forward, recipe.gradient, recipe.step]
        taken = borrow(namespace, script, wanted=read_not_bound(pieces))
        recipe = replace(recipe, notes=recipe.notes + taken)
    bound = run_setup(namespace, recipe.setup, script) if recipe.setup else []
    roots = [
        n
        for n in bound
        if not inspect.ismodule(namespace[n])
        and not inspect.isroutine(namespace[n])
        and not isinstance(namespace[n], type)
    ]
    if not roots:
        used: set[str] = set()
        for code in (recipe.forward, recipe.gradient, recipe.step):
            if code:
                used |= {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
        roots = sorted(
            n
            for n in used
            if n in namespace
            and n not in ("x", "y", "lr")
            and not inspect.ismodule(namespace[n])
            and not inspect.isroutine(namespace[n])
            and not isinstance(namespace[n], type)
        )
    errors: list[InputError | str] = []
    found = first_subject(namespace, recipe, roots, script, _named(namespace, recipe), options, errors)
    if found is None:
        raise refusal("the explicit form did not run", errors, None)
    return found


def _named(namespace: dict[str, Any], recipe: Recipe) -> str:
    """How reports name the code of an explicit form: the last call of its gradient or step that is the
    code's own (not a module's function, a builtin, or a call the forward makes too), a method call
    (``net.backward``) before a plain function (``sigmoid``), in a step of several statements one that
    is a statement of its own (not ``dW = X.T.dot(d)``); ``the code`` when there is none."""
    import ast
    import builtins
    import inspect

    import numpy as np

    code = recipe.gradient or recipe.step or ""
    try:  # a step of many statements is named by a call that is a statement of its own
        body = ast.parse(code).body
    except SyntaxError:
        body = []
    if len(body) > 1:
        code = "; ".join(ast.unparse(s) for s in body if isinstance(s, ast.Expr))
    forward = set(re.findall(r"([A-Za-z_][\w.]*)\(", recipe.forward))
    own = [
        c
        for c in re.findall(r"([A-Za-z_][\w.]*)\(", code)
        if c not in forward
        and not hasattr(builtins, c)
        and not inspect.ismodule(namespace.get(c.split(".")[0]))
        and not isinstance(namespace.get(c), type)  # train(network, loss_func=BCE()): a constructor
        and not ("." in c and hasattr(np.ndarray, c.rsplit(".", 1)[-1]))  # X.T.dot: an array's method
    ]
    methods = [c for c in own if "." in c]
    return (methods or own or ["the code"])[-1]
