# The question's network written with functions of the weights instead of a class.
import numpy as np

W1 = np.random.randn(30, 5)
W2 = np.random.randn(5, 3)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(x, W1, W2):
    a1 = sigmoid(x @ W1)
    return a1, sigmoid(a1 @ W2)


def backward(x, y, W1, W2):
    a1, a2 = forward(x, W1, W2)
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    return x.T @ d1, a1.T @ d2


for epoch in range(100):
    pass
