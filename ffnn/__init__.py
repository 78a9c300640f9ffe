"""A reference feed-forward network in numpy: catalog activations and losses, a forward pass that keeps
every pre-activation and activation, backpropagation with a choice of output-delta rule, and per-sample
SGD. It knows nothing of the verification tools built on it."""

from ffnn.activations import ACTIVATIONS, Activation, get_activation
from ffnn.backprop import RULES, backward, output_delta
from ffnn.data import Glyphs, load_glyphs
from ffnn.losses import LOSSES, Loss, get_loss
from ffnn.network import ForwardPass, Network, validate_labels
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
    "TrainingRun",
    "backward",
    "get_activation",
    "get_loss",
    "load_glyphs",
    "output_delta",
    "train_sgd",
    "validate_labels",
]
