"""Comparing a claimed gradient with a numeric one.

* ``rule``: the acceptance rule, written once (allowance, relative error, least-squares scale);
* ``reports``: per entry, per tensor and overall reports, as text and JSON; a report's truth value
  is its verdict;
* ``calling``: how a check is called (named arrays or one array; a gradient as arrays or a function);
* ``kinks``: entries whose difference stencil crossed a non-differentiable point;
* ``tensor``: one tensor compared entry by entry, and every tensor of a gradient under one tolerance;
* ``coordinate``: every entry checked (plain loop, or vectorised for ``ffnn`` networks);
* ``directional``: checks along random directions;
* ``sampling``: entries checked one by one, random directions, and the chance they miss a wrong entry;
* ``taylor``: the Taylor remainder test.

The tolerances the rule applies are the table of :mod:`verification.tolerances`.
"""
