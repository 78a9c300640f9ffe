"""SymPy derivations: the second, symbolic oracle.

* ``catalog``: the catalog's losses and activations as SymPy expressions, with domains and ranges;
* ``pairs``: the output delta of every loss and output-activation pair, and which pairs give ``a − y``;
* ``network``: whole-network gradients, backprop proven equal to direct differentiation;
* ``oracle``: the question's network as a lambdified numeric oracle;
* ``render``: the derivations as text, Markdown, LaTeX and JSON, and ``docs/derivations.md``.
"""
