"""The ``--help`` texts that are more than one line: the program's epilog (what it proves, examples,
exit statuses) and ``check``'s, and the formatter that fits descriptions and epilogs to the terminal.

The texts are written at 76 columns; a line wider than the terminal is wrapped by
:func:`verification.terminal_width.fit_line`, as argparse wraps the option help.
"""

from __future__ import annotations

import argparse

from verification.terminal_width import fit


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs as written, line by line, each line wrapped to the terminal's width
    when it is wider (:func:`verification.terminal_width.fit_line`), as the option help is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(fit([indent + line for line in text.splitlines()], width))


CHECKEPILOG = """\
examples:
  backprop-verify check net.py              detect the network class and check it
  backprop-verify check net.py:Net --json   the same for the class Net, as JSON
  backprop-verify check net.py:Net -q       the verdict line alone
  backprop-verify check network.py --setup "net = Network([3, 4, 2])" \\
      --forward "net.feedforward(x)" --gradient "net.backprop(x, y)"
  backprop-verify check nb.ipynb:NeuralNetwork --step "n.train(x, y)" \\
      --lr n.lr

Whatever detection chose is printed as such a command line ("as:"), to
repeat and edit. Large networks: a sample of entries is checked one by one
and all entries jointly along random directions, with the smallest
single-entry error caught stated in the report; --full checks every entry
one by one. --rtol and --atol replace the derived tolerance; the report then
says what the derived one concludes.

A file of building blocks and no network (layer objects with forward and
backward, function pairs such as sigmoid and sigmoid_backward, a loss with
its derivative, a micrograd-style engine's operations) is checked unit by
unit, each backward against the vector-Jacobian product of its forward;
PATH:NAME checks one. A check that cannot be run is refused in one line
that names why, and with --json as {"error", "cause", "hint"}: cause
input, ambiguous (the verdict would depend on a reading the code does not
settle; the alternatives are listed), code-failed, timeout or memory.
Exit status: 0 a loss identified, or every unit that could be checked
matches; 1 a mismatch or no loss identified; 2 refused (backprop-verify
--help has the full table).
"""

EPILOG = """\
what it proves:
  Two hand-written backward passes of a 30-5-3 sigmoid network differ in the
  output delta: chain = (a - y) * sigmoid'(z), shortcut = a - y. Which one
  is the gradient, and of what? 'question' measures both against finite
  differences of the squared error (mse) and binary cross-entropy (bce):
  chain is the gradient of mse, shortcut the gradient of bce.

examples:
  backprop-verify                       answer the question
  backprop-verify question --seed 7     the same at other weights
  backprop-verify -q                    the verdict line alone
  backprop-verify derive --loss bce     bce's output delta, every activation
  backprop-verify check net.py:Net      which loss is Net's backward pass
                                        the gradient of?
  backprop-verify zoo                   the checker on a zoo of wrong
                                        backward passes
  backprop-verify converge              train from seeds 0-999 with each
                                        rule: how often does each converge?

'question' is the default command ('seed' is its former name and still
works). Options go after the command: backprop-verify check net.py --json.

exit status: 0 success, 1 mismatch or nothing identified, 2 bad usage, bad
  input, or checked code that failed, ran too long or grew too large,
  3 internal error, 74 stdout closed or unwritable, 130 interrupted, 141
  stdout pipe closed (table in docs/cli.md).

--debug (before or after the command) prints the traceback of an internal
error.
"""
