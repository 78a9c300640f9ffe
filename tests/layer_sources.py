"""Layer classes of a small framework, shared by the tests of projects split into modules (the network
in one file, its layers in ``layers.py``), written in the style of public tutorial code (none is a
copy): a dense layer that keeps ``dW`` and ``db``, a tanh whose backward pass is ``TANH_BACKWARD`` (right:
``grad * (1 - self.t ** 2)``), and a sigmoid output.
"""

LAYERS = """
import numpy as np


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.5
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0, keepdims=True)
        return grad @ self.W.T


class Tanh:
    def forward(self, x):
        self.t = np.tanh(x)
        return self.t

    def backward(self, grad):
        return TANH_BACKWARD


class Sigmoid:
    def forward(self, x):
        self.s = 1 / (1 + np.exp(-x))
        return self.s

    def backward(self, grad):
        return grad * self.s * (1 - self.s)
"""
