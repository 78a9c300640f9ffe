# Losses with the functions written as their derivatives with respect to the prediction. The
# cross-entropy's derivative forgets the 1 / N of the batch mean: N times its gradient, up to scale.
import numpy as np


def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_true.size


def cross_entropy(y_true, y_pred):
    return -np.sum(y_true * np.log(y_pred)) / len(y_pred)


def cross_entropy_prime(y_true, y_pred):
    return -y_true / y_pred


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_prime(s):
    return s * (1 - s)
