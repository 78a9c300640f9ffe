"""Supervised runs: the work of ``check`` and ``zoo`` in a child process, bounded in time and memory,
and how every run of the command line ends.

* ``jobs``: the work a child runs (``check``, ``zoo``), returning ``{text, json, status}``;
* ``supervisor``: the parent side: start the child, watch the clock and the pipes, end it;
* ``child``: the child side: read the job, set the limits, run it, send one message;
* ``limits``: ``--timeout`` and ``--max-memory``, their defaults and how they are read and written;
* ``exits``: exit statuses, refusal causes, and the :class:`~verification.runs.exits.Refusal`;
* ``terminal``: how a run ends on the terminal: stdout, one line on stderr, the exit status.
"""
