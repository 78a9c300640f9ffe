"""Someone else's network code, turned into something the checker can call.

* ``loader``: a script's definitions, loaded without running its top-level statements;
* ``conventions``: how the code is called, read from its names, signatures and source;
* ``adapters``: the :class:`~verification.subjects.adapters.Subject`: parameters, forward pass and
  the gradient the code's backward pass implies.
"""
