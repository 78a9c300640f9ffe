"""Layer objects that keep their parameters and store their gradients (the NNFS book's style) and one
that updates in place with a learning rate, written by the team for the tests: all correct."""

import numpy as np


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = dvalues.sum(axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class Activation_Tanh:
    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = np.tanh(inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output**2)


class Activation_Softmax:
    def forward(self, inputs, training):
        e = np.exp(inputs - inputs.max(axis=1, keepdims=True))
        self.output = e / e.sum(axis=1, keepdims=True)

    def backward(self, dvalues):
        dot = (dvalues * self.output).sum(axis=1, keepdims=True)
        self.dinputs = self.output * (dvalues - dot)


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        if y_true.ndim == 2:
            y_true = y_true.argmax(axis=1)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Loss:
    def calculate(self, output, y):
        return np.mean(self.forward(output, y))


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        if y_true.ndim == 1:
            return -np.log(clipped[range(len(clipped)), y_true])
        return -np.log((clipped * y_true).sum(axis=1))

    def backward(self, dvalues, y_true):
        if y_true.ndim == 1:
            y_true = np.eye(dvalues.shape[1])[y_true]
        self.dinputs = -y_true / dvalues / len(dvalues)


class FullyConnected:
    """Column vectors, weights (n_out, n_in), updated in place by backward."""

    def __init__(self, input_size, output_size):
        self.weights = np.random.randn(output_size, input_size)
        self.bias = np.random.randn(output_size, 1)

    def forward(self, input):
        self.input = input
        return self.weights @ input + self.bias

    def backward(self, output_gradient, learning_rate):
        weights_gradient = output_gradient @ self.input.T
        input_gradient = self.weights.T @ output_gradient
        self.weights -= learning_rate * weights_gradient
        self.bias -= learning_rate * output_gradient.sum(axis=1, keepdims=True)
        return input_gradient


class Linear:
    """Parameters and gradients kept in dicts."""

    def __init__(self, in_features, out_features):
        self.params = {"W": np.random.randn(in_features, out_features) * 0.1, "b": np.zeros(out_features)}
        self.grads = {}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_output):
        self.grads["W"] = self.x.T @ grad_output
        self.grads["b"] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T


class Affine:
    """All gradients returned, in the order of the return statement's names."""

    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out)
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        dx = dout @ self.W.T
        dW = self.x.T @ dout
        db = dout.sum(axis=0)
        return dx, dW, db


class SampleLayer:
    """One sample at a time, as per-sample SGD tutorials write it: a bias of one row updated in place by
    the output error, so that a batch of two raises (the batch setting is skipped, not a mismatch)."""

    def __init__(self, input_size, output_size):
        self.weights = np.random.rand(input_size, output_size) - 0.5
        self.bias = np.random.rand(1, output_size) - 0.5

    def forward_propagation(self, input_data):
        self.input = input_data
        self.output = self.input @ self.weights + self.bias
        return self.output

    def backward_propagation(self, output_error, learning_rate):
        input_error = output_error @ self.weights.T
        self.weights -= learning_rate * self.input.T @ output_error
        self.bias -= learning_rate * output_error
        return input_error


class Propagating:
    """Forward and backward named ``prop`` and ``dprop``, columns, a rate named ``learning_pace``, and
    sizes whose defaults (0) leave them to the caller; the bias rebound to ``bias − lr g`` one sample
    at a time."""

    def __init__(self, input_dim=0, output_dim=0):
        self.weights = np.random.randn(output_dim, input_dim)
        self.bias = np.random.randn(output_dim, 1)

    def prop(self, input):
        self.input = input
        return self.weights @ self.input + self.bias

    def dprop(self, output_grad, learning_pace):
        input_grad = self.weights.T @ output_grad
        self.weights = self.weights - learning_pace * output_grad @ self.input.T
        self.bias = self.bias - learning_pace * output_grad
        return input_grad


class ActivationLayer:
    """An activation layer built from a function and its derivative."""

    def __init__(self, activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward_propagation(self, input_data):
        self.input = input_data
        return self.activation(self.input)

    def backward_propagation(self, output_error, learning_rate):
        return self.activation_prime(self.input) * output_error


class BiasRowLayer:
    """The bias folded into row 0 of the weights: the input is extended by a column of ones."""

    def __init__(self, n_neurons_in, n_neurons_out):
        self.weights = np.random.rand(n_neurons_in + 1, n_neurons_out) - 0.5

    def forward_pass(self, x):
        self.input = x
        return np.concatenate((np.ones((x.shape[0], 1)), x), axis=1) @ self.weights

    def backward_pass(self, dz, alpha=0.1):
        dx = dz @ self.weights[1:, :].T
        extended = np.concatenate((np.ones((self.input.shape[0], 1)), self.input), axis=1)
        self.weights = self.weights - alpha * extended.T @ dz
        return dx


def tanh(z):
    return np.tanh(z)


def tanh_prime(z):
    """The derivative of tanh at its input."""
    return 1 - np.tanh(z) ** 2


class VectorLayer:
    """One sample as a 1-D vector, ``W.dot(x) + b`` with a 1-D bias: a column would broadcast to a
    matrix, so the vector is what it is checked with."""

    def __init__(self, n_inputs=0, n_neurons=0):
        self.W = np.random.uniform(-1, 1, (n_neurons, n_inputs))
        self.b = np.zeros(n_neurons)

    def prop(self, x):
        self.x = x
        return self.W.dot(x) + self.b

    def dprop(self, delta, eta):
        d_prev = self.W.T.dot(delta)
        self.W -= eta * np.outer(delta, self.x)
        self.b -= eta * delta
        return d_prev


class MeanLinear:
    """Weights as (out, in), gradients stored as ``dLdW`` / ``dLdb`` and averaged over the batch in the
    layer: the vector-Jacobian product at one sample, its batch mean on a batch (right when the loss
    above passes a gradient summed over the samples), so the batch setting is skipped with why."""

    def __init__(self, in_features, out_features):
        self.W = np.random.randn(out_features, in_features) * 0.1
        self.b = np.zeros((out_features, 1))
        self.dLdW = None
        self.dLdb = None

    def forward(self, A):
        self.A = A
        self.N = A.shape[0]
        return self.A @ self.W.T + self.b.T

    def backward(self, dLdZ):
        self.dLdW = dLdZ.T @ self.A / self.N
        self.dLdb = dLdZ.sum(axis=0, keepdims=True).T / self.N
        return dLdZ @ self.W


class Normalised:
    """A running mean kept beside the parameters and never read by the forward pass in training: it is
    no parameter, so its missing gradient is no mismatch."""

    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.1
        self.running_mean = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        out = x @ self.W
        self.running_mean = 0.9 * self.running_mean + 0.1 * out.mean(axis=0)
        return out

    def backward(self, dout):
        self.dW = self.x.T @ dout
        return dout @ self.W.T


class MomentumLinear:
    """Updated in place with momentum: the velocities start at zero, so the first step is plain gradient
    descent, and they are no parameters (the forward does not read them)."""

    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * 0.1
        self.b = np.zeros(n_out)
        self.vW = np.zeros_like(self.W)
        self.vb = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout, lr):
        dx = dout @ self.W.T
        self.vW = 0.9 * self.vW - lr * (self.x.T @ dout)
        self.vb = 0.9 * self.vb - lr * dout.sum(axis=0)
        self.W += self.vW
        self.b += self.vb
        return dx


class DecayedLinear:
    """The weight gradient of the loss plus an L2 penalty ½ λ ‖W‖², with λ kept by the layer."""

    def __init__(self, n_in, n_out, reg=1e-3):
        self.W = np.random.randn(n_in, n_out) * 0.1
        self.b = np.zeros(n_out)
        self.reg = reg

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout + self.reg * self.W
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
