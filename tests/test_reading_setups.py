"""What the check reads off a class's own code to build and run it: data-file arguments given None,
and which entry of a returned cache dict is the output."""

from __future__ import annotations

import numpy as np

from verification.reading.dict_output import dict_output_key
from verification.reading.script_setup import with_small_layers, without_data_files


class Loader:
    def __init__(self, sizes, data_path="train.csv", lr=0.1):
        self.sizes, self.data_path, self.lr = sizes, data_path, lr


def test_a_data_path_given_by_keyword_by_position_or_by_default_becomes_none() -> None:
    assert without_data_files("net = Loader([2, 3], data_path='mnist.pkl')", Loader) == (
        "net = Loader([2, 3], data_path=None)"
    )
    assert without_data_files("net = Loader([2, 3], 'mnist.pkl', 0.5)", Loader) == (
        "net = Loader([2, 3], None, 0.5)"
    )
    assert without_data_files("net = Loader([2, 3])", Loader) == "net = Loader([2, 3], data_path=None)"


def test_a_setup_without_a_data_path_to_replace_is_left_alone() -> None:
    assert without_data_files("net = Loader([2, 3], data_path=None)", Loader) is None
    assert without_data_files("net = Loader([2, 3], data_path=folder)", Loader) is None


class Cached:
    def __init__(self):
        self.L = 2

    def forward(self, x):
        return {"A1": x, "A2": x, "Z1": x, "Z2": x}

    def loss(self, cache, y):
        probs = cache[f"A{self.L}"]
        return -np.sum(y * np.log(probs))


class Unread:
    def forward(self, x):
        return {"A1": x, "Z1": x}


def test_the_output_entry_is_the_one_the_class_reads_as_its_output_not_the_last() -> None:
    """Entries grouped by kind put the pre-activation ``Z2`` last: the key comes from the code's use."""
    assert dict_output_key(Cached(), ["A1", "A2", "Z1", "Z2"]) == "A2"


def test_a_cache_whose_output_the_code_never_reads_has_no_output_key() -> None:
    assert dict_output_key(Unread(), ["A1", "Z1"]) is None


class Subtracted:
    def forward(self, x):
        return {"X": x, "A1": x, "A2": x}

    def backward(self, cache, Y):
        dZ2 = (cache["A2"] - Y) / Y.shape[0]
        return cache["A1"].T @ dZ2


class Predicted:
    def forward(self, x):
        return {"X": x, "h": x, "probs": x}

    def predict(self, X):
        cache = self.forward(X)
        return np.argmax(cache["probs"], axis=1)


def test_the_output_entry_is_the_one_the_labels_are_subtracted_from_or_a_class_taken_of() -> None:
    assert dict_output_key(Subtracted(), ["X", "A1", "A2"]) == "A2"
    assert dict_output_key(Predicted(), ["X", "h", "probs"]) == "probs"


class Sized:
    def __init__(self, sizes, hidden_dims=(64,)):
        self.sizes, self.hidden_dims = sizes, hidden_dims


def test_large_layer_sizes_of_the_scripts_own_construction_are_made_small() -> None:
    assert with_small_layers("model = Sized([784, 30, 10])", Sized) == "model = Sized([4, 30, 10])"
    assert with_small_layers("m = Sized([2, 3], hidden_dims=(512, 256))", Sized) == (
        "m = Sized([2, 3], hidden_dims=(4, 5))"
    )
    assert with_small_layers("m = Sized([4, 5, 3])", Sized) is None
