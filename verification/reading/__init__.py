"""Reading someone's code without running it: the script's text, its syntax tree, and what names,
signatures and source say.

* ``sources``: a script read as Python reads it (encoding, notebooks via ``notebooks``, Python 2 via
  ``python2``), refusals naming the file and line; ``lines`` for single lines;
* ``statements``, ``sizes`` and ``bounds``: which top-level statements the loader may run, and how
  large a constant's value can be before it is evaluated;
* ``loader``: a script's definitions, loaded without running its top-level statements;
* ``targets``: ``PATH[:NAME]`` parsed once, and the class to check when no name is given;
* ``conventions``: what names and signatures say about how the code is called;
* ``updates``: what a training method's source says (sign of the update, local learning rate, loops);
* ``slices``: the script's own construction of its network or weights, as setup code.

Nothing here calls the code under check; :mod:`verification.adapters` does.
"""
