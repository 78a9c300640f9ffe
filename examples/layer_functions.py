# Layer functions in the (out, cache) style of a well-known course: each forward returns its output
# and a cache, each backward takes the upstream gradient and the cache. The max-pool backward has a
# bug students make: it assigns each window's gradient instead of adding it.
import numpy as np


def affine_forward(x, w, b):
    """
    - x: input of shape (N, d_1, ..., d_k)
    - w: weights of shape (D, M)
    - b: biases of shape (M,)
    """
    return x.reshape(x.shape[0], -1) @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def max_pool_forward_naive(x, pool_param):
    """
    - x: input of shape (N, C, H, W)
    - pool_param: pool_height, pool_width, stride
    """
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    out = np.zeros((x.shape[0], x.shape[1], 1 + (x.shape[2] - ph) // s, 1 + (x.shape[3] - pw) // s))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = x[:, :, i * s : i * s + ph, j * s : j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * s : i * s + ph, j * s : j * s + pw]
            hit = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * s : i * s + ph, j * s : j * s + pw] = hit * dout[:, :, i, j][:, :, None, None]
    return dx


def softmax_loss(x, y):
    """
    - x: scores of shape (N, C)
    - y: labels of shape (N,), 0 <= y[i] < C
    """
    shifted = x - x.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    dx = np.exp(log_p)
    dx[np.arange(n), y] -= 1
    return -log_p[np.arange(n), y].mean(), dx / n
