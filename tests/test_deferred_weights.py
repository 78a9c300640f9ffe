"""Weights a class makes in its training method: made by the first call only, at the first call's sizes
(:mod:`verification.reading.deferred_weights`), and NumPy's removed aliases
(:mod:`verification.reading.numpy_aliases`)."""

from __future__ import annotations

import ast
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from verification.reading.deferred_weights import guard_initialisations, initialising_methods
from verification.reading.loader import load_script
from verification.reading.numpy_aliases import numpy_with_aliases, removed_names_used

FIT = textwrap.dedent(
    """
    class Net:
        def __init__(self, hidden=3):
            self.hidden = hidden
            self.W2 = None
            self.b2 = 0.5

        def fit(self, X, y, epochs=2):
            n_in = X.shape[1]
            n_samples = X.shape[0]
            self.W1 = np.ones((n_in, self.hidden)) * n_samples
            self.W2 = np.ones((self.hidden, 1))
            self.b2 = 7.0
            for epoch in range(epochs):
                self.W1 = self.W1 - 1.0
                self.made = np.zeros(2)
            return self

        def predict(self, X):
            self.cache = X
            return X @ self.W1 @ self.W2 + self.b2
    """
)


def _load(source: str) -> type:
    tree = ast.parse(source)
    changed, methods = guard_initialisations(tree.body[0])
    namespace = {"np": np}
    exec(compile(ast.Module(body=[changed], type_ignores=[]), "<fit>", "exec"), namespace)
    cls = namespace["Net"]
    assert initialising_methods(cls) == tuple(methods)
    return cls


def test_weights_are_made_by_the_first_call_only_at_its_sizes() -> None:
    """fit(X of 2 samples) makes W1 = 2 (samples) and takes 1 off it in each of 2 epochs: 0; a second fit on
    5 samples of 4 features keeps W1's shape (2 features) and goes on from it; b2, set to a value by the
    constructor, is the code's own to set again (7.0); W2, set to None there, is made once."""
    cls = _load(FIT)
    assert initialising_methods(cls) == ("fit",)
    net = cls().fit(np.zeros((2, 2)), None)
    np.testing.assert_array_equal(net.W1, np.zeros((2, 3)))
    net.W2[0, 0] = 9.0
    net.fit(np.zeros((5, 4)), None)
    np.testing.assert_array_equal(net.W1, np.full((2, 3), -2.0))  # not re-made at 4 features, 5 samples
    assert net.W2[0, 0] == 9.0 and net.b2 == 7.0


GUARDED_BY_AUTHOR = textwrap.dedent(
    """
    class Net:
        def __init__(self, epochs=2):
            self.epochs = epochs
            self.W = None

        def fit(self, X, y):
            n_samples, n_features = X.shape
            TEST
                self.W = np.ones(n_features) * n_samples
                self.b = 0
            for _ in range(self.epochs):
                self.W = self.W - 1.0
            return self
    """
)


@pytest.mark.parametrize("test", ["if self.W is None:", 'if not hasattr(self, "b"):'])
def test_a_first_call_the_author_guards_is_the_weights_creation_and_its_sizes_are_kept(test: str) -> None:
    """``if self.W is None:`` (or ``not hasattr``) around the creation: the class is one whose training
    method makes its weights, so the setup calls it once first; the guard is the author's, kept, and the
    sizes it reads (``n_samples``) are those of the first call: a second call on 5 samples of 4
    features goes on from W = 3 − 2 = 1 (3 samples, 2 epochs) at 3 features."""
    cls = _load(GUARDED_BY_AUTHOR.replace("TEST", test))
    assert initialising_methods(cls) == ("fit",)
    net = cls().fit(np.zeros((3, 3)), None)
    np.testing.assert_array_equal(net.W, np.ones(3))
    net.fit(np.zeros((5, 4)), None)
    np.testing.assert_array_equal(net.W, np.full(3, -1.0))


def test_a_class_with_its_weights_in_the_constructor_is_left_as_written() -> None:
    source = FIT.replace("self.W2 = None", "self.W2 = 1.0").replace(
        "self.W1 = np.ones((n_in, self.hidden)) * n_samples", "pass"
    )
    tree = ast.parse(source)
    changed, methods = guard_initialisations(tree.body[0])
    assert methods == [] and changed is tree.body[0]


def test_a_method_without_a_loop_is_not_a_training_method() -> None:
    source = FIT.replace("for epoch in range(epochs):", "if epochs:")
    tree = ast.parse(source)
    assert guard_initialisations(tree.body[0])[1] == []


def test_removed_numpy_names_are_found_in_use_and_read_as_what_they_stood_for() -> None:
    text = "x = np.float(3)\ny = numpy.mat([[1]])\nz = np.float64(2)\nnp.int = 5\nw = np.int(2.5)"
    assert removed_names_used(text) == ["float", "mat", "int"]
    old = numpy_with_aliases(["float", "mat"])
    assert old.float is float and old.ndarray is np.ndarray and old.random is np.random
    with pytest.warns(PendingDeprecationWarning):  # numpy.matrix's own
        assert isinstance(old.mat([[1.0]]), np.matrix)
    assert not hasattr(old, "asscalar")


def test_data_kept_by_the_call_and_caches_of_a_forward_pass_are_made_at_every_call() -> None:
    """self.X = X keeps the call's own data, and a forward pass's loop over layers is no epoch loop:
    neither is guarded (a stale batch or cache would be trained on)."""
    source = FIT.replace("n_samples = X.shape[0]", "self.X = X")
    changed, methods = guard_initialisations(ast.parse(source).body[0])
    fit = next(f for f in changed.body if isinstance(f, ast.FunctionDef) and f.name == "fit")
    assert methods == ["fit"]
    assert any(ast.unparse(s) == "self.X = X" for s in fit.body), ast.unparse(fit)
    forward = textwrap.dedent(
        """
        class Net:
            def forward(self, x):
                self.hs = [x]
                for W in self.W:
                    self.hs.append(self.hs[-1] @ W)
                return self.hs[-1]
        """
    )
    assert guard_initialisations(ast.parse(forward).body[0])[1] == []


HELPER = textwrap.dedent(
    """
    class Net:
        def __init__(self, lr=0.1):
            self.lr = lr

        def _init_weights(self, n_features, n_classes):
            self.W = np.full((n_features, n_classes), float(n_classes))

        def fit(self, X, y, epochs=2):
            self.classes_ = np.unique(y)
            self._init_weights(X.shape[1], len(self.classes_))
            for epoch in range(epochs):
                self.W = self.W - 1.0
            return self
    """
)


def test_weights_made_by_a_helper_the_training_method_calls_are_made_once() -> None:
    """``self._init_weights(X.shape[1], len(self.classes_))`` before the loop: the call runs at the first
    ``fit`` only (W = 3 classes − 2 epochs = 1), and so does ``classes_ = np.unique(y)``: a later call on
    one sample of class 2 keeps the 3 classes the weights were made for, and trains W on."""
    cls = _load(HELPER)
    assert initialising_methods(cls) == ("fit",)
    net = cls().fit(np.zeros((3, 2)), np.array([0, 1, 2]))
    np.testing.assert_array_equal(net.W, np.ones((2, 3)))
    net.fit(np.zeros((1, 5)), np.array([2]))
    np.testing.assert_array_equal(net.W, np.full((2, 3), -1.0))
    np.testing.assert_array_equal(net.classes_, [0, 1, 2])


GUARDED_ONE_STEP = textwrap.dedent(
    """
    class Net:
        def __init__(self, lr=0.1):
            self.lr = lr
            self.W = None

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            if self.W is None:
                self.W = np.zeros((X.shape[1], len(self.classes_)))
            self.W = self.W + 1.0
            return self
    """
)


def test_a_guarded_first_call_needs_no_loop() -> None:
    """A ``fit`` of one step, no loop, that guards its weights itself (``if self.W is None:``) makes them
    at the first call, and its ``classes_`` too: a second call on one sample keeps both."""
    cls = _load(GUARDED_ONE_STEP)
    assert initialising_methods(cls) == ("fit",)
    net = cls().fit(np.zeros((3, 2)), np.array([0, 1, 2]))
    net.fit(np.zeros((1, 2)), np.array([2]))
    np.testing.assert_array_equal(net.W, np.full((2, 3), 2.0))
    np.testing.assert_array_equal(net.classes_, [0, 1, 2])


def test_time_clock_removed_from_python_is_read_as_perf_counter(tmp_path: Path) -> None:
    """``time.clock`` (removed in Python 3.8) timing an old script's epochs: the script's ``time`` has it
    again as ``time.perf_counter``, and the names read so are listed for the report."""
    path = tmp_path / "old.py"
    path.write_text("import time as tm\n\n\ndef elapsed(t0):\n    return tm.clock() - t0\n")
    script = load_script(path)
    assert "tm.clock" in script.aliases and script.module.tm.clock is time.perf_counter
    assert script.module.elapsed(0.0) > 0.0
    assert not hasattr(time, "clock")  # the module itself is left as it is
