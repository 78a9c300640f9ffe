"""The course-style two-layer net the style and weight-decay tests both check, written here in the style
of public course code (none is a copy): ``loss(X)`` gives the scores, ``loss(X, y, reg)`` the mean
softmax cross-entropy plus ``reg (‖W1‖² + ‖W2‖²)`` and its gradients. ``HIDDEN`` is the hidden layer's
derivative, ``REG`` the default strength, ``DECAY`` the factor of ``reg W`` in the gradients (2 is right).
"""

# loss = mean softmax cross-entropy + reg (‖W1‖² + ‖W2‖²): the gradient of the penalty is 2 reg W, so
# λ = 2 reg on W1 and W2 and none on the biases
COURSE_NET = """
import numpy as np


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, std=0.5):
        self.params = {
            "W1": std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }

    def loss(self, X, y=None, reg=REG):
        p = self.params
        h = np.tanh(X.dot(p["W1"]) + p["b1"])
        scores = h.dot(p["W2"]) + p["b2"]
        if y is None:
            return scores
        N = X.shape[0]
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).sum() / N + reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        dh = dscores.dot(p["W2"].T) * HIDDEN
        grads = {"W2": h.T.dot(dscores) + DECAY * reg * p["W2"], "b2": dscores.sum(axis=0)}
        grads["W1"] = X.T.dot(dh) + DECAY * reg * p["W1"]
        grads["b1"] = dh.sum(axis=0)
        return loss, grads
"""


def course_net(reg: str = "0.0", hidden: str = "(1 - h ** 2)", decay: str = "2") -> str:
    """The script's text with its placeholders filled."""
    return COURSE_NET.replace("REG", reg).replace("HIDDEN", hidden).replace("DECAY", decay)
