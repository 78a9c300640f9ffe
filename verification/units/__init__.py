"""Checking hand-written backward passes unit by unit: layer pairs, loss functions, layer objects and
the operations of scalar autograd engines, each as the vector–Jacobian product of its forward.

A backward returns ``Jᵀ dout``; that is the gradient of ``φ = Σ ⟨dout, out⟩``, so every unit is checked as
the gradient of a scalar by the house's numeric methods (complex step where the forward is complex-safe,
Richardson otherwise, each with its error estimate) and its one acceptance rule, over a grid of
settings. From the bottom up:

* ``vjp``: ``φ``, the elements differentiated (entries and random directions), complex-step detection;
* ``verdicts``: per gradient (through :mod:`verification.compare.rule`), per setting, per unit;
* ``cases``: one unit at one setting, and its check; the default sample and ``--full``;
* ``complexify``, ``running``: how the code is called (complex allocation, fixed randomness, copies,
  failures in one line);
* ``source``: what the code says unrun (stubs, returned names, docstrings);
* ``shapes``, ``arguments``, ``settings``: arguments from docstrings and the ecosystem's conventions,
  and the grid of settings;
* the kinds of unit: ``pairs`` (forward/backward functions, loss functions), ``losses`` (loss and
  derivative), ``heads`` (fused softmax and cross-entropy), ``layers`` (layer objects, with
  ``holdings``: where they keep parameters and gradients), ``engines`` (micrograd-style operations
  and graphs) and ``models`` (a neuron or MLP on an engine);
* ``discovery`` (the units of a file), ``run`` (a unit over its settings), ``check`` (a file, and
  whether ``check`` takes a target as units), ``composition`` (a network of the file's layers at its
  top level), ``report`` (text and JSON), ``api`` (:func:`check_vjp`).
"""
