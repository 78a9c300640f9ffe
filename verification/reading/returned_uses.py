"""What the script's own code hands a backward function from its forward function's returned tuple.

A driver written ::

    z_mat, a_mat = feed_forward(dataset[n], weights, biases)
    del_w, del_b = back_prop(z_mat, a_mat, labels[n], weights)

unpacks the forward pass's values into names of its own and hands them on by position: the backward
function's ``z_matrix`` is the forward function's first returned value, ``a_matrix`` its second, though
no name says so. :func:`returned_arguments` reads that pairing off each function body (and the top
level) that holds both calls. Nothing is run here.
"""

from __future__ import annotations

import ast


def returned_arguments(tree: ast.Module, forward: str, backward: str, params: list[str]) -> dict[str, int]:
    """``{parameter of backward: index into forward's returned tuple}`` as the script's own code hands
    them on: in one scope, ``a, b = forward(…)`` then ``backward(…, a, …)`` by position or keyword;
    ``params`` are the backward function's parameter names, in order; also when the call's value is
    bound to a name first and unpacked from it (``result = forward(…)``; ``a, b = result``). Empty when
    no scope holds both."""
    scopes: list[ast.AST] = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]
    for scope in scopes:
        body = [n for s in getattr(scope, "body", []) for n in ast.walk(s)]
        unpacked: dict[str, int] = {}
        results = {  # result = feed_forward(…), unpacked later: z_mat, a_mat = result
            t.id
            for node in body
            if isinstance(node, ast.Assign) and _calls(node.value, forward)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Tuple)
                and (
                    _calls(node.value, forward)
                    or (isinstance(node.value, ast.Name) and node.value.id in results)
                )
            ):
                for k, t in enumerate(node.targets[0].elts):
                    if isinstance(t, ast.Name):
                        unpacked[t.id] = k
        if not unpacked:
            continue
        for node in body:
            if isinstance(node, ast.Call) and _calls(node, backward):
                given = [(params[k], a) for k, a in enumerate(node.args[: len(params)])]
                given += [(kw.arg, kw.value) for kw in node.keywords if kw.arg in params]
                found = {p: unpacked[a.id] for p, a in given if isinstance(a, ast.Name) and a.id in unpacked}
                if found:
                    return found
    return {}


def _calls(node: ast.expr, name: str) -> bool:
    """A call of ``name``, also through the module that holds it (``fw.forward(X, params)``)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr == name
    )
