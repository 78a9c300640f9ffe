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
