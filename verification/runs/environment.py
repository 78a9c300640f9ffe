"""The environment of a supervised child (:mod:`verification.runs.supervisor`): the parent's, with the
threads of the BLAS library set.

numpy hands its matrix products to a BLAS library (OpenBLAS in the wheels on PyPI, MKL, BLIS or
Accelerate elsewhere), which by default starts one thread per CPU. The checker's products are small:
one sample, or a few, by a layer's weights. For such products the threads cost more than they save, and
on a machine whose cores are busy they wait for each other: ``check`` on a 784-300-10 network took 31 s
at load 5 with the default threads and about 2 s with one (``benchmarks/bench_check.py`` measures both in
the same run). The child is therefore started with :data:`BLAS_THREADS` threads, through the
environment variables the libraries read when they load, unless the user set them: a value the user
chose is kept.

Sources: the OpenBLAS README ("Setting the number of threads using environment variables"), the
OpenMP specification (``OMP_NUM_THREADS``), Intel's MKL documentation (``MKL_NUM_THREADS``), BLIS's
``docs/Multithreading.md`` (``BLIS_NUM_THREADS``), Apple's Accelerate (``VECLIB_MAXIMUM_THREADS``).
"""

from __future__ import annotations

import os

BLAS_THREADS = 1
"""Threads of the child's BLAS (OpenBLAS, MKL, BLIS, Accelerate, OpenMP). The checker's products are
small, one sample by a layer's weights; on a busy machine the threads of a multithreaded BLAS wait
for each other more than they compute (measurements in ``benchmarks/bench_check.py``)."""
BLAS_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
"""The environment variables the BLAS libraries numpy is built with read their thread count from, at
start-up; set in the child's environment when the user has not set them."""


def child_environment() -> dict[str, str]:
    """The child's environment: this process's, with the BLAS threads set (:data:`BLAS_THREADS`)
    unless the user set them."""
    env = dict(os.environ)
    for name in BLAS_VARIABLES:
        env.setdefault(name, str(BLAS_THREADS))
    return env
