# Layer objects chained at the top level, each storing its own gradients (dweights, dbiases) in
# backward: a ReLU hidden layer and a softmax output trained on cross-entropy, labels as class indices.
import numpy as np


class Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.1 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = dvalues.sum(axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues * (self.inputs > 0)


class SoftmaxCrossEntropy:
    def forward(self, inputs):
        e = np.exp(inputs - inputs.max(axis=1, keepdims=True))
        self.output = e / e.sum(axis=1, keepdims=True)

    def backward(self, y_true):
        self.dinputs = self.output.copy()
        self.dinputs[np.arange(len(y_true)), y_true] -= 1
        self.dinputs /= len(y_true)


dense1, relu, dense2, head = Dense(2, 8), ReLU(), Dense(8, 3), SoftmaxCrossEntropy()
for epoch in range(100):
    X = np.random.randn(16, 2)
    dense1.forward(X)
    relu.forward(dense1.output)
    dense2.forward(relu.output)
    head.forward(dense2.output)
    head.backward(np.random.randint(0, 3, 16))
    dense2.backward(head.dinputs)
    relu.backward(dense2.dinputs)
    dense1.backward(relu.dinputs)
