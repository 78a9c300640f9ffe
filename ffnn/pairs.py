"""Which output activations a loss can be paired with: the activation's values must stay where the
loss is finite and smooth.

A pair is *valid* when the activation's output range lies inside the loss's domain (an end the
activation reaches, such as relu's 0, must be inside too) and, for a loss that needs a probability
vector (``cross_entropy``), the activation's rows sum to 1 (only ``softmax``). Losses paired with an
activation outside their domain give ``log 0`` or the log of a negative number somewhere on the input
space. Source: Bishop, *Pattern Recognition and Machine Learning* (2006), §4.3.6 and §5.2.
"""

from __future__ import annotations

from ffnn.activations import ACTIVATIONS, get_activation
from ffnn.losses import LOSSES, get_loss


def in_domain(loss: str, activation: str) -> bool:
    """True when every value of ``activation`` is a valid input of ``loss``.

    Raises
    ------
    InputError
        On an unknown loss or activation id.
    """
    spec, act = get_loss(loss), get_activation(activation)
    (low, high), (dom_low, dom_high) = act.output_range, spec.activation_range
    if spec.needs_probability_vector and not act.probability_vector:
        return False
    low_inside = dom_low < low or (dom_low == low and not act.reaches_low)
    return low_inside and high <= dom_high


def valid_pairs() -> list[tuple[str, str]]:
    """All ``(loss, activation)`` id pairs with :func:`in_domain` true, losses first in catalog order.

    Examples
    --------
    >>> ("bce", "sigmoid") in valid_pairs() and ("bce", "identity") not in valid_pairs()
    True
    """
    return [(loss, act) for loss in LOSSES for act in ACTIVATIONS if in_domain(loss, act)]
