"""Losses and activations with their derivatives, written by the team for the tests: all correct."""

import numpy as np


def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_true.size


def binary_crossentropy(y, a):
    return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))


def d_binary_crossentropy(y, a):
    return (a - y) / (a * (1 - a)) / y.size


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    """In terms of the output s = sigmoid(x), as it is usually called."""
    return s * (1 - s)


def tanh(x):
    return np.tanh(x)


def tanh_prime(x):
    return 1 - np.tanh(x) ** 2


class MeanAbsoluteError:
    def loss(self, y_true, y_pred):
        return np.mean(np.abs(y_pred - y_true))

    def gradient(self, y_true, y_pred):
        return np.sign(y_pred - y_true) / y_true.size
