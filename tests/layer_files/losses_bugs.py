"""Losses and activations with the bugs students make, written by the team for the tests."""

import numpy as np


def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    """Bug: the sign is flipped (y − a for a − y)."""
    return 2 * (y_true - y_pred) / y_true.size


def cross_entropy(y_true, y_pred):
    return -np.sum(y_true * np.log(y_pred)) / len(y_pred)


def cross_entropy_derivative(y_true, y_pred):
    """Bug: the batch mean's 1 / N is missing: every batch of more than one sample."""
    return -y_true / y_pred


def tanh(x):
    return np.tanh(x)


def tanh_prime(x):
    """Bug: the derivative of the input x, where it should be of tanh x (nor is it called with it)."""
    return 1 - x


def relu(x):
    return np.maximum(0, x)


def relu_prime(x):
    return (x > 0).astype(float)
