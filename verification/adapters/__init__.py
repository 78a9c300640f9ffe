"""Building and driving someone's live code: from their definitions to a
:class:`~verification.adapters.subject.Subject` that identification can call.

* ``recipe``: the explicit form: setup, forward, gradient or step, learning rate, layout;
* ``options``: what the user gave (:class:`~verification.adapters.options.Options`);
* ``detection``: :func:`~verification.adapters.detection.adapt`, the explicit form, or detection that
  writes one, by trying ``classes``, ``functions`` or ``scripts`` (a top-level training loop);
* ``build``: from a recipe to a subject; ``calls``: calling the code with failures turned into
  one-line errors;
* ``parameters``: where the code keeps its weights, read and written in place;
* ``layouts``: rows, columns, 1-D arrays or lists; one-hot labels or class indices;
* ``matching``: returned gradients lined up with the parameters;
* ``subject``: the :class:`~verification.adapters.subject.Subject` identification works on.

What the code's text says, read without running it, comes from :mod:`verification.reading`; the
weights it is tried at from :mod:`verification.draws`.
"""
