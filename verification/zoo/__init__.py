"""The bug zoo: mutant backward passes, each a fault people make, and the run that checks the checker
on them.

* ``mutants``: the mutants as data, each with the diagnosis a correct checker gives;
* ``run``: every mutant through the checker, correct backward passes as controls, and the report.
"""
