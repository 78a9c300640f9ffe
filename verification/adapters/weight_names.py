"""The names a weight goes by: a live array so named that gets no gradient is a parameter the backward
pass leaves out, not data the network reads (:func:`weight_like`)."""

from __future__ import annotations

import re

from verification.adapters.parameters import Slot

WEIGHT_NAME = re.compile(
    r"^([wb]\d*|[wb]_?[a-z]{1,3}\d*|(weights?|bias(es)?)(_?\w+)?|\w+_(weights?|bias(es)?)|theta\d*|kernels?"
    r"|syn\d*|params?|parameters|coef\w*|intercept\w*|thresholds?|(?![xy]_)[a-z]+\d*_[wb]\d*"
    r"|[a-z][a-z0-9]*(?-i:Bias(es)?|Wts?|Weights?|W)\d*"  # l1_w, hidden_b; camelCase hiddenBias, outWt
    r"|(pesos?|poids|gewichte?|sesgos?|vies(es)?)(_?\w+)?)$",  # weights and biases in other languages
    re.IGNORECASE,
)
"""Names a weight goes by, on any step of its path (``W1``, ``weights[0]``, ``params['b2']``,
``layers[1].W``, ``syn0``, ``wih``; in other languages ``pesos_1``, ``poids``, ``gewichte``): a live
array so named that gets no gradient is a parameter the backward pass leaves out, not data the network
reads."""


def weight_like(slot: Slot) -> bool:
    """Whether ``slot`` is named like a weight on some step of its path (:data:`WEIGHT_NAME`)."""
    names = [slot.root, *(str(key) for _, key in slot.path if isinstance(key, str))]
    return any(WEIGHT_NAME.match(n) for n in names)
