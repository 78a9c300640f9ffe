"""Which loss is someone's backward pass the gradient of?

* ``probes``: the points (weights, inputs, labels) where the code is compared with the catalog losses;
* ``identification``: the comparison at every probe and the verdicts per loss and tensor;
* ``check``: the ``check`` command's work and its report as text and JSON.
"""
