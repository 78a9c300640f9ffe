"""Recurrent layers in the course's (out, cache) protocol, written by the team for the tests: all correct.

Shapes: x (N, T, D) or (N, D) for one step, hidden states (N, H), Wx (D, H) and Wh (H, H) (four times
as wide for the LSTM, gates in the order input, forget, output, candidate), word indices (N, T) below V.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return h, (x, prev_h, Wx, Wh, h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, h = cache
    da = dnext_h * (1 - h * h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    n, t, _ = x.shape
    h = np.zeros((n, t, h0.shape[1]))
    prev, caches = h0, []
    for k in range(t):
        prev, cache = rnn_step_forward(x[:, k], prev, Wx, Wh, b)
        h[:, k] = prev
        caches.append(cache)
    return h, caches


def rnn_backward(dh, cache):
    n, t, hidden = dh.shape
    d = cache[0][0].shape[1]
    dx, dWx, dWh, db = np.zeros((n, t, d)), 0.0, 0.0, 0.0
    dprev = np.zeros((n, hidden))
    for k in reversed(range(t)):
        dx[:, k], dprev, dwx, dwh, dbk = rnn_step_backward(dh[:, k] + dprev, cache[k])
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbk
    return dx, dprev, dWx, dWh, db


def word_embedding_forward(x, W):
    """
    - x: integer array of shape (N, T), each element 0 <= idx < V
    - W: word vectors of shape (V, D)
    """
    return W[x], (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    np.add.at(dW, x, dout)
    return dW


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    hidden = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = (sigmoid(a[:, k * hidden : (k + 1) * hidden]) for k in range(3))
    g = np.tanh(a[:, 3 * hidden :])
    next_c = f * prev_c + i * g
    tc = np.tanh(next_c)
    return o * tc, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc = cache
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    da = np.hstack(
        [dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * tc * o * (1 - o), dc * i * (1 - g * g)]
    )
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    n, t, _ = x.shape
    h = np.zeros((n, t, h0.shape[1]))
    prev_h, prev_c, caches = h0, np.zeros(h0.shape), []
    for k in range(t):
        prev_h, prev_c, cache = lstm_step_forward(x[:, k], prev_h, prev_c, Wx, Wh, b)
        h[:, k] = prev_h
        caches.append(cache)
    return h, caches


def lstm_backward(dh, cache):
    n, t, hidden = dh.shape
    dx = np.zeros((n, t, cache[0][0].shape[1]))
    dprev_h, dprev_c = np.zeros((n, hidden)), np.zeros((n, hidden))
    dWx, dWh, db = 0.0, 0.0, 0.0
    for k in reversed(range(t)):
        dx[:, k], dprev_h, dprev_c, dwx, dwh, dbk = lstm_step_backward(dh[:, k] + dprev_h, dprev_c, cache[k])
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbk
    return dx, dprev_h, dWx, dWh, db


def temporal_affine_forward(x, w, b):
    return x @ w + b, (x, w)


def temporal_affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, np.einsum("ntd,ntm->dm", x, dout), dout.sum(axis=(0, 1))


def temporal_softmax_loss(x, y, mask):
    """
    - x: scores of shape (N, T, V)
    - y: indices of shape (N, T), 0 <= y[i, t] < V
    - mask: boolean array of shape (N, T)
    """
    n, t, v = x.shape
    flat, labels, keep = x.reshape(-1, v), y.reshape(-1), mask.reshape(-1)
    shifted = flat - flat.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dx = np.exp(log_p)
    dx[np.arange(n * t), labels] -= 1
    loss = -(keep * log_p[np.arange(n * t), labels]).sum() / n
    return loss, (dx * keep[:, None] / n).reshape(n, t, v)
