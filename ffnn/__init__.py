"""A reference feed-forward network in numpy: catalog activations and losses, a forward pass that keeps
every pre-activation and activation, backpropagation with a choice of output-delta rule, and per-sample
SGD, one network at a time or many stacked in one array. It knows nothing of the verification tools
built on it."""

from ffnn.activations import ACTIVATIONS, Activation, get_activation
from ffnn.backprop import RULES, backward, output_delta
from ffnn.data import Glyphs, load_glyphs
from ffnn.losses import LOSSES, Loss, get_loss
from ffnn.network import ForwardPass, Network, validate_labels
from ffnn.stacked_training import (
    StackedForward,
    StackedRun,
    StackedStep,
    initial_weights,
    stacked_deltas,
    stacked_forward,
    train_sgd_stacked,
)
from ffnn.training import TrainingRun, train_sgd
from ffnn.validation import InputError

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "RULES",
    "Activation",
    "ForwardPass",
    "Glyphs",
    "InputError",
    "Loss",
    "Network",
    "StackedForward",
    "StackedRun",
    "StackedStep",
    "TrainingRun",
    "backward",
    "get_activation",
    "get_loss",
    "initial_weights",
    "load_glyphs",
    "output_delta",
    "stacked_deltas",
    "stacked_forward",
    "train_sgd",
    "train_sgd_stacked",
    "validate_labels",
]
