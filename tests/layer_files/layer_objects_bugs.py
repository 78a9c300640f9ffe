"""Layer objects with the bugs students make, written by the team for the tests."""

import numpy as np


class Layer_Dense:
    """Bug: the bias gradient summed over the units (axis 1) instead of the samples."""

    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = dvalues.sum(axis=1, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class Activation_Tanh:
    """Bug: tanh's derivative written as 1 − x² of the input instead of 1 − tanh² x of the output."""

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.tanh(inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.inputs**2)


class FullyConnected:
    """Bug: the weights are updated before the input gradient is computed from them."""

    def __init__(self, input_size, output_size):
        self.weights = np.random.randn(output_size, input_size)
        self.bias = np.random.randn(output_size, 1)

    def forward(self, input):
        self.input = input
        return self.weights @ input + self.bias

    def backward(self, output_gradient, learning_rate):
        self.weights -= learning_rate * output_gradient @ self.input.T
        self.bias -= learning_rate * output_gradient.sum(axis=1, keepdims=True)
        return self.weights.T @ output_gradient


class ActivationLayer:
    """Bug: the derivative taken at the layer's output instead of its input."""

    def __init__(self, activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward_propagation(self, input_data):
        self.output = self.activation(input_data)
        return self.output

    def backward_propagation(self, output_error, learning_rate):
        return self.activation_prime(self.output) * output_error


class BiasRowLayer:
    """Bug: the weights are updated before the input gradient is read off them."""

    def __init__(self, n_neurons_in, n_neurons_out):
        self.weights = np.random.rand(n_neurons_in + 1, n_neurons_out) - 0.5

    def forward_pass(self, x):
        self.input = x
        return np.concatenate((np.ones((x.shape[0], 1)), x), axis=1) @ self.weights

    def backward_pass(self, dz, alpha=0.1):
        extended = np.concatenate((np.ones((self.input.shape[0], 1)), self.input), axis=1)
        self.weights = self.weights - alpha * extended.T @ dz
        return dz @ self.weights[1:, :].T


class Linear:
    """Bug: the bias gradient stored per sample (not summed over the batch): right on one sample, of the
    batch's shape on two, which stays a mismatch for a gradient that is stored, not applied."""

    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out)
        self.b = np.zeros((1, n_out))

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout
        return dout @ self.W.T


def tanh(z):
    return np.tanh(z)


def tanh_prime(z):
    """The derivative of tanh at its input (the layer above applies it to the output: the bug)."""
    return 1 - np.tanh(z) ** 2


class VectorLayer:
    """Bug: the input gradient read off the weights after they were updated."""

    def __init__(self, n_inputs=0, n_neurons=0):
        self.W = np.random.uniform(-1, 1, (n_neurons, n_inputs))
        self.b = np.zeros(n_neurons)

    def prop(self, x):
        self.x = x
        return self.W.dot(x) + self.b

    def dprop(self, delta, eta):
        self.W -= eta * np.outer(delta, self.x)
        self.b -= eta * delta
        return self.W.T.dot(delta)


class MeanLinear:
    """Bug: the input's gradient averaged over the batch as well, so the layers below it get 1/N of
    theirs (a layer may average its own parameter gradients, never what it passes down)."""

    def __init__(self, in_features, out_features):
        self.W = np.random.randn(out_features, in_features) * 0.1
        self.b = np.zeros((out_features, 1))

    def forward(self, A):
        self.A = A
        return self.A @ self.W.T + self.b.T

    def backward(self, dLdZ):
        n = self.A.shape[0]
        self.dLdW = dLdZ.T @ self.A / n
        self.dLdb = dLdZ.sum(axis=0, keepdims=True).T / n
        return dLdZ @ self.W / n


class DecayedLinear:
    """Bug: the weights added to their own gradient, with no coefficient the layer keeps for a penalty."""

    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.1
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout + self.W
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
