# A two-layer network for the letters A, B and C, written by hand as in the question.
# Running this script trains the network and plots the loss: backprop-verify checks the class
# without running those top-level lines (and without matplotlib installed).
import matplotlib.pyplot as plt
import numpy as np

a = [0, 0, 1, 1, 0, 0,
     0, 1, 0, 0, 1, 0,
     1, 1, 1, 1, 1, 1,
     1, 0, 0, 0, 0, 1,
     1, 0, 0, 0, 0, 1]
b = [0, 1, 1, 1, 1, 0,
     0, 1, 0, 0, 1, 0,
     0, 1, 1, 1, 1, 0,
     0, 1, 0, 0, 1, 0,
     0, 1, 1, 1, 1, 0]
c = [0, 1, 1, 1, 1, 0,
     0, 1, 0, 0, 0, 0,
     0, 1, 0, 0, 0, 0,
     0, 1, 0, 0, 0, 0,
     0, 1, 1, 1, 1, 0]
y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
x = [np.array(a).reshape(1, 30), np.array(b).reshape(1, 30), np.array(c).reshape(1, 30)]
y = np.array(y)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(s):
    # derivative of the sigmoid written in terms of its output s = sigmoid(z)
    return s * (1 - s)


class NeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size, lr=0.1):
        self.W1 = np.random.randn(input_size, hidden_size)
        self.W2 = np.random.randn(hidden_size, output_size)
        self.lr = lr

    def forward(self, x):
        self.z1 = x.dot(self.W1)
        self.a1 = sigmoid(self.z1)
        self.z2 = self.a1.dot(self.W2)
        self.a2 = sigmoid(self.z2)
        return self.a2

    def backward(self, x, error):
        # the shortcut version: the output delta is the error itself
        d2 = error
        d1 = d2.dot(self.W2.T) * sigmoid_derivative(self.a1)
        grad_W2 = self.a1.T.dot(d2)
        grad_W1 = x.T.dot(d1)
        self.W2 -= self.lr * grad_W2
        self.W1 -= self.lr * grad_W1


nn = NeuralNetwork(30, 5, 3)
losses = []
for epoch in range(100):
    total = 0.0
    for i in range(len(x)):
        out = nn.forward(x[i])
        e = out - y[i]
        total += float(np.sum(e ** 2))
        nn.backward(x[i], e)
    losses.append(total)
    print("epoch", epoch, "loss", total)

plt.plot(losses)
plt.show()
