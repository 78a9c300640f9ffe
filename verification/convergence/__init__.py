"""Both converge? The question's training over many weight seeds, for each output-delta rule.

* ``study``: :func:`~verification.convergence.study.run_study`, every seed trained at once
  (:mod:`ffnn.stacked_training`), chain, shortcut and the exact gradients of mse and bce;
* ``measures``: what is measured on the stacked networks (separation, losses, uphill steps);
* ``report``: the study as text (``backprop-verify converge``);
* ``plot``: its figure (the ``plot`` extra);
* ``document``: ``docs/convergence.md`` and its figure, generated from the study.
"""
