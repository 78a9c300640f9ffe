"""The parts of the unit check: reading shapes from docstrings, complex allocation, stubs, naming,
discovery and the complex-safety probe."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from verification.reading.loader import load_script
from verification.units.complexify import ComplexAllocation
from verification.units.discovery import discover, select
from verification.units.loss_arguments import roles
from verification.units.losses import derivative_of
from verification.units.shapes import GROUP, docstring_templates, parse_shape, resolve
from verification.units.source import placeholder, returned_names
from verification.units.vjp import Problem, complex_safe

FILES = Path(__file__).resolve().parent / "layer_files"


@pytest.mark.parametrize(
    ("text", "dims"),
    [
        ("N, C, H, W", ("N", "C", "H", "W")),
        ("N, d_1, ..., d_k", ("N", GROUP)),
        ("N, d_1, ... d_k", ("N", GROUP)),
        ("4H,", ("4H",)),
        ("D, 4*H", ("D", "4H")),
        ("optional", None),
        ("x, w, b", ("x", "w", "b")),
    ],
)
def test_a_shape_in_a_docstring_is_read(text: str, dims: tuple[str, ...] | None) -> None:
    assert parse_shape(text) == dims


def test_a_course_docstring_gives_shapes_kinds_and_bounds() -> None:
    doc = """Forward pass.

    Inputs:
    - x: Integer array of shape (N, T) giving indices of words. Each element idx
      of x must be in the range 0 <= idx < V.
    - W: Weight matrix of shape (V, D) giving word vectors for all words.
    - mask: Boolean array of shape (N, T)

    Returns a tuple of:
    - out: Array of shape (N, T, D)
    """
    got = {n: (t.kind, t.dims, t.bound) for n, t in docstring_templates(doc, ["x", "W", "mask"]).items()}
    assert got == {
        "x": ("index", ("N", "T"), "V"),
        "W": ("float", ("V", "D"), ""),
        "mask": ("mask", ("N", "T"), ""),
    }


def test_symbols_resolve_with_factors_and_the_group_of_axes() -> None:
    assert resolve(("N", "4H", GROUP), {"N": 2, "H": 3, "D": 5}) == (2, 12, 5)
    assert resolve(("N", GROUP), {"N": 2, GROUP: (2, 3)}) == (2, 2, 3)


def test_allocation_is_complex_only_inside_a_complex_run() -> None:
    namespace = {"np": np, "zeros": np.zeros}
    allocation = ComplexAllocation([namespace])
    with allocation.complex_run():
        made = namespace["np"].zeros((2, 3)), namespace["zeros"](2), namespace["np"].zeros(2, dtype=int)
        full = namespace["np"].full((2,), 1.5)
    assert [m.dtype.kind for m in made] == ["c", "c", "i"] and full.dtype.kind == "c"
    assert namespace["np"] is np and namespace["zeros"] is np.zeros


def test_complex_safety_is_detected_not_assumed() -> None:
    rng = np.random.default_rng(0)
    point = {"x": rng.standard_normal(4)}
    douts = [rng.standard_normal(4)]
    assert complex_safe(Problem(lambda t: [np.sin(t["x"])], point, douts), rng) == (True, "")
    dropped = complex_safe(Problem(lambda t: [np.sin(np.real(t["x"]))], point, douts), rng)
    assert dropped == (False, "the forward returns real values at complex inputs")
    modulus = complex_safe(Problem(lambda t: [np.abs(t["x"]) ** 3 + 0j * t["x"]], point, douts), rng)
    assert modulus[0] is False


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("def f(x):\n    '''Doc.'''\n    out = None\n    pass\n    return out\n", "pass at line 4"),
        ("def f(x):\n    raise NotImplementedError('todo')\n", "raise NotImplementedError at line 2"),
        ("def f(x):\n    try:\n        import y\n    except ImportError:\n        pass\n    return x\n", ""),
        ("class C(Base):\n    pass\n", "an empty class body (line 1)"),
        ("def f(x):\n    return 2 * x\n", ""),
    ],
)
def test_a_placeholder_is_found_where_the_work_is_undone(source: str, reason: str) -> None:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef | ast.ClassDef)
    assert placeholder(node) == reason


def test_the_names_a_backward_returns_are_read() -> None:
    node = ast.parse("def b(dout, cache):\n    dx = dout\n    return dx, cache[0] * 2, db\n").body[0]
    assert isinstance(node, ast.FunctionDef)
    assert returned_names(node) == ["dx", None, "db"]


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("mse_prime", "mse"),
        ("d_binary_crossentropy", "binary_crossentropy"),
        ("sigmoid_derivative", "sigmoid"),
        ("dsigmoid", "sigmoid"),
        ("dropout", None),
        ("mse", None),
    ],
)
def test_a_derivative_is_paired_by_its_name(name: str, base: str | None) -> None:
    names = [
        "mse",
        "mse_prime",
        "binary_crossentropy",
        "d_binary_crossentropy",
        "sigmoid",
        "dsigmoid",
        "dropout",
    ]
    names.append("sigmoid_derivative")
    assert derivative_of(name, names) == base


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["y_true", "y_pred"], (1, 0)),
        (["y_pred", "y_true"], (0, 1)),
        (["y", "a"], (1, 0)),
        (["u", "v"], (1, 0)),
        (["y", "t"], (0, 1)),  # Bishop's notation: y the network's output, t the target
        (["t", "y"], (1, 0)),
        (["y", "targets"], (0, 1)),
        (["y", "y_true"], (0, 1)),
    ],
)
def test_the_prediction_is_told_from_the_target_by_name(names: list[str], expected: tuple[int, int]) -> None:
    assert roles(names) == expected


def test_discovery_finds_every_kind_in_file_order() -> None:
    found = {
        name: [(u.name, u.kind) for u in discover(load_script(FILES / f"{name}.py"))]
        for name in ("course_layers", "layer_objects", "engine", "losses")
    }
    assert [n for n, _ in found["course_layers"]][:4] == ["affine", "relu", "batchnorm", "batchnorm_alt"]
    assert found["layer_objects"] == [
        ("Layer_Dense", "layer"),
        ("Activation_Tanh", "layer"),
        ("Activation_Softmax", "layer"),
        ("Activation_Softmax_Loss_CategoricalCrossentropy", "layer"),
        ("Loss_CategoricalCrossentropy", "loss"),
        ("FullyConnected", "layer"),
        ("Linear", "layer"),
        ("Affine", "layer"),
        ("SampleLayer", "layer"),
        ("Propagating", "layer"),
        ("ActivationLayer", "layer"),
        ("BiasRowLayer", "layer"),
        ("tanh", "pair"),
        ("VectorLayer", "layer"),
        ("MeanLinear", "layer"),
        ("Normalised", "layer"),
        ("MomentumLinear", "layer"),
        ("DecayedLinear", "layer"),
    ]
    assert ("Value.__mul__", "op") in found["engine"]
    assert found["engine"][-3:] == [("Value.backward", "op"), ("Neuron", "layer"), ("MLP", "layer")]
    assert found["losses"] == [
        ("mse", "loss"),
        ("binary_crossentropy", "loss"),
        ("sigmoid", "pair"),
        ("tanh", "pair"),
        ("MeanAbsoluteError", "loss"),
    ]


def test_a_name_selects_a_unit_by_its_name_function_or_class() -> None:
    units = discover(load_script(FILES / "engine.py"))
    assert [u.name for u in select(units, "Value.__pow__")] == ["Value.__pow__"]
    assert len(select(units, "Value")) == len(units)
    course = discover(load_script(FILES / "course_layers.py"))
    assert [u.name for u in select(course, "batchnorm_backward_alt")] == ["batchnorm_alt"]
