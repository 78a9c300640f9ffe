"""Which argument of a loss is the prediction and which the target, by their names.

``loss(y_true, y_pred)``, ``mse(output, target)``, ``cost(nn_output, correct_output)``: names of the
prediction (``y_pred``, ``out``, ``a``, ``probs``…) and of the labels (``y_true``, ``t``, ``target``,
``label``…), then words of either inside longer names; of two names of labels, ``y`` beside ``t`` is the
prediction, the network's output ``y`` of Bishop's *Pattern Recognition and Machine Learning* (2006),
§5.2; with no name that says, the second argument is the prediction, as in ``loss(y_true, y_pred)``.
"""

from __future__ import annotations

import re

PREDICTION = re.compile(
    r"^(y_?pred\w*|ypred|preds?|predictions?|predicted|outputs?|out|a|al|y_?hat|yhat|p|probs?|"
    r"probabilities|activations?|logits|scores|dvalues|o|y_?predicted|h|output_activations)$",
    re.I,
)
TARGET = re.compile(
    r"^(y_?true|ytrue|y|t|targets?|labels?|truth|expected|desired|y_?actual|actual|gt|y_?train)$", re.I
)
TARGET_WORD = re.compile(r"correct|true|target|label|expect|desired|actual|truth|ground", re.I)
"""A word of the labels inside a longer name (``correct_output``, ``true_values``)."""
PREDICTION_WORD = re.compile(r"pred|out|hat|prob|activ|logit|score", re.I)
"""A word of the prediction inside a longer name (``nn_output``, ``model_probs``)."""


def roles(names: list[str]) -> tuple[int, int | None]:
    """Positions of the prediction and the target among a loss's arguments (target None for one). Of
    two names of labels, ``y`` beside ``t`` (or ``target``, ``label`` …) is the prediction, the
    network's output ``y`` of Bishop's *Pattern Recognition and Machine Learning* (2006), §5.2."""
    if len(names) == 1:
        return 0, None
    pred = next((i for i, n in enumerate(names) if PREDICTION.match(n)), None)
    targets = [i for i, n in enumerate(names) if TARGET.match(n) and i != pred]
    ys = [i for i in targets if names[i].lower() == "y"]
    if pred is None and len(targets) > 1 and ys:  # (y, t): y the network's output, t the target
        pred, targets = ys[0], [i for i in targets if i != ys[0]]
    target = targets[0] if targets else None
    if target is None:  # (nn_output, correct_output): a word of the labels inside the name
        target = next((i for i, n in enumerate(names) if TARGET_WORD.search(n) and i != pred), None)
    if pred is None:
        pred = next((i for i, n in enumerate(names) if PREDICTION_WORD.search(n) and i != target), None)
    if pred is None:
        pred = 1 if target in (0, None) else 0
    if target is None:
        target = 0 if pred != 0 else 1
    return pred, target
