"""Recurrent layers with the bugs students make, one per unit, written by the team for the tests."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    hidden = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = (sigmoid(a[:, k * hidden : (k + 1) * hidden]) for k in range(3))
    g = np.tanh(a[:, 3 * hidden :])
    next_c = f * prev_c + i * g
    tc = np.tanh(next_c)
    return o * tc, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc)


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Bug: the input and forget gates' gradients are mixed up (written in the wrong blocks)."""
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc = cache
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    di, df = dc * g * i * (1 - i), dc * prev_c * f * (1 - f)
    da = np.hstack([df, di, dnext_h * tc * o * (1 - o), dc * i * (1 - g * g)])
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def word_embedding_forward(x, W):
    """
    - x: integer array of shape (N, T), each element 0 <= idx < V
    - W: word vectors of shape (V, D)
    """
    return W[x], (x, W.shape)


def word_embedding_backward(dout, cache):
    """Bug: fancy-index assignment keeps one of the rows of a repeated word: only with repeated words."""
    x, shape = cache
    dW = np.zeros(shape)
    dW[x] += dout
    return dW


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return h, (x, prev_h, Wx, Wh, h)


def rnn_step_backward(dnext_h, cache):
    """Bug: tanh's derivative written as 1 − a² of the pre-activation a instead of 1 − h² of the output."""
    x, prev_h, Wx, Wh, h = cache
    a = x @ Wx + prev_h @ Wh
    da = dnext_h * (1 - a * a)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)
