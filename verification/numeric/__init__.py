"""Numeric differentiation: the loss at shifted parameters, and the difference methods with their error
estimates.

* ``evaluators``: the loss with single entries shifted, many per call (the plain coordinate loop);
* ``network_evaluator``: the same, vectorised for an ``ffnn`` network (the structured mode);
* ``differences``: forward and central differences, :class:`NumericGradient`, exact steps;
* ``richardson``: Richardson-extrapolated central differences;
* ``complex_step``: complex-step differentiation and the detection of complex-safe losses;
* ``methods``: the registry of methods by name and ``auto``;
* ``step_sweep``: one-variable derivatives over a range of steps (error against step).
"""
