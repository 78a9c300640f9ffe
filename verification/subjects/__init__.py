"""Someone else's network code, turned into something the checker can call.

Reading the code, without running it:

* ``sources``: a script read as Python reads it (encoding, notebooks via ``notebooks``, Python 2 via
  ``python2``), refusals naming the file and line; ``lines`` for single lines;
* ``statements``, ``sizes`` and ``bounds``: which top-level statements the loader may run, and how
  large a constant's value can be before it is evaluated;
* ``loader``: a script's definitions, loaded without running its top-level statements;
* ``targets``: ``PATH[:NAME]``, and the class to check when no name is given;
* ``conventions``: what names and signatures say about how the code is called;
* ``updates``: what a training method's source says (sign of the update, local learning rate, loops);
* ``slices``: the script's own construction of its network or weights, as setup code.

Turning it into a subject:

* ``recipe``: the explicit form: setup, forward, gradient or step, learning rate, layout;
* ``detection``: the explicit form, or automatic detection that writes one (:func:`adapt`), by
  trying ``classes``, ``functions`` or ``scripts`` (a top-level training loop);
* ``build``: from a recipe to a subject; ``calls``: calling the code with failures turned into
  one-line errors;
* ``parameters``: where the code keeps its weights, read and written in place;
* ``layouts``: rows, columns, 1-D arrays or lists; one-hot labels or class indices;
* ``matching``: returned gradients lined up with the parameters;
* ``subject``: the :class:`~verification.subjects.subject.Subject` identification works on.
"""
