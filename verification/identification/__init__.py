"""Which loss is someone's backward pass the gradient of?

* ``probes``: the points (weights, inputs, labels) where the code is compared with the catalog losses;
* ``coverage``: which entries are compared one by one, and what random directions can miss;
* ``comparison``: one probe, the code's gradient against the numeric gradient of every loss;
* ``kink_probes``: probes whose steps cross a kink of the code's loss;
* ``verdicts``: verdicts over all probes, per tensor and per loss, exact or up to a common scale;
* ``identify``: :func:`~verification.identification.identify.identify`, probing and verdicts together;
* ``report``: the outcome in words and JSON;
* ``check``: the ``check`` command's work and its report; ``progress``: its progress line.
"""
