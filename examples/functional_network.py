# A network written as plain functions of the weights, with a short adapter class at the end so
# that `backprop-verify check examples/functional_network.py:Adapter` can check it.
import numpy as np


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(W1, b1, W2, b2, x):
    h = relu(x @ W1 + b1)
    return h, softmax(h @ W2 + b2)


def gradients(W1, b1, W2, b2, x, y):
    """Gradients of the mean cross-entropy over the batch."""
    h, p = forward(W1, b1, W2, b2, x)
    d2 = (p - y) / len(x)
    d1 = (d2 @ W2.T) * (h > 0)
    return x.T @ d1, d1.sum(axis=0), h.T @ d2, d2.sum(axis=0)


class Adapter:
    """Holds the weights as attributes and calls the functions above: all backprop-verify needs."""

    def __init__(self):
        self.W1, self.b1 = np.zeros((4, 8)), np.zeros(8)
        self.W2, self.b2 = np.zeros((8, 3)), np.zeros(3)

    def forward(self, x):
        return forward(self.W1, self.b1, self.W2, self.b2, x)[1]

    def backward(self, x, y):
        dW1, db1, dW2, db2 = gradients(self.W1, self.b1, self.W2, self.b2, x, y)
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


X = np.random.default_rng(0).standard_normal((150, 4))
Y = np.eye(3)[np.random.default_rng(1).integers(0, 3, 150)]
W1 = np.random.default_rng(2).standard_normal((4, 8)) * 0.5
