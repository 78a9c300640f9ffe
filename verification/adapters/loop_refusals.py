"""Training loops read off a script whose one step is not the step the script takes: refused, with the
cause named, before any recipe is run."""

from __future__ import annotations

from ffnn.validation import InputError
from verification.reading.loader import LoadedScript
from verification.reading.loop_records import TrainingLoop


def loop_refusal(loop: TrainingLoop, script: LoadedScript) -> InputError | None:
    """The refusal of ``loop``, or None when one pass of it is a step to check:

    * a loop over the samples by an index whose range leaves some out (``for i in range(1, len(X))``):
      on one sample it takes no step at all;
    * weights the forward pass reads, left alone by the loop and updated once after it
      (:attr:`~verification.reading.loop_records.TrainingLoop.stepped_after`): a pass of the loop steps
      the others only, and reading them off it would call those weights never updated.
    """
    if loop.skipping is not None:  # for i in range(1, len(X)): no step on one sample at all
        return InputError(
            f"the training loop at line {loop.line} of {script.path} walks the samples by index over a "
            f"range that leaves some out ({loop.skipping}): on one sample it takes no step, so no "
            "one-sample step can be read off it",
            hint="check the code that computes the gradient, or a loop over every sample (--step)",
        )
    if loop.stepped_after:
        names = ", ".join(loop.stepped_after)
        return InputError(
            f"the training loop at line {loop.line} of {script.path} updates some weights, while "
            f"{names} {'is' if len(loop.stepped_after) == 1 else 'are'} updated after it, once: no pass "
            "of the loop is a step of every weight, so none can be read off it",
            hint="give the step of every weight with the explicit form (--setup, --forward, --step, --lr)",
        )
    return None
