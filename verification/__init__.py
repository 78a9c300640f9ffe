"""Verification of backward passes: finite-difference gradient checking, symbolic derivations, property
strategies and tools that identify which loss someone else's backprop is the gradient of."""
