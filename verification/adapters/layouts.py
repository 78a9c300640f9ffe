"""Data layouts: how someone's code takes its inputs and labels and gives its outputs.

The checker thinks in one layout: a batch of ``n`` samples as rows, inputs ``x`` of shape
``(n, n_in)``, outputs and labels of shape ``(n, n_out)`` (DESIGN.md). Code in the wild takes

=========== ======================================== ==================================================
layout      one batch of inputs                      where it is written so
=========== ======================================== ==================================================
``row``     ``(n, n_in)`` array                      the question, ``x @ W`` tutorials, CS231n
``column``  ``(n_in, n)`` array                      Nielsen's ``network.py``, Rashid, deeplearning.ai
``flat``    ``(n_in,)`` array, one sample            scalar-loop code, ``np.dot(w, x)`` with 1-D ``x``
``list``    a Python list of ``n_in`` floats         Rashid's ``train(inputs_list, targets_list)``
``scalar``  one float, one sample of one input       a single neuron ``y_pred = w * x + b`` of floats
``stacked`` ``(n, n_in, 1)`` array, a column a sample ``X = np.reshape(data, (4, 2, 1))`` XOR tutorials
``vector``  ``(n,)`` array, one input per sample     ``y_hat = w * x + b`` over a 1-D data set ``x``
=========== ======================================== ==================================================

and labels in the matching layout, as one-hot vectors, class indices (``y`` of shape ``(n,)``), or
0/1 values for a single output. :class:`Layout` converts both ways; which layout and label format a
piece of code takes is found by trying it (:mod:`verification.adapters.detection`), never guessed
from one dimension. ``vector`` is never tried: it is the layout of a script whose own inputs are a 1-D
array of samples (:mod:`verification.adapters.script_labels`), or given (``--layout vector``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ffnn.validation import InputError
from verification.adapters.failures import Failed

Array = NDArray[Any]

LAYOUTS = ("row", "column", "flat", "list", "scalar", "stacked", "vector")
"""Input and label layouts; detection tries them in this order, all but ``vector``."""
TRIED = LAYOUTS[:-1]
"""The layouts detection tries."""
LABEL_FORMATS = ("one-hot", "index")
"""Label formats: one-hot rows (0/1 for a single output) or class indices."""
OUTPUTS = ("as-is", "softmax", "sigmoid", "exp")
"""What the loss is applied to: the forward pass's output as it is, or the softmax (over each sample's
outputs) or the sigmoid of it, for a forward pass that ends at the scores (logits) and keeps the
softmax or sigmoid inside its loss (``SoftmaxWithLoss``, ``softmax_loss(scores, y)``); or its
exponential, for a forward that returns a log-rate and a Poisson loss on ``exp(o)`` (``exp(o) − y``
back-propagated, PyTorch's ``PoissonNLLLoss(log_input=True)``)."""


def softmax_rows(z: Array) -> Array:
    """``softmax`` over the last axis, shifted by the real part's maximum so that it is complex-safe
    (the shift cancels, and complex-step differentiation sees the exact function)."""
    shifted = z - np.max(np.real(z), axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def sigmoid(z: Array) -> Array:
    """``1 / (1 + exp(−z))``, complex-safe."""
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Layout:
    """An input layout and a label format.

    Attributes
    ----------
    inputs : str
        One of :data:`LAYOUTS`.
    labels : str
        One of :data:`LABEL_FORMATS`.
    output : str
        One of :data:`OUTPUTS`: what of the forward pass's output the loss is applied to.
    """

    inputs: str = "row"
    labels: str = "one-hot"
    output: str = "as-is"

    def __post_init__(self) -> None:
        if self.output not in OUTPUTS:
            raise InputError(f"unknown output reading {self.output!r}; known: {', '.join(OUTPUTS)}")
        if self.inputs not in LAYOUTS:
            raise InputError(f"unknown layout {self.inputs!r}; known: {', '.join(LAYOUTS)}")
        if self.labels not in LABEL_FORMATS:
            raise InputError(f"unknown label format {self.labels!r}; known: {', '.join(LABEL_FORMATS)}")

    @property
    def one_sample_only(self) -> bool:
        """``flat``, ``list`` and ``scalar`` hold one sample."""
        return self.inputs in ("flat", "list", "scalar")

    def holds(self, n_in: int) -> bool:
        """Whether inputs of ``n_in`` features can be given in this layout (``scalar``: one)."""
        return self.inputs not in ("scalar", "vector") or n_in == 1

    def samples(self, var: str = "x") -> str:
        """The number of samples in the inputs ``var`` as code reads it: ``x.shape[0]`` for rows,
        ``x.shape[1]`` for columns, ``1`` for one sample."""
        first = f"{var}.shape[0]"
        return {"row": first, "column": f"{var}.shape[1]", "stacked": first, "vector": first}.get(
            self.inputs, "1"
        )

    def dataset(self) -> str:
        """The inputs ``x`` and labels ``y`` as code that trains on a data set of ``(sample, label)``
        pairs reads them (``fit(training_data, epochs, …)``, the pairs of Nielsen's book, ch. 1): a
        pair of ``(1, n)`` rows per sample, of ``(n, 1)`` columns per sample, or the one sample."""
        return {
            "row": "list(zip(x[:, None], y[:, None]))",
            "column": "list(zip(x.T[:, :, None], y.T[:, :, None]))",
            "stacked": "list(zip(x, y))",
            "vector": "list(zip(x, y))",
        }.get(self.inputs, "[(x, y)]")

    def describe(self, outputs: int | None = None) -> str:
        """E.g. ``inputs and labels as columns (n, samples), labels one-hot``; with one output
        (``outputs`` 1), one-hot labels are one value per sample, and said so."""
        shape = {
            "row": "rows (samples, n)",
            "column": "columns (n, samples)",
            "flat": "1-D arrays (n,)",
            "list": "lists",
            "scalar": "numbers (one input, one output)",
            "stacked": "stacked columns (samples, n, 1)",
            "vector": "1-D arrays of one value per sample (samples,)",
        }
        read = "" if self.output == "as-is" else f"; the loss is applied to the {self.output} of the output"
        labels = "one value per sample" if outputs == 1 and self.labels == "one-hot" else self.labels
        return f"inputs and labels as {shape[self.inputs]}, labels {labels}{read}"

    def to_code(self, values: Array) -> Any:
        """Our ``(n, k)`` array in the code's layout, always a copy: code that changes its data in place
        (``np.random.shuffle(self.X)``, ``X -= X.mean(axis=0)``) must not change the probe's."""
        if self.inputs == "row":
            return values.copy()
        if self.inputs == "column":
            return np.array(values.T, order="C")
        if self.inputs == "stacked":
            return values[:, :, None].copy()
        if self.inputs == "vector":
            if values.shape[1] != 1:
                raise Failed(f"layout 'vector' holds one value per sample, got {values.shape[1]}", "forward")
            return values[:, 0].copy()
        if values.shape[0] != 1:
            raise InputError(f"layout {self.inputs!r} holds one sample, got a batch of {values.shape[0]}")
        if self.inputs == "flat":
            return values[0].copy()
        if self.inputs == "scalar":
            if values.shape[1] != 1:  # expected at every width but 1: the least telling failure
                raise Failed(f"layout 'scalar' holds one number, got {values.shape[1]} per sample", "forward")
            return float(values[0, 0])
        return [float(v) for v in values[0]]

    def labels_to_code(self, y: Array) -> Any:
        """One-hot labels ``(n, n_out)`` in the code's layout and label format."""
        if self.labels == "index":
            index = np.argmax(y, axis=1) if y.shape[1] > 1 else np.rint(y[:, 0]).astype(np.intp)
            if self.inputs in ("flat", "list", "scalar"):
                return int(index[0])
            return index.astype(np.intp)
        return self.to_code(y)

    def from_code(self, value: Any, n_samples: int, what: str, outputs: int | None = None) -> Array:
        """The code's output as our ``(n, n_out)`` float array (real or complex).

        ``outputs``, when known, settles an output the code gives transposed from its inputs (a code
        that takes rows but computes with ``x.T`` and returns columns ``(n_out, n)``).

        Raises
        ------
        InputError
            If ``value`` is not numeric or its size is not a multiple of the batch, naming ``what``.
        """
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what} is not an array: {exc}") from None
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
            raise InputError(f"{what} is not numeric (got {type(value).__name__} of dtype {arr.dtype})")
        if arr.size == 0 or arr.size % n_samples:
            raise InputError(f"{what} has shape {arr.shape}; expected {n_samples} sample(s) of outputs")
        if not np.iscomplexobj(arr):
            arr = arr.astype(np.float64)
        return self.read_output(self._rows(arr, n_samples, outputs))

    def _rows(self, arr: Array, n_samples: int, outputs: int | None) -> Array:
        if arr.ndim == 2 and outputs is not None and n_samples != outputs and n_samples > 1:
            if arr.shape == (outputs, n_samples):
                return arr.T
            if arr.shape == (n_samples, outputs):
                return arr
        if self.inputs == "column":
            if arr.ndim == 2 and arr.shape[1] == n_samples:
                return arr.T
            return arr.reshape(-1, 1).T if n_samples == 1 else arr.reshape(-1, n_samples).T
        if arr.ndim == 2 and arr.shape[0] == n_samples:
            return arr
        return arr.reshape(n_samples, -1)

    def read_output(self, a: Array) -> Array:
        """The output rows ``(n, n_out)`` as the loss sees them: as they are, or their softmax, sigmoid
        or exponential (:data:`OUTPUTS`)."""
        if self.output == "softmax":
            return softmax_rows(a)
        if self.output == "sigmoid":
            return sigmoid(a)
        if self.output == "exp":
            return np.exp(a)
        return a
