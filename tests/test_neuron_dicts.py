"""Networks kept as lists of layers of dict neurons and driven by functions, in the style of the
Machine Learning Mastery tutorial (:mod:`verification.adapters.neuron_dicts`). The files are the
team's, in that style; each verdict is derived by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verification.identification.check import check_target
from verification.identification.request import CheckRequest

# Sigmoid neurons, the bias the last weight; the output error a − expected times a (1 − a) is the
# output delta of ½ Σ (a − y)², and each hidden delta sums the next layer's weight times its delta:
# the update is mse's gradient step, one row at a time. The row carries its label last (row[:-1]). The
# network is made and trained inside back_propagation(train, test, …), as the tutorial's evaluation does:
# no top-level network to run the training function on.
NETWORK = """
from math import exp
from random import random


def initialize_network(n_inputs, n_hidden, n_outputs):
    hidden = [{'weights': [random() for _ in range(n_inputs + 1)]} for _ in range(n_hidden)]
    output = [{'weights': [random() for _ in range(n_hidden + 1)]} for _ in range(n_outputs)]
    return [hidden, output]


def activate(weights, inputs):
    total = weights[-1]
    for i in range(len(weights) - 1):
        total += weights[i] * inputs[i]
    return total


def forward_propagate(network, row):
    inputs = row
    for layer in network:
        outputs = []
        for neuron in layer:
            neuron['output'] = 1.0 / (1.0 + exp(-activate(neuron['weights'], inputs)))
            outputs.append(neuron['output'])
        inputs = outputs
    return inputs


def backward_propagate_error(network, expected):
    for i in reversed(range(len(network))):
        layer = network[i]
        if i == len(network) - 1:
            errors = [neuron['output'] - expected[j] for j, neuron in enumerate(layer)]
        else:
            errors = [sum(HIDDEN for n in network[i + 1]) for j in range(len(layer))]
        for j, neuron in enumerate(layer):
            neuron['delta'] = errors[j] * neuron['output'] * (1.0 - neuron['output'])


def update_weights(network, row, l_rate):
    for i, layer in enumerate(network):
        inputs = row[:-1] if i == 0 else [n['output'] for n in network[i - 1]]
        for neuron in layer:
            for j in range(len(inputs)):
                neuron['weights'][j] -= l_rate * neuron['delta'] * inputs[j]
            neuron['weights'][-1] -= l_rate * neuron['delta']


def train_network(network, train, l_rate, n_epoch, n_outputs):
    for epoch in range(n_epoch):
        for row in train:
            forward_propagate(network, row)
            expected = [0] * n_outputs
            expected[row[-1]] = 1
            backward_propagate_error(network, expected)
            update_weights(network, row, l_rate)


def back_propagation(train, test, l_rate, n_epoch, n_hidden):
    network = initialize_network(len(train[0]) - 1, n_hidden, len({row[-1] for row in train}))
    train_network(network, train, l_rate, n_epoch, len({row[-1] for row in train}))
    return [max(range(2), key=forward_propagate(network, row).__getitem__) for row in test]


dataset = [[2.78, 2.55, 0], [1.46, 2.36, 0], [7.62, 2.75, 1], [5.33, 2.08, 1]]
print(back_propagation(dataset, dataset, 0.5, 20, 2))
"""


@pytest.mark.parametrize(
    ("hidden", "inputs", "identified"),
    [
        ("n['weights'][j] * n['delta']", "row[:-1]", "mse"),
        ("n['delta']", "row[:-1]", None),  # the next layer's weight left out of the hidden error
        # the whole row taken for the inputs: the class index (row[-1]) times the delta is added to the
        # bias, which is then moved by (1 + class) × its gradient: no loss's, whenever the class is not 0
        ("n['weights'][j] * n['delta']", "row", None),
    ],
)
def test_a_network_of_dict_neurons_is_checked_through_its_functions(
    tmp_path: Path, hidden: str, inputs: str, identified: str | None
) -> None:
    path = tmp_path / "backprop_from_scratch.py"
    source = NETWORK.replace("HIDDEN", hidden).replace("inputs = row[:-1] if", f"inputs = {inputs} if")
    path.write_text(source, encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == identified, report.command
    assert "row = list(x) + [int(y.argmax()) if y.size > 1 else y[0]]; forward_propagate(network, row)" in (
        report.command or ""
    )
    assert "network = initialize_network(n_inputs=4, n_hidden=5, n_outputs=3)" in (report.command or "")
