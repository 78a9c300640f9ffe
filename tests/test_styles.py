"""``check`` on network code in the styles people write, with no options: the right verdict for a correct
backward pass, and no loss for a wrong one (a missing σ', a wrong layer).

Every script here is written by the team in the style of public code (Nielsen's book, course
notebooks, tutorials, layer objects, parameter dicts, plain scripts); none is a copy. Each style has a
correct version, whose verdict is derived by hand in its comment, and a wrong one that must not be
identified as any loss.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from course_net import course_net

from ffnn.validation import InputError
from verification.identification.check import check_target
from verification.identification.request import CheckRequest
from verification.identification.sentences import format_scale

SIGMOID = """
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))
"""

DIGIT_FORWARD = """
import numpy as np


def init_params():
    W1 = np.random.rand(6, 16) - 0.5
    b1 = np.random.rand(6, 1) - 0.5
    W2 = np.random.rand(4, 6) - 0.5
    b2 = np.random.rand(4, 1) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(Z, 0)


def ReLU_deriv(Z):
    return Z > 0


def softmax(Z):
    return np.exp(Z) / sum(np.exp(Z))


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2

"""
"""The digit recogniser's initialisation and forward functions (samples as columns), as the copies of it
write them: the backward functions below differ in how they take the labels."""

COUNTER = (
    SIGMOID
    + """
class Net:
    def __init__(self, lr=0.2):
        self.W1, self.W2 = np.random.randn(3, 4), np.random.randn(4, 2)
        self.lr, self.steps = lr, 0

    def forward(self, x):
        self.h = sigmoid(x @ self.W1)
        return sigmoid(self.h @ self.W2)

    def backward(self, x, error):
        o = sigmoid(self.h @ self.W2)
        d2 = error * o * (1 - o)
        d1 = (d2 @ self.W2.T) * HIDDEN
        self.steps += 1
        self.W2 -= self.lr * self.h.T @ d2
        self.W1 -= self.lr * x.T @ d1
"""
)

STYLES: dict[str, tuple[str, str, str]] = {
    # the question's structure: keyword constructor, forward stores a2, backward(input, error) updates
    # in place; the chain output delta (a − y) σ'(z2) is the mse gradient
    "question": (
        SIGMOID
        + """
class FFNN:
    def __init__(self, learning_rate, num_epochs):
        self.w1 = np.random.randn(6, 4)
        self.w2 = np.random.randn(4, 3)
        self.learning_rate = learning_rate
        self.num_epochs = num_epochs

    def forward(self, input):
        self.z1 = np.dot(input, self.w1)
        self.a1 = sigmoid(self.z1)
        self.z2 = np.dot(self.a1, self.w2)
        self.a2 = sigmoid(self.z2)

    def backward(self, input, error):
        error2 = error * sigmoid_prime(self.z2)
        d2 = np.dot(self.a1.T, error2)
        error1 = np.dot(self.w2, error2.T).T * HIDDEN
        d1 = np.dot(input.T, error1)
        self.w1 -= d1 * self.learning_rate
        self.w2 -= d2 * self.learning_rate

    def train(self, inputs, labels):
        for _ in range(self.num_epochs):
            for input, label in zip(inputs, labels):
                self.forward(input)
                self.backward(input, self.a2 - label)

net = FFNN(learning_rate=0.5, num_epochs=10)
net.train([np.ones((1, 6))], [np.eye(3)[:1]])
""",
        "sigmoid_prime(self.z1)",
        "1",
    ),
    # Nielsen's book: column vectors, weights and biases in lists, backprop returns (nabla_b, nabla_w)
    "column-lists": (
        SIGMOID
        + """
class Network:
    def __init__(self, sizes):
        self.sizes = sizes
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation, activations, zs = x, [x], []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, len(self.sizes)):
            delta = np.dot(self.weights[-l + 1].T, delta) * HIDDEN
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return (nabla_b, nabla_w)
""",
        "sigmoid_prime(zs[-l])",
        "1",
    ),
    # a course notebook's style: lists in, weights (out, in), train() adds lr × gradient in place; the
    # hidden error carries the output derivative, so both matrices follow mse
    "lists-in-place": (
        SIGMOID
        + """
class neuralNetwork:
    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.wih = np.random.normal(0.0, 0.5, (hiddennodes, inputnodes))
        self.who = np.random.normal(0.0, 0.5, (outputnodes, hiddennodes))
        self.lr = learningrate

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T
        hidden_outputs = sigmoid(np.dot(self.wih, inputs))
        final_outputs = sigmoid(np.dot(self.who, hidden_outputs))
        output_errors = (targets - final_outputs) * final_outputs * (1 - final_outputs)
        hidden_errors = np.dot(self.who.T, output_errors)
        self.who += self.lr * np.dot(output_errors, hidden_outputs.T)
        self.wih += self.lr * np.dot(HIDDEN, inputs.T)

    def query(self, inputs_list):
        inputs = np.array(inputs_list, ndmin=2).T
        return sigmoid(np.dot(self.who, sigmoid(np.dot(self.wih, inputs))))
""",
        "hidden_errors * hidden_outputs * (1 - hidden_outputs)",
        "1",
    ),
    # layer objects in a list, gradients stored on each layer (layer.dW, layer.db); softmax with
    # cross-entropy: the output delta a − y is the cross_entropy gradient
    "layer-objects": (
        """
import numpy as np

class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.standard_normal((n_in, n_out)) * 0.5
        self.b = np.zeros(n_out)

class MLP:
    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = [Dense(m, n, rng) for m, n in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        self.inputs = []
        for i, layer in enumerate(self.layers):
            self.inputs.append(x)
            z = x @ layer.W + layer.b
            x = np.tanh(z) if i < len(self.layers) - 1 else np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return x

    def backward(self, x, y):
        delta = (self.forward(x) - y) / len(x)
        for i in range(len(self.layers) - 1, -1, -1):
            layer, a = self.layers[i], self.inputs[i]
            layer.dW = a.T @ delta
            layer.db = delta.sum(axis=0)
            if i:
                delta = (delta @ layer.W.T) * HIDDEN

net = MLP([5, 4, 3])
""",
        "(1 - a ** 2)",
        "1",
    ),
    # functions over a parameter dict, features × samples (a course's style); sigmoid output with the
    # bce shortcut dZ2 = A2 − Y
    "dict-functions": (
        SIGMOID
        + """
def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.5, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.5, "b2": np.zeros((n_y, 1))}

def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    A2 = sigmoid(parameters["W2"] @ A1 + parameters["b2"])
    return A2, {"A1": A1, "A2": A2}

def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = (parameters["W2"].T @ dZ2) * HIDDEN
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ cache["A1"].T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
""",
        "(1 - cache['A1'] ** 2)",
        "1",
    ),
    # the constructor takes the data, no learning rate: weights += 2 (y − a) …, so up to scale 2 of mse
    "data-in-constructor": (
        SIGMOID
        + """
class NeuralNetwork:
    def __init__(self, x, y):
        self.input = x
        self.weights1 = np.random.rand(self.input.shape[1], 4)
        self.weights2 = np.random.rand(4, 2)
        self.y = y

    def feedforward(self):
        self.layer1 = sigmoid(np.dot(self.input, self.weights1))
        self.output = sigmoid(np.dot(self.layer1, self.weights2))

    def backprop(self):
        d2 = 2 * (self.y - self.output) * self.output * (1 - self.output)
        d_weights2 = np.dot(self.layer1.T, d2)
        d_weights1 = np.dot(self.input.T, np.dot(d2, self.weights2.T) * HIDDEN)
        self.weights1 += d_weights1
        self.weights2 += d_weights2

if __name__ == "__main__":
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1]])
    y = np.array([[0, 1], [1, 0], [1, 1]])
    nn = NeuralNetwork(X, y)
""",
        "self.layer1 * (1 - self.layer1)",
        "2",
    ),
    # a plain script: the network lives in the training loop (no class, no function)
    "script-loop": (
        SIGMOID
        + """
X = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
Y = np.array([[1.0, 0.0], [0.0, 1.0]])
w0 = np.random.randn(3, 4)
w1 = np.random.randn(4, 2)
rate = 0.5
for epoch in range(1000):
    h = sigmoid(X @ w0)
    out = sigmoid(h @ w1)
    err = out - Y
    d1 = err * out * (1 - out)
    d0 = (d1 @ w1.T) * HIDDEN
    w1 -= rate * h.T @ d1
    w0 -= rate * X.T @ d0
""",
        "h * (1 - h)",
        "1",
    ),
    # labels as class indices, softmax with cross-entropy (probs[range(n), y] -= 1), ReLU hidden layer
    "class-indices": (
        """
import numpy as np

class TwoLayer:
    def __init__(self, n_in, n_hidden, n_out):
        self.params = {"W1": 0.5 * np.random.randn(n_in, n_hidden), "b1": np.zeros(n_hidden),
                       "W2": 0.5 * np.random.randn(n_hidden, n_out), "b2": np.zeros(n_out)}

    def predict_proba(self, X):
        h = np.maximum(0, X @ self.params["W1"] + self.params["b1"])
        s = h @ self.params["W2"] + self.params["b2"]
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    forward = predict_proba

    def gradients(self, X, y):
        h = np.maximum(0, X @ self.params["W1"] + self.params["b1"])
        probs = self.predict_proba(X)
        n = X.shape[0]
        dscores = probs.copy()
        dscores[np.arange(n), y] -= 1
        dscores /= n
        dh = dscores @ self.params["W2"].T
        dh = HIDDEN
        return {"W1": X.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}
""",
        "dh * (h > 0)",
        "1",
    ),
    # one sample as a 1-D array, gradients by outer products, weights (out, in)
    "flat-vectors": (
        SIGMOID
        + """
class Net:
    def __init__(self):
        self.W = np.random.randn(4, 3)
        self.V = np.random.randn(2, 4)

    def forward(self, x):
        return sigmoid(self.V @ sigmoid(self.W @ x))

    def gradient(self, x, target):
        h = sigmoid(self.W @ x)
        o = sigmoid(self.V @ h)
        d_out = (o - target) * o * (1 - o)
        d_hid = (self.V.T @ d_out) * HIDDEN
        return np.outer(d_hid, x), np.outer(d_out, h)
""",
        "h * (1 - h)",
        "1",
    ),
    # a step counter beside the update: only updates of the weights say which sign the error has
    "counter-beside-update": (
        COUNTER,
        "self.h * (1 - self.h)",
        "1",
    ),
    # the other way round: weights updated with += (so the error passed is y − a) beside a countdown
    # with -=; only updates of the weights say which sign the error has
    "countdown-beside-update": (
        COUNTER.replace("self.steps += 1", "self.steps -= 1")
        .replace("self.W2 -=", "self.W2 +=")
        .replace("self.W1 -=", "self.W1 +="),
        "self.h * (1 - self.h)",
        "1",
    ),
    # a course's two-layer net (tests/course_net.py): loss(X) gives the scores, loss(X, y) the mean
    # softmax cross-entropy and its gradients; dscores = (softmax(s) − onehot(y)) / N is ∂/∂s of the
    # mean of −log p_y, so the gradients are those of cross_entropy on the softmax of the scores, scale 1
    "loss-returns-grads": (course_net(hidden="HIDDEN"), "(1 - h ** 2)", "1"),
    # the classic pure-Python script: lists of lists, tanh, the forward pass named update(inputs), and
    # backPropagate(targets, N, M) adding N·change (+ M·the previous change, zero at the first step):
    # output_delta = (t − o)(1 − o²) is −∂/∂z of ½Σ(o − t)², so one step is −N × the gradient of mse
    "pure-python-update": (
        """
import math
import random


def make_matrix(rows, cols):
    return [[random.uniform(-1.0, 1.0) for _ in range(cols)] for _ in range(rows)]


def dtanh(y):
    return 1.0 - y * y


class NN:
    def __init__(self, ni, nh, no):
        self.ni, self.nh, self.no = ni + 1, nh, no
        self.ai, self.ah, self.ao = [1.0] * self.ni, [1.0] * self.nh, [1.0] * self.no
        self.wi, self.wo = make_matrix(self.ni, self.nh), make_matrix(self.nh, self.no)
        self.ci = [[0.0] * self.nh for _ in range(self.ni)]
        self.co = [[0.0] * self.no for _ in range(self.nh)]

    def update(self, inputs):
        if len(inputs) != self.ni - 1:
            raise ValueError("wrong number of inputs")
        for i in range(self.ni - 1):
            self.ai[i] = inputs[i]
        for j in range(self.nh):
            self.ah[j] = math.tanh(sum(self.ai[i] * self.wi[i][j] for i in range(self.ni)))
        for k in range(self.no):
            self.ao[k] = math.tanh(sum(self.ah[j] * self.wo[j][k] for j in range(self.nh)))
        return self.ao[:]

    def backPropagate(self, targets, N, M):
        out_d = [dtanh(self.ao[k]) * (targets[k] - self.ao[k]) for k in range(self.no)]
        hid_d = [
            HIDDEN * sum(out_d[k] * self.wo[j][k] for k in range(self.no)) for j in range(self.nh)
        ]
        for j in range(self.nh):
            for k in range(self.no):
                change = out_d[k] * self.ah[j]
                self.wo[j][k] = self.wo[j][k] + N * change + M * self.co[j][k]
                self.co[j][k] = change
        for i in range(self.ni):
            for j in range(self.nh):
                change = hid_d[j] * self.ai[i]
                self.wi[i][j] = self.wi[i][j] + N * change + M * self.ci[i][j]
                self.ci[i][j] = change
""",
        "dtanh(self.ah[j])",
        "1",
    ),
    # a top-level script that sizes its weights by data it loads from a file the checker does not have,
    # resets a running sum each epoch, and updates with weight decay written into the step (lam = 0
    # here): one step is −lr × the gradient of ½Σ(out − y)², so mse at scale 1
    "data-sized-script": (
        """
import numpy as np
import pandas as pd


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


df = pd.read_csv("measurements.csv")
X = df.iloc[:, :-1].values
Y = np.eye(3)[df.iloc[:, -1].values.astype(int)]
W1 = np.random.randn(X.shape[1], 6)
W2 = np.random.randn(6, Y.shape[1])
lr = 0.1
lam = 0.0
for epoch in range(100):
    total = 0
    for i in range(len(X)):
        h = sigmoid(X[i : i + 1] @ W1)
        out = sigmoid(h @ W2)
        total += np.sum((out - Y[i : i + 1]) ** 2)
        d2 = (out - Y[i : i + 1]) * out * (1 - out)
        d1 = d2 @ W2.T * HIDDEN
        W2 = W2 * (1 - lr * lam) - lr * h.T @ d2
        W1 = W1 * (1 - lr * lam) - lr * X[i : i + 1].T @ d1
    print(epoch, total)
""",
        "h * (1 - h)",
        "1",
    ),
    # a textbook class in pure Python: weights as lists with the threshold first, the forward pass named
    # compute_output(x_input), full-batch gradient descent over a list of samples whose labels are an
    # argument named "train" (read as labels because the code subtracts the output from it), momentum
    # and learning rate as constructor arguments: delta_out = o(1 − o)(t − o) is −∂/∂z of ½Σ(o − t)², so
    # one step adds −lr × the gradient of mse, summed over the samples given
    "textbook-lists": (
        """
import math


class neural_network:
    def __init__(self, learning_rate, momentum, n_in, n_hidden, n_out):
        self.learning_rate, self.momentum = learning_rate, momentum
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.first = [[0.1 * (i - j) for j in range(n_in + 1)] for i in range(n_hidden)]
        self.second = [[0.2 * (j - i) for j in range(n_hidden)] for i in range(n_out)]
        self.prior_first = [[0.0] * (n_in + 1) for _ in range(n_hidden)]
        self.prior_second = [[0.0] * n_hidden for _ in range(n_out)]

    def sigmoid(self, s):
        return 1.0 / (1.0 + math.exp(-s))

    def hidden_of(self, x_input):
        return [
            self.sigmoid(self.first[i][0] + sum(self.first[i][j + 1] * x_input[j] for j in range(self.n_in)))
            for i in range(self.n_hidden)
        ]

    def compute_output(self, x_input):
        if len(x_input) != self.n_in:
            raise ValueError("wrong number of inputs")
        h = self.hidden_of(x_input)
        rows = range(self.n_out)
        return [self.sigmoid(sum(self.second[k][i] * h[i] for i in range(self.n_hidden))) for k in rows]

    def back_propagation_full_gradient_descent(self, x_input, train):
        d_first = [[0.0] * (self.n_in + 1) for _ in range(self.n_hidden)]
        d_second = [[0.0] * self.n_hidden for _ in range(self.n_out)]
        for step in range(len(x_input)):
            x = x_input[step]
            h = self.hidden_of(x)
            o = self.compute_output(x)
            out_err = [o[k] * (1 - o[k]) * (train[step][k] - o[k]) for k in range(self.n_out)]
            hid_err = [
                HIDDEN * sum(self.second[k][i] * out_err[k] for k in range(self.n_out))
                for i in range(self.n_hidden)
            ]
            for k in range(self.n_out):
                for i in range(self.n_hidden):
                    d_second[k][i] += self.learning_rate * out_err[k] * h[i]
            for i in range(self.n_hidden):
                d_first[i][0] += self.learning_rate * hid_err[i]
                for j in range(self.n_in):
                    d_first[i][j + 1] += self.learning_rate * hid_err[i] * x[j]
        for k in range(self.n_out):
            for i in range(self.n_hidden):
                self.second[k][i] += d_second[k][i] + self.momentum * self.prior_second[k][i]
                self.prior_second[k][i] = d_second[k][i]
        for i in range(self.n_hidden):
            for j in range(self.n_in + 1):
                self.first[i][j] += d_first[i][j] + self.momentum * self.prior_first[i][j]
                self.prior_first[i][j] = d_first[i][j]
""",
        "h[i] * (1 - h[i])",
        "1",
    ),
    # functions over a parameter dict, samples as columns, a forward pass returning a dict of its
    # pre-activations and activations (forward_res) that the backward pass reads: dz2 = a2 − y on a
    # softmax output, averaged over the m samples, is the gradient of the mean cross-entropy
    "dict-forward-functions": (
        """
import numpy as np


def initializing_parameters(n_x, n_h, n_y):
    return {
        "w1": np.random.randn(n_h, n_x) * 0.5,
        "b1": np.zeros((n_h, 1)),
        "w2": np.random.randn(n_y, n_h) * 0.5,
        "b2": np.zeros((n_y, 1)),
    }


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def forward_propagation(x, parameters):
    z1 = parameters["w1"] @ x + parameters["b1"]
    a1 = np.tanh(z1)
    z2 = parameters["w2"] @ a1 + parameters["b2"]
    return {"z1": z1, "a1": a1, "z2": z2, "a2": softmax(z2)}


def back_propagation(x, y, parameters, forward_res):
    a1, a2 = forward_res["a1"], forward_res["a2"]
    m = x.shape[1]
    dz2 = a2 - y
    dz1 = parameters["w2"].T @ dz2 * HIDDEN
    return {
        "dw2": dz2 @ a1.T / m,
        "db2": dz2.sum(axis=1, keepdims=True) / m,
        "dw1": dz1 @ x.T / m,
        "db1": dz1.sum(axis=1, keepdims=True) / m,
    }
""",
        "(1 - a1 ** 2)",
        "1",
    ),
    # a network as a list of layers of neuron dicts, functions over it: forward(net, row) stores each
    # neuron's output, backward(net, expected) leaves a delta in each neuron and returns nothing, and
    # train(net, rows, rate, epochs, n_out) steps on rows whose last entry is the class index:
    # delta_out = (o − t) o (1 − o) is ∂/∂z of ½Σ(o − t)², so one step is −rate × the gradient of mse
    "neuron-dicts": (
        """
import math
import random


def make_net(n_in, n_hidden, n_out):
    def layer(n, fan_in):
        return [{"w": [random.uniform(-1, 1) for _ in range(fan_in + 1)]} for _ in range(n)]

    return [layer(n_hidden, n_in), layer(n_out, n_hidden)]


def fire(w, inputs):
    z = w[-1] + sum(wi * xi for wi, xi in zip(w[:-1], inputs))
    return 1.0 / (1.0 + math.exp(-z))


def forward(net, row):
    values = row
    for layer in net:
        values = [fire(unit["w"], values) for unit in layer]
        for unit, v in zip(layer, values):
            unit["out"] = v
    return values


def backward(net, expected):
    last = net[-1]
    for k, unit in enumerate(last):
        unit["delta"] = (unit["out"] - expected[k]) * unit["out"] * (1 - unit["out"])
    for j, unit in enumerate(net[0]):
        h = unit["out"]
        unit["delta"] = sum(u["w"][j] * u["delta"] for u in last) * HIDDEN


def train(net, rows, rate, epochs, n_out):
    for epoch in range(epochs):
        for row in rows:
            forward(net, row[:-1])
            expected = [0.0] * n_out
            expected[row[-1]] = 1.0
            backward(net, expected)
            inputs = row[:-1]
            for layer in net:
                for unit in layer:
                    for j, v in enumerate(inputs):
                        unit["w"][j] -= rate * unit["delta"] * v
                    unit["w"][-1] -= rate * unit["delta"]
                inputs = [unit["out"] for unit in layer]
""",
        "h * (1 - h)",
        "1",
    ),
    # a class built at the top level with the sizes of data it loads from a file the checker does not
    # have (MLP(X.shape[1], 16, Y.shape[1])): p − Y over the batch on a softmax output is the gradient of
    # the mean cross-entropy, one step −lr × it
    "data-sized-class": (
        """
import numpy as np
import pandas as pd


class MLP:
    def __init__(self, n_features, n_hidden, n_classes, lr=0.1):
        self.W1 = np.random.randn(n_features, n_hidden) * 0.5
        self.W2 = np.random.randn(n_hidden, n_classes) * 0.5
        self.lr = lr

    def forward(self, X):
        self.h = np.tanh(X @ self.W1)
        z = self.h @ self.W2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def train_step(self, X, Y):
        p = self.forward(X)
        d2 = (p - Y) / len(X)
        d1 = d2 @ self.W2.T * HIDDEN
        self.W2 -= self.lr * self.h.T @ d2
        self.W1 -= self.lr * X.T @ d1


df = pd.read_csv("wine.csv")
X = df.drop(columns=["label"]).values
Y = np.eye(df["label"].nunique())[df["label"].values]
model = MLP(X.shape[1], 16, Y.shape[1], lr=0.05)
for epoch in range(100):
    model.train_step(X, Y)
""",
        "(1 - self.h ** 2)",
        "1",
    ),
    # scikit-learn's convention: the weights are made in fit, sized by the data it is given (features,
    # classes), and fit shuffles its samples and steps through them one at a time; sigmoid outputs with
    # the output delta out − Y are the gradient of bce, each step −eta × it (np.float: older NumPy)
    "weights-in-fit": (
        """
import numpy as np


class MLPClassifier:
    def __init__(self, n_hidden=8, epochs=200, eta=0.05, batch_size=1, shuffle=True, seed=1):
        self.n_hidden = n_hidden
        self.epochs = epochs
        self.eta = eta
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = np.random.RandomState(seed)
        self.W1 = None

    def _sigmoid(self, z):
        return 1.0 / (1.0 + np.exp(-np.clip(z, -250, 250)))

    def _forward(self, X):
        h = np.tanh(X.dot(self.W1) + self.b1)
        return h, self._sigmoid(h.dot(self.W2) + self.b2)

    def predict(self, X):
        return np.argmax(self._forward(X)[1], axis=1)

    def fit(self, X, y):
        X = X.astype(np.float)
        n_classes = len(np.unique(y))
        n_features = X.shape[1]
        self.W1 = self.rng.normal(0.0, 0.1, (n_features, self.n_hidden))
        self.b1 = np.zeros(self.n_hidden)
        self.W2 = self.rng.normal(0.0, 0.1, (self.n_hidden, n_classes))
        self.b2 = np.zeros(n_classes)
        Y = np.eye(n_classes)[y]
        for epoch in range(self.epochs):
            idx = np.arange(X.shape[0])
            if self.shuffle:
                self.rng.shuffle(idx)
            for start in range(0, len(idx), self.batch_size):
                batch = idx[start:start + self.batch_size]
                h, out = self._forward(X[batch])
                d2 = out - Y[batch]
                d1 = d2.dot(self.W2.T) * HIDDEN
                self.W2 -= self.eta * h.T.dot(d2)
                self.b2 -= self.eta * d2.sum(axis=0)
                self.W1 -= self.eta * X[batch].T.dot(d1)
                self.b1 -= self.eta * d1.sum(axis=0)
        return self
""",
        "(1 - h ** 2)",
        "1",
    ),
    # methods that reach the network through the global name a session gave it (brain = Network(...)
    # typed at a prompt, never in the file), not through self; (out − y) σ'(z) at the output is the
    # mse gradient, each step −lr × it with lr = 0.5
    "global-instance": (
        """
import numpy as np


class Network:
    def __init__(self, sizes):
        self.sizes = sizes
        self.W = [np.random.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def squash(self, z):
        return 1 / (1 + np.exp(-z))

    def forward(self, x):
        self.hs = [x]
        for W in brain.W:
            self.hs.append(brain.squash(self.hs[-1] @ W))
        return self.hs[-1]

    def backward(self, x, y, lr=0.5):
        out = self.forward(x)
        d = (out - y) * out * (1 - out)
        for i in reversed(range(len(self.W))):
            grad = self.hs[i].T @ d
            d = d @ self.W[i].T * HIDDEN
            self.W[i] -= lr * grad
""",
        "self.hs[i] * (1 - self.hs[i])",
        "1",
    ),
    # a backward pass given one (inputs, labels) pair, read as sample[0] and sample[1] (as a caller
    # zipping its data hands it); sigmoid outputs with the output delta a − y are the gradient of bce
    "pair-argument": (
        SIGMOID
        + """
class Net(object):
    def __init__(self):
        self.weights = [np.random.randn(4, 6) * 0.5, np.random.randn(6, 3) * 0.5]
        self.biases = [np.zeros(6), np.zeros(3)]

    def feedforward(self, batch):
        a = batch
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(a @ w + b)
        return a

    def backprop(self, sample):
        acts = [sample[0]]
        for w, b in zip(self.weights, self.biases):
            acts.append(sigmoid(acts[-1] @ w + b))
        delta = acts[-1] - sample[1]
        grads_w, grads_b = [None, None], [None, None]
        grads_w[1] = acts[1].T @ delta
        grads_b[1] = delta.sum(axis=0)
        delta = delta @ self.weights[1].T * HIDDEN
        grads_w[0] = acts[0].T @ delta
        grads_b[0] = delta.sum(axis=0)
        return grads_w, grads_b
""",
        "acts[1] * (1 - acts[1])",
        "1",
    ),
    # a forward pass that returns the output beside dicts of every layer's activations and
    # pre-activations (return A[self.L], A, Z), and a backprop that takes them back with the number of
    # samples m (course notation), samples as columns; sigmoid outputs, (y_hat − Y) / m: the mean bce
    "returned-dicts-and-m": (
        """
import numpy as np


class NeuralNetwork:
    def __init__(self, layer_sizes):
        self.L = len(layer_sizes) - 1
        self.W, self.b = {}, {}
        for l in range(1, self.L + 1):
            self.W[l] = np.random.randn(layer_sizes[l], layer_sizes[l - 1])
            self.b[l] = np.zeros((layer_sizes[l], 1))

    def feed_forward(self, A0):
        A, Z = {0: A0}, {}
        for l in range(1, self.L + 1):
            Z[l] = self.W[l] @ A[l - 1] + self.b[l]
            A[l] = np.tanh(Z[l]) if l < self.L else 1 / (1 + np.exp(-Z[l]))
        return A[self.L], A, Z

    def backprop(self, y_hat, Y, A, Z, m):
        dW, db = {}, {}
        dZ = (y_hat - Y) / m
        for l in range(self.L, 0, -1):
            dW[l] = dZ @ A[l - 1].T
            db[l] = np.sum(dZ, axis=1, keepdims=True)
            if l > 1:
                dZ = self.W[l].T @ dZ * HIDDEN
        return dW, db
""",
        "(1 - A[l - 1] ** 2)",
        "1",
    ),
    # the many-times-copied digit recogniser of functions: init_params, forward_prop returning every
    # Z and A, backward_prop(Z1, A1, Z2, A2, W1, W2, X, one_hot_Y, m); softmax outputs with A2 − Y over
    # m samples as columns: the mean cross-entropy
    "digit-functions": (
        DIGIT_FORWARD
        + """
def backward_prop(Z1, A1, Z2, A2, W1, W2, X, one_hot_Y, m):
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * HIDDEN
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2
""",
        "ReLU_deriv(Z1)",
        "1",
    ),
    # weights kept twice: extended with a bias row (read by the forward pass) and without it (read by
    # the backward pass), the second made from the first after each epoch; (a − y) σ'(z) per sample:
    # the mse gradient, each step −learning_rate × it
    "copy-without-bias": (
        SIGMOID
        + """
class NeuralNetwork:
    def __init__(self, input_size, output_size, hidden_sizes):
        sizes = [input_size] + list(hidden_sizes) + [output_size]
        self.weights_ext = [np.random.randn(a + 1, b) * 0.5 for a, b in zip(sizes[:-1], sizes[1:])]
        self.weights = [np.delete(w, -1, axis=0) for w in self.weights_ext]

    def predict(self, inp):
        out = np.append(inp, 1)
        for w in self.weights_ext:
            out = np.append(sigmoid(out @ w), 1)
        return np.delete(out, -1)

    def train(self, inputs, labels, learning_rate, epochs):
        for epoch in range(epochs):
            for inp, label in zip(inputs, labels):
                outs = [np.append(inp, 1)]
                for w in self.weights_ext:
                    outs.append(np.append(sigmoid(outs[-1] @ w), 1))
                acts = [o[:-1] for o in outs]
                delta = (acts[-1] - label) * acts[-1] * (1 - acts[-1])
                changes = []
                for k in range(len(self.weights_ext) - 1, -1, -1):
                    changes.append(np.outer(outs[k], delta))
                    if k > 0:
                        delta = (self.weights[k] @ delta) * HIDDEN
                for k, change in enumerate(reversed(changes)):
                    self.weights_ext[k] -= learning_rate * change
            self.weights = [np.delete(w, -1, axis=0) for w in self.weights_ext]
""",
        "acts[k] * (1 - acts[k])",
        "1",
    ),
    # a query that prints its output and returns nothing (the output is its local final_outputs),
    # samples as columns inside, the update added with targets − outputs: (t − o) o (1 − o) is the
    # negative mse gradient, each step +lr × it
    "prints-its-output": (
        """
import numpy


class neuralNetwork:
    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.wih = numpy.random.rand(hiddennodes, inputnodes) - 0.5
        self.who = numpy.random.rand(outputnodes, hiddennodes) - 0.5
        self.lr = learningrate
        self.activation_function = lambda x: 1 / (1 + numpy.exp(-x))

    def train(self, inputs_list, targets_list):
        inputs = numpy.array(inputs_list, ndmin=2).T
        targets = numpy.array(targets_list, ndmin=2).T
        hidden_outputs = self.activation_function(numpy.dot(self.wih, inputs))
        final_outputs = self.activation_function(numpy.dot(self.who, hidden_outputs))
        output_errors = targets - final_outputs
        output_delta = output_errors * final_outputs * (1.0 - final_outputs)
        hidden_errors = numpy.dot(self.who.T, output_delta)
        self.who += self.lr * numpy.dot(output_delta, numpy.transpose(hidden_outputs))
        self.wih += self.lr * numpy.dot(hidden_errors * HIDDEN, numpy.transpose(inputs))

    def query(self, inputs_list):
        inputs = numpy.array(inputs_list, ndmin=2).T
        hidden_outputs = self.activation_function(numpy.dot(self.wih, inputs))
        final_outputs = self.activation_function(numpy.dot(self.who, hidden_outputs))
        print(final_outputs)
""",
        "hidden_outputs * (1.0 - hidden_outputs)",
        "1",
    ),
    # weights made by an initialize_parameters() the constructor leaves to be called, in dicts keyed
    # "W1", "b1"; backward_prop returns its last delta and stores the gradients in self.grads["dW1"]…;
    # samples as columns, sigmoid outputs, (A − Y) / m: the mean bce
    "grads-dict-and-delta": (
        SIGMOID
        + """
class NN:
    def __init__(self, layers):
        self.layers = layers
        self.weights, self.biases, self.cache, self.grads = {}, {}, {}, {}

    def initialize_parameters(self):
        for i in range(1, len(self.layers)):
            self.weights["W" + str(i)] = np.random.randn(self.layers[i], self.layers[i - 1])
            self.biases["b" + str(i)] = np.zeros((self.layers[i], 1))

    def forward_prop(self, X):
        A = X
        for i in range(1, len(self.layers)):
            self.cache["A" + str(i - 1)] = A
            A = sigmoid(self.weights["W" + str(i)] @ A + self.biases["b" + str(i)])
        self.cache["A" + str(len(self.layers) - 1)] = A
        return A

    def backward_prop(self, A, Y):
        m = Y.shape[1]
        dZ = A - Y
        for i in range(len(self.layers) - 1, 0, -1):
            self.grads["dW" + str(i)] = dZ @ self.cache["A" + str(i - 1)].T / m
            self.grads["db" + str(i)] = np.sum(dZ, axis=1, keepdims=True) / m
            if i > 1:
                H = self.cache["A" + str(i - 1)]
                dZ = self.weights["W" + str(i)].T @ dZ * HIDDEN
        return dZ
""",
        "H * (1 - H)",
        "1",
    ),
    # a backward pass that updates its weights in place and returns a delta for a layer before it, of
    # the shape of b1: read as the update it makes, never as a gradient of b1 alone; (o − y) σ'(z) is
    # the mse gradient, each step −lr × it
    "returns-delta-updates-in-place": (
        SIGMOID
        + """
class Net:
    def __init__(self, n_in, n_hidden, n_out, lr=0.5):
        self.W1 = np.random.randn(n_in, n_hidden) * 0.5
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * 0.5
        self.b2 = np.zeros(n_out)
        self.lr = lr

    def forward(self, x):
        self.x = x
        self.h = np.tanh(x @ self.W1 + self.b1)
        self.o = sigmoid(self.h @ self.W2 + self.b2)
        return self.o

    def backward(self, y):
        d2 = (self.o - y) * self.o * (1 - self.o)
        d1 = d2 @ self.W2.T * HIDDEN
        self.W2 -= self.lr * self.h.T @ d2
        self.b2 -= self.lr * d2.sum(axis=0)
        self.W1 -= self.lr * self.x.T @ d1
        self.b1 -= self.lr * d1.sum(axis=0)
        return d1.sum(axis=0)
""",
        "(1 - self.h ** 2)",
        "1",
    ),
    # layer classes and a container that adds them, composed nowhere in the file: the checker builds
    # Layer(4, 5), Layer(5, 3) into it; sigmoid layers, the container's mse derivative (a − y): each
    # layer's δ = dout σ'(z), each step −0.1 × the mse gradient, the rate kept by the layers where the
    # container's step does not name it: read off the layers (every one holds lr = 0.1), so scale 1
    "container-add-layer": (
        SIGMOID
        + """
class Layer:
    def __init__(self, input_size, num_neurons, lr=0.1):
        self.weights = np.random.randn(input_size, num_neurons) * 0.5
        self.bias = np.zeros(num_neurons)
        self.lr = lr

    def forw_pass(self, x):
        self.input = x
        self.out = sigmoid(x @ self.weights + self.bias)
        return self.out

    def back_pass(self, dout):
        delta = dout * HIDDEN
        back = delta @ self.weights.T
        self.weights -= self.lr * self.input.T @ delta
        self.bias -= self.lr * delta.sum(axis=0)
        return back


class NeuralNetwork:
    def __init__(self, epochs=100):
        self.epochs = epochs
        self.layers = []

    def add_layer(self, layer):
        self.layers.append(layer)

    def forw_prop(self, x):
        for layer in self.layers:
            x = layer.forw_pass(x)
        return x

    def train(self, x_train, y_train):
        for epoch in range(self.epochs):
            out = self.forw_prop(x_train)
            dout = out - y_train
            for layer in reversed(self.layers):
                dout = layer.back_pass(dout)
""",
        "self.out * (1 - self.out)",
        "1",
    ),
    # the course exercise: one sample, one forward and backward pass at the top level, the weight
    # changes computed and printed, never applied; the error target − output, so each change is
    # +learnrate × the negative mse gradient, and the checker adds it to the weight of its shape
    "printed-changes": (
        SIGMOID
        + """
x = np.array([0.3, -0.1, 0.4, 0.2])
target = np.array([0.2, 0.7, 0.5])
learnrate = 0.5
weights_input_hidden = np.linspace(-0.5, 0.5, 20).reshape(4, 5)
weights_hidden_output = np.linspace(-0.4, 0.4, 15).reshape(5, 3)

hidden = sigmoid(np.dot(x, weights_input_hidden))
output = sigmoid(np.dot(hidden, weights_hidden_output))
error = target - output
output_error_term = error * output * (1 - output)
hidden_error_term = np.dot(weights_hidden_output, output_error_term) * HIDDEN
delta_w_h_o = learnrate * output_error_term * hidden[:, None]
delta_w_i_h = learnrate * hidden_error_term * x[:, None]
print("Change in weights for hidden layer to output layer:", delta_w_h_o)
print("Change in weights for input layer to hidden layer:", delta_w_i_h)
""",
        "hidden * (1 - hidden)",
        "1",
    ),
    # the digit recogniser as most copies write it: back_prop one-hot encodes the class indices itself,
    # as wide as the largest class in the batch (Y.max() + 1), so every probe must hold every class;
    # softmax outputs with A2 − one_hot_Y over m samples as columns: the mean cross-entropy
    "digit-functions-own-one-hot": (
        DIGIT_FORWARD
        + """
def one_hot(Y):
    one_hot_Y = np.zeros((Y.size, Y.max() + 1))
    one_hot_Y[np.arange(Y.size), Y] = 1
    return one_hot_Y.T


def back_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * HIDDEN
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2
""",
        "(Z1 > 0)",
        "1",
    ),
    # older code on numpy.matrix weights (np.mat, * as the matrix product): (o − y) o (1 − o) at the
    # output is the mse gradient, each step −lr × it
    "matrix-weights": (
        SIGMOID
        + """
class OldNet:
    def __init__(self):
        self.w1 = np.mat(np.random.randn(3, 4))
        self.w2 = np.mat(np.random.randn(4, 2))

    def forward(self, x):
        self.x = np.mat(x)
        self.h = sigmoid(self.x * self.w1)
        self.o = sigmoid(self.h * self.w2)
        return self.o

    def backward(self, y, lr=0.5):
        d2 = np.multiply(self.o - y, np.multiply(self.o, 1 - self.o))
        d1 = np.multiply(d2 * self.w2.T, HIDDEN)
        self.w2 -= lr * self.h.T * d2
        self.w1 -= lr * self.x.T * d1
""",
        "np.multiply(self.h, 1 - self.h)",
        "1",
    ),
    # a network whose backward takes the (inputs, labels) pair of its batch, read as batch[0] and
    # batch[1], beside forward(X): a network's backward pass, not a layer's backward(dout); sigmoid
    # outputs with the output delta o − y: the bce gradient, summed over the batch
    "forward-backward-pair": (
        SIGMOID
        + """
class Net:
    def __init__(self):
        self.W1 = np.random.randn(3, 4)
        self.W2 = np.random.randn(4, 2)

    def forward(self, X):
        self.h = sigmoid(X @ self.W1)
        self.o = sigmoid(self.h @ self.W2)
        return self.o

    def backward(self, batch):
        X, y = batch[0], batch[1]
        d_o = self.o - y
        d_h = (d_o @ self.W2.T) * HIDDEN
        return X.T @ d_h, self.h.T @ d_o
""",
        "self.h * (1 - self.h)",
        "1",
    ),
    # a class whose gradient method also takes the weight-decay strength (given 0 here, so the
    # gradient checked is the loss's own) beside a private _activation_grad that is no backward pass;
    # softmax outputs, (probs − Y) / n: the mean cross-entropy
    "loss-and-grads-with-decay": (
        """
import numpy as np


class MLP:
    def __init__(self, input_dim, hidden_dim, num_classes):
        self.params = {
            "W1": np.random.randn(input_dim, hidden_dim) * 0.5,
            "b1": np.zeros((1, hidden_dim)),
            "W2": np.random.randn(hidden_dim, num_classes) * 0.5,
            "b2": np.zeros((1, num_classes)),
        }

    def _activation_grad(self, a):
        return 1.0 - a * a

    def forward(self, x):
        h = np.tanh(x @ self.params["W1"] + self.params["b1"])
        z = h @ self.params["W2"] + self.params["b2"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True), {"A0": x, "A1": h}

    def loss_and_grads(self, x, y, weight_decay):
        probs, caches = self.forward(x)
        n = len(y)
        dz = (probs - np.eye(probs.shape[1])[y]) / n
        grads = {
            "W2": caches["A1"].T @ dz + weight_decay * self.params["W2"],
            "b2": dz.sum(axis=0, keepdims=True),
        }
        dh = dz @ self.params["W2"].T * HIDDEN
        grads["W1"] = caches["A0"].T @ dh + weight_decay * self.params["W1"]
        grads["b1"] = dh.sum(axis=0, keepdims=True)
        loss = -np.log(probs[np.arange(n), y]).mean()
        return loss, grads
""",
        "self._activation_grad(caches['A1'])",
        "1",
    ),
    # weights as module-level arrays read by the functions; the forward returns (Z1, A1, Z2), which the
    # backward takes back by those names; linear output, dZ2 = Z2 − y: the mse gradient, mean over m
    "global-weights-functions": (
        """
import numpy as np

np.random.seed(1)
w1 = np.random.randn(6, 3) * 0.5
b1 = np.zeros((6, 1))
w2 = np.random.randn(2, 6) * 0.5
b2 = np.zeros((2, 1))

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(X):
    Z1 = w1 @ X + b1
    A1 = sigmoid(Z1)
    Z2 = w2 @ A1 + b2
    return Z1, A1, Z2

def backward(X, y, Z1, A1, Z2):
    m = X.shape[1]
    dZ2 = Z2 - y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (w2.T @ dZ2) * HIDDEN
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2
""",
        "A1 * (1 - A1)",
        "1",
    ),
    # private weights (self.__W1), a forward that returns its cached activations as attributes, and a
    # gradient_descent(X, Y, A1, A2, alpha) that takes them back; sigmoid output, dz2 = A2 − Y: bce
    "private-cache-arguments": (
        """
import numpy as np

class NeuralNetwork:
    def __init__(self, nx, nodes):
        self.__W1 = np.random.randn(nodes, nx)
        self.__b1 = np.zeros((nodes, 1))
        self.__W2 = np.random.randn(1, nodes)
        self.__b2 = np.zeros((1, 1))
        self.__A1 = 0
        self.__A2 = 0

    def forward_prop(self, X):
        self.__A1 = 1 / (1 + np.exp(-(self.__W1 @ X + self.__b1)))
        self.__A2 = 1 / (1 + np.exp(-(self.__W2 @ self.__A1 + self.__b2)))
        return self.__A1, self.__A2

    def gradient_descent(self, X, Y, A1, A2, alpha=0.05):
        m = Y.shape[1]
        dz2 = A2 - Y
        dw2 = dz2 @ A1.T / m
        db2 = np.sum(dz2, axis=1, keepdims=True) / m
        dz1 = (self.__W2.T @ dz2) * HIDDEN
        dw1 = dz1 @ X.T / m
        db1 = np.sum(dz1, axis=1, keepdims=True) / m
        self.__W2 = self.__W2 - alpha * dw2
        self.__b2 = self.__b2 - alpha * db2
        self.__W1 = self.__W1 - alpha * dw1
        self.__b1 = self.__b1 - alpha * db1
""",
        "A1 * (1 - A1)",
        "1",
    ),
    # a network that holds layer objects: each stores its output in forward_output and the network's
    # forward returns nothing; a batch size fixed in the constructor; the output delta
    # (a − y) a (1 − a) is the mse gradient, averaged over the batch by eta / batch_size
    "layer-object-outputs": (
        """
import numpy as np

class SigmoidLayer:
    def forward(self, x):
        self.forward_output = 1 / (1 + np.exp(-x))

    def backward(self, error):
        self.backward_output = error * HIDDEN

class Net:
    def __init__(self, batch_size, input_dim, hidden_dim, output_dim):
        self.batch_size = batch_size
        self.w_hidden = np.random.randn(input_dim, hidden_dim) * 0.5
        self.w_output = np.random.randn(hidden_dim, output_dim) * 0.5
        self.hidden_layer = SigmoidLayer()
        self.output_layer = SigmoidLayer()

    def forward(self, data):
        self.data = data
        self.hidden_layer.forward(data @ self.w_hidden)
        self.output_layer.forward(self.hidden_layer.forward_output @ self.w_output)

    def train(self, labels, eta):
        out = self.output_layer.forward_output
        self.output_layer.backward(out - labels)
        self.hidden_layer.backward(self.output_layer.backward_output @ self.w_output.T)
        scale = eta / self.batch_size
        self.w_output -= scale * self.hidden_layer.forward_output.T @ self.output_layer.backward_output
        self.w_hidden -= scale * self.data.T @ self.hidden_layer.backward_output
""",
        "self.forward_output * (1 - self.forward_output)",
        "1",
    ),
    # functions over a dict of extended weights (a bias row), one sample as a 1-D vector: backprop
    # computes every delta first, updates the dict in place and returns it; tanh output and
    # δ = (1 − a²)(a − y): the mse gradient
    "returns-updated-weights": (
        """
import numpy as np

def create_nn(layer_sizes):
    weights = {}
    for i in range(len(layer_sizes) - 1):
        weights[f"W{i}"] = np.random.rand(layer_sizes[i] + 1, layer_sizes[i + 1]) - 0.5
    return weights

def eval_nn(inputs, weights):
    a = inputs
    for i in range(len(weights)):
        a = np.tanh(np.append(a, 1) @ weights[f"W{i}"])
    return a

def backprop(weights, inputs, targets, layer_sizes, learning_rate=0.01):
    acts = [inputs]
    for i in range(len(layer_sizes) - 1):
        acts.append(np.tanh(np.append(acts[-1], 1) @ weights[f"W{i}"]))
    delta = (1 - acts[-1] ** 2) * (acts[-1] - targets)
    changes = {}
    for i in reversed(range(len(layer_sizes) - 1)):
        changes[i] = np.outer(np.append(acts[i], 1), delta)
        if i > 0:
            delta = (weights[f"W{i}"][:-1] @ delta) * HIDDEN
    for i, change in changes.items():
        weights[f"W{i}"] -= learning_rate * change
    return weights
""",
        "(1 - acts[i] ** 2)",
        "1",
    ),
    # weights at the top of the script handed to functions; backprop rebinds them to W − lr g and
    # returns the new ones (an update, never gradients); sigmoid output, chain delta: mse
    "returns-new-weights": (
        """
import numpy as np

W1 = np.random.randn(3, 5)
W2 = np.random.randn(5, 2)

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(X, W1, W2):
    h = sigmoid(X @ W1)
    return sigmoid(h @ W2)

def backprop(X, y, W1, W2, lr):
    h = sigmoid(X @ W1)
    a = sigmoid(h @ W2)
    d2 = (a - y) * a * (1 - a)
    d1 = (d2 @ W2.T) * HIDDEN
    W2 = W2 - lr * h.T @ d2
    W1 = W1 - lr * X.T @ d1
    return W1, W2
""",
        "h * (1 - h)",
        "1",
    ),
    # a backward method that updates the weights in place and returns them: an update, never gradients
    # (read as gradients, the weights themselves matched no loss); sigmoid output, chain delta: mse
    "method-returns-its-weights": (
        """
import numpy as np

class Net:
    def __init__(self):
        self.W1 = np.random.randn(3, 5)
        self.W2 = np.random.randn(5, 2)

    def forward(self, X):
        self.h = 1 / (1 + np.exp(-(X @ self.W1)))
        self.a = 1 / (1 + np.exp(-(self.h @ self.W2)))
        return self.a

    def backward(self, X, y, lr=0.1):
        h = self.h
        d2 = (self.a - y) * self.a * (1 - self.a)
        d1 = (d2 @ self.W2.T) * HIDDEN
        self.W2 -= lr * h.T @ d2
        self.W1 -= lr * X.T @ d1
        return self.W1, self.W2
""",
        "h * (1 - h)",
        "1",
    ),
    # the course exercise: data from a module of the course (absent here) as a pandas table, an epoch
    # loop that goes through the records one at a time, adds each record's weight change up, and
    # applies the mean over the records; error y − a with a σ'(h) output term: the mse gradient
    "records-one-at-a-time": (
        """
import numpy as np
from data_prep import features, targets

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

n_hidden = 3
epochs = 100
learnrate = 0.5
n_records, n_features = features.shape
weights_input_hidden = np.random.normal(scale=n_features ** -0.5, size=(n_features, n_hidden))
weights_hidden_output = np.random.normal(scale=n_features ** -0.5, size=n_hidden)

for e in range(epochs):
    del_w_input_hidden = np.zeros(weights_input_hidden.shape)
    del_w_hidden_output = np.zeros(weights_hidden_output.shape)
    for x, y in zip(features.values, targets):
        hidden_output = sigmoid(np.dot(x, weights_input_hidden))
        output = sigmoid(np.dot(hidden_output, weights_hidden_output))
        error = y - output
        output_error_term = error * output * (1 - output)
        hidden_error = np.dot(output_error_term, weights_hidden_output)
        hidden_error_term = hidden_error * HIDDEN
        del_w_hidden_output += output_error_term * hidden_output
        del_w_input_hidden += hidden_error_term * x[:, None]
    weights_input_hidden += learnrate * del_w_input_hidden / n_records
    weights_hidden_output += learnrate * del_w_hidden_output / n_records
    if e % 10 == 0:
        print(np.mean((output - targets) ** 2))
""",
        "hidden_output * (1 - hidden_output)",
        "1",
    ),
    # a forward method that returns its output as y, which the backward takes back as y beside the
    # labels d (the textbook's teacher signal): y is the output here, never the labels; chain delta
    # (y − d) y (1 − y): the mse gradient, summed over the batch
    "output-named-y": (
        """
import numpy as np

class Net:
    def __init__(self):
        self.W1 = np.random.randn(3, 5)
        self.W2 = np.random.randn(5, 2)

    def forward(self, X):
        h = 1 / (1 + np.exp(-(X @ self.W1)))
        y = 1 / (1 + np.exp(-(h @ self.W2)))
        return h, y

    def backward(self, X, d, h, y):
        d2 = (y - d) * y * (1 - y)
        d1 = (d2 @ self.W2.T) * HIDDEN
        return X.T @ d1, h.T @ d2
""",
        "h * (1 - h)",
        "1",
    ),
    # functions over global weights the file never assigns (the notebook set them elsewhere), the
    # output returned first as y and the labels taken as d; the update in place by a module-level
    # rate: sigmoid output, chain delta: mse
    "unassigned-globals": (
        """
import numpy as np

RATE = 0.5

def forward(x):
    global W1
    global W2
    z1 = 1 / (1 + np.exp(-x.dot(W1)))
    y = 1 / (1 + np.exp(-z1.dot(W2)))
    return y, z1

def back_propagation(x, z1, y, d):
    global W1
    global W2
    delta2 = (y - d) * y * (1 - y)
    delta1 = delta2.dot(W2.T) * HIDDEN
    W2 -= RATE * z1.T.dot(delta2)
    W1 -= RATE * x.T.dot(delta1)
""",
        "z1 * (1 - z1)",
        "1",
    ),
    # a learning rate kept by the constructor that no step reads: the step's rate is the 0.1 written in
    # its update; chain delta on a sigmoid output: mse, summed over the batch, at scale 1
    "rate-attribute-unused": (
        """
import numpy as np

class MLP:
    def __init__(self, n_in=3, n_hid=4, n_out=2, learning_rate=0.5):
        self.learning_rate = learning_rate
        self.W1 = np.random.randn(n_in, n_hid) * 0.5
        self.W2 = np.random.randn(n_hid, n_out) * 0.5

    def predict(self, X):
        return 1 / (1 + np.exp(-(1 / (1 + np.exp(-(X @ self.W1))) @ self.W2)))

    def train(self, X, Y):
        H = 1 / (1 + np.exp(-(X @ self.W1)))
        A = 1 / (1 + np.exp(-(H @ self.W2)))
        dA = (A - Y) * A * (1 - A)
        dH = (dA @ self.W2.T) * HIDDEN
        self.W2 -= 0.1 * (H.T @ dA)
        self.W1 -= 0.1 * (X.T @ dH)
""",
        "H * (1 - H)",
        "1",
    ),
    # square layers whose gradients are returned output layer first, named in the return statement:
    # by place they would fit the parameters in either order, so they go by their names; tanh hidden,
    # linear output, dZ2 = Z2 − y: mse, summed over the batch
    "square-returned-output-first": (
        """
import numpy as np

W1 = np.random.randn(3, 3) * 0.5
b1 = np.zeros(3)
W2 = np.random.randn(3, 3) * 0.5
b2 = np.zeros(3)

def forward(X):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    return Z1, A1, Z2

def backward(X, y, Z1, A1, Z2):
    dZ2 = Z2 - y
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dZ1 = dZ2 @ W2.T * HIDDEN
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return dW2, db2, dW1, db1
""",
        "(1 - A1 ** 2)",
        "1",
    ),
    # an epoch loop that shuffles its inputs in place every epoch and its labels with them, through one
    # permutation: the step's own copies are shuffled, never the checker's; mse, mean over the batch
    "shuffled-script": (
        """
import numpy as np

X = np.random.randn(100, 3)
Y = np.random.rand(100, 1)
W = np.random.randn(3, 4) * 0.3
V = np.random.randn(4, 1) * 0.3
lr = 0.1
m = X.shape[0]

for epoch in range(50):
    order = np.random.permutation(len(X))
    X, Y = X[order], Y[order]
    h = 1 / (1 + np.exp(-(X @ W)))
    out = h @ V
    d = (out - Y) / m
    gV = h.T @ d
    gW = X.T @ ((d @ V.T) * HIDDEN)
    V -= lr * gV
    W -= lr * gW
""",
        "h * (1 - h)",
        "1",
    ),
}
# the neuron dicts again, with the data set named data (the name of inputs elsewhere), looped over: a
# data set, not one sample
STYLES["neuron-dicts-data"] = (
    STYLES["neuron-dicts"][0]
    .replace("def train(net, rows,", "def train(net, data,")
    .replace("for row in rows:", "for row in data:"),
    *STYLES["neuron-dicts"][1:],
)

# a course assignment's class: the data set read in the constructor when given a path, the weights made
# by initialize_weights(dims), the forward returning its cache dict, in which "A" is the pre-activation
# and "Z" the activation, the entries ordered by layer; the backward takes the cache and reads the
# output from it. Softmax output, (a - y) / n: the mean cross-entropy gradient
STYLES["cache-dict-and-data-path"] = (
    """
import pickle

import numpy as np


class Classifier:
    def __init__(self, hidden=(5,), datapath="digits.pkl", lr=0.01):
        self.hidden = hidden
        self.L = len(hidden) + 1
        self.lr = lr
        if datapath is not None:
            with open(datapath, "rb") as f:
                self.train, self.test = pickle.load(f)

    def initialize_weights(self, dims):
        sizes = [dims[0], *self.hidden, dims[1]]
        self.weights = {}
        for n in range(1, self.L + 1):
            self.weights[f"W{n}"] = np.random.randn(sizes[n - 1], sizes[n]) / np.sqrt(sizes[n - 1])
            self.weights[f"b{n}"] = np.zeros((1, sizes[n]))

    def relu(self, x, grad=False):
        return (x > 0).astype(float) if grad else np.maximum(0, x)

    def softmax(self, x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def forward(self, x):
        cache = {"Z0": x}
        for n in range(1, self.L):
            cache[f"A{n}"] = cache[f"Z{n - 1}"] @ self.weights[f"W{n}"] + self.weights[f"b{n}"]
            cache[f"Z{n}"] = self.relu(cache[f"A{n}"])
        W, b = self.weights[f"W{self.L}"], self.weights[f"b{self.L}"]
        cache[f"A{self.L}"] = cache[f"Z{self.L - 1}"] @ W + b
        cache[f"Z{self.L}"] = self.softmax(cache[f"A{self.L}"])
        return cache

    def backward(self, cache, labels):
        output = cache[f"Z{self.L}"]
        n = output.shape[0]
        grads = {f"dA{self.L}": output - labels}
        for k in range(self.L, 0, -1):
            grads[f"dW{k}"] = cache[f"Z{k - 1}"].T @ grads[f"dA{k}"] / n
            grads[f"db{k}"] = grads[f"dA{k}"].sum(axis=0, keepdims=True) / n
            if k > 1:
                back = grads[f"dA{k}"] @ self.weights[f"W{k}"].T
                grads[f"dA{k - 1}"] = back * HIDDEN
        return grads

    def update(self, grads):
        for k in range(1, self.L + 1):
            self.weights[f"W{k}"] -= self.lr * grads[f"dW{k}"]
            self.weights[f"b{k}"] -= self.lr * grads[f"db{k}"]


if __name__ == "__main__":
    model = Classifier(hidden=(64,), datapath="digits.pkl", lr=0.1)
    model.initialize_weights((64, 10))
""",
    'self.relu(cache[f"A{k - 1}"], grad=True)',
    "1",
)

# weights and biases in lists, the forward pass keeping every layer in list attributes and returning
# nothing (predict reads the output as self.A[1]), the backward returning (dW, db), two lists named by
# the return statement; sigmoid output with (a - y) / m: the mean bce gradient
STYLES["list-attributes-and-grouped-returns"] = (
    """
import numpy as np


def relu(z):
    return np.maximum(z, 0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class ShallowNet:
    def __init__(self, n_in=4, n_hidden=5):
        self.W = [np.random.randn(n_in, n_hidden), np.random.randn(n_hidden, 1)]
        self.b = [np.random.randn(n_hidden), np.random.randn(1)]
        self.Z = [np.array([]), np.array([])]
        self.A = [np.array([]), np.array([])]

    def forward_propagation(self, X):
        self.Z[0] = X @ self.W[0] + self.b[0]
        self.A[0] = relu(self.Z[0])
        self.Z[1] = self.A[0] @ self.W[1] + self.b[1]
        self.A[1] = sigmoid(self.Z[1])

    def predict(self, X):
        self.forward_propagation(X)
        proba = self.A[1]
        return (proba >= 0.5).astype(int)

    def back_propagation(self, X, y):
        m = X.shape[0]
        dloss = (self.A[1] - y) / m
        dW2 = self.A[0].T @ dloss
        db2 = dloss.sum(axis=0)
        dloss = dloss @ self.W[1].T
        dloss = dloss * HIDDEN
        dW1 = X.T @ dloss
        db1 = dloss.sum(axis=0)
        dW = [dW1, dW2]
        db = [db1, db2]
        return dW, db
""",
    "(self.Z[0] > 0)",
    "1",
)

# one training function that makes its weights, loops and updates them in place and returns the model,
# its rate kept in a settings class, its labels class indices subtracted in place from the softmax;
# no forward or backward function apart. Its body is read as a script with the arguments bound:
# dZ2 = softmax - onehot is the cross-entropy gradient, summed over the batch (no / n)
STYLES["training-function"] = (
    """
import numpy as np


class Settings:
    n_in = 4
    n_out = 3
    step = 0.05


def make_data():
    X = np.random.randn(20, Settings.n_in)
    return X, np.random.randint(0, Settings.n_out, 20)


def train_network(X, y, n_hidden, epochs=1000, verbose=False):
    n = len(X)
    W1 = np.random.randn(Settings.n_in, n_hidden) / np.sqrt(Settings.n_in)
    b1 = np.zeros((1, n_hidden))
    W2 = np.random.randn(n_hidden, Settings.n_out) / np.sqrt(n_hidden)
    b2 = np.zeros((1, Settings.n_out))
    for epoch in range(epochs):
        H = np.tanh(X @ W1 + b1)
        scores = np.exp(H @ W2 + b2)
        probs = scores / scores.sum(axis=1, keepdims=True)
        dZ2 = probs
        dZ2[np.arange(n), y] -= 1
        dW2 = H.T @ dZ2
        db2 = dZ2.sum(axis=0, keepdims=True)
        dZ1 = dZ2 @ W2.T * HIDDEN
        dW1 = X.T @ dZ1
        db1 = dZ1.sum(axis=0, keepdims=True)
        W1 -= Settings.step * dW1
        b1 -= Settings.step * db1
        W2 -= Settings.step * dW2
        b2 -= Settings.step * db2
        if verbose and epoch % 100 == 0:
            print(epoch)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


if __name__ == "__main__":
    X, y = make_data()
    model = train_network(X, y, 8, verbose=True)
""",
    "(1 - H**2)",
    "1",
)

# a course assignment's epoch functions, handed the weights they update in place, their labels class
# indices one-hot encoded batch by batch inside the loop; the two-layer network's function is the one
# checked (it updates more weights than the linear model's beside it). Softmax minus one-hot over the
# batch size: the mean cross-entropy gradient
STYLES["epoch-function-with-weight-arguments"] = (
    """
import numpy as np


def linear_epoch(X, y, theta, lr=0.1, batch=50):
    for start in range(0, X.shape[0], batch):
        xb, yb = X[start:start + batch], y[start:start + batch]
        e = np.exp(xb @ theta)
        p = e / e.sum(axis=1, keepdims=True)
        onehot = np.zeros_like(p)
        onehot[np.arange(len(yb)), yb] = 1
        theta -= lr * xb.T @ (p - onehot) / len(yb)


def two_layer_epoch(X, y, W1, W2, lr=0.1, batch=50):
    classes = W2.shape[1]
    for start in range(0, X.shape[0], batch):
        xb = X[start:start + batch]
        yb = y[start:start + batch]
        H = np.maximum(0, xb @ W1)
        e = np.exp(H @ W2)
        P = e / e.sum(axis=1, keepdims=True)
        onehot = np.zeros((len(yb), classes))
        onehot[np.arange(len(yb)), yb] = 1
        G2 = P - onehot
        G1 = G2 @ W2.T * HIDDEN
        W1 -= lr * xb.T @ G1 / len(yb)
        W2 -= lr * H.T @ G2 / len(yb)
""",
    "(H > 0)",
    "1",
)

# weights kept in float32 while the inputs come as float64 (the products upcast: the output and the
# gradients are float64, the weights and every step round to float32), per-sample gradients returned
# and averaged by the caller, and the script's own network of MNIST's sizes: softmax output with
# delta = a - y, the cross-entropy gradient of each sample
STYLES["float32-weights-mnist-sizes"] = (
    """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(x):
    x = np.exp(x - np.amax(x, axis=1, keepdims=True))
    return x / np.sum(x, axis=1, keepdims=True)


class MLP:
    def __init__(self, sizes):
        self.sizes = sizes
        self.weights = [np.random.randn(b, a).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.random.randn(b).astype(np.float32) for b in sizes[1:]]

    def forward(self, x):
        acts = [x]
        for i in range(len(self.sizes) - 1):
            x = x @ self.weights[i].T + self.biases[i]
            x = sigmoid(x) if i < len(self.sizes) - 2 else softmax(x)
            acts.append(x)
        return acts

    def backprop(self, x, y):
        n = x.shape[0]
        acts = self.forward(x)
        gw = [None] * len(self.weights)
        gb = [None] * len(self.biases)
        delta = acts[-1] - y
        gw[-1] = delta.reshape((n, -1, 1)) @ acts[-2].reshape((n, 1, -1))
        gb[-1] = delta
        for i in range(len(self.sizes) - 2, 0, -1):
            delta = (delta @ self.weights[i]) * HIDDEN
            gw[i - 1] = delta.reshape((n, -1, 1)) @ acts[i - 1].reshape((n, 1, -1))
            gb[i - 1] = delta
        return gw, gb


if __name__ == "__main__":
    model = MLP([784, 30, 10])
""",
    "acts[i] * (1 - acts[i])",
    "1",
)

# weights made by an init_weights(X) that sizes them by the data it is handed, which the constructor
# leaves to be called: the setup calls it on data of its own; tanh hidden layer, sigmoid output with
# the output delta (o − y) σ'(z) of ½ Σ (o − y)², each step −0.5 × the summed mse gradient
STYLES["weights-from-data-in-init-method"] = (
    """
import numpy as np


class Net:
    def __init__(self, hidden, lr=0.5):
        self.hidden = hidden
        self.lr = lr

    def init_weights(self, X):
        rng = np.random.default_rng(2)
        self.W1 = rng.normal(size=(X.shape[1], self.hidden))
        self.W2 = rng.normal(size=(self.hidden, 1))

    def forward(self, X):
        self.h = np.tanh(X @ self.W1)
        self.out = 1 / (1 + np.exp(-(self.h @ self.W2)))
        return self.out

    def train(self, X, y):
        out = self.forward(X)
        d2 = (out - y) * out * (1 - out)
        d1 = (d2 @ self.W2.T) * HIDDEN
        self.W2 -= self.lr * self.h.T @ d2
        self.W1 -= self.lr * X.T @ d1
""",
    "(1 - self.h ** 2)",
    "1",
)

# the constructor handed the training inputs under a name sizes have elsewhere (inputs), kept and read
# through their shape (a size has none): the hidden width is the number of samples; no learning rate,
# the summed ½ Σ (o − y)² gradient stepped up with y − o
STYLES["data-named-like-a-size"] = (
    """
import numpy as np


class NN:
    def __init__(self, inputs):
        self.inputs = inputs
        self.rows = self.inputs.shape[0]
        self.cols = self.inputs.shape[1]
        self.wi = np.random.random((self.cols, self.rows))
        self.wh = np.random.random((self.rows, 1))

    def think(self, inp):
        s1 = 1 / (1 + np.exp(-(inp @ self.wi)))
        return 1 / (1 + np.exp(-(s1 @ self.wh)))

    def train(self, inputs, outputs, it):
        for _ in range(it):
            l1 = 1 / (1 + np.exp(-(inputs @ self.wi)))
            l2 = 1 / (1 + np.exp(-(l1 @ self.wh)))
            l2_delta = (outputs - l2) * l2 * (1 - l2)
            l1_delta = (l2_delta @ self.wh.T) * HIDDEN
            self.wh += l1.T @ l2_delta
            self.wi += inputs.T @ l1_delta
""",
    "l1 * (1 - l1)",
    "1",
)

# XOR data stacked as columns, (4, 2, 1): one (2, 1) column per sample, weights applied on the left,
# the backward a function of the output and the sample, the update in the top-level loop over samples;
# (y_hat − y) σ'(z), one sample a step: mse
STYLES["stacked-columns-script"] = (
    SIGMOID
    + """
X = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1))
Y = np.array([0, 1, 1, 0])
w0 = np.random.rand(3, 2)
b1 = np.random.rand(3, 1)
w1 = np.random.rand(1, 3)
b2 = np.random.rand(1, 1)


def feed_forward(x):
    a1 = sigmoid(w0 @ x + b1)
    return a1, sigmoid(w1 @ a1 + b2)


def backprop(y_hat, y, a1, xi):
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (w1.T @ delta2) * HIDDEN
    return delta1 @ xi.T, delta1, delta2 @ a1.T, delta2


rate = 0.1
for epoch in range(10000):
    for i, x in enumerate(X):
        a1, y_hat = feed_forward(x)
        dw0, db1, dw1, db2 = backprop(y_hat, Y[i], a1, x)
        w0 -= rate * dw0
        b1 -= rate * db1
        w1 -= rate * dw1
        b2 -= rate * db2
""",
    "a1 * (1 - a1)",
    "1",
)

WRONG = {
    # one hidden derivative wrong each: missing, at the wrong place, or of the wrong function
    "question": "1",
    "column-lists": "sigmoid_prime(activations[-l])",
    "lists-in-place": "hidden_errors",
    "layer-objects": "(1 - a)",
    "dict-functions": "(1 - cache['A1'])",
    "data-in-constructor": "self.layer1",
    "script-loop": "h",
    "class-indices": "dh",
    "flat-vectors": "h",
    "counter-beside-update": "self.h",
    "countdown-beside-update": "self.h",
    "loss-returns-grads": "(1 - h)",
    "pure-python-update": "self.ah[j]",
    "data-sized-script": "h",
    "textbook-lists": "h[i]",
    "dict-forward-functions": "(1 - np.tanh(a1) ** 2)",
    "neuron-dicts": "h",
    "data-sized-class": "(1 - self.h)",
    "weights-in-fit": "(1 - h)",
    "global-instance": "self.hs[i]",
    "pair-argument": "acts[1]",
    "returned-dicts-and-m": "(1 - A[l - 1])",
    "digit-functions": "1",
    "copy-without-bias": "acts[k]",
    "prints-its-output": "hidden_outputs",
    "grads-dict-and-delta": "H",
    "returns-delta-updates-in-place": "1",
    "container-add-layer": "self.out",
    "printed-changes": "hidden",
    "digit-functions-own-one-hot": "1",
    "matrix-weights": "self.h",
    "forward-backward-pair": "self.h",
    "loss-and-grads-with-decay": "caches['A1']",
    "global-weights-functions": "A1",
    "private-cache-arguments": "A1",
    "layer-object-outputs": "self.forward_output",
    "returns-updated-weights": "acts[i]",
    "returns-new-weights": "h",
    "method-returns-its-weights": "h",
    "records-one-at-a-time": "hidden_output",
    "neuron-dicts-data": "h",
    "output-named-y": "h",
    "unassigned-globals": "z1",
    "rate-attribute-unused": "H",
    "square-returned-output-first": "1",
    "shuffled-script": "h",
    "cache-dict-and-data-path": 'self.relu(cache[f"Z{k - 1}"], grad=False)',
    "list-attributes-and-grouped-returns": "self.A[0]",
    "training-function": "(1 - H)",
    "epoch-function-with-weight-arguments": "H",
    "float32-weights-mnist-sizes": "acts[i]",
    "weights-from-data-in-init-method": "(1 - self.h)",
    "data-named-like-a-size": "l1",
    "stacked-columns-script": "a1",
}

VERDICT = {
    "question": "mse",
    "column-lists": "mse",
    "lists-in-place": "mse",
    "layer-objects": "cross_entropy",
    "dict-functions": "bce",
    "data-in-constructor": "mse",
    "script-loop": "mse",
    "class-indices": "cross_entropy",
    "flat-vectors": "mse",
    "counter-beside-update": "mse",
    "countdown-beside-update": "mse",
    "loss-returns-grads": "cross_entropy",
    "pure-python-update": "mse",
    "data-sized-script": "mse",
    "textbook-lists": "mse",
    "dict-forward-functions": "cross_entropy",
    "neuron-dicts": "mse",
    "data-sized-class": "cross_entropy",
    "weights-in-fit": "bce",
    "global-instance": "mse",
    "pair-argument": "bce",
    "returned-dicts-and-m": "bce",
    "digit-functions": "cross_entropy",
    "copy-without-bias": "mse",
    "prints-its-output": "mse",
    "grads-dict-and-delta": "bce",
    "returns-delta-updates-in-place": "mse",
    "container-add-layer": "mse",
    "printed-changes": "mse",
    "digit-functions-own-one-hot": "cross_entropy",
    "matrix-weights": "mse",
    "forward-backward-pair": "bce",
    "loss-and-grads-with-decay": "cross_entropy",
    "global-weights-functions": "mse",
    "private-cache-arguments": "bce",
    "layer-object-outputs": "mse",
    "returns-updated-weights": "mse",
    "returns-new-weights": "mse",
    "method-returns-its-weights": "mse",
    "records-one-at-a-time": "mse",
    "neuron-dicts-data": "mse",
    "output-named-y": "mse",
    "unassigned-globals": "mse",
    "rate-attribute-unused": "mse",
    "square-returned-output-first": "mse",
    "shuffled-script": "mse",
    "cache-dict-and-data-path": "cross_entropy",
    "list-attributes-and-grouped-returns": "bce",
    "training-function": "cross_entropy",
    "epoch-function-with-weight-arguments": "cross_entropy",
    "float32-weights-mnist-sizes": "cross_entropy",
    "weights-from-data-in-init-method": "mse",
    "data-named-like-a-size": "mse",
    "stacked-columns-script": "mse",
}


def write(tmp_path: Path, style: str, hidden: str) -> Path:
    source, _, _ = STYLES[style]
    path = tmp_path / f"{style.replace('-', '_')}.py"
    path.write_text(textwrap.dedent(source).replace("HIDDEN", hidden), encoding="utf-8")
    return path


@pytest.mark.parametrize("style", list(STYLES))
def test_correct_backward_pass_is_identified_as_written(tmp_path: Path, style: str) -> None:
    _, hidden, scale = STYLES[style]
    report = check_target(CheckRequest.parse(str(write(tmp_path, style, hidden))))
    r = report.result
    assert r.identified == VERDICT[style], (
        f"got {r.identified} (split {r.split}), but should be {VERDICT[style]} [{style}]\n{report.command}"
    )
    assert format_scale(r.scale, r.rtol) == scale, f"got scale {r.scale}, but should be {scale} [{style}]"
    assert report.command is not None and report.command.startswith("backprop-verify check ")


@pytest.mark.parametrize("style", list(STYLES))
def test_wrong_backward_pass_is_no_loss(tmp_path: Path, style: str) -> None:
    report = check_target(CheckRequest.parse(str(write(tmp_path, style, WRONG[style]))))
    r = report.result
    assert r.identified is None, (
        f"got {r.identified} × {r.scale}, but a wrong backward pass is no loss [{style}]"
    )


@pytest.mark.parametrize("style", list(STYLES))
def test_the_printed_explicit_form_repeats_the_check(tmp_path: Path, style: str) -> None:
    """What detection chose, given back as options, gives the same verdict."""
    import shlex

    from verification.adapters.options import Options

    _, hidden, _ = STYLES[style]
    path = write(tmp_path, style, hidden)
    first = check_target(CheckRequest.parse(str(path)))
    args = shlex.split(first.command or "")[3:]
    given = dict(zip(args[::2], args[1::2], strict=True))
    options = Options(
        setup=given.get("--setup"),
        forward=given.get("--forward"),
        gradient=given.get("--gradient"),
        step=given.get("--step"),
        lr=given.get("--lr"),
        layout=given.get("--layout"),
        labels=given.get("--labels"),
    )
    again = check_target(CheckRequest.parse(str(path), options=options))
    assert again.result.identified == first.result.identified, f"got {again.result.identified} [{style}]"
    assert format_scale(again.result.scale, again.result.rtol) == format_scale(
        first.result.scale, first.result.rtol
    )


def test_a_wrong_hidden_layer_is_shown_against_the_loss_the_output_layer_matches(tmp_path: Path) -> None:
    """Nothing is identified, so the report shows where the code departs from the loss the most tensors
    match (here bce, which the output layer's gradients are), naming a hidden-layer tensor, not the output
    layer's distance from some other loss."""
    from verification.identification.report import format_check

    report = check_target(CheckRequest.parse(str(write(tmp_path, "dict-functions", WRONG["dict-functions"]))))
    per = {n: report.result.parameter_identified(n)[0] for n in report.result.backward_order}
    assert per["parameters['W2']"] == "bce" and per["parameters['W1']"] is None, per
    line = next(s for s in format_check(report).splitlines() if "first parameter that differs" in s)
    assert "differs from bce (output layer first): parameters['b1']" in line, line


def test_a_script_sized_by_its_data_is_built_small_and_its_weight_decay_named(tmp_path: Path) -> None:
    """The data-sized script with lam = 0.01: W = W (1 − lr lam) − lr g is a step along g + lam W, the
    gradient of mse plus ½ · 0.01 · ‖W‖² on both weights; the sizes read off the data are named."""
    path = write(tmp_path, "data-sized-script", STYLES["data-sized-script"][1])
    path.write_text(path.read_text(encoding="utf-8").replace("lam = 0.0", "lam = 0.01"), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    found = report.result.verdict.output_error
    assert report.result.identified is None and found is not None and found.loss == "mse", found
    assert set(found.penalty) == {"W1", "W2"}
    for value in found.penalty.values():  # within the bound the checker gives for λ
        assert abs(value - 0.01) <= found.penalty_error, (value, found.penalty_error)
    note = next(n for n in report.result.notes if n.startswith("sizes the setup reads off the data"))
    assert "X.shape[1] → 4" in note and "Y.shape[1] → 3" in note, note


def test_the_scripts_own_construction_is_kept_with_small_sizes_for_the_datas(tmp_path: Path) -> None:
    """The data-sized class is built as the script builds it (its 16 hidden units, its lr = 0.05), with
    X.shape[1] and Y.shape[1] replaced by small sizes: not from guesses of its arguments."""
    report = check_target(CheckRequest.parse(str(write(tmp_path, "data-sized-class", "(1 - self.h ** 2)"))))
    assert "--setup 'model = MLP(4, 16, 3, lr=0.05)'" in (report.command or ""), report.command


def test_weights_made_in_fit_are_made_once_and_a_shuffled_batch_is_stepped_through(tmp_path: Path) -> None:
    """The weights-in-fit class: its setup calls fit once to make the weights; a batch of n samples is
    its own one-sample steps in the order it shuffled them to (a permutation of the n, not the sum or the
    mean); np.float is read as float, and the report says so."""
    report = check_target(CheckRequest.parse(str(write(tmp_path, "weights-in-fit", "(1 - h ** 2)"))))
    assert "model.fit(_x, _y)" in (report.command or "") or "net.fit(_x, _y)" in (report.command or "")
    batch = report.result.verdict.batch
    assert batch is not None and batch.reduction == "sequential", batch
    assert batch.order is not None and sorted(batch.order) == list(range(batch.samples)), batch
    assert any(
        n.startswith("np.float, removed from NumPy, SciPy or Python since") for n in report.result.notes
    ), report.result.notes


def test_a_notebook_is_checked_as_it_trains_past_a_cell_of_notes(tmp_path: Path) -> None:
    """A first cell of pseudo-code is left out and named; of two constructions (a one-output
    demonstration, then the three-output network the notebook trains) the trained one is checked:
    softmax outputs with ŷ − y, the cross-entropy (the demonstration's sigmoid would read as bce)."""
    import nbformat

    network = textwrap.dedent(
        """
        import numpy as np

        class Flexible:
            def __init__(self, n_in, n_out=1):
                self.n_out = n_out
                self.W1 = np.random.randn(n_in, 5) * 0.5
                self.W2 = np.random.randn(5, n_out) * 0.5

            def forward(self, x):
                self.x, self.h = x, np.tanh(x @ self.W1)
                z = self.h @ self.W2
                if self.n_out == 1:
                    self.p = 1 / (1 + np.exp(-z))
                else:
                    e = np.exp(z - z.max(axis=1, keepdims=True))
                    self.p = e / e.sum(axis=1, keepdims=True)
                return self.p

            def backward(self, y, lr=0.1):
                d2 = (self.p - y) / len(y)
                d1 = d2 @ self.W2.T * (1 - self.h ** 2)
                self.W2 -= lr * self.h.T @ d2
                self.W1 -= lr * self.x.T @ d1

            def train(self, X, Y, lr=0.1):
                self.forward(X)
                self.backward(Y, lr)
        """
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("# forward\nz1 = W1 x + b1\ndL/dz2 = a2 - y"),
        nbformat.v4.new_code_cell(network),
        nbformat.v4.new_code_cell("demo = Flexible(2)\nprint(demo.forward(np.ones((1, 2))))"),
        nbformat.v4.new_code_cell(
            "model = Flexible(4, n_out=3)\nfor epoch in range(100):\n    model.train(X, Y)"
        ),
    ]
    path = tmp_path / "flexible.ipynb"
    nbformat.write(nb, str(path))
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "cross_entropy", report.result.identified
    assert "Flexible(4, n_out=3)" in (report.command or ""), report.command
    assert any(n.startswith("not Python, left out") and "cell 1" in n for n in report.result.notes)


def test_a_copy_of_the_weights_never_refreshed_is_refused_not_read_as_right(tmp_path: Path) -> None:
    """The copy-without-bias network without its refresh after the epoch: one step from a consistent
    state is right, every later one back-propagates through the copy's old weights; the step is refused,
    naming the copy, rather than read as the gradient of mse."""
    from ffnn.validation import InputError

    path = write(tmp_path, "copy-without-bias", STYLES["copy-without-bias"][1])
    source = path.read_text(encoding="utf-8")
    refresh = "            self.weights = [np.delete(w, -1, axis=0) for w in self.weights_ext]\n"
    assert refresh in source
    path.write_text(source.replace(refresh, ""), encoding="utf-8")
    with pytest.raises(InputError, match=r"leaves weights\[\d\] \(of weights_ext\[\d\]\).* as it was"):
        check_target(CheckRequest.parse(str(path)))


SPLIT_FORWARD = """
import numpy as np
from project.activations import relu


def forward_propagation(X, parameters):
    cache = {"A0": X}
    A = X
    for l in range(1, len(parameters) // 2 + 1):
        Z = A @ parameters[f"W{l}"] + parameters[f"b{l}"]
        if l == len(parameters) // 2:
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            A = E / E.sum(axis=1, keepdims=True)
        else:
            A = relu(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache
"""

SPLIT_INIT = """
import numpy as np


def random_initialization(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[f"W{l}"] = np.random.randn(layers_dims[l - 1], layers_dims[l]) * 0.5
        parameters[f"b{l}"] = np.zeros((1, layers_dims[l]))
    return parameters
"""

SPLIT_BACKWARD = """
import numpy as np
from project.activations import relu_derivative


def backward_propagation(X, y, cache, parameters):
    L = len(parameters) // 2
    m = X.shape[0]
    gradients = {}
    dZ = cache[f"A{L}"] - y
    for l in reversed(range(1, L + 1)):
        gradients[f"dW{l}"] = cache[f"A{l - 1}"].T @ dZ / m
        gradients[f"db{l}"] = dZ.sum(axis=0, keepdims=True) / m
        if l > 1:
            dZ = (dZ @ parameters[f"W{l}"].T) * HIDDEN
    return gradients
"""


@pytest.mark.parametrize(
    ("hidden", "verdict"), [("relu_derivative(cache[f'Z{l - 1}'])", "cross_entropy"), ("1", None)]
)
def test_a_backward_pass_whose_forward_lives_in_a_module_beside_it_is_run_with_that_forward(
    tmp_path: Path, hidden: str, verdict: str | None
) -> None:
    """A project with one module per step (namespace package, no ``__init__.py``): the file holds the
    backward pass only, and its forward pass and initialisation are the modules beside it. Softmax output
    with dZ = A − Y, mean over m: cross-entropy; without the ReLU derivative, no loss."""
    package = tmp_path / "project"
    steps = package / "propagation"
    steps.mkdir(parents=True)
    (package / "activations.py").write_text(
        "import numpy as np\n\ndef relu(z):\n    return np.maximum(0, z)\n\n"
        "def relu_derivative(z):\n    return (z > 0).astype(float)\n",
        encoding="utf-8",
    )
    (steps / "forward_propagation.py").write_text(textwrap.dedent(SPLIT_FORWARD), encoding="utf-8")
    (steps / "random_initialization.py").write_text(textwrap.dedent(SPLIT_INIT), encoding="utf-8")
    path = steps / "backward_propagation.py"
    path.write_text(textwrap.dedent(SPLIT_BACKWARD).replace("HIDDEN", hidden), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == verdict, f"got {report.result.identified}, but should be {verdict}"
    assert any("taken from the modules beside the file" in n for n in report.result.notes), (
        report.result.notes
    )


ADAM = """
import numpy as np

class Net:
    def __init__(self, lr=0.01):
        self.W1 = np.random.randn(3, 4) * 0.5
        self.W2 = np.random.randn(4, 2) * 0.5
        self.lr = lr
        self.m = [np.zeros_like(self.W1), np.zeros_like(self.W2)]
        self.v = [np.zeros_like(self.W1), np.zeros_like(self.W2)]
        self.t = 0

    def forward(self, X):
        self.h = np.tanh(X @ self.W1)
        return self.h @ self.W2

    def train(self, X, Y):
        d2 = (self.forward(X) - Y) / len(X)
        grads = (X.T @ ((d2 @ self.W2.T) * (1 - self.h ** 2)), self.h.T @ d2)
        self.t += 1
        for i, (W, g) in enumerate(zip((self.W1, self.W2), grads)):
            self.m[i] = 0.9 * self.m[i] + 0.1 * g
            self.v[i] = 0.999 * self.v[i] + 0.001 * g * g
            m_hat = self.m[i] / (1 - 0.9 ** self.t)
            v_hat = self.v[i] / (1 - 0.999 ** self.t)
            W -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
"""


def test_an_adam_step_is_refused_not_read_as_a_gradient(tmp_path: Path) -> None:
    """Adam's first step moves every weight by ±lr: no multiple of the gradient, so no loss can be read
    off it (read as one, right gradients were called the gradient of no loss)."""
    from ffnn.validation import InputError

    path = tmp_path / "adam_net.py"
    path.write_text(textwrap.dedent(ADAM), encoding="utf-8")
    with pytest.raises(InputError, match=r"moves every weight by the same amount \(0\.01\): an adaptive"):
        check_target(CheckRequest.parse(str(path)))


OWN_LABELS = """
import numpy as np

data = np.random.randn(200, 4)
X = data[:, :3]
y = LABELS
W1 = np.random.randn(3, 5) * 0.3
W2 = np.random.randn(5, 1) * 0.3

for epoch in range(1000):
    A1 = 1 / (1 + np.exp(-(X @ W1)))
    A2 = 1 / (1 + np.exp(-(A1 @ W2)))
    dZ2 = A2 - y
    dW2 = A1.T @ dZ2 / len(X)
    dW1 = X.T @ ((dZ2 @ W2.T) * A1 * (1 - A1)) / len(X)
    W1 -= 0.5 * dW1
    W2 -= 0.5 * dW2
"""


@pytest.mark.parametrize(
    ("labels", "tail"),
    [
        ("(data[:, 3:] > 0).astype(float)", "log(1 − a_k)]"),
        ("(data[:, 3] > 0).astype(float)", "for one sample only: the code fails on a batch of 4"),
    ],
    ids=["column", "flat"],
)
def test_a_script_is_checked_with_its_own_labels(tmp_path: Path, labels: str, tail: str) -> None:
    """Labels the script makes itself are given in its form: a column (one row each) is the bce
    gradient (a − y on a sigmoid output, mean over the batch); flat labels (one value each) broadcast
    ``A2 − y`` to a square on a batch, which the verdict says, instead of calling the script right."""
    from verification.identification.sentences import verdict_sentence

    path = tmp_path / "own_labels.py"
    path.write_text(textwrap.dedent(OWN_LABELS).replace("LABELS", labels), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    assert report.result.identified == "bce", report.result.identified
    sentence = verdict_sentence(report.result)
    assert sentence.endswith(tail), sentence


def test_a_step_that_draws_its_weights_anew_is_refused_not_read_as_a_gradient(tmp_path: Path) -> None:
    """``fit`` sizes the network to the data with fresh random weights, then steps: run again from the
    same weights under other seeds it changes them otherwise, so its change is no gradient (read as one,
    a correct network was called the gradient of no loss)."""
    source = STYLES["list-attributes-and-grouped-returns"][0].replace("HIDDEN", "(self.Z[0] > 0)")
    source = source.replace("def back_propagation(self, X, y):", "def _terms(self, X, y):")
    source += (
        textwrap.dedent(
            """
        def fit(self, X, y, lr=0.1):
            self.W[0] = np.random.random((X.shape[1], self.W[0].shape[1]))
            self.W[1] = np.random.random(self.W[1].shape)
            self.forward_propagation(X)
            dW, db = self._terms(X, y)
            for i in range(2):
                self.W[i] -= lr * dW[i]
                self.b[i] -= lr * db[i]
        """
        )
        .replace("\ndef", "\n    def")
        .replace("\n    ", "\n        ")
        .replace("\n        def", "\n    def")
    )
    path = tmp_path / "redraws.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_target(CheckRequest.parse(str(path)))
    assert "differently run again from the same weights and data: the step draws random numbers" in str(
        caught.value
    ), caught.value


LAYER_MODULE = """
import numpy as np


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.grad = np.zeros_like(self.W)

    def forward(self, x):
        return x @ self.W

    def backward_delta(self, x, delta):
        return delta @ self.W.T

    def backward_update_gradient(self, x, delta):
        self.grad += x.T @ delta

    def update_parameters(self, gradient_step=1e-3):
        self.W -= gradient_step * self.grad

    def zero_grad(self):
        self.grad = np.zeros_like(self.W)


class Tanh:
    def forward(self, x):
        return np.tanh(x)

    def backward_delta(self, x, delta):
        return (1 - np.tanh(x) ** 2) * delta


class Squared:
    def forward(self, y, yhat):
        return ((y - yhat) ** 2).sum(axis=1)

    def backward(self, y, yhat):
        return -2 * (y - yhat)
"""

COMPOSING_TEST = """
import numpy as np

from modules.layers import Linear, Tanh, Squared


def test_training():
    datax = np.random.randn(50, 2)
    datay = (datax[:, :1] > 0).astype(float)
    first, act, second, loss = Linear(2, 3), Tanh(), Linear(3, 1), Squared()
    gradient_step = 1e-2
    for _ in range(100):
        h = first.forward(datax)
        a = act.forward(h)
        out = second.forward(a)
        loss.forward(datay, out)
        delta = loss.backward(datay, out)
        back = second.backward_delta(a, delta)
        back = act.backward_delta(h, back)
        second.backward_update_gradient(a, delta)
        first.backward_update_gradient(datax, back)
        second.update_parameters(gradient_step=gradient_step)
        first.update_parameters(gradient_step=gradient_step)
        first.zero_grad()
        second.zero_grad()
"""


def test_a_test_function_composing_imported_layers_is_checked_as_its_training_loop(tmp_path: Path) -> None:
    """Layer classes from a package of the project, composed and trained inside a test function with the
    data named datax, datay and the rate gradient_step: the loss's derivative −2 (y − ŷ) is 2 × the mse
    gradient (ℓ = ½ Σ (a − y)²), summed over the batch."""
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "layers.py").write_text(textwrap.dedent(LAYER_MODULE), encoding="utf-8")
    (tmp_path / "tests").mkdir()
    path = tmp_path / "tests" / "test_composed.py"
    path.write_text(textwrap.dedent(COMPOSING_TEST), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(path)))
    r = report.result
    assert (r.identified, format_scale(r.scale, r.rtol)) == ("mse", "2"), (
        r.identified,
        r.scale,
        report.command,
    )
    assert report.command is not None and "--lr gradient_step" in report.command, report.command


def test_a_step_up_the_cross_entropy_is_named_so_not_a_fit_of_a_free_output_error(tmp_path: Path) -> None:
    """The training function stepping along +g of the cross-entropy (a flipped sign): no loss, and what
    it is, −1 × the cross-entropy's gradient at the rate read. On softmax outputs the output error is free
    along one direction per sample, so losses are told apart by the gradients they give, not by the
    output error recovered: compared so, mse fits no longer (it was named at scale −0.1: a wrong loss)."""
    source = STYLES["training-function"][0].replace("HIDDEN", "(1 - H**2)")
    source = source.replace("-= Settings.step", "+= Settings.step")
    path = tmp_path / "ascent.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    r = check_target(CheckRequest.parse(str(path))).result
    found = r.verdict.output_error
    assert r.identified is None and found is not None, (r.identified, found)
    assert found.loss == "cross_entropy" and found.loss_scale is not None, (found.loss, found.loss_scale)
    assert abs(found.loss_scale + 1) <= r.rtol, found.loss_scale  # the rate Settings.step is read


LIST_PROJECT = {
    "layer.py": """
class Layer:
    def forward(self, input):
        raise NotImplementedError

    def backward(self, output_gradient, learning_rate):
        raise NotImplementedError
""",
    "dense.py": """
import numpy as np
from layer import Layer


class Dense(Layer):
    def __init__(self, input_size, output_size):
        self.weights = np.random.randn(output_size, input_size)
        self.bias = np.random.randn(output_size, 1)

    def forward(self, input):
        self.input = input
        return self.weights @ input + self.bias

    def backward(self, output_gradient, learning_rate):
        input_gradient = self.weights.T @ output_gradient
        self.weights -= learning_rate * output_gradient @ self.input.T
        self.bias -= learning_rate * BIAS
        return input_gradient
""",
    "activations.py": """
import numpy as np
from layer import Layer


class Sigmoid(Layer):
    def forward(self, input):
        self.output = 1 / (1 + np.exp(-input))
        return self.output

    def backward(self, output_gradient, learning_rate):
        return output_gradient * self.output * (1 - self.output)
""",
    "losses.py": """
import numpy as np


def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / np.size(y_true)
""",
    "network.py": """
def predict(network, input):
    output = input
    for layer in network:
        output = layer.forward(output)
    return output


def train(network, loss, loss_prime, x_train, y_train, epochs=1000, learning_rate=0.01, verbose=True):
    for e in range(epochs):
        for x, y in zip(x_train, y_train):
            output = predict(network, x)
            grad = loss_prime(y, output)
            for layer in reversed(network):
                grad = layer.backward(grad, learning_rate)
""",
}


@pytest.mark.parametrize(("bias", "identified"), [("output_gradient", "mse"), ("2 * output_gradient", None)])
def test_functions_over_a_list_of_the_projects_layers_are_run_on_a_list_of_them(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """``network.py`` holds ``predict(network, input)`` and ``train(network, loss, loss_prime, …)`` and
    composes no network; the layers and the loss are in the modules beside it. The network is made of
    them (Dense 4 → 5 → 3 with Sigmoid after each, columns, one sample per step) and ``train`` handed
    ``mse`` and ``mse_prime``: 2 (a − y) / 3 is 2/3 × the mse gradient of one sample of 3 outputs. A
    bias stepped by twice its gradient is no loss."""
    for name, source in LIST_PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    r = report.result
    assert r.identified == identified, (r.identified, report.command)
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "2/3", r.scale
        assert (
            report.command is not None
            and "network = [Dense(4, 5), Sigmoid(), Dense(5, 3), Sigmoid()]" in (report.command)
        )


@pytest.mark.parametrize(("bias", "identified"), [("output_gradient", "mse"), ("2 * output_gradient", None)])
def test_a_trainer_that_compares_its_output_with_the_label_is_run_on_one_output(
    tmp_path: Path, bias: str, identified: str | None
) -> None:
    """The same project, its derivative named ``mse_derive`` and its ``train`` counting ``y == output``
    as a hit, which raises for an output of more than one entry: the network is built again with one
    output (4 → 5 → 1), where 2 (a − y) / 1 is 2 × the mse gradient."""
    for name, source in LIST_PROJECT.items():
        hit = "            hits = 1 if y == output else 0\n"
        grad = "            grad = loss_p"
        source = source.replace("mse_prime", "mse_derive").replace(grad, hit + grad)
        (tmp_path / name).write_text(textwrap.dedent(source).replace("BIAS", bias), encoding="utf-8")
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    r = report.result
    assert r.identified == identified, (r.identified, report.command)
    assert report.command is not None and "Dense(5, 1), Sigmoid()]" in report.command
    assert "loss=mse, loss_prime=mse_derive" in report.command
    if identified is not None:
        assert format_scale(r.scale, r.rtol) == "2", r.scale


@pytest.mark.parametrize(
    ("derivative", "identified"), [("(1 - self.output)", "mse"), ("(1 - self.output) ** 2", None)]
)
def test_the_files_own_list_of_layers_is_the_network_checked(
    tmp_path: Path, derivative: str, identified: str | None
) -> None:
    """``activations.py`` holds a right ``Tanh`` and the ``Sigmoid`` the driver composes under ``if
    __name__ == "__main__":``; the network checked is the driver's (Dense 2 → 3 → 1 with Sigmoid), so a
    wrong Sigmoid derivative is no loss, whatever Tanh is. Built of Tanh instead, it read as mse."""
    files = dict(LIST_PROJECT)
    files["activations.py"] = LIST_PROJECT["activations.py"].replace(
        "self.output * (1 - self.output)", f"self.output * {derivative}"
    ) + (
        "\n\nclass Tanh(Layer):\n    def forward(self, input):\n        self.output = np.tanh(input)\n"
        "        return self.output\n\n    def backward(self, output_gradient, learning_rate):\n"
        "        return output_gradient * (1 - self.output ** 2)\n"
    )
    files["network.py"] = LIST_PROJECT["network.py"] + (
        '\n\nif __name__ == "__main__":\n    from dense import Dense\n    from activations import Sigmoid\n'
        "    from losses import mse, mse_prime\n\n"
        "    network = [Dense(2, 3), Sigmoid(), Dense(3, 1), Sigmoid()]\n"
    )
    for name, source in files.items():
        (tmp_path / name).write_text(
            textwrap.dedent(source).replace("BIAS", "output_gradient"), encoding="utf-8"
        )
    report = check_target(CheckRequest.parse(str(tmp_path / "network.py")))
    assert report.result.identified == identified, (report.result.identified, report.command)
    assert report.command is not None and "network = [Dense(2, 3), Sigmoid(), Dense(3, 1), Sigmoid()]" in (
        report.command
    )
