"""How a script drives the network it checks: the code that builds a network and trains it, read for
what it hands the network.

* ``driven_classes``: the project's class a script (or its ``def main():``) builds and trains;
* ``own_training_calls``: the training call the script makes on it, as the step to check, so that
  the loss it hands the training is the script's own;
* ``layer_lists``: a list of the project's layer objects handed to a training function
  (``train(network, mse, mse_prime, x_train, y_train, …)``).

The subjects are made by :mod:`verification.adapters`; what the code's text says comes from
:mod:`verification.reading`.
"""
