"""Someone else's network code, turned into something the checker can call.

* ``loader``: a script's definitions, loaded without running its top-level statements;
* ``recipe``: the explicit form: setup, forward, gradient or step, learning rate, layout;
* ``detection``: a recipe found automatically by trying the code, and :func:`adapt`;
* ``conventions``: what the code's names, signatures and source say about how it is called;
* ``parameters``: where the code keeps its weights, read and written in place;
* ``layouts``: rows, columns, 1-D arrays or lists; one-hot labels or class indices;
* ``matching``: returned gradients lined up with the parameters;
* ``calls``: calling the code with failures turned into one-line errors;
* ``subject``: the :class:`~verification.subjects.subject.Subject` identification works on.
"""
